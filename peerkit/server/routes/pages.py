"""The server's web pages: the projector page, the trainer's sign-in, and the phone page for learners.

The pages' helpers (rendering, the base path, who is signed in) are in :mod:`peerkit.server.web`.

- ``GET /sign-in`` is the sign-in page. A sign-in link is ``/sign-in#code=pkc_…``: the
  code is in the fragment, which the browser never sends (no server or proxy log sees
  it); the page's script takes it out of the address bar and the history
  (``history.replaceState``) and POSTs it. ``POST /sign-in`` exchanges the single-use
  code (or a trainer token pasted into the form) for a browser session
  (:func:`peerkit.server.browser_sessions.start_session`): a random id in an HttpOnly,
  SameSite=Strict cookie, then redirects to ``next`` (a page of this server only).
  An old link with ``?token=`` in its address is refused, unread.
- ``POST /sign-out`` (the page's form, with its CSRF token) ends the session.
- ``GET /projector`` lists the trainer's cohorts; ``GET /projector/{id}`` is the
  room's screen: one thing at a time, full screen (the join screen with code, address
  and QR code, one chart, the poll, the wall, approved texts, the timer; see
  :mod:`peerkit.server.room`), moved from the console or with presenter keys. It
  listens to ``/api/v1/cohorts/{id}/events`` (server-sent events, the sign-in cookie
  authenticates it) and fetches ``/projector/{id}/live`` on each revision.
- ``POST /projector/{id}/texts/{answer id}/hide`` (and ``/show``, which approves)
  moderate a shared text; only with the cookie and a same-origin request.
- ``GET /`` is the phone page: a learner with only a phone joins with the code (the
  page makes the pseudonym) and answers the choice and rating exercises in plain
  HTML forms that post to the learner API.
- ``GET /feedback/{exercise}/{item}?chosen=a&chosen=c`` is why a choice on a knowledge
  check's question fits or not, in the words the notebook's widget shows (the kind's
  feedback rule): ``{"correct": true | false | null, "text": "..."}``. Course content
  only, for anyone: no answer is read or stored.
"""
from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import parse_qs

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ...exercises import ContentError, exercise_ids, load_exercise
from ...errors import AnswerError
from ...kinds import RATHER_NOT, RATHER_NOT_LABEL, kind_of
from ...kinds import knowledge_check
from .. import db
from ..browser_sessions import (SESSION_COOKIE, SESSION_MAX_SECONDS, SIGN_IN_PREFIX, TRAINER_COOKIE, end_session,
                               session_principal, start_session)
from ..cohorts import list_for, owned, unseal_code
from ..models import CohortId, RowId
from ..problems import Problem
from ..room import screen_context
from ..same_origin import CSRF_HEADER, from_another_site
from ..tokens import TRAINER_PREFIX
from ..trainer_data import set_hidden
from ..web import (base_path, learner_address, not_yours_page, only_this_computer, qr_svg, render,
                   sign_in_page, signed_in_trainer)

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


def _room(engine: sa.Engine, trainer_id: str, cohort_id: str) -> tuple[Any, dict[str, Any]]:
    with db.reading(engine) as conn:
        row = owned(conn, trainer_id, cohort_id)
        return row, screen_context(conn, row)


def _room_page(request: Request, name: str, row: Any, room: dict[str, Any], **more: Any) -> Response:
    address = learner_address(request)
    return render(name, base=base_path(request), cohort=row, room=room, address=address, qr=qr_svg(address),
                  only_here=only_this_computer(address), join_code=unseal_code(request.app.state.secret,
                                                                               row.code_sealed), **more)


@router.get("/projector/{cohort_id}")
async def projector(cohort_id: CohortId, request: Request) -> Response:
    """The room's screen: one thing at a time (:mod:`peerkit.server.room`)."""
    who = await signed_in_trainer(request)
    if who is None:
        return sign_in_page(request)
    try:
        row, room = await run_in_threadpool(_room, request.app.state.engine, who.id, cohort_id)
    except Problem:
        return not_yours_page(request, cohort_id)
    return _room_page(request, "projector.html", row, room, trainer=who.name, csrf=who.csrf)


@router.get("/projector/{cohort_id}/live")
async def projector_live(cohort_id: CohortId, request: Request) -> Response:
    """The screen the room sees now (HTML), fetched on every revision."""
    who = await signed_in_trainer(request)
    if who is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in again with your trainer link.")
    row, room = await run_in_threadpool(_room, request.app.state.engine, who.id, cohort_id)
    return _room_page(request, "room_screen.html", row, room)


@router.post("/projector/{cohort_id}/texts/{answer_id}/{action}")
async def hide_or_show(cohort_id: CohortId, answer_id: RowId, action: str, request: Request) -> dict[str, Any]:
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
    the item's own options (:attr:`peerkit.kinds.Kind.options_per_item`); a kind whose
    items branch (:attr:`peerkit.kinds.Kind.branching`) goes one item at a time, with
    each option's feedback. Free text and learner-made items (goals) need the notebook.
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


def offers_rather_not(exercise: Any) -> bool:
    """Whether the kind's own answer rule takes "I'd rather not answer" on this exercise's items.

    The phone offers it exactly where the notebook does, and never sends it (the server's
    check refuses it): choosing it takes back an answer sent before, as sharing does.
    """
    try:
        kind_of(exercise).check_answer(exercise, exercise.items[0].id, RATHER_NOT)
    except (AnswerError, IndexError):
        return False
    return True


@router.get("/")
async def phone(request: Request) -> Response:
    exercises = phone_exercises()
    # a kind whose items branch (a practice conversation) is shown turn by turn from its form view
    turn_by_turn = {e.id: kind_of(e).form_view(e) for e in exercises if kind_of(e).branching}
    return render("phone.html", base=base_path(request), exercises=exercises, address=learner_address(request),
                  options_per_item={e.id for e in exercises if kind_of(e).options_per_item},
                  scored={e.id for e in exercises if kind_of(e).scored},
                  min_group_size=request.app.state.settings.min_group_size,
                  turn_by_turn=turn_by_turn,
                  rather_not={e.id: RATHER_NOT_LABEL for e in exercises
                              if e.id not in turn_by_turn and offers_rather_not(e)},
                  rather_not_value=RATHER_NOT)


#: Most options one question's feedback is asked about, and the longest option value taken.
MAX_CHOSEN, MAX_VALUE = 20, 64


@router.get("/feedback/{exercise_id}/{item_id}")
async def check_feedback(exercise_id: str, item_id: str,
                         chosen: list[str] = Query(default=[], max_length=MAX_CHOSEN)) -> dict[str, Any]:
    """Why the chosen options of a knowledge check's question fit or not, as the notebook says it."""
    if exercise_id not in exercise_ids():
        raise Problem(404, "no-such-question", "No such question", "There is no such knowledge check.")
    try:
        exercise = load_exercise(exercise_id)
        exercise.item(item_id)
    except (ContentError, AnswerError):
        raise Problem(404, "no-such-question", "No such question", "There is no such question.") from None
    if kind_of(exercise) is not knowledge_check.KIND:  # the kind whose feedback() this is
        raise Problem(404, "no-such-question", "No such question", "Only knowledge checks explain answers.")
    chosen = [value[:MAX_VALUE] for value in chosen]
    return knowledge_check.feedback(exercise, item_id, chosen)  # the kind's one rule, as the notebook's widget says it
