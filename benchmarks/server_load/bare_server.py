"""The yardstick for the answer path: a bare Starlette endpoint doing the same durable write as peerkit.

``POST /api/v1/me/answers`` with one answer per request, as ``answers.lua`` sends it:
the token's SHA-256 looked up, the answer upserted (a higher seq wins), one count
upserted, committed; SQLite in WAL mode with ``synchronous=FULL``, the same pragmas
as ``peerkit serve``. Nothing else: no kind rules, no revision, no events.

``BARE_MODE=per-request``: one connection, one transaction per request (under a lock,
in the thread pool). ``BARE_MODE=group``: one writer thread commits whatever is
waiting in one transaction and then answers every request in it.

Run by bench_server.py: ``BARE_DB=… BARE_MODE=… python -m uvicorn --factory bare_server:app_from_env``.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import queue
import sqlite3
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SCHEMA = """
CREATE TABLE IF NOT EXISTS learners (id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
                                     last_seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS answers (learner_id INTEGER NOT NULL, exercise TEXT NOT NULL, item TEXT NOT NULL,
                                    value TEXT, seq INTEGER NOT NULL, PRIMARY KEY (learner_id, exercise, item));
CREATE TABLE IF NOT EXISTS counts (exercise TEXT NOT NULL, item TEXT NOT NULL, value_key TEXT NOT NULL,
                                   n INTEGER NOT NULL, PRIMARY KEY (exercise, item, value_key));
"""
LOOKUP = "SELECT id FROM learners WHERE token_hash = ?"
UPSERT = ("INSERT INTO answers (learner_id, exercise, item, value, seq) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (learner_id, exercise, item) DO UPDATE SET value = excluded.value, seq = excluded.seq "
          "WHERE excluded.seq > answers.seq")
COUNT = ("INSERT INTO counts (exercise, item, value_key, n) VALUES (?, ?, ?, 1) "
         "ON CONFLICT (exercise, item, value_key) DO UPDATE SET n = n + 1")


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(SCHEMA)
    return conn


def seed(path: str, tokens: list[str]) -> None:
    """The learners' token hashes, as joining would have stored them."""
    conn = connect(path)
    with conn:
        conn.execute("BEGIN")
        conn.executemany("INSERT OR IGNORE INTO learners (token_hash) VALUES (?)",
                         [(hashlib.sha256(t.encode()).hexdigest(),) for t in tokens])
        conn.execute("COMMIT")
    conn.close()


def store(conn: sqlite3.Connection, token_hash: str, answer: dict[str, Any]) -> bool:
    row = conn.execute(LOOKUP, (token_hash,)).fetchone()
    if row is None:
        return False
    value = json.dumps(answer["value"])
    conn.execute(UPSERT, (row[0], answer["exercise"], answer["item"], value, answer["seq"]))
    conn.execute(COUNT, (answer["exercise"], answer["item"], value))
    return True


def parse(request_body: bytes, authorization: str) -> tuple[str, dict[str, Any]]:
    answer = json.loads(request_body)["answers"][0]
    token = authorization.removeprefix("Bearer ").strip()
    return hashlib.sha256(token.encode()).hexdigest(), answer


def reply(ok: bool, seq: int) -> Response:
    if not ok:
        return JSONResponse({"detail": "not signed in"}, status_code=401)
    return JSONResponse({"accepted": [seq], "stale": [], "refused": [], "last_seq": seq})


def per_request_app(path: str) -> Starlette:
    conn, lock = connect(path), threading.Lock()

    def write(token_hash: str, answer: dict[str, Any]) -> bool:
        with lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                ok = store(conn, token_hash, answer)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return ok

    async def answers(request: Request) -> Response:
        token_hash, answer = parse(await request.body(), request.headers.get("authorization", ""))
        return reply(await run_in_threadpool(write, token_hash, answer), answer["seq"])

    return Starlette(routes=[Route("/api/v1/me/answers", answers, methods=["POST"])])


def group_app(path: str) -> Starlette:
    conn = connect(path)
    waiting: queue.Queue = queue.Queue()

    def writer() -> None:
        while True:
            batch = [waiting.get()]
            while len(batch) < 1000:
                try:
                    batch.append(waiting.get_nowait())
                except queue.Empty:
                    break
            conn.execute("BEGIN IMMEDIATE")
            try:
                results = [store(conn, token_hash, answer) for token_hash, answer, _, _ in batch]
                conn.execute("COMMIT")
            except BaseException as error:  # noqa: BLE001 - every request of the batch hears of it
                conn.execute("ROLLBACK")
                for _, _, loop, future in batch:
                    loop.call_soon_threadsafe(future.set_exception, error)
                continue
            for ok, (_, _, loop, future) in zip(results, batch):
                loop.call_soon_threadsafe(future.set_result, ok)

    threading.Thread(target=writer, daemon=True, name="bare-writer").start()

    async def answers(request: Request) -> Response:
        token_hash, answer = parse(await request.body(), request.headers.get("authorization", ""))
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        waiting.put((token_hash, answer, loop, future))
        return reply(await future, answer["seq"])

    return Starlette(routes=[Route("/api/v1/me/answers", answers, methods=["POST"])])


def app_from_env() -> Starlette:
    path, mode = os.environ["BARE_DB"], os.environ.get("BARE_MODE", "per-request")
    return group_app(path) if mode == "group" else per_request_app(path)
