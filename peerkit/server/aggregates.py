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
from what it returns, as :class:`peerkit.group_view.GroupView` objects
(:meth:`ExerciseCounts.view`, :meth:`ExerciseCounts.tally_view`), so both hide the same
items. Every item whose people number fewer than the cohort's ``min_group_size`` is
reported as ``{"suppressed": true}`` with no ``n`` and no counts. A room tally (hands
the trainer counted) is a group of its own: suppressed on its own counts and never
added to the answers to pass the threshold.
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
class ExerciseCounts:
    """One exercise's counts in one cohort, as stored: nothing suppressed yet (the views do that)."""

    exercise: str
    respondents: int = 0                                        # people who answered the exercise
    items: dict[str, int] = field(default_factory=dict)         # people per item
    from_files: int = 0                                         # answers that came in hand-in files
    counts: dict[str, dict[str, int]] = field(default_factory=dict)   # item -> value key -> people
    tally: dict[str, dict[str, int]] = field(default_factory=dict)    # item -> value key -> hands

    def view(self, min_group_size: int, label: str = "group") -> GroupView | None:
        """The answers as a group view (None for an exercise this course version does not have)."""
        try:
            definition = load_exercise(self.exercise)
        except ContentError:
            return None
        rows = [(self.exercise, item, key, n) for item, per in self.counts.items() for key, n in per.items()]
        return GroupView.from_counts(definition, rows, self.items, group_size=self.respondents,
                                     min_group_size=min_group_size, label=label)

    def tally_view(self, min_group_size: int) -> GroupView | None:
        """The room tally as a group view of its own (None without one): hands per item are its n."""
        if not self.tally:
            return None
        try:
            definition = load_exercise(self.exercise)
        except ContentError:
            return None
        rows = [(self.exercise, item, key, n) for item, per in self.tally.items() for key, n in per.items()]
        hands = {item: sum(per.values()) for item, per in self.tally.items()}
        return GroupView.from_counts(definition, rows, hands, min_group_size=min_group_size,
                                     label=TALLY_LABEL)


def read_counts(conn: sa.Connection, cohort_id: str, exercise: str | None = None) -> dict[str, ExerciseCounts]:
    """Every exercise's stored counts for one cohort (or one exercise), read once: answers and room tally apart."""
    def where(table: sa.Table) -> list[Any]:
        return [table.c.cohort_id == cohort_id] + ([table.c.exercise == exercise] if exercise is not None else [])

    found: dict[str, ExerciseCounts] = {}

    def entry(name: str) -> ExerciseCounts:
        return found.setdefault(name, ExerciseCounts(name))

    for row in conn.execute(sa.select(db.item_respondents).where(*where(db.item_respondents))
                            .order_by(db.item_respondents.c.exercise, db.item_respondents.c.item)):
        if row.n > 0:
            counted = entry(row.exercise)
            counted.items[row.item] = int(row.n)
            counted.from_files += int(row.from_files or 0)
    for row in conn.execute(sa.select(db.counts.c.exercise, db.counts.c.item, db.counts.c.value_key, db.counts.c.n)
                            .where(*where(db.counts), db.counts.c.n > 0)
                            .order_by(db.counts.c.exercise, db.counts.c.item, db.counts.c.value_key)):
        entry(row.exercise).counts.setdefault(row.item, {})[row.value_key] = int(row.n)
    for row in conn.execute(sa.select(db.exercise_respondents).where(*where(db.exercise_respondents))):
        if row.n > 0:
            entry(row.exercise).respondents = int(row.n)
    for row in conn.execute(sa.select(db.tallies.c.exercise, db.tallies.c.item, db.tallies.c.value_key,
                                      db.tallies.c.n).where(*where(db.tallies), db.tallies.c.n > 0)
                            .order_by(db.tallies.c.exercise, db.tallies.c.item, db.tallies.c.value_key)):
        entry(row.exercise).tally.setdefault(row.item, {})[row.value_key] = int(row.n)
    return found


def read(conn: sa.Connection, cohort: sa.Row, exercise: str | None = None) -> dict[str, Any]:
    """The cohort's aggregates (see docs/server-api.md), every small item suppressed."""
    if exercise is not None:
        exercise_for(exercise)  # an unknown exercise is refused, not answered with nothing
    minimum = int(cohort.min_group_size)
    exercises: dict[str, dict[str, Any]] = {}
    from_files = 0
    for name, counted in sorted(read_counts(conn, cohort.id, exercise).items()):
        from_files += counted.from_files
        if counted.items:
            entry = exercises.setdefault(name, {"kind": _kind(name), "respondents": counted.respondents, "items": {}})
            for item, people in sorted(counted.items.items()):
                if too_few(people, minimum):
                    entry["items"][item] = {"suppressed": True}
                elif is_open_text(name):
                    entry["items"][item] = {"n": people}
                else:
                    entry["items"][item] = {"n": people, "counts": {_label(key): n for key, n in
                                                                    counted.counts.get(item, {}).items()}}
        if counted.tally:
            entry = exercises.setdefault(name, {"kind": load_exercise(name).kind, "respondents": 0, "items": {}})
            entry["tally"] = {item: ({"suppressed": True} if too_few(sum(c.values()), minimum)
                                     else {"n": sum(c.values()), "counts": {_label(k): n for k, n in c.items()}})
                              for item, c in sorted(counted.tally.items())}
    by_source = dict(conn.execute(sa.select(db.learners.c.source, sa.func.count()).where(
        db.learners.c.cohort_id == cohort.id).group_by(db.learners.c.source)).all())
    return {"cohort": {"id": cohort.id, "name": cohort.name, "min_group_size": minimum, "status": cohort.status},
            "revision": int(cohort.revision), "members": int(sum(by_source.values())),
            "members_from_files": int(by_source.get("file", 0)), "from_files": from_files,
            "exercises": exercises}


def _label(value_key: str) -> Any:
    """A count key as the API shows it: the option itself ("maybe"; 4 shows as "4" in JSON)."""
    value = json.loads(value_key)
    return value if isinstance(value, str) else value_key
