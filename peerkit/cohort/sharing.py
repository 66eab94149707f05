"""Exactly which of a learner's answers their sharing choices let out, and in what form.

A learner shares whole exercises, each ticked on purpose (nothing is ticked in advance;
"share all course exercises" is one convenience, off until the learner turns it on); on top of that

- a reflection (kind ``reflection``, value ``{"text": str, "share": bool}``) goes out
  only when that reflection's own ``share`` is true, and then only its text;
- any other answer stored as an object with a ``share`` key follows that key too.

The same function feeds live sending and submission files, so both routes let out
the same answers and nothing else.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import AnswerError, ContentError
from ..exercises import Exercise, exercise_ids, load_exercise

if TYPE_CHECKING:
    from ..store import LocalStore

#: Kinds whose every answer needs its own opt-in (``"share": true`` in the value).
OPT_IN_PER_ANSWER = frozenset({"reflection"})
#: Longest text we pass on (a reflection), in characters.
MAX_TEXT = 5000


def default_share() -> list[str]:
    """The exercises ticked when a learner first sees the sharing choices: none (sharing is opt-in)."""
    return []


def all_course_exercises() -> list[str]:
    """Every exercise of the course, for the "share all course exercises" convenience."""
    return list(exercise_ids())


#: Exercises whose answers are personal (a check-in, a plan): the join panel says who would see them.
PERSONAL_KINDS = frozenset({"reflection", "smart_goal", "reframe"})
PERSONAL_EXERCISES = frozenset({"recovery_dimensions", "self_care_plan"})


#: What sharing an exercise means, for every exercise (the join panel says it once, above the boxes).
WHO_SEES = ("The group sees only counts, and only once at least five people answered; your trainer can also see "
            "your shared answers under your code name, never with your name.")


def who_would_see(exercise: Exercise) -> str:
    """Plain words on who would see this exercise's answers, where it needs saying beyond :data:`WHO_SEES`."""
    if exercise.kind == "reflection":
        return ("only reflections you marked “share”: your trainer reads them under your code name and may show "
                "them to the group on the screen")
    if exercise.id in PERSONAL_EXERCISES or exercise.kind in PERSONAL_KINDS:
        return "personal: your trainer would see your answers under your code name; the group only counts"
    return ""


def check_share(exercises: Iterable[str] | None) -> list[str]:
    """Validate a list of exercise ids to share (``None`` = the defaults); sorted, without duplicates."""
    if exercises is None:
        return default_share()
    if isinstance(exercises, str):
        exercises = [exercises]
    known = exercise_ids()
    chosen = sorted(set(exercises))
    unknown = [e for e in chosen if e not in known]
    if unknown:
        raise ValueError(f"Cannot share {', '.join(map(repr, unknown))}: there is no such exercise. "
                         f"Exercises are: {', '.join(known)}.")
    return chosen


def _kind(exercise_id: str) -> str | None:
    try:
        return load_exercise(exercise_id).kind
    except ContentError:
        return None


def shared_value(exercise: Exercise, item: str, value: Any) -> tuple[bool, Any]:
    """``(share?, value to send)`` for one stored answer of an exercise the learner shares."""
    if exercise.kind in OPT_IN_PER_ANSWER:
        if not (isinstance(value, dict) and value.get("share") is True):
            return False, None
        text = value.get("text")
        if not isinstance(text, str) or not text.strip():
            return False, None
        return True, {"text": text[:MAX_TEXT]}
    if isinstance(value, dict) and "share" in value:
        if value["share"] is not True:
            return False, None
        value = {k: v for k, v in value.items() if k != "share"}
    try:
        exercise.check_value(item, value)
    except AnswerError:
        return False, None  # never pass on something the exercise would not accept
    return True, value


def shared_rows(store: "LocalStore", share: Iterable[str]) -> list[dict[str, Any]]:
    """The learner's answers their choices share: ``[{exercise, item, value, answered_at}]``, sorted."""
    wanted = set(share)
    rows = []
    definitions: dict[str, Exercise | None] = {}
    for response in store.responses():
        if response.exercise not in wanted:
            continue
        if response.exercise not in definitions:
            try:
                definitions[response.exercise] = load_exercise(response.exercise)
            except ContentError:
                definitions[response.exercise] = None  # an exercise no longer in the course: keep it private
        definition = definitions[response.exercise]
        if definition is None:
            continue
        ok, value = shared_value(definition, response.item, response.value)
        if ok:
            rows.append({"exercise": response.exercise, "item": response.item, "value": value,
                         "answered_at": response.answered_at.isoformat()})
    return sorted(rows, key=lambda r: (r["exercise"], r["item"]))
