"""Who is asking: bearer tokens for learners (``pkl_``) and trainers (``pkt_``), and hub users.

A token is ``pkl_`` or ``pkt_`` followed by 43 characters of ``secrets.token_urlsafe(32)``
(256 random bits). The store keeps only its SHA-256, so a copy of the store hands
out no working token. Routes ask for a :class:`Principal` through the FastAPI
dependencies :func:`learner` and :func:`trainer`; a missing or unknown token is a
401, the wrong role a 403.

Who a request comes from is asked of the app's list of authenticators
(``app.state.authenticators``, by default :data:`AUTHENTICATORS`: the learner or
trainer bearer token, then the trainer's sign-in cookie), in order; the first that
names someone wins. Each is ``async (request) -> Principal | None`` and raises a
:class:`~peerkit.server.problems.Problem` to refuse outright. On a JupyterHub
(``ServerSettings.hub``) :func:`peerkit.server.app.create_app` appends
:func:`peerkit.server.hub.hub_principal`, which asks the hub and returns a trainer
:class:`Principal` (see :func:`hub_trainer`) or ``None``.

>>> token = new_token("pkl_")
>>> token.startswith("pkl_"), len(token) >= 4 + 43
(True, True)
"""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from collections.abc import Awaitable, Callable
from typing import Literal

import sqlalchemy as sa
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..timestamps import format_moment, now
from . import db
from .problems import Problem

LEARNER_PREFIX = "pkl_"
TRAINER_PREFIX = "pkt_"
#: Cookie the sign-in link sets for the projector page (holds the trainer token itself, HttpOnly).
TRAINER_COOKIE = "peerkit_trainer"
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

    @property
    def learner_id(self) -> int:
        assert self.role == "learner"
        return int(self.id)


def new_token(prefix: str) -> str:
    """A fresh bearer token (``prefix`` + 256 random bits)."""
    return prefix + secrets.token_urlsafe(32)


def new_trainer(conn: sa.Connection, name: str, trainer_id: str | None = None) -> tuple[str, str]:
    """Add a trainer (or, for an existing ``trainer_id``, a new token); returns ``(trainer_id, token)``."""
    name = " ".join(str(name).split())[:200]
    if not name:
        raise ValueError("A trainer needs a name (it is shown only to the trainer and the server's owner).")
    trainer_id = trainer_id or "trainer-" + secrets.token_hex(6)
    stamp = format_moment(now())
    exists = conn.execute(sa.select(db.trainers.c.id).where(db.trainers.c.id == trainer_id)).first()
    if not exists:
        conn.execute(sa.insert(db.trainers).values(id=trainer_id, name=name, created_at=stamp))
    token = new_token(TRAINER_PREFIX)
    conn.execute(sa.insert(db.trainer_tokens).values(token_hash=db.token_hash(token), trainer_id=trainer_id,
                                                     created_at=stamp))
    return trainer_id, token


def hub_trainer(engine: sa.Engine, hub_name: str) -> Principal:
    """The trainer :class:`Principal` of hub user ``hub_name`` (a trainer row ``hub-<name>`` made on first use).

    For ``peerkit.server.hub.hub_principal``: hub trainers own cohorts like any other.
    """
    trainer_id = "hub-" + hub_name[:35]

    def ensure(conn: sa.Connection) -> None:
        if not conn.execute(sa.select(db.trainers.c.id).where(db.trainers.c.id == trainer_id)).first():
            conn.execute(sa.insert(db.trainers).values(id=trainer_id, name=hub_name[:200],
                                                       created_at=format_moment(now())))

    with db.reading(engine) as conn:
        known = conn.execute(sa.select(db.trainers.c.id).where(db.trainers.c.id == trainer_id)).first()
    if not known:
        db.write(engine, ensure)
    return Principal("trainer", trainer_id, hub_name)


def bearer_token(request: Request) -> str | None:
    match = _BEARER.match(request.headers.get("authorization", ""))
    return match.group(1) if match else None


def principal_for_token(engine: sa.Engine, token: str) -> Principal | None:
    """The learner or trainer holding ``token``, or ``None``."""
    if token.startswith(LEARNER_PREFIX):
        query = sa.select(db.learners.c.id, db.learners.c.cohort_id, db.learners.c.pseudonym).where(
            db.learners.c.token_hash == db.token_hash(token))
        with db.reading(engine) as conn:
            row = conn.execute(query).first()
        return Principal("learner", str(row.id), cohort_id=row.cohort_id, pseudonym=row.pseudonym) if row else None
    if token.startswith(TRAINER_PREFIX):
        query = (sa.select(db.trainers.c.id, db.trainers.c.name)
                 .join(db.trainer_tokens, db.trainer_tokens.c.trainer_id == db.trainers.c.id)
                 .where(db.trainer_tokens.c.token_hash == db.token_hash(token)))
        with db.reading(engine) as conn:
            row = conn.execute(query).first()
        return Principal("trainer", row.id, row.name) if row else None
    return None


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


async def bearer_authenticator(request: Request) -> Principal | None:
    """A learner (``pkl_``) or trainer (``pkt_``) bearer token of ours."""
    token = bearer_token(request)
    if not token or not token.startswith((LEARNER_PREFIX, TRAINER_PREFIX)):
        return None
    if token.startswith(LEARNER_PREFIX):
        return await learner_for_token(request.app.state.engine, token)
    return await run_in_threadpool(principal_for_token, request.app.state.engine, token)


async def cookie_authenticator(request: Request) -> Principal | None:
    """The trainer's sign-in cookie (the projector's pages), only on a request with no ``Authorization``."""
    token = request.cookies.get(TRAINER_COOKIE, "")
    if request.headers.get("authorization") or not token.startswith(TRAINER_PREFIX):
        return None
    return await run_in_threadpool(principal_for_token, request.app.state.engine, token)


#: Something that says who a request comes from (``None``: not its kind of credential, or unknown).
Authenticator = Callable[[Request], Awaitable["Principal | None"]]
#: Every server's authenticators, in order; hub mode appends its own to the app's copy.
AUTHENTICATORS: tuple[Authenticator, ...] = (bearer_authenticator, cookie_authenticator)


async def current_principal(request: Request) -> Principal | None:
    """Whoever the app's authenticators say the request comes from (the first that knows); ``None`` if nobody."""
    cached = getattr(request.state, "principal", False)
    if cached is not False:
        return cached
    principal = None
    for authenticator in getattr(request.app.state, "authenticators", AUTHENTICATORS):
        principal = await authenticator(request)
        if principal is not None:
            break
    request.state.principal = principal
    return principal


def _not_signed_in(detail: str) -> Problem:
    return Problem(401, "not-signed-in", "Not signed in", detail, headers={"WWW-Authenticate": "Bearer"})


async def learner(request: Request) -> Principal:
    """Dependency: the learner making this request (401 without a working learner token, 403 for a trainer)."""
    principal = await current_principal(request)
    if principal is None:
        raise _not_signed_in("This needs your learner token: join the cohort with its code first. If you left "
                             "the cohort or it was deleted, the old token no longer works.")
    if principal.role != "learner":
        raise Problem(403, "learners-only", "Learners only", "Only a learner who joined a cohort can do this.")
    return principal


async def trainer(request: Request) -> Principal:
    """Dependency: the trainer making this request (401 without a working trainer token, 403 for a learner)."""
    principal = await current_principal(request)
    if principal is None:
        raise _not_signed_in("This needs a trainer token (pkt_…): run `peerkit trainer add NAME` on the server.")
    if principal.role != "trainer":
        raise Problem(403, "trainers-only", "Trainers only", "Only the cohort's trainer can see or do this.")
    return principal
