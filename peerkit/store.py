"""The learner's private answer store: one SQLite file in :func:`~peerkit.paths.peerkit_home`.

Every change is written in its own transaction the moment it happens, so a kernel
that dies loses nothing that was answered. The store never overwrites or replaces
a file it cannot read: it stops with a :class:`~peerkit.errors.StoreError` that
names the file and says what to do.

>>> from peerkit.store import LocalStore
>>> store = LocalStore(tmp_path / "answers.sqlite")            # doctest: +SKIP
>>> store.save("boundaries", "B01", "maybe").value             # doctest: +SKIP
'maybe'
"""
from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from .errors import (
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreVersionError,
)
from .files import PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE
from .model import SCHEMA_VERSION, Response, decode_value, encode_value, utc_now
from .paths import HOME_ENV, default_store_path
from .timestamps import parse_moment

#: How long a writer waits for another kernel to finish its transaction.
BUSY_TIMEOUT_SECONDS = 20.0

_CREATE = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS responses (
        learner TEXT NOT NULL,
        exercise TEXT NOT NULL,
        item TEXT NOT NULL,
        value TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        PRIMARY KEY (learner, exercise, item)
    )""",
]


#: {store file (resolved): wait(timeout) -> bool}: writes still on their way in this kernel, registered
#: by the background saver (:mod:`peerkit.saving`) so that a read sees the answer given a moment ago.
PENDING_WRITES: dict[Path, Callable[[float], bool]] = {}
#: Longest a read waits for this kernel's own pending writes (a locked store is not waited for).
READ_WAIT_SECONDS = 2.0


def new_learner_id() -> str:
    """A random pseudonym. It says nothing about the person (never the login name)."""
    return "learner-" + secrets.token_hex(6)


class LocalStore:
    """A learner's answers in one SQLite file.

    Parameters
    ----------
    path:
        The store file. Defaults to ``$PEERKIT_HOME/answers.sqlite``.
    busy_timeout:
        Seconds a write waits for another program's lock before giving up with
        :class:`StoreLockedError` (the background saver uses a short one and retries).

    The file (and the journal SQLite keeps beside it) is readable by the learner
    alone (0600), in a folder only they can open (0700) when peerkit makes it.
    If the file is deleted ("Delete all my answers"), the next use starts a new,
    empty store with a new pseudonym.
    """

    def __init__(self, path: str | Path | None = None, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.busy_timeout = busy_timeout
        self._learner: str | None = None
        self._transaction: tuple[int, sqlite3.Connection] | None = None  # (thread, connection) in transaction()
        self._prepare()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.path)!r})"

    # -- opening -------------------------------------------------------------------------
    def _prepare(self) -> None:
        folder = self.path.parent
        try:
            if not folder.exists():
                folder.mkdir(parents=True, mode=PRIVATE_FOLDER_MODE)
            self._create_private_file()
        except OSError as error:
            raise StoreReadOnlyError(
                f"Cannot create the folder for your answers, {folder}: {error.strerror}. "
                f"Set {HOME_ENV} to a folder you can write to, then restart the kernel."
            ) from error
        if self.path.exists() and not self.path.is_file():
            raise StoreCorruptError(f"{self.path} is a folder, not a peerkit store. Move it away or set {HOME_ENV}.")
        with self._connect() as conn:
            version = self._check_readable(conn)
            if version == 0 or not self._has_tables(conn):
                self._initialise(conn)
            self._learner = self._read_learner(conn)

    def _create_private_file(self) -> None:
        """Make the store file owner-only before SQLite opens it (SQLite gives its journal the same mode)."""
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        except FileExistsError:
            if self.path.is_file() and self.path.stat().st_mode & 0o077 and os.access(self.path, os.W_OK):
                try:  # a store made by an older peerkit (0644): close it to others
                    os.chmod(self.path, PRIVATE_FILE_MODE)
                except OSError:
                    pass
            return
        os.close(descriptor)

    def _check_readable(self, conn: sqlite3.Connection) -> int:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            status = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise self._corrupt(error) from error
        if status != "ok":
            raise self._corrupt(status)
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"Your answers in {self.path} were saved by a newer version of peerkit "
                f"(store version {version}; this one reads up to {SCHEMA_VERSION}). "
                "Nothing was changed. Upgrade peerkit (pip install -U peerkit) to open them."
            )
        if version not in (0, SCHEMA_VERSION):
            raise StoreVersionError(f"{self.path} has store version {version}, which this peerkit does not know.")
        if version == 0 and self._has_foreign_tables(conn):
            raise StoreCorruptError(
                f"{self.path} is an SQLite file but not a peerkit store. Nothing was changed. "
                f"Move it away or set {HOME_ENV} to another folder."
            )
        return version

    def _corrupt(self, detail: object) -> StoreCorruptError:
        return StoreCorruptError(
            f"The answer store {self.path} is damaged or is not a peerkit store ({detail}). "
            "It has not been changed. Move it aside (for example rename it to answers.damaged.sqlite), "
            "then restart the kernel to begin a new store and restore your answers from a portfolio "
            "export (peerkit.restore) if you have one."
        )

    @staticmethod
    def _has_tables(conn: sqlite3.Connection) -> bool:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {"meta", "responses"} <= names

    @staticmethod
    def _has_foreign_tables(conn: sqlite3.Connection) -> bool:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return bool(names - {"meta", "responses"})

    def _initialise(self, conn: sqlite3.Connection) -> None:
        with self._write(conn):
            for statement in _CREATE:
                conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('learner', ?)", (new_learner_id(),))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @staticmethod
    def _read_learner(conn: sqlite3.Connection) -> str:
        return conn.execute("SELECT value FROM meta WHERE key = 'learner'").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator["LocalStore"]:
        """Make every change inside the block one transaction: all of them, or none (on any exception).

        >>> with store.transaction():                          # doctest: +SKIP
        ...     store.save_many(responses); store.set_setting("cohort", None)
        """
        if self._transaction is not None:
            raise StoreError("A store transaction is already open; they do not nest.")
        learner = self._learner
        with self._connect() as conn, self._write(conn):
            self._transaction = (threading.get_ident(), conn)
            try:
                yield self
            except BaseException:
                self._learner = learner  # the pseudonym change (if any) is rolled back too
                raise
            finally:
                self._transaction = None

    def _open_transaction(self) -> sqlite3.Connection | None:
        if self._transaction is not None and self._transaction[0] == threading.get_ident():
            return self._transaction[1]
        return None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        current = self._open_transaction()
        if current is not None:
            yield current
            return
        if self._learner is not None and not self.path.exists():
            self._learner = None  # the learner deleted their store: begin a new one, never write into nothing
            self._prepare()
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise self._translate(error) from error
        try:
            yield conn
        except sqlite3.Error as error:
            raise self._translate(error) from error
        finally:
            conn.close()

    @contextmanager
    def _write(self, conn: sqlite3.Connection) -> Iterator[None]:
        """One write transaction, taken before reading so two kernels never interleave."""
        if conn is self._open_transaction():
            yield  # part of the open transaction(): it commits or rolls back as a whole
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _translate(self, error: sqlite3.Error) -> StoreError:
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            return StoreLockedError(
                f"The answer store {self.path} stayed locked by another program for "
                f"{self.busy_timeout:g} seconds. Your earlier answers are safe. Close other kernels "
                "that use it, or wait a moment, then answer again."
            )
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return StoreReadOnlyError(
                f"Cannot write to the answer store {self.path} ({error}). Your earlier answers are safe. "
                f"Make the file and its folder writable, or set {HOME_ENV} to a folder you can write to, "
                "then restart the kernel."
            )
        if isinstance(error, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
            return self._corrupt(error)
        return StoreError(f"The answer store {self.path} could not be used: {error}.")

    # -- the learner -----------------------------------------------------------------------
    @property
    def learner(self) -> str:
        """This store's learner pseudonym (random, made when the store was created)."""
        assert self._learner is not None
        return self._learner

    def adopt_learner(self, learner: str) -> None:
        """Take over a pseudonym from a portfolio export, only while this store holds no answers.

        Restoring a portfolio in a fresh Binder session should keep the learner's
        pseudonym, so that a cohort sees the same person come back.
        """
        if not learner.startswith("learner-") or len(learner) > 64:
            raise ValueError(f"{learner!r} is not a peerkit learner pseudonym.")
        with self._connect() as conn, self._write(conn):
            count = conn.execute("SELECT COUNT(*) FROM responses WHERE learner = ?", (self.learner,)).fetchone()[0]
            if count:
                raise StoreError(
                    f"{self.path} already holds {count} answers under {self.learner}; "
                    "a pseudonym can only be taken over by an empty store."
                )
            conn.execute("UPDATE meta SET value = ? WHERE key = 'learner'", (learner,))
        self._learner = learner

    # -- settings (cohort membership, sharing choices): private to this learner -------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON value kept in the store's private settings, or ``default``."""
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", ("setting:" + key,)).fetchone()
        return default if row is None else decode_value(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        """Keep a JSON value in the store's private settings; ``None`` removes it."""
        with self._connect() as conn, self._write(conn):
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", ("setting:" + key,))
            else:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    ("setting:" + key, encode_value(value)),
                )

    # -- writing ---------------------------------------------------------------------------
    def save(self, exercise: str, item: str, value: Any, *, answered_at: datetime | None = None) -> Response:
        """Store (or replace) the answer to one item, committed before returning."""
        response = Response(self.learner, exercise, item, value, answered_at or utc_now())
        self.save_many([response])
        return response

    def save_many(self, responses: list[Response]) -> None:
        """Store several responses in one transaction (all or none)."""
        self.write_changes(responses, [])

    def write_changes(self, saves: list[Response], deletes: list[tuple[str, str]]) -> None:
        """Store ``saves`` and delete the (exercise, item) answers in ``deletes``, in one transaction."""
        rows = [
            (r.learner, r.exercise, r.item, encode_value(r.value), r.answered_at.isoformat(), r.schema_version)
            for r in saves
        ]
        with self._connect() as conn, self._write(conn):
            conn.executemany(
                "INSERT INTO responses (learner, exercise, item, value, answered_at, schema_version) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (learner, exercise, item) DO UPDATE SET "
                "value = excluded.value, answered_at = excluded.answered_at, "
                "schema_version = excluded.schema_version",
                rows,
            )
            conn.executemany(
                "DELETE FROM responses WHERE learner = ? AND exercise = ? AND item = ?",
                [(self.learner, exercise, item) for exercise, item in deletes],
            )

    def delete(self, exercise: str, item: str | None = None) -> int:
        """Delete this learner's answer to one item, or to a whole exercise. Returns rows removed."""
        with self._connect() as conn, self._write(conn):
            if item is None:
                cursor = conn.execute(
                    "DELETE FROM responses WHERE learner = ? AND exercise = ?", (self.learner, exercise)
                )
            else:
                cursor = conn.execute(
                    "DELETE FROM responses WHERE learner = ? AND exercise = ? AND item = ?",
                    (self.learner, exercise, item),
                )
            return cursor.rowcount

    def delete_everything(self) -> int:
        """Delete every answer this learner has stored (the pseudonym is kept)."""
        with self._connect() as conn, self._write(conn):
            return conn.execute("DELETE FROM responses WHERE learner = ?", (self.learner,)).rowcount

    # -- reading ---------------------------------------------------------------------------
    def _read_own_writes(self) -> None:
        """Let this kernel's answers still being saved in the background land before reading."""
        if PENDING_WRITES:
            wait = PENDING_WRITES.get(self.path.expanduser().resolve())
            if wait is not None:
                wait(READ_WAIT_SECONDS)

    def responses(self, exercise: str | None = None) -> list[Response]:
        """This learner's stored responses, optionally for one exercise, in a stable order.

        Answers this kernel is still writing in the background are waited for (briefly),
        so what a widget showed a moment ago is in what is read.
        """
        self._read_own_writes()
        query = "SELECT learner, exercise, item, value, answered_at, schema_version FROM responses WHERE learner = ?"
        params: tuple[Any, ...] = (self.learner,)
        if exercise is not None:
            query += " AND exercise = ?"
            params += (exercise,)
        query += " ORDER BY exercise, item"
        with self._connect() as conn:
            rows = conn.execute(query, params).fetchall()
        return [
            Response(learner, ex, item, decode_value(value), parse_moment(at), version)
            for learner, ex, item, value, at, version in rows
        ]

    def answers(self, exercise: str) -> dict[str, Any]:
        """``{item id: value}`` of this learner's answers to one exercise."""
        return {r.item: r.value for r in self.responses(exercise)}

    def frame(self, exercise: str | None = None) -> "pd.DataFrame":
        """This learner's responses as a tidy DataFrame (see :data:`peerkit.model.RESPONSE_COLUMNS`)."""
        from .model import responses_frame

        return responses_frame(self.responses(exercise))
