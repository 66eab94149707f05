"""What a stored answer may be: the public entry points to each kind's answer rule.

The rules themselves live in the kind modules (:mod:`peerkit.kinds`); these
functions are what widgets, restore, submissions and the cohort server call:
:func:`check_answer` for an answer as the learner's store holds it,
:func:`check_shared_answer` for an answer in the form it is shared in (a reflection
as ``{"text"}``, a SMART goal as ``{"text", "criteria"}``).

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


def check_shared_answer(exercise: Exercise, item_id: str, value: Any) -> None:
    """Raise :class:`~peerkit.errors.AnswerError` unless ``value`` is what sharing this exercise could send.

    Submission files and the cohort server check what they receive with this: a
    reflection or a goal arrives only as its shared text, never with private fields.

    >>> from peerkit.exercises import load_exercise
    >>> check_shared_answer(load_exercise("welcome_reflection"), "R1", {"text": "hi", "share": False})
    Traceback (most recent call last):
    ...
    peerkit.errors.AnswerError: A shared reflection must be {"text": "..."}, not "{'text': 'hi', 'share': False}".
    """
    kind_of(exercise).check_shared(exercise, item_id, value)


def normalise_line_breaks(value: Any) -> Any:
    """``value`` with every CR LF and lone CR in its texts made one LF (dict keys and nesting kept).

    Learner text comes from Windows, old Macs and phone keyboards; where it enters
    (the cohort server, hand-in files) it is made one line-break style, so no
    surface, count or export ever meets a bare CR.

    >>> normalise_line_breaks({"text": "one\\r\\ntwo\\rthree\\n"})
    {'text': 'one\\ntwo\\nthree\\n'}
    >>> normalise_line_breaks(["a\\r", 3, None])
    ['a\\n', 3, None]
    """
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    if isinstance(value, dict):
        return {key: normalise_line_breaks(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [normalise_line_breaks(inner) for inner in value]
    return value
