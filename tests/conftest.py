"""Fixtures shared by the whole suite.

Every test runs with ``PEERKIT_HOME`` pointing at its own temporary folder, so no
test can read or write a real learner's answers.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest

# shared fixtures (tests/support/): one module a line, so each helper's additions merge cleanly
pytest_plugins = [
    "tests.support.server",
    "tests.support.hub",
    "tests.support.client",
    "tests.support.figures",
]


def pytest_configure(config: pytest.Config) -> None:
    # Notebook kernels (nbval) and any subprocess inherit this: no test ever touches
    # the real ~/.peerkit. Matplotlib draws off-screen.
    os.environ["PEERKIT_HOME"] = tempfile.mkdtemp(prefix="peerkit-test-home-")
    os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def peerkit_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("peerkit-home")
    monkeypatch.setenv("PEERKIT_HOME", str(home))
    return home


@pytest.fixture
def store(peerkit_home: Path):
    from peerkit.store import LocalStore

    return LocalStore()


@pytest.fixture
def add_exercise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, Any]], str]:
    """Make extra exercise definitions loadable for one test: ``add_exercise({...}) -> id``."""
    from peerkit import exercises

    folder = tmp_path / "exercises"
    shutil.copytree(exercises.EXERCISES_DIR, folder)
    monkeypatch.setattr(exercises, "EXERCISES_DIR", folder)
    exercises.load_exercise.cache_clear()

    def add(definition: dict[str, Any]) -> str:
        (folder / f"{definition['id']}.json").write_text(json.dumps(definition), encoding="utf-8")
        exercises.load_exercise.cache_clear()
        return definition["id"]

    yield add
    exercises.load_exercise.cache_clear()
