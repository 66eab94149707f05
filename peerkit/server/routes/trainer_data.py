"""A trainer's cohort data (``/api/v1/cohorts/{id}/…``): aggregates, shared texts, hand-in files, the room
tally and the responses. Thin; the rules live in :mod:`peerkit.server.trainer_data`."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from .. import trainer_data
from ..auth import Principal, trainer

router = APIRouter(tags=["trainers"])


class Tally(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exercise: Any
    counts: Any


class Submissions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    submissions: Any


@router.get("/cohorts/{cohort_id}/aggregates")
def cohort_aggregates(cohort_id: str, request: Request, exercise: str | None = None,
                      who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.cohort_aggregates(request.app.state.engine, who.id, cohort_id, exercise)


@router.get("/cohorts/{cohort_id}/reflections")
def shared_texts(cohort_id: str, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.shared_texts(request.app.state.engine, who.id, cohort_id)


@router.post("/cohorts/{cohort_id}/reflections/{text_id}/{action}")
def hide_or_show(cohort_id: str, text_id: int, action: Literal["hide", "show"], request: Request,
                 who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.set_hidden(request.app.state.engine, who.id, cohort_id, text_id, action == "hide")


@router.post("/cohorts/{cohort_id}/submissions")
def upload_submissions(cohort_id: str, body: Submissions, request: Request,
                       who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.upload_submissions(request.app.state.engine, who.id, cohort_id, body.submissions)


@router.post("/cohorts/{cohort_id}/tally")
def record_tally(cohort_id: str, body: Tally, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.record_tally(request.app.state.engine, who.id, cohort_id, body.exercise, body.counts)


@router.get("/cohorts/{cohort_id}/responses")
def responses(cohort_id: str, request: Request, exercise: str | None = None,
              after: int = Query(0, ge=0), limit: int = Query(trainer_data.RESPONSES_PAGE, ge=1,
                                                              le=trainer_data.RESPONSES_PAGE_MAX),
              who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.responses(request.app.state.engine, who.id, cohort_id, exercise, after=after, limit=limit)
