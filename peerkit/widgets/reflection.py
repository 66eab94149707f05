"""``Reflection``: free-text reflection prompts, private unless the learner shares one.

Each prompt gets a labelled text box. What the learner writes is saved as they
type (the front end waits for a one-second pause, and saves at once when the box
loses focus), with a word count. Reflections are private by default: each has its
own checkbox "Share this reflection anonymously with my group", off until the
learner ticks it. A Clear button (with a confirm step) deletes a reflection from
the store.

Stored shape (read by the trainer and research helpers and by cohort sharing):
one response per prompt that has text, ``item`` = the prompt id, ``value`` =
``{"text": str, "share": bool}`` where ``text`` is what the learner wrote (never
blank; at most :data:`MAX_CHARS` characters) and ``share`` is ``True`` only when
the learner ticked the checkbox for that reflection. A prompt with no text has no
response: erasing all the text, or Clear, deletes it.

>>> from peerkit.widgets.reflection import Reflection
>>> box = Reflection("some_reflection")                 # doctest: +SKIP
>>> box.write("R1", "I noticed I wanted to fix things.")  # doctest: +SKIP
>>> box.set_share("R1", True)                           # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import traitlets

from ..errors import AnswerError
from ..kinds.reflection import MAX_CHARS, word_count  # noqa: F401 - the kind's limit; word_count re-exported
from ..kinds import kind_of
from ..store import LocalStore
from ._base import ExerciseWidget, front_end


class Reflection(ExerciseWidget):
    """A reflection exercise: a private text box per prompt, each shareable on its own."""

    _esm = front_end("reflection.js")

    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    max_chars = traitlets.Int(MAX_CHARS).tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    #: the words of each reflection's share box: who may see it and where (the kind says it)
    share_label = traitlets.Unicode("").tag(sync=True)

    def __init__(self, exercise_id: str, *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        self._saved = self.stored_answers()
        super().__init__(
            exercise_id=exercise_id,
            title=self.exercise.title,
            instructions=self.exercise.instructions,
            items=[
                {"id": item.id, "text": item.text, "placeholder": item.details.get("placeholder", "")}
                for item in self.exercise.items
            ],
            answers=self.answers_to_show(),
            share_label=kind_of(self.exercise).share_one,
            **kwargs,
        )

    def text(self, item_id: str) -> str:
        """What the learner wrote for one prompt ("" if nothing)."""
        self.exercise.item(item_id)
        return self.answers.get(item_id, {}).get("text", "")

    def write(self, item_id: str, text: str) -> None:
        """Set the text of one reflection, as typing would; blank text deletes it. Keeps its share choice."""
        share = self.answers.get(item_id, {}).get("share", False)
        self.answers = {**self.answers, item_id: {"text": text, "share": share}}

    def set_share(self, item_id: str, share: bool) -> None:
        """Tick or untick "Share this reflection anonymously with my group" for one reflection."""
        if not isinstance(share, bool):
            raise AnswerError(f"share must be True or False, not {share!r}.")
        if not self.text(item_id).strip():
            raise AnswerError(
                f"There is nothing to share yet for {item_id!r}: write the reflection first, then choose to share it."
            )
        self.answers = {**self.answers, item_id: {**self.answers[item_id], "share": share}}

    def clear(self, item_id: str) -> None:
        """Delete one reflection from the widget and the store (the front end asks to confirm first)."""
        self.exercise.item(item_id)
        self.answers = {item: value for item, value in self.answers.items() if item != item_id}

    def _check(self, item_id: str, value: Any) -> None:
        self.exercise.item(item_id)
        if not isinstance(value, dict) or set(value) != {"text", "share"}:
            raise AnswerError(
                f"A reflection for {self.exercise.id!r} item {item_id!r} must be "
                f'{{"text": str, "share": bool}}, not {value!r}.'
            )
        if not isinstance(value["text"], str):
            raise AnswerError(f"The text of reflection {item_id!r} must be a string, not {value['text']!r}.")
        if not isinstance(value["share"], bool):
            raise AnswerError(f"share of reflection {item_id!r} must be True or False, not {value['share']!r}.")
        if len(value["text"]) > MAX_CHARS:
            raise AnswerError(
                f"Reflection {item_id!r} is {len(value['text']):,} characters long; the limit is {MAX_CHARS:,}. "
                "Shorten it, or split it over more than one reflection. Your saved text is unchanged."
            )

    @traitlets.validate("answers")
    def _validate_answers(self, proposal: dict[str, Any]) -> dict[str, Any]:
        answers = {}
        for item_id, value in dict(proposal["value"]).items():
            self._check(item_id, value)
            if value["text"].strip():  # a reflection with no words is no reflection: it is deleted
                answers[item_id] = dict(value)
        return answers

    @traitlets.observe("answers")
    def _save_changes(self, change: dict[str, Any]) -> None:
        self.save_answer_changes(change["new"])
