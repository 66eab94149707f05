"""A trainer's cohort data (``/api/v1/cohorts/{id}/…``): aggregates, shared texts, hand-in files, the room
tally and the responses. Thin; the rules live in :mod:`peerkit.server.trainer_data`."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from .. import trainer_data
from ..auth import trainer
from ..tokens import Principal
from ..models import (SIGNED_IN, After, Aggregates, CohortId, ExerciseQuery, HiddenState, ResponsesPage, RowId,
                      SharedTexts, Submissions, SubmissionsResult, Tally, TallyResult, problems)

router = APIRouter(tags=["trainers"], responses=problems(*SIGNED_IN))


@router.get("/cohorts/{cohort_id}/aggregates", response_model=Aggregates, response_model_exclude_unset=True)
def cohort_aggregates(cohort_id: CohortId, request: Request, exercise: ExerciseQuery = None,
                      who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.cohort_aggregates(request.app.state.engine, who.id, cohort_id, exercise)


@router.get("/cohorts/{cohort_id}/reflections", response_model=SharedTexts, response_model_exclude_unset=True)
def shared_texts(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.shared_texts(request.app.state.engine, who.id, cohort_id)


@router.post("/cohorts/{cohort_id}/reflections/{text_id}/{action}", response_model=HiddenState,
             response_model_exclude_unset=True)
def hide_or_show(cohort_id: CohortId, text_id: RowId, action: Literal["hide", "show"], request: Request,
                 who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.set_hidden(request.app.state.engine, who.id, cohort_id, text_id, action == "hide")


@router.post("/cohorts/{cohort_id}/submissions", response_model=SubmissionsResult, response_model_exclude_unset=True,
             responses=problems(410))
def upload_submissions(cohort_id: CohortId, body: Submissions, request: Request,
                       who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.upload_submissions(request.app.state.engine, who.id, cohort_id, body.submissions)


@router.post("/cohorts/{cohort_id}/tally", response_model=TallyResult, response_model_exclude_unset=True,
             responses=problems(410))
def record_tally(cohort_id: CohortId, body: Tally, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.record_tally(request.app.state.engine, who.id, cohort_id, body.exercise, body.counts)


@router.get("/cohorts/{cohort_id}/responses", response_model=ResponsesPage, response_model_exclude_unset=True)
def responses(cohort_id: CohortId, request: Request, exercise: ExerciseQuery = None,
              after: After = 0, limit: int = Query(trainer_data.RESPONSES_PAGE, ge=1,
                                                              le=trainer_data.RESPONSES_PAGE_MAX),
              who: Principal = Depends(trainer)) -> dict[str, Any]:
    return trainer_data.responses(request.app.state.engine, who.id, cohort_id, exercise, after=after, limit=limit)
