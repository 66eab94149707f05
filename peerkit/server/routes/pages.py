"""The server's web pages: the projector page, the trainer's sign-in, and the phone page for learners.

The pages' helpers (rendering, the base path, who is signed in) are in :mod:`peerkit.server.web`.

- ``GET /sign-in?token=pkt_…`` keeps the trainer token in an HttpOnly,
  SameSite=Strict cookie and redirects (to ``next=projector/<cohort id>`` if given,
  a page of this server only), so the token leaves the address bar and the history.
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
- ``GET /feedback/{exercise}/{item}?chosen=a&chosen=c`` is why a choice on a knowledge
  check's question fits or not, in the words the notebook's widget shows (the kind's
  feedback rule): ``{"correct": true | false | null, "text": "..."}``. Course content
  only, for anyone: no answer is read or stored.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ...exercises import ContentError, exercise_ids, load_exercise
from ...errors import AnswerError
from ...kinds import kind_of
from ...kinds import knowledge_check
from .. import db
from ..auth import TRAINER_COOKIE, TRAINER_PREFIX, principal_for_token
from ..cohorts import list_for, owned, unseal_code
from ..models import CohortId, RowId
from ..problems import Problem
from ..projector import live_state
from ..trainer_data import set_hidden
from ..web import (base_path, check_same_origin, learner_address, not_yours_page, qr_svg, render, sign_in_page,
                   signed_in_trainer)

#: How long the sign-in cookie lasts (a teaching day).
COOKIE_SECONDS = 12 * 3600

router = APIRouter(include_in_schema=False)


# -- trainer sign-in ------------------------------------------------------------------------

#: Where ``/sign-in?next=`` may lead: a page of this server, never another site.
_NEXT = re.compile(r"^/?projector(/cohort-[a-z0-9]{1,40})?$")


@router.get("/sign-in")
async def sign_in(request: Request, token: str = "", next: str = "") -> Response:  # noqa: A002 - the query name
    if not token.startswith(TRAINER_PREFIX):
        return sign_in_page(request, 400 if token else 200,
                             "That link holds no trainer token." if token else "")
    principal = await run_in_threadpool(principal_for_token, request.app.state.engine, token)
    if principal is None or principal.role != "trainer":
        return sign_in_page(request, 401, "That trainer token does not work here (it may belong to another "
                                           "server). Make a new one with `peerkit trainer add NAME`.")
    target = next.lstrip("/") if _NEXT.match(next) else "projector"
    response = RedirectResponse(base_path(request) + target, status_code=303)
    response.set_cookie(TRAINER_COOKIE, token, max_age=COOKIE_SECONDS, path=base_path(request), httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.url.netloc:
        raise Problem(403, "cross-site", "Not from this page", "Sign out from the page itself.")
    response = RedirectResponse(base_path(request) + "sign-in", status_code=303)
    response.delete_cookie(TRAINER_COOKIE, path=base_path(request))
    return response


# -- the projector ---------------------------------------------------------------------------

@router.get("/projector")
async def projector_list(request: Request) -> Response:
    who = await signed_in_trainer(request)
    if who is None:
        return sign_in_page(request)
    state = request.app.state
    cohorts = await run_in_threadpool(list_for, state.engine, state.secret, who.id)
    return render("cohorts.html", base=base_path(request), trainer=who.name, cohorts=cohorts)


def _live(engine: sa.Engine, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    with db.reading(engine) as conn:
        row = owned(conn, trainer_id, cohort_id)
        return {"row": row, **live_state(conn, row)}


@router.get("/projector/{cohort_id}")
async def projector(cohort_id: CohortId, request: Request) -> Response:
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
                  row.code_sealed), address=address, qr=qr_svg(address), live=live, trainer=who.name)


@router.get("/projector/{cohort_id}/live")
async def projector_live(cohort_id: CohortId, request: Request) -> Response:
    """The live part of the projector page (HTML), fetched on every revision."""
    who = await signed_in_trainer(request)
    if who is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in again with your trainer link.")
    state = request.app.state
    live = await run_in_threadpool(_live, state.engine, who.id, cohort_id)
    row = live.pop("row")
    return render("projector_live.html", base=base_path(request), cohort=row, live=live)


@router.post("/projector/{cohort_id}/texts/{answer_id}/{action}")
async def hide_or_show(cohort_id: CohortId, answer_id: RowId, action: str, request: Request) -> dict[str, Any]:
    if action not in ("hide", "show"):
        raise Problem(404, "not-found", "Not found", "Texts can be hidden or shown, nothing else.")
    check_same_origin(request)
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


@router.get("/")
async def phone(request: Request) -> Response:
    exercises = phone_exercises()
    # a kind whose items branch (a practice conversation) is shown turn by turn from its form view
    turn_by_turn = {e.id: kind_of(e).form_view(e) for e in exercises if kind_of(e).branching}
    return render("phone.html", base=base_path(request), exercises=exercises, address=learner_address(request),
                  options_per_item={e.id for e in exercises if kind_of(e).options_per_item},
                  min_group_size=request.app.state.settings.min_group_size,
                  turn_by_turn=turn_by_turn)


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
