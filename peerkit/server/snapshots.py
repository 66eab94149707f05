"""What a learner token reads of the group moves in steps, so no one person's answer shows in a difference.

The trainer's projector and API read the counts live. A learner reads
``GET /api/v1/me/aggregates``: if it were live too, reading it before and after one
more person answers (or withdraws) would show exactly that person's answer. So for
learners each item is a *snapshot* (``learner_snapshots``): it moves on to the live
counts only once at least the cohort's ``min_group_size`` answers to that item have
changed since the snapshot was taken; until then learners keep seeing the snapshot.

How many answers changed is not stored per answer: it is bounded from below by the
two sets of counts. An answer that came or went changes ``n`` by one; an answer that
moved from one option to another changes two counts by one; an answer with several
options (a multi-choice check) changes at most twice as many counts as there are
options. So ``max(|Δn|, ⌈Σ|Δcount| / (2·options)⌉)`` answers at least changed, and a
snapshot moves only when that bound reaches the threshold. An item below the
threshold is shown suppressed until its first snapshot with counts; after that a
learner sees the last snapshot (never a suppressed one that would let the next
snapshot be compared with an older one).

A snapshot moves with a compare-and-set on its ``version`` (two workers never both
move it from the same snapshot).
"""
from __future__ import annotations

import json
import math
from typing import Any

import sqlalchemy as sa

from . import db

_TABLE = db.learner_snapshots


def answers_changed(before: dict[str, Any], after: dict[str, Any]) -> int:
    """The fewest answers that can turn item entry ``before`` into ``after`` (``{"n", "counts"?}`` each).

    >>> answers_changed({"n": 5, "counts": {"a": 5}}, {"n": 6, "counts": {"a": 5, "b": 1}})
    1
    >>> answers_changed({"n": 5, "counts": {"a": 5}}, {"n": 5, "counts": {"a": 4, "b": 1}})
    1
    >>> answers_changed({"n": 5}, {"n": 10})
    5
    """
    n0, n1 = int(before.get("n", 0)), int(after.get("n", 0))
    c0, c1 = before.get("counts") or {}, after.get("counts") or {}
    keys = set(c0) | set(c1)
    moved = sum(abs(int(c1.get(k, 0)) - int(c0.get(k, 0))) for k in keys)
    single = sum(c0.values()) == n0 and sum(c1.values()) == n1
    per_answer = 1 if single else max(1, len(keys))
    return max(abs(n1 - n0), math.ceil(moved / (2 * per_answer)))


def _shown(conn: sa.Connection, cohort_id: str) -> dict[tuple[str, str], tuple[dict[str, Any], int]]:
    rows = conn.execute(sa.select(_TABLE.c.exercise, _TABLE.c.item, _TABLE.c.shown, _TABLE.c.version)
                        .where(_TABLE.c.cohort_id == cohort_id))
    return {(r.exercise, r.item): (json.loads(r.shown), int(r.version)) for r in rows}


def _decide(base: tuple[dict[str, Any], int] | None, live: dict[str, Any], threshold: int) -> bool:
    """True when ``live`` should become the snapshot."""
    if live.get("suppressed"):
        return False
    if base is None:
        return True
    return answers_changed(base[0], live) >= threshold


def _insert(conn: sa.Connection, values: dict[str, Any]) -> None:
    if db.is_postgresql(conn):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(_TABLE).values(**values).on_conflict_do_nothing())


def steady(engine: sa.Engine, cohort_id: str, live: dict[str, Any]) -> dict[str, Any]:
    """The learners' view of :func:`peerkit.server.aggregates.read`'s ``live`` answer: every item a snapshot.

    The room tally (the trainer's own count of hands) stays as it is.
    """
    threshold = int(live["cohort"]["min_group_size"])
    with db.reading(engine) as conn:
        shown = _shown(conn, cohort_id)
    moving = {(exercise, item): entry for exercise, data in live["exercises"].items()
              for item, entry in data["items"].items() if _decide(shown.get((exercise, item)), entry, threshold)}
    if moving:
        def work(conn: sa.Connection) -> dict[tuple[str, str], tuple[dict[str, Any], int]]:
            for (exercise, item), entry in moving.items():
                base = shown.get((exercise, item))
                text = json.dumps(entry, sort_keys=True)
                if base is None:
                    _insert(conn, {"cohort_id": cohort_id, "exercise": exercise, "item": item, "shown": text,
                                   "version": 1})
                else:  # only from the snapshot we compared with: another worker may have moved it meanwhile
                    conn.execute(sa.update(_TABLE).where(_TABLE.c.cohort_id == cohort_id,
                                                         _TABLE.c.exercise == exercise, _TABLE.c.item == item,
                                                         _TABLE.c.version == base[1])
                                 .values(shown=text, version=base[1] + 1))
            return _shown(conn, cohort_id)

        shown = db.write(engine, work)
    view = json.loads(json.dumps(live))
    for exercise, data in view["exercises"].items():
        for item, entry in data["items"].items():
            held = shown.get((exercise, item))
            if held is not None and not entry.get("suppressed"):
                data["items"][item] = held[0]
    # the revision moves when a snapshot does, not with each answer
    view["revision"] = sum(version for _entry, version in shown.values())
    view["snapshot"] = {"step": threshold, "note": "Group counts move on once at least "
                        f"{threshold} answers to an item have changed, so nobody's single answer shows."}
    return view
