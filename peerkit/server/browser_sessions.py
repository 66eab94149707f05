"""A trainer's browser sessions and the single-use sign-in codes that start them; listing and revoking them.

A browser never holds a trainer's API token: the sign-in page exchanges a short-lived
single-use sign-in code (:func:`new_sign_in_code`, or the token pasted into the page's
form) by a POST for a server-side session (:func:`start_session`): a random id in an
HttpOnly, SameSite=Strict cookie (:data:`SESSION_COOKIE`), with an idle and an absolute
expiry, listed and revocable (:func:`sessions_of`, :func:`tokens_of`, :func:`revoke`:
``peerkit trainer list`` and ``revoke``), ended by signing out (:func:`end_session`).
The store keeps only the SHA-256 of a code or a session id.

Which request a session signs in is the business of
:func:`peerkit.server.auth.cookie_authenticator`.
"""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..timestamps import format_moment, now
from . import db
from .tokens import TRAINER_PREFIX, Principal, expired, new_token

SIGN_IN_PREFIX = "pkc_"
#: The browser session's cookie: a random id (HttpOnly, SameSite=Strict), never a token.
SESSION_COOKIE = "peerkit_session"
#: The old cookie that held the token itself; it is no longer read (and is deleted on sign-in).
TRAINER_COOKIE = "peerkit_trainer"
#: Seconds a sign-in code works (used once).
SIGN_IN_CODE_SECONDS = 10 * 60
#: A browser session ends after this long unused ...
SESSION_IDLE_SECONDS = 2 * 3600
#: ... and at the latest after a teaching day.
SESSION_MAX_SECONDS = 12 * 3600
#: A session's last use is written at most this often (a page polls; the store is not written per request).
_TOUCH_SECONDS = 60


def new_sign_in_code(conn: sa.Connection, trainer_id: str, hub_user: str | None = None,
                     seconds: int = SIGN_IN_CODE_SECONDS) -> str:
    """A single-use sign-in code for ``trainer_id``, working for ``seconds`` (the store keeps its SHA-256)."""
    code = new_token(SIGN_IN_PREFIX)
    moment = int(time.time())
    conn.execute(sa.delete(db.sign_in_codes).where(db.sign_in_codes.c.expires < moment))
    conn.execute(sa.insert(db.sign_in_codes).values(code_hash=db.token_hash(code), trainer_id=trainer_id,
                                                    expires=moment + seconds, hub_user=hub_user))
    return code


@dataclass(frozen=True)
class NewSession:
    """A session just started: ``id`` goes in the cookie (only there), ``csrf`` in the pages."""

    id: str
    csrf: str
    trainer_id: str


def start_session(engine: sa.Engine, secret: str, agent: str = "") -> NewSession | None:
    """Exchange a sign-in code (used up) or a working ``pkt_`` token for a new browser session; ``None`` if
    it does not work."""
    secret = secret.strip()
    moment = int(time.time())

    def work(conn: sa.Connection) -> NewSession | None:
        hub_user = None
        if secret.startswith(SIGN_IN_PREFIX):
            code_hash = db.token_hash(secret)
            row = conn.execute(sa.select(db.sign_in_codes).where(db.sign_in_codes.c.code_hash == code_hash)).first()
            # deleted whatever happens next: a code is used once, and never after its time
            if row is None or conn.execute(sa.delete(db.sign_in_codes).where(
                    db.sign_in_codes.c.code_hash == code_hash)).rowcount != 1 or row.expires < moment:
                return None
            trainer_id, hub_user = row.trainer_id, row.hub_user
        elif secret.startswith(TRAINER_PREFIX):
            row = conn.execute(sa.select(db.trainer_tokens).where(
                db.trainer_tokens.c.token_hash == db.token_hash(secret))).first()
            if row is None or expired(row.expires, moment):
                return None
            trainer_id = row.trainer_id
        else:
            return None
        session = NewSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), trainer_id)
        conn.execute(sa.delete(db.trainer_sessions).where(db.trainer_sessions.c.expires < moment))
        conn.execute(sa.insert(db.trainer_sessions).values(
            id_hash=db.token_hash(session.id), trainer_id=trainer_id, csrf=session.csrf,
            created_at=format_moment(now()), last_seen=moment, expires=moment + SESSION_MAX_SECONDS,
            hub_user=hub_user, hub_checked=moment if hub_user else None, agent=agent[:120]))
        return session

    return db.write(engine, work)


def end_session(engine: sa.Engine, session_id: str) -> bool:
    """Sign out: the session stops working at once."""
    return db.write(engine, lambda conn: conn.execute(sa.delete(db.trainer_sessions).where(
        db.trainer_sessions.c.id_hash == db.token_hash(session_id))).rowcount > 0)


def touch_session(engine: sa.Engine, row: sa.Row) -> None:
    """Note a session's use (at most once a minute: the pages poll, the store is not written per request)."""
    moment = int(time.time())
    if moment - int(row.last_seen) >= _TOUCH_SECONDS:
        db.write(engine, lambda conn: conn.execute(sa.update(db.trainer_sessions).where(
            db.trainer_sessions.c.id_hash == row.id_hash).values(last_seen=moment)))


def session_principal(engine: sa.Engine, session_id: str) -> tuple[Principal, sa.Row] | None:
    """The trainer of a live session (idle and absolute expiry checked; see :func:`touch_session`)."""
    id_hash = db.token_hash(session_id)
    moment = int(time.time())
    query = (sa.select(db.trainer_sessions, db.trainers.c.name)
             .join(db.trainers, db.trainers.c.id == db.trainer_sessions.c.trainer_id)
             .where(db.trainer_sessions.c.id_hash == id_hash))
    with db.reading(engine) as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.expires <= moment or row.last_seen + SESSION_IDLE_SECONDS <= moment:
        db.write(engine, lambda conn: conn.execute(sa.delete(db.trainer_sessions).where(
            db.trainer_sessions.c.id_hash == id_hash)))
        return None
    principal = Principal("trainer", row.trainer_id, row.name, credential=id_hash, csrf=row.csrf,
                          hub_user=row.hub_user)
    return principal, row


def sessions_of(conn: sa.Connection, trainer_id: str | None = None) -> list[dict[str, Any]]:
    """Live sessions (of one trainer, or all): ``{"id", "trainer", "created_at", "last_seen", "expires",
    "hub_user", "browser"}``; ``id`` is the first 12 hex digits of the hash (what ``revoke`` takes)."""
    query = sa.select(db.trainer_sessions).order_by(db.trainer_sessions.c.created_at)
    if trainer_id is not None:
        query = query.where(db.trainer_sessions.c.trainer_id == trainer_id)
    moment = int(time.time())
    return [{"id": r.id_hash[:12], "trainer": r.trainer_id, "created_at": r.created_at,
             "last_seen": int(r.last_seen), "expires": int(min(r.expires, r.last_seen + SESSION_IDLE_SECONDS)),
             "hub_user": r.hub_user, "browser": r.agent}
            for r in conn.execute(query) if r.expires > moment and r.last_seen + SESSION_IDLE_SECONDS > moment]


def tokens_of(conn: sa.Connection, trainer_id: str | None = None) -> list[dict[str, Any]]:
    """API tokens (of one trainer, or all): ``{"id", "trainer", "name", "created_at", "expires", "expired"}``."""
    query = (sa.select(db.trainer_tokens, db.trainers.c.name)
             .join(db.trainers, db.trainers.c.id == db.trainer_tokens.c.trainer_id)
             .order_by(db.trainer_tokens.c.created_at))
    if trainer_id is not None:
        query = query.where(db.trainer_tokens.c.trainer_id == trainer_id)
    moment = int(time.time())
    return [{"id": r.token_hash[:12], "trainer": r.trainer_id, "name": r.name, "created_at": r.created_at,
             "expires": r.expires, "expired": expired(r.expires, moment)} for r in conn.execute(query)]


def revoke(conn: sa.Connection, short_id: str, trainer_id: str | None = None) -> int:
    """Revoke the token or session whose id (from :func:`tokens_of` / :func:`sessions_of`) is ``short_id``, or
    every token and session of the trainer ``short_id``; returns how many ended."""
    short_id = short_id.strip().lower()
    ended = 0
    if re.fullmatch(r"[0-9a-f]{12}", short_id):
        for table, column in ((db.trainer_tokens, db.trainer_tokens.c.token_hash),
                              (db.trainer_sessions, db.trainer_sessions.c.id_hash)):
            where = [column.like(short_id + "%")]
            if trainer_id is not None:
                where.append(table.c.trainer_id == trainer_id)
            ended += conn.execute(sa.delete(table).where(*where)).rowcount
        return ended
    if trainer_id is not None and short_id != trainer_id:
        return 0
    for table in (db.trainer_tokens, db.trainer_sessions, db.sign_in_codes):
        ended += conn.execute(sa.delete(table).where(table.c.trainer_id == short_id)).rowcount
    return ended
