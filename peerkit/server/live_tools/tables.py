"""The live-session tools' tables (issue 13), on the server's one :data:`peerkit.server.db.metadata`.

Migration ``0003_live_tools`` builds them. Every row belongs to a cohort and goes
with it (``ON DELETE CASCADE``); a learner's poll answers and wall posts go when the
learner leaves. No table here holds a pseudonym: rows point at the learner's row id,
which never leaves the server.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..db import metadata

polls = sa.Table(
    "polls", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # "single", "multiple", "scale", "word"
    sa.Column("question", sa.String(300), nullable=False),
    sa.Column("options", sa.Text, nullable=False),  # JSON list of option texts ([] for scale and word polls)
    sa.Column("status", sa.String(8), nullable=False),  # "open" or "closed" (no more answers)
    sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Index("polls_by_cohort", "cohort_id"),
)

poll_answers = sa.Table(
    "poll_answers", metadata,
    sa.Column("poll_id", sa.Integer, sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("value", sa.Text, nullable=False),  # canonical JSON of the checked answer
    sa.Column("answered_at", sa.String(40), nullable=False),
    sa.PrimaryKeyConstraint("poll_id", "learner_id"),
)

walls = sa.Table(
    "walls", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("prompt", sa.String(300), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),  # "open" (takes posts) or "closed"
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Index("walls_by_cohort", "cohort_id"),
)

wall_posts = sa.Table(
    "wall_posts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("wall_id", sa.Integer, sa.ForeignKey("walls.id", ondelete="CASCADE"), nullable=False),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # already scrubbed of contact details: the raw text is never kept
    sa.Column("status", sa.String(10), nullable=False),  # "pending", "approved", "hidden"
    sa.Column("posted_at", sa.String(40), nullable=False),
    sa.Column("approved_at", sa.String(40)),
    sa.Index("wall_posts_by_wall", "wall_id", "status"),
)

session_state = sa.Table(
    "session_state", metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("chapter", sa.String(64)),  # where the trainer moved the session ("follow the trainer")
    sa.Column("exercise", sa.String(64)),
    sa.Column("moved_at", sa.String(40)),
    sa.Column("activity", sa.String(64)),  # the activity card on the projector (peerkit/data/activities.json)
    sa.Column("timer_ends_at", sa.String(40)),  # the server's end time of the countdown (ISO 8601, UTC)
    sa.Column("timer_seconds", sa.Integer),
    sa.Column("poll_id", sa.Integer, sa.ForeignKey("polls.id", ondelete="SET NULL")),  # the poll on show
    sa.Column("wall_id", sa.Integer, sa.ForeignKey("walls.id", ondelete="SET NULL")),  # the wall on show
    # added by migration 0007_room: the one thing the room's screen shows (SCREENS), and which chart and page
    sa.Column("screen", sa.String(16)),
    sa.Column("screen_exercise", sa.String(64)),
    sa.Column("screen_page", sa.Integer),
)


# added by migration 0007_room: the room's screen (what the projector shows) and shared texts moderated like the wall
room_texts = sa.Table(
    "room_texts", metadata,
    # one row per shared text answer; it goes with the answer (a learner who leaves or withdraws takes it along)
    sa.Column("answer_id", sa.Integer, sa.ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # scrubbed of contact details when it arrived
    sa.Column("status", sa.String(10), nullable=False),  # "pending", "approved", "hidden"
    sa.Column("arrived_at", sa.String(40), nullable=False),
    sa.Column("approved_at", sa.String(40)),
    sa.Index("room_texts_by_cohort", "cohort_id", "status"),
)

#: The views of the room's screen, in the order the presenter keys step through them (1-7).
SCREENS = ("join", "chart", "poll", "wall", "texts", "timer", "conversation")

#: Children first (the order a cohort's rows are deleted in, if a store lacks cascades).
LIVE_TOOL_TABLES = (room_texts, session_state, wall_posts, walls, poll_answers, polls)
