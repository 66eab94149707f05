"""The first layout: trainers, cohorts, learners, answers, incremental counts, join attempts.

Revision ID: 0001
Revises:
Frozen: never edit a migration once released; add a new one.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trainers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "trainer_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code_hmac", sa.String(64), nullable=False, unique=True),
        sa.Column("code_sealed", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("min_group_size", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("closed_at", sa.String(40)),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index("cohorts_by_trainer", "cohorts", ["trainer_id"])
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("joined_at", sa.String(40), nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.UniqueConstraint("cohort_id", "pseudonym", name="learners_one_pseudonym"),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("learner_id", "exercise", "item", name="answers_one_per_item"),
    )
    op.create_index("answers_by_exercise", "answers", ["cohort_id", "exercise"])
    op.create_table(
        "counts",
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("value_key", sa.String(200), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "exercise", "item", "value_key"),
    )
    op.create_table(
        "item_respondents",
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("from_files", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("cohort_id", "exercise", "item"),
    )
    op.create_table(
        "exercise_respondents",
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "exercise"),
    )
    op.create_table(
        "join_attempts",
        sa.Column("bucket", sa.String(160), primary_key=True),
        sa.Column("window_start", sa.BigInteger, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("join_attempts", "exercise_respondents", "item_respondents", "counts", "answers", "learners",
                  "cohorts", "trainer_tokens", "trainers"):
        op.drop_table(table)
