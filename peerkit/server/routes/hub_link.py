"""``POST /api/v1/hub/sign-in-link``: a hub trainer's sign-in link for the projector page (404 off a hub)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ..auth import trainer
from ..models import SignInLink, problems
from ..problems import Problem
from .sessions import sign_in_reply

router = APIRouter(tags=["trainers"])


@router.post("/api/v1/hub/sign-in-link", response_model=SignInLink, response_model_exclude_unset=True,
             responses=problems(401, 403, 404, 429))
async def sign_in_link(request: Request) -> dict[str, str]:
    """A hub trainer's sign-in link for the projector page: a single-use code (ten minutes) in its fragment.

    A browser on the hub holds no hub token the page could use, so the trainer's
    kernel asks for this link (``POST /api/v1/hub/sign-in-link`` with its hub token)
    and opens it once in the projector's browser. The session it starts belongs to
    that hub user and ends when the hub no longer counts them a trainer.
    """
    if not getattr(request.app.state.settings, "hub", False):
        raise Problem(404, "not-found", "Not found", "There is nothing at this address.")
    who = await trainer(request)
    reply = await run_in_threadpool(sign_in_reply, request, who)
    return {"sign_in": reply["sign_in"], "expires_in": str(reply["expires_in"])}
