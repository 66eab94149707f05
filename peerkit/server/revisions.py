"""Revisions: every change to a cohort bumps its revision, and every worker hears of it (no HTTP here).

Writers call :func:`changed` inside their write transaction (the answer path once
per batch and cohort). On SQLite it adds one to the cohort's ``revision``. On
PostgreSQL it appends a row to ``revision_deltas`` instead, so writers in several
workers never wait on the cohort's row: the revision is ``cohorts.revision`` plus
those rows (:func:`peerkit.server.db.revision_column`), which only grows as
transactions commit, in whatever order; each worker folds the rows into
``cohorts.revision`` about once a second (:func:`peerkit.server.aggregates.fold`).
It also sends ``NOTIFY peerkit_revision`` with the cohort id. PostgreSQL delivers a notification only when
the transaction commits, to every connection listening, so a stream served by
any of several stateless workers (``peerkit serve --workers N``) hears of an
answer that another worker stored. Each worker keeps one listening connection
(:class:`RevisionBroker`), and fans notifications out to its own streams.

On SQLite there is one worker: :func:`changed` tells the worker's broker directly
(after the commit: the stream re-reads the revision, so it never announces data
that is not yet visible), and each stream also reads the cohort's revision every
second or so, which costs one primary-key lookup and catches writes from other
processes (``peerkit trainer``, a second server by mistake).

:func:`revision_stream` makes the text of a server-sent event stream (served as
``GET /api/v1/cohorts/{id}/events`` by :mod:`peerkit.server.routes.events`): ``event: revision`` with ``data: {"revision": R}``
once at the start and after every change, and a comment line every 15 seconds so
proxies keep the connection open.

>>> format_event("revision", {"revision": 3})
'event: revision\\ndata: {"revision": 3}\\n\\n'
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from .db import cohorts, is_postgresql, revision_deltas, revision_of

log = logging.getLogger(__name__)

#: The PostgreSQL channel every worker listens on; payload "<cohort id> <revision>".
CHANNEL = "peerkit_revision"
#: A comment line this often keeps idle streams open through proxies (and finds closed ones).
KEEPALIVE_SECONDS = 15.0
#: How often an SQLite stream re-reads the revision even without being told (other processes).
SQLITE_POLL_SECONDS = 1.0
#: How often a PostgreSQL stream re-reads it anyway (a lost listening connection is re-made, but
#: notifications sent while it was down are gone).
POSTGRESQL_POLL_SECONDS = 5.0

#: The brokers of this process by store URL, set by :meth:`RevisionBroker.start` (one per app).
_brokers: dict[str, set["RevisionBroker"]] = {}


def changed(conn: sa.Connection, cohort_id: str) -> int | None:
    """Record a change to ``cohort_id`` in the current write transaction.

    SQLite (one writer at a time): one is added to the cohort's ``revision``, which is
    returned, and the worker's broker hears of it at the commit. PostgreSQL: a row is
    appended to ``revision_deltas`` (the revision is ``cohorts.revision`` plus those
    rows, :func:`peerkit.server.db.revision_column`; no row that every writer of the
    cohort updates) and ``NOTIFY peerkit_revision`` sends the cohort's id, delivered
    to every listening worker when (and only if) this transaction commits; returns
    None. Call it once per transaction per cohort.
    """
    if is_postgresql(conn):
        conn.execute(_BUMP_AND_NOTIFY, {"channel": CHANNEL, "cohort": cohort_id})  # one round trip, not two
        return None
    revision = conn.execute(_BUMP, {"cohort": cohort_id}).scalar_one()
    pending = conn.info.setdefault("peerkit_changed", {})
    pending[cohort_id] = revision
    engine = conn.engine
    if engine not in _LISTENING:  # once an engine, not once a connection (a batch's connection is new each time)
        sa.event.listen(engine, "commit", _announce_after_commit)
        sa.event.listen(engine, "rollback", _forget_after_rollback)
        _LISTENING.add(engine)
    return int(revision)


#: SQLite's revision bump, built once (one a batch: built anew it cost the answer writer more than running it)
_BUMP = (sa.update(cohorts).where(cohorts.c.id == sa.bindparam("cohort"))
         .values(revision=cohorts.c.revision + 1).returning(cohorts.c.revision))
#: PostgreSQL's: the bump appended and the notification sent, in one statement
_BUMP_AND_NOTIFY = sa.text(f"WITH bump AS (INSERT INTO {revision_deltas.name} (cohort_id) VALUES (:cohort)) "
                           "SELECT pg_notify(:channel, :cohort)")
#: the engines whose commits announce the changes made in them
_LISTENING: "weakref.WeakSet[sa.Engine]" = weakref.WeakSet()


def _announce_after_commit(conn: sa.Connection) -> None:
    # ConnectionEvents.commit runs just before the COMMIT: streams re-read the revision, and read it
    # again shortly if it is not visible yet (see revision_stream). Every commit of the engine comes here.
    pending = conn.info.pop("peerkit_changed", None)
    if not pending:
        return
    for broker in list(_brokers.get(str(conn.engine.url), ())):
        for cohort_id, revision in pending.items():
            broker.publish_threadsafe(cohort_id, revision)


def _forget_after_rollback(conn: sa.Connection) -> None:
    conn.info.pop("peerkit_changed", None)  # nothing changed after all (conn.info outlives the transaction)


def format_event(name: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {name}\ndata: {json.dumps(data, separators=(', ', ': '))}\n\n"


@dataclass(eq=False)
class _Subscription:
    cohort_id: str
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    latest: int = -1


class RevisionBroker:
    """One per worker: hears of changes (NOTIFY or in-process) and wakes the streams that care."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.postgresql = is_postgresql(engine)
        self._subscriptions: dict[str, set[_Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task | None = None
        self._lock = threading.Lock()
        self.listening = asyncio.Event()

    # -- life --------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        _brokers.setdefault(str(self.engine.url), set()).add(self)
        if self.postgresql:
            self._listener = asyncio.create_task(self._listen_forever(), name="peerkit-listen")
        else:
            self.listening.set()

    async def stop(self) -> None:
        _brokers.get(str(self.engine.url), set()).discard(self)
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener

    # -- fan-out -----------------------------------------------------------------------
    def publish(self, cohort_id: str, revision: int | None) -> None:
        """Wake every stream of ``cohort_id`` (all streams if None: after a lost connection). Loop thread only."""
        targets = (self._subscriptions.get(cohort_id, set()) if cohort_id else
                   set().union(*self._subscriptions.values()) if self._subscriptions else set())
        for subscription in list(targets):
            if revision is not None and revision > subscription.latest:
                subscription.latest = revision
            subscription.wake.set()

    def publish_threadsafe(self, cohort_id: str, revision: int | None) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.publish, cohort_id, revision)

    @contextlib.contextmanager
    def subscribe(self, cohort_id: str):
        subscription = _Subscription(cohort_id)
        self._subscriptions.setdefault(cohort_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            remaining = self._subscriptions.get(cohort_id, set())
            remaining.discard(subscription)
            if not remaining:
                self._subscriptions.pop(cohort_id, None)

    # -- PostgreSQL --------------------------------------------------------------------
    def _conninfo(self) -> str:
        url = self.engine.url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    async def _listen_forever(self) -> None:
        import psycopg

        delay = 0.2
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo(), autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    delay = 0.2
                    self.publish("", None)  # anything may have changed while we were not listening
                    async for notify in conn.notifies():
                        cohort_id, _, revision = notify.payload.partition(" ")
                        self.publish(cohort_id, int(revision) if revision.isdigit() else None)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the database went away: listen again soon
                self.listening.clear()
                log.warning("peerkit: lost the PostgreSQL listening connection (%s); retrying in %.1f s",
                            error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # -- reading -----------------------------------------------------------------------
    def read_revision(self, cohort_id: str) -> int | None:
        with self.engine.connect() as conn:
            return revision_of(conn, cohort_id)


async def revision_stream(broker: RevisionBroker, cohort_id: str, *,
                          is_disconnected: Callable[[], Any] | None = None,
                          keepalive: float = KEEPALIVE_SECONDS, recheck: float = 0.0) -> AsyncIterator[str]:
    """Server-sent events for one cohort: its revision now, then each new one, until the cohort goes.

    The revision sent is read from the store after the change committed, so a client
    that fetches the aggregates on an event sees at least that revision. Without being told of
    a change the stream re-reads it every ``recheck`` seconds; with ``recheck`` 0, every backend
    interval or ``keepalive``, whichever is sooner. A keep-alive goes out after ``keepalive``
    quiet seconds, or after ``recheck`` if that is longer.
    """
    poll = recheck or (POSTGRESQL_POLL_SECONDS if broker.postgresql else SQLITE_POLL_SECONDS)
    keepalive = max(keepalive, recheck)
    read = broker.read_revision
    with broker.subscribe(cohort_id) as subscription:
        sent = await asyncio.to_thread(read, cohort_id)
        if sent is None:
            yield format_event("gone", {"detail": "This cohort no longer exists."})
            return
        yield "retry: 1000\n\n"
        yield format_event("revision", {"revision": sent})
        quiet = 0.0
        while True:
            subscription.wake.clear()
            try:
                await asyncio.wait_for(subscription.wake.wait(), timeout=min(poll, keepalive))
                woken = True
            except asyncio.TimeoutError:
                woken = False
            if is_disconnected is not None and await is_disconnected():
                return
            if not woken:
                quiet += min(poll, keepalive)
            revision = await asyncio.to_thread(read, cohort_id)
            # told of a revision the store does not show yet (SQLite: told just before COMMIT): look again soon
            for _ in range(50):
                if revision is None or revision >= subscription.latest:
                    break
                await asyncio.sleep(0.01)
                revision = await asyncio.to_thread(read, cohort_id)
            if revision is None:
                yield format_event("gone", {"detail": "This cohort no longer exists."})
                return
            if revision > sent:
                sent, quiet = revision, 0.0
                yield format_event("revision", {"revision": sent})
            elif quiet >= keepalive:
                quiet = 0.0
                yield ": keep-alive\n\n"


# -- one broker per app ---------------------------------------------------------------------

def broker_for(app: Any) -> RevisionBroker:
    """The app's broker (started with the app by :func:`peerkit.server.app.create_app`; made here if it runs
    without its lifespan, as some test clients do)."""
    broker = getattr(app.state, "events", None)
    if broker is None:
        broker = app.state.events = RevisionBroker(app.state.engine)
        broker._loop = asyncio.get_running_loop()
        _brokers.setdefault(str(broker.engine.url), set()).add(broker)
        if broker.postgresql:
            broker._listener = asyncio.create_task(broker._listen_forever(), name="peerkit-listen")
    return broker
