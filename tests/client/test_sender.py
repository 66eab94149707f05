"""The background sender (:mod:`peerkit.client.sender`): once its store is forgotten it never touches it again."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

from peerkit.client import outbox, sender
from peerkit.client.state import CREDENTIALS_SETTING, MEMBERSHIP_SETTING


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_forgotten_sender_ends_and_opens_nothing_of_the_store_again(store, peerkit_home: Path,
                                                                      monkeypatch) -> None:
    # joined, one answer waiting, the server gone: the sender retries (every 0.5 s at first)
    store.set_setting(MEMBERSHIP_SETTING, {"cohort": "cohort-abcdefgh", "pseudonym": "p-" + "a" * 20,
                                           "mode": "live", "share": ["boundaries"]})
    store.set_setting(CREDENTIALS_SETTING, {"server": f"http://127.0.0.1:{_closed_port()}", "token": "pkl_x",
                                            "cohort": "cohort-abcdefgh"})
    outbox.queue_changes(store, [{"exercise": "boundaries", "item": "B01", "value": "never"}])
    worker = sender.sender_for(store)
    tried = threading.Event()
    real_pending = outbox.pending
    touched_after_forget: list[str] = []
    forgotten = threading.Event()

    def watched_pending(*args, **kwargs):
        if forgotten.is_set():
            touched_after_forget.append(threading.current_thread().name)
        tried.set()
        return real_pending(*args, **kwargs)

    monkeypatch.setattr(outbox, "pending", watched_pending)
    worker.wake()
    assert tried.wait(10), "the sender never tried to send"

    sender.forget(store)  # what "Delete all my answers" does before it removes the file
    forgotten.set()
    worker._thread.join(timeout=10)
    assert not worker.running, "a forgotten sender keeps running, and would open the deleted store again"
    assert touched_after_forget == []
