"""A learner's own routes (``/api/v1/me…``): thin; the rules live in :mod:`peerkit.server.learner_data`."""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .. import learner_data, snapshots
from ..answer_path import writer_for
from .. import db
from ..auth import learner
from ..tokens import Principal
from ..models import (SIGNED_IN, Aggregates, AnswerBatch, AnswerReceipt, ConsentReply, ExerciseQuery, Me, Removed,
                      ResearchConsent, Session, problems)
from ..problems import Problem
from ..tokens import LEARNER_PREFIX, bearer_token, cached_learner

router = APIRouter(tags=["learners"], responses=problems(*SIGNED_IN))


@router.get("/me", response_model=Me, response_model_exclude_unset=True)
def me(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.me(request.app.state.engine, who)


@router.delete("/me", response_model=Removed, response_model_exclude_unset=True)
def leave(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.leave(request.app.state.engine, who)


async def send_answers(request: Request) -> Response:
    """``POST /api/v1/me/answers``: checked here (the kinds' rules, no lock), written by this worker's answer
    writer together with whatever else is waiting (one transaction), answered once that transaction has
    committed (see :mod:`peerkit.server.answer_path`).

    A plain Starlette route, not a FastAPI one: the request is the hottest in a lecture,
    and FastAPI's dependency and body-model machinery cost more than the rest of it
    (measured with py-spy under wrk load). The body is checked here by hand, with the
    same words as the model would give.
    """
    token = bearer_token(request)
    who = None
    if token is None or not token.startswith(LEARNER_PREFIX):
        who = await learner(request)  # no learner token of ours: the authenticators say who (or why not)
    else:
        who = cached_learner(token)  # else the writer looks it up with the rest of its batch: one query
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise _invalid("The request body is not valid JSON.") from None
    if not isinstance(body, dict) or set(body) != {"answers"} or not isinstance(body["answers"], list):
        raise _invalid('Send {"answers": [...]}: a list of answers, and nothing else.')
    good, refused = learner_data.check_request(request.app.state.settings, body["answers"])
    result = await writer_for(request.app).record(who, good, refused,
                                                  token_hash=None if who is not None else db.token_hash(token))
    return Response(json.dumps(result, separators=(",", ":")), media_type="application/json")


def _invalid(detail: str) -> Problem:
    return Problem(422, "invalid", "Invalid request", detail)


router.add_route("/me/answers", send_answers, methods=["POST"])
#: Reached straight from the doors' limits, past FastAPI's layers (:class:`peerkit.server.app.DirectRoutes`)
DIRECT = {("POST", "/me/answers"): send_answers}


@router.post("/me/answers", response_model=AnswerReceipt, responses=problems(410))
async def send_answers_documented(body: AnswerBatch, request: Request) -> Response:
    """What OpenAPI says of ``POST /api/v1/me/answers`` (body :class:`~peerkit.server.models.AnswerBatch`,
    answer :class:`~peerkit.server.models.AnswerReceipt`). The plain route above, added first, is the one that
    serves it; this one only describes it (and would serve it the same way)."""
    return await send_answers(request)


@router.delete("/me/answers", response_model=Removed, response_model_exclude_unset=True)
def withdraw(request: Request, exercise: ExerciseQuery = None, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.withdraw(request.app.state.engine, who, exercise)


@router.put("/me/research-consent", response_model=ConsentReply, response_model_exclude_unset=True,
            responses=problems(410))
def research_consent(body: ResearchConsent, request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    """Agree (or no longer agree) to research use of the answers this learner shares; off until agreed."""
    return learner_data.set_research_consent(request.app.state.engine, who, body.agreed)


@router.get("/me/aggregates", response_model=Aggregates, response_model_exclude_unset=True)
def my_aggregates(request: Request, exercise: ExerciseQuery = None,
                  who: Principal = Depends(learner)) -> dict[str, Any]:
    """The group's counts as learners see them: per item a snapshot that moves in steps (:mod:`..snapshots`)."""
    engine = request.app.state.engine
    return snapshots.steady(engine, who.cohort_id, learner_data.aggregates_for_learner(engine, who, exercise))


@router.get("/me/session", response_model=Session, response_model_exclude_unset=True)
def my_session(request: Request, who: Principal = Depends(learner)) -> dict[str, Any]:
    return learner_data.session(request.app.state.engine, who)
