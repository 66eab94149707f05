"""Group counts kept up to date answer by answer, and read back with the privacy threshold applied.

Every change of a stored answer goes through :class:`CountChanges` in the same
transaction (under the cohort's lock, see :func:`peerkit.server.db.lock_cohort`):
it takes the old value's options off the ``counts`` table and puts the new
value's on, and keeps the number of people per item (``item_respondents``) and per
exercise (``exercise_respondents``). A refresh (:func:`read`) reads only these small
tables: its cost grows with the number of items and options, never with the
number of answers, and nothing is recounted.

Free text (reflections, reframes, goals) is never counted; for those only the
number of people who shared is kept.

:func:`read_counts` is the one reader of these tables: the API's answer (:func:`read`)
and the projector and session report (:mod:`peerkit.server.projector`) are both made
from what it returns, the projector through :class:`peerkit.group_view.GroupView`
objects (:func:`answers_view`, :func:`tally_view`), so both hide the same items. Every
item whose people number fewer than the cohort's ``min_group_size`` is reported as
``{"suppressed": true}`` with no ``n`` and no counts (:func:`peerkit.privacy.too_few`).
A room tally (hands the trainer counted) is a group of its own: suppressed on its own
hands and never added to the answers to pass the threshold (issue 18).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..exercises import ContentError, load_exercise
from ..group_view import TALLY_LABEL, GroupView
from ..privacy import too_few
from . import db
from .checking import count_keys, exercise_for, is_open_text


def _kind(exercise_id: str) -> str:
    return exercise_for(exercise_id).kind


class CountChanges:
    """The count changes one learner's answers make in one transaction, written at once by :meth:`flush`.

    ``held`` is what the store holds for this learner before the transaction:
    ``{(exercise, item): (stored JSON or None, source)}`` (:meth:`load` reads it).
    """

    def __init__(self, cohort_id: str, held: dict[tuple[str, str], tuple[str | None, str]]) -> None:
        self.cohort_id = cohort_id
        self.state = dict(held)
        self._before = self._exercises()
        self.counts: Counter[tuple[str, str, str]] = Counter()
        self.people: Counter[tuple[str, str]] = Counter()
        self.files: Counter[tuple[str, str]] = Counter()

    @classmethod
    def load(cls, conn: sa.Connection, cohort_id: str, learner_id: int) -> "CountChanges":
        rows = conn.execute(sa.select(db.answers.c.exercise, db.answers.c.item, db.answers.c.value,
                                      db.answers.c.source).where(db.answers.c.learner_id == learner_id))
        return cls(cohort_id, {(r.exercise, r.item): (r.value, r.source) for r in rows})

    def _exercises(self) -> set[str]:
        return {exercise for (exercise, _item), (value, _source) in self.state.items() if value is not None}

    def change(self, exercise: str, item: str, new: str | None, new_source: str) -> None:
        """The learner's answer to ``(exercise, item)`` becomes ``new`` (canonical JSON, or None: withdrawn)."""
        old, old_source = self.state.get((exercise, item), (None, None))
        self.state[(exercise, item)] = (new, new_source)
        if old == new and (old is None or old_source == new_source):
            return
        kind = _kind(exercise)
        for key in count_keys(kind, old):
            self.counts[(exercise, item, key)] -= 1
        for key in count_keys(kind, new):
            self.counts[(exercise, item, key)] += 1
        self.people[(exercise, item)] += int(new is not None) - int(old is not None)
        self.files[(exercise, item)] += (int(new is not None and new_source == "file")
                                         - int(old is not None and old_source == "file"))

    def flush(self, conn: sa.Connection) -> None:
        """Write the changes (in key order: concurrent writers meet the rows in the same order)."""
        for (exercise, item, key), delta in sorted(self.counts.items()):
            if delta:
                db.upsert(conn, db.counts, {"cohort_id": self.cohort_id, "exercise": exercise, "item": item,
                                            "value_key": key, "n": delta},
                          ("cohort_id", "exercise", "item", "value_key"), add=("n",))
        for exercise, item in sorted(set(self.people) | set(self.files)):
            person, files = self.people[(exercise, item)], self.files[(exercise, item)]
            if person or files:
                db.upsert(conn, db.item_respondents, {"cohort_id": self.cohort_id, "exercise": exercise,
                                                      "item": item, "n": person, "from_files": files},
                          ("cohort_id", "exercise", "item"), add=("n", "from_files"))
        after = self._exercises()
        for exercise in sorted(after ^ self._before):  # the learner's first answer to it, or their last one gone
            db.upsert(conn, db.exercise_respondents, {"cohort_id": self.cohort_id, "exercise": exercise,
                                                      "n": 1 if exercise in after else -1},
                      ("cohort_id", "exercise"), add=("n",))
        self._before = after
        self.counts.clear()
        self.people.clear()
        self.files.clear()


@dataclass
class CohortCounts:
    """What the count tables hold for one cohort (nothing suppressed yet): read by :func:`read_counts`.

    Values are the stored count keys (canonical JSON of an option). Both the API
    (:func:`read`) and the projector (:func:`peerkit.server.projector.live_state`) start
    from this, and show a room tally apart from the answers (:func:`tally_view`).
    """

    #: ``{exercise: {item: {value key: answers}}}``, only keys with answers
    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    #: ``{exercise: {item: {value key: hands}}}`` of the room tally, only keys with hands
    tally: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    #: ``{exercise: {item: people who answered it}}``, only items someone answered
    item_n: dict[str, dict[str, int]] = field(default_factory=dict)
    #: answers that came from hand-in files, over all items
    from_files: int = 0
    #: ``{exercise: people who answered any of its items}``
    respondents: dict[str, int] = field(default_factory=dict)
    #: ``{"live" | "file": members}``
    members: dict[str, int] = field(default_factory=dict)


def read_counts(conn: sa.Connection, cohort: sa.Row, exercise: str | None = None) -> CohortCounts:
    """The cohort's counts, respondents, tally and members (of one exercise, or all), in key order."""
    found = CohortCounts()

    def where(table: sa.Table) -> list[Any]:
        clauses = [table.c.cohort_id == cohort.id]
        if exercise is not None:
            clauses.append(table.c.exercise == exercise)
        return clauses

    for table, target in ((db.counts, found.counts), (db.tallies, found.tally)):
        for row in conn.execute(sa.select(table.c.exercise, table.c.item, table.c.value_key, table.c.n)
                                .where(*where(table), table.c.n > 0)
                                .order_by(table.c.exercise, table.c.item, table.c.value_key)):
            target.setdefault(row.exercise, {}).setdefault(row.item, {})[row.value_key] = int(row.n)
    for row in conn.execute(sa.select(db.item_respondents).where(*where(db.item_respondents))
                            .order_by(db.item_respondents.c.exercise, db.item_respondents.c.item)):
        if row.n > 0:
            found.item_n.setdefault(row.exercise, {})[row.item] = int(row.n)
            found.from_files += int(row.from_files or 0)
    found.respondents = {row.exercise: int(row.n) for row in conn.execute(
        sa.select(db.exercise_respondents).where(*where(db.exercise_respondents)))}
    found.members = {source: int(n) for source, n in conn.execute(
        sa.select(db.learners.c.source, sa.func.count()).where(db.learners.c.cohort_id == cohort.id)
        .group_by(db.learners.c.source)).all()}
    return found


def hands(per_option: dict[Any, int]) -> int:
    """The people behind an item's room tally: one raised hand is one person."""
    return sum(per_option.values())


def answers_view(found: CohortCounts, exercise: str, min_group_size: int, label: str = "group") -> GroupView | None:
    """The answers to ``exercise`` as a group view (None for an exercise this course version does not have)."""
    try:
        definition = load_exercise(exercise)
    except ContentError:
        return None
    rows = [(exercise, item, key, n) for item, per in found.counts.get(exercise, {}).items() for key, n in per.items()]
    return GroupView.from_counts(definition, rows, found.item_n.get(exercise, {}),
                                 group_size=int(found.respondents.get(exercise, 0)), min_group_size=min_group_size,
                                 label=label)


def tally_view(found: CohortCounts, exercise: str, min_group_size: int) -> GroupView | None:
    """The room tally of ``exercise`` as a group view of its own, each item's people its hands (:func:`hands`);
    None without a tally. Never added to the answers: a tally passes the threshold on its own or not at all."""
    tallied = found.tally.get(exercise)
    if not tallied:
        return None
    try:
        definition = load_exercise(exercise)
    except ContentError:
        return None
    rows = [(exercise, item, key, n) for item, per in tallied.items() for key, n in per.items()]
    return GroupView.from_counts(definition, rows, {item: hands(per) for item, per in tallied.items()},
                                 min_group_size=min_group_size, label=TALLY_LABEL)


def read(conn: sa.Connection, cohort: sa.Row, exercise: str | None = None) -> dict[str, Any]:
    """The cohort's aggregates (see docs/server-api.md), every small item suppressed.

    The room tally is reported beside the answers (``"tally"``), each item by its
    hands (:func:`hands`), suppressed the same way.
    """
    if exercise is not None:
        exercise_for(exercise)  # an unknown exercise is refused, not answered with nothing
    found = read_counts(conn, cohort, exercise)
    minimum = int(cohort.min_group_size)
    exercises: dict[str, dict[str, Any]] = {}
    for exercise_id, items in found.item_n.items():
        entry = exercises.setdefault(exercise_id, {"kind": _kind(exercise_id),
                                                   "respondents": found.respondents.get(exercise_id, 0),
                                                   "items": {}})
        for item, n in items.items():
            if too_few(n, minimum):
                entry["items"][item] = {"suppressed": True}
            elif is_open_text(exercise_id):
                entry["items"][item] = {"n": n}
            else:
                per = found.counts.get(exercise_id, {}).get(item, {})
                entry["items"][item] = {"n": n, "counts": {_label(key): c for key, c in per.items()}}
    for exercise_id, items in found.tally.items():
        entry = exercises.setdefault(exercise_id, {"kind": load_exercise(exercise_id).kind, "respondents": 0,
                                                   "items": {}})
        entry["tally"] = {item: ({"suppressed": True} if too_few(hands(per), minimum)
                                 else {"n": hands(per), "counts": {_label(key): c for key, c in per.items()}})
                          for item, per in sorted(items.items())}
    return {"cohort": {"id": cohort.id, "name": cohort.name, "min_group_size": minimum, "status": cohort.status},
            "revision": int(cohort.revision), "members": int(sum(found.members.values())),
            "members_from_files": int(found.members.get("file", 0)), "from_files": found.from_files,
            "exercises": dict(sorted(exercises.items()))}


def _label(value_key: str) -> Any:
    """A count key as the API shows it: the option itself ("maybe"; 4 shows as "4" in JSON)."""
    value = json.loads(value_key)
    return value if isinstance(value, str) else value_key
