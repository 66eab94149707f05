"""Saving answers in the background: the latest wish per item, written by one worker per store file.

A widget's trait observer must return at once, even while another kernel holds the
store's write lock. So the observer only records what the learner wants stored (a
*wish*: this value for this item, or no answer at all) and a worker thread writes it:

- **the latest wish wins**: A -> B -> A while the store is locked stores A. Wishes live
  in one map (one entry per item, replaced by each newer wish) and one thread per store
  file writes them, so an older wish is never written after a newer one;
- **coalescing**: ten changes made during one slow write become one write;
- **retry with backoff** while the store is locked or cannot be written; the wish stays
  in this kernel's memory until it is written, and the widget says so;
- **after everything is written** the ``after_save`` hook runs on the worker (the
  widgets use it to send shared answers to the learner's group), never on the
  observer's path.

Listeners (the widgets) hear about each attempt on the worker thread, as a
:class:`SaveEvent`; a widget hands that on to its traits on the kernel's own
thread (see :func:`peerkit.widgets._base.on_kernel_thread`).

>>> saver = saver_for(tmp_path / "answers.sqlite")             # doctest: +SKIP
>>> saver.wish("boundaries", "B01", "maybe")                   # doctest: +SKIP
1
>>> saver.wait(timeout=5)                                      # doctest: +SKIP
True
"""
from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import Response, utc_now
from .store import PENDING_WRITES, LocalStore

Key = tuple[str, str]  # (exercise id, item id)

#: How long one write attempt waits for another program's lock before the worker backs off.
#: Short, so that the learner reads "not saved yet: locked" within a second or so.
WORKER_BUSY_TIMEOUT = 1.0
#: Pauses between failed attempts: doubling from the first to the last, then staying there.
FIRST_RETRY_DELAY = 0.1
LAST_RETRY_DELAY = 5.0
#: How long the kernel waits at exit for answers still being written.
EXIT_WAIT_SECONDS = 5.0


class _NoAnswer:
    """The wish "this item has no answer" (the learner cleared it)."""

    def __repr__(self) -> str:
        return "NO_ANSWER"


NO_ANSWER: Any = _NoAnswer()


@dataclass(frozen=True)
class Wish:
    """What the learner wants stored for one item: ``value`` (or :data:`NO_ANSWER`), asked at ``at``."""

    seq: int
    value: Any
    at: datetime


@dataclass(frozen=True)
class SaveEvent:
    """One thing the worker did, for the listeners.

    ``written``: {key: seq} of the wishes now in the store. ``error``: why the last
    attempt failed (``None`` when it worked). ``pending``: keys still waiting.
    ``group_message``: what the ``after_save`` hook said ("" when all went well;
    ``None`` when it did not run). ``deleted``: every answer was deleted.
    """

    written: dict[Key, int] = field(default_factory=dict)
    error: Exception | None = None
    pending: frozenset[Key] = frozenset()
    group_message: str | None = None
    deleted: bool = False


Listener = Callable[[SaveEvent], None]


class BackgroundSaver:
    """Writes the latest wish per item into one store file, on its own thread.

    The thread runs only while there is something to write, so an idle kernel has
    no extra thread. Use :func:`saver_for` rather than building one: there must be
    one saver per store file, or two of them could write the same item out of order.
    """

    def __init__(self, path: Path, *, after_save: Callable[[LocalStore], str] | None = None) -> None:
        self.path = path
        self.after_save = after_save
        self._changed = threading.Condition()
        self._wishes: dict[Key, Wish] = {}
        self._seq = 0
        self._worker: threading.Thread | None = None
        self._writing = threading.Lock()  # held while the store is written (the worker, or a delete)
        self._store: LocalStore | None = None
        self._listeners: "weakref.WeakSet[Any]" = weakref.WeakSet()
        self.last_error: Exception | None = None

    def __repr__(self) -> str:
        return f"BackgroundSaver({str(self.path)!r}, pending={len(self._wishes)})"

    # -- the observer's side: quick, never touches the store ---------------------------------
    def wish(self, exercise: str, item: str, value: Any) -> int:
        """Ask for ``value`` (or :data:`NO_ANSWER`) to be stored for one item; returns the wish's number."""
        with self._changed:
            self._seq += 1
            self._wishes[(exercise, item)] = Wish(self._seq, value, utc_now())
            self._start_worker()
            self._changed.notify_all()
            return self._seq

    def pending(self) -> dict[Key, Wish]:
        """The wishes not yet written (a copy)."""
        with self._changed:
            return dict(self._wishes)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every wish is written; False if some are still waiting after ``timeout`` seconds."""
        if threading.current_thread() is self._worker:
            return not self._wishes  # the worker (its hook reading the store) never waits for itself
        with self._changed:
            return self._changed.wait_for(lambda: not self._wishes and self._worker is None, timeout)

    def wait_unless_failing(self, timeout: float) -> bool:
        """For readers: wait for the wishes being written, but not while the store refuses them."""
        if threading.current_thread() is self._worker:
            return not self._wishes
        with self._changed:
            return self._changed.wait_for(
                lambda: not self._wishes or self.last_error is not None, timeout
            ) and not self._wishes

    def listen(self, listener: Any) -> None:
        """Tell ``listener`` (an object with ``saver_event(event)``, held weakly) about each attempt."""
        self._listeners.add(listener)

    # -- deleting everything -------------------------------------------------------------------
    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold off the worker and drop every wish not yet written, e.g. while deleting all answers.

        A wish made before a delete must not bring an answer back after it.
        """
        with self._writing:
            with self._changed:
                self._wishes.clear()
                self._changed.notify_all()
            yield

    def announce_deleted(self) -> None:
        self._tell(SaveEvent(deleted=True))

    # -- the worker ------------------------------------------------------------------------------
    def _start_worker(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name=f"peerkit-saver:{self.path.name}", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        delay = FIRST_RETRY_DELAY
        wrote_since_hook = False
        while True:
            try:
                with self._writing:  # the batch is taken under this lock, so a delete can void it first
                    with self._changed:
                        batch = dict(self._wishes)
                        if not batch and not (wrote_since_hook and self.after_save is not None):
                            self._worker = None
                            self._changed.notify_all()
                            return
                    if batch:
                        self._write(batch)
            except Exception as error:  # noqa: BLE001 - kept in memory, reported, retried
                with self._changed:
                    self.last_error = error
                    self._changed.notify_all()
                self._tell(SaveEvent(error=error, pending=frozenset(self.pending())))
                with self._changed:
                    # a newer wish wakes us early: the learner is acting, so try again now
                    seq = self._seq
                    self._changed.wait_for(lambda: self._seq != seq, delay)
                delay = min(delay * 2, LAST_RETRY_DELAY)
                continue
            if not batch:  # everything is written: now the hook, off the observer's path
                wrote_since_hook = False
                self._run_hook()
                continue
            delay = FIRST_RETRY_DELAY
            self.last_error = None
            wrote_since_hook = True
            with self._changed:
                for key, wish in batch.items():
                    if self._wishes.get(key) is wish:  # a newer wish stays, for the next round
                        del self._wishes[key]
                pending = frozenset(self._wishes)
                self._changed.notify_all()
            self._tell(SaveEvent(written={key: wish.seq for key, wish in batch.items()}, pending=pending))

    def _open(self) -> LocalStore:
        if self._store is None:
            self._store = LocalStore(self.path, busy_timeout=WORKER_BUSY_TIMEOUT)
        return self._store

    def _write(self, batch: dict[Key, Wish]) -> None:
        store = self._open()
        saves = [
            Response(store.learner, exercise, item, wish.value, wish.at)
            for (exercise, item), wish in batch.items()
            if wish.value is not NO_ANSWER
        ]
        deletes = [key for key, wish in batch.items() if wish.value is NO_ANSWER]
        store.write_changes(saves, deletes)

    def _run_hook(self) -> None:
        assert self.after_save is not None
        try:
            message = self.after_save(self._open())
        except Exception as error:  # noqa: BLE001 - the answers are safe locally; say so
            message = f"Saved on this computer. Not sent to your group yet: {error}"
        self._tell(SaveEvent(group_message=message or "", pending=frozenset(self.pending())))

    def _tell(self, event: SaveEvent) -> None:
        for listener in list(self._listeners):
            try:
                (listener.saver_event if hasattr(listener, "saver_event") else listener)(event)
            except Exception:  # noqa: BLE001 - one broken listener must not stop the saving
                pass


_savers: dict[Path, BackgroundSaver] = {}
_registry_lock = threading.Lock()


def _key(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()


def saver_for(path: str | Path, *, after_save: Callable[[LocalStore], str] | None = None) -> BackgroundSaver:
    """The one saver for this store file in this kernel (made on first use)."""
    key = _key(path)
    with _registry_lock:
        saver = _savers.get(key)
        if saver is None:
            saver = _savers[key] = BackgroundSaver(key, after_save=after_save)
            PENDING_WRITES[key] = saver.wait_unless_failing
        elif after_save is not None and saver.after_save is None:
            saver.after_save = after_save
        return saver


def existing_saver(path: str | Path) -> BackgroundSaver | None:
    """The saver for this store file, if anything in this kernel has saved through one."""
    with _registry_lock:
        return _savers.get(_key(path))


def settle(path: str | Path | None = None, timeout: float = 10.0) -> bool:
    """Wait until the answers this kernel is still writing (to ``path``, or to any store) are written.

    Call before reading the whole store for an export, so that the answer the learner
    gave a moment ago is in it. False if some could not be written in time.
    """
    with _registry_lock:
        savers = list(_savers.values()) if path is None else [s for k, s in _savers.items() if k == _key(path)]
    return all(saver.wait(timeout) for saver in savers)


def delete_all_answers(store: LocalStore) -> int:
    """Delete every answer of this learner, dropping any wish not yet written; tell the widgets."""
    saver = existing_saver(store.path)
    if saver is None:
        return store.delete_everything()
    with saver.exclusive():
        removed = store.delete_everything()
    saver.announce_deleted()
    return removed


@atexit.register
def _finish_writing() -> None:
    # A kernel shut down (or restarted) on purpose writes what it still holds.
    settle(timeout=EXIT_WAIT_SECONDS)
