"""Who is asking: the authenticators, and the FastAPI dependencies :func:`learner` and :func:`trainer`.

Routes ask for a :class:`~peerkit.server.tokens.Principal` through the dependencies
:func:`learner` and :func:`trainer`; a missing or unknown credential is a 401, the
wrong role a 403.

Who a request comes from is asked of the app's list of authenticators
(``app.state.authenticators``, by default :data:`AUTHENTICATORS`: the learner or
trainer bearer token, then the trainer's browser session), in order; the first that
names someone wins. Each is ``async (request) -> Principal | None`` and raises a
:class:`~peerkit.server.problems.Problem` to refuse outright. On a JupyterHub
(``ServerSettings.hub``) :func:`peerkit.server.app.create_app` appends
:func:`peerkit.server.hub.hub_principal`, which asks the hub and returns a trainer
:class:`~peerkit.server.tokens.Principal` (see :func:`~peerkit.server.tokens.hub_trainer`) or ``None``.

The credentials themselves live beside this module, one concept each: what a bearer token
stands for (:mod:`peerkit.server.tokens`), the trainer's browser sessions and sign-in codes
(:mod:`peerkit.server.browser_sessions`), and whether a cookie-signed request came from the
server's own pages (:mod:`peerkit.server.same_origin`): import each name from its own module.
"""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from . import db
from .browser_sessions import SESSION_COOKIE, session_principal, touch_session
from .problems import Problem
from .same_origin import from_own_page
from .tokens import LEARNER_PREFIX, TRAINER_PREFIX, Principal, bearer_token, learner_for_token, principal_for_token


async def bearer_authenticator(request: Request) -> Principal | None:
    """A learner (``pkl_``) or trainer (``pkt_``) bearer token of ours."""
    token = bearer_token(request)
    if not token or not token.startswith((LEARNER_PREFIX, TRAINER_PREFIX)):
        return None
    if token.startswith(LEARNER_PREFIX):
        return await learner_for_token(request.app.state.engine, token)
    return await run_in_threadpool(principal_for_token, request.app.state.engine, token)


async def cookie_authenticator(request: Request) -> Principal | None:
    """The trainer's browser session (:data:`~peerkit.server.browser_sessions.SESSION_COOKIE`), only on a
    request with no ``Authorization``.

    Checked on every request: the session exists and has not expired; it comes from our own page
    (:func:`~peerkit.server.same_origin.from_own_page`); on a hub, the hub still counts its user as a trainer
    (asked at most ``ServerSettings.hub_recheck_seconds`` apart, by ``app.state.hub_recheck``).
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


async def _in_role(request: Request, role: str, missing: str, wrong: tuple[str, str, str]) -> Principal:
    """Whoever makes the request, if a ``role``: else 401 saying ``missing``, or 403 ``(slug, title, detail)``."""
    principal = await current_principal(request)
    if principal is None:
        raise _not_signed_in(missing)
    if principal.role != role:
        raise Problem(403, *wrong)
    return principal


async def learner(request: Request) -> Principal:
    """Dependency: the learner making this request (401 without a working learner token, 403 for a trainer)."""
    return await _in_role(request, "learner",
                          "This needs your learner token: join the cohort with its code first. If you left "
                          "the cohort or it was deleted, the old token no longer works.",
                          ("learners-only", "Learners only", "Only a learner who joined a cohort can do this."))


async def trainer(request: Request) -> Principal:
    """Dependency: the trainer making this request (401 without a working trainer token, 403 for a learner)."""
    return await _in_role(request, "trainer",
                          "This needs a trainer token (pkt_…, run `peerkit trainer add NAME` on the server) or a "
                          "sign-in on this browser (it may have ended: sign in again).",
                          ("trainers-only", "Trainers only", "Only the cohort's trainer can see or do this."))
