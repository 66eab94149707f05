"""What the two scale kinds (a boundary matrix, a self-rating) have in common: one value per item from a scale."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import AnswerError
from ._kind import Kind, same_value_in

if TYPE_CHECKING:
    from ..exercises import Exercise


class ScaleKind(Kind):
    """Each listed item takes one value of the exercise's scale; done when every item has one.

    In a sensitive exercise an item may instead hold "I'd rather not answer", which counts as done.
    """

    offers_rather_not = True

    def check_value(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        allowed = [option.value for option in exercise.scale]
        if isinstance(value, bool):  # True == 1 in Python, but a tick is not a rating
            choices = ", ".join(repr(option) for option in allowed)
            raise AnswerError(f"{value!r} is a yes/no, not on the scale of {exercise.id!r} item {item_id!r}. "
                              f"Choose one of: {choices}.")
        if not same_value_in(value, allowed):
            choices = ", ".join(repr(option) for option in allowed)
            raise AnswerError(
                f"{value!r} is not an answer to {exercise.id!r} item {item_id!r}. Choose one of: {choices}."
            )
