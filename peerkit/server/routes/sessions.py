"""A trainer's sign-in codes and browser sessions (``/api/v1/sign-in-codes``, ``/api/v1/sessions``).

- ``POST /api/v1/sign-in-codes`` (a trainer's token, or a hub trainer's hub token): a single-use code that
  works for ten minutes and the sign-in link that carries it in its fragment (``…/sign-in#code=pkc_…``), for the
  projector's browser. The trainer's notebook (``pk.live_session()``) asks for one; so does ``peerkit trainer
  sign-in`` (straight in the store).
- ``GET /api/v1/sessions``: the trainer's browser sessions (``id``, when made, last used, when it ends).
- ``DELETE /api/v1/sessions/{id}``: end one.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from .. import db
from ..auth import trainer
from ..tokens import Principal
from ..browser_sessions import SIGN_IN_CODE_SECONDS, new_sign_in_code, revoke, sessions_of
from ..models import SIGNED_IN, SessionEnded, SessionsReply, SignInCodeReply, problems
from ..problems import Problem
from ..web import learner_address

router = APIRouter(tags=["trainers"], responses=problems(*SIGNED_IN))


def sign_in_reply(request: Request, who: Principal, next_page: str = "projector") -> dict[str, Any]:
    code = db.write(request.app.state.engine, lambda conn: new_sign_in_code(conn, who.id, who.hub_user))
    return {"code": code, "expires_in": SIGN_IN_CODE_SECONDS,
            "sign_in": f"{learner_address(request)}sign-in#code={code}&next={next_page}"}


@router.post("/sign-in-codes", status_code=201, response_model=SignInCodeReply)
async def new_code(request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    """A single-use sign-in code (ten minutes) and its link, for the projector's browser."""
    return await run_in_threadpool(sign_in_reply, request, who)


@router.get("/sessions", response_model=SessionsReply)
def list_sessions(request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    with db.reading(request.app.state.engine) as conn:
        return {"sessions": sessions_of(conn, who.id)}


@router.delete("/sessions/{session_id}", status_code=200, response_model=SessionEnded)
def end_one(session_id: str, request: Request, who: Principal = Depends(trainer)) -> dict[str, Any]:
    if len(session_id) != 12:
        raise Problem(404, "no-such-session", "No such session", "Give the 12-digit id `GET /sessions` shows.")
    ended = db.write(request.app.state.engine, lambda conn: revoke(conn, session_id, who.id))
    if not ended:
        raise Problem(404, "no-such-session", "No such session", "You have no session with that id.")
    return {"ended": ended}
