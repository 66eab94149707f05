"""The server's web pages: the projector page, the trainer's sign-in, and the phone page for learners.

The pages' helpers (rendering, the base path, who is signed in) are in :mod:`peerkit.server.web`.

- ``GET /sign-in`` is the sign-in page. A sign-in link is ``/sign-in#code=pkc_…``: the
  code is in the fragment, which the browser never sends (no server or proxy log sees
  it); the page's script takes it out of the address bar and the history
  (``history.replaceState``) and POSTs it. ``POST /sign-in`` exchanges the single-use
  code (or a trainer token pasted into the form) for a browser session
  (:func:`peerkit.server.auth.start_session`): a random id in an HttpOnly,
  SameSite=Strict cookie, then redirects to ``next`` (a page of this server only).
  An old link with ``?token=`` in its address is refused, unread.
- ``POST /sign-out`` (the page's form, with its CSRF token) ends the session.
- ``GET /projector`` lists the trainer's cohorts; ``GET /projector/{id}`` is the
  page for the room: join code and address large, a QR code of the address,
  counts, the most divided items, the charts and the shared texts. It listens to
  ``/api/v1/cohorts/{id}/events`` (server-sent events, the sign-in cookie
  authenticates it) and fetches ``/projector/{id}/live`` on each revision.
- ``POST /projector/{id}/texts/{answer id}/hide`` (and ``/show``) keep a shared
  text off the projector; only with the cookie and a same-origin request.
- ``GET /`` is the phone page: a learner with only a phone joins with the code (the
  page makes the pseudonym) and answers the choice and rating exercises in plain
  HTML forms that post to the learner API.
"""
from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import parse_qs

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ...exercises import ContentError, exercise_ids, load_exercise
from ...kinds import kind_of
from .. import db
from ..auth import (CSRF_HEADER, SESSION_COOKIE, SESSION_MAX_SECONDS, SIGN_IN_PREFIX, TRAINER_COOKIE, TRAINER_PREFIX,
                    end_session, from_another_site, session_principal, start_session)
from ..cohorts import list_for, owned, unseal_code
from ..problems import Problem
from ..projector import live_state
from ..trainer_data import set_hidden
from ..web import (base_path, learner_address, not_yours_page, qr_svg, render, sign_in_page,
                   signed_in_trainer)

router = APIRouter(include_in_schema=False)


# -- trainer sign-in ------------------------------------------------------------------------

#: Where ``/sign-in``'s ``next`` may lead: a page of this server, never another site.
_NEXT = re.compile(r"^/?projector(/cohort-[a-z0-9]{1,40}(/console)?)?$")
_OLD_LINK = ("That sign-in link is of an older kind: it held a token in its address. Sign-in links now hold a "
             "short-lived code instead. Make a new one with `peerkit trainer sign-in` on the server, or from the "
             "trainer's notebook (pk.live_session()).")


def _no_store(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/sign-in")
async def sign_in(request: Request) -> Response:
    if request.query_params.get("token") or request.query_params.get("code"):
        return sign_in_page(request, 400, _OLD_LINK)
    return sign_in_page(request, 200)


def _form(raw: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(raw.decode("utf-8"), max_num_fields=5, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {key: values[0] for key, values in fields.items() if values}


@router.post("/sign-in")
async def sign_in_post(request: Request) -> Response:
    """Exchange the code (or a pasted trainer token) for a browser session, from our own sign-in page only."""
    if from_another_site(request) and request.headers.get("sec-fetch-site") != "none":
        return sign_in_page(request, 403, "Sign in on this server's own sign-in page.")
    form = _form(await request.body())
    secret, target = form.get("code", "").strip(), form.get("next", "")
    agent = request.headers.get("user-agent", "")
    session = (await run_in_threadpool(start_session, request.app.state.engine, secret, agent)
               if secret.startswith((SIGN_IN_PREFIX, TRAINER_PREFIX)) and len(secret) < 100 else None)
    if session is None:
        return sign_in_page(request, 401, "That sign-in code does not work: it is used once and only for ten "
                                          "minutes. Make a new one (`peerkit trainer sign-in` on the server, or "
                                          "the trainer's notebook).")
    target = target.lstrip("/") if _NEXT.match(target) else "projector"
    response = RedirectResponse(base_path(request) + target, status_code=303)
    held = request.cookies.get(SESSION_COOKIE, "")
    kept = await run_in_threadpool(session_principal, request.app.state.engine, held) if held else None
    if kept is not None and kept[0].id == session.trainer_id:
        # this browser is signed in already (another tab): keep that session, whose token its pages hold
        await run_in_threadpool(end_session, request.app.state.engine, session.id)
        return _no_store(response)
    response.set_cookie(SESSION_COOKIE, session.id, max_age=SESSION_MAX_SECONDS, path=base_path(request),
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    response.delete_cookie(TRAINER_COOKIE, path=base_path(request))
    return _no_store(response)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """End this browser's session (the form sends the session's CSRF token, so no other page can)."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    found = await run_in_threadpool(session_principal, request.app.state.engine, session_id) if session_id else None
    if found is not None:
        sent = _form(await request.body()).get("csrf", "") or request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), found[0].csrf.encode()):
            raise Problem(403, "cross-site", "Not from this page", "Sign out from the page itself.")
        await run_in_threadpool(end_session, request.app.state.engine, session_id)
    response = RedirectResponse(base_path(request) + "sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=base_path(request))
    return _no_store(response)


# -- the projector ---------------------------------------------------------------------------

@router.get("/projector")
async def projector_list(request: Request) -> Response:
    who = await signed_in_trainer(request)
    if who is None:
        return sign_in_page(request)
    state = request.app.state
    cohorts = await run_in_threadpool(list_for, state.engine, state.secret, who.id)
    return render("cohorts.html", base=base_path(request), trainer=who.name, cohorts=cohorts, csrf=who.csrf)


def _live(engine: sa.Engine, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    with db.reading(engine) as conn:
        row = owned(conn, trainer_id, cohort_id)
        return {"row": row, **live_state(conn, row)}


@router.get("/projector/{cohort_id}")
async def projector(cohort_id: str, request: Request) -> Response:
    who = await signed_in_trainer(request)
    if who is None:
        return sign_in_page(request)
    state = request.app.state
    try:
        live = await run_in_threadpool(_live, state.engine, who.id, cohort_id)
    except Problem:
        return not_yours_page(request, cohort_id)
    row = live.pop("row")
    address = learner_address(request)
    return render("projector.html", base=base_path(request), cohort=row, join_code=unseal_code(state.secret,
                  row.code_sealed), address=address, qr=qr_svg(address), live=live, trainer=who.name,
                  csrf=who.csrf)


@router.get("/projector/{cohort_id}/live")
async def projector_live(cohort_id: str, request: Request) -> Response:
    """The live part of the projector page (HTML), fetched on every revision."""
    who = await signed_in_trainer(request)
    if who is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in again with your trainer link.")
    state = request.app.state
    live = await run_in_threadpool(_live, state.engine, who.id, cohort_id)
    row = live.pop("row")
    return render("projector_live.html", base=base_path(request), cohort=row, live=live)


@router.post("/projector/{cohort_id}/texts/{answer_id}/{action}")
async def hide_or_show(cohort_id: str, answer_id: int, action: str, request: Request) -> dict[str, Any]:
    if action not in ("hide", "show"):
        raise Problem(404, "not-found", "Not found", "Texts can be hidden or shown, nothing else.")
    who = await signed_in_trainer(request)
    if who is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in again with your trainer link.")
    return await run_in_threadpool(set_hidden, request.app.state.engine, who.id, cohort_id, answer_id,
                                   action == "hide")


# -- the phone page --------------------------------------------------------------------------

def phone_exercises() -> list[Any]:
    """The exercises a phone can answer in plain forms, in course order.

    A plain form is one choice per listed item: from the exercise's scale, or from
    the item's own options (:attr:`peerkit.kinds.Kind.options_per_item`). Free text
    and learner-made items (goals) need the notebook.
    """
    chosen = []
    for exercise in exercise_ids():
        try:
            definition = load_exercise(exercise)
        except ContentError:
            continue
        kind = kind_of(definition)
        if not kind.open_text and not kind.learner_items and (definition.scale or kind.options_per_item):
            chosen.append(definition)
    return sorted(chosen, key=lambda d: (d.chapter, d.id))


@router.get("/")
async def phone(request: Request) -> Response:
    exercises = phone_exercises()
    return render("phone.html", base=base_path(request), exercises=exercises, address=learner_address(request),
                  options_per_item={e.id for e in exercises if kind_of(e).options_per_item})
