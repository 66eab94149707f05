"""``BoundaryMatrix``: answer a matrix of situations on a short scale (the 27-item boundary matrix).

One labelled radio group per row (a ``<fieldset>`` and ``<legend>``), so it works
with the keyboard and a screen reader. In a sensitive exercise each row also offers
"I'd rather not answer". A row whose data has a ``debrief`` (what the course's sources
say about that situation) has it listed under the matrix once the learner has answered it. Each answer is saved the moment it is
chosen; a new widget on the same store shows the answers already given.

>>> from peerkit.widgets.boundary_matrix import BoundaryMatrix
>>> matrix = BoundaryMatrix("boundaries")          # doctest: +SKIP
>>> matrix.answer("B01", "maybe")                  # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import traitlets

from ..store import LocalStore
from ._base import ExerciseWidget, front_end, rather_not_label
from ._refusals import SendsRefusedValuesBack


class BoundaryMatrix(SendsRefusedValuesBack, ExerciseWidget):
    """A choice-matrix exercise: each item answered with one option of the exercise's scale."""

    _esm = front_end("boundary_matrix.js")

    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    options = traitlets.List(traitlets.Dict()).tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    #: the label of "I'd rather not answer" under each row of a sensitive exercise ("" where not offered)
    rather_not = traitlets.Unicode("").tag(sync=True)

    def __init__(self, exercise_id: str = "boundaries", *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        self._saved = self.stored_answers()
        super().__init__(
            exercise_id=exercise_id,
            title=self.exercise.title,
            instructions=self.exercise.instructions,
            # a debrief (what the sources say) is listed under the matrix only once its row is answered
            items=[{"id": item.id, "text": item.text, "debrief": item.details.get("debrief", "")}
                   for item in self.exercise.items],
            options=[{"value": o.value, "label": o.label} for o in self.exercise.scale],
            answers=self.answers_to_show(),
            rather_not=rather_not_label(self.exercise),
            **kwargs,
        )

    @property
    def progress(self) -> tuple[int, int]:
        """(answered, total)."""
        return len(self.answers), len(self.exercise.items)

    def answer(self, item_id: str, value: str) -> None:
        """Answer one row from Python, exactly as a click would."""
        self.answers = {**self.answers, item_id: value}

    @traitlets.validate("answers")
    def _validate_answers(self, proposal: dict[str, Any]) -> dict[str, Any]:
        answers = dict(proposal["value"])
        for item_id, value in answers.items():
            self.exercise.check_value(item_id, value)
        return answers

    @traitlets.observe("answers")
    def _save_changes(self, change: dict[str, Any]) -> None:
        self.save_answer_changes(change["new"])
