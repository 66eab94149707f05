"""What every exercise widget shares: its exercise, its store, and a status line.

Saving goes through :meth:`ExerciseWidgetMixin.persist`, which never loses an
answer: if the store cannot be written, the answer stays pending in memory, the
status line says why and what to do, and the next change retries it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import anywidget
import traitlets

from ..errors import StoreError
from ..exercises import Exercise, load_exercise
from ..store import LocalStore

STATIC = Path(__file__).parent / "static"


def front_end(module: str) -> str:
    """A widget's JavaScript module with the shared helpers (static/common.js) in front."""
    return (STATIC / "common.js").read_text(encoding="utf-8") + "\n" + (STATIC / module).read_text(encoding="utf-8")


#: Every widget's styles: the shared look, then form controls.
STYLES = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in ("peerkit.css", "forms.css"))


class ExerciseWidgetMixin:
    """Mixed into each exercise widget; expects a ``status`` traitlet on the widget."""

    exercise: Exercise
    store: LocalStore | None
    _pending: list[Callable[[LocalStore], None]]
    _saved: dict[str, Any]

    def _setup_exercise(self, exercise_id: str, store: LocalStore | None) -> None:
        self.exercise = load_exercise(exercise_id)
        self._pending = []
        self.store = None
        try:
            self.store = store if store is not None else LocalStore()
        except StoreError as error:
            self.status = f"Your answers cannot be saved right now. {error}"
        else:
            self._resume_sending()

    def _resume_sending(self) -> None:
        """After a kernel restart, answers still waiting for the learner's group go out again."""
        assert self.store is not None
        try:
            if not self.store.get_setting("cohort"):
                return
        except StoreError:
            return
        from ..client.sender import resume

        resume(self.store)

    def stored_answers(self) -> dict[str, Any]:
        """The answers already in the store for this exercise ({} if the store cannot be read)."""
        if self.store is None:
            return {}
        try:
            return self.store.answers(self.exercise.id)
        except StoreError as error:
            self.status = f"Your earlier answers could not be read. {error}"
            return {}

    def _is_valid(self, item_id: str, value: Any) -> bool:
        """Whether a stored answer is one this widget can show (see :mod:`peerkit.answers`)."""
        from ..answers import is_valid_answer

        return is_valid_answer(self.exercise, item_id, value)

    def answers_to_show(self) -> dict[str, Any]:
        """The stored answers this widget can show. Others stay in the store untouched: a
        widget never deletes what it cannot read (see ``deletable`` below)."""
        return {item: value for item, value in self._saved.items() if self._is_valid(item, value)}

    def save_answer_changes(self, wanted: dict[str, Any]) -> None:
        """Bring the store in line with ``wanted`` ({item: value}), writing only what differs.

        We compare with what the store holds (``self._saved``), not with the previous
        trait value, so that showing stored answers never rewrites them and an answer
        whose save failed is tried again. A stored item missing from ``wanted`` is
        deleted only if it is a valid answer: a widget keeps what it cannot show.
        """
        changed = {item: value for item, value in wanted.items() if self._saved.get(item) != value}
        removed = [item for item, value in self._saved.items() if item not in wanted and self._is_valid(item, value)]
        if not changed and not removed:
            return
        exercise_id = self.exercise.id

        def write(store: LocalStore) -> None:
            for item, value in changed.items():
                store.save(exercise_id, item, value)
                self._saved[item] = value
            for item in removed:
                store.delete(exercise_id, item)
                self._saved.pop(item, None)

        self.persist(write)

    def persist(self, write: Callable[[LocalStore], None]) -> bool:
        """Run ``write`` (and any earlier writes that failed) against the store, in order."""
        self._pending.append(write)
        if self.store is None:
            try:
                self.store = LocalStore()
            except StoreError as error:
                self.status = f"Not saved yet (kept in this notebook until it can be). {error}"
                return False
        while self._pending:
            try:
                self._pending[0](self.store)
            except StoreError as error:
                self.status = f"Not saved yet (kept in this notebook until it can be). {error}"
                return False
            self._pending.pop(0)
        self.status = ""
        self._share_if_joined()
        return True

    def _share_if_joined(self) -> None:
        """Send shared answers on to the learner's cohort, if they joined one.

        A cohort store that cannot be reached never loses an answer: it stays in the
        local store and goes out with the next successful sync.
        """
        assert self.store is not None
        if not self.store.get_setting("cohort"):
            return
        from ..cohort.sync import sync  # only learners in a cohort pay for this import

        try:
            result = sync(self.store, exercise=self.exercise.id, notify=self._group_status)
        except Exception as error:  # noqa: BLE001 - the local answer is safe; say so, keep going
            self.status = f"Saved on this computer. Not sent to your group yet: {error}"
            return
        if getattr(result, "message", ""):
            self.status = result.message

    def _group_status(self, message: str) -> None:
        """The sender's later word on this exercise ("Shared with your group.", or why not)."""
        if message:
            self.status = message


class ExerciseWidget(ExerciseWidgetMixin, anywidget.AnyWidget):
    """Base of every exercise widget: the traits all their front ends read.

    A subclass sets ``_esm = front_end("<its>.js")`` and adds its own traits.
    """

    _css = STYLES

    exercise_id = traitlets.Unicode().tag(sync=True)
    title = traitlets.Unicode().tag(sync=True)
    instructions = traitlets.Unicode().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)


