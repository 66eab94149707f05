"""What every exercise widget shares: its exercise, its store, and a truthful save status.

Saving never runs in a trait observer. :meth:`ExerciseWidgetMixin.save_answer_changes`
records the learner's wish per item with the store's background saver
(:mod:`peerkit.saving`) and returns at once, even while another kernel holds the
store locked. The saver's worker writes the latest wish, retries while the store
cannot be written, and then runs :func:`send_to_group_after_save`. What it did comes
back to the widget's ``save_state`` ("saving", "saved", "failed", or "" before any
change) and ``status`` text, set on the kernel's own thread (:func:`on_kernel_thread`),
because ipywidgets may only send comm messages from there.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any, Callable

import anywidget
import traitlets

from ..client.sender import WAITING as GROUP_WAITING
from ..client.sender import resume, sender_for
from ..client.state import in_a_group
from ..errors import AnswerError, StoreError, StoreLockedError, StoreReadOnlyError
from ..exercises import Exercise, load_exercise
from ..kinds import RATHER_NOT_LABEL, all_kinds, kind_of
from ..paths import default_store_path
from ..saving import NO_ANSWER, BackgroundSaver, Key, SaveEvent, saver_for
from ..store import LocalStore

STATIC = Path(__file__).parent / "static"

SAVING_TEXT = "Saving\u2026"
SAVED_TEXT = "Saved."
DELETED_TEXT = "Your answers were deleted from this computer."


def rather_not_label(exercise: Exercise) -> str:
    """The words of "I'd rather not answer" where the exercise offers it on every row ("" where it does not)."""
    return RATHER_NOT_LABEL if exercise.sensitive and kind_of(exercise).offers_rather_not else ""


def front_end(module: str) -> str:
    """A widget's JavaScript module with the shared helpers (static/common.js) in front."""
    return (STATIC / "common.js").read_text(encoding="utf-8") + "\n" + (STATIC / module).read_text(encoding="utf-8")


#: Every widget's styles: the shared look, then form controls.
STYLES = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in ("peerkit.css", "forms.css"))


# -- where widget traits may change ----------------------------------------------------------
_deferred: list[Callable[[], None]] = []
_deferred_lock = threading.Lock()


def _kernel_io_loop() -> Any:
    """The running kernel's IOLoop (it handles comm messages on the main thread), or None."""
    kernelbase = sys.modules.get("ipykernel.kernelbase")
    if kernelbase is None or not kernelbase.Kernel.initialized():
        return None
    return getattr(kernelbase.Kernel.instance(), "io_loop", None)


def on_kernel_thread(callback: Callable[[], None]) -> None:
    """Run ``callback`` where widget traits may be changed: the kernel's main thread.

    On the main thread it runs now. From another thread (the saver's worker) it is
    handed to the kernel's IOLoop (``add_callback`` is the one thread-safe way in),
    which runs it between messages. With no kernel (a plain Python script or a test)
    it waits for :func:`run_deferred`, called on the main thread.
    """
    if threading.current_thread() is threading.main_thread():
        callback()
        return
    loop = _kernel_io_loop()
    if loop is not None:
        loop.add_callback(callback)
        return
    with _deferred_lock:
        if callback not in _deferred:  # one pending refresh per widget is enough: it reads the latest state
            _deferred.append(callback)


def run_deferred() -> None:
    """Run the trait updates that waited for the main thread (no kernel); a no-op elsewhere."""
    if threading.current_thread() is not threading.main_thread():
        return
    with _deferred_lock:
        waiting = list(_deferred)
        _deferred.clear()
    for callback in waiting:
        callback()


# -- the one hook that runs after a save ------------------------------------------------------
def send_to_group_after_save(store: LocalStore) -> str:
    """After answers are written, send what the learner shares to their group, if they joined one.

    Runs on the saver's worker thread, never on an observer. Returns "" when all is well,
    else a sentence for the status line. The answers are safe locally either way.
    """
    if not in_a_group(store):
        return ""
    from ..client.sync import sync  # only learners in a cohort pay for this import (not a cycle)

    result = sync(store)
    return str(getattr(result, "message", "") or "")


def not_saved_text(error: Exception) -> str:
    """The status line while a change waits in memory: why, and that it is kept and retried."""
    if isinstance(error, StoreLockedError):
        why = "another program (perhaps another notebook) has the answer store locked"
    elif isinstance(error, StoreReadOnlyError):
        why = f"the answer store cannot be written ({error})"
    else:
        why = str(error).rstrip(".") or type(error).__name__
    return f"Not saved yet: {why}. Kept in this notebook; it will be retried."


class ExerciseWidgetMixin:
    """Mixed into each exercise widget; expects ``status`` and ``save_state`` traitlets on the widget."""

    exercise: Exercise
    store: LocalStore | None
    _saved: dict[str, Any]

    def _setup_exercise(self, exercise_id: str, store: LocalStore | None) -> None:
        self.exercise = load_exercise(exercise_id)
        self._check_kind()
        self.store = None
        self._unsaved: dict[Key, int] = {}  # this widget's wishes not yet written: {key: wish number}
        self._save_lock = threading.Lock()
        self._save_error: Exception | None = None
        self._group_message = ""
        self._wrote_since_group = False
        try:
            self.store = store if store is not None else LocalStore()
        except StoreError as error:
            self.status = f"Your answers cannot be saved right now. {error}"
        path = self.store.path if self.store is not None else default_store_path()
        self._saver: BackgroundSaver = saver_for(path, after_save=send_to_group_after_save)
        self._saver.listen(self)
        if self.store is not None:
            self._resume_sending()

    def _check_kind(self) -> None:
        """Refuse an exercise whose kind names another widget (:attr:`peerkit.kinds.Kind.widget`)."""
        mine = {f"{cls.__module__}:{cls.__qualname__}" for cls in type(self).__mro__}
        shown = [kind.name for kind in all_kinds() if kind.widget in mine]
        if shown and kind_of(self.exercise).widget not in mine:
            raise AnswerError(f"{self.exercise.id!r} is a {self.exercise.kind!r} exercise; "
                              f"{type(self).__name__} shows {' and '.join(map(repr, shown))} ones.")

    def stored_answers(self) -> dict[str, Any]:
        """The answers already in the store for this exercise ({} if the store cannot be read)."""
        if self.store is None:
            return {}
        try:
            answers = self.store.answers(self.exercise.id)
        except StoreError as error:
            self.status = f"Your earlier answers could not be read. {error}"
            return {}
        # a change made in this kernel and not written yet is what the learner last chose
        for (exercise, item), wish in self._saver.pending().items():
            if exercise == self.exercise.id:
                if wish.value is NO_ANSWER:
                    answers.pop(item, None)
                else:
                    answers[item] = wish.value
        return answers

    def _is_valid(self, item_id: str, value: Any) -> bool:
        """Whether a stored answer is one this widget can show (see :mod:`peerkit.answers`)."""
        from ..answers import is_valid_answer

        return is_valid_answer(self.exercise, item_id, value)

    def answers_to_show(self) -> dict[str, Any]:
        """The stored answers this widget can show. Others stay in the store untouched: a
        widget never deletes what it cannot read (see ``deletable`` below)."""
        return {item: value for item, value in self._saved.items() if self._is_valid(item, value)}

    def save_answer_changes(self, wanted: dict[str, Any]) -> None:
        """Ask for the store to match ``wanted`` ({item: value}); returns at once (the saver writes).

        We compare with what the store will hold once every wish is written
        (``self._saved``), not with the previous trait value, so that showing stored
        answers never rewrites them. A stored item missing from ``wanted`` is deleted
        only if it is a valid answer: a widget keeps what it cannot show.
        """
        run_deferred()
        changed = {item: value for item, value in wanted.items() if self._saved.get(item) != value}
        removed = [item for item, value in self._saved.items() if item not in wanted and self._is_valid(item, value)]
        if not changed and not removed:
            return
        exercise_id = self.exercise.id
        with self._save_lock:
            for item, value in changed.items():
                self._unsaved[(exercise_id, item)] = self._saver.wish(exercise_id, item, value)
                self._saved[item] = value
            for item in removed:
                self._unsaved[(exercise_id, item)] = self._saver.wish(exercise_id, item, NO_ANSWER)
                self._saved.pop(item, None)
        self._show_save_state()

    # -- what the saver reports, on its thread ------------------------------------------------
    def saver_event(self, event: SaveEvent) -> None:
        """Called by the saver's worker: note what happened, then show it on the kernel's thread."""
        if event.deleted:
            with self._save_lock:
                self._unsaved.clear()
                self._save_error = None
                self._group_message = ""
            on_kernel_thread(self._clear_after_delete)  # outside the lock: clearing runs the observer
            return
        with self._save_lock:
            mine = False
            for key, seq in event.written.items():
                if key in self._unsaved and self._unsaved[key] <= seq:
                    del self._unsaved[key]
                    mine = True
            if event.written:  # the store took a write, so it is writable again
                mine = mine or (self._save_error is not None and bool(self._unsaved))
                self._save_error = None
            if mine:
                self._wrote_since_group = True
                self._group_message = ""
            if event.error is not None and self._unsaved:
                self._save_error = event.error
                mine = True
            follow = False
            if event.group_message is not None and self._wrote_since_group:
                self._group_message = event.group_message
                self._wrote_since_group = False
                follow = event.group_message == GROUP_WAITING
                mine = True
            if not mine:
                return
        on_kernel_thread(self._show_save_state)
        if follow:
            self._follow_group_outcome()

    def _show_save_state(self) -> None:
        with self._save_lock:
            if self._unsaved:
                state = "failed" if self._save_error is not None else "saving"
                text = not_saved_text(self._save_error) if self._save_error is not None else SAVING_TEXT
            else:
                state, text = "saved", self._group_message or SAVED_TEXT
        if self.save_state != state or self.status != text:
            with self.hold_sync():  # type: ignore[attr-defined]
                self.save_state = state
                self.status = text

    def _clear_after_delete(self) -> None:
        """Every answer was deleted: show an empty exercise, and say so."""
        self._saved = {}
        with self.hold_sync():  # type: ignore[attr-defined]
            if self.has_trait("editing"):  # type: ignore[attr-defined]
                self.editing = ""
            for name, empty in (("goals", []), ("answers", {}), ("feedback", {})):
                if self.has_trait(name):  # type: ignore[attr-defined]
                    setattr(self, name, empty)
            self.save_state = ""
            self.status = DELETED_TEXT

    def wait_until_saved(self, timeout: float = 10.0) -> bool:
        """Wait until every change is written (and sent on, if the learner joined a group).

        For Python code and tests: the widget itself never waits. Returns False if
        something is still unsaved after ``timeout`` seconds (``status`` says why).
        """
        done = self._saver.wait(timeout)
        run_deferred()
        if threading.current_thread() is threading.main_thread() and (self._unsaved or self.save_state):
            self._show_save_state()
        return done

    def _resume_sending(self) -> None:
        """After a kernel restart, answers still waiting for the learner's group go out again."""
        assert self.store is not None
        try:
            if not in_a_group(self.store):
                return
        except StoreError:
            return
        resume(self.store)

    def _follow_group_outcome(self) -> None:
        """While this exercise's shared answers wait to be sent, ask the sender for its later word.

        Runs on the saver's worker. The sender calls back on its own thread (there is no
        asyncio loop to hand it to here), so :meth:`_group_status` moves to the kernel's thread.
        """
        if self.store is None:
            return
        sender_for(self.store).notify_when_settled(self.exercise.id, self._group_status)

    def _group_status(self, message: str) -> None:
        """The sender's later word on this exercise ("Shared with your group.", or why not).

        Called on the sender's thread: traits change only on the kernel's (:func:`on_kernel_thread`).
        """
        with self._save_lock:
            if self._unsaved:
                return  # a newer change is on its way; its own outcome will be shown
            self._group_message = message
        on_kernel_thread(self._show_save_state)


class ExerciseWidget(ExerciseWidgetMixin, anywidget.AnyWidget):
    """Base of every exercise widget: the traits all their front ends read.

    A subclass sets ``_esm = front_end("<its>.js")`` and adds its own traits.
    """

    _css = STYLES

    exercise_id = traitlets.Unicode().tag(sync=True)
    title = traitlets.Unicode().tag(sync=True)
    instructions = traitlets.Unicode().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    #: "saving", "saved" or "failed" once the learner changed something; set only from what the kernel did.
    save_state = traitlets.Unicode("").tag(sync=True)


