"""The learner's side against the REAL cohort server: fixtures (``live``, ``learner_store``, ``trainer_get``,
``quick_retries``; registered in ``tests/conftest.py``) and helpers the test modules import
(``from tests.support.client import wait_for``).

The server is :mod:`tests.support.server` (``peerkit serve`` as a subprocess), on SQLite: the client is
the same on both backends, and the server's own tests cover PostgreSQL.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import add_trainer, make_cohort

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, every: float = 0.05, *,
             message: str | Callable[[], str] = "") -> Any:
    """Poll ``condition`` until it is truthy; its value, or AssertionError after ``timeout`` seconds.

    ``message`` says what went wrong; give it as a function to say what was there when the wait gave up
    (an f-string is read before the wait starts).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = message() if callable(message) else message
            raise AssertionError(f"{said} (not true within {timeout} s)" if said
                                 else f"not true within {timeout} s: {condition}")
        time.sleep(every)


def run_python(code: str, home: Path, timeout: float = 90, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a new Python process (a new kernel) with ``PEERKIT_HOME=home``; its stdout."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PEERKIT_", "JUPYTERHUB_"))}
    environment.update({"PEERKIT_HOME": str(home), "PYTHONPATH": str(ROOT), **(env or {})})
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                            env=environment, cwd=ROOT)
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def cohort_counts(live: Any, exercise: str) -> dict[str, Any]:
    with live.server.client(live.trainer) as client:
        reply = client.get(f"/api/v1/cohorts/{live.cohort['id']}/aggregates", params={"exercise": exercise})
    assert reply.status_code == 200, reply.text
    return reply.json()["exercises"].get(exercise, {}).get("items", {})


def my_answers(server: Any, token: str) -> int:
    with server.client(token) as client:
        reply = client.get("/api/v1/me")
    assert reply.status_code == 200, reply.text
    return int(reply.json()["answers"])


@pytest.fixture
def live(sqlite_db: str, start_server: Callable[..., Any], quick_retries: None) -> Any:
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


@pytest.fixture
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
