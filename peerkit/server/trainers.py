"""Trainer routes (``/api/v1/cohorts…``): thin; a trainer sees only their own cohorts (others are 404)."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from . import cohorts, trainer_data
from .auth import Principal, trainer

router = APIRouter(tags=["trainers"])


class NewCohort(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Any
    min_group_size: StrictInt | None = Field(default=None, ge=1, le=1000)


@router.get("/cohorts")
def list_cohorts(request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return {"cohorts": cohorts.list_for(state.engine, state.secret, who.id)}


@router.post("/cohorts", status_code=201)
def create_cohort(body: NewCohort, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    size = body.min_group_size if body.min_group_size is not None else state.settings.min_group_size
    return cohorts.create(state.engine, state.secret, who.id, body.name, size)


@router.get("/cohorts/{cohort_id}")
def get_cohort(cohort_id: str, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return cohorts.get(state.engine, state.secret, who.id, cohort_id)


@router.post("/cohorts/{cohort_id}/close")
def close_cohort(cohort_id: str, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return cohorts.close(state.engine, state.secret, who.id, cohort_id)


@router.delete("/cohorts/{cohort_id}", status_code=204)
def delete_cohort(cohort_id: str, request: Request, who: Principal = Depends(trainer)) -> Response:
    cohorts.delete(request.app.state.engine, who.id, cohort_id)
    return Response(status_code=204)


@router.post("/cohorts/{cohort_id}/join-code")
def rotate_join_code(cohort_id: str, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return cohorts.rotate_code(state.engine, state.secret, who.id, cohort_id)


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
