"""The outbox: answers waiting to go to the learner's group, kept in the learner's own store file.

Three small tables of our own inside ``answers.sqlite`` (created here, beside the
store's tables, never touching them):

- ``cohort_outbox`` – what still has to be sent: ``(seq, exercise, item, value)``,
  ``value`` NULL meaning "withdraw this answer". At most one row per item: a newer
  change to the same item replaces the older one, which need never be sent;
- ``cohort_shared`` – what the group holds once the outbox is empty (the last value
  queued per item), so that :func:`queue_changes` queues only what changed;
- ``cohort_outbox_state`` – ``next_seq`` (the per-learner sequence number, growing across
  kernel restarts and never reused) and the server's refusals, per item, in plain words.

The server keeps, per item, the answer with the highest ``seq``: a resend changes
nothing and an older one never overwrites a newer one. Rows leave the outbox only
when the server acknowledged them (accepted, stale or refused), so anything sent
while the server died on the way is sent again.

>>> queue_changes(store, [{"exercise": "boundaries", "item": "B01", "value": "maybe"}])   # doctest: +SKIP
[1]
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import encode_value, utc_now

if TYPE_CHECKING:
    from ..store import LocalStore

BUSY_TIMEOUT_SECONDS = 20.0

_CREATE = [
    """CREATE TABLE IF NOT EXISTS cohort_outbox (
        seq INTEGER PRIMARY KEY,
        exercise TEXT NOT NULL,
        item TEXT NOT NULL,
        value TEXT,
        queued_at TEXT NOT NULL,
        UNIQUE (exercise, item)
    )""",
    """CREATE TABLE IF NOT EXISTS cohort_shared (
        exercise TEXT NOT NULL,
        item TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (exercise, item)
    )""",
    """CREATE TABLE IF NOT EXISTS cohort_refused (
        exercise TEXT NOT NULL,
        item TEXT NOT NULL,
        seq INTEGER NOT NULL,
        detail TEXT NOT NULL,
        PRIMARY KEY (exercise, item)
    )""",
    "CREATE TABLE IF NOT EXISTS cohort_outbox_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]
_TABLES = ("cohort_outbox", "cohort_shared", "cohort_refused", "cohort_outbox_state")


@dataclass(frozen=True)
class Pending:
    """One queued change: ``value`` is ``None`` for a withdrawal."""

    seq: int
    exercise: str
    item: str
    value: Any
    withdraw: bool

    def as_answer(self) -> dict[str, Any]:
        return {"seq": self.seq, "exercise": self.exercise, "item": self.item,
                "value": None if self.withdraw else self.value}


def _path(store: "LocalStore | str | Path") -> Path:
    return Path(getattr(store, "path", store))


@contextmanager
def _connection(store: "LocalStore | str | Path", write: bool = False) -> Iterator[sqlite3.Connection]:
    path = _path(store)
    # A store file that is gone was deleted by the learner ("Delete all my answers"): the sender
    # may still be retrying, and must not make a new file (one with only our tables, which the
    # store would refuse to open as "not a peerkit store"). It sees an empty outbox instead.
    target = str(path) if path.exists() else ":memory:"
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        if write:
            conn.execute("BEGIN IMMEDIATE")  # taken before reading: two kernels never interleave
        for statement in _CREATE:
            conn.execute(statement)
        try:
            yield conn
        except BaseException:
            if write:
                conn.execute("ROLLBACK")
            raise
        if write:
            conn.execute("COMMIT")
    finally:
        conn.close()


def _next_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM cohort_outbox_state WHERE key = 'next_seq'").fetchone()
    return int(row[0]) if row else 1


def _set_next_seq(conn: sqlite3.Connection, value: int) -> None:
    conn.execute("INSERT INTO cohort_outbox_state (key, value) VALUES ('next_seq', ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(value),))


def queue_changes(store: "LocalStore | str | Path", rows: Iterable[dict[str, Any]],
                  scope: Iterable[str] | None = None) -> list[int]:
    """Make the outbox bring the group to exactly ``rows`` (``[{exercise, item, value}]``).

    Changed or new answers are queued with fresh sequence numbers, answers no longer
    shared are queued as withdrawals. With ``scope`` (exercise ids) only those exercises
    are compared. Returns the sequence numbers queued (empty when nothing changed).
    """
    wanted = {(r["exercise"], r["item"]): encode_value(r["value"]) for r in rows}
    exercises = None if scope is None else set(scope)
    queued: list[int] = []
    with _connection(store, write=True) as conn:
        held = {(e, i): v for e, i, v in conn.execute("SELECT exercise, item, value FROM cohort_shared")
                if exercises is None or e in exercises}
        seq = _next_seq(conn)
        now = utc_now().isoformat()
        changes = [(key, value) for key, value in sorted(wanted.items())
                   if (exercises is None or key[0] in exercises) and held.get(key) != value]
        changes += [(key, None) for key in sorted(held) if key not in wanted]
        for (exercise, item), value in changes:
            conn.execute("DELETE FROM cohort_outbox WHERE exercise = ? AND item = ?", (exercise, item))
            conn.execute("INSERT INTO cohort_outbox (seq, exercise, item, value, queued_at) VALUES (?, ?, ?, ?, ?)",
                         (seq, exercise, item, value, now))
            if value is None:
                conn.execute("DELETE FROM cohort_shared WHERE exercise = ? AND item = ?", (exercise, item))
            else:
                conn.execute("INSERT INTO cohort_shared (exercise, item, value) VALUES (?, ?, ?) "
                             "ON CONFLICT (exercise, item) DO UPDATE SET value = excluded.value",
                             (exercise, item, value))
            queued.append(seq)
            seq += 1
        if queued:
            _set_next_seq(conn, seq)
    return queued


def pending(store: "LocalStore | str | Path", limit: int = 500) -> list[Pending]:
    """The oldest queued changes, at most ``limit``, in sequence order."""
    with _connection(store) as conn:
        rows = conn.execute("SELECT seq, exercise, item, value FROM cohort_outbox ORDER BY seq LIMIT ?",
                            (limit,)).fetchall()
    return [Pending(seq, exercise, item, None if value is None else json.loads(value), value is None)
            for seq, exercise, item, value in rows]


def pending_count(store: "LocalStore | str | Path", exercise: str | None = None) -> int:
    with _connection(store) as conn:
        if exercise is None:
            return conn.execute("SELECT COUNT(*) FROM cohort_outbox").fetchone()[0]
        return conn.execute("SELECT COUNT(*) FROM cohort_outbox WHERE exercise = ?", (exercise,)).fetchone()[0]


def acknowledge(store: "LocalStore | str | Path", accepted: Iterable[int], stale: Iterable[int],
                refused: Iterable[dict[str, Any]]) -> None:
    """Take what the server answered for out of the outbox; keep each refusal's words per item.

    A row is removed only if it still holds that ``seq`` (a newer change queued meanwhile stays).
    """
    done = [int(s) for s in accepted] + [int(s) for s in stale]
    with _connection(store, write=True) as conn:
        for seq in done:
            row = conn.execute("SELECT exercise, item FROM cohort_outbox WHERE seq = ?", (seq,)).fetchone()
            conn.execute("DELETE FROM cohort_outbox WHERE seq = ?", (seq,))
            if row:
                conn.execute("DELETE FROM cohort_refused WHERE exercise = ? AND item = ? AND seq < ?", (*row, seq))
        for refusal in refused:
            try:
                seq = int(refusal["seq"])
            except (KeyError, TypeError, ValueError):
                continue
            row = conn.execute("SELECT exercise, item FROM cohort_outbox WHERE seq = ?", (seq,)).fetchone()
            if row is None:
                continue
            detail = str(refusal.get("detail") or "The server did not accept this answer.")
            # cohort_shared keeps the refused value, so it is not queued again (it would be refused
            # again); the refusal row says the group does not hold it, until a later change is accepted
            conn.execute("DELETE FROM cohort_outbox WHERE seq = ?", (seq,))
            conn.execute("INSERT INTO cohort_refused (exercise, item, seq, detail) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (exercise, item) DO UPDATE SET seq = excluded.seq, detail = excluded.detail",
                         (*row, seq, detail))


def refusals(store: "LocalStore | str | Path", exercise: str | None = None) -> dict[tuple[str, str], str]:
    """``{(exercise, item): detail}`` of answers the server refused (and not changed since)."""
    with _connection(store) as conn:
        rows = conn.execute("SELECT exercise, item, detail FROM cohort_refused").fetchall()
    return {(e, i): d for e, i, d in rows if exercise is None or e == exercise}


def shared_count(store: "LocalStore | str | Path", exercise: str | None = None) -> int:
    """How many answers the group holds (or will, once the outbox is empty)."""
    with _connection(store) as conn:
        if exercise is None:
            return conn.execute("SELECT COUNT(*) FROM cohort_shared").fetchone()[0]
        return conn.execute("SELECT COUNT(*) FROM cohort_shared WHERE exercise = ?", (exercise,)).fetchone()[0]


def raise_floor(store: "LocalStore | str | Path", server_last_seq: int) -> None:
    """Make every queued and future ``seq`` larger than what the server already holds.

    Needed when the local count restarted (a new store) but the server knows this
    learner: queued rows are renumbered in their order, so the newest still wins.
    """
    with _connection(store, write=True) as conn:
        seq = _next_seq(conn)
        if seq > server_last_seq:
            return
        seq = server_last_seq + 1
        rows = conn.execute("SELECT seq FROM cohort_outbox ORDER BY seq").fetchall()
        offset = seq + len(rows) + 1
        for index, (old,) in enumerate(rows):  # two steps: never collide with a seq still in use
            conn.execute("UPDATE cohort_outbox SET seq = ? WHERE seq = ?", (offset + index, old))
        for index in range(len(rows)):
            conn.execute("UPDATE cohort_outbox SET seq = ? WHERE seq = ?", (seq + index, offset + index))
        _set_next_seq(conn, seq + len(rows))


def reset(store: "LocalStore | str | Path") -> None:
    """Empty the outbox for a new membership (the sequence keeps growing: a seq is never reused)."""
    with _connection(store, write=True) as conn:
        for table in ("cohort_outbox", "cohort_shared", "cohort_refused"):
            conn.execute(f"DELETE FROM {table}")


def forget(store: "LocalStore | str | Path") -> None:
    """Remove the outbox tables altogether (for "Delete all my answers")."""
    if not _path(store).exists():
        return
    conn = sqlite3.connect(_path(store), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for table in _TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute("COMMIT")
    finally:
        conn.close()
