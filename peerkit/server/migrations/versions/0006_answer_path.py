"""The answer path at lecture-hall scale (issue 20): count changes and revision bumps as rows of their own.

On PostgreSQL, writers of answers append their count changes to ``count_deltas``
and a row per revision bump to ``revision_deltas`` instead of updating a cohort's
shared rows; readers add the rows not yet folded, and a background fold moves them
into ``counts``, ``item_respondents``, ``exercise_respondents`` and
``cohorts.revision`` (see ``peerkit.server.aggregates`` and
``peerkit.server.revisions``). SQLite (one writer) keeps writing the counts
directly; the tables are made there too so both stores have one layout.

Revision ID: 0006_answer_path
Revises: 0003_live_tools
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_answer_path"
down_revision = "0005_research_consent"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "count_deltas",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target", sa.String(1), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False, server_default=""),
        sa.Column("value_key", sa.String(200), nullable=False, server_default=""),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("from_files", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("count_deltas_by_cohort", "count_deltas", ["cohort_id", "target", "exercise"])
    op.create_table(
        "revision_deltas",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("revision_deltas_by_cohort", "revision_deltas", ["cohort_id"])


def downgrade() -> None:
    op.drop_index("revision_deltas_by_cohort", "revision_deltas")
    op.drop_table("revision_deltas")
    op.drop_index("count_deltas_by_cohort", "count_deltas")
    op.drop_table("count_deltas")
