"""What a stored answer may be: the public entry points to each kind's answer rule.

The rules themselves live in the kind modules (:mod:`peerkit.kinds`); these two
functions are what widgets, restore, submissions and the cohort server call.

>>> from peerkit.answers import is_valid_answer
>>> from peerkit.exercises import load_exercise
>>> is_valid_answer(load_exercise("boundaries"), "B01", "maybe"), is_valid_answer(load_exercise("boundaries"), "B01", "sometimes")
(True, False)
"""
from __future__ import annotations

from typing import Any

from .exercises import Exercise
from .kinds import kind_of


def check_answer(exercise: Exercise, item_id: str, value: Any) -> None:
    """Raise :class:`~peerkit.errors.AnswerError` unless ``value`` is an answer the exercise's widget could have stored.

    A restored answer must be one the widget can show again: a widget meeting a
    malformed stored answer would hide it or refuse to open. The message is in words
    a learner understands; widgets show it as it is.
    """
    kind_of(exercise).check_answer(exercise, item_id, value)


def is_valid_answer(exercise: Exercise, item_id: str, value: Any) -> bool:
    """Whether :func:`check_answer` accepts this stored answer."""
    return kind_of(exercise).is_valid(exercise, item_id, value)
