"""The answer path (peerkit.server.answer_path): batches, their replies, failed commits, and faults at load.

In-process tests drive :func:`write_batch` and :class:`AnswerWriter` on a real store
(SQLite and PostgreSQL). The fault tests run a real ``peerkit serve`` with many
learners, each with their own store, outbox and background sender, as in a lecture:

- kill -9 of a worker mid-burst (SQLite: the server, restarted on the same port;
  PostgreSQL with two workers: one worker, the other carries on);
- a PostgreSQL restart mid-burst (the writers retry their batches, the workers listen again);
- a full disk on SQLite: a clear 507 and nothing acknowledged; the outboxes keep the answers.

Afterwards every answer every learner gave is in the store exactly as given (so every
acknowledged one is: an acknowledged answer leaves the outbox and is never sent again),
the outboxes emptied themselves with no help, and the kept counts equal a recount.
No fixed sleeps: every wait is a bounded loop on a condition.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from peerkit.server import answer_path, db
from peerkit.server.answer_path import AnswerWriter, Checked, write_batch
from peerkit.server.tokens import Principal
from peerkit.server.problems import Problem
from tests.support.client import wait_for
from tests.support.postgres import PostgresServer, required_bindir
from tests.support.server import add_trainer, make_cohort, recount_matches

LEARNERS = 12
SHARED = ["boundaries", "core_skills"]


# -- in process: what a batch is -----------------------------------------------------------------

@pytest.fixture
def store(server_db: str, tmp_path: Path) -> Any:
    """A migrated store with one open cohort of three learners and one closed cohort of one."""
    from peerkit.server import cohorts, joining
    from peerkit.server.tokens import new_trainer
    from peerkit.server.settings import ServerSettings

    engine = db.make_engine(server_db)
    db.migrate(engine)
    settings = ServerSettings(folder=tmp_path, db_url=server_db)
    secret = settings.secret_key()
    trainer, _ = db.write(engine, lambda conn: new_trainer(conn, "T"))
    open_one = cohorts.create(engine, secret, trainer, "Open", 1)
    closed_one = cohorts.create(engine, secret, trainer, "Closed", 1)

    def member(cohort: dict) -> Principal:
        joined = joining.join(engine, secret, settings, cohort["join_code"], "p-" + os.urandom(10).hex(), "here")
        from peerkit.server.tokens import principal_for_token

        return principal_for_token(engine, joined["token"])

    class Store:
        pass

    found = Store()
    found.engine, found.url = engine, server_db
    found.learners = [member(open_one) for _ in range(3)]
    found.closed_member = member(closed_one)
    cohorts.close(engine, secret, trainer, closed_one["id"])
    yield found
    engine.dispose()


def request(who: Principal, *answers: tuple[int, str, str, Any]) -> answer_path.Request:
    return answer_path.Request(who, [Checked(seq, exercise, item, None if value is None else json.dumps(value))
                                     for seq, exercise, item, value in answers], [])


def stored(engine: sa.Engine) -> dict[tuple[int, str], tuple[int, Any]]:
    with engine.connect() as conn:
        return {(r.learner_id, r.item): (int(r.seq), None if r.value is None else json.loads(r.value))
                for r in conn.execute(sa.select(db.answers))}


def test_one_batch_gives_each_request_the_reply_it_would_get_alone(store: Any) -> None:
    ana, ben, cai = store.learners
    db.write(store.engine, lambda conn: write_batch(conn, [request(cai, (5, "boundaries", "B01", "never"))]))
    batch = [
        request(ana, (2, "boundaries", "B01", "maybe"), (1, "boundaries", "B01", "never")),  # inside a request too
        request(ben, (1, "boundaries", "B01", "always")),
        request(ana, (3, "boundaries", "B01", "always"), (2, "boundaries", "B02", "never")),  # a second request
        request(cai, (5, "boundaries", "B01", "never"), (4, "boundaries", "B01", "maybe")),  # resend, then older
        request(store.closed_member, (1, "boundaries", "B01", "never")),
    ]
    replies = db.write(store.engine, lambda conn: write_batch(conn, batch))
    assert replies[0] == {"accepted": [1, 2], "stale": [], "refused": [], "last_seq": 2}
    assert replies[1] == {"accepted": [1], "stale": [], "refused": [], "last_seq": 1}
    assert replies[2] == {"accepted": [2, 3], "stale": [], "refused": [], "last_seq": 3}  # saw the first request
    assert replies[3] == {"accepted": [5], "stale": [4], "refused": [], "last_seq": 5}
    assert isinstance(replies[4], Problem) and replies[4].status == 410
    answers = stored(store.engine)
    assert answers[(ana.learner_id, "B01")] == (3, "always")
    assert answers[(ana.learner_id, "B02")] == (2, "never")
    assert answers[(ben.learner_id, "B01")] == (1, "always")
    assert answers[(cai.learner_id, "B01")] == (5, "never")
    assert (store.closed_member.learner_id, "B01") not in answers
    recount_matches(store.url)  # the counts merged over the batch are the counts of what is stored


def test_a_withdrawal_in_a_batch_takes_the_learner_off_the_exercise(store: Any) -> None:
    ana, ben, _ = store.learners
    db.write(store.engine, lambda conn: write_batch(conn, [request(ana, (1, "boundaries", "B01", "never"),
                                                                   (2, "boundaries", "B02", "never"))]))
    db.write(store.engine, lambda conn: write_batch(conn, [
        request(ana, (3, "boundaries", "B01", None), (4, "boundaries", "B02", None)),
        request(ben, (1, "boundaries", "B03", "maybe"))]))
    recount_matches(store.url)


def test_shared_texts_of_a_batch_are_kept_with_a_few_statements_and_keep_their_moderation(store: Any) -> None:
    """The batch writes its shared texts (``room_texts``, the one moderation state) with a fixed number of
    statements however many texts it holds, and each keeps the rules of :mod:`peerkit.server.live_tools.texts`:
    new ones wait, an edited approved one waits again, an edited hidden one stays hidden, a withdrawn one goes."""
    from peerkit.server.live_tools import texts

    items = [("welcome_reflection", "R1"), ("welcome_reflection", "R2"), ("boundaries_reflection", "R1"),
             ("boundaries_reflection", "R2"), ("course_review", "R1"), ("course_review", "R2"), ("course_review", "R3")]
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if "room_texts" in statement:
            statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", seen)
    try:
        db.write(store.engine, lambda conn: write_batch(conn, [
            request(who, *[(seq, exercise, item, {"text": f"{who.learner_id} on {exercise} {item}"})
                           for seq, (exercise, item) in enumerate(items, start=1)]) for who in store.learners]))
        first = len(statements)
        with store.engine.connect() as conn:
            rows = {(r.answer_id): r for r in conn.execute(sa.select(texts.room_texts))}
        assert len(rows) == 3 * len(items) and {r.status for r in rows.values()} == {"pending"}
        assert first <= 4, statements  # not one (or two) per text
        ana, ben, cai = store.learners
        by_text = {r.text: r.answer_id for r in rows.values()}
        approved, hidden = by_text[f"{ana.learner_id} on welcome_reflection R1"], by_text[f"{ben.learner_id} on welcome_reflection R1"]
        with store.engine.begin() as conn:
            texts.moderate(conn, ana.cohort_id, approved, "approved")
            texts.moderate(conn, ben.cohort_id, hidden, "hidden")
        statements.clear()
        db.write(store.engine, lambda conn: write_batch(conn, [
            request(ana, (8, "welcome_reflection", "R1", {"text": "Ana, edited"})),
            request(ben, (8, "welcome_reflection", "R1", {"text": "Ben, edited"}),
                    (9, "welcome_reflection", "R2", None)),
            request(cai, (8, "self_care_plan", "R1", {"text": "Cai, new"}), (9, "boundaries", "B01", "never"))]))
        assert len(statements) <= 5, statements
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", seen)
    with store.engine.connect() as conn:
        now_held = {r.text: r.status for r in conn.execute(sa.select(texts.room_texts))}
    assert now_held["Ana, edited"] == "pending" and now_held["Ben, edited"] == "hidden"
    assert now_held["Cai, new"] == "pending" and f"{ben.learner_id} on welcome_reflection R2" not in now_held
    assert len(now_held) == 3 * len(items)  # one withdrawn, one new


def hold_first_batch(monkeypatch: Any) -> tuple[threading.Event, threading.Event]:
    """The writer's first batch waits at a gate, so the requests sent meanwhile queue up behind it:
    ``entered`` is set when that batch is held, ``gate.set()`` lets it go on."""
    gate, entered = threading.Event(), threading.Event()
    real = answer_path.write_batch

    def held_first(conn: sa.Connection, batch: list) -> list:
        if not entered.is_set():
            entered.set()
            assert gate.wait(30)
        return real(conn, batch)

    monkeypatch.setattr(answer_path, "write_batch", held_first)
    return gate, entered


def test_requests_waiting_together_are_one_transaction_answered_after_its_commit(store: Any,
                                                                                monkeypatch: Any) -> None:
    """While the writer is busy, requests queue; they are then written in one batch, and each future
    resolves only once its answer can be read from another connection."""
    writer = AnswerWriter(store.engine)
    ana, ben, cai = store.learners
    gate, entered = hold_first_batch(monkeypatch)
    seen_on_commit: list[bool] = []

    def check_visible(future: concurrent.futures.Future, who: Principal, item: str) -> None:
        if future.exception() is None:
            seen_on_commit.append((who.learner_id, item) in stored(store.engine))

    try:
        first = writer.submit(ana, *[request(ana, (1, "boundaries", "B01", "never")).good], [])
        assert entered.wait(30)
        later = []
        for number, who in enumerate([ana, ben, cai] * 3, start=2):
            item = f"B{number:02d}"
            future = writer.submit(who, request(who, (number, "boundaries", item, "maybe")).good, [])
            future.add_done_callback(lambda f, who=who, item=item: check_visible(f, who, item))
            later.append(future)
        assert not any(f.done() for f in later)  # nothing is answered before its transaction commits
        gate.set()
        for future in [first, *later]:
            assert future.result(30)["accepted"]
    finally:
        writer.stop()
    assert writer.batches == 2 and writer.requests == 10  # the nine that waited went in one transaction
    assert seen_on_commit == [True] * 9


def test_a_batch_awaited_on_the_event_loop_wakes_it_once(store: Any, monkeypatch: Any) -> None:
    """The requests of one batch awaited with ``record`` (as the route does) are told with one call into
    their event loop, not one each, and each still gets its own reply."""
    import asyncio

    ana, ben, cai = store.learners
    writer = AnswerWriter(store.engine)
    gate, entered = hold_first_batch(monkeypatch)

    async def lecture() -> tuple[list[dict], int]:
        loop = asyncio.get_running_loop()
        first = writer.submit(ana, request(ana, (1, "boundaries", "B01", "never")).good, [])
        await asyncio.to_thread(entered.wait, 30)
        wake_ups = []
        threadsafe = loop.call_soon_threadsafe
        monkeypatch.setattr(loop, "call_soon_threadsafe", lambda *a, **k: wake_ups.append(a) or threadsafe(*a, **k))
        waiting = [asyncio.ensure_future(writer.record(who, request(who, (n, "boundaries", f"B{n:02d}", "maybe")).good,
                                                       [])) for n, who in enumerate([ana, ben, cai] * 3, start=2)]
        while writer._waiting.qsize() < len(waiting):  # every request is queued behind the held batch
            await asyncio.sleep(0)
        gate.set()
        replies = await asyncio.wait_for(asyncio.gather(*waiting), 30)
        assert first.result(30)["accepted"] == [1]
        return replies, len(wake_ups)

    try:
        replies, wake_ups = asyncio.run(lecture())
    finally:
        writer.stop()
    assert [r["accepted"] for r in replies] == [[n] for n in range(2, 11)]
    assert writer.batches == 2 and wake_ups == 1


def test_a_failing_batch_is_retried_then_fails_only_its_own_requests(store: Any, monkeypatch: Any) -> None:
    ana, ben, cai = store.learners
    real = answer_path.write_batch
    gate, entered = threading.Event(), threading.Event()
    calls = {"n": 0}

    def flaky(conn: sa.Connection, batch: list) -> list:
        calls["n"] += 1
        if calls["n"] == 1:  # the first batch waits, so the three below queue up behind it
            entered.set()
            assert gate.wait(30)
        elif calls["n"] == 2:  # contention once: the same batch runs again
            raise sa.exc.OperationalError("BEGIN", {}, Exception("database is locked"))
        elif any(r.who == ben for r in batch):  # ben's request cannot be written, whatever happens
            raise sa.exc.IntegrityError("INSERT", {}, Exception("constraint failed"))
        return real(conn, batch)

    monkeypatch.setattr(answer_path, "write_batch", flaky)
    writer = AnswerWriter(store.engine, retry_seconds=5)
    results: list[Any] = []
    try:
        first = writer.submit(ana, request(ana, (6, "boundaries", "B08", "maybe")).good, [])
        assert entered.wait(30)
        futures = [writer.submit(who, request(who, (7, "boundaries", "B09", "never")).good, [])
                   for who in (ana, ben, cai)]
        gate.set()
        assert first.result(30)["accepted"] == [6]
        for future in futures:
            try:
                results.append(future.result(30))
            except Problem as problem:
                results.append(problem)
    finally:
        writer.stop()
    assert results[0]["accepted"] == [7] and results[2]["accepted"] == [7]
    assert isinstance(results[1], Problem) and results[1].status == 503 and "stay on your computer" in \
        results[1].detail
    answers = stored(store.engine)
    assert (ana.learner_id, "B09") in answers and (cai.learner_id, "B09") in answers
    assert (ben.learner_id, "B09") not in answers
    assert calls["n"] == 6  # blocked batch; the batch of three twice; then each of the three alone


# -- faults at load: real servers, many learners with outboxes -------------------------------------

@pytest.fixture
def learners(tmp_path: Path, monkeypatch: Any) -> Any:
    """``learners(server, cohort)``: LEARNERS learners joined with their own stores; each answers every item
    of the two exercises (queued in its outbox and sent by its background sender, 4 answers a request)."""
    from peerkit.client import sender
    from peerkit.client.membership import join
    from peerkit.client.sync import sync
    from peerkit.exercises import load_exercise
    from peerkit.store import LocalStore

    monkeypatch.setattr(sender, "MAX_BATCH", 4)  # many small requests: a fault lands mid-burst
    monkeypatch.setattr(sender, "MAX_RETRY_SECONDS", 0.5)
    made: list[Any] = []

    def start(server: Any, cohort: dict) -> list[tuple[Any, dict]]:
        people = []
        for number in range(LEARNERS):
            store = LocalStore(tmp_path / "learners" / f"l{number}" / "answers.sqlite")
            join(store, cohort["join_code"], url=server.url, share=SHARED)
            people.append(store)
        given: list[tuple[Any, dict]] = []
        for number, store in enumerate(people):
            answers = {("boundaries", item): ["never", "maybe", "always"][(number + k) % 3]
                       for k, item in enumerate(load_exercise("boundaries").item_ids)}
            answers.update({("core_skills", item): 1 + (number + k) % 5
                            for k, item in enumerate(load_exercise("core_skills").item_ids)})
            for (exercise, item), value in answers.items():
                store.save(exercise, item, value)
            sync(store)
            given.append((store, answers))
        made.extend(people)
        return given

    yield start
    from peerkit.client.sender import forget

    for store in made:  # their threads end at their next step
        forget(store)


def pending(given: list) -> int:
    from peerkit.client import outbox

    return sum(outbox.pending_count(store) for store, _ in given)


def everyone_settled(given: list, timeout: float = 90) -> None:
    """Every learner's outbox empties by itself (bounded wait)."""
    wait_for(lambda: pending(given) == 0, timeout=timeout, every=0.1)


def every_answer_stored(db_url: str, given: list) -> None:
    from peerkit.client.membership import credentials

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(db.learners.c.token_hash, db.answers.c.exercise, db.answers.c.item,
                                      db.answers.c.value).join(db.learners,
                                                               db.learners.c.id == db.answers.c.learner_id)).all()
    engine.dispose()
    found = {(r.token_hash, r.exercise, r.item): json.loads(r.value) for r in rows if r.value is not None}
    missing = [(exercise, item) for store, answers in given for (exercise, item), value in answers.items()
               if found.get((db.token_hash(credentials(store)["token"]), exercise, item)) != value]
    assert missing == [], f"{len(missing)} answers not in the store as given, e.g. {missing[:3]}"
    recount_matches(db_url)


def worker_pids(server: Any) -> list[int]:
    """The uvicorn worker processes of a several-worker server (children of its supervisor)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    pids = []
    for child in map(int, children):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:  # not the resource tracker, also a multiprocessing child
            pids.append(child)
    return pids


def test_kill_9_of_the_sqlite_server_mid_burst(start_server: Any, sqlite_db: str, learners: Any) -> None:
    server = start_server(sqlite_db)
    cohort = make_cohort(server, add_trainer(server))
    given = learners(server, cohort)
    total = pending(given)
    wait_for(lambda: pending(given) < total * 3 // 4, timeout=60, every=0.01)  # well under way
    server.kill()  # SIGKILL: no clean shutdown, batches in flight
    left = pending(given)
    assert 0 < left < total
    again = start_server(sqlite_db, port=server.port)  # the same address: the senders find it again by themselves
    everyone_settled(given)
    every_answer_stored(sqlite_db, given)
    assert "Traceback" not in again.output()


def test_kill_9_of_one_postgresql_worker_mid_burst(start_server: Any, postgres_db: str, learners: Any) -> None:
    server = start_server(postgres_db, workers=2)
    wait_for(lambda: len(worker_pids(server)) == 2, timeout=60)
    trainer = add_trainer(server)
    cohort = make_cohort(server, trainer)
    given = learners(server, cohort)
    total = pending(given)
    wait_for(lambda: pending(given) < total * 3 // 4, timeout=60, every=0.01)
    victim = worker_pids(server)[0]
    os.kill(victim, signal.SIGKILL)  # one worker dies with its batch; the other carries on
    everyone_settled(given)
    every_answer_stored(postgres_db, given)
    # the server still has two workers listening for changes: a new answer reaches a stream
    wait_for(lambda: len(worker_pids(server)) == 2, timeout=60)
    stream_hears_an_answer(server, trainer, cohort, given)


def stream_hears_an_answer(server: Any, trainer: str, cohort: dict, given: list) -> None:
    """An event stream (on whichever worker) reports the revision of an answer sent afterwards."""
    from peerkit.client.membership import credentials

    token = credentials(given[0][0])["token"]
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(30, read=30)) as client:
        with client.stream("GET", f"/api/v1/cohorts/{cohort['id']}/events",
                           headers={"Authorization": f"Bearer {trainer}"}) as events:
            assert events.status_code == 200, events.read().decode()[:500]
            lines = events.iter_lines()
            first = next((int(json.loads(l[5:])["revision"]) for l in lines if l.startswith("data:")), None)
            assert first is not None, "the stream ended before its first revision"
            reply = client.post("/api/v1/me/answers", headers={"Authorization": f"Bearer {token}"},
                                json={"answers": [{"seq": 10 ** 9, "exercise": "boundaries", "item": "B01",
                                                   "value": "never"}]})
            assert reply.status_code == 200 and reply.json()["accepted"] == [10 ** 9], reply.text
            for line in lines:  # bounded by the read timeout: a stream that hears nothing fails the test
                if line.startswith("data:") and int(json.loads(line[5:])["revision"]) > first:
                    return


@pytest.fixture
def private_postgres() -> Any:
    """A PostgreSQL server of this test's own (it is restarted: the shared one must not be)."""
    server = PostgresServer(required_bindir()).start()
    yield server
    server.stop()


def test_a_postgresql_restart_mid_burst(start_server: Any, private_postgres: PostgresServer, learners: Any) -> None:
    url = private_postgres.url_for(private_postgres.new_database())
    server = start_server(url, workers=2)
    trainer = add_trainer(server)
    cohort = make_cohort(server, trainer)
    given = learners(server, cohort)
    total = pending(given)
    wait_for(lambda: pending(given) < total * 3 // 4, timeout=60, every=0.01)
    private_postgres.restart()  # every connection is cut, batches in flight fail and are run again
    everyone_settled(given)
    every_answer_stored(url, given)
    stream_hears_an_answer(server, trainer, cohort, given)  # the workers listen again
    assert "lost the PostgreSQL listening connection" in server.output()


def test_a_full_sqlite_disk_is_a_clear_507_and_nothing_is_acknowledged(
        start_server: Any, sqlite_db: str, tmp_path: Path, monkeypatch: Any) -> None:
    """A store that cannot grow: SQLite's ``max_page_count`` (``PEERKIT_SERVER_SQLITE_MAX_PAGES``) gives the
    very error a full disk gives (SQLITE_FULL, "database or disk is full"), as any user in any container;
    a size-limited tmpfs or loop mount needs mount privileges that CI containers do not have."""
    import sqlite3

    from peerkit.client import outbox, sender
    from peerkit.client.membership import join
    from peerkit.client.sync import sync
    from peerkit.store import LocalStore

    monkeypatch.setattr(sender, "MAX_RETRY_SECONDS", 0.5)
    server = start_server(sqlite_db)
    cohort = make_cohort(server, add_trainer(server))
    probe = httpx.post(f"{server.url}/api/v1/join", json={"code": cohort["join_code"],
                                                          "pseudonym": "p-" + os.urandom(10).hex()}).json()["token"]
    learner = LocalStore(tmp_path / "learner" / "answers.sqlite")
    join(learner, cohort["join_code"], url=server.url, share=["welcome_reflection"])
    server.stop()
    path = sqlite_db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")  # free pages (a migration that rebuilt a table leaves some) are room to grow
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    full = start_server(sqlite_db, port=server.port, env={"PEERKIT_SERVER_SQLITE_MAX_PAGES": str(pages)})
    text = "I listen first and ask what would help. " * 120  # a few pages: more than the store has room for
    with full.client(probe) as me:
        reply = me.post("/api/v1/me/answers", json={"answers": [
            {"seq": 1, "exercise": "welcome_reflection", "item": "R1", "value": {"text": text}}]})
    assert reply.status_code == 507, reply.text
    problem = reply.json()
    assert problem["type"].endswith("/store-full") and "disk is full" in problem["detail"]
    assert "stay on your computer" in problem["detail"]
    assert "database or disk is full" in full.output()  # and the server's log says what happened
    # the learner's own outbox: the answer is refused as full again and again, and kept
    learner.save("welcome_reflection", "R1", {"text": text, "share": True})
    sync(learner)
    wait_for(lambda: full.output().count("database or disk is full") >= 3, timeout=60, every=0.1)
    assert outbox.pending_count(learner) == 1
    engine = sa.create_engine(sqlite_db)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.answers)).scalar_one() == 0  # nothing stored
    engine.dispose()
    full.stop()
    again = start_server(sqlite_db, port=server.port)  # room again: the outbox empties by itself
    wait_for(lambda: outbox.pending_count(learner) == 0, timeout=60, every=0.1)
    with again.client(probe) as me:
        assert me.get("/api/v1/me").json()["answers"] == 0
    engine = sa.create_engine(sqlite_db)
    with engine.connect() as conn:
        values = [json.loads(v) for v in conn.execute(sa.select(db.answers.c.value)).scalars()]
    engine.dispose()
    assert values == [{"text": text.strip()}] or values == [{"text": text}]
    sender.forget(learner)


def test_learner_tokens_are_looked_up_with_the_batch(store: Any) -> None:
    """A request may come with only its token's hash: the batch finds every such learner in one query, and a
    token nobody holds gets the usual 401, for that request alone."""
    ana, ben, _ = store.learners
    with store.engine.connect() as conn:
        hashes = dict(conn.execute(sa.select(db.learners.c.id, db.learners.c.token_hash)).all())
    batch = [answer_path.Request(None, request(ana, (1, "boundaries", "B01", "never")).good, [],
                                 token_hash=hashes[ana.learner_id]),
             answer_path.Request(None, request(ana, (1, "boundaries", "B01", "never")).good, [],
                                 token_hash=db.token_hash("pkl_nobody")),
             request(ben, (1, "boundaries", "B01", "maybe"))]
    replies = db.write(store.engine, lambda conn: write_batch(conn, batch))
    assert replies[0]["accepted"] == [1] and replies[2]["accepted"] == [1]
    assert isinstance(replies[1], Problem) and replies[1].status == 401
    assert stored(store.engine)[(ana.learner_id, "B01")] == (1, "never")
    assert batch[0].who == ana
