"""What the server accepts as one shared answer: the widgets' own rule, plus what sharing lets out.

:func:`check_shared` runs, for one ``(exercise, item, value)`` a learner sends,

1. the exercise must be one of the course's (never a path: the id is looked up in
   :func:`peerkit.exercises.exercise_ids` first);
2. every text valid Unicode with no NUL (:mod:`peerkit.server.unicode_check`), then
   size limits, in characters: the value's JSON at most :data:`MAX_VALUE_CHARS`, any text in it at
   most :data:`MAX_TEXT` characters, nesting at most :data:`MAX_DEPTH` deep, checked
   before anything else reads it;
3. line breaks made one style: CR LF and a lone CR become LF in every text
   (:func:`peerkit.answers.normalise_line_breaks`), so no surface meets a bare CR;
4. the kind's rule for the form answers are shared in
   (:func:`peerkit.answers.check_shared_answer`, :meth:`peerkit.kinds.Kind.check_shared`):
   a rating of 99 or ``True`` for 1, a dict where a choice belongs, a blank
   reflection, a goal with private fields are refused. For a kind whose answers are
   shared one by one (:attr:`~peerkit.kinds.Kind.share_per_answer`) the learner's
   own stored form, ``"share"`` flag and all, is accepted too and reduced by the
   kind's :meth:`~peerkit.kinds.Kind.shared_value`: one marked not to share is a
   withdrawal.

A refusal is an :class:`AnswerRefused` whose message is plain words for the
learner, never echoing more than a few characters of what was sent.

>>> check_shared("boundaries", "B01", "maybe")
'"maybe"'
>>> check_shared("core_skills", "C01", True)
Traceback (most recent call last):
...
peerkit.server.checking.AnswerRefused: True is a yes/no, not on the scale of 'core_skills' item 'C01'. Choose one of: 1, 2, 3, 4, 5.
>>> check_shared("welcome_reflection", "R1", {"text": "I listen first.", "share": False}) is None
True
>>> check_shared("welcome_reflection", "R1", {"text": "one\\r\\ntwo"})
'{"text":"one\\\\ntwo"}'
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..answers import check_shared_answer, normalise_line_breaks
from ..errors import AnswerError
from ..exercises import Exercise, exercise_ids, load_exercise
from ..kinds import kind_of, longest_text
from .db import dumps
from .unicode_check import value_problem

#: Longest JSON of one value (a SMART goal with every field full is far below this).
MAX_VALUE_CHARS = 20_000
MAX_DEPTH = 4
MAX_ID = 64
#: Longest text in one answer: the longest any kind keeps (each kind's own rule then holds it to its limit).
MAX_TEXT = longest_text()


class AnswerRefused(ValueError):
    """One answer the server does not store; the message says why in plain words."""


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(exercise_ids())


def exercise_for(exercise_id: Any) -> Exercise:
    if not isinstance(exercise_id, str) or exercise_id not in _known():
        shown = exercise_id[:40] if isinstance(exercise_id, str) else type(exercise_id).__name__
        raise AnswerRefused(f"There is no exercise {shown!r} in this course.")
    return load_exercise(exercise_id)


def _size_problem(value: Any, depth: int = 0) -> str | None:
    if depth > MAX_DEPTH:
        return "This answer is nested too deeply to be an answer to any exercise."
    if isinstance(value, str):
        return f"This text is longer than {MAX_TEXT:,} characters." if len(value) > MAX_TEXT else None
    if isinstance(value, dict):
        for key, inner in value.items():
            problem = _size_problem(key, depth + 1) or _size_problem(inner, depth + 1)
            if problem:
                return problem
    if isinstance(value, list):
        for inner in value:
            problem = _size_problem(inner, depth + 1)
            if problem:
                return problem
    return None


def _plain(error: AnswerError, exercise: Exercise, item: str) -> str:
    text = str(error)
    if len(text) <= 300:
        if " is not an answer to " in text and text.find(" is not an answer to ") > 40:
            # the rule quotes the value: keep the sentence, not a learner's long text
            return "This is not one of the answers to" + text.split(" is not an answer to", 1)[1]
        return text
    return f"This is not a valid answer to {exercise.id!r} item {item!r}."


def check_shared(exercise_id: Any, item: Any, value: Any) -> str | None:
    """The canonical JSON to store for this answer, ``None`` for a withdrawal; :class:`AnswerRefused` if refused."""
    problem = value_problem([exercise_id, item, value])  # before anything reads or echoes it
    if problem:
        raise AnswerRefused(f"This answer is not text the server can keep: it {problem}.")
    exercise = exercise_for(exercise_id)
    if not isinstance(item, str) or not item or len(item) > MAX_ID:
        raise AnswerRefused(f"An item of {exercise.id!r} is named by its id (text), such as "
                            f"{exercise.item_ids[0] if exercise.item_ids else 'B01'!r}.")
    if value is None:
        return None
    problem = _size_problem(value)
    # characters, not JSON escapes: a text in Greek or Chinese is as long as it looks
    if problem is None and len(json.dumps(value, ensure_ascii=False)) > MAX_VALUE_CHARS:
        problem = f"This answer is longer than {MAX_VALUE_CHARS:,} characters."
    if problem:
        raise AnswerRefused(problem)
    value = normalise_line_breaks(value)
    kind = kind_of(exercise)
    if kind.share_per_answer and isinstance(value, dict) and "share" in value:
        if kind.is_valid(exercise, item, value):  # the learner's own stored form: sharing says what may leave
            ok, shared = kind.shared_value(exercise, item, value)
            return dumps(shared) if ok else None  # e.g. marked not to share: the group must not hold it
        if value["share"] is True:  # the shared form with the flag still on it
            value = {key: inner for key, inner in value.items() if key != "share"}
    try:
        check_shared_answer(exercise, item, value)
    except AnswerError as error:
        raise AnswerRefused(_plain(error, exercise, item)) from None
    return dumps(value)


def is_open_text(exercise_id: str) -> bool:
    """Whether this exercise's answers are free text: never counted, shown only as shared texts to their trainer."""
    return kind_of(exercise_for(exercise_id)).open_text


@lru_cache(maxsize=8192)
def count_keys(kind: str, stored: str | None) -> tuple[str, ...]:
    """The count keys (canonical JSON of each option) one stored answer adds to its item's counts.

    Kept for the few thousand values a room gives (the same few options again and again): the answer
    writer asks twice an answer, and decoding each again was a tenth of its own work."""
    if stored is None or kind_of(kind).open_text:
        return ()
    value = json.loads(stored)
    if isinstance(value, list):  # a knowledge check: each chosen option counts once
        return tuple(sorted({dumps(v) for v in value}))
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (dumps(value),)
    return ()
