"""Helpers for the learner-client tests (imported by the test modules; fixtures are in conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, every: float = 0.05) -> Any:
    """Poll ``condition`` until it is truthy; its value, or AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {condition}")
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
