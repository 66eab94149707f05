"""One moderation state for shared texts: ``room_texts.status`` alone; ``answers.hidden`` goes.

Before the room's moderation (0007) a trainer hid a text with ``answers.hidden``; 0007 copied those hides into
``room_texts`` but kept the flag, which the research export still read beside the status: a text approved in the
room since then was on the room's screen and in the report, yet "hidden" in the responses. Here every
``answers.hidden = true`` becomes ``status = 'hidden'`` (a later approval included: a hide is never undone by a
migration, so no surface shows more than it did; the trainer approves again where they want), an old hidden text
still stored with no row yet gets one, hidden, and the column is dropped.

On SQLite dropping a column rebuilds ``answers`` (batch mode), and dropping the old table would cascade to every
row that points at an answer (``room_texts``, ``ON DELETE CASCADE``, with foreign keys on): those rows are kept
aside and put back (going back, too). Going back puts ``hidden`` on each answer whose text is hidden.

Revision ID: 0010_one_text_state
Revises: 0009_conversation_screen
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010_one_text_state"
down_revision = "0009_conversation_screen"
branch_labels = None
depends_on = None

answers = sa.table("answers", sa.column("id", sa.Integer), sa.column("cohort_id", sa.String), sa.column("exercise"),
                   sa.column("item"), sa.column("value"), sa.column("received_at"), sa.column("hidden", sa.Boolean))
room_texts = sa.table("room_texts", sa.column("answer_id", sa.Integer), sa.column("cohort_id"), sa.column("exercise"),
                      sa.column("item"), sa.column("text"), sa.column("status"), sa.column("arrived_at"),
                      sa.column("approved_at"))


def _carry_hides_over(conn: sa.Connection) -> None:
    from peerkit.server.live_tools.texts import shared_text_of, text_exercises

    hidden_ids = sa.select(answers.c.id).where(answers.c.hidden == sa.true())
    conn.execute(sa.update(room_texts).where(room_texts.c.answer_id.in_(hidden_ids)).values(status="hidden"))
    exercises = sorted(text_exercises())
    if not exercises:
        return
    held = sa.select(room_texts.c.answer_id)
    missing = conn.execute(sa.select(answers).where(
        answers.c.hidden == sa.true(), answers.c.value.is_not(None), answers.c.exercise.in_(exercises),
        answers.c.id.not_in(held))).all()
    for row in missing:  # a hidden text 0007 found nothing to show of: it stays hidden, whatever it becomes
        try:
            text = shared_text_of(json.loads(row.value)) or ""
        except ValueError:
            text = ""
        conn.execute(sa.insert(room_texts).values(answer_id=row.id, cohort_id=row.cohort_id, exercise=row.exercise,
                                                  item=row.item, text=text, status="hidden",
                                                  arrived_at=row.received_at))


@contextmanager
def _answers_rebuilt(conn: sa.Connection) -> Iterator[Any]:
    """``op.batch_alter_table("answers")``, keeping every row that points at an answer through the rebuild
    (SQLite: the old table is dropped, which cascades to them; PostgreSQL alters in place and keeps them)."""
    kept: list[str] = []
    if conn.dialect.name == "sqlite":
        inspector = sa.inspect(conn)
        kept = sorted(name for name in inspector.get_table_names()
                      if any(key["referred_table"] == "answers" for key in inspector.get_foreign_keys(name)))
    for name in kept:
        op.execute(f'CREATE TEMP TABLE "peerkit_kept_{name}" AS SELECT * FROM "{name}"')
    with op.batch_alter_table("answers") as batch:
        yield batch
    for name in kept:
        op.execute(f'DELETE FROM "{name}"')  # the cascade emptied it; with foreign keys off it did not: no row twice
        op.execute(f'INSERT INTO "{name}" SELECT * FROM "peerkit_kept_{name}"')
        op.execute(f'DROP TABLE "peerkit_kept_{name}"')


def upgrade() -> None:
    conn = op.get_bind()
    _carry_hides_over(conn)
    with _answers_rebuilt(conn) as batch:
        batch.drop_column("hidden")


def downgrade() -> None:
    conn = op.get_bind()
    with _answers_rebuilt(conn) as batch:
        batch.add_column(sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()))
    conn.execute(sa.update(answers).where(answers.c.id.in_(
        sa.select(room_texts.c.answer_id).where(room_texts.c.status == "hidden"))).values(hidden=True))
