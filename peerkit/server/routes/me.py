"""A learner's own routes (``/api/v1/me…``): thin; the rules live in :mod:`peerkit.server.learner_data`."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from .. import learner_data
from ..answer_path import writer_for
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
async def send_answers(body: AnswerBatch, request: Request, who: Principal = Depends(learner)) -> Any:
    """Checked here (the kinds' rules, no lock), written by this worker's answer writer with whatever else is
    waiting (one transaction), answered once that transaction has committed (see :mod:`.answer_path`)."""
    good, refused = learner_data.check_request(request.app.state.settings, body.answers)
    result = await writer_for(request.app).record(who, good, refused)
    return JSONResponse(result)


@router.delete("/me/answers")
def withdraw(request: Request, exercise: str | None = None, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.withdraw(request.app.state.engine, who, exercise)


@router.get("/me/aggregates")
def my_aggregates(request: Request, exercise: str | None = None,
                  who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.aggregates_for_learner(request.app.state.engine, who, exercise)


@router.get("/me/session")
def my_session(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.session(request.app.state.engine, who)
