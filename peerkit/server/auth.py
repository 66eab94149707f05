"""Who is asking: bearer tokens for learners (``pkl_``) and trainers (``pkt_``), and hub users.

A token is ``pkl_`` or ``pkt_`` followed by 43 characters of ``secrets.token_urlsafe(32)``
(256 random bits). The store keeps only its SHA-256, so a copy of the store hands
out no working token. Routes ask for a :class:`Principal` through the FastAPI
dependencies :func:`learner` and :func:`trainer`; a missing or unknown token is a
401, the wrong role a 403.

Who a request comes from is asked of the app's list of authenticators
(``app.state.authenticators``, by default :data:`AUTHENTICATORS`: the learner or
trainer bearer token, then the trainer's browser session), in order; the first that
names someone wins. Each is ``async (request) -> Principal | None`` and raises a
:class:`~peerkit.server.problems.Problem` to refuse outright. On a JupyterHub
(``ServerSettings.hub``) :func:`peerkit.server.app.create_app` appends
:func:`peerkit.server.hub.hub_principal`, which asks the hub and returns a trainer
:class:`Principal` (see :func:`hub_trainer`) or ``None``.

Trainer API tokens (``pkt_``) expire (:data:`TOKEN_DAYS` by default; ``peerkit trainer
list`` and ``revoke``). A browser never holds one: the sign-in page exchanges a
short-lived single-use sign-in code (:func:`new_sign_in_code`, or the token pasted
into the page's form) by a POST for a server-side session (:func:`start_session`):
a random id in an HttpOnly, SameSite=Strict cookie (:data:`SESSION_COOKIE`), with an
idle and an absolute expiry, listed and revocable, ended by signing out. A request
signed in by that cookie is taken only from the server's own pages
(:func:`cookie_authenticator`): it must carry the session's CSRF token in
``X-Peerkit-CSRF``, except a page the browser navigates to (``Sec-Fetch-Mode:
navigate``) and the same-origin event stream, which change nothing.

>>> token = new_token("pkl_")
>>> token.startswith("pkl_"), len(token) >= 4 + 43
(True, True)
>>> hub_trainer_id("a" * 40) != hub_trainer_id("a" * 35 + "b" * 5)
True
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..timestamps import format_moment, now
from . import db
from .problems import Problem

LEARNER_PREFIX = "pkl_"
TRAINER_PREFIX = "pkt_"
SIGN_IN_PREFIX = "pkc_"
#: The browser session's cookie: a random id (HttpOnly, SameSite=Strict), never a token.
SESSION_COOKIE = "peerkit_session"
#: The old cookie that held the token itself; it is no longer read (and is deleted on sign-in).
TRAINER_COOKIE = "peerkit_trainer"
#: The header the pages send the session's CSRF token in.
CSRF_HEADER = "x-peerkit-csrf"
#: Days an API token works by default (``peerkit trainer add --days N``).
TOKEN_DAYS = 90
#: Seconds a sign-in code works (used once).
SIGN_IN_CODE_SECONDS = 10 * 60
#: A browser session ends after this long unused ...
SESSION_IDLE_SECONDS = 2 * 3600
#: ... and at the latest after a teaching day.
SESSION_MAX_SECONDS = 12 * 3600
#: A session's last use is written at most this often (a page polls; the store is not written per request).
_TOUCH_SECONDS = 60
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


# -- sign-in codes and browser sessions -----------------------------------------------------------

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
            if row is None or _expired(row.expires, moment):
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


def _expired(expires: int | None, moment: int) -> bool:
    return expires is not None and int(expires) <= moment


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
             "expires": r.expires, "expired": _expired(r.expires, moment)} for r in conn.execute(query)]


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
        return Principal("learner", str(row.id), cohort_id=row.cohort_id, pseudonym=row.pseudonym,
                         credential=str(row.id)) if row else None
    if token.startswith(TRAINER_PREFIX):
        token_hash = db.token_hash(token)
        query = (sa.select(db.trainers.c.id, db.trainers.c.name, db.trainer_tokens.c.expires)
                 .join(db.trainer_tokens, db.trainer_tokens.c.trainer_id == db.trainers.c.id)
                 .where(db.trainer_tokens.c.token_hash == token_hash))
        with db.reading(engine) as conn:
            row = conn.execute(query).first()
        if row is None or _expired(row.expires, int(time.time())):
            return None
        return Principal("trainer", row.id, row.name, credential=token_hash)
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


def _cross_site(detail: str) -> Problem:
    return Problem(403, "cross-site", "Not from this page", detail)


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def from_another_site(request: Request) -> bool:
    """True when the browser says the request was made by another origin's page.

    ``Sec-Fetch-Site`` (set by the browser, never by a page's script) is believed when present; an older
    browser's ``Origin`` is compared with ours instead (pages of ours send no referrer, so a form of ours may say
    ``Origin: null``, which only counts where ``Sec-Fetch-Site`` is missing).
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site != "same-origin"
    origin = request.headers.get("origin")
    return origin is not None and origin != own_origin(request)


def from_own_page(request: Request, csrf: str) -> None:
    """Refuse a cookie-signed request that the server's own pages did not send (403, before anything is read
    or changed).

    Accepted: a request carrying the session's CSRF token (``X-Peerkit-CSRF``; only our pages know it), not from
    another origin (:func:`from_another_site`); a page the browser itself navigates to (``GET``,
    ``Sec-Fetch-Mode: navigate``, or a browser too old to say; not the pages' live parts), which another page
    cannot read; the cohort's
    event stream from this origin (an ``EventSource`` cannot send a header; it carries revision numbers only).
    """
    api = "/api/v1/" in request.url.path
    # the pages' live parts are only ever fetched by the pages' scripts, never navigated to
    part = request.url.path.endswith(("/live", "/tools"))
    if request.method in ("GET", "HEAD") and not api and not part \
            and request.headers.get("sec-fetch-mode") in (None, "navigate"):
        return
    if from_another_site(request):
        raise _cross_site("This request came from another site's page, not from the projector page.")
    sent = request.headers.get(CSRF_HEADER, "")
    if sent and hmac.compare_digest(sent.encode(), csrf.encode()):
        return
    if request.method in ("GET", "HEAD") and api and request.url.path.endswith("/events"):
        return
    raise _cross_site("Use the buttons on the projector page (this request did not carry the page's token).")


async def cookie_authenticator(request: Request) -> Principal | None:
    """The trainer's browser session (:data:`SESSION_COOKIE`), only on a request with no ``Authorization``.

    Checked on every request: the session exists and has not expired; it comes from our own page
    (:func:`from_own_page`); on a hub, the hub still counts its user as a trainer (asked at most
    ``ServerSettings.hub_recheck_seconds`` apart, by ``app.state.hub_recheck``).
    """
    session_id = request.cookies.get(SESSION_COOKIE, "")
    if request.headers.get("authorization") or not session_id or len(session_id) > 100:
        return None
    found = await run_in_threadpool(session_principal, request.app.state.engine, session_id)
    if found is None:
        return None
    principal, row = found
    from_own_page(request, principal.csrf)
    recheck = getattr(request.app.state, "hub_recheck", None)
    if row.hub_user:
        every = getattr(request.app.state.settings, "hub_recheck_seconds", 60)
        moment = int(time.time())
        if recheck is None:
            return None  # a hub session on a server that is no longer a hub service
        if row.hub_checked is None or moment - int(row.hub_checked) >= every:
            engine = request.app.state.engine
            if not await recheck(row.hub_user):
                await run_in_threadpool(db.write, engine, lambda conn: conn.execute(
                    sa.delete(db.trainer_sessions).where(db.trainer_sessions.c.hub_user == row.hub_user)))
                return None
            await run_in_threadpool(db.write, engine, lambda conn: conn.execute(
                sa.update(db.trainer_sessions).where(db.trainer_sessions.c.id_hash == row.id_hash)
                .values(hub_checked=moment)))
    await run_in_threadpool(touch_session, request.app.state.engine, row)  # only a request we take counts
    return principal


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
        raise _not_signed_in("This needs a trainer token (pkt_…, run `peerkit trainer add NAME` on the server) or a "
                              "sign-in on this browser (it may have ended: sign in again).")
    if principal.role != "trainer":
        raise Problem(403, "trainers-only", "Trainers only", "Only the cohort's trainer can see or do this.")
    return principal
