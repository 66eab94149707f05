"""Fixtures for the learner-client tests: the REAL cohort server (server-core's fixtures), on SQLite.

We reuse ``tests/server/conftest.py`` (``start_server``, ``add_trainer``, ``make_cohort``…) rather
than starting the server another way. The client is the same on both backends, so these
tests run on the embedded SQLite store; the server's own tests cover PostgreSQL.
"""
from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("peerkit_server_fixtures", ROOT / "tests" / "server" / "conftest.py")
server_fixtures = importlib.util.module_from_spec(_spec)
sys.modules["peerkit_server_fixtures"] = server_fixtures
_spec.loader.exec_module(server_fixtures)

# the fixtures we use, under their own names
server_folder = server_fixtures.server_folder
sqlite_db = server_fixtures.sqlite_db
start_server = server_fixtures.start_server
RunningServer = server_fixtures.RunningServer
add_trainer = server_fixtures.add_trainer
make_cohort = server_fixtures.make_cohort


@pytest.fixture
def live(sqlite_db: str, start_server: Callable[..., Any]) -> Any:
    """``peerkit serve`` on a fresh SQLite store, with a trainer and a cohort:
    ``live.server``, ``live.trainer``, ``live.cohort``, ``live.restart()``."""
    server = start_server(sqlite_db)
    trainer = add_trainer(server)
    cohort = make_cohort(server, trainer)

    class Live:
        pass

    live = Live()
    live.server, live.trainer, live.cohort = server, trainer, cohort

    def restart() -> Any:
        live.server = start_server(sqlite_db, port=live.server.port)
        return live.server

    live.restart = restart
    return live


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries every half second at most, so a test sees the server come back within a second."""
    from peerkit.client import sender

    monkeypatch.setattr(sender, "MAX_RETRY_SECONDS", 0.5)


@pytest.fixture
def learner_store(tmp_path: Path) -> Callable[[str], Any]:
    """``learner_store(name)``: a learner's own store in its own folder."""
    from peerkit.store import LocalStore

    def make(name: str) -> LocalStore:
        return LocalStore(tmp_path / "learners" / name / "answers.sqlite")

    return make


@pytest.fixture
def trainer_get(live: Any) -> Callable[[str], Any]:
    """``trainer_get(path)``: GET a trainer API path on the live server, JSON."""
    def get(path: str) -> Any:
        with live.server.client(live.trainer) as client:
            reply = client.get(path)
        assert reply.status_code == 200, reply.text
        return reply.json()

    return get
