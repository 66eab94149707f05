"""SQLite: the WAL is copied into the database file by a thread of its own, beside the answer writer.

By default SQLite copies the write-ahead log into the database file in the commit that
finds it over 1,000 pages (a *checkpoint*), and that commit waits for it: under a
lecture's load every 20th batch or so of the answer writer carried the copy and two
fsyncs, and the requests in it waited too (the answer path's p99). Here a
:class:`Checkpointer` thread runs a ``PASSIVE`` checkpoint every
:data:`CHECKPOINT_SECONDS` on a connection of its own: it takes no write lock, so the
writer goes on committing meanwhile, and SQLite starts the WAL over from its beginning
once everything in it is copied. The server's lifespan starts it
(:func:`peerkit.server.app.create_app`); without it the commits checkpoint as before.
"""
from __future__ import annotations

import logging
import threading

import sqlalchemy as sa

from . import db

log = logging.getLogger(__name__)

#: How often the WAL is copied into the database file (a lecture writes a few MB of WAL a second).
CHECKPOINT_SECONDS = 0.5


class Checkpointer:
    """One thread that checkpoints an SQLite engine's WAL until stopped."""

    def __init__(self, engine: sa.Engine, every: float = CHECKPOINT_SECONDS) -> None:
        self.engine = engine
        self.every = every
        self.checkpoints = 0  # run so far (tests read it)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        db.checkpoint_elsewhere(self.engine, True)
        self._thread = threading.Thread(target=self._run, name="peerkit-checkpointer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread; commits checkpoint by themselves again, and one last checkpoint runs here."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        db.checkpoint_elsewhere(self.engine, False)
        self.checkpoint()

    def checkpoint(self) -> None:
        """One ``PASSIVE`` checkpoint, outside any transaction (the connection is in autocommit: db.make_engine)."""
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        finally:
            raw.close()

    def _run(self) -> None:
        failing = False
        while not self._stopping.wait(self.every):
            try:
                self.checkpoint()
            except Exception:  # noqa: BLE001 - a checkpoint that fails runs again; the WAL only grows meanwhile
                if not failing:  # said once, not twice a second (a full disk can last)
                    log.warning("copying the WAL into the database file failed; trying again", exc_info=True)
                failing = True
            else:
                if failing:
                    log.warning("copying the WAL into the database file works again")
                failing = False
