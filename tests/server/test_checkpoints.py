"""SQLite's WAL is copied into the database file by the server's checkpointer thread, not by the writers' commits.

- while the checkpointer runs, a writer's connection has ``wal_autocheckpoint`` 0, and the pages the
  writers commit still reach the database file (the thread copied them: no commit did);
- without it (never started, or stopped) the commits checkpoint by themselves as SQLite does by default;
- the server's lifespan runs one while it serves, and stops it when it stops.
"""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from peerkit.server import db
from peerkit.server.checkpoints import Checkpointer
from tests.support.client import wait_for

PAGE = 4096
ROWS = 1500  # about 6 MB: over SQLite's 1,000-page autocheckpoint


def _engine(tmp_path: Path) -> tuple[sa.Engine, Path]:
    path = tmp_path / "store.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execution_options(peerkit_write=True)
        with conn.begin():
            conn.exec_driver_sql("CREATE TABLE scratch (blob BLOB)")
    return engine, path


def _write(engine: sa.Engine, rows: int = ROWS) -> int:
    """Write ``rows`` page-sized rows in transactions of 50; the writer connection's wal_autocheckpoint."""
    with engine.connect() as conn:
        conn.execution_options(peerkit_write=True)
        for start in range(0, rows, 50):
            with conn.begin():
                conn.exec_driver_sql("INSERT INTO scratch VALUES (?)", [(os.urandom(PAGE),) for _ in range(50)])
        return conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()


def test_the_checkpointer_copies_the_wal_and_the_commits_do_not(tmp_path: Path) -> None:
    engine, path = _engine(tmp_path)
    reader = engine.raw_connection()  # an open connection: closing the last one would checkpoint by itself
    checkpointer = Checkpointer(engine, every=0.05)
    try:
        checkpointer.start()
        assert _write(engine) == 0  # the writers leave the WAL alone
        wait_for(lambda: path.stat().st_size > ROWS * PAGE, timeout=60,
                 message=lambda: f"the database file is {path.stat().st_size} bytes: the WAL was never copied")
        assert checkpointer.checkpoints > 0
    finally:
        checkpointer.stop()
        reader.close()
        engine.dispose()


def test_without_the_checkpointer_the_commits_checkpoint_as_sqlite_does(tmp_path: Path) -> None:
    engine, path = _engine(tmp_path)
    reader = engine.raw_connection()
    try:
        assert _write(engine) == db.SQLITE_AUTOCHECKPOINT_PAGES
        assert path.stat().st_size > (db.SQLITE_AUTOCHECKPOINT_PAGES - 100) * PAGE  # a commit copied the WAL
        stopped = Checkpointer(engine, every=3600)
        stopped.start()
        assert _write(engine, 50) == 0
        stopped.stop()
        assert _write(engine, 50) == db.SQLITE_AUTOCHECKPOINT_PAGES  # stopped: the commits copy it again
    finally:
        reader.close()
        engine.dispose()


def test_the_servers_lifespan_runs_the_checkpointer(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from peerkit.server.app import create_app
    from peerkit.server.settings import ServerSettings

    app = create_app(ServerSettings(folder=tmp_path, db_url=f"sqlite:///{tmp_path / 'cohorts.sqlite'}"))
    engine = app.state.engine
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert engine in db._CHECKPOINTED_ELSEWHERE
        with engine.connect() as conn:
            conn.execution_options(peerkit_write=True)
            with conn.begin():
                assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
    assert engine not in db._CHECKPOINTED_ELSEWHERE  # stopped with the server
