"""The background sender: one daemon thread per store file that empties the outbox to the server.

A widget's save only queues (:func:`peerkit.client.outbox.queue_changes`) and calls
:meth:`Sender.wake`; it never waits on the network. The thread sends batches of at most
500 answers; while the server is away it tries again with growing pauses
(:data:`FIRST_RETRY_SECONDS` doubling up to :data:`MAX_RETRY_SECONDS`), with no click
needed, and after a kernel restart the first widget (or ``pk.join_cohort()``) that
finds a non-empty outbox starts it again (:func:`resume`).

A widget that wants to hear how its answer fared passes a callback to
:meth:`Sender.notify_when_settled`; it is called with the new status line once the
exercise has nothing left in the outbox, on the kernel's event loop when there is one
(so widget traits change on the kernel's own thread, as they do for a click).

>>> sender_for(store).wake()                  # doctest: +SKIP
>>> sender_for(store).wait_until_idle(5)      # doctest: +SKIP
True
"""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import outbox
from .http import MAX_BATCH, ServerClient, ServerRefused, ServerUnreachable
from ..store import LocalStore
from .state import CREDENTIALS_SETTING, MEMBERSHIP_SETTING

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 10.0

#: The status lines a learner reads under an exercise.
SHARED = "Shared with your group."
WAITING = "Saved here; waiting to send to your group."

Notify = Callable[[str], None]


class _Forgotten(Exception):
    """The learner deleted this store ("Delete all my answers"): the thread ends without touching it again."""


class Sender:
    """Sends one store's outbox; use :func:`sender_for` rather than making one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._waiters: list[tuple[str, Notify, asyncio.AbstractEventLoop | None]] = []
        self._floor_checked_for: str | None = None
        self._busy = False
        #: Held around every read or write of the store by the thread (never around the network):
        #: :func:`forget` takes it, so once forgotten no access is under way and none starts.
        self._store_lock = threading.RLock()
        self._forgotten = False
        #: Why sending is stopped until something changes ("" while all is well or merely retrying).
        self.problem = ""
        #: The last technical reason a send failed (for a log or the trainer, not the status line).
        self.last_error = ""
        self.attempts = 0
        self.retry_in = 0.0
        #: ``time.monotonic()`` of the first failed try since the server last answered (None: it answers).
        self.unreachable_since: float | None = None

    # -- starting and waking ---------------------------------------------------------------------
    def wake(self) -> None:
        """Send now (starting the thread if needed); returns at once."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=f"peerkit-sender:{self.path.name}",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    @contextmanager
    def _store(self) -> Iterator[None]:
        """Around the thread's every use of the store file; raises :class:`_Forgotten` once it was deleted."""
        with self._store_lock:
            if self._forgotten:
                raise _Forgotten
            yield

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until the outbox is empty (for tests and scripts, never in a widget)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._busy and outbox.pending_count(self.path) == 0:
                return True
            time.sleep(0.02)
        return False

    def server_seems_away(self) -> bool:
        """Did the last try to send fail for want of an answer (so a chart need not wait on it)?"""
        return self.unreachable_since is not None

    # -- what the learner is told ---------------------------------------------------------------
    def status_for(self, exercise: str | None) -> str:
        """The honest status line for one exercise's shared answers ("" when it shares nothing)."""
        refused = outbox.refusals(self.path, exercise)
        if refused:
            detail = next(iter(refused.values()))
            more = f" ({len(refused)} answers)" if len(refused) > 1 else ""
            return f"Saved here. Not shared with your group{more}: {detail}"
        if outbox.pending_count(self.path, exercise):
            return f"Saved here; not sent to your group: {self.problem}" if self.problem else WAITING
        if outbox.shared_count(self.path, exercise):
            return SHARED
        return ""

    def notify_when_settled(self, exercise: str, notify: Notify) -> None:
        """Call ``notify(status line)`` once ``exercise`` has nothing waiting (a newer wish replaces an older)."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            self._waiters = [w for w in self._waiters if not (w[0] == exercise and w[1] == notify)]
            self._waiters.append((exercise, notify, loop))
        self.wake()

    def _tell_waiters(self, everyone: bool = False) -> None:
        """Tell waiters whose exercise settled; with ``everyone``, tell the rest the problem too."""
        with self._lock:
            waiters, self._waiters = self._waiters, []
        keep = []
        for exercise, notify, loop in waiters:
            settled = outbox.pending_count(self.path, exercise) == 0
            if settled or everyone:
                _deliver(notify, self.status_for(exercise), loop)
            if not settled:
                keep.append((exercise, notify, loop))  # still wants to hear the outcome
        with self._lock:
            self._waiters = keep + self._waiters

    # -- the thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        store: LocalStore | None = None
        pause = 0.0
        while True:
            self._wake.wait(timeout=pause or None)
            self._wake.clear()
            self._busy = True
            try:
                with self._store():
                    store = store or LocalStore(self.path)  # in the loop: a store locked for a while is retried
                pause = self._drain(store, pause)
            except _Forgotten:
                self._busy = False
                return  # the store was deleted: nothing of it may be opened again (not even a journal)
            except Exception as error:  # noqa: BLE001 - the thread must outlive one bad round
                self.last_error = f"{type(error).__name__}: {error}"
                pause = min(max(FIRST_RETRY_SECONDS, pause * 2), MAX_RETRY_SECONDS)
            finally:
                self._busy = False
            self.retry_in = pause

    def _drain(self, store: "LocalStore", pause: float) -> float:
        """Send until the outbox is empty or the server is away; the pause before the next try (0 = none)."""
        while True:
            with self._store():
                batch = outbox.pending(self.path, MAX_BATCH)
                if not batch:
                    self.problem = ""
                    self._tell_waiters()
                    return 0.0
                credentials = store.get_setting(CREDENTIALS_SETTING)
                joined = store.get_setting(MEMBERSHIP_SETTING)
                if not isinstance(credentials, dict) or not credentials.get("token") or not isinstance(joined, dict):
                    self.problem = ("this session is not signed in to your group any more. Join again with the "
                                    "code from your trainer, in the “Join your group” panel of the welcome "
                                    "chapter.")
                    self._tell_waiters(everyone=True)
                    return 0.0  # nothing to retry until someone joins again and wakes us
            client = ServerClient(str(credentials["server"]), str(credentials["token"]))
            self.attempts += 1
            try:
                if self._floor_checked_for != credentials["token"]:
                    me = client.me() or {}
                    with self._store():
                        outbox.raise_floor(self.path, int(me.get("last_seq") or 0))
                        batch = outbox.pending(self.path, MAX_BATCH)
                    self._floor_checked_for = str(credentials["token"])
                reply = client.send_answers([change.as_answer() for change in batch]) or {}
            except ServerUnreachable as error:
                self.last_error = str(error)
                self.unreachable_since = self.unreachable_since or time.monotonic()
                self.problem = ""
                with self._store():
                    self._tell_waiters()
                return min(max(FIRST_RETRY_SECONDS, pause * 2), MAX_RETRY_SECONDS)
            except ServerRefused as error:
                self.last_error = str(error)
                self.unreachable_since = None
                if error.status == 429:
                    return max(error.retry_after or MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS)
                # signed out, cohort closed or deleted: the answers stay here; say why, wait for a change
                self.problem = error.detail
                with self._store():
                    self._tell_waiters(everyone=True)
                return 0.0
            with self._store():
                outbox.acknowledge(self.path, reply.get("accepted", []), reply.get("stale", []),
                                   reply.get("refused", []))
            answered = {int(s) for s in reply.get("accepted", [])} | {int(s) for s in reply.get("stale", [])}
            answered |= {int(r["seq"]) for r in reply.get("refused", []) if isinstance(r, dict) and "seq" in r}
            self.problem = ""
            self.last_error = ""
            self.unreachable_since = None
            pause = 0.0
            with self._store():
                self._tell_waiters()
            if not answered & {change.seq for change in batch}:
                # a reply that answers none of what we sent would loop forever: wait and retry
                self.last_error = "The server's reply named none of the answers sent."
                return MAX_RETRY_SECONDS


def _deliver(notify: Notify, message: str, loop: asyncio.AbstractEventLoop | None) -> None:
    if loop is not None and not loop.is_closed():
        try:
            loop.call_soon_threadsafe(notify, message)
            return
        except RuntimeError:
            pass  # the loop closed meanwhile
    try:
        notify(message)
    except Exception:  # noqa: BLE001 - a closed widget must not stop the sender
        pass


_SENDERS: dict[Path, Sender] = {}
_SENDERS_LOCK = threading.Lock()


def sender_for(store: "LocalStore | str | Path") -> Sender:
    """The one sender of this store file in this process."""
    path = Path(getattr(store, "path", store)).resolve()
    with _SENDERS_LOCK:
        sender = _SENDERS.get(path)
        if sender is None:
            sender = _SENDERS[path] = Sender(path)
        return sender


def resume(store: "LocalStore") -> bool:
    """Start sending again if this learner is in a group and answers wait (after a kernel restart).

    Cheap when not joined (one settings read). Returns whether a sender was woken.
    """
    try:
        if not store.get_setting(MEMBERSHIP_SETTING) or not store.get_setting(CREDENTIALS_SETTING):
            return False
        if outbox.pending_count(store) == 0:
            return False
    except Exception:  # noqa: BLE001 - resuming is a convenience; the next save tries again
        return False
    sender_for(store).wake()
    return True


def forget(store: "LocalStore | str | Path") -> None:
    """Forget this store's sender ("Delete all my answers"): its waiters hear nothing more.

    Waits for a read or write of the store the thread has under way (never for the network),
    and after it the thread opens nothing of the store again, not even a journal: it ends at
    its next step. The caller may then delete the file.
    """
    path = Path(getattr(store, "path", store)).resolve()
    with _SENDERS_LOCK:
        sender = _SENDERS.pop(path, None)
    if sender is not None:
        with sender._store_lock:
            sender._forgotten = True
        with sender._lock:
            sender._waiters = []
        sender.problem = ""
        sender._wake.set()


def describe(store: "LocalStore") -> dict[str, Any]:
    """What the sender of this store is doing, for a status panel."""
    sender = sender_for(store)
    return {"running": sender.running, "waiting": outbox.pending_count(store), "problem": sender.problem,
            "last_error": sender.last_error, "retry_in": sender.retry_in}
