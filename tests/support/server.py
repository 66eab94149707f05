"""Fixtures for the cohort server (registered for the whole suite in ``tests/conftest.py``): the REAL server, started as a subprocess on a free loopback port.

- ``server_db`` is the store URL for one test, on SQLite and on PostgreSQL
  (:mod:`tests.support.postgres` starts a throwaway PostgreSQL once per session;
  without PostgreSQL the PostgreSQL cases skip on a developer's machine and FAIL
  in CI, ``CI=true``).
- ``server`` is ``peerkit serve`` on that store (``python -m peerkit.cli serve``), stopped after the test;
  ``start_server(db_url, ...)`` starts more (or the same store again after a kill).
- ``trainer_token`` is a token made with ``peerkit trainer add``; ``cohort`` a cohort of that trainer
  (``{"id", "join_code", "name", ...}``) made over HTTP; ``join(server, code)`` joins a new learner.
- ``browser_session(server, token)`` signs in as the sign-in page does (a single-use code POSTed) and gives
  the session cookie and the CSRF token the pages send.

Every server runs with ``PEERKIT_SERVE_WATCH_PID`` set to this test process, so it
stops by itself if the test run dies.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

# free_port and in_ci are imported from here too
from tests.support.postgres import ENV_URL, PostgresServer, free_port, in_ci, required_bindir  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", "postgresql"]
TOKEN = re.compile(r"pkt_[A-Za-z0-9_\-]{43}")


def pseudonym() -> str:
    """A fresh pseudonym of the shape peerkit makes (``p-`` and 20 hex digits)."""
    return "p-" + secrets.token_hex(10)


@dataclass
class RunningServer:
    """One ``peerkit serve`` process; ``url`` ends without a slash."""

    db_url: str
    folder: Path
    port: int
    process: subprocess.Popen
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, token: str | None = None, **options: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=options.pop("timeout", 30), **options)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the server and every worker (its process group): no clean shutdown."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def peerkit_command(*args: str, folder: Path, env: dict[str, str] | None = None,
                    timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``peerkit ARGS`` (as ``python -m peerkit.cli``) with the server's folder."""
    environment = {**os.environ, "PEERKIT_SERVER_FOLDER": str(folder), **(env or {})}
    return subprocess.run([sys.executable, "-m", "peerkit.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=environment, cwd=ROOT)


def launch(db_url: str, folder: Path, *, workers: int = 1, port: int | None = None,
           env: dict[str, str] | None = None, wait: float = 60, args: tuple[str, ...] = ()) -> RunningServer:
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"serve-{port}-{time.monotonic_ns()}.log"
    environment = {**os.environ, "PEERKIT_SERVER_FOLDER": str(folder), "PEERKIT_SERVE_WATCH_PID": str(os.getpid()),
                   "PYTHONUNBUFFERED": "1", **(env or {})}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "peerkit.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--db", db_url, "--workers", str(workers), *args],
            stdout=out, stderr=subprocess.STDOUT, env=environment, cwd=ROOT, start_new_session=True)
    server = RunningServer(db_url, folder, port, process, log, env or {})
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"peerkit serve exited ({process.returncode}):\n{server.output()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"peerkit serve did not answer within {wait} s:\n{server.output()[-3000:]}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    admin = os.environ.get(ENV_URL, "").strip()
    if admin:
        yield PostgresServer(admin_url=admin).start()
        return
    server = PostgresServer(required_bindir()).start()
    yield server
    server.stop()


def _database(kind: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'cohorts.sqlite'}"
        return
    pg: PostgresServer = request.getfixturevalue("pg_server")
    name = pg.new_database()
    yield pg.url_for(name)
    pg.drop_database(name)


@pytest.fixture
def server_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "server"
    folder.mkdir()
    return folder


@pytest.fixture(params=BACKENDS)
def server_db(request: pytest.FixtureRequest, server_folder: Path) -> Iterator[str]:
    """The store URL for one test, once on SQLite and once on PostgreSQL."""
    yield from _database(request.param, request, server_folder)


@pytest.fixture
def sqlite_db(server_folder: Path) -> str:
    return f"sqlite:///{server_folder / 'cohorts.sqlite'}"


@pytest.fixture
def postgres_db(request: pytest.FixtureRequest, server_folder: Path) -> Iterator[str]:
    yield from _database("postgresql", request, server_folder)


@pytest.fixture
def start_server(server_folder: Path) -> Iterator[Callable[..., RunningServer]]:
    """``start_server(db_url, workers=1, port=None, env=None)``; every server started is stopped afterwards."""
    started: list[RunningServer] = []

    def start(db_url: str, **options: Any) -> RunningServer:
        server = launch(db_url, options.pop("folder", server_folder), **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(server_db: str, start_server: Callable[..., RunningServer]) -> RunningServer:
    """``peerkit serve`` on this test's store (SQLite and PostgreSQL)."""
    return start_server(server_db)


def add_trainer(server: RunningServer, name: str = "Test Trainer") -> str:
    """A trainer token made with ``peerkit trainer add`` against the server's store."""
    result = peerkit_command("trainer", "add", name, "--db", server.db_url, folder=server.folder)
    assert result.returncode == 0, result.stderr
    match = TOKEN.search(result.stdout)
    assert match, result.stdout
    return match.group(0)


@pytest.fixture
def trainer_token(server: RunningServer) -> str:
    return add_trainer(server)


@dataclass
class BrowserSession:
    """A trainer's browser sign-in as the sign-in page makes it: the session cookie and the pages' CSRF token."""

    cookies: dict[str, str]
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        """What the server's own pages send with a cookie request."""
        return {"X-Peerkit-CSRF": self.csrf}


def sign_in_code(server: RunningServer, token: str) -> str:
    """A single-use sign-in code of the trainer holding ``token`` (``POST /api/v1/sign-in-codes``)."""
    with server.client(token) as client:
        reply = client.post("/api/v1/sign-in-codes")
    assert reply.status_code == 201, reply.text
    return reply.json()["code"]


def browser_session(server: RunningServer, token: str) -> BrowserSession:
    """Sign in as the page does (a code POSTed from the sign-in form); read the CSRF token off a page."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        reply = client.post("/sign-in", data={"code": sign_in_code(server, token), "next": "projector"})
        assert reply.status_code == 303, reply.text
        cookie = client.cookies.get("peerkit_session")
        assert cookie, reply.headers
        page = client.get("/projector")
    match = re.search(r'<meta name="peerkit-csrf" content="([^"]+)">', page.text)
    assert match, page.text[:500]
    return BrowserSession({"peerkit_session": cookie}, match.group(1))


def make_cohort(server: RunningServer, token: str, name: str = "Tuesday group", **extra: Any) -> dict[str, Any]:
    with server.client(token) as client:
        reply = client.post("/api/v1/cohorts", json={"name": name, **extra})
    assert reply.status_code == 201, reply.text
    return reply.json()


@pytest.fixture
def cohort(server: RunningServer, trainer_token: str) -> dict[str, Any]:
    """A cohort of ``trainer_token``'s trainer: ``{"id", "name", "join_code", "min_group_size", ...}``."""
    return make_cohort(server, trainer_token)


def join(server: RunningServer, code: str, who: str | None = None) -> str:
    """Join a new learner; returns the learner token."""
    with server.client() as client:
        reply = client.post("/api/v1/join", json={"code": code, "pseudonym": who or pseudonym()})
    assert reply.status_code == 201, reply.text
    return reply.json()["token"]


def snapshot(db_url: str, *, skip: tuple[str, ...] = ("join_attempts", "learner_snapshots")) -> dict[str, list[tuple]]:
    """Every row of every server table (read directly, as the server's owner could), for before/after checks.

    On PostgreSQL the count changes and revision bumps appended so far are folded first (as
    the server does in the background every second), so a fold between two snapshots is not
    taken for a change: what is compared is the store as its readers see it.
    """
    import time

    import sqlalchemy as sa

    from peerkit.server import aggregates, db

    engine = sa.create_engine(db_url)
    try:
        deadline = time.monotonic() + 30
        while not aggregates.fold(engine):  # another worker is folding: once it is done, fold what is left
            assert time.monotonic() < deadline, "the store's count changes could not be folded"
            time.sleep(0.05)
        with engine.connect() as conn:
            tables = {}
            for table in db.metadata.sorted_tables:
                if table.name in skip:
                    continue
                rows = conn.execute(sa.select(table)).all()
                tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
            return tables
    finally:
        engine.dispose()


@dataclass
class Classroom:
    """Two trainers' cohorts on one server: victims with answers in one, an attacker in the other."""

    server: RunningServer
    trainer: str
    other_trainer: str
    cohort: dict[str, Any]
    other_cohort: dict[str, Any]
    victims: list[str]
    victim_pseudonyms: list[str]
    intruder: str  # a learner in the victims' own cohort
    outsider: str  # a learner in the other cohort


@pytest.fixture(scope="module", params=BACKENDS)
def classroom(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Classroom]:
    """One server per module and backend (starting one costs seconds on a busy machine)."""
    folder = tmp_path_factory.mktemp("classroom")
    generator = _database(request.param, request, folder)
    db_url = next(generator)
    server = launch(db_url, folder)
    try:
        trainer, other = add_trainer(server, "Ana"), add_trainer(server, "Ben")
        cohort, other_cohort = make_cohort(server, trainer, "Victims"), make_cohort(server, other, "Elsewhere")
        names = [pseudonym() for _ in range(5)]
        victims = [join(server, cohort["join_code"], name) for name in names]
        for index, token in enumerate(victims):
            with server.client(token) as client:
                reply = client.post("/api/v1/me/answers", json={"answers": [
                    {"seq": 10, "exercise": "boundaries", "item": "B01", "value": "maybe"},
                    {"seq": 11, "exercise": "core_skills", "item": "C01", "value": 3},
                    {"seq": 12, "exercise": "welcome_reflection", "item": "R1",
                     "value": {"text": f"victim secret {index}", "share": True}}]})
                assert reply.json()["refused"] == [], reply.text
        yield Classroom(server, trainer, other, cohort, other_cohort, victims, names,
                        join(server, cohort["join_code"]), join(server, other_cohort["join_code"]))
    finally:
        server.stop()
        try:
            next(generator)
        except StopIteration:
            pass


def recount_matches(db_url: str) -> None:
    """The counts tables equal a recount from the answers (the incremental bookkeeping never drifted)."""
    import sqlalchemy as sa  # not at the top: every test run loads this plugin, few need the store

    from peerkit.server import aggregates, db

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        answers = conn.execute(sa.select(db.answers.c.cohort_id, db.answers.c.exercise, db.answers.c.item,
                                         db.answers.c.value, db.answers.c.learner_id)
                               .where(db.answers.c.value.is_not(None))).all()
        # as the readers see them: the count tables plus, on PostgreSQL, the changes not folded yet
        cohort_ids = [row.id for row in conn.execute(sa.select(db.cohorts.c.id))]
        by_exercise = {(c, exercise): n for c in cohort_ids
                       for exercise, n in aggregates.current_exercise_respondents(conn, c).items() if n}
        counts = {(c, r.exercise, r.item, r.value_key): r.n for c in cohort_ids
                  for r in aggregates.current_counts(conn, c) if r.n}
        people = {(c, r.exercise, r.item): r.n for c in cohort_ids
                  for r in aggregates.current_item_respondents(conn, c) if r.n}
    engine.dispose()
    expected = Counter((a.cohort_id, a.exercise, a.item, db.dumps(json.loads(a.value))) for a in answers)
    assert counts == dict(expected)
    assert people == dict(Counter((a.cohort_id, a.exercise, a.item) for a in answers))
    assert by_exercise == dict(Counter((c, e) for c, e, _ in {(a.cohort_id, a.exercise, a.learner_id)
                                                               for a in answers}))


#: The room's screens (peerkit.server.live_tools.tables.SCREENS), in key order.
ROOM_SCREENS = ("join", "chart", "poll", "wall", "texts", "timer", "conversation")


#: one browser sign-in per server and trainer token, reused by :func:`room_live` (each sign-in is a request)
_sessions: dict[tuple[str, str], "BrowserSession"] = {}


def room_live(server: RunningServer, trainer_token: str, cohort_id: str) -> str:
    """The HTML of the room's screen now (``/projector/{id}/live``, as the projector page fetches it, signed in)."""
    session = _sessions.get((server.url, trainer_token))
    if session is None:
        session = _sessions[(server.url, trainer_token)] = browser_session(server, trainer_token)
    reply = httpx.get(f"{server.url}/projector/{cohort_id}/live", cookies=session.cookies, headers=session.headers)
    assert reply.status_code == 200, reply.text
    return reply.text


def room_html(server: RunningServer, trainer_token: str, cohort_id: str) -> str:
    """The room's screen's HTML on every screen it can show, every chart too: all the room could ever see."""
    shown = []
    with server.client(trainer_token) as client:
        for screen in ROOM_SCREENS:
            reply = client.put(f"/api/v1/cohorts/{cohort_id}/session/screen", json={"screen": screen})
            assert reply.status_code == 200, reply.text
            shown.append(room_live(server, trainer_token, cohort_id))
        for _ in range(100):
            reply = client.post(f"/api/v1/cohorts/{cohort_id}/session/screen/step", json={"by": 1})
            assert reply.status_code == 200, reply.text
            page = re.sub(r'data-revision="\d+"', "", room_live(server, trainer_token, cohort_id))
            if any(page == re.sub(r'data-revision="\d+"', "", seen) for seen in shown):
                break
            shown.append(page)
    return "\n".join(shown)
