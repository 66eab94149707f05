"""Group counts kept up to date answer by answer, and read back with the privacy threshold applied.

Every change of a stored answer goes through :class:`CountChanges` in the same
transaction (under the cohort's lock, see :func:`peerkit.server.db.lock_cohort`):
it takes the old value's options off the ``counts`` table and puts the new
value's on, and keeps the number of people per item (``item_respondents``) and per
exercise (``exercise_respondents``). A refresh (:func:`read`) reads only these small
tables: its cost grows with the number of items and options, never with the
number of answers, and nothing is recounted.

Free text (reflections, reframes, goals) is never counted; for those only the
number of people who shared is kept. Every item whose people number fewer than
the cohort's ``min_group_size`` is reported as ``{"suppressed": true}`` with no
``n`` and no counts (:func:`peerkit.privacy.too_few`).
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa

from ..exercises import load_exercise
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


def read(conn: sa.Connection, cohort: sa.Row, exercise: str | None = None) -> dict[str, Any]:
    """The cohort's aggregates (see docs/server-api.md), every small item suppressed."""
    where = [db.item_respondents.c.cohort_id == cohort.id]
    if exercise is not None:
        exercise_for(exercise)  # an unknown exercise is refused, not answered with nothing
        where.append(db.item_respondents.c.exercise == exercise)
    items = conn.execute(sa.select(db.item_respondents).where(*where)).all()
    count_where = [db.counts.c.cohort_id == cohort.id, db.counts.c.n > 0]
    people_where = [db.exercise_respondents.c.cohort_id == cohort.id]
    tally_where = [db.tallies.c.cohort_id == cohort.id]
    if exercise is not None:
        count_where.append(db.counts.c.exercise == exercise)
        people_where.append(db.exercise_respondents.c.exercise == exercise)
        tally_where.append(db.tallies.c.exercise == exercise)
    counts: dict[tuple[str, str], dict[Any, int]] = {}
    for row in conn.execute(sa.select(db.counts.c.exercise, db.counts.c.item, db.counts.c.value_key,
                                      db.counts.c.n).where(*count_where)):
        counts.setdefault((row.exercise, row.item), {})[_label(row.value_key)] = int(row.n)
    people = {row.exercise: int(row.n) for row in conn.execute(sa.select(db.exercise_respondents).where(
        *people_where))}
    minimum = int(cohort.min_group_size)
    exercises: dict[str, dict[str, Any]] = {}
    from_files = 0
    for row in sorted(items, key=lambda r: (r.exercise, r.item)):
        if row.n <= 0:
            continue
        from_files += int(row.from_files)
        entry = exercises.setdefault(row.exercise, {"kind": _kind(row.exercise),
                                                    "respondents": people.get(row.exercise, 0), "items": {}})
        if too_few(int(row.n), minimum):
            entry["items"][row.item] = {"suppressed": True}
        elif is_open_text(row.exercise):
            entry["items"][row.item] = {"n": int(row.n)}
        else:
            entry["items"][row.item] = {"n": int(row.n), "counts": counts.get((row.exercise, row.item), {})}
    _add_tallies(conn, tally_where, exercises, minimum)
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


def _add_tallies(conn: sa.Connection, where: list[Any], exercises: dict[str, dict[str, Any]], minimum: int) -> None:
    """A room tally (hands counted by the trainer) goes beside the answers as ``"tally"``, suppressed the same way."""
    tallies: dict[str, dict[str, dict[Any, int]]] = {}
    for row in conn.execute(sa.select(db.tallies).where(*where, db.tallies.c.n > 0)):
        tallies.setdefault(row.exercise, {}).setdefault(row.item, {})[_label(row.value_key)] = int(row.n)
    for exercise_id, items in tallies.items():
        kind = load_exercise(exercise_id).kind
        entry = exercises.setdefault(exercise_id, {"kind": kind, "respondents": 0, "items": {}})
        entry["tally"] = {item: ({"suppressed": True} if too_few(sum(c.values()), minimum)
                                 else {"n": sum(c.values()), "counts": c})
                          for item, c in sorted(items.items())}
