"""A trainer's cohorts (``/api/v1/cohorts…``): thin; the rules live in :mod:`peerkit.server.cohorts`.

A trainer sees only their own cohorts (others are 404).
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict

from .. import cohorts
from ..auth import trainer
from ..tokens import Principal
from ..unicode_check import check_text
from ..models import (SIGNED_IN, Cohort, CohortId, CohortList, JoiningReply, MemberRemoved, MembersReply, NewCohort,
                      problems)

router = APIRouter(tags=["trainers"], responses=problems(*SIGNED_IN))


class Joining(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locked: Any


@router.get("/cohorts", response_model=CohortList, response_model_exclude_unset=True)
def list_cohorts(request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return {"cohorts": cohorts.list_for(state.engine, state.secret, who.id)}


@router.post("/cohorts", status_code=201, response_model=Cohort, response_model_exclude_unset=True)
def create_cohort(body: NewCohort, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    size = body.min_group_size if body.min_group_size is not None else state.settings.min_group_size
    return cohorts.create(state.engine, state.secret, who.id, body.name, size)


@router.get("/cohorts/{cohort_id}", response_model=Cohort, response_model_exclude_unset=True)
def get_cohort(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return cohorts.get(state.engine, state.secret, who.id, cohort_id)


@router.post("/cohorts/{cohort_id}/close", response_model=Cohort, response_model_exclude_unset=True)
def close_cohort(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return cohorts.close(state.engine, state.secret, who.id, cohort_id)


@router.delete("/cohorts/{cohort_id}", status_code=204, response_class=Response)
def delete_cohort(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> Response:
    cohorts.delete(request.app.state.engine, who.id, cohort_id)
    return Response(status_code=204)


@router.post("/cohorts/{cohort_id}/join-code", response_model=Cohort, response_model_exclude_unset=True)
def rotate_join_code(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    state = request.app.state
    return cohorts.rotate_code(state.engine, state.secret, who.id, cohort_id)


@router.put("/cohorts/{cohort_id}/joining", response_model=JoiningReply)
def lock_joining(cohort_id: CohortId, body: Joining, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    """``{"locked": true}``: nobody new joins (the room is in); ``false`` opens joining again."""
    state = request.app.state
    return cohorts.set_joining_locked(state.engine, state.secret, who.id, cohort_id, body.locked)


@router.get("/cohorts/{cohort_id}/members", response_model=MembersReply)
def list_members(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    return cohorts.member_list(request.app.state.engine, who.id, cohort_id)


@router.delete("/cohorts/{cohort_id}/members/{pseudonym}", response_model=MemberRemoved)
def remove_member(cohort_id: CohortId,
                  pseudonym: Annotated[str, Path(max_length=64), AfterValidator(check_text)], request: Request,
                  who: Principal = Depends(trainer)) -> dict[str, Any]:
    """Remove a member and every answer of theirs (their learner token stops working)."""
    return cohorts.remove_member(request.app.state.engine, who.id, cohort_id, pseudonym)
