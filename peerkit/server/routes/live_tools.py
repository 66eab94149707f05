"""Routes of the live-session tools: thin; the rules live in :mod:`peerkit.server.live_tools` (polls, wall,
session state, report).

Trainer API (bearer token, or the projector's sign-in cookie plus the page's
``X-Peerkit-Page: 1`` header and a same-origin request), all under
``/api/v1/cohorts/{id}``: ``polls`` (GET list, POST new), ``polls/{pid}/reveal``,
``polls/{pid}/close``, ``wall`` (GET posts, POST new prompt), ``wall/{wid}/close``,
``wall/posts/{post}/approve`` and ``/hide``, ``session/place`` (PUT, DELETE),
``session/timer`` (POST, DELETE), ``session/activity`` (PUT), ``session/screen`` (PUT: what the
room's screen shows) and ``session/screen/step`` (POST: next or previous chart), ``texts`` (GET the
shared texts to moderate), ``texts/{answer}/approve`` and ``/hide``, ``live-tools`` (GET
the console's state) and ``report`` (GET, an HTML download). Learner API:
``PUT /api/v1/me/polls/{pid}`` and ``POST /api/v1/me/wall/{wid}``; what a learner may see
comes with ``GET /api/v1/me/session``. Pages (trainer cookie): ``/projector/{id}/console`` (the trainer's own screen:
moderation, polls, moving the session, timers) and ``/projector/{id}/report``.
"""
from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from ...timestamps import format_moment, now
from .. import db
from ..auth import learner, trainer
from ..tokens import Principal
from ..cohorts import owned
from .. import room
from ..live_tools import polls, report, session_state, texts, wall
from ..models import (SIGNED_IN, ActivityChoice, ActivityReply, CohortId, ConsoleState, NewPoll, NewWall, PlaceChoice, PlaceReply, Poll, PollAnswer, PollAnswerReceipt, PollList, PostReceipt, RowId,
                      ScreenReply, TextReply, TextsReply, TimerChoice, TimerReply, Wall, WallPost, WallView, problems)
from ..models import Post as PostModel
from ..problems import Problem
from ..web import base_path, check_same_origin, not_yours_page, render, sign_in_page, signed_in_trainer

router = APIRouter(tags=["live tools"], responses=problems(*SIGNED_IN))
API = "/api/v1"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Screen(_Body):
    screen: Any
    exercise: Any = None
    page: Any = 0


class Step(_Body):
    by: Any = 1


def _from_page_if_cookie(request: Request) -> None:
    """A write signed in by the cookie must come from our own page (no other site can send the header)."""
    if request.headers.get("authorization"):
        return
    check_same_origin(request)


async def trainer_writer(request: Request) -> Principal:
    who = await trainer(request)
    _from_page_if_cookie(request)
    return who


def _trainer_write(engine: sa.Engine, trainer_id: str, cohort_id: str, work: Any) -> Any:
    def run(conn: sa.Connection) -> Any:
        cohort = owned(conn, trainer_id, cohort_id, lock=True)
        return work(conn, cohort)

    return db.write(engine, run)


def _trainer_read(engine: sa.Engine, trainer_id: str, cohort_id: str, work: Any) -> Any:
    with db.reading(engine) as conn:
        return work(conn, owned(conn, trainer_id, cohort_id))


def _learner_write(engine: sa.Engine, who: Principal, work: Any) -> Any:
    def run(conn: sa.Connection) -> Any:
        cohort = db.lock_cohort(conn, who.cohort_id)
        learner_row = conn.execute(sa.select(db.learners.c.id).where(db.learners.c.id == who.learner_id)).first()
        if cohort is None or learner_row is None:
            raise Problem(401, "not-signed-in", "Not signed in", "You are no longer in this group. Join again "
                          "with the join code.", headers={"WWW-Authenticate": "Bearer"})
        if cohort.status != "open":
            raise Problem(410, "cohort-closed", "Cohort closed", f"The group {cohort.name!r} is closed.")
        return work(conn, cohort)

    return db.write(engine, run)


# -- trainer API ---------------------------------------------------------------------------------

@router.get(API + "/cohorts/{cohort_id}/live-tools", response_model=ConsoleState, response_model_exclude_unset=True)
def console_state(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return _trainer_read(request.app.state.engine, who.id, cohort_id, session_state.trainer_view)


@router.get(API + "/cohorts/{cohort_id}/polls", response_model=PollList, response_model_exclude_unset=True)
def list_polls(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return {"polls": _trainer_read(request.app.state.engine, who.id, cohort_id, polls.list_for_trainer)}


@router.post(API + "/cohorts/{cohort_id}/polls", status_code=201, response_model=Poll,
             response_model_exclude_unset=True,
             responses=problems(409))
def new_poll(cohort_id: CohortId, body: NewPoll, request: Request,
             who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    def work(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
        try:
            made = polls.create(conn, cohort.id, body.kind, body.question, body.options)
        except polls.PollRefused as refusal:
            raise Problem(422, "poll-refused", "Poll not made", str(refusal)) from None
        session_state.set_screen(conn, cohort.id, "poll")  # a new poll goes on the room's screen
        return made

    return _trainer_write(request.app.state.engine, who.id, cohort_id, work)


@router.post(API + "/cohorts/{cohort_id}/polls/{poll_id}/{action}", response_model=Poll,
             response_model_exclude_unset=True,
             responses=problems(409))
def poll_action(cohort_id: CohortId, poll_id: RowId, action: Literal["reveal", "close", "reopen"], request: Request,
                who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    def work(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
        if action == "reveal":
            shown = polls.reveal(conn, cohort, poll_id)
            session_state.set_screen(conn, cohort.id, "poll")
            return shown
        return polls.set_status(conn, cohort.id, poll_id, "closed" if action == "close" else "open")

    return _trainer_write(request.app.state.engine, who.id, cohort_id, work)


@router.get(API + "/cohorts/{cohort_id}/wall", response_model=WallView, response_model_exclude_unset=True)
def wall_posts(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return _trainer_read(request.app.state.engine, who.id, cohort_id, lambda conn, c: wall.for_trainer(conn, c.id))


@router.post(API + "/cohorts/{cohort_id}/wall", status_code=201, response_model=Wall, response_model_exclude_unset=True)
def new_wall(cohort_id: CohortId, body: NewWall, request: Request,
             who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    def work(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
        opened = wall.open_wall(conn, cohort.id, body.prompt)
        session_state.set_screen(conn, cohort.id, "wall")  # a new wall goes on the room's screen
        return opened

    return _trainer_write(request.app.state.engine, who.id, cohort_id, work)


@router.post(API + "/cohorts/{cohort_id}/wall/{wall_id}/close", response_model=Wall, response_model_exclude_unset=True)
def close_wall(cohort_id: CohortId, wall_id: RowId, request: Request,
               who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: wall.close_wall(conn, c.id, wall_id))


@router.post(API + "/cohorts/{cohort_id}/wall/posts/{post_id}/{action}", response_model=PostModel,
             response_model_exclude_unset=True)
def moderate_post(cohort_id: CohortId, post_id: RowId, action: Literal["approve", "hide"], request: Request,
                  who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    status = "approved" if action == "approve" else "hidden"
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: wall.moderate(conn, c.id, post_id, status))


@router.put(API + "/cohorts/{cohort_id}/session/place", response_model=PlaceReply, response_model_exclude_unset=True)
def move_session(cohort_id: CohortId, body: PlaceChoice, request: Request,
                 who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: session_state.move(conn, c.id, body.chapter, body.exercise))


@router.delete(API + "/cohorts/{cohort_id}/session/place", response_model=PlaceReply, response_model_exclude_unset=True)
def clear_place(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: session_state.move(conn, c.id, None, None))


@router.post(API + "/cohorts/{cohort_id}/session/timer", response_model=TimerReply, response_model_exclude_unset=True)
def start_timer(cohort_id: CohortId, body: TimerChoice, request: Request,
                who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    def work(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
        started = session_state.start_timer(conn, cohort.id, body.seconds, body.activity)
        session_state.set_screen(conn, cohort.id, "timer")  # the timer and its card go on the room's screen
        return started

    return _trainer_write(request.app.state.engine, who.id, cohort_id, work)


@router.delete(API + "/cohorts/{cohort_id}/session/timer", response_model=TimerReply, response_model_exclude_unset=True)
def stop_timer(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: session_state.stop_timer(conn, c.id))


@router.put(API + "/cohorts/{cohort_id}/session/activity", response_model=ActivityReply,
            response_model_exclude_unset=True)
def choose_activity(cohort_id: CohortId, body: ActivityChoice, request: Request,
                    who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: session_state.set_activity(conn, c.id, body.activity))


@router.put(API + "/cohorts/{cohort_id}/session/screen", response_model=ScreenReply)
def choose_screen(cohort_id: str, body: Screen, request: Request,
                  who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    """Put one thing on the room's screen (join, chart, poll, wall, texts, timer)."""
    return _trainer_write(request.app.state.engine, who.id, cohort_id, lambda conn, c: session_state.set_screen(
        conn, c.id, body.screen, body.exercise, body.page))


@router.post(API + "/cohorts/{cohort_id}/session/screen/step", response_model=ScreenReply)
def step_screen(cohort_id: str, body: Step, request: Request,
                who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    """The next (``by`` 1) or previous (-1) chart on the room's screen, or the current one (0)."""
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: room.step_chart(conn, c, body.by))


@router.get(API + "/cohorts/{cohort_id}/texts", response_model=TextsReply)
def shared_texts(cohort_id: str, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    """Every shared text, scrubbed, with its status (pending, approved, hidden): the console's moderation list."""
    return {"texts": _trainer_read(request.app.state.engine, who.id, cohort_id,
                                   lambda conn, c: texts.for_trainer(conn, c.id))}


@router.post(API + "/cohorts/{cohort_id}/texts/{answer_id}/{action}", response_model=TextReply)
def moderate_text(cohort_id: CohortId, answer_id: RowId, action: Literal["approve", "hide"], request: Request,
                  who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    status = "approved" if action == "approve" else "hidden"
    return _trainer_write(request.app.state.engine, who.id, cohort_id,
                          lambda conn, c: texts.moderate(conn, c.id, answer_id, status))


def _report_response(engine: sa.Engine, trainer_id: str, cohort_id: str) -> Response:
    holder: dict[str, Any] = {}

    def reader(conn: sa.Connection) -> Any:
        holder["row"] = owned(conn, trainer_id, cohort_id)
        return holder["row"]

    html = report.render_report(engine, reader)
    name = report.file_name(holder["row"].name, format_moment(now()))
    return HTMLResponse(html, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


@router.get(API + "/cohorts/{cohort_id}/report", response_class=HTMLResponse,
            responses={200: {"description": "the session report, an HTML file to save or print",
                             "content": {"text/html": {"schema": {"type": "string"}}}}})
def download_report(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> Response:
    return _report_response(request.app.state.engine, who.id, cohort_id)


# -- learner API ---------------------------------------------------------------------------------

@router.put(API + "/me/polls/{poll_id}", response_model=PollAnswerReceipt, response_model_exclude_unset=True,
            responses=problems(409, 410))
def answer_poll(poll_id: RowId, body: PollAnswer, request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return _learner_write(request.app.state.engine, who,
                          lambda conn, c: polls.record_answer(conn, c.id, who.learner_id, poll_id, body.value))


@router.post(API + "/me/wall/{wall_id}", status_code=201, response_model=PostReceipt, response_model_exclude_unset=True,
             responses=problems(409, 410))
def post_to_wall(wall_id: RowId, body: WallPost, request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return _learner_write(request.app.state.engine, who,
                          lambda conn, c: wall.post(conn, c.id, who.learner_id, wall_id, body.text))


# -- pages (the trainer's sign-in cookie) ---------------------------------------------------------

async def _page_trainer(request: Request) -> Principal:
    who = await signed_in_trainer(request)
    if who is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in again with your trainer link.")
    return who


@router.get("/projector/{cohort_id}/console", include_in_schema=False)
async def console(cohort_id: CohortId, request: Request) -> Response:
    who = await signed_in_trainer(request)
    if who is None:
        return sign_in_page(request)
    try:
        view = await run_in_threadpool(_trainer_read, request.app.state.engine, who.id, cohort_id,
                                       lambda conn, c: {"cohort": c, **room.console_context(conn, c)})
    except Problem:
        return not_yours_page(request, cohort_id)
    return render("live_tools/console.html", base=base_path(request), cohort=view["cohort"], tools=view,
                  trainer=who.name, csrf=who.csrf)


@router.get("/projector/{cohort_id}/console/live", include_in_schema=False)
async def console_live(cohort_id: CohortId, request: Request) -> Response:
    who = await _page_trainer(request)
    view = await run_in_threadpool(_trainer_read, request.app.state.engine, who.id, cohort_id,
                                   lambda conn, c: {"cohort": c, **room.console_context(conn, c)})
    return render("live_tools/console_live.html", base=base_path(request), cohort=view["cohort"], tools=view)


@router.get("/projector/{cohort_id}/report", include_in_schema=False)
async def report_page(cohort_id: CohortId, request: Request) -> Response:
    who = await _page_trainer(request)
    return await run_in_threadpool(_report_response, request.app.state.engine, who.id, cohort_id)
