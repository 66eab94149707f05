"""What a stored answer may be, for each kind of exercise: one rule for every place that reads answers.

The widgets use it to decide which stored answers they can show again, and a
restored portfolio must pass it before anything is written.

>>> from peerkit.answers import is_valid_answer
>>> from peerkit.exercises import load_exercise
>>> is_valid_answer(load_exercise("boundaries"), "B01", "maybe"), is_valid_answer(load_exercise("boundaries"), "B01", "sometimes")
(True, False)
"""
from __future__ import annotations

from typing import Any

from .errors import AnswerError
from .exercises import Exercise


def check_answer(exercise: Exercise, item_id: str, value: Any) -> None:
    """Raise :class:`AnswerError` unless ``value`` is an answer the exercise's widget could have stored.

    A restored answer must be one the widget can show again: a widget meeting a
    malformed stored answer would hide it or refuse to open.
    """
    kind = exercise.kind
    if kind == "smart_goal":
        from .widgets.smart_goal import GOAL_ID, check_goal

        if not GOAL_ID.match(item_id):
            raise AnswerError(f"{item_id!r} is not a goal id of {exercise.id!r} (G- and 8 hex digits).")
        check_goal(value)
        return
    if exercise.scale and isinstance(value, bool):  # True == 1 would pass the scale check below
        raise AnswerError(f"{value!r} is not an answer to {exercise.id!r} item {item_id!r}.")
    exercise.check_value(item_id, value)  # the item exists; the value is on the scale, if there is one
    if kind == "reflection":
        from .widgets.reflection import MAX_CHARS

        if not (isinstance(value, dict) and set(value) == {"text", "share"} and isinstance(value["text"], str)
                and isinstance(value["share"], bool)):
            raise AnswerError(f'A reflection must be {{"text": text, "share": true or false}}, not {value!r}.')
        if not value["text"].strip() or len(value["text"]) > MAX_CHARS:
            raise AnswerError(f"A reflection's text must hold words, at most {MAX_CHARS:,} characters.")
    elif kind == "reframe":
        from .widgets.reframe import MAX_CHARS

        if not isinstance(value, str) or not value.strip() or len(value) > MAX_CHARS:
            raise AnswerError(f"A reframe must be text (not blank, at most {MAX_CHARS:,} characters), not {value!r}.")
    elif kind == "knowledge_check":
        question = exercise.item(item_id)
        options = [option["value"] for option in question.details.get("options", [])]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise AnswerError(f"An answer to question {item_id!r} must be a list of chosen options, not {value!r}.")
        unknown = [v for v in value if v not in options]
        if unknown:
            raise AnswerError(f"{unknown} not an option of question {item_id!r} (options: {', '.join(options)}).")
        if len(set(value)) != len(value) or (len(value) > 1 and not question.details.get("multiple", False)):
            raise AnswerError(f"{value} is not a valid choice for question {item_id!r}.")


def is_valid_answer(exercise: Exercise, item_id: str, value: Any) -> bool:
    """Whether :func:`check_answer` accepts this stored answer."""
    try:
        check_answer(exercise, item_id, value)
    except AnswerError:
        return False
    return True
