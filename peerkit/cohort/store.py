"""The cohort store: the answers a group shares, in one SQLite file or in PostgreSQL, through one implementation.

:class:`CohortStore` speaks SQLAlchemy Core, so the same code runs over

- ``sqlite:////path/cohort.sqlite`` – a file on a *local* disk (a trainer's own, for a
  room tally or hand-in files); and
- ``postgresql+psycopg://user:password@host/dbname`` – a database server.

Learners never open it: they reach the cohort server over HTTP (:mod:`peerkit.client`).

Nobody names this store in an environment variable any more (the old ``PEERKIT_COHORT_URL``
is gone): learners reach the cohort server (``peerkit serve``), which alone holds the address
of its own store; a trainer opens a :class:`CohortStore` by URL only for a room tally or
hand-in files on their own computer (:class:`peerkit.widgets.dashboard.LiveDashboard`).

SQLite, and why never on a network filesystem
---------------------------------------------
The file runs in write-ahead-log mode (``journal_mode=WAL``): readers (the trainer's
dashboard) never block writers (learners) and the reverse. A writer waits up to
``busy_timeout`` (30 s) for another writer instead of failing, and takes its write
lock when the transaction begins (``BEGIN IMMEDIATE``) so two writers never deadlock
upgrading a read lock. WAL keeps an index of the log in a shared-memory file
(``cohort.sqlite-shm``) mapped by every process, and relies on POSIX byte-range locks.
Both only work when all processes run on the same machine against a local disk:
over NFS, SMB or similar network filesystems, locks are unreliable or emulated and
the shared memory is not shared between machines, so two kernels on two hub nodes
can both believe they hold the write lock and corrupt the file (see
https://www.sqlite.org/wal.html and https://www.sqlite.org/howtocorrupt.html). Most
hosted JupyterHubs keep home folders on network storage: use PostgreSQL there.

Every learner writes the file *and* the ``-wal``/``-shm`` files the first connection
creates, so the shared folder must let the whole group write what others created
(for example a group-owned folder with the setgid bit and a ``002`` umask, or a
default ACL). Otherwise a learner sees "attempt to write a readonly database" and
keeps the answer locally until the folder is fixed.

Reliability
-----------
Each call is one transaction: it commits completely or not at all, so a kernel killed
mid-call loses nothing committed before. Upserts are idempotent and keep the answer
with the newer ``answered_at``, so sending the same answers twice (or late) is
harmless. A store that cannot be reached raises :class:`CohortUnreachableError`;
transient contention (a locked file, too many connections, a serialization failure)
is retried a few times first.

>>> store = CohortStore("sqlite:///" + str(tmp_path / "cohort.sqlite"))        # doctest: +SKIP
>>> cohort_id, code = store.create_cohort("Tuesday group")                    # doctest: +SKIP
>>> store.find_cohort(code).id == cohort_id                                    # doctest: +SKIP
True
"""
from __future__ import annotations

import json
import os
import random
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.request import pathname2url

import sqlalchemy as sa
from sqlalchemy import event, exc

from ..timestamps import parse_moment
from .codes import ALPHABET, hash_join_code, new_join_code, normalize_join_code, verify_join_code
from .errors import CohortError, CohortUnreachableError

if TYPE_CHECKING:
    import pandas as pd

#: Layout version of the cohort store tables. Raise when they change.
STORE_VERSION = 1
#: Seconds a SQLite writer waits for another one; seconds to wait for a PostgreSQL server to answer.
SQLITE_BUSY_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5
#: Columns of :meth:`CohortStore.responses_frame`.
COHORT_COLUMNS = ["learner", "cohort", "exercise", "item", "value", "answered_at"]

_T = TypeVar("_T")
_COHORT_ID = re.compile(r"^cohort-[a-z2-9]{8}$")
_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "too many clients",
    "remaining connection slots",
    "could not serialize",
    "deadlock detected",
    "the database system is starting up",
)

metadata = sa.MetaData()

meta_table = sa.Table(
    "peerkit_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

cohorts_table = sa.Table(
    "peerkit_cohorts",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    # salted PBKDF2 of the join code; the code itself is never stored
    sa.Column("join_code_hash", sa.String(160), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    # bumped by every write to the cohort: the dashboard's cheap "anything new?" check
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
)

members_table = sa.Table(
    "peerkit_members",
    metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("peerkit_cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pseudonym", sa.String(64), nullable=False),
    sa.Column("joined_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("cohort_id", "pseudonym"),
)

responses_table = sa.Table(
    "peerkit_responses",
    metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("peerkit_cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pseudonym", sa.String(64), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("value", sa.Text, nullable=False),  # JSON text
    sa.Column("answered_at", sa.String(32), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Column("source", sa.String(8), nullable=False),  # "live" or "file"
    sa.UniqueConstraint("cohort_id", "pseudonym", "exercise", "item", name="peerkit_responses_one_answer"),
    sa.Index("peerkit_responses_by_exercise", "cohort_id", "exercise"),
)

submissions_table = sa.Table(
    "peerkit_submissions",
    metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("peerkit_cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pseudonym", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Column("responses", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("cohort_id", "pseudonym"),
)


@dataclass(frozen=True)
class CohortInfo:
    """A cohort as the store knows it (never with its join code)."""

    id: str
    name: str
    created_at: str


def stamp(moment: datetime | str | None = None) -> str:
    """A UTC timestamp as fixed-width ISO text (``2024-05-01T09:30:00.000000Z``).

    Fixed width and UTC make text order equal time order on every backend and
    collation, so "keep the newer answer" is one comparison in SQL.
    """
    if moment is None:
        moment = datetime.now(timezone.utc)
    elif isinstance(moment, str):
        moment = parse_moment(moment, require_zone=True)
    if moment.tzinfo is None:
        raise ValueError(f"The time {moment.isoformat()} has no time zone; give it in UTC (…+00:00).")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_cohort_id() -> str:
    return "cohort-" + "".join(secrets.choice(ALPHABET.lower()) for _ in range(8))


def is_cohort_id(text: str) -> bool:
    return bool(_COHORT_ID.match(text or ""))


def _row(row: Any) -> dict[str, Any]:
    """Accept a mapping or a :class:`peerkit.model.Response`-like object."""
    if isinstance(row, Mapping):
        get = row.get
    else:
        def get(key: str, default: Any = None) -> Any:
            return getattr(row, key, default)
    exercise, item = get("exercise"), get("item")
    for name, value in (("exercise", exercise), ("item", item)):
        if not isinstance(value, str) or not value or len(value) > 64:
            raise ValueError(f"Each shared answer needs a {name} id (text of 1 to 64 characters); got {value!r}.")
    try:
        value_text = json.dumps(get("value"), ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise ValueError(f"The answer to {exercise}/{item} cannot be stored as JSON: {error}.") from error
    return {"exercise": exercise, "item": item, "value": value_text, "answered_at": stamp(get("answered_at"))}


@dataclass(frozen=True)
class Unreadable:
    """A stored value that is not JSON: kept as its text, so the views can skip and count it (never an answer)."""

    text: str


def _decode_or_unreadable(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return Unreadable(text if isinstance(text, str) else repr(text))


class CohortStore:
    """The shared answers of every cohort in one database.

    Parameters
    ----------
    url:
        An SQLAlchemy URL: ``sqlite:////absolute/path/cohort.sqlite`` or
        ``postgresql+psycopg://user:password@host:5432/dbname``.
    create:
        Create the tables (and, for SQLite, the file) when missing. The trainer's side
        does; a learner's side passes ``False`` so that a wrong path never makes an
        empty store that nobody reads.
    """

    def __init__(self, url: str, *, create: bool = True, connect_timeout: int = CONNECT_TIMEOUT) -> None:
        if not isinstance(url, str) or not url.strip():
            raise CohortError(f"Give the cohort store as a URL, for example sqlite:////srv/peerkit/cohort.sqlite "
                              f"or postgresql+psycopg://user@host/db.")
        try:
            parsed = sa.engine.make_url(url.strip())
        except exc.ArgumentError as error:
            raise CohortError(f"{url!r} is not a database URL. Use sqlite:////path/cohort.sqlite or "
                              "postgresql+psycopg://user:password@host/dbname.") from error
        self.backend = parsed.get_backend_name()
        self.path: Path | None = None
        self._upsert_cache: Any = None
        if self.backend == "sqlite":
            self.engine = self._sqlite_engine(parsed, create)
        elif self.backend == "postgresql":
            if parsed.get_driver_name() != "psycopg":
                parsed = parsed.set(drivername="postgresql+psycopg")
            self.engine = sa.create_engine(
                parsed,
                pool_pre_ping=True,
                pool_size=2,
                max_overflow=4,
                connect_args={"connect_timeout": connect_timeout, "application_name": "peerkit"},
            )
        else:
            raise CohortError(f"peerkit cohort stores are SQLite files or PostgreSQL databases; "
                              f"{parsed.render_as_string(hide_password=True)!r} is {self.backend}.")
        self.url = parsed.render_as_string(hide_password=False)
        if create:
            self._create_tables()

    # -- opening ---------------------------------------------------------------------------
    def _sqlite_engine(self, parsed: sa.engine.URL, create: bool) -> sa.engine.Engine:
        if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
            raise CohortError("A shared SQLite cohort store must be a file every learner can reach: "
                              "sqlite:////absolute/path/cohort.sqlite.")
        path = Path(parsed.database).expanduser().absolute()
        self.path = path
        if not create and not path.is_file():
            raise CohortUnreachableError(
                f"The cohort store file {path} does not exist, or its folder cannot be seen from here. "
                "Check that the shared folder is mounted and the address is the one your trainer gave."
            )
        if create and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            sqlite3.connect(path).close()
        # Always "rw" after that: a store file that vanishes (a shared folder unmounted) is reported
        # as unreachable, never silently replaced by a new empty one.
        uri = f"file:{pathname2url(str(path))}?mode=rw"

        def connect() -> sqlite3.Connection:
            # isolation_level=None: the driver stays out of transactions; we issue BEGIN ourselves
            return sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT, isolation_level=None,
                                   check_same_thread=False)

        engine = sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.QueuePool, pool_size=2,
                                  max_overflow=4)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
            if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                dbapi_connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit is on disk before we report it sent (survives power loss, not only a crash)
            dbapi_connection.execute("PRAGMA synchronous = FULL")
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            # Writers take the write lock up front: a deferred transaction that reads and then
            # writes can fail with SQLITE_BUSY at once, without waiting, when another writer went first.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("peerkit_read") else "BEGIN IMMEDIATE")

        return engine

    def __repr__(self) -> str:
        return f"CohortStore({self.display_url!r})"

    @property
    def display_url(self) -> str:
        """The address without any password, fit to show on screen."""
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> "CohortStore":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _create_tables(self) -> None:
        def create(conn: sa.Connection) -> None:
            metadata.create_all(conn)
            found = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "store_version")).scalar()
            if found is None:
                conn.execute(sa.insert(meta_table).values(key="store_version", value=str(STORE_VERSION)))
            elif int(found) > STORE_VERSION:
                raise CohortError(f"The cohort store {self.display_url} was made by a newer peerkit (layout "
                                  f"{found}; this one knows {STORE_VERSION}). Nothing was changed. Upgrade peerkit.")

        try:
            self._write(create)
        except CohortError:
            raise
        except exc.DBAPIError:
            # Two first-time creators racing on PostgreSQL: the loser sees a duplicate; the tables are there.
            self._write(lambda conn: metadata.create_all(conn))
        if self.backend == "sqlite" and self.path is not None:
            self._widen_permissions()

    def _widen_permissions(self) -> None:
        """Let the group write the store it shares (best effort; the docstring says what else is needed)."""
        try:
            mode = self.path.stat().st_mode
            os.chmod(self.path, mode | 0o660)
        except OSError:
            pass

    # -- transactions ----------------------------------------------------------------------
    def _translate(self, error: exc.DBAPIError) -> CohortError:
        text = str(error.orig if getattr(error, "orig", None) is not None else error).strip().splitlines()[0]
        lower = text.lower()
        where = self.display_url
        if "no such table" in lower or ("relation" in lower and "does not exist" in lower):
            return CohortError(f"{where} is reachable but holds no peerkit cohorts yet. The trainer creates them "
                               "(LiveDashboard or CohortStore(url).create_cohort(name)).")
        if "readonly" in lower or "read-only" in lower or "permission denied" in lower:
            return CohortUnreachableError(f"The cohort store {where} cannot be written from here ({text}). "
                                          "Ask your trainer to let the group write to its folder or database.")
        if isinstance(error, (exc.OperationalError, exc.InterfaceError)) or error.connection_invalidated:
            return CohortUnreachableError(f"The cohort store {where} cannot be reached right now ({text}).")
        return CohortError(f"The cohort store {where} refused the request: {text}.")

    def _attempt(self, work: Callable[[], _T], attempts: int = 6) -> _T:
        """Run ``work``; retry transient contention with jittered back-off, translate the rest."""
        for attempt in range(attempts):
            try:
                return work()
            except exc.DBAPIError as error:
                text = str(error).lower()
                if attempt + 1 < attempts and any(marker in text for marker in _TRANSIENT):
                    time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
                    continue
                raise self._translate(error) from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, work: Callable[[sa.Connection], _T]) -> _T:
        """``work(conn)`` in one write transaction: committed completely or not at all."""
        def run() -> _T:
            with self.engine.begin() as conn:
                return work(conn)

        return self._attempt(run)

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(peerkit_read=True)
                with conn.begin():
                    yield conn
        except exc.DBAPIError as error:
            raise self._translate(error) from error

    @staticmethod
    def _bump(conn: sa.Connection, cohort_id: str) -> None:
        """Count a change to the cohort; also proves the cohort exists (else roll back).

        Called first in each write: on PostgreSQL it locks the cohort's row, so writes to one
        cohort queue up (each takes milliseconds) instead of racing, and the revision a
        dashboard reads always covers every committed answer.
        """
        done = conn.execute(
            sa.update(cohorts_table).where(cohorts_table.c.id == cohort_id)
            .values(revision=cohorts_table.c.revision + 1)
        ).rowcount
        if not done:
            raise CohortError(f"There is no cohort {cohort_id!r} in this store (it may have been deleted). "
                              "Nothing was stored. Join again with a current join code.")

    def _insert(self) -> Any:
        if self.backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert

    # -- cohorts ---------------------------------------------------------------------------
    def create_cohort(self, name: str) -> tuple[str, str]:
        """Make a cohort; returns ``(cohort_id, join_code)``. The code is shown now and never stored in clear."""
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise CohortError("Give the cohort a name of 1 to 200 characters, for example 'Tuesday evening group'.")
        cohort_id = new_cohort_id()
        code = self._unused_code()
        self._write(lambda conn: conn.execute(sa.insert(cohorts_table).values(
            id=cohort_id, name=name, join_code_hash=hash_join_code(code), created_at=stamp(), revision=0)))
        return cohort_id, code

    def _unused_code(self) -> str:
        while True:
            code = new_join_code()
            if self.find_cohort(code) is None:
                return code

    def new_join_code(self, cohort_id: str) -> str:
        """Replace a cohort's join code (a forgotten code cannot be read back). Members stay members."""
        code = self._unused_code()

        def change(conn: sa.Connection) -> None:
            conn.execute(sa.update(cohorts_table).where(cohorts_table.c.id == cohort_id)
                         .values(join_code_hash=hash_join_code(code)))
            self._bump(conn, cohort_id)

        self._write(change)
        return code

    def cohorts(self) -> list[CohortInfo]:
        """Every cohort, newest first."""
        columns = (cohorts_table.c.id, cohorts_table.c.name, cohorts_table.c.created_at)
        with self._read() as conn:
            rows = conn.execute(sa.select(*columns).order_by(cohorts_table.c.created_at.desc())).all()
        return [CohortInfo(*row) for row in rows]

    def cohort(self, cohort_id: str) -> CohortInfo:
        """The cohort with this id; :class:`CohortError` if there is none."""
        for info in self.cohorts():
            if info.id == cohort_id:
                return info
        raise CohortError(f"There is no cohort {cohort_id!r} in {self.display_url}.")

    def find_cohort(self, join_code: str) -> CohortInfo | None:
        """The cohort whose join code this is, or ``None``. Raises :class:`JoinCodeError` for a malformed code."""
        normalize_join_code(join_code)
        query = sa.select(cohorts_table.c.id, cohorts_table.c.name, cohorts_table.c.created_at,
                          cohorts_table.c.join_code_hash)
        with self._read() as conn:
            rows = conn.execute(query).all()
        # Salted hashes cannot be looked up, only checked one by one; a store holds few cohorts.
        for cohort_id, name, created_at, stored in rows:
            if verify_join_code(join_code, stored):
                return CohortInfo(cohort_id, name, created_at)
        return None

    def revision(self, cohort_id: str) -> int:
        """A number that grows with every change to the cohort's answers or members."""
        with self._read() as conn:
            value = conn.execute(sa.select(cohorts_table.c.revision).where(cohorts_table.c.id == cohort_id)).scalar()
        if value is None:
            raise CohortError(f"There is no cohort {cohort_id!r} in {self.display_url}.")
        return int(value)

    # -- members and their answers -----------------------------------------------------------
    def add_member(self, cohort_id: str, pseudonym: str) -> None:
        """Record that a pseudonym joined (idempotent)."""
        insert = self._insert()

        def add(conn: sa.Connection) -> None:
            self._bump(conn, cohort_id)
            conn.execute(insert(members_table).values(cohort_id=cohort_id, pseudonym=pseudonym, joined_at=stamp())
                         .on_conflict_do_nothing(index_elements=["cohort_id", "pseudonym"]))

        self._write(add)

    def members(self, cohort_id: str) -> int:
        """How many pseudonyms joined the cohort (live) or handed in a file."""
        with self._read() as conn:
            joined = conn.execute(sa.select(members_table.c.pseudonym).where(members_table.c.cohort_id == cohort_id))
            filed = conn.execute(sa.select(submissions_table.c.pseudonym)
                                 .where(submissions_table.c.cohort_id == cohort_id))
            return len({row[0] for row in joined} | {row[0] for row in filed})

    def _upsert_statement(self) -> Any:
        """The upsert, built once per store (building ``excluded`` columns is costly per call)."""
        if self._upsert_cache is None:
            statement = self._insert()(responses_table)
            self._upsert_cache = statement.on_conflict_do_update(
                index_elements=["cohort_id", "pseudonym", "exercise", "item"],
                set_={"value": statement.excluded.value, "answered_at": statement.excluded.answered_at,
                      "received_at": statement.excluded.received_at, "source": statement.excluded.source},
                # an answer sent late (from a stale kernel) never overwrites a newer one
                where=responses_table.c.answered_at < statement.excluded.answered_at,
            )
        return self._upsert_cache

    def _upsert(self, conn: sa.Connection, cohort_id: str, pseudonym: str, rows: list[dict[str, Any]],
                source: str) -> None:
        if not rows:
            return
        received = stamp()
        # a fixed order: two transactions touching the same rows lock them in the same order (no deadlock)
        params = sorted(
            ({"cohort_id": cohort_id, "pseudonym": pseudonym, "received_at": received, "source": source, **row}
             for row in rows),
            key=lambda p: (p["exercise"], p["item"]),
        )
        conn.execute(self._upsert_statement(), params)

    @staticmethod
    def _check_pseudonym(pseudonym: str) -> None:
        if not isinstance(pseudonym, str) or not pseudonym or len(pseudonym) > 64:
            raise ValueError(f"{pseudonym!r} is not a cohort pseudonym.")

    def upsert_responses(self, cohort_id: str, pseudonym: str, rows: Iterable[Any]) -> int:
        """Store answers (``exercise, item, value, answered_at``) of one pseudonym; returns how many were given.

        Idempotent: the same rows sent twice leave one copy; for one item the newer
        ``answered_at`` wins whatever order the rows arrive in.
        """
        self._check_pseudonym(pseudonym)
        prepared = self._dedupe([_row(r) for r in rows])

        def upsert(conn: sa.Connection) -> None:
            self._bump(conn, cohort_id)
            self._upsert(conn, cohort_id, pseudonym, prepared, "live")

        self._write(upsert)
        return len(prepared)

    @staticmethod
    def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        newest: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            key = (row["exercise"], row["item"])
            if key not in newest or newest[key]["answered_at"] < row["answered_at"]:
                newest[key] = row
        return list(newest.values())

    def sync_member(self, cohort_id: str, pseudonym: str, rows: Iterable[Any]) -> tuple[int, int]:
        """Make the cohort hold exactly these answers of one pseudonym, in one transaction.

        Upserts ``rows`` (newer answer wins) and removes this pseudonym's other answers:
        an exercise no longer shared, a reflection no longer opted in, an answer deleted
        locally. Returns ``(sent, removed)``.
        """
        self._check_pseudonym(pseudonym)
        prepared = self._dedupe([_row(r) for r in rows])
        keep = {(r["exercise"], r["item"]) for r in prepared}
        t = responses_table

        def mirror(conn: sa.Connection) -> int:
            self._bump(conn, cohort_id)  # first: fails fast on a deleted cohort, before any other change
            conn.execute(self._insert()(members_table)
                         .values(cohort_id=cohort_id, pseudonym=pseudonym, joined_at=stamp())
                         .on_conflict_do_nothing(index_elements=["cohort_id", "pseudonym"]))
            self._upsert(conn, cohort_id, pseudonym, prepared, "live")
            held = conn.execute(sa.select(t.c.exercise, t.c.item)
                                .where((t.c.cohort_id == cohort_id) & (t.c.pseudonym == pseudonym))).all()
            stale = [{"e": e, "i": i} for e, i in held if (e, i) not in keep]
            if stale:
                conn.execute(sa.delete(t).where((t.c.cohort_id == cohort_id) & (t.c.pseudonym == pseudonym)
                                                & (t.c.exercise == sa.bindparam("e"))
                                                & (t.c.item == sa.bindparam("i"))), stale)
            return len(stale)

        removed = self._write(mirror)
        return len(prepared), removed

    def withdraw(self, cohort_id: str, pseudonym: str) -> int:
        """Remove everything one pseudonym shared with the cohort; returns the answers removed."""
        self._check_pseudonym(pseudonym)

        def remove(conn: sa.Connection) -> int:
            where = lambda table: (table.c.cohort_id == cohort_id) & (table.c.pseudonym == pseudonym)  # noqa: E731
            count = conn.execute(sa.delete(responses_table).where(where(responses_table))).rowcount
            conn.execute(sa.delete(members_table).where(where(members_table)))
            conn.execute(sa.delete(submissions_table).where(where(submissions_table)))
            self._bump(conn, cohort_id)
            return count

        return self._write(remove)

    def store_submission(self, cohort_id: str, pseudonym: str, created_at: datetime | str,
                         rows: Iterable[Any]) -> bool:
        """Replace one pseudonym's answers with a submission file's, unless a newer file was loaded already.

        Returns ``True`` if stored, ``False`` if an equal or newer submission from the
        same pseudonym is already there (nothing changes then).
        """
        self._check_pseudonym(pseudonym)
        created = stamp(created_at)
        prepared = self._dedupe([_row(r) for r in rows])
        s, t = submissions_table, responses_table

        def replace(conn: sa.Connection) -> bool:
            self._bump(conn, cohort_id)
            held = conn.execute(sa.select(s.c.created_at)
                                .where((s.c.cohort_id == cohort_id) & (s.c.pseudonym == pseudonym))).scalar()
            if held is not None and held >= created:
                return False
            conn.execute(sa.delete(t).where((t.c.cohort_id == cohort_id) & (t.c.pseudonym == pseudonym)))
            conn.execute(sa.delete(s).where((s.c.cohort_id == cohort_id) & (s.c.pseudonym == pseudonym)))
            conn.execute(sa.insert(s).values(cohort_id=cohort_id, pseudonym=pseudonym, created_at=created,
                                             received_at=stamp(), responses=len(prepared)))
            self._upsert(conn, cohort_id, pseudonym, prepared, "file")
            return True

        return self._write(replace)

    # -- reading -----------------------------------------------------------------------------
    def responses_frame(self, cohort_id: str, exercise: str | None = None) -> "pd.DataFrame":
        """The cohort's shared answers, tidy: one row per answer, columns :data:`COHORT_COLUMNS`.

        ``learner`` is the cohort pseudonym; ``value`` is decoded from JSON;
        ``answered_at`` is a UTC datetime.
        """
        import pandas as pd

        t = responses_table
        query = sa.select(t.c.pseudonym, t.c.cohort_id, t.c.exercise, t.c.item, t.c.value, t.c.answered_at) \
            .where(t.c.cohort_id == cohort_id)
        if exercise is not None:
            query = query.where(t.c.exercise == exercise)
        query = query.order_by(t.c.exercise, t.c.pseudonym, t.c.item)
        with self._read() as conn:
            rows = [tuple(row) for row in conn.execute(query)]  # plain tuples: pandas probes Row objects slowly
        frame = pd.DataFrame(rows, columns=COHORT_COLUMNS)
        # A cohort gives few distinct answers ("never", 3, ...): decode each distinct text once.
        decoded = {text: _decode_or_unreadable(text) for text in set(frame["value"])}
        frame["value"] = pd.Series([decoded[text] for text in frame["value"]], index=frame.index, dtype=object)
        # a broken time becomes NaT: the charts skip and count such rows instead of failing (peerkit.chart_data)
        frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True, format="ISO8601", errors="coerce")
        return frame

    def responders(self, cohort_id: str) -> "pd.DataFrame":
        """Per exercise: how many pseudonyms answered (``responders``), ``answers``, and ``last_answer_at``."""
        import pandas as pd

        t = responses_table
        query = (
            sa.select(t.c.exercise, sa.func.count(sa.distinct(t.c.pseudonym)), sa.func.count(),
                      sa.func.max(t.c.answered_at))
            .where(t.c.cohort_id == cohort_id).group_by(t.c.exercise).order_by(t.c.exercise)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame(rows, columns=["exercise", "responders", "answers", "last_answer_at"])
        frame["last_answer_at"] = pd.to_datetime(frame["last_answer_at"], utc=True, format="ISO8601", errors="coerce")
        return frame.astype({"responders": int, "answers": int})

    def submissions(self, cohort_id: str) -> "pd.DataFrame":
        """The submission files loaded for a cohort: pseudonym, created_at, received_at, responses."""
        import pandas as pd

        s = submissions_table
        with self._read() as conn:
            rows = conn.execute(sa.select(s.c.pseudonym, s.c.created_at, s.c.received_at, s.c.responses)
                                .where(s.c.cohort_id == cohort_id).order_by(s.c.pseudonym)).all()
        return pd.DataFrame(rows, columns=["pseudonym", "created_at", "received_at", "responses"])
