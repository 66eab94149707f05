"""The live room (issue 18): what the room's screen shows, and shared texts moderated like the wall.

``session_state`` gains ``screen`` (one of join, chart, poll, wall, texts, timer), ``screen_exercise`` and
``screen_page`` (the chart on show and its page). ``room_texts`` holds each shared text scrubbed of contact
details, pending until the trainer approves it. Texts already in the store arrive pending (or hidden, if the
trainer had hidden them), scrubbed here.

Revision ID: 0007_room
Revises: 0003_live_tools (the lead chains it after the other 0004-0008 migrations)
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007_room"
down_revision = "0006_answer_path"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_state") as batch:
        batch.add_column(sa.Column("screen", sa.String(16)))
        batch.add_column(sa.Column("screen_exercise", sa.String(64)))
        batch.add_column(sa.Column("screen_page", sa.Integer))
    room_texts = op.create_table(
        "room_texts",
        sa.Column("answer_id", sa.Integer, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("arrived_at", sa.String(40), nullable=False),
        sa.Column("approved_at", sa.String(40)),
    )
    op.create_index("room_texts_by_cohort", "room_texts", ["cohort_id", "status"])
    from peerkit.server.live_tools.texts import shared_text_of, text_exercises

    answers = sa.table("answers", sa.column("id"), sa.column("cohort_id"), sa.column("exercise"),
                       sa.column("item"), sa.column("value"), sa.column("hidden"), sa.column("received_at"))
    conn = op.get_bind()
    exercises = sorted(text_exercises())
    if not exercises:
        return
    rows = conn.execute(sa.select(answers).where(answers.c.exercise.in_(exercises), answers.c.value.is_not(None)))
    for row in rows:
        try:
            text = shared_text_of(json.loads(row.value))
        except ValueError:
            continue
        if text:
            conn.execute(sa.insert(room_texts).values(
                answer_id=row.id, cohort_id=row.cohort_id, exercise=row.exercise, item=row.item, text=text,
                status="hidden" if row.hidden else "pending", arrived_at=row.received_at))


def downgrade() -> None:
    op.drop_table("room_texts")
    with op.batch_alter_table("session_state") as batch:
        for column in ("screen_page", "screen_exercise", "screen"):
            batch.drop_column(column)
