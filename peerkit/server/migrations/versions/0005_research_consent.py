"""Research consent per learner (issue 21): off by default, set by the learner, carried to the export.

Revision ID: 0005_research_consent
Revises: 0003_live_tools
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_research_consent"
# the lead chains the migrations of this session at merge time
down_revision = "0004_trainer_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.add_column(sa.Column("research_consent", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("research_consent_at", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("research_consent_at")
        batch.drop_column("research_consent")
