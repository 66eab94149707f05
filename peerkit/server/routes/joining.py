"""``POST /api/v1/join``: a learner joins a cohort with its code; the rules live in :mod:`peerkit.server.joining`."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from .. import joining
from ..models import JoinRequest, Joined, problems
from ..problems import Problem

router = APIRouter(tags=["learners"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/join", status_code=201, response_model=Joined, response_model_exclude_unset=True,
             responses=problems(400, 404, 409, 410, 413, 422, 429))
async def join(body: JoinRequest, request: Request) -> dict[str, Any]:
    """Join with the code. On a hub the join carries the kernel's hub token: one membership per hub user."""
    state = request.app.state
    hub_user = None
    member = getattr(state, "hub_member", None)
    if member is not None:
        hub_user = await member(request)
        if hub_user is None:
            raise Problem(401, "hub-token-needed", "Join from your notebook",
                          "On this hub you join from your notebook on the hub (it shows who you are to the "
                          "hub, never to the group).", headers={"WWW-Authenticate": "token"})
    return await run_in_threadpool(joining.join, state.engine, state.secret, state.settings, body.code,
                                   body.pseudonym, _client(request), hub_user)
