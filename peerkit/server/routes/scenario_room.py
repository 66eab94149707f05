"""Routes of a practice conversation run in the room: thin; the rules are in
:mod:`peerkit.server.live_tools.scenario_room`.

Trainer API (bearer token, or the console's sign-in cookie with the page header), under
``/api/v1/cohorts/{id}``: ``conversation`` (GET what the console shows; POST ``{"exercise": id}``
starts a practice conversation in the room and puts it on the room's screen), ``conversation/reveal``
(POST: the feedback for each response of the room's turn), ``conversation/next`` (POST, optional
``{"to": turn}``: the next turn, along the helpful response unless ``to`` names where another
response leads) and ``conversation/end`` (POST). Learners see which conversation the room is
doing in ``GET /api/v1/me/session`` (``"conversation"``); they answer it like any exercise.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, Depends, Request

from .. import db
from ..auth import trainer
from ..tokens import Principal
from ..cohorts import owned
from ..live_tools import scenario_room
from ..models import SIGNED_IN, CohortId, ConversationNext, ConversationPush, ConversationReply, problems
from .live_tools import trainer_writer

router = APIRouter(tags=["live tools"], responses=problems(*SIGNED_IN, 409))
API = "/api/v1/cohorts/{cohort_id}/conversation"


def _write(request: Request, who: Principal, cohort_id: str, work: Any) -> Any:
    def run(conn: sa.Connection) -> Any:
        return work(conn, owned(conn, who.id, cohort_id, lock=True))

    return db.write(request.app.state.engine, run)


@router.get(API, response_model=ConversationReply)
def conversation_state(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    with db.reading(request.app.state.engine) as conn:
        return scenario_room.trainer_part(conn, owned(conn, who.id, cohort_id))


@router.post(API, status_code=201, response_model=ConversationReply)
def push(cohort_id: CohortId, body: ConversationPush, request: Request, who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _write(request, who, cohort_id, lambda conn, c: scenario_room.push(conn, c, body.exercise))


@router.post(API + "/reveal", response_model=ConversationReply)
def reveal(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _write(request, who, cohort_id, scenario_room.reveal)


@router.post(API + "/next", response_model=ConversationReply)
def go_on(cohort_id: CohortId, request: Request, body: ConversationNext = Body(default_factory=ConversationNext),
          who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _write(request, who, cohort_id, lambda conn, c: scenario_room.go_on(conn, c, body.to if body else None))


@router.post(API + "/end", response_model=ConversationReply)
def end(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer_writer)) -> dict[str, Any]:
    return _write(request, who, cohort_id, scenario_room.end)
