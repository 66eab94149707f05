"""Trainer sessions and sign-in codes; API tokens that expire; one member per hub user; joining locked; the
learners' group snapshots (issue 19).

- ``trainer_sessions``: a browser's sign-in (the cookie holds a random id, the store its SHA-256), with its CSRF
  token, idle and absolute expiry, and for a hub trainer the hub user it belongs to and when the hub's groups
  were last asked.
- ``sign_in_codes``: short-lived single-use codes a page exchanges for a session (SHA-256 only).
- ``trainer_tokens.expires_at``: every API token now expires; tokens made before this migration expire 90 days
  after it.
- ``trainers.hub_user``: a hub trainer is known by their whole hub name (the old id ``hub-`` + 35 characters
  could be shared by two people); their rows move to the new id.
- ``learners.hub_key``: on a hub, an HMAC of the hub user's name, unique per cohort: one member per person.
- ``cohorts.joining_locked``: the trainer closed the door once the room is in.
- ``learner_snapshots``: what learner tokens read of the group, per item; it moves only after enough changes.

Revision ID: 0004_trainer_sessions
Revises: 0003_live_tools (the lead chains it after the other 0004+ migrations)
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "0004_trainer_sessions"
down_revision = "0003_live_tools"
branch_labels = None
depends_on = None


def _hub_trainer_id(hub_name: str) -> str:
    # the same rule as peerkit.server.tokens.hub_trainer_id (a migration must not import the app)
    return "hub-" + hashlib.sha256(hub_name.encode("utf-8")).hexdigest()[:32]


def upgrade() -> None:
    op.create_table(
        "trainer_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Column("hub_user", sa.String(255)),
        sa.Column("hub_checked", sa.BigInteger),
        sa.Column("agent", sa.String(120), nullable=False, server_default=""),
    )
    op.create_index("trainer_sessions_by_trainer", "trainer_sessions", ["trainer_id"])
    op.create_table(
        "sign_in_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Column("hub_user", sa.String(255)),
    )
    op.create_table(
        "learner_snapshots",
        sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "exercise", "item"),
    )
    # plain ADD COLUMN (no batch copy: on SQLite a copy drops the old table, and its foreign keys cascade)
    op.add_column("trainer_tokens", sa.Column("expires", sa.BigInteger))
    op.add_column("trainers", sa.Column("hub_user", sa.String(255)))
    op.add_column("learners", sa.Column("hub_key", sa.String(64)))
    op.create_index("learners_one_hub_user", "learners", ["cohort_id", "hub_key"], unique=True)
    op.add_column("cohorts", sa.Column("joining_locked", sa.Boolean, nullable=False, server_default=sa.false()))

    conn = op.get_bind()
    later = int((datetime.now(timezone.utc) + timedelta(days=90)).timestamp())
    conn.execute(sa.text("UPDATE trainer_tokens SET expires = :later WHERE expires IS NULL"), {"later": later})
    # hub trainers: move each old "hub-<35 characters>" row to the id of the whole hub name it holds
    trainers = sa.table("trainers", sa.column("id"), sa.column("name"), sa.column("created_at"),
                        sa.column("hub_user"))
    for row in conn.execute(sa.select(trainers.c.id, trainers.c.name, trainers.c.created_at)
                            .where(trainers.c.id.like("hub-%"))).all():
        new_id = _hub_trainer_id(row.name)
        if new_id == row.id:
            continue
        conn.execute(sa.insert(trainers).values(id=new_id, name=row.name, created_at=row.created_at,
                                                hub_user=row.name))
        for table in ("cohorts", "trainer_tokens"):
            conn.execute(sa.text(f"UPDATE {table} SET trainer_id = :new WHERE trainer_id = :old"),
                         {"new": new_id, "old": row.id})
        conn.execute(sa.delete(trainers).where(trainers.c.id == row.id))


def downgrade() -> None:
    op.drop_index("learners_one_hub_user", "learners")
    for table, column in (("cohorts", "joining_locked"), ("learners", "hub_key"), ("trainers", "hub_user"),
                          ("trainer_tokens", "expires")):
        op.drop_column(table, column)
    for table in ("learner_snapshots", "sign_in_codes", "trainer_sessions"):
        op.drop_table(table)
