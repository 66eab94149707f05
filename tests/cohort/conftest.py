"""Fixtures for the cohort tests: every test that takes ``cohort_url`` runs against both backends.

- ``sqlite``: a temporary cohort file;
- ``postgresql``: a database of its own on a throwaway PostgreSQL server on loopback
  (see :mod:`tests.support.postgres`), started once per session and stopped at the end.

Without PostgreSQL the ``postgresql`` cases are skipped on a developer's machine but
FAIL in CI (``CI=true``): the reliability claims must hold on both backends.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest
from tests.support.postgres import ENV_URL, PostgresServer, find_bindir

BACKENDS = ["sqlite", "postgresql"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    admin = os.environ.get(ENV_URL, "").strip()
    if admin:
        yield PostgresServer(admin_url=admin).start()
        return
    bindir = find_bindir()
    if bindir is None:
        reason = ("PostgreSQL is not installed (no initdb/pg_ctl found), so the PostgreSQL half of the cohort "
                  "tests cannot run. Install it (apt-get install postgresql) or set PEERKIT_TEST_PG_URL.")
        if _in_ci():
            pytest.fail(reason + " In CI this is a failure, not a skip.", pytrace=False)
        pytest.skip(reason)
    server = PostgresServer(bindir).start()
    yield server
    server.stop()


@dataclass
class Backend:
    """One cohort store for one test, and a way to take it off line."""

    kind: str
    url: str
    take_offline: Callable[[], None]
    bring_back: Callable[[], None]
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    @contextmanager
    def outage(self) -> Iterator[None]:
        """While inside, new connections to the store fail as if it were unreachable."""
        self.take_offline()
        try:
            yield
        finally:
            self.bring_back()


@pytest.fixture(params=BACKENDS)
def cohort_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "shared" / "cohort.sqlite"
        away = path.with_name("cohort.sqlite.away")
        backend = Backend("sqlite", f"sqlite:///{path}", lambda: path.rename(away), lambda: away.rename(path))
        yield backend
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = server.new_database()
    backend = Backend("postgresql", server.url_for(name), lambda: server.allow_connections(name, False),
                      lambda: server.allow_connections(name, True))
    yield backend
    server.drop_database(name)


@pytest.fixture
def cohort_url(cohort_backend: Backend) -> str:
    return cohort_backend.url


@dataclass
class Cohort:
    store: Any
    id: str
    code: str
    url: str


@pytest.fixture
def cohort(cohort_url: str) -> Iterator[Cohort]:
    """A trainer's store with one fresh cohort."""
    from peerkit.cohort.store import CohortStore

    store = CohortStore(cohort_url)
    cohort_id, code = store.create_cohort("Test group")
    yield Cohort(store, cohort_id, code, cohort_url)
    store.close()


@pytest.fixture
def new_learner(tmp_path: Path) -> Callable[[str], Any]:
    """``new_learner("ana")`` -> a LocalStore of its own (one per simulated learner)."""
    from peerkit.store import LocalStore

    def make(name: str) -> LocalStore:
        return LocalStore(tmp_path / "learners" / name / "answers.sqlite")

    return make
