"""``POST /api/v1/join``: a learner joins a cohort with its code; the rules live in :mod:`peerkit.server.joining`."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from .. import joining
from ..models import JoinRequest, Joined, problems

router = APIRouter(tags=["learners"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/join", status_code=201, response_model=Joined, response_model_exclude_unset=True,
             responses=problems(400, 404, 409, 410, 413, 422, 429))
async def join(body: JoinRequest, request: Request) -> dict[str, Any]:
    state = request.app.state
    return await run_in_threadpool(joining.join, state.engine, state.secret, state.settings, body.code,
                                   body.pseudonym, _client(request))
