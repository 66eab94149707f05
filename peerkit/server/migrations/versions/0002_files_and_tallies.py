"""Hand-in files and room tallies: when a learner's file was made; a show of hands typed in by the trainer.

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
    with op.batch_alter_table("learners") as batch:
        batch.add_column(sa.Column("file_created_at", sa.String(40)))
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
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("file_created_at")
