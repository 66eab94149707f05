"""A learner's own data: who they are, leaving the cohort."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import db
from .auth import Principal
from .events import changed
from .problems import Problem


def _gone() -> Problem:
    return Problem(401, "not-signed-in", "Not signed in", "You are no longer in this cohort (you left, or the "
                   "trainer deleted it). Join again with the join code.", headers={"WWW-Authenticate": "Bearer"})


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
            "pseudonym": row.pseudonym, "answers": int(answers), "last_seq": int(row.last_seq)}


def leave(engine: sa.Engine, who: Principal) -> dict[str, Any]:
    def work(conn: sa.Connection) -> dict[str, Any]:
        db.lock_cohort(conn, who.cohort_id)
        removed = conn.execute(sa.delete(db.answers).where(db.answers.c.learner_id == who.learner_id)).rowcount
        conn.execute(sa.delete(db.learners).where(db.learners.c.id == who.learner_id))
        changed(conn, who.cohort_id)
        return {"removed": removed}

    return db.write(engine, work)
