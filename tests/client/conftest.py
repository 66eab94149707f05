"""Fixtures for the learner-client tests: the REAL cohort server (server-core's fixtures), on SQLite.

We reuse :mod:`tests.support.server` (``start_server``, ``add_trainer``, ``make_cohort``…) rather
than starting the server another way. The client is the same on both backends, so these
tests run on the embedded SQLite store; the server's own tests cover PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import RunningServer, add_trainer, make_cohort  # noqa: F401 - used by the tests here


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
