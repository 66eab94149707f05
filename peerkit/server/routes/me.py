"""A learner's own routes (``/api/v1/me…``): thin; the rules live in :mod:`peerkit.server.learner_data`."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, StrictBool

from .. import learner_data
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


class ResearchConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agreed: StrictBool


@router.put("/me/research-consent")
def research_consent(body: ResearchConsent, request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    """Agree (or no longer agree) to research use of the answers this learner shares; off until agreed."""
    return learner_data.set_research_consent(request.app.state.engine, who, body.agreed)


@router.get("/me/aggregates")
def my_aggregates(request: Request, exercise: str | None = None,
                  who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.aggregates_for_learner(request.app.state.engine, who, exercise)


@router.get("/me/session")
def my_session(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.session(request.app.state.engine, who)
