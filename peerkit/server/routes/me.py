"""A learner's own routes (``/api/v1/me…``): thin; the rules live in :mod:`peerkit.server.learner_data`."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from .. import learner_data
from ..auth import Principal, learner
from ..models import SIGNED_IN, Aggregates, AnswerBatch, AnswerReceipt, ExerciseQuery, Me, Removed, Session, problems

router = APIRouter(tags=["learners"], responses=problems(*SIGNED_IN))


@router.get("/me", response_model=Me, response_model_exclude_unset=True)
def me(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.me(request.app.state.engine, who)


@router.delete("/me", response_model=Removed, response_model_exclude_unset=True)
def leave(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.leave(request.app.state.engine, who)


@router.post("/me/answers", response_model=AnswerReceipt, response_model_exclude_unset=True, responses=problems(410))
def send_answers(body: AnswerBatch, request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    state = request.app.state
    return learner_data.record(state.engine, state.settings, who, body.answers)


@router.delete("/me/answers", response_model=Removed, response_model_exclude_unset=True)
def withdraw(request: Request, exercise: ExerciseQuery = None, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.withdraw(request.app.state.engine, who, exercise)


@router.get("/me/aggregates", response_model=Aggregates, response_model_exclude_unset=True)
def my_aggregates(request: Request, exercise: ExerciseQuery = None,
                  who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.aggregates_for_learner(request.app.state.engine, who, exercise)


@router.get("/me/session", response_model=Session, response_model_exclude_unset=True)
def my_session(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.session(request.app.state.engine, who)
