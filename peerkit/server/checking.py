"""What the server accepts as one shared answer: the widgets' own rule, plus what sharing lets out.

:func:`check_shared` runs, for one ``(exercise, item, value)`` a learner sends,

1. the exercise must be one of the course's (never a path: the id is looked up in
   :func:`peerkit.exercises.exercise_ids` first);
2. size limits: the value's JSON at most :data:`MAX_VALUE_CHARS`, any text in it at
   most :data:`MAX_TEXT` characters, nesting at most :data:`MAX_DEPTH` deep, checked
   before anything else reads it;
3. :func:`peerkit.answers.check_answer`, the rule the widgets use (a rating of 99 or
   ``True`` for 1, a dict where a choice belongs, a blank reflection are refused);
4. :func:`peerkit.cohort.sharing.shared_value`: a reflection is kept only as its
   shared text (``{"text": …}``); one marked not to share is a withdrawal.

A refusal is an :class:`AnswerRefused` whose message is plain words for the
learner, never echoing more than a few characters of what was sent.

>>> check_shared("boundaries", "B01", "maybe")
'"maybe"'
>>> check_shared("core_skills", "C01", True)
Traceback (most recent call last):
...
peerkit.server.checking.AnswerRefused: True is not an answer to 'core_skills' item 'C01'.
>>> check_shared("welcome_reflection", "R1", {"text": "I listen first.", "share": False}) is None
True
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..answers import check_answer
from ..cohort.sharing import MAX_TEXT, OPT_IN_PER_ANSWER, shared_value
from ..errors import AnswerError
from ..exercises import Exercise, exercise_ids, load_exercise
from .db import dumps

#: Longest JSON of one value (a SMART goal with every field full is far below this).
MAX_VALUE_CHARS = 20_000
MAX_DEPTH = 4
MAX_ID = 64
#: Kinds whose answers are free text: never counted, shown only as shared texts to their trainer.
TEXT_KINDS = frozenset({"reflection", "reframe", "smart_goal"})


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
    exercise = exercise_for(exercise_id)
    if not isinstance(item, str) or not item or len(item) > MAX_ID:
        raise AnswerRefused(f"An item of {exercise.id!r} is named by its id (text), such as "
                            f"{exercise.item_ids[0] if exercise.item_ids else 'B01'!r}.")
    if value is None:
        return None
    problem = _size_problem(value)
    if problem is None and len(json.dumps(value)) > MAX_VALUE_CHARS:
        problem = f"This answer is longer than {MAX_VALUE_CHARS:,} characters."
    if problem:
        raise AnswerRefused(problem)
    if exercise.kind in OPT_IN_PER_ANSWER and isinstance(value, dict) and set(value) == {"text"}:
        value = {"text": value["text"], "share": True}  # what the client sends: the text it shares
    try:
        check_answer(exercise, item, value)
    except AnswerError as error:
        raise AnswerRefused(_plain(error, exercise, item)) from None
    ok, shared = shared_value(exercise, item, value)
    if not ok:
        return None  # e.g. a reflection marked not to share: the group must not hold it
    return dumps(shared)


def count_keys(kind: str, stored: str | None) -> list[str]:
    """The count keys (canonical JSON of each option) one stored answer adds to its item's counts."""
    if stored is None or kind in TEXT_KINDS:
        return []
    value = json.loads(stored)
    if isinstance(value, list):  # a knowledge check: each chosen option counts once
        return sorted({dumps(v) for v in value})
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [dumps(value)]
    return []
