"""``GET /api/v1/cohorts/{id}/events``: the trainer's server-sent event stream of a cohort's revisions.

The revisions and the broker that wakes the streams are in :mod:`peerkit.server.revisions`.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from .. import db
from ..auth import trainer
from ..tokens import Principal
from ..cohorts import owned
from ..models import SIGNED_IN, CohortId, problems
from ..problems import Problem
from ..revisions import broker_for, revision_stream

router = APIRouter(tags=["live"])


def _open_streams(app: Any) -> dict[str, int]:
    streams = getattr(app.state, "open_streams", None)
    if streams is None:
        streams = app.state.open_streams = {}
    return streams


def event_stream_response(request: Request, cohort_id: str, credential: str = "") -> StreamingResponse:
    """A ``text/event-stream`` response of :func:`~peerkit.server.revisions.revision_stream`, unbuffered.

    Each session (or token) holds at most ``ServerSettings.event_streams_per_session`` streams open in this
    worker (a projector, a console, a notebook or two); one more is 429.
    """
    streams = _open_streams(request.app)
    limit = getattr(request.app.state.settings, "event_streams_per_session", 6)
    if credential and streams.get(credential, 0) >= limit:
        raise Problem(429, "too-many-streams", "Too many live pages",
                      f"This sign-in already has {limit} live pages open. Close one (or reload it) and try again.",
                      headers={"Retry-After": "5"})
    if credential:
        streams[credential] = streams.get(credential, 0) + 1
    inner = revision_stream(broker_for(request.app), cohort_id, is_disconnected=request.is_disconnected,
                            recheck=request.app.state.settings.events_recheck_seconds)

    async def stream() -> Any:
        try:
            async for chunk in inner:
                yield chunk
        finally:
            if credential:
                streams[credential] -= 1
                if streams[credential] <= 0:
                    del streams[credential]

    return StreamingResponse(stream(), media_type="text/event-stream",
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
    return event_stream_response(request, cohort_id, who.credential or who.id)
