"""Live-session tools (issue 13): quick polls and their answers, the anonymous wall, the session's state.

Revision ID: 0003_live_tools
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_live_tools"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("polls_by_cohort", "polls", ["cohort_id"])
    op.create_table(
        "poll_answers",
        sa.Column("poll_id", sa.Integer, sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("answered_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("poll_id", "learner_id"),
    )
    op.create_table(
        "walls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("prompt", sa.String(300), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("walls_by_cohort", "walls", ["cohort_id"])
    op.create_table(
        "wall_posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("wall_id", sa.Integer, sa.ForeignKey("walls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("posted_at", sa.String(40), nullable=False),
        sa.Column("approved_at", sa.String(40)),
    )
    op.create_index("wall_posts_by_wall", "wall_posts", ["wall_id", "status"])
    op.create_table(
        "session_state",
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("chapter", sa.String(64)),
        sa.Column("exercise", sa.String(64)),
        sa.Column("moved_at", sa.String(40)),
        sa.Column("activity", sa.String(64)),
        sa.Column("timer_ends_at", sa.String(40)),
        sa.Column("timer_seconds", sa.Integer),
        sa.Column("poll_id", sa.Integer, sa.ForeignKey("polls.id", ondelete="SET NULL")),
        sa.Column("wall_id", sa.Integer, sa.ForeignKey("walls.id", ondelete="SET NULL")),
    )


def downgrade() -> None:
    for table in ("session_state", "wall_posts", "walls", "poll_answers", "polls"):
        op.drop_table(table)
