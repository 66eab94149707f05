""""Delete all my answers" against the REAL cohort server: it withdraws from the group, forgets the outbox and
the private settings, and leaves no file of the learner's under PEERKIT_HOME, also when the server is away."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import my_answers, wait_for

from peerkit.client.http import ServerClient
from peerkit.client.sender import sender_for
from peerkit.client.membership import credentials, join
from peerkit.client.sync import sync
from peerkit.portfolio_io.delete import WITHDRAW_TIMEOUT_SECONDS
from peerkit.store import LocalStore
from peerkit.widgets.portfolio_panel import PortfolioPanel


@contextmanager
def _waits_on_the_server() -> Iterator[list[float]]:
    """The longest each request made from this thread may wait on a cohort server (its timeout), while the
    block runs: what a learner's click could be kept waiting, however busy the machine (the sender's own
    requests, on its thread, are not the click's)."""
    waits: list[float] = []
    original = ServerClient.request
    caller = threading.get_ident()

    def request(self: ServerClient, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == caller:
            waits.append(kwargs.get("timeout") or self.timeout)
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ServerClient, "request", request)
        yield waits


def _deleted_without_waiting_long(store: LocalStore, answers: int) -> PortfolioPanel:
    """Delete all my answers (``answers`` of them) from the portfolio panel; its requests to the server may wait
    at most WITHDRAW_TIMEOUT_SECONDS in all."""
    panel = PortfolioPanel(store=store)
    panel.ask_to_delete()
    with _waits_on_the_server() as waits:
        assert panel.delete() == answers
    assert waits and sum(waits) <= WITHDRAW_TIMEOUT_SECONDS, waits
    return panel


def _sender_ended(sender: Any) -> None:
    """Wait until the forgotten sender's thread has ended: after that nothing could write under PEERKIT_HOME."""
    wait_for(lambda: not sender.running, timeout=30, message="the forgotten sender is still running")


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _server_rows(live: Any, pseudonym: str) -> list[dict[str, Any]]:
    """Every row the server holds for this pseudonym (read as the trainer, who may see row-level answers)."""
    with live.server.client(live.trainer) as client:
        reply = client.get(f"/api/v1/cohorts/{live.cohort['id']}/responses")
    assert reply.status_code == 200, reply.text
    return [row for row in reply.json()["responses"] if row["pseudonym"] == pseudonym]


def _joined_learner(live: Any) -> tuple[LocalStore, str, str]:
    """A learner (default store, under PEERKIT_HOME) who joined, shared three answers and has a check-in history."""
    store = LocalStore()
    joined = join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    for item in ("B01", "B02", "B03"):
        store.save("boundaries", item, "maybe")
    store.set_setting("checkins:recovery_checkin", [{"at": "2026-11-30T10:00:00+00:00", "answers": {"R1": 2}}])
    sync(store)
    assert sender_for(store).wait_until_idle(15)
    token = str(credentials(store)["token"])
    assert my_answers(live.server, token) == 3
    return store, joined.pseudonym, token


def test_delete_withdraws_from_the_server_and_leaves_no_file(live: Any, peerkit_home: Path) -> None:
    store, pseudonym, token = _joined_learner(live)
    assert len(_server_rows(live, pseudonym)) == 3
    sender = sender_for(store)
    panel = PortfolioPanel(store=store)
    assert panel.download() is not None
    panel.ask_to_delete()
    assert live.cohort["name"] in panel.confirm_text.value and "remove every answer" in panel.confirm_text.value

    assert panel.delete() == 3
    assert "removed the answers you shared (3 answers)" in panel.status
    assert _server_rows(live, pseudonym) == []  # the server holds none of the learner's answers
    with live.server.client(token) as client:
        assert client.get("/api/v1/me").status_code == 401  # and the token no longer works
    assert _files_under(peerkit_home) == []
    _sender_ended(sender)  # the sender (retrying every 0.5 s in these tests) brought nothing back
    assert _files_under(peerkit_home) == []
    fresh = LocalStore()  # the next use is a new, empty learner: no membership, token or check-ins
    assert fresh.responses() == [] and fresh.get_setting("cohort") is None
    assert fresh.get_setting("cohort_token") is None and fresh.get_setting("checkins:recovery_checkin") is None


def test_delete_with_the_server_down_says_what_stays_and_the_sender_makes_no_new_file(
        live: Any, peerkit_home: Path) -> None:
    store, pseudonym, _ = _joined_learner(live)
    live.server.stop()
    store.save("boundaries", "B04", "never")
    sync(store)  # the sender now retries, every 0.5 s, against a server that is gone
    sender = sender_for(store)
    wait_for(sender.server_seems_away, timeout=30)

    panel = _deleted_without_waiting_long(store, 4)
    assert "could not be withdrawn" in panel.status and pseudonym in panel.status
    assert "ask your trainer" in panel.status and live.server.url in panel.status
    assert _files_under(peerkit_home) == []
    _sender_ended(sender)  # retrying, the sender must not have made the store file again
    assert _files_under(peerkit_home) == []
    fresh = LocalStore()  # opens (a file with only the outbox's tables would be refused as "not a peerkit store")
    assert fresh.responses() == [] and fresh.get_setting("cohort_token") is None

    restarted = live.restart()  # the answers did stay on the server, as the learner was told
    assert restarted.process.poll() is None and len(_server_rows(live, pseudonym)) == 3


def test_delete_does_not_wait_long_on_a_server_that_never_answers(live: Any, peerkit_home: Path) -> None:
    store, pseudonym, _ = _joined_learner(live)
    port = live.server.port
    live.server.stop()
    with socket.socket() as stalled:  # takes connections and never answers
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        stalled.bind(("127.0.0.1", port))
        stalled.listen(1)
        panel = _deleted_without_waiting_long(store, 3)
    assert "could not be withdrawn" in panel.status and pseudonym in panel.status
    assert _files_under(peerkit_home) == []
