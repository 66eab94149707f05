"""``POST /api/v1/hub/sign-in-link``: a hub trainer's sign-in link for the projector page (404 off a hub)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from .. import db
from ..auth import new_trainer, trainer
from ..models import SignInLink, problems
from ..problems import Problem
from ..web import learner_address

router = APIRouter(tags=["trainers"])


@router.post("/api/v1/hub/sign-in-link", response_model=SignInLink, response_model_exclude_unset=True,
             responses=problems(401, 403, 404, 429))
async def sign_in_link(request: Request) -> dict[str, str]:
    """A hub trainer's sign-in link for the projector page (a fresh ``pkt_`` token of theirs, in the link only).

    A browser on the hub holds no hub token the page could use, so the trainer's
    kernel asks for this link (``POST /api/v1/hub/sign-in-link`` with its hub token)
    and opens it once in the projector's browser, like the link ``peerkit serve``
    prints elsewhere.
    """
    if not getattr(request.app.state.settings, "hub", False):
        raise Problem(404, "not-found", "Not found", "There is nothing at this address.")
    who = await trainer(request)
    _, token = await run_in_threadpool(db.write, request.app.state.engine,
                                       lambda conn: new_trainer(conn, who.name or who.id, who.id))
    return {"sign_in": f"{learner_address(request)}sign-in?token={token}&next=projector"}
