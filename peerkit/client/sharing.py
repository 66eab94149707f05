"""Exactly which of a learner's answers their sharing choices let out, and in what form.

Nothing is shared until the learner ticks it: :func:`default_share` is empty ("share all
course exercises" is one convenience, off until the learner turns it on). A learner shares
whole exercises; within them each kind says what of an answer may
leave (:meth:`peerkit.kinds.Kind.shared_value`):

- a reflection or a SMART goal goes out only when the learner ticked "share" on
  that answer itself, and then only its text (a goal also says which SMART
  criteria it meets);
- any other valid answer goes out as it is stored; an answer the exercise would not
  accept never goes out.

The same function feeds live sending and submission files, so both routes let out
the same answers and nothing else.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import ContentError
from ..exercises import Exercise, exercise_ids, load_exercise
from ..kinds import kind_of

if TYPE_CHECKING:
    from ..store import LocalStore

def default_share() -> list[str]:
    """The exercises ticked when a learner first sees the sharing choices: none (sharing is opt-in)."""
    return []


def who_may_see(exercise: Exercise) -> str:
    """What sharing this exercise lets out, who may see it and where, in plain words (the kind says it:
    :attr:`peerkit.kinds.Kind.share_who`). The join panel shows it on the exercise's box."""
    return kind_of(exercise).share_who


def in_share_all(exercise: Exercise) -> bool:
    """Whether "share all course exercises" ticks this exercise: every one but the personal ones
    (``"personal": true``), which a learner ticks one by one if at all."""
    return not exercise.personal


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


def shared_value(exercise: Exercise, item: str, value: Any) -> tuple[bool, Any]:
    """``(share?, value to send)`` for one stored answer of an exercise the learner shares."""
    try:
        kind = kind_of(exercise)
    except ContentError:
        return False, None  # a kind this peerkit does not know: keep it private
    return kind.shared_value(exercise, item, value)


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
