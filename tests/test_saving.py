"""Saving off the observer path: the latest wish wins, a locked store never holds the kernel, status tells the truth.

The store is locked the way another kernel locks it: a second SQLite connection
holding a write transaction (``BEGIN IMMEDIATE``).
"""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import peerkit.store
from peerkit.store import LocalStore
from peerkit.widgets.boundary_matrix import BoundaryMatrix
from peerkit.widgets.reflection import Reflection
from tests.support.threads import in_a_plain_thread


@pytest.fixture(autouse=True)
def quick_lock_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Keep a locked store's wait short, whichever code path saves (the worker's, or a direct write).
    monkeypatch.setattr(peerkit.store, "BUSY_TIMEOUT_SECONDS", 0.2)
    saving = pytest.importorskip("peerkit.saving") if _has_saving() else None
    if saving is not None:
        monkeypatch.setattr(saving, "WORKER_BUSY_TIMEOUT", 0.2)
        monkeypatch.setattr(saving, "LAST_RETRY_DELAY", 0.2)


def _has_saving() -> bool:
    # so that this file also runs against the code before the background saver, to see it fail
    import importlib.util

    return importlib.util.find_spec("peerkit.saving") is not None


@contextmanager
def locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold the store's write lock from another connection, as a second kernel would mid-write."""
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def settled(widget: object, timeout: float = 10.0) -> None:
    """Wait for the widget's saves (a no-op on code that saves inside the observer)."""
    wait = getattr(widget, "wait_until_saved", None)
    if wait is not None:
        assert wait(timeout=timeout), getattr(widget, "status", "")


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    from peerkit.widgets._base import run_deferred

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_deferred()
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_to_b_to_a_while_locked_stores_a(store: LocalStore) -> None:
    """The lost update of issue 11: with the store locked, A -> B -> A must leave A, not B, once it unlocks."""
    matrix = BoundaryMatrix(store=store)
    matrix.answer("B01", "maybe")  # A
    settled(matrix)
    with locked(store.path):
        matrix.answer("B01", "never")  # B: cannot be written yet
        matrix.answer("B01", "maybe")  # back to A
    matrix.answer("B02", "always")  # any later change (the old code replayed its queue here)
    settled(matrix)
    assert LocalStore(store.path).answers("boundaries") == {"B01": "maybe", "B02": "always"}


def test_the_latest_of_many_wishes_is_stored_and_nothing_older_after_it(store: LocalStore) -> None:
    matrix = BoundaryMatrix(store=store)
    written: list[tuple[str, object]] = []
    original = LocalStore.write_changes

    def spy(self: LocalStore, saves, deletes) -> None:  # type: ignore[no-untyped-def]
        original(self, saves, deletes)
        written.extend((r.item, r.value) for r in saves)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LocalStore, "write_changes", spy)
        values = ["never", "maybe", "always"] * 20 + ["never"]
        for value in values:
            matrix.answer("B01", value)
        settled(matrix)
    assert store.answers("boundaries") == {"B01": "never"}
    assert written[-1] == ("B01", "never")
    assert len(written) < len(values)  # coalesced, not one write per click


def test_an_observer_never_waits_for_the_locked_store(store: LocalStore) -> None:
    # A write made in the observer would wait for the lock, held for the whole loop, as long as the widget's
    # store allows (an hour here): the calls must all return with the lock still held. That tells the two
    # apart on a busy machine too, as no stopwatch would.
    matrix = BoundaryMatrix(store=LocalStore(store.path, busy_timeout=3600))
    with locked(store.path):
        in_a_plain_thread(lambda: [matrix.answer("B01", value)
                                   for value in ["never", "maybe", "always", "never", "maybe"]], timeout=60)
        assert matrix.answers == {"B01": "maybe"}
    settled(matrix)
    assert store.answers("boundaries") == {"B01": "maybe"}


def test_status_follows_the_store_saving_then_not_saved_then_saved(store: LocalStore) -> None:
    matrix = BoundaryMatrix(store=store)
    assert (matrix.save_state, matrix.status) == ("", "")
    with locked(store.path):
        matrix.answer("B01", "maybe")
        assert matrix.save_state == "saving" and matrix.status == "Saving\u2026"
        assert eventually(lambda: matrix.save_state == "failed"), matrix.status
        assert matrix.status.startswith("Not saved yet: ") and "locked" in matrix.status
        assert matrix.status.endswith("Kept in this notebook; it will be retried.")
        assert store.answers("boundaries") == {}  # not claimed saved: it is not in the store
    # the store unlocks later: the worker's retry writes the latest value without another click
    assert eventually(lambda: matrix.save_state == "saved"), matrix.status
    assert matrix.status == "Saved."
    assert LocalStore(store.path).answers("boundaries") == {"B01": "maybe"}


def test_a_store_that_cannot_be_written_keeps_the_answer_and_says_why(store: LocalStore) -> None:
    from peerkit.errors import StoreReadOnlyError

    matrix = BoundaryMatrix(store=store)
    original = LocalStore.write_changes
    refusing = [True]

    def maybe_refuse(self: LocalStore, saves, deletes) -> None:  # type: ignore[no-untyped-def]
        if refusing[0]:
            raise StoreReadOnlyError(f"Cannot write to the answer store {self.path} (read-only).")
        original(self, saves, deletes)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LocalStore, "write_changes", maybe_refuse)
        matrix.answer("B01", "never")
        assert eventually(lambda: matrix.save_state == "failed")
        assert "cannot be written" in matrix.status and "retried" in matrix.status
        refusing[0] = False
        assert eventually(lambda: matrix.save_state == "saved"), matrix.status
    assert store.answers("boundaries") == {"B01": "never"}


def test_trait_updates_from_the_worker_happen_on_the_main_thread(store: LocalStore) -> None:
    matrix = BoundaryMatrix(store=store)
    threads: list[int] = []
    matrix.observe(lambda change: threads.append(threading.get_ident()), names=["status", "save_state"])
    with locked(store.path):
        matrix.answer("B01", "maybe")
        assert eventually(lambda: matrix.save_state == "failed")
    assert eventually(lambda: matrix.save_state == "saved")
    assert threads and set(threads) == {threading.main_thread().ident}


def test_the_group_hook_runs_on_the_worker_never_in_the_observer(store: LocalStore, monkeypatch) -> None:
    import peerkit.client.sync as sync_module
    from peerkit.client.sync import SyncResult

    calls: list[str] = []

    def fake_sync(local: LocalStore, **_: object) -> SyncResult:
        calls.append(threading.current_thread().name)
        return SyncResult(message="Saved on this computer; will send to your group when it can be reached.")

    monkeypatch.setattr(sync_module, "sync", fake_sync)
    store.set_setting("cohort", {"cohort": "cohort-x", "pseudonym": "p-1", "name": "Tuesday", "mode": "live"})
    matrix = BoundaryMatrix(store=store)
    matrix.answer("B01", "maybe")
    assert calls == []  # the observer returned before any sending
    settled(matrix)
    assert calls and all(name.startswith("peerkit-saver") for name in calls)
    assert matrix.save_state == "saved"
    assert matrix.status == "Saved on this computer; will send to your group when it can be reached."


def test_a_new_widget_shows_a_change_still_waiting_to_be_written(store: LocalStore) -> None:
    first = BoundaryMatrix(store=store)
    with locked(store.path):
        first.answer("B01", "always")
        again = BoundaryMatrix(store=LocalStore(store.path))  # the cell run again, store still locked
        assert again.answers == {"B01": "always"}
    settled(first)
    assert store.answers("boundaries") == {"B01": "always"}


def test_reflection_status_comes_from_the_kernel(store: LocalStore) -> None:
    exercise_id = "welcome_reflection"
    item = Reflection(exercise_id, store=store).items[0]["id"]
    box = Reflection(exercise_id, store=store)
    with locked(store.path):
        box.write(item, "I noticed I wanted to fix things.")
        assert eventually(lambda: box.save_state == "failed")
        assert "Saved" not in box.status
    assert eventually(lambda: box.save_state == "saved")
    assert store.answers(exercise_id) == {item: {"text": "I noticed I wanted to fix things.", "share": False}}


def test_the_front_ends_show_save_state_only_from_the_model() -> None:
    from peerkit.widgets._base import front_end

    source = front_end("reflection.js")
    assert 'model.get("save_state")' in source and 'change:save_state' in source
    # the old promise made before the kernel had saved anything
    assert 'view.saved.textContent = text.trim() ? "Saved." : ""' not in source


# -- in a real kernel: the worker's news reaches the widget through the kernel's IOLoop -------------
KERNEL_SETUP = """
import threading, time
from peerkit.store import LocalStore
from peerkit.widgets.boundary_matrix import BoundaryMatrix
import peerkit.saving
peerkit.saving.WORKER_BUSY_TIMEOUT = 0.2
peerkit.saving.LAST_RETRY_DELAY = 0.2
# a write made on the kernel's thread would wait an hour for a locked store: run() would give up first
matrix = BoundaryMatrix(store=LocalStore({path!r}, busy_timeout=3600))
changes, sends = [], []
matrix.observe(lambda c: changes.append((c["name"], c["new"], threading.get_ident())), names=["status", "save_state"])
_send = matrix.comm.send
def recording_send(*args, **kwargs):
    sends.append(threading.get_ident())
    return _send(*args, **kwargs)
matrix.comm.send = recording_send
"""


def test_in_a_real_kernel_updates_arrive_on_the_kernel_thread(store: LocalStore) -> None:
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        def run(code: str) -> str:
            out: list[str] = []

            def hook(message: dict) -> None:
                if message["msg_type"] == "stream":
                    out.append(message["content"]["text"])
                elif message["msg_type"] == "error":
                    out.append("\n".join(message["content"]["traceback"]))

            reply = client.execute_interactive(code, output_hook=hook, timeout=60)
            assert reply["content"]["status"] == "ok", "".join(out)
            return "".join(out).strip()

        def kernel_eventually(expression: str, timeout: float = 15.0) -> bool:
            # each check is its own request: between requests the kernel's IOLoop runs its callbacks
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if run(f"print({expression})") == "True":
                    return True
                time.sleep(0.05)
            return False

        run(KERNEL_SETUP.format(path=str(store.path)))
        with locked(store.path):
            # the answers return with the lock still held (a write on the kernel's thread would wait an hour)
            assert run("matrix.answer('B01', 'never'); matrix.answer('B01', 'maybe'); print('returned')") == "returned"
            assert kernel_eventually("matrix.save_state == 'failed'"), run("print(matrix.status)")
        # nothing calls the widget: the worker's retry and the IOLoop bring "Saved." by themselves
        assert kernel_eventually("matrix.save_state == 'saved'"), run("print(matrix.status)")
        assert run("print(matrix.status)") == "Saved."
        assert run("print(sorted({t for _, _, t in changes} | set(sends)) == [threading.main_thread().ident])") == "True"
        assert run("print(len(sends) >= 3 and ('save_state', 'failed') in [(n, v) for n, v, _ in changes])") == "True"
        assert LocalStore(store.path).answers("boundaries") == {"B01": "maybe"}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
