"""Practice conversations in the room (issue 23 part 4): ``scenario_runs``.

One row per scenario the trainer pushed to the room: the turn (or end) the room is at, the turns it
saw in order and those whose feedback was shown, open or ended. No column points at a learner.

Revision ID: 0008_scenarios
Revises: 0007_room on this branch (the brief said 0003; the lead chains it after the other 0004-0007 migrations)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_scenarios"
down_revision = "0007_room"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("revealed", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("ended_at", sa.String(40)),
    )
    op.create_index("scenario_runs_by_cohort", "scenario_runs", ["cohort_id", "status"])


def downgrade() -> None:
    op.drop_index("scenario_runs_by_cohort", "scenario_runs")
    op.drop_table("scenario_runs")
