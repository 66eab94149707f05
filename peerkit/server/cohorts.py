"""Cohorts as a trainer manages them: create, close, delete with all data, new join code, retention.

A join code is found by an indexed lookup of ``HMAC-SHA256(server secret,
normalised code)`` (:func:`code_hmac`), so finding a cohort costs one index probe
whether the store holds ten cohorts or a hundred thousand; a stolen store without
the secret key does not give the codes away. The trainer (and the projector page)
must see the code again, so it is also kept *sealed* (:func:`seal_code`): masked
with a one-time pad drawn from ``HMAC(secret, random nonce)``, a fresh nonce for
every code. Without the secret key neither column reveals a code.
"""
from __future__ import annotations

import hmac
import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ..cohort.codes import ALPHABET, new_join_code, normalize_join_code
from ..cohort.ids import new_cohort_id
from ..timestamps import format_moment, now
from . import aggregates, db
from .live_tools import tables as _live_tables  # noqa: F401 - the poll answers and wall posts a member leaves
from .revisions import changed
from .problems import Problem

MAX_NAME = 200
def code_hmac(secret: bytes, code: str) -> str:
    """The indexed lookup key of a join code (raises JoinCodeError for something that cannot be a code)."""
    return hmac.new(secret, normalize_join_code(code).encode(), hashlib.sha256).hexdigest()


def seal_code(secret: bytes, code: str) -> str:
    """``nonce:masked`` for the store; :func:`unseal_code` undoes it with the same secret."""
    nonce = secrets.token_hex(8)
    return f"{nonce}:{_mask(secret, nonce, normalize_join_code(code), +1)}"


def unseal_code(secret: bytes, sealed: str) -> str:
    """The join code (``XXX-XXX``) kept sealed by :func:`seal_code`."""
    nonce, masked = sealed.split(":", 1)
    raw = _mask(secret, nonce, masked, -1)
    return f"{raw[:3]}-{raw[3:]}"


def _mask(secret: bytes, nonce: str, text: str, direction: int) -> str:
    pad = hmac.new(secret, f"join-code:{nonce}".encode(), hashlib.sha256).digest()
    size = len(ALPHABET)
    return "".join(ALPHABET[(ALPHABET.index(c) + direction * pad[i]) % size] for i, c in enumerate(text))


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not " ".join(name.split()):
        raise Problem(422, "invalid-name", "Invalid name", "Give the cohort a name, such as 'Tuesday group'.")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise Problem(422, "invalid-name", "Invalid name", f"A cohort name has at most {MAX_NAME} characters.")
    return name


def describe(row: sa.Row, **extra: Any) -> dict[str, Any]:
    """A cohort as the API shows it to its trainer."""
    return {"id": row.id, "name": row.name, "status": row.status, "min_group_size": row.min_group_size,
            "created_at": row.created_at, "closed_at": row.closed_at, "revision": row.revision,
            "joining_locked": bool(row.joining_locked), **extra}


def _fresh_code(conn: sa.Connection, secret: bytes) -> tuple[str, str]:
    for _ in range(20):
        code = new_join_code()
        key = code_hmac(secret, code)
        if not conn.execute(sa.select(db.cohorts.c.id).where(db.cohorts.c.code_hmac == key)).first():
            return code, key
    raise RuntimeError("could not find an unused join code")  # pragma: no cover - 2^30 codes


def create(engine: sa.Engine, secret: bytes, trainer_id: str, name: Any, min_group_size: int) -> dict[str, Any]:
    name = check_name(name)

    def work(conn: sa.Connection) -> dict[str, Any]:
        code, key = _fresh_code(conn, secret)
        cohort_id = new_cohort_id()
        conn.execute(sa.insert(db.cohorts).values(
            id=cohort_id, trainer_id=trainer_id, name=name, code_hmac=key, code_sealed=seal_code(secret, code),
            status="open",
            min_group_size=min_group_size, created_at=format_moment(now()), closed_at=None, revision=0))
        row = conn.execute(sa.select(*db.cohort_columns(conn)).where(db.cohorts.c.id == cohort_id)).one()
        return describe(row, join_code=code, members=0, answers=0)

    return db.write(engine, work)


def owned(conn: sa.Connection, trainer_id: str, cohort_id: str, *, lock: bool = False) -> sa.Row:
    """The trainer's own cohort, or 404 (another trainer's cohort looks exactly like none)."""
    row = db.lock_cohort(conn, cohort_id) if lock else conn.execute(
        sa.select(*db.cohort_columns(conn)).where(db.cohorts.c.id == cohort_id)).first()
    if row is None or row.trainer_id != trainer_id:
        raise Problem(404, "no-such-cohort", "No such cohort", f"You have no cohort {cohort_id!r}.")
    return row


def members(conn: sa.Connection, cohort_id: str) -> dict[str, int]:
    by_source = dict(conn.execute(
        sa.select(db.learners.c.source, sa.func.count()).where(db.learners.c.cohort_id == cohort_id)
        .group_by(db.learners.c.source)).all())
    return {"members": int(by_source.get("live", 0)) + int(by_source.get("file", 0)),
            "members_from_files": int(by_source.get("file", 0))}


def summary(conn: sa.Connection, row: sa.Row, secret: bytes) -> dict[str, Any]:
    # the kept per-item counts add up to the answers held: no scan of the answers table
    from .aggregates import current_item_respondents

    answers = sum(int(r.n) for r in current_item_respondents(conn, row.id))
    return describe(row, join_code=unseal_code(secret, row.code_sealed), answers=int(answers),
                    **members(conn, row.id))


def list_for(engine: sa.Engine, secret: bytes, trainer_id: str) -> list[dict[str, Any]]:
    with db.reading(engine) as conn:
        rows = conn.execute(sa.select(*db.cohort_columns(conn)).where(db.cohorts.c.trainer_id == trainer_id)
                            .order_by(db.cohorts.c.created_at)).all()
        return [summary(conn, row, secret) for row in rows]


def get(engine: sa.Engine, secret: bytes, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    with db.reading(engine) as conn:
        return summary(conn, owned(conn, trainer_id, cohort_id), secret)


def close(engine: sa.Engine, secret: bytes, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    def work(conn: sa.Connection) -> dict[str, Any]:
        row = owned(conn, trainer_id, cohort_id, lock=True)
        if row.status != "closed":
            conn.execute(sa.update(db.cohorts).where(db.cohorts.c.id == cohort_id)
                         .values(status="closed", closed_at=format_moment(now())))
            changed(conn, cohort_id)
        return summary(conn, db.cohort_row(conn, cohort_id), secret)

    return db.write(engine, work)


def _delete_all(conn: sa.Connection, cohort_id: str) -> None:
    for table in db.COHORT_TABLES:  # explicitly, not only by cascade: SQLite may have foreign keys off
        conn.execute(sa.delete(table).where(table.c.cohort_id == cohort_id))
    conn.execute(sa.delete(db.cohorts).where(db.cohorts.c.id == cohort_id))


def delete(engine: sa.Engine, trainer_id: str, cohort_id: str) -> None:
    def work(conn: sa.Connection) -> None:
        owned(conn, trainer_id, cohort_id, lock=True)
        _delete_all(conn, cohort_id)

    db.write(engine, work)


def rotate_code(engine: sa.Engine, secret: bytes, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    def work(conn: sa.Connection) -> dict[str, Any]:
        owned(conn, trainer_id, cohort_id, lock=True)
        code, key = _fresh_code(conn, secret)
        conn.execute(sa.update(db.cohorts).where(db.cohorts.c.id == cohort_id)
                     .values(code_hmac=key, code_sealed=seal_code(secret, code)))
        changed(conn, cohort_id)
        row = conn.execute(sa.select(*db.cohort_columns(conn)).where(db.cohorts.c.id == cohort_id)).one()
        return describe(row, join_code=code)

    return db.write(engine, work)


def delete_expired(engine: sa.Engine, retention_days: int) -> int:
    """Delete every cohort closed more than ``retention_days`` ago, with all its data; how many went."""
    cutoff = format_moment(now() - timedelta(days=retention_days))
    with db.reading(engine) as conn:
        expired = conn.execute(sa.select(db.cohorts.c.id).where(
            db.cohorts.c.status == "closed", db.cohorts.c.closed_at < cutoff)).scalars().all()
    for cohort_id in expired:
        def work(conn: sa.Connection, cohort_id: str = cohort_id) -> None:
            row = db.lock_cohort(conn, cohort_id)
            if row is not None and row.status == "closed" and row.closed_at < cutoff:
                _delete_all(conn, cohort_id)

        db.write(engine, work)
    return len(expired)


def set_joining_locked(engine: sa.Engine, secret: bytes, trainer_id: str, cohort_id: str,
                       locked: Any) -> dict[str, Any]:
    """Lock joining once the room is in (the code then lets nobody new in), or open it again."""
    if not isinstance(locked, bool):
        raise Problem(422, "invalid-request", "Invalid request", 'Send {"locked": true} or {"locked": false}.')

    def work(conn: sa.Connection) -> dict[str, Any]:
        row = owned(conn, trainer_id, cohort_id, lock=True)
        if bool(row.joining_locked) != locked:
            conn.execute(sa.update(db.cohorts).where(db.cohorts.c.id == cohort_id).values(joining_locked=locked))
            changed(conn, cohort_id)
        return summary(conn, conn.execute(sa.select(db.cohorts).where(db.cohorts.c.id == cohort_id)).one(), secret)

    return db.write(engine, work)


def member_list(engine: sa.Engine, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    """The cohort's members by pseudonym (never a name): when they joined, how, how many answers they hold."""
    with db.reading(engine) as conn:
        owned(conn, trainer_id, cohort_id)
        answers = (sa.select(db.answers.c.learner_id, sa.func.count().label("n"))
                   .where(db.answers.c.cohort_id == cohort_id, db.answers.c.value.is_not(None))
                   .group_by(db.answers.c.learner_id).subquery())
        rows = conn.execute(sa.select(db.learners.c.pseudonym, db.learners.c.joined_at, db.learners.c.source,
                                      sa.func.coalesce(answers.c.n, 0).label("answers"))
                            .outerjoin(answers, answers.c.learner_id == db.learners.c.id)
                            .where(db.learners.c.cohort_id == cohort_id)
                            .order_by(db.learners.c.joined_at, db.learners.c.pseudonym)).all()
    return {"members": [{"pseudonym": r.pseudonym, "joined_at": r.joined_at, "source": r.source,
                         "answers": int(r.answers)} for r in rows]}


def remove_member(engine: sa.Engine, trainer_id: str, cohort_id: str, pseudonym: str) -> dict[str, Any]:
    """Remove a member with every answer, poll answer and wall post of theirs (their token stops working)."""
    def work(conn: sa.Connection) -> dict[str, Any]:
        owned(conn, trainer_id, cohort_id, lock=True)
        learner = conn.execute(sa.select(db.learners).where(db.learners.c.cohort_id == cohort_id,
                                                            db.learners.c.pseudonym == pseudonym)).first()
        if learner is None:
            raise Problem(404, "no-such-member", "No such member", "Nobody with that pseudonym is in this cohort.")
        rows = conn.execute(sa.select(db.answers).where(db.answers.c.learner_id == learner.id,
                                                        db.answers.c.value.is_not(None))).all()
        changes = aggregates.CountChanges.load(conn, cohort_id, learner.id)
        for row in rows:
            changes.change(row.exercise, row.item, None, row.source)
        changes.flush(conn)
        for table in db.metadata.sorted_tables:  # the live tools' rows too (poll answers, wall posts)
            if "learner_id" in table.c and table is not db.answers:
                conn.execute(sa.delete(table).where(table.c.learner_id == learner.id))
        conn.execute(sa.delete(db.answers).where(db.answers.c.learner_id == learner.id))
        conn.execute(sa.delete(db.learners).where(db.learners.c.id == learner.id))
        changed(conn, cohort_id)
        return {"removed": len(rows), "pseudonym": pseudonym}

    return db.write(engine, work)
