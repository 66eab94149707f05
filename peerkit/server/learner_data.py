"""A learner's own data: who they are, their answers (ordered by their ``seq``), withdrawing, leaving.

Ordering: for each ``(exercise, item)`` the store keeps the answer with the highest
``seq`` the learner's kernel gave it. The server's and the learner's clocks order
nothing. A withdrawal keeps the row as a tombstone (value NULL) with its ``seq``,
so an older answer resent after it stays withdrawn.

Every accepted change updates the counts (:class:`.aggregates.CountChanges`) and the
cohort's revision (:func:`.revisions.changed`) in the same transaction as the answer.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..timestamps import format_moment, now
from . import aggregates, db
from .answer_path import Checked, write_batch
from .answer_path import Request as AnswerRequest
from .checking import AnswerRefused, check_shared
from .live_tools.session_state import learner_view  # issue 13: place, timer, poll, wall
from .revisions import changed
from .unicode_check import text_problem
from .problems import Problem
from .settings import ServerSettings
from .tokens import Principal, forget_learner

#: Largest seq we take (JavaScript's safe integers: the phone page counts too).
MAX_SEQ = 2 ** 53 - 1
_ENTRY_KEYS = {"seq", "exercise", "item", "value"}


def _gone() -> Problem:
    return Problem(401, "not-signed-in", "Not signed in", "You are no longer in this cohort (you left, or the "
                   "trainer deleted it). Join again with the join code.", headers={"WWW-Authenticate": "Bearer"})


def _closed(name: str) -> Problem:
    return Problem(410, "cohort-closed", "Cohort closed",
                   f"The cohort {name!r} is closed: it takes no more answers. Your answers stay on your computer.")


def _learner_row(conn: sa.Connection, who: Principal) -> sa.Row:
    row = conn.execute(sa.select(db.learners).where(db.learners.c.id == who.learner_id)).first()
    if row is None:
        raise _gone()
    return row


def _locked_open_cohort(conn: sa.Connection, who: Principal) -> sa.Row:
    cohort = db.lock_cohort(conn, who.cohort_id)
    if cohort is None:
        raise _gone()
    if cohort.status != "open":
        raise _closed(cohort.name)
    return cohort


def me(engine: sa.Engine, who: Principal) -> dict[str, Any]:
    with db.reading(engine) as conn:
        row = conn.execute(sa.select(db.learners, db.cohorts.c.name, db.cohorts.c.min_group_size,
                                     db.cohorts.c.status)
                           .join(db.cohorts, db.cohorts.c.id == db.learners.c.cohort_id)
                           .where(db.learners.c.id == who.learner_id)).first()
        if row is None:
            raise _gone()
        answers = conn.execute(sa.select(sa.func.count()).select_from(db.answers).where(
            db.answers.c.learner_id == who.learner_id, db.answers.c.value.is_not(None))).scalar_one()
    return {"cohort": {"id": row.cohort_id, "name": row.name, "min_group_size": row.min_group_size,
                       "status": row.status},
            "pseudonym": row.pseudonym, "answers": int(answers), "last_seq": int(row.last_seq),
            "research_consent": bool(row.research_consent)}


def set_research_consent(engine: sa.Engine, who: Principal, agreed: Any) -> dict[str, Any]:
    """Record whether this learner agrees to research use of their shared answers (withdrawable at any time).

    Only the flag changes: the answers stay in the cohort either way, and an export
    made from now on includes them only while it is True.
    """
    if not isinstance(agreed, bool):
        raise Problem(422, "bad-consent", "Not a yes or no",
                      "Send {\"agreed\": true} or {\"agreed\": false}.")

    def work(conn: sa.Connection) -> dict[str, Any]:
        row = _learner_row(conn, who)
        if bool(row.research_consent) != agreed:
            conn.execute(sa.update(db.learners).where(db.learners.c.id == row.id).values(
                research_consent=agreed, research_consent_at=format_moment(now())))
        return {"research_consent": agreed}

    return db.write(engine, work)


def _refusal(entry: Any, detail: str) -> dict[str, Any]:
    seq = entry.get("seq") if isinstance(entry, dict) else None
    seq = seq if isinstance(seq, int) and not isinstance(seq, bool) else None
    fields = {k: entry.get(k) for k in ("exercise", "item")} if isinstance(entry, dict) else {}
    return {"seq": seq, **{k: (v[:64] if isinstance(v, str) and text_problem(v) is None else None)
                           for k, v in fields.items()},
            "detail": detail}


def check_batch(entries: list[Any]) -> tuple[list[Checked], list[dict[str, Any]]]:
    """Check every entry on its own (no database needed): ``(good, refused)``."""
    good, refused = [], []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != _ENTRY_KEYS:
            refused.append(_refusal(entry, "Each answer is {\"seq\", \"exercise\", \"item\", \"value\"} and "
                                           "nothing else."))
            continue
        seq = entry["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= MAX_SEQ:
            refused.append(_refusal(entry, "seq must be a whole number from 1 up, counted by your kernel."))
            continue
        try:
            stored = check_shared(entry["exercise"], entry["item"], entry["value"])
        except AnswerRefused as error:
            refused.append(_refusal(entry, str(error)))
            continue
        good.append(Checked(seq, entry["exercise"], entry["item"], stored))
    return good, refused


def check_request(settings: ServerSettings, entries: list[Any]) -> tuple[list[Checked], list[dict[str, Any]]]:
    """The size limit and every entry's kind rule, before any lock: ``(good, refused)``."""
    if len(entries) > settings.max_batch:
        raise Problem(413, "batch-too-large", "Too many answers at once",
                      f"Send at most {settings.max_batch} answers at a time (this batch has {len(entries)}).")
    return check_batch(entries)


def record(engine: sa.Engine, settings: ServerSettings, who: Principal, entries: list[Any]) -> dict[str, Any]:
    """Store a batch of answers on its own: ``{"accepted": [seq], "stale": [seq], "refused": [...], "last_seq"}``.

    The server's route hands answers to the process's :class:`.answer_path.AnswerWriter`
    instead, which writes many requests in one transaction with this same
    :func:`.answer_path.write_batch`.
    """
    good, refused = check_request(settings, entries)
    outcome = db.write(engine, lambda conn: write_batch(conn, [AnswerRequest(who, good, refused, max_learner_items=settings.max_learner_items)])[0])
    if isinstance(outcome, Problem):
        raise outcome
    return outcome


def withdraw(engine: sa.Engine, who: Principal, exercise: str | None) -> dict[str, Any]:
    """Withdraw every answer of the learner (or of one exercise); tombstones keep the learner's highest seq.

    Allowed in a closed cohort too: a learner can always take their answers back.
    """
    def work(conn: sa.Connection) -> dict[str, Any]:
        if db.lock_cohort(conn, who.cohort_id) is None:
            raise _gone()
        learner = _learner_row(conn, who)
        where = [db.answers.c.learner_id == learner.id, db.answers.c.value.is_not(None)]
        if exercise is not None:
            where.append(db.answers.c.exercise == exercise)
        rows = conn.execute(sa.select(db.answers).where(*where).order_by(db.answers.c.id)).all()
        changes = aggregates.CountChanges.load(conn, who.cohort_id, learner.id)
        for row in rows:
            changes.change(row.exercise, row.item, None, "live")
            conn.execute(sa.update(db.answers).where(db.answers.c.id == row.id).values(
                value=None, seq=max(int(row.seq), int(learner.last_seq)), received_at=format_moment(now())))
        if rows:
            changes.flush(conn)
            changed(conn, who.cohort_id)
        return {"removed": len(rows)}

    return db.write(engine, work)


def leave(engine: sa.Engine, who: Principal) -> dict[str, Any]:
    """Leave the cohort: every answer removed (and uncounted), the token stops working."""
    def work(conn: sa.Connection) -> dict[str, Any]:
        if db.lock_cohort(conn, who.cohort_id) is None:
            raise _gone()
        learner = _learner_row(conn, who)
        rows = conn.execute(sa.select(db.answers).where(db.answers.c.learner_id == learner.id,
                                                        db.answers.c.value.is_not(None))).all()
        changes = aggregates.CountChanges.load(conn, who.cohort_id, learner.id)
        for row in rows:
            changes.change(row.exercise, row.item, None, "live")
        changes.flush(conn)
        conn.execute(sa.delete(db.answers).where(db.answers.c.learner_id == learner.id))
        conn.execute(sa.delete(db.learners).where(db.learners.c.id == learner.id))
        forget_learner(learner.id)
        changed(conn, who.cohort_id)
        return {"removed": len(rows)}

    return db.write(engine, work)


def aggregates_for_learner(engine: sa.Engine, who: Principal, exercise: str | None) -> dict[str, Any]:
    """The learner's own cohort's aggregates, small items suppressed (never another cohort's)."""
    with db.reading(engine) as conn:
        _learner_row(conn, who)
        cohort = conn.execute(sa.select(*db.cohort_columns(conn)).where(db.cohorts.c.id == who.cohort_id)).first()
        if cohort is None:
            raise _gone()
        try:
            return aggregates.read(conn, cohort, exercise)
        except AnswerRefused as error:
            raise Problem(404, "no-such-exercise", "No such exercise", str(error)) from None


def session(engine: sa.Engine, who: Principal) -> dict[str, Any]:
    """What a learner may know of the live session: the cohort's state and revision."""
    with db.reading(engine) as conn:
        _learner_row(conn, who)
        cohort = conn.execute(sa.select(*db.cohort_columns(conn)).where(db.cohorts.c.id == who.cohort_id)).first()
        if cohort is None:
            raise _gone()
        tools = learner_view(conn, cohort, who.learner_id)
    return {"cohort": {"id": cohort.id, "name": cohort.name, "status": cohort.status,
                       "min_group_size": cohort.min_group_size},
            "revision": int(cohort.revision), "accepting_answers": cohort.status == "open", **tools}
