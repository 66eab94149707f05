"""A learner's own routes (``/api/v1/me…``): thin; the rules live in :mod:`peerkit.server.learner_data`."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from .. import learner_data, snapshots
from ..auth import Principal, learner

router = APIRouter(tags=["learners"])


class AnswerBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[Any]


@router.get("/me")
def me(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.me(request.app.state.engine, who)


@router.delete("/me")
def leave(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.leave(request.app.state.engine, who)


@router.post("/me/answers")
def send_answers(body: AnswerBatch, request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    state = request.app.state
    return learner_data.record(state.engine, state.settings, who, body.answers)


@router.delete("/me/answers")
def withdraw(request: Request, exercise: str | None = None, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.withdraw(request.app.state.engine, who, exercise)


@router.get("/me/aggregates")
def my_aggregates(request: Request, exercise: str | None = None,
                  who: Principal = Depends(learner)) -> dict[str, Any]:
    """The group's counts as learners see them: per item a snapshot that moves in steps (:mod:`..snapshots`)."""
    engine = request.app.state.engine
    return snapshots.steady(engine, who.cohort_id, learner_data.aggregates_for_learner(engine, who, exercise))


@router.get("/me/session")
def my_session(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.session(request.app.state.engine, who)
