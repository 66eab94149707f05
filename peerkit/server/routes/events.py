"""``GET /api/v1/cohorts/{id}/events``: the trainer's server-sent event stream of a cohort's revisions.

The revisions and the broker that wakes the streams are in :mod:`peerkit.server.revisions`.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from .. import db
from ..auth import Principal, trainer
from ..cohorts import owned
from ..models import SIGNED_IN, CohortId, problems
from ..revisions import broker_for, revision_stream

router = APIRouter(tags=["live"])


def event_stream_response(request: Request, cohort_id: str) -> StreamingResponse:
    """A ``text/event-stream`` response of :func:`~peerkit.server.revisions.revision_stream`, unbuffered."""
    stream = revision_stream(broker_for(request.app), cohort_id, is_disconnected=request.is_disconnected)
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"})


#: The stream as OpenAPI describes it.
EVENT_STREAM = {200: {"description": 'server-sent events: `event: revision` with `data: {"revision": R}`',
                      "content": {"text/event-stream": {"schema": {"type": "string"}}}}}


@router.get("/api/v1/cohorts/{cohort_id}/events", response_class=StreamingResponse,
            responses={**EVENT_STREAM, **problems(*SIGNED_IN)})
async def cohort_events(cohort_id: CohortId, request: Request, who: Principal = Depends(trainer)) -> Any:
    """Server-sent events: ``event: revision`` with ``{"revision": R}`` on every change to the cohort."""

    def check() -> None:
        with db.reading(request.app.state.engine) as conn:
            owned(conn, who.id, cohort_id)

    await run_in_threadpool(check)
    return event_stream_response(request, cohort_id)
