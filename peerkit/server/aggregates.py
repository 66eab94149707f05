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

Writing and reading the count tables stay in one module (about 400 lines): what the writers
put in those tables and what the one reader takes out of them are the same rows, and change together.
"""
from __future__ import annotations

import functools
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
        after = self._exercises()
        people = {(self.cohort_id, exercise, item): (self.people[(exercise, item)], self.files[(exercise, item)])
                  for exercise, item in set(self.people) | set(self.files)}
        write_changes(conn, {(self.cohort_id, *key): n for key, n in self.counts.items()}, people,
                      {(self.cohort_id, exercise): 1 if exercise in after else -1
                       for exercise in after ^ self._before})
        self._before = after
        self.counts.clear()
        self.people.clear()
        self.files.clear()


class BatchChanges:
    """The count changes of a whole batch of answers (many learners, many cohorts), merged, written at once.

    :meth:`change` is told each stored answer's old and new value. Whether a
    learner's first answer to an exercise came (or their last went) needs their
    other answers to it: :meth:`exercise_answers_before` counts them, for only the
    (learner, exercise) pairs where that can have happened, before the batch writes.
    """

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str, str]] = Counter()
        self.people: Counter[tuple[str, str, str]] = Counter()
        self.files: Counter[tuple[str, str, str]] = Counter()
        self.answered: Counter[tuple[str, int, str]] = Counter()  # (cohort, learner, exercise): net answers
        self._before: dict[tuple[int, str], int] = {}
        self._cohorts: set[str] = set()

    def cohorts(self) -> set[str]:
        """The cohorts whose stored answers changed (each gets one revision bump)."""
        return self._cohorts

    def change(self, cohort_id: str, learner_id: int, exercise: str, item: str, old: str | None,
               old_source: str | None, new: str | None, new_source: str) -> None:
        self._cohorts.add(cohort_id)
        if old == new and (old is None or old_source == new_source):
            return
        kind = _kind(exercise)
        for key in count_keys(kind, old):
            self.counts[(cohort_id, exercise, item, key)] -= 1
        for key in count_keys(kind, new):
            self.counts[(cohort_id, exercise, item, key)] += 1
        person = int(new is not None) - int(old is not None)
        self.people[(cohort_id, exercise, item)] += person
        self.files[(cohort_id, exercise, item)] += (int(new is not None and new_source == "file")
                                                    - int(old is not None and old_source == "file"))
        if person:
            self.answered[(cohort_id, learner_id, exercise)] += person

    def exercise_answers_before(self, conn: sa.Connection) -> None:
        """Count, before the batch writes, the answers of each learner whose count of answers to an exercise moves."""
        pairs = sorted({(learner, exercise) for (_c, learner, exercise), n in self.answered.items() if n})
        for start in range(0, len(pairs), 300):
            chunk = pairs[start:start + 300]
            rows = conn.execute(_answers_per_exercise(db.is_postgresql(conn)), db.answer_keys(conn, chunk))
            self._before.update({(learner, exercise): int(n) for learner, exercise, n in rows})

    def write(self, conn: sa.Connection) -> None:
        exercises: Counter[tuple[str, str]] = Counter()
        for (cohort_id, learner, exercise), n in self.answered.items():
            before = self._before.get((learner, exercise), 0)
            if before == 0 and before + n > 0:
                exercises[(cohort_id, exercise)] += 1
            elif before > 0 and before + n <= 0:
                exercises[(cohort_id, exercise)] -= 1
        people = {key: (self.people[key], self.files[key]) for key in set(self.people) | set(self.files)}
        write_changes(conn, dict(self.counts), people, dict(exercises))


@functools.lru_cache(maxsize=2)
def _answers_per_exercise(postgresql: bool) -> sa.Select:
    """Each (learner, exercise) key's answers not withdrawn (the keys given with :func:`.db.answer_keys`)."""
    return (db.answers_for_keys(postgresql, 2, db.answers.c.learner_id, db.answers.c.exercise, sa.func.count())
            .where(db.answers.c.value.is_not(None)).group_by(db.answers.c.learner_id, db.answers.c.exercise))


def write_changes(conn: sa.Connection, counts: dict[tuple[str, str, str, str], int],
                  people: dict[tuple[str, str, str], tuple[int, int]], exercises: dict[tuple[str, str], int]) -> None:
    """Add count changes: ``counts`` by (cohort, exercise, item, key), ``people`` (respondents, of them from
    files) by (cohort, exercise, item), ``exercises`` (respondents) by (cohort, exercise).

    SQLite (one writer): straight into the count tables, one ``executemany`` each, in key
    order. PostgreSQL: appended to ``count_deltas`` (no row every writer of a cohort
    updates, so writers in several workers never wait on each other); readers add
    them, and :func:`fold` moves them into the count tables in the background.
    """
    counts = {key: n for key, n in counts.items() if n}
    people = {key: v for key, v in people.items() if v[0] or v[1]}
    exercises = {key: n for key, n in exercises.items() if n}
    if db.is_postgresql(conn):
        rows = ([{"cohort_id": c, "target": "c", "exercise": e, "item": i, "value_key": k, "n": n, "from_files": 0}
                 for (c, e, i, k), n in sorted(counts.items())]
                + [{"cohort_id": c, "target": "i", "exercise": e, "item": i, "value_key": "", "n": n, "from_files": f}
                   for (c, e, i), (n, f) in sorted(people.items())]
                + [{"cohort_id": c, "target": "e", "exercise": e, "item": "", "value_key": "", "n": n,
                    "from_files": 0} for (c, e), n in sorted(exercises.items())])
        if rows:
            conn.execute(sa.insert(db.count_deltas), rows)
        return
    db.upsert_many(conn, db.counts, [{"cohort_id": c, "exercise": e, "item": i, "value_key": k, "n": n}
                                     for (c, e, i, k), n in sorted(counts.items())],
                   ("cohort_id", "exercise", "item", "value_key"), add=("n",))
    db.upsert_many(conn, db.item_respondents, [{"cohort_id": c, "exercise": e, "item": i, "n": n, "from_files": f}
                                               for (c, e, i), (n, f) in sorted(people.items())],
                   ("cohort_id", "exercise", "item"), add=("n", "from_files"))
    db.upsert_many(conn, db.exercise_respondents, [{"cohort_id": c, "exercise": e, "n": n}
                                                   for (c, e), n in sorted(exercises.items())],
                   ("cohort_id", "exercise"), add=("n",))


#: PostgreSQL advisory lock key held while folding the deltas (one worker folds at a time).
_FOLD_LOCK = 0x7065_6572_0006
_FOLD = ("""
WITH moved AS (DELETE FROM count_deltas RETURNING cohort_id, target, exercise, item, value_key, n, from_files),
counted AS (
    INSERT INTO counts (cohort_id, exercise, item, value_key, n)
    SELECT cohort_id, exercise, item, value_key, SUM(n) FROM moved WHERE target = 'c'
    GROUP BY cohort_id, exercise, item, value_key ORDER BY cohort_id, exercise, item, value_key
    ON CONFLICT (cohort_id, exercise, item, value_key) DO UPDATE SET n = counts.n + excluded.n RETURNING 1),
people AS (
    INSERT INTO item_respondents (cohort_id, exercise, item, n, from_files)
    SELECT cohort_id, exercise, item, SUM(n), SUM(from_files) FROM moved WHERE target = 'i'
    GROUP BY cohort_id, exercise, item ORDER BY cohort_id, exercise, item
    ON CONFLICT (cohort_id, exercise, item) DO UPDATE
    SET n = item_respondents.n + excluded.n, from_files = item_respondents.from_files + excluded.from_files
    RETURNING 1)
INSERT INTO exercise_respondents (cohort_id, exercise, n)
SELECT cohort_id, exercise, SUM(n) FROM moved WHERE target = 'e' GROUP BY cohort_id, exercise
ORDER BY cohort_id, exercise
ON CONFLICT (cohort_id, exercise) DO UPDATE SET n = exercise_respondents.n + excluded.n
""", """
WITH moved AS (DELETE FROM revision_deltas RETURNING cohort_id)
UPDATE cohorts SET revision = cohorts.revision + bumps.n
FROM (SELECT cohort_id, COUNT(*) AS n FROM moved GROUP BY cohort_id) AS bumps WHERE cohorts.id = bumps.cohort_id
""")


def fold(engine: sa.Engine) -> bool:
    """PostgreSQL: move the count changes and revision bumps appended so far into their tables, in one
    transaction (each in one statement: a reader sees every change exactly once, before or after).
    Returns False when another worker is folding. SQLite has nothing to fold."""
    if not db.is_postgresql(engine):
        return True
    with engine.connect() as conn, conn.begin():
        if not conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _FOLD_LOCK}).scalar():
            return False
        for statement in _FOLD:
            conn.execute(sa.text(statement))
    return True


# -- reading: the count tables, plus on PostgreSQL the changes not yet folded --------------------

def _with_deltas(conn: sa.Connection, base: sa.Select, target: str, columns: tuple[str, ...],
                 sums: tuple[str, ...], where: list[Any]) -> sa.Select:
    if not db.is_postgresql(conn):
        return base
    deltas = db.count_deltas
    added = sa.select(*(deltas.c[name] for name in columns + sums)).where(deltas.c.target == target, *where)
    both = sa.union_all(base, added).subquery()
    return (sa.select(*(both.c[name] for name in columns), *(sa.func.sum(both.c[name]).label(name) for name in sums))
            .group_by(*(both.c[name] for name in columns)))


def current_counts(conn: sa.Connection, cohort_id: str, exercise: str | None = None) -> list[Any]:
    """``(exercise, item, value_key, n)`` of every option with ``n > 0``, in that order."""
    table, deltas = db.counts, db.count_deltas
    where = [table.c.cohort_id == cohort_id] + ([table.c.exercise == exercise] if exercise is not None else [])
    delta_where = [deltas.c.cohort_id == cohort_id] + ([deltas.c.exercise == exercise] if exercise else [])
    columns = ("exercise", "item", "value_key")
    query = _with_deltas(conn, sa.select(*(table.c[c] for c in columns), table.c.n).where(*where), "c", columns,
                         ("n",), delta_where)
    rows = conn.execute(query).all()
    return sorted((r for r in rows if r.n and r.n > 0), key=lambda r: (r.exercise, r.item, r.value_key))


def current_item_respondents(conn: sa.Connection, cohort_id: str, exercise: str | None = None) -> list[Any]:
    """``(exercise, item, n, from_files)`` of every item anyone answered."""
    table, deltas = db.item_respondents, db.count_deltas
    where = [table.c.cohort_id == cohort_id] + ([table.c.exercise == exercise] if exercise is not None else [])
    delta_where = [deltas.c.cohort_id == cohort_id] + ([deltas.c.exercise == exercise] if exercise else [])
    query = _with_deltas(conn, sa.select(table.c.exercise, table.c.item, table.c.n, table.c.from_files).where(*where),
                         "i", ("exercise", "item"), ("n", "from_files"), delta_where)
    return conn.execute(query).all()


def current_exercise_respondents(conn: sa.Connection, cohort_id: str, exercise: str | None = None) -> dict[str, int]:
    """``{exercise: people who answered any of its items}``."""
    table, deltas = db.exercise_respondents, db.count_deltas
    where = [table.c.cohort_id == cohort_id] + ([table.c.exercise == exercise] if exercise is not None else [])
    delta_where = [deltas.c.cohort_id == cohort_id] + ([deltas.c.exercise == exercise] if exercise else [])
    query = _with_deltas(conn, sa.select(table.c.exercise, table.c.n).where(*where), "e", ("exercise",), ("n",),
                         delta_where)
    return {row.exercise: int(row.n) for row in conn.execute(query)}


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

    # the count tables plus, on PostgreSQL, the changes appended since the last fold (current_*)
    for row in current_counts(conn, cohort.id, exercise):
        found.counts.setdefault(row.exercise, {}).setdefault(row.item, {})[row.value_key] = int(row.n)
    for row in conn.execute(sa.select(db.tallies.c.exercise, db.tallies.c.item, db.tallies.c.value_key,
                                      db.tallies.c.n)
                            .where(*where(db.tallies), db.tallies.c.n > 0)
                            .order_by(db.tallies.c.exercise, db.tallies.c.item, db.tallies.c.value_key)):
        found.tally.setdefault(row.exercise, {}).setdefault(row.item, {})[row.value_key] = int(row.n)
    for row in sorted(current_item_respondents(conn, cohort.id, exercise), key=lambda r: (r.exercise, r.item)):
        if row.n > 0:
            found.item_n.setdefault(row.exercise, {})[row.item] = int(row.n)
            found.from_files += int(row.from_files or 0)
    found.respondents = current_exercise_respondents(conn, cohort.id, exercise)
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
