"""The FastAPI application: ``create_app(settings)``; ``app_from_env()`` for uvicorn workers.

Starting the app migrates the store (a newer server opens an older store), makes the
secret key on the first start, deletes closed cohorts past their retention, and
keeps sweeping for them while it runs; it starts this worker's revision broker
(:mod:`.revisions`) and stops it after. The routes are the ``APIRouter`` of each
module in :mod:`.routes` (:data:`ROUTERS`), all thin: the rules live in
:mod:`.checking`, :mod:`.learner_data`, :mod:`.aggregates`, :mod:`.cohorts`,
:mod:`.joining`, :mod:`.trainer_data`, :mod:`.projector` and :mod:`.live_tools`.
Who is asking is the authenticators' business (:mod:`.auth`; a hub adds its own).

Run it::

    peerkit serve                                   # what trainers type
    python -m uvicorn --factory peerkit.server.app:app_from_env --port 8765
"""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import db, hub, problems
from .auth import AUTHENTICATORS, current_principal
from .checkpoints import Checkpointer
from .tokens import LEARNER_PREFIX, Principal, bearer_token, cached_learner
from .models import Health
from .cohorts import delete_expired
from .revisions import RevisionBroker
from .routes import cohorts, events, hub_link, joining, live_tools, me, pages, scenario_room, sessions, trainer_data
from .serving import quiet_access_log, settle_heap
from .settings import ServerSettings

log = logging.getLogger("peerkit.server")
API_PREFIX = "/api/v1"
#: How often each PostgreSQL worker tries to fold the appended count changes (one worker at a time does).
FOLD_SECONDS = 1.0
#: The routes, with the prefix each is mounted under: the learner API (join, me), the trainer API
#: (cohorts, their data, the live events), the trainer's live-session tools, the hub sign-in link
#: and the pages.
ROUTERS: tuple[tuple[APIRouter, str], ...] = (
    (joining.router, API_PREFIX), (me.router, API_PREFIX), (cohorts.router, API_PREFIX),
    (trainer_data.router, API_PREFIX), (sessions.router, API_PREFIX), (events.router, ""), (live_tools.router, ""),
    (scenario_room.router, ""), (hub_link.router, ""),
    (pages.router, ""),
)
STATIC = Path(__file__).resolve().parent / "static"


class LearnerRate:
    """Each learner's writes, a token bucket per learner token in this worker: ``per_second`` on average,
    ``burst`` at once. Past it a write is 429 with ``Retry-After`` (the learner's outbox waits and sends
    again), so one learner's flood leaves the others' requests their share of the server."""

    def __init__(self, per_second: float, burst: int) -> None:
        self.per_second, self.burst = float(per_second), float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 if the write may go ahead, else the seconds to wait."""
        moment = time.monotonic()
        tokens, since = self._buckets.get(key, (self.burst, moment))
        tokens = min(self.burst, tokens + (moment - since) * self.per_second)
        if tokens < 1:
            self._buckets[key] = (tokens, moment)
            return (1 - tokens) / self.per_second
        if len(self._buckets) > 50_000:  # forget full buckets: they are the same as new ones
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst}
        self._buckets[key] = (tokens - 1, moment)
        return 0.0


class BodyLimit:
    """The doors' limits on every HTTP request, before a route reads anything.

    - Who is asking is settled first (:func:`peerkit.server.auth.current_principal`, cached for the route),
      so a body is read only after the token is known: without a working token at most ``pre_auth_limit``
      bytes are taken; with one ``limit`` (``upload_limit`` for a trainer's hand-in upload).
    - A learner token this worker has not seen in the last few seconds is not looked up here: a learner's
      request is almost always far under ``pre_auth_limit``, so it is taken at that size and the route (for
      answers, the answer writer, one query per batch) finds out who holds it. Only a body over that size
      makes the token be looked up first. (Looking every such token up here cost one query per request:
      with 5,000 learners in a room the 5 s token cache rarely holds a token, measured with
      ``benchmarks/bench_server.py``.)
    - A declared ``Content-Length`` over the limit is refused (413) unread; a body without one is read while
      it streams and cut off (413) at the limit; a body that has not fully arrived after ``body_seconds``
      is refused (408).
    - A learner's writes are rate-limited (:class:`LearnerRate`, 429).
    """

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int, pre_auth_limit: int = 64 * 1024,
                 body_seconds: float = 30.0, learner_rate: LearnerRate | None = None) -> None:
        self.app, self.default_limit, self.upload_limit = app, limit, upload_limit
        self.pre_auth_limit, self.body_seconds, self.learner_rate = pre_auth_limit, body_seconds, learner_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = bearer_token(request)
        learner_token = token is not None and token.startswith(LEARNER_PREFIX)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        big = declared is not None and declared.isdigit() and int(declared) > self.pre_auth_limit
        who = cached_learner(token) if learner_token else None
        if who is None and (big or not learner_token):
            who = await self._who(request)
        limit = self._limit_for(who, scope)
        method = scope.get("method")
        if learner_token and method not in ("GET", "HEAD", "OPTIONS") and self.learner_rate is not None:
            # per token, known or not yet: a learner has one token, and a made-up one gets its 401 after
            wait = self.learner_rate.take(db.token_hash(token))
            if wait:
                await problems.Problem(429, "slow-down", "Too many changes at once",
                                       "Your answers are arriving faster than the server takes them from one "
                                       "person. They wait on your computer and go in a moment.",
                                       headers={"Retry-After": str(max(1, round(wait)))}
                                       ).response()(scope, receive, send)
                return
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await problems.generic(413, self._words(limit, who is None)).response()(scope, receive, send)
            return
        if method in ("GET", "HEAD", "OPTIONS") and declared is None:
            await self.app(scope, receive, send)
            return
        # read the body here, up to the limit and within the time, then hand it on
        chunks, received, more = [], 0, True
        deadline = asyncio.get_running_loop().time() + self.body_seconds
        while more:
            try:  # a deadline, not wait_for: that made a task for every receive (about 3 % of the answer path)
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                await problems.generic(408, "The request's body did not arrive in time.").response()(
                    scope, receive, send)
                return
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > limit and who is None and learner_token:  # a learner's big body: now ask who
                who = await self._who(request)
                limit = self._limit_for(who, scope)
            if received > limit:
                await problems.generic(413, self._words(limit, who is None)).response()(scope, receive, send)
                return
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _who(request: Request) -> Principal | None:
        try:
            return await current_principal(request)
        except problems.Problem:
            return None  # refused: the route says so; meanwhile the body is taken at the small size only

    def _limit_for(self, who: Principal | None, scope: Scope) -> int:
        if who is None:
            return self.pre_auth_limit
        if who.role == "trainer" and scope.get("path", "").endswith("/submissions"):
            return self.upload_limit
        return self.default_limit

    @staticmethod
    def _words(limit: int, anonymous: bool = False) -> str:
        if anonymous:
            return (f"This request is larger than the server takes from someone not signed in "
                    f"({limit // 1024:,} KiB).")
        return (f"This request is larger than the server takes ({limit // 1024:,} KiB). "
                "Send fewer answers (or files) at a time.")


class DirectRoutes:
    """The hottest request reaches its handler straight from the doors' limits (:class:`BodyLimit`, just
    outside this), past FastAPI's exception and exit-stack layers and its router.

    ``POST /api/v1/me/answers`` is nearly every request of a lecture, and those layers and the router's
    walk over every route cost the event loop about as much as the handler itself (py-spy under
    ``benchmarks/bench_server.py``). Each handler here is still a route of its router (OpenAPI documents
    it; it answers there too); here a :class:`~peerkit.server.problems.Problem` it raises becomes the same
    problem reply, and anything else reaches the app's own error handler (a 500 problem) as it would
    through the router. Paths are matched after the hub's prefix (``root_path``), as Starlette matches them.
    """

    def __init__(self, app: ASGIApp, routes: dict[tuple[str, str], Callable[[Request], Awaitable[Response]]]) -> None:
        self.app, self.routes = app, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.routes.get((scope.get("method", ""), _route_path(scope))) if scope["type"] == "http" else None
        if handler is None:
            await self.app(scope, receive, send)
            return
        try:
            response = await handler(Request(scope, receive))
        except problems.Problem as problem:
            response = problem.response()
        await response(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path the routes see: after the ASGI ``root_path`` (a hub's service prefix), as in Starlette."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root):len(root) + 1] in ("/", ""):
        return path[len(root):]
    return path


def sweep_retention(engine: Any, settings: ServerSettings) -> int:
    try:
        return delete_expired(engine, settings.retention_days)
    except Exception:  # a sweep that fails now runs again later; it must never stop the server
        log.exception("retention sweep failed")
        return 0


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The server for ``settings`` (default: from the environment), with its store migrated."""
    settings = settings or ServerSettings.from_env()
    engine = db.make_engine(settings.db_url, sqlite_max_pages=settings.sqlite_max_pages)
    db.migrate(engine)
    secret = settings.secret_key()
    sweep_retention(engine, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async def sweeper() -> None:
            while True:
                await asyncio.sleep(settings.retention_sweep_seconds)
                await run_in_threadpool(sweep_retention, engine, settings)

        async def folder() -> None:  # PostgreSQL: count changes and revision bumps into their tables
            from .aggregates import fold

            while True:
                await asyncio.sleep(FOLD_SECONDS)
                try:
                    await run_in_threadpool(fold, engine)
                except Exception:  # noqa: BLE001 - a fold that fails runs again; readers add what is not folded
                    log.warning("folding the count changes failed; trying again", exc_info=True)

        broker = _app.state.events = RevisionBroker(engine)
        await broker.start()
        tasks = [asyncio.create_task(sweeper())]
        checkpointer = None
        if db.is_postgresql(engine):
            tasks.append(asyncio.create_task(folder()))
        else:  # SQLite: the WAL is copied into the database file beside the answer writer, not in its commits
            checkpointer = Checkpointer(engine)
            checkpointer.start()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            writer = getattr(_app.state, "answer_writer", None)
            if writer is not None:  # the requests in flight are answered first
                await asyncio.to_thread(writer.stop)
            if checkpointer is not None:
                await asyncio.to_thread(checkpointer.stop)
            await broker.stop()
            engine.dispose()

    app = FastAPI(title="peerkit cohort server", version="1", lifespan=lifespan,
                  docs_url=f"{API_PREFIX}/docs", openapi_url=f"{API_PREFIX}/openapi.json", redoc_url=None,
                  **_NO_TELEMETRY)
    app.state.settings = settings
    app.state.engine = engine
    app.state.secret = secret
    problems.install(app)
    quiet_access_log()
    # the one added last is the outer: BodyLimit's limits come first, then the direct routes
    app.add_middleware(DirectRoutes, routes={(method, API_PREFIX + path): handler
                                             for (method, path), handler in me.DIRECT.items()})
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes,
                       pre_auth_limit=settings.max_anonymous_body_bytes, body_seconds=settings.body_seconds,
                       learner_rate=LearnerRate(settings.learner_writes_per_second, settings.learner_write_burst))

    app.state.authenticators = list(AUTHENTICATORS)
    if settings.hub:  # the hub's own authenticator (jupyterhub itself is imported only when first asked)
        app.state.authenticators.append(hub.hub_principal)
        hub.install(app)
    for router, prefix in ROUTERS:
        app.include_router(router, prefix=prefix)
    app.mount("/static", StaticFiles(directory=STATIC), name="peerkit-static")

    @app.get(f"{API_PREFIX}/health", response_model=Health, response_model_exclude_unset=True, tags=["server"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


#: FastAPI 0.16x asks OpenTelemetry on every request whether anyone listens (about 6 % of the event loop's
#: time on the answer path, py-spy under wrk); the server sends no telemetry anywhere, so it says so once.
#: Older FastAPI has no such option (and no such cost).
_NO_TELEMETRY: dict[str, Any] = ({"telemetry": {"tracing": False, "metrics": False, "logs": False}}
                                 if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (each worker builds the same settings from ``PEERKIT_SERVER_*``);
    what the worker made starting up is then left out of garbage collection (:func:`.serving.settle_heap`)."""
    logging.basicConfig(level=logging.INFO)
    app = create_app(ServerSettings.from_env())
    settle_heap()
    return app
