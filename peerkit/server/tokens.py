"""Bearer tokens and who they name: learners (``pkl_``), trainers (``pkt_``), and hub trainers.

A token is ``pkl_`` or ``pkt_`` followed by 43 characters of ``secrets.token_urlsafe(32)``
(256 random bits). The store keeps only its SHA-256, so a copy of the store hands
out no working token. Trainer API tokens (``pkt_``) expire (:data:`TOKEN_DAYS` by
default; ``peerkit trainer list`` and ``revoke``). A worker keeps what a learner token
stands for a few seconds (:data:`TOKEN_CACHE_SECONDS`), so a request does not look it up again.

Who asks with a token is decided by the authenticators of :mod:`peerkit.server.auth`;
this module only knows what a token stands for.

>>> token = new_token("pkl_")
>>> token.startswith("pkl_"), len(token) >= 4 + 43
(True, True)
>>> hub_trainer_id("a" * 40) != hub_trainer_id("a" * 35 + "b" * 5)
True
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..timestamps import format_moment, now
from . import db

LEARNER_PREFIX = "pkl_"
TRAINER_PREFIX = "pkt_"
#: Days an API token works by default (``peerkit trainer add --days N``).
TOKEN_DAYS = 90
_BEARER = re.compile(r"^\s*Bearer\s+(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    role: Literal["learner", "trainer"]
    #: the trainer's id (trainers), or the learner's row id as text (learners)
    id: str
    name: str = ""
    #: learners only: their cohort and pseudonym
    cohort_id: str | None = None
    pseudonym: str | None = None
    #: the credential used (a session id's or a token's hash): event streams are counted per credential
    credential: str = ""
    #: a browser session only: its CSRF token (the pages put it in their ``<meta name="peerkit-csrf">``)
    csrf: str = ""
    #: a hub trainer's hub name (trainers signed in by the hub)
    hub_user: str | None = None

    @property
    def learner_id(self) -> int:
        assert self.role == "learner"
        return int(self.id)


def new_token(prefix: str) -> str:
    """A fresh bearer token (``prefix`` + 256 random bits)."""
    return prefix + secrets.token_urlsafe(32)


def expired(expires: int | None, moment: int) -> bool:
    """Whether a credential with this expiry (seconds since the epoch; ``None``: never) has ended at ``moment``."""
    return expires is not None and int(expires) <= moment


def new_trainer(conn: sa.Connection, name: str, trainer_id: str | None = None,
                days: int = TOKEN_DAYS) -> tuple[str, str]:
    """Add a trainer (or, for an existing ``trainer_id``, a new token); returns ``(trainer_id, token)``.

    The token works for ``days`` days (``peerkit trainer revoke`` ends it sooner).
    """
    name = " ".join(str(name).split())[:200]
    if not name:
        raise ValueError("A trainer needs a name (it is shown only to the trainer and the server's owner).")
    if not 1 <= int(days) <= 3650:
        raise ValueError("A token works for 1 to 3650 days.")
    trainer_id = trainer_id or "trainer-" + secrets.token_hex(6)
    stamp = format_moment(now())
    exists = conn.execute(sa.select(db.trainers.c.id).where(db.trainers.c.id == trainer_id)).first()
    if not exists:
        conn.execute(sa.insert(db.trainers).values(id=trainer_id, name=name, created_at=stamp))
    token = new_token(TRAINER_PREFIX)
    conn.execute(sa.insert(db.trainer_tokens).values(token_hash=db.token_hash(token), trainer_id=trainer_id,
                                                     created_at=stamp, expires=int(time.time()) + 86400 * int(days)))
    return trainer_id, token


def hub_trainer_id(hub_name: str) -> str:
    """The trainer id of hub user ``hub_name``: ``hub-`` and 32 hex digits of the SHA-256 of the whole name."""
    return "hub-" + hashlib.sha256(hub_name.encode("utf-8")).hexdigest()[:32]


def hub_trainer(engine: sa.Engine, hub_name: str) -> Principal:
    """The trainer :class:`Principal` of hub user ``hub_name`` (a trainer row made on first use).

    For ``peerkit.server.hub.hub_principal``: hub trainers own cohorts like any other.
    Two hub users are two trainers whatever their names share (:func:`hub_trainer_id`).
    """
    trainer_id = hub_trainer_id(hub_name)

    def ensure(conn: sa.Connection) -> None:
        if not conn.execute(sa.select(db.trainers.c.id).where(db.trainers.c.id == trainer_id)).first():
            conn.execute(sa.insert(db.trainers).values(id=trainer_id, name=hub_name[:200], hub_user=hub_name,
                                                       created_at=format_moment(now())))

    with db.reading(engine) as conn:
        known = conn.execute(sa.select(db.trainers.c.id).where(db.trainers.c.id == trainer_id)).first()
    if not known:
        db.write(engine, ensure)
    return Principal("trainer", trainer_id, hub_name, hub_user=hub_name)


def bearer_token(request: Request) -> str | None:
    """The token of the request's ``Authorization: Bearer …`` header, or ``None``."""
    match = _BEARER.match(request.headers.get("authorization", ""))
    return match.group(1) if match else None


def principal_for_token(engine: sa.Engine, token: str) -> Principal | None:
    """The learner or trainer holding ``token``, or ``None``."""
    if token.startswith(LEARNER_PREFIX):
        query = sa.select(db.learners.c.id, db.learners.c.cohort_id, db.learners.c.pseudonym).where(
            db.learners.c.token_hash == db.token_hash(token))
        with db.reading(engine) as conn:
            row = conn.execute(query).first()
        return Principal("learner", str(row.id), cohort_id=row.cohort_id, pseudonym=row.pseudonym,
                         credential=str(row.id)) if row else None
    if token.startswith(TRAINER_PREFIX):
        token_hash = db.token_hash(token)
        query = (sa.select(db.trainers.c.id, db.trainers.c.name, db.trainer_tokens.c.expires)
                 .join(db.trainer_tokens, db.trainer_tokens.c.trainer_id == db.trainers.c.id)
                 .where(db.trainer_tokens.c.token_hash == token_hash))
        with db.reading(engine) as conn:
            row = conn.execute(query).first()
        if row is None or expired(row.expires, int(time.time())):
            return None
        return Principal("trainer", row.id, row.name, credential=token_hash)
    return None


# -- what a learner token stands for, kept a few seconds in this worker ---------------------------

#: Seconds a worker keeps what a learner token stands for, so a request does not look it up again.
#: Every write and read of a learner's own data checks the learner is still there, so leaving (or a
#: deleted cohort) stops a token at once; anything else a cached token could still do stops within this time.
TOKEN_CACHE_SECONDS = 5.0
_learner_tokens: dict[str, tuple[float, Principal]] = {}


def _cached_learner(token: str) -> Principal | None:
    found = _learner_tokens.get(token)
    if found is None:
        return None
    if found[0] < time.monotonic():
        _learner_tokens.pop(token, None)
        return None
    return found[1]


def remember_learner(token: str, principal: Principal) -> None:
    """Keep what the learner token (its hash) stands for, :data:`TOKEN_CACHE_SECONDS` in this worker."""
    if len(_learner_tokens) > 50_000:  # a bound on memory: start afresh (entries live 5 s anyway)
        _learner_tokens.clear()
    _learner_tokens[token] = (time.monotonic() + TOKEN_CACHE_SECONDS, principal)


def forget_learner(learner_id: int) -> None:
    """Drop a learner's cached token in this worker (they left)."""
    for token, (_, principal) in list(_learner_tokens.items()):
        if principal.role == "learner" and principal.id == str(learner_id):
            _learner_tokens.pop(token, None)


def cached_learner(token: str) -> Principal | None:
    """The learner a token stands for if this worker looked it up in the last few seconds, else None."""
    return _cached_learner(db.token_hash(token))


async def learner_for_token(engine: sa.Engine, token: str) -> Principal | None:
    """:func:`principal_for_token` for a learner token, kept :data:`TOKEN_CACHE_SECONDS` in this worker."""
    key = db.token_hash(token)
    principal = _cached_learner(key)
    if principal is None:
        principal = await run_in_threadpool(principal_for_token, engine, token)
        if principal is not None:
            remember_learner(key, principal)
    return principal
