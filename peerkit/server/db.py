"""The cohort store as the server sees it: SQLAlchemy Core tables, the engine, transactions, migrations.

Only ``peerkit serve`` opens this store. The tables below describe the newest
layout; Alembic migrations in ``peerkit/server/migrations/versions`` build it step by
step, and :func:`migrate` runs them on every start, so a newer server opens a
store an older one made (``alembic_version`` records how far a store is).

Durability: SQLite runs in WAL mode with ``synchronous=FULL`` (a committed answer is
on disk before the reply leaves); PostgreSQL commits are durable by default. Every
answer is acknowledged only after its transaction commits.

Concurrency: a write to a cohort first locks that cohort's row
(:func:`lock_cohort`; ``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), so the counts of one cohort are updated by one transaction at a time and
two workers can never deadlock over them.

Kept whole (about 420 lines, nearly half of them table definitions): it is the one schema, read as
a whole beside the migrations that build it, with the engine and transactions that use it.
"""
from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy import event, exc

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_SECONDS = 30.0
#: PostgreSQL advisory lock key held while migrating, so workers starting together migrate once.
_MIGRATION_LOCK = 0x7065_6572  # "peer"
#: Words of an error that may well pass when the same transaction runs again (contention)...
TRANSIENT = ("database is locked", "could not serialize", "deadlock detected", "too many clients",
             "remaining connection slots")
#: ... or when it runs again on a new connection (the database restarted, or is starting up).
DISCONNECTED = ("server closed the connection", "terminating connection", "connection refused",
                "the database system is", "connection is closed", "could not receive data", "connection reset",
                "consuming input failed", "server conn crashed", "connection failed")
_TRANSIENT = TRANSIENT

_T = TypeVar("_T")

metadata = sa.MetaData()

trainers = sa.Table(
    "trainers", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    # added by migration 0004: a hub trainer's whole hub name (their id is a hash of it)
    sa.Column("hub_user", sa.String(255)),
)

trainer_tokens = sa.Table(
    "trainer_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 hex; the token itself is never stored
    sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires", sa.BigInteger),  # added by migration 0004: Unix seconds; past it the token is refused
)

# added by migration 0004: a browser's trainer sign-in (the cookie holds a random id; the store its SHA-256)
trainer_sessions = sa.Table(
    "trainer_sessions", metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),  # sent back by the pages in X-Peerkit-CSRF
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("last_seen", sa.BigInteger, nullable=False),  # Unix seconds (idle expiry)
    sa.Column("expires", sa.BigInteger, nullable=False),  # Unix seconds (absolute expiry)
    sa.Column("hub_user", sa.String(255)),  # on a hub: whose session, re-checked against the hub's groups
    sa.Column("hub_checked", sa.BigInteger),
    sa.Column("agent", sa.String(120), nullable=False, server_default=""),  # the browser, for `trainer list`
    sa.Index("trainer_sessions_by_trainer", "trainer_id"),
)

# added by migration 0004: short-lived single-use sign-in codes (SHA-256 only)
sign_in_codes = sa.Table(
    "sign_in_codes", metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=False),
    sa.Column("hub_user", sa.String(255)),
)

cohorts = sa.Table(
    "cohorts", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("trainer_id", sa.String(40), sa.ForeignKey("trainers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    # HMAC-SHA256 of the normalised join code under the server's secret: one indexed lookup per join
    sa.Column("code_hmac", sa.String(64), nullable=False, unique=True),
    sa.Column("code_sealed", sa.String(64), nullable=False),  # the code masked under the secret (seal_code)
    sa.Column("status", sa.String(8), nullable=False),  # "open" or "closed"
    sa.Column("min_group_size", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("closed_at", sa.String(40)),
    # bumped by peerkit.server.revisions.changed in every write transaction
    sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    # added by migration 0004: the trainer closed joining once the room is in
    sa.Column("joining_locked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("cohorts_by_trainer", "trainer_id"),
)

learners = sa.Table(
    "learners", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pseudonym", sa.String(64), nullable=False),
    sa.Column("token_hash", sa.String(64), unique=True),  # NULL for a learner known only from a hand-in file
    sa.Column("source", sa.String(8), nullable=False),  # "live" (joined through the server) or "file"
    sa.Column("joined_at", sa.String(40), nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False, server_default="0"),
    # added by migration 0002: the created_at of the hand-in file this learner's answers came from
    sa.Column("file_created_at", sa.String(40)),
    # added by migration 0005: the learner agreed to research use of their shared answers (off by default)
    sa.Column("research_consent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("research_consent_at", sa.String(40)),
    # added by migration 0004: on a hub, HMAC of the hub user's name: one member per person per cohort
    sa.Column("hub_key", sa.String(64)),
    sa.UniqueConstraint("cohort_id", "pseudonym", name="learners_one_pseudonym"),
    sa.Index("learners_one_hub_user", "cohort_id", "hub_key", unique=True),
)

answers = sa.Table(
    "answers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("value", sa.Text),  # JSON of the shared value; NULL = withdrawn (the row keeps its seq)
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("source", sa.String(8), nullable=False),  # "live" or "file"
    # no moderation flag here: whether a shared text may be shown is live_tools.tables.room_texts.status alone
    # (migration 0010_one_text_state moved the old ``hidden`` flag there)
    sa.UniqueConstraint("learner_id", "exercise", "item", name="answers_one_per_item"),
    sa.Index("answers_by_exercise", "cohort_id", "exercise"),
)

# Aggregates kept up to date in the same transaction as every answer change: a refresh reads these
# small tables (one row per option of each item), never the answers.
counts = sa.Table(
    "counts", metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("value_key", sa.String(200), nullable=False),  # the option, as text ("maybe", "4")
    sa.Column("n", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("cohort_id", "exercise", "item", "value_key"),
)

item_respondents = sa.Table(
    "item_respondents", metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("from_files", sa.Integer, nullable=False, server_default="0"),
    sa.PrimaryKeyConstraint("cohort_id", "exercise", "item"),
)

exercise_respondents = sa.Table(
    "exercise_respondents", metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("cohort_id", "exercise"),
)

join_attempts = sa.Table(
    "join_attempts", metadata,
    sa.Column("bucket", sa.String(160), primary_key=True),  # "client:<address>" or "cohort:<id>"
    sa.Column("window_start", sa.BigInteger, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
)

# added by migration 0002
tallies = sa.Table(
    "tallies", metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("value_key", sa.String(200), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.PrimaryKeyConstraint("cohort_id", "exercise", "item", "value_key"),
)

_DELTA_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# added by migration 0006_answer_path. On PostgreSQL the answer path appends count changes here instead of
# updating the shared count rows (target "c": counts; "i": item_respondents, with from_files; "e":
# exercise_respondents); readers add the rows not yet folded into those tables (see aggregates.fold).
count_deltas = sa.Table(
    "count_deltas", metadata,
    sa.Column("id", _DELTA_ID, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("target", sa.String(1), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False, server_default=""),
    sa.Column("value_key", sa.String(200), nullable=False, server_default=""),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("from_files", sa.Integer, nullable=False, server_default="0"),
    sa.Index("count_deltas_by_cohort", "cohort_id", "target", "exercise"),
)

# ... and one row per revision bump: a cohort's revision is cohorts.revision plus its rows here (PostgreSQL)
revision_deltas = sa.Table(
    "revision_deltas", metadata,
    sa.Column("id", _DELTA_ID, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Index("revision_deltas_by_cohort", "cohort_id"),
)

# added by migration 0004: what learner tokens are shown of each item (peerkit.server.snapshots)
learner_snapshots = sa.Table(
    "learner_snapshots", metadata,
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("shown", sa.Text, nullable=False),  # JSON of the item as learners see it
    sa.Column("version", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("cohort_id", "exercise", "item"),
)

#: Every table holding one cohort's data, children first (the order a cohort is deleted in).
COHORT_TABLES = (learner_snapshots, tallies, count_deltas, revision_deltas, counts, item_respondents,
                 exercise_respondents, answers, learners)


def token_hash(token: str) -> str:
    """SHA-256 hex of a bearer token: all the store ever keeps of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces) for stored values and count keys."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# -- engine ---------------------------------------------------------------------------------

def make_engine(url: str, *, sqlite_max_pages: int = 0) -> sa.Engine:
    """An engine for the store at ``url``; an SQLite file's folder is made (owner-only) when missing.

    ``sqlite_max_pages`` (SQLite, when above 0): the store grows to at most that many pages;
    past it every write fails with SQLITE_FULL, exactly as on a full disk."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                                  connect_args={"connect_timeout": 10} if "psycopg" in parsed.drivername else {})
        # many rows inserted at once (a batch's answers, its count changes) go as multi-row INSERTs, as SQLAlchemy
        # does for psycopg2, not as one statement a row in psycopg's pipeline. With answer_path's two updates
        # made one statement each, the answer writer's CPU per batch of 25 requests went 10.3 -> 9.1 ms and its
        # statements 90 -> 11 (measured beside a CPU hog)
        engine.dialect.use_insertmanyvalues_wo_returning = True
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # enough pooled connections for the thread pool (40 threads) and the answer writer: a connection made
    # afresh per request (the pool's overflow) costs more than the request's own queries
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
                              pool_size=48, max_overflow=16)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
        if sqlite_max_pages > 0:
            cursor.execute(f"PRAGMA max_page_count={int(sqlite_max_pages)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # the commit that crosses 1,000 pages of WAL copies them into the database file, unless a thread of the
        # server's does that beside the writers (peerkit.server.checkpoints); set once per connection
        pages = 0 if engine in _CHECKPOINTED_ELSEWHERE else SQLITE_AUTOCHECKPOINT_PAGES
        if conn.info.get("wal_autocheckpoint") != pages:
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={pages}")
            conn.info["wal_autocheckpoint"] = pages
        # a writer takes the write lock up front, so two writers never deadlock upgrading a read lock
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("peerkit_write") else "BEGIN")

    return engine


#: SQLite's own default: a commit that finds this many pages in the WAL copies them into the database file.
SQLITE_AUTOCHECKPOINT_PAGES = 1000
#: SQLite engines whose WAL a thread of their own copies into the database file (peerkit.server.checkpoints)
_CHECKPOINTED_ELSEWHERE: "weakref.WeakSet[sa.Engine]" = weakref.WeakSet()


def checkpoint_elsewhere(engine: sa.Engine, elsewhere: bool) -> None:
    """Whether ``engine``'s commits leave the WAL to a checkpointing thread (True) or copy it themselves;
    each pooled connection takes the change at its next transaction."""
    if elsewhere:
        _CHECKPOINTED_ELSEWHERE.add(engine)
    else:
        _CHECKPOINTED_ELSEWHERE.discard(engine)


def is_postgresql(conn_or_engine: sa.Connection | sa.Engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only transaction."""
    with engine.connect() as conn, conn.begin():
        yield conn


def write(engine: sa.Engine, work: Callable[[sa.Connection], _T], attempts: int = 5) -> _T:
    """Run ``work(conn)`` in one write transaction, retried a few times on transient contention.

    ``work`` must be safe to run again (it is only re-run when its transaction rolled back).
    """
    for attempt in range(attempts):
        try:
            with engine.connect() as conn:
                conn.execution_options(peerkit_write=True)
                with conn.begin():
                    return work(conn)
        except exc.OperationalError as error:
            if attempt == attempts - 1 or not any(t in str(error).lower() for t in _TRANSIENT):
                raise
            time.sleep(0.05 * (2 ** attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def lock_cohort(conn: sa.Connection, cohort_id: str) -> sa.Row | None:
    """The cohort's row, locked for this transaction (``None`` if there is no such cohort)."""
    query = sa.select(*cohort_columns(conn)).where(cohorts.c.id == cohort_id)
    if is_postgresql(conn):
        query = query.with_for_update(of=cohorts)
    return conn.execute(query).first()


def revision_column(conn: sa.Connection | sa.Engine) -> Any:
    """The expression of a cohort's revision: ``cohorts.revision``, plus the bumps not yet folded (PostgreSQL)."""
    if not is_postgresql(conn):
        return cohorts.c.revision
    unfolded = (sa.select(sa.func.count()).select_from(revision_deltas)
                .where(revision_deltas.c.cohort_id == cohorts.c.id).scalar_subquery())
    return (cohorts.c.revision + unfolded).label("revision")


def cohort_columns(conn: sa.Connection | sa.Engine) -> list[Any]:
    """Every column of ``cohorts``, the revision as :func:`revision_column` (use instead of ``select(cohorts)``)."""
    if not is_postgresql(conn):
        return [cohorts]
    return [*(column for column in cohorts.c if column.name != "revision"), revision_column(conn)]


def cohort_row(conn: sa.Connection, cohort_id: str) -> sa.Row | None:
    """The cohort's row with its current revision (``None`` if there is no such cohort)."""
    return conn.execute(sa.select(*cohort_columns(conn)).where(cohorts.c.id == cohort_id)).first()


def revision_of(conn: sa.Connection, cohort_id: str) -> int | None:
    value = conn.execute(sa.select(revision_column(conn)).where(cohorts.c.id == cohort_id)).scalar()
    return None if value is None else int(value)


_UPSERTS: dict[tuple[Any, ...], Any] = {}


def _upsert_statement(conn: sa.Connection, table: sa.Table, columns: tuple[str, ...], keys: tuple[str, ...],
                      add: tuple[str, ...], replace: tuple[str, ...]) -> Any:
    shape = (conn.dialect.name, table.name, columns, keys, add, replace)
    statement = _UPSERTS.get(shape)
    if statement is None:
        if is_postgresql(conn):
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        inserting = insert(table)
        changes: dict[str, Any] = {name: table.c[name] + inserting.excluded[name] for name in add}
        changes.update({name: inserting.excluded[name] for name in replace})
        statement = _UPSERTS[shape] = inserting.on_conflict_do_update(index_elements=list(keys), set_=changes)
    return statement


def upsert(conn: sa.Connection, table: sa.Table, values: dict[str, Any], keys: tuple[str, ...],
           add: tuple[str, ...] = (), replace: tuple[str, ...] = ()) -> None:
    """Insert a row, or on a conflict of ``keys`` add the new ``add`` columns to the stored ones and take the
    new ``replace`` columns. The statement is built once per shape (it runs for every answer)."""
    conn.execute(_upsert_statement(conn, table, tuple(sorted(values)), keys, add, replace), values)


def upsert_many(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], keys: tuple[str, ...],
                add: tuple[str, ...] = (), replace: tuple[str, ...] = ()) -> None:
    """:func:`upsert` of many rows of one shape, in one ``executemany``."""
    if rows:
        conn.execute(_upsert_statement(conn, table, tuple(sorted(rows[0])), keys, add, replace), rows)


# -- answers by their keys ---------------------------------------------------------------------

_KEY_COLUMNS = ("learner_id", "exercise", "item")
_KEY_TYPES = (sa.Integer, sa.String, sa.String)


def one_of(column: sa.ColumnElement, name: str, postgresql: bool) -> sa.ColumnElement[bool]:
    """``column`` is one of the list given as parameter ``name`` when the statement runs.

    PostgreSQL: ``= ANY(array)``, one statement text however long the list (an expanding ``IN``
    makes a new text for every length, which psycopg converts and PostgreSQL parses and plans anew,
    never prepared: about a third of the answer writer's time per batch). SQLite: an expanding ``IN``.
    """
    if postgresql:
        return column == sa.any_(sa.cast(sa.bindparam(name), ARRAY(column.type)))
    return column.in_(sa.bindparam(name, expanding=True))


@functools.lru_cache(maxsize=64)
def answers_for_keys(postgresql: bool, key_length: int, *columns: Any) -> sa.Select:
    """``SELECT columns`` of the answers whose ``(learner_id, exercise)`` (``key_length`` 2) or
    ``(learner_id, exercise, item)`` (3) is one of the keys given with :func:`answer_keys` when it runs.

    PostgreSQL: the keys go as one array a column, ``unnest`` makes rows of them, joined to the
    answers' unique index (one statement text for any number of keys: see :func:`one_of`). SQLite
    scans the whole unique index for a row-value ``IN`` list (3 ms a query at 30,000 answers, growing
    with the room; measured on SQLite 3.40), so there the keys go as one JSON parameter, ``json_each``
    makes rows of them and each row is one seek in the index (0.07 ms). Made once per caller (cached):
    the answer path runs these in every batch, and building a statement costs more than running it.
    """
    names = _KEY_COLUMNS[:key_length]
    if postgresql:
        arrays = [sa.cast(sa.bindparam(f"answer_keys_{i}"), ARRAY(kind))
                  for i, kind in enumerate(_KEY_TYPES[:key_length])]
        wanted = sa.func.unnest(*arrays).table_valued(*names).render_derived(name="wanted")
        on = sa.and_(*(answers.c[name] == wanted.c[name] for name in names))
        return sa.select(*columns).select_from(wanted.join(answers, on))
    wanted = sa.func.json_each(sa.bindparam("answer_keys", type_=sa.String)).table_valued("value").alias("wanted")
    on = sa.and_(*(answers.c[name] == sa.func.json_extract(wanted.c.value, f"$[{i}]") for i, name in enumerate(names)))
    return sa.select(*columns).select_from(wanted.join(answers, on))


def answer_keys(conn: sa.Connection, keys: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The parameters of an :func:`answers_for_keys` query for ``keys`` (at most a few hundred)."""
    if is_postgresql(conn):
        length = len(keys[0]) if keys else len(_KEY_COLUMNS)
        return {f"answer_keys_{i}": [key[i] for key in keys] for i in range(length)}
    return {"answer_keys": json.dumps(keys)}


# -- migrations -----------------------------------------------------------------------------

def alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the store up to ``revision`` (default the newest layout); safe to call from several workers."""
    from alembic import command

    config = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(peerkit_write=True)
        with conn.begin():
            if is_postgresql(conn):
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, revision)


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
