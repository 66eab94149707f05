"""``SelfRating``: rate each item of an exercise on its integer scale (core skills, recovery dimensions).

One labelled radio group per item (a ``<fieldset>`` whose ``<legend>`` names the
item, its description tied to the group with ``aria-describedby``), so it works
with the keyboard and a screen reader. Each rating is saved the moment it is
chosen; a new widget on the same store (after a kernel restart) shows the ratings
already given.

Stored shape: one response per rated item, ``item`` = the item id, ``value`` = the
chosen integer from the exercise's ``scale`` (for example ``("core_skills", "C03", 4)``).
Unrated items have no response.

>>> from peerkit.widgets.self_rating import SelfRating
>>> skills = SelfRating("core_skills")            # doctest: +SKIP
>>> skills.rate("C03", 4)                          # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import traitlets

from ..store import LocalStore
from ._base import ExerciseWidget, front_end, rather_not_label
from ._refusals import SendsRefusedValuesBack


class SelfRating(SendsRefusedValuesBack, ExerciseWidget):
    """A rating exercise: each item rated with one integer of the exercise's scale."""

    _esm = front_end("self_rating.js")

    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    options = traitlets.List(traitlets.Dict()).tag(sync=True)
    questions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    #: the label of "I'd rather not answer" under each row of a sensitive exercise ("" where not offered)
    rather_not = traitlets.Unicode("").tag(sync=True)

    def __init__(self, exercise_id: str = "core_skills", *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        self._saved = self.stored_answers()
        super().__init__(
            exercise_id=exercise_id,
            title=self.exercise.title,
            instructions=self.exercise.instructions,
            items=[
                {"id": item.id, "text": item.text, "description": item.details.get("description", "")}
                for item in self.exercise.items
            ],
            options=[{"value": o.value, "label": o.label} for o in self.exercise.scale],
            questions=list(self.exercise.details.get("questions", [])),
            # a stored value the scale no longer has (content changed) is kept in the store, not shown
            answers=self.answers_to_show(),
            rather_not=rather_not_label(self.exercise),
            **kwargs,
        )

    @property
    def progress(self) -> tuple[int, int]:
        """(rated, total)."""
        return len(self.answers), len(self.exercise.items)

    def rate(self, item_id: str, value: int) -> None:
        """Rate one item from Python, exactly as choosing a radio button would."""
        self.answers = {**self.answers, item_id: value}

    def clear(self, item_id: str | None = None) -> None:
        """Remove the rating of one item (or of every item) from the widget and the store."""
        if item_id is None:
            self.answers = {}
            return
        self.exercise.item(item_id)  # names the known items if the id is wrong
        self.answers = {item: value for item, value in self.answers.items() if item != item_id}

    @traitlets.validate("answers")
    def _validate_answers(self, proposal: dict[str, Any]) -> dict[str, Any]:
        answers = dict(proposal["value"])
        for item_id, value in answers.items():
            self.exercise.check_value(item_id, value)  # the rating kind's rule (a tick is not a rating)
        return answers

    @traitlets.observe("answers")
    def _save_changes(self, change: dict[str, Any]) -> None:
        self.save_answer_changes(change["new"])
