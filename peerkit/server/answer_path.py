"""The answer path: answers that arrive together are written in one transaction (group commit).

``POST /api/v1/me/answers`` checks each answer with its kind's rule first, in the
request (no database, no lock). The checked answers then go to this process's one
:class:`AnswerWriter`: a thread that takes every request waiting for it (a *batch*:
whatever arrived while the previous transaction was committing, at most
:data:`MAX_BATCH_ANSWERS` answers) and writes them in one transaction:

1. the learner tokens not known to this worker's token cache are looked up, all in one query;
   the batch's cohorts are read (on PostgreSQL ``FOR KEY SHARE``: a cohort being closed
   or deleted waits for the batch, and the batch sees it closed afterwards; writers of
   answers never wait on each other for it), and the batch's learners;
2. only the stored answers to the items in the batch are read (one query for the
   whole batch, never all of a learner's answers);
3. for each request in arrival order, each answer is accepted (stored, or the same
   seq again: a resend), or stale (an older seq than the stored one), exactly as one
   request alone would be;
4. new answers are inserted and changed ones updated with ``executemany``; the count
   changes of the whole batch are merged into one set of rows
   (:class:`.aggregates.BatchChanges`); each learner's ``last_seq`` once;
5. one revision bump and one notification per cohort (:func:`.revisions.changed`),
   then one commit.

A request is answered only after the transaction holding its answers has committed.
A batch that fails on contention or a lost database connection is run again (seq
keeps that idempotent: an answer already stored is a resend) until
:data:`RETRY_SECONDS` have passed; a batch that still fails is split, and each of
its requests is written alone, so a failure reaches exactly the requests it belongs
to. A request whose transaction failed gets a 503 (or 507 when the disk is full) and
nothing is acknowledged: the learner's outbox keeps the answers and sends them again.

On SQLite this is the process's only writer of answers (one writer per process);
with several PostgreSQL workers each worker has its own writer, and their batches
never wait on one shared row (see :mod:`.revisions` and :mod:`.aggregates`).

Kept whole (about 440 lines): it is one design, the batch's transaction and the thread that
gathers and retries batches, and each step above is only correct together with the others.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from ..exercises import load_exercise
from ..kinds import kind_of
from ..timestamps import format_moment, now
from . import aggregates, db
from .live_tools import texts  # shared texts are scrubbed and wait for approval as they arrive (issue 18)
from .problems import Problem
from .tokens import Principal, remember_learner

log = logging.getLogger(__name__)

#: Most answers written in one transaction (a batch also ends when nothing more is waiting).
MAX_BATCH_ANSWERS = 2000
#: How long a batch is tried again on contention or a lost connection before its requests are told.
RETRY_SECONDS = 8.0
#: Keys per ``IN`` list (SQLite allows 32,766 bound values; three per key).
_CHUNK = 300


@dataclass
class Checked:
    """One answer that passed its kind's rule."""

    seq: int
    exercise: str
    item: str
    stored: str | None  # canonical JSON, or None to withdraw


@dataclass
class Request:
    #: the learner, or None when only ``token_hash`` is known yet (resolved for the whole batch in one query)
    who: Principal | None
    good: list[Checked]
    refused: list[dict[str, Any]]
    #: told when the request is not awaited on an event loop (:meth:`AnswerWriter.submit`)
    future: concurrent.futures.Future | None = None
    token_hash: str | None = None
    #: most learner-made items (goals) one learner may share per exercise (ServerSettings.max_learner_items)
    max_learner_items: int = 50
    #: awaited on an event loop (:meth:`AnswerWriter.record`): the loop and its future, told instead of ``future``
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future | None = None


def _tell(requests: list[Request], outcomes: list[Any]) -> None:
    """Give each request its outcome (a result, or the exception to raise). The requests awaited on an event
    loop are told in one call to that loop: one wake-up of the loop per batch, not one per request (with 50
    clients, a future per request handed across threads cost about 9 % of the event loop, py-spy under wrk)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, Any]]] = {}
    for request, outcome in zip(requests, outcomes):
        if request.loop is None:
            if request.future is not None and not request.future.done():
                if isinstance(outcome, BaseException):
                    request.future.set_exception(outcome)
                else:
                    request.future.set_result(outcome)
        else:
            by_loop.setdefault(request.loop, []).append((request.waiter, outcome))
    for loop, told in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, told)
        except RuntimeError:  # the loop has closed: nobody waits for these any more
            pass


def _settle(told: list[tuple[asyncio.Future, Any]]) -> None:
    for waiter, outcome in told:
        if waiter.done():  # the client went away and the request was cancelled
            continue
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)


def _resolve_tokens(conn: sa.Connection, requests: list[Request]) -> None:
    """The learners of the batch's requests that came with a learner token not looked up yet: one query."""
    wanted = sorted({r.token_hash for r in requests if r.who is None and r.token_hash})
    found: dict[str, Principal] = {}
    for chunk in _chunks(wanted):
        for row in conn.execute(_HOLDERS[db.is_postgresql(conn)], {"hashes": chunk}):
            found[row.token_hash] = Principal("learner", str(row.id), cohort_id=row.cohort_id,
                                               pseudonym=row.pseudonym, credential=str(row.id))
    for request in requests:
        if request.who is None and request.token_hash in found:
            request.who = found[request.token_hash]
            remember_learner(request.token_hash, request.who)


def gone() -> Problem:
    return Problem(401, "not-signed-in", "Not signed in", "You are no longer in this cohort (you left, or the "
                   "trainer deleted it). Join again with the join code.", headers={"WWW-Authenticate": "Bearer"})


def not_signed_in() -> Problem:
    """The words of :func:`peerkit.server.auth.learner` for a learner token that works no longer (or never did)."""
    return Problem(401, "not-signed-in", "Not signed in", "This needs your learner token: join the cohort with its "
                   "code first. If you left the cohort or it was deleted, the old token no longer works.",
                   headers={"WWW-Authenticate": "Bearer"})


def closed(name: str) -> Problem:
    return Problem(410, "cohort-closed", "Cohort closed",
                   f"The cohort {name!r} is closed: it takes no more answers. Your answers stay on your computer.")


def not_stored(error: BaseException) -> Problem:
    """What a learner hears when the transaction holding their answers failed: nothing was stored."""
    text = str(error).lower()
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return Problem(507, "store-full", "The server's disk is full",
                       "The server could not store your answers: its disk is full. Nothing was lost: your answers "
                       "stay on your computer and are sent again by themselves. Tell your trainer.")
    return Problem(503, "not-stored", "Answers not stored yet",
                   "The server could not store your answers just now. They stay on your computer and are sent "
                   "again by themselves.", headers={"Retry-After": "2"})


def is_transient(error: BaseException) -> bool:
    """Contention or a lost connection: the same transaction may well succeed if run again."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, (exc.OperationalError, exc.InterfaceError)):
        return False
    text = str(error).lower()
    if "disk is full" in text or "no space left" in text:
        return False
    return any(word in text for word in db.TRANSIENT + db.DISCONNECTED)


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- one batch, in one transaction ----------------------------------------------------------------

@dataclass
class _Stored:
    id: int | None  # None: inserted in this batch
    seq: int
    value: str | None
    source: str


def write_batch(conn: sa.Connection, requests: list[Request]) -> list[dict[str, Any] | Problem]:
    """Write every request's answers in the current transaction; one result (or Problem) per request."""
    postgresql = db.is_postgresql(conn)
    _resolve_tokens(conn, requests)
    unknown = [r for r in requests if r.who is None]
    if unknown:  # a token nobody holds (never, or no longer): 401 for exactly those requests
        known = [r for r in requests if r.who is not None]
        replies = iter(write_batch(conn, known) if known else [])
        return [not_signed_in() if r.who is None else next(replies) for r in requests]
    cohort_ids = sorted({r.who.cohort_id for r in requests})
    cohorts = {row.id: row for row in conn.execute(_COHORTS[postgresql], {"ids": cohort_ids})}
    learner_ids = sorted({r.who.learner_id for r in requests})
    learners = {row.id: row for row in conn.execute(_LEARNERS[postgresql], {"ids": learner_ids})}

    def problem_of(request: Request) -> Problem | None:
        learner = learners.get(request.who.learner_id)
        cohort = cohorts.get(request.who.cohort_id)
        if learner is None or cohort is None or learner.cohort_id != cohort.id:
            return gone()
        if cohort.status != "open":
            return closed(cohort.name)
        return None

    problems = [problem_of(r) for r in requests]
    keys = sorted({(r.who.learner_id, a.exercise, a.item)
                   for r, p in zip(requests, problems) if p is None for a in r.good})
    held: dict[tuple[int, str, str], _Stored] = {}
    columns = (db.answers.c.id, db.answers.c.learner_id, db.answers.c.exercise, db.answers.c.item,
               db.answers.c.value, db.answers.c.seq, db.answers.c.source)
    for chunk in _chunks(keys):
        for row in conn.execute(db.answers_for_keys(postgresql, 3, *columns), db.answer_keys(conn, chunk)):
            held[(row.learner_id, row.exercise, row.item)] = _Stored(row.id, int(row.seq), row.value, row.source)

    made = _learner_made_items(conn, requests, problems)
    stamp = format_moment(now())
    changes = aggregates.BatchChanges()
    state: dict[tuple[int, str, str], _Stored] = dict(held)
    last_seq = {lid: int(row.last_seq) for lid, row in learners.items()}
    touched_learners: set[int] = set()
    results: list[dict[str, Any] | Problem] = []
    for request, problem in zip(requests, problems):
        if problem is not None:
            results.append(problem)
            continue
        who = request.who
        learner_id = who.learner_id
        accepted, stale = [], []
        capped = []
        for answer in sorted(request.good, key=lambda a: a.seq):  # within a batch too, the higher seq wins
            key = (learner_id, answer.exercise, answer.item)
            mine = made.get((learner_id, answer.exercise))
            if mine is not None and answer.stored is not None and answer.item not in mine:
                if len(mine) >= request.max_learner_items:
                    capped.append({"seq": answer.seq, "exercise": answer.exercise, "item": answer.item,
                                   "detail": f"You already share {request.max_learner_items} items in this "
                                             "exercise, the most one person may. Withdraw one to share another."})
                    continue
                mine.add(answer.item)
            existing = state.get(key)
            if existing is not None and existing.source == "live" and existing.seq >= answer.seq:
                (accepted if existing.seq == answer.seq else stale).append(answer.seq)  # a resend, or older
                continue
            old_value, old_source = (existing.value, existing.source) if existing else (None, None)
            changes.change(who.cohort_id, learner_id, answer.exercise, answer.item, old_value, old_source,
                           answer.stored, "live")
            state[key] = _Stored(existing.id if existing else None, answer.seq, answer.stored, "live")
            accepted.append(answer.seq)
        refused_here = {entry["seq"] for entry in capped}  # a refused answer moves no seq on
        seqs = [a.seq for a in request.good if a.seq not in refused_here]
        if seqs and max(seqs) > last_seq[learner_id]:
            last_seq[learner_id] = max(seqs)
            touched_learners.add(learner_id)
        results.append({"accepted": accepted, "stale": stale, "refused": request.refused + capped,
                        "last_seq": last_seq[learner_id]})

    inserts, updates = [], []
    for key in sorted(state):
        after = state[key]
        before = held.get(key)
        if before is not None and after is before:
            continue
        learner_id, exercise, item = key
        if after.id is None:
            inserts.append({"cohort_id": learners[learner_id].cohort_id, "learner_id": learner_id,
                            "exercise": exercise, "item": item, "value": after.value, "seq": after.seq,
                            "received_at": stamp, "source": "live"})
        else:  # its shared text's moderation (room_texts) follows in _shared_texts_arrived
            updates.append({"answer_id": after.id, "value": after.value, "seq": after.seq, "received_at": stamp})
    # the learners' other answers to an exercise whose first answer came, or whose last one went
    changes.exercise_answers_before(conn)
    if updates:
        if postgresql:  # one statement, not one a row in psycopg's pipeline (as the inserts: db.make_engine)
            conn.execute(_UPDATE_ANSWERS_PG, {"ids": [u["answer_id"] for u in updates],
                                              "values": [u["value"] for u in updates],
                                              "seqs": [u["seq"] for u in updates], "received_at": stamp})
        else:
            conn.execute(_UPDATE_ANSWER, updates)
    if inserts:
        conn.execute(sa.insert(db.answers), inserts)
    _shared_texts_arrived(conn, learners, [key for key in state if not (held.get(key) is state[key])], state)
    if touched_learners:
        moved = sorted(touched_learners)
        if postgresql:
            conn.execute(_UPDATE_LAST_SEQ_PG, {"ids": moved, "seqs": [last_seq[lid] for lid in moved]})
        else:
            conn.execute(_UPDATE_LAST_SEQ, [{"learner": lid, "last_seq": last_seq[lid]} for lid in moved])
    changes.write(conn)
    from .revisions import changed

    for cohort_id in sorted(changes.cohorts()):
        changed(conn, cohort_id)
    return results


def _learner_made_items(conn: sa.Connection, requests: list[Request],
                        problems: list[Problem | None]) -> dict[tuple[int, str], set[str]]:
    """``{(learner, exercise): items the store holds}`` for the exercises of learner-made items (goals) in the
    batch, so that no learner shares more than ``max_learner_items`` of them (a withdrawn one no longer counts)."""
    wanted = sorted({(r.who.learner_id, a.exercise) for r, p in zip(requests, problems) if p is None
                     for a in r.good if _learner_items(a.exercise)})
    made: dict[tuple[int, str], set[str]] = {key: set() for key in wanted}
    for chunk in _chunks(wanted):
        for row in conn.execute(_made_items_query(db.is_postgresql(conn)), db.answer_keys(conn, chunk)):
            made[(row.learner_id, row.exercise)].add(row.item)
    return made


@functools.lru_cache(maxsize=2)
def _made_items_query(postgresql: bool) -> sa.Select:
    return db.answers_for_keys(postgresql, 2, db.answers.c.learner_id, db.answers.c.exercise,
                               db.answers.c.item).where(db.answers.c.value.is_not(None))


def _learner_items(exercise_id: str) -> bool:
    return kind_of(load_exercise(exercise_id)).learner_items


def _shared_texts_arrived(conn: sa.Connection, learners: dict[int, Any], keys: list[tuple[int, str, str]],
                          state: dict[tuple[int, str, str], "_Stored"]) -> None:
    """Shared texts wait, scrubbed, for the trainer's approval (:func:`peerkit.server.live_tools.texts.arrived_many`),
    in the same transaction as the answers that carry them: the batch's texts in a few statements, not a few each."""
    keys = sorted(key for key in keys if key[1] in texts.text_exercises())
    if not keys:
        return
    ids: dict[tuple[int, str, str], int] = {}
    for chunk in _chunks(keys):
        ids.update({(row.learner_id, row.exercise, row.item): row.id for row in conn.execute(db.answers_for_keys(
            db.is_postgresql(conn), 3, db.answers.c.id, db.answers.c.learner_id, db.answers.c.exercise,
            db.answers.c.item), db.answer_keys(conn, chunk))})
    texts.arrived_many(conn, [(learners[key[0]].cohort_id, ids[key], key[1], key[2], state[key].value)
                              for key in keys if key in ids])


#: The statements of every batch, built once (built anew for each batch, their building and cache keys cost
#: the writer about 0.4 ms a batch); the lists of ids are one parameter each (:func:`.db.one_of`).
_COHORT_ROWS = sa.select(db.cohorts.c.id, db.cohorts.c.name, db.cohorts.c.status)
_COHORTS = {False: _COHORT_ROWS.where(db.one_of(db.cohorts.c.id, "ids", False)),
            True: _COHORT_ROWS.where(db.one_of(db.cohorts.c.id, "ids", True)).with_for_update(key_share=True)}
_HOLDERS = {postgresql: (sa.select(db.learners.c.id, db.learners.c.cohort_id, db.learners.c.pseudonym,
                                   db.learners.c.token_hash)
                         .where(db.one_of(db.learners.c.token_hash, "hashes", postgresql)))
            for postgresql in (False, True)}
_LEARNERS = {postgresql: (sa.select(db.learners.c.id, db.learners.c.cohort_id, db.learners.c.last_seq)
                          .where(db.one_of(db.learners.c.id, "ids", postgresql)))
             for postgresql in (False, True)}
_UPDATE_ANSWER = (sa.update(db.answers).where(db.answers.c.id == sa.bindparam("answer_id"))
                  .values(value=sa.bindparam("value"), seq=sa.bindparam("seq"),
                          received_at=sa.bindparam("received_at"), source="live"))
#: PostgreSQL: the same two updates for a whole batch in one statement each, the rows as arrays
_UPDATE_ANSWERS_PG = sa.text(
    "UPDATE answers SET value = v.value, seq = v.seq, received_at = :received_at, source = 'live' "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:values AS text[]), CAST(:seqs AS bigint[])) AS v(id, value, seq) "
    "WHERE answers.id = v.id")
_UPDATE_LAST_SEQ_PG = sa.text(
    "UPDATE learners SET last_seq = v.last_seq "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:seqs AS bigint[])) AS v(id, last_seq) "
    "WHERE learners.id = v.id AND learners.last_seq < v.last_seq")
_UPDATE_LAST_SEQ = (sa.update(db.learners).where(db.learners.c.id == sa.bindparam("learner"),
                                                 db.learners.c.last_seq < sa.bindparam("last_seq"))
                    .values(last_seq=sa.bindparam("last_seq")))


# -- the writer thread ----------------------------------------------------------------------------

class AnswerWriter:
    """This process's writer of answers: one thread, one transaction per batch."""

    def __init__(self, engine: sa.Engine, *, max_answers: int = MAX_BATCH_ANSWERS,
                 retry_seconds: float = RETRY_SECONDS, max_learner_items: int = 50) -> None:
        self.engine = engine
        self.max_learner_items = max_learner_items
        self.max_answers = max_answers
        self.retry_seconds = retry_seconds
        self._waiting: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        #: figures for tests and the benchmark: batches written, requests in them
        self.batches = 0
        self.requests = 0

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="peerkit-answer-writer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._waiting.put(None)
            self._thread.join(timeout=30)

    def submit(self, who: Principal | None, good: list[Checked], refused: list[dict[str, Any]], *,
               token_hash: str | None = None) -> concurrent.futures.Future:
        """Queue a request; ``who`` None: the learner holding ``token_hash``, looked up with the batch."""
        request = Request(who, good, refused, token_hash=token_hash, max_learner_items=self.max_learner_items,
                          future=concurrent.futures.Future())
        self.start()
        self._waiting.put(request)
        return request.future

    async def record(self, who: Principal | None, good: list[Checked], refused: list[dict[str, Any]], *,
                     token_hash: str | None = None) -> dict[str, Any]:
        """Await the commit of the transaction holding these answers; raises the request's Problem."""
        loop = asyncio.get_running_loop()
        request = Request(who, good, refused, token_hash=token_hash, max_learner_items=self.max_learner_items,
                          loop=loop, waiter=loop.create_future())
        self.start()
        self._waiting.put(request)
        return await request.waiter

    # -- the thread ------------------------------------------------------------------------
    def _take(self, first: Request) -> tuple[list[Request], bool]:
        batch, answers, stopping = [first], len(first.good), False
        while answers < self.max_answers:
            try:
                more = self._waiting.get_nowait()
            except queue.Empty:
                break
            if more is None:
                stopping = True
                break
            batch.append(more)
            answers += len(more.good)
        return batch, stopping

    def _run(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            batch, stopping = self._take(first)
            try:
                self._write(batch)
            except BaseException as error:  # noqa: BLE001 - never leave a request waiting for ever
                log.exception("peerkit: the answer writer failed")
                _tell(batch, [not_stored(error)] * len(batch))  # a request already told keeps its outcome
            if stopping:
                return

    def _attempt(self, batch: list[Request]) -> list[dict[str, Any] | Problem]:
        """The batch in one transaction, run again on contention or a lost connection until RETRY_SECONDS."""
        deadline, delay = time.monotonic() + self.retry_seconds, 0.02
        while True:
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(peerkit_write=True)
                    with conn.begin():
                        return write_batch(conn, batch)
            except Exception as error:
                if not is_transient(error) or time.monotonic() + delay > deadline:
                    raise
                log.warning("peerkit: a batch of %d answer requests is run again (%s)", len(batch),
                            str(error).splitlines()[0][:200])
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _write(self, batch: list[Request]) -> None:
        try:
            results = self._attempt(batch)
        except Exception as error:
            if len(batch) > 1:  # find the requests it belongs to: each one alone
                log.warning("peerkit: a batch of %d answer requests failed (%s); writing each alone", len(batch),
                            str(error).splitlines()[0][:200])
                for request in batch:
                    self._write([request])
                return
            log.warning("peerkit: answers not stored: %s", str(error).splitlines()[0][:300])
            _tell(batch, [not_stored(error)])
            return
        self.batches += 1
        self.requests += len(batch)
        _tell(batch, results)


def writer_for(app: Any) -> AnswerWriter:
    """The app's writer (made and started on first use; the app's lifespan stops it)."""
    writer = getattr(app.state, "answer_writer", None)
    if writer is None:
        writer = app.state.answer_writer = AnswerWriter(
            app.state.engine, max_learner_items=app.state.settings.max_learner_items)
    return writer
