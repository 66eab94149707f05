"""Room tallies (a show of hands typed in by the trainer), kept apart from learners' answers.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tallies",
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("value_key", sa.String(200), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "exercise", "item", "value_key"),
    )


def downgrade() -> None:
    op.drop_table("tallies")
