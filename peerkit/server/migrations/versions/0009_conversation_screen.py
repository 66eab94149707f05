"""The room's practice-conversation screen is called ``conversation``: a store's ``session_state.screen`` rows
that still name it by the exercise kind's word are rewritten.

The screen (0007_room's ``screen`` column, one of :data:`peerkit.server.live_tools.tables.SCREENS`) was named
after the exercise kind it plays, so the server kept a kind's name as its own word (the kind rule's checks
had to let it through). Only the stored screen id changes: ``scenario_runs`` (0008) names no screen. The
words are written once, in the SQL, as stored values; a downgrade writes the old word back.

Revision ID: 0009_conversation_screen
Revises: 0008_scenarios
"""
from __future__ import annotations

from alembic import op

revision = "0009_conversation_screen"
down_revision = "0008_scenarios"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE session_state SET screen = 'conversation' WHERE screen = 'scenario'")


def downgrade() -> None:
    op.execute("UPDATE session_state SET screen = 'scenario' WHERE screen = 'conversation'")
