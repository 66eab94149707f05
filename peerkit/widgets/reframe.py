"""``Reframe``: rewrite deficit-language phrases in recovery language, then compare.

For each phrase the learner writes their own reframe in a labelled text box,
saved as they type (after a one-second pause, and at once when the box loses
focus). The example rewrites from the exercise file stay in the kernel until the
learner has written something and presses "Show example answers"; until then the
button says why it is not available yet. The point is to think first, then compare.

Stored shape: one response per phrase the learner has reframed, ``item`` = the
phrase id, ``value`` = the learner's text (a non-blank string of at most
:data:`MAX_CHARS` characters). Erasing the text or pressing Clear deletes it.
Whether the examples were shown is not stored.

>>> from peerkit.widgets.reframe import Reframe
>>> words = Reframe("some_reframe")                        # doctest: +SKIP
>>> words.write("P1", "A person living with schizophrenia")  # doctest: +SKIP
>>> words.reveal("P1")                                     # doctest: +SKIP
['...']
"""
from __future__ import annotations

from typing import Any

import traitlets

from ..errors import AnswerError
from ..kinds.reframe import MAX_CHARS
from ..store import LocalStore
from ._base import ExerciseWidget, front_end
from ._refusals import SendsRefusedValuesBack


class Reframe(SendsRefusedValuesBack, ExerciseWidget):
    """A reframing exercise: the learner's rewrite of each phrase, then example rewrites on request."""

    _esm = front_end("reframe.js")

    #: the phrases, without their examples: [{"id", "text"}]
    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    max_chars = traitlets.Int(MAX_CHARS).tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    #: {phrase id: [example rewrites]} for the phrases whose examples the learner asked to see
    shown = traitlets.Dict().tag(sync=True)

    def __init__(self, exercise_id: str, *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        self._saved = self.stored_answers()
        super().__init__(
            exercise_id=exercise_id,
            title=self.exercise.title,
            instructions=self.exercise.instructions,
            items=[{"id": item.id, "text": item.text} for item in self.exercise.items],
            answers=self.answers_to_show(),
            **kwargs,
        )
        self.on_msg(self._on_front_end_message)

    def write(self, item_id: str, text: str) -> None:
        """Set the learner's reframe of one phrase, as typing would; blank text deletes it."""
        self.answers = {**self.answers, item_id: text}

    def clear(self, item_id: str) -> None:
        """Delete the learner's reframe of one phrase from the widget and the store."""
        self.exercise.item(item_id)
        self.answers = {item: value for item, value in self.answers.items() if item != item_id}

    def reveal(self, item_id: str) -> list[str]:
        """Show the example rewrites of one phrase; only once the learner has written their own."""
        item = self.exercise.item(item_id)
        if not self.answers.get(item_id, "").strip():
            raise AnswerError(
                f"Write your own reframe of {item.text!r} first; the example answers are shown after that."
            )
        examples = list(item.details["examples"])
        self.shown = {**self.shown, item_id: examples}
        return examples

    def hide(self, item_id: str) -> None:
        """Hide the example rewrites of one phrase again (the "Hide example answers" button)."""
        self.exercise.item(item_id)
        self.shown = {item: examples for item, examples in self.shown.items() if item != item_id}

    def _on_front_end_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") not in ("reveal", "hide"):
            return
        try:
            if content["type"] == "reveal":
                self.reveal(str(content.get("item", "")))
            else:
                self.hide(str(content.get("item", "")))
        except AnswerError as error:
            self.status = str(error)

    def _check(self, item_id: str, value: Any) -> None:
        self.exercise.item(item_id)
        if not isinstance(value, str):
            raise AnswerError(f"A reframe of {self.exercise.id!r} item {item_id!r} must be text, not {value!r}.")
        if len(value) > MAX_CHARS:
            raise AnswerError(
                f"The reframe of {item_id!r} is {len(value):,} characters long; the limit is {MAX_CHARS:,}. "
                "Shorten it. Your saved text is unchanged."
            )

    @traitlets.validate("answers")
    def _validate_answers(self, proposal: dict[str, Any]) -> dict[str, Any]:
        answers = {}
        for item_id, value in dict(proposal["value"]).items():
            self._check(item_id, value)
            if value.strip():  # blank: no answer, deleted
                answers[item_id] = value
        return answers

    @traitlets.observe("answers")
    def _save_changes(self, change: dict[str, Any]) -> None:
        self.save_answer_changes(change["new"])
