"""Code that runs in child processes of the cohort reliability tests (importable by name, no pytest).

Each simulated learner is a separate process with its own local store, exactly as two
kernels on a JupyterHub would be; the writer that gets killed is one too.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

#: Modules every child needs; a forkserver imports them once, so 200 children start quickly.
PRELOAD = ["peerkit.cohort.store", "peerkit.store",
           "peerkit.exercises", "fastjsonschema", "sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.sqlite",
           "psycopg"]

OPTIONS = ["never", "maybe", "always"]


def rows_for(index: int) -> list[dict[str, Any]]:
    base = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc) + timedelta(seconds=index)
    return [{"exercise": "boundaries", "item": f"B{i:02d}", "value": OPTIONS[(index + i) % 3],
             "answered_at": base.isoformat()} for i in range(1, 28)]


def pseudonym_for(index: int) -> str:
    return f"p-{index:020x}"


def committing_writer(url: str, cohort: str, events: Any, hold_at: int | None) -> None:
    """Commit one pseudonym's 27 answers per transaction, reporting each commit.

    With ``hold_at``, transaction number ``hold_at`` writes its rows and then waits
    inside the open transaction (to be killed there); otherwise it keeps committing
    until killed.
    """
    from peerkit.cohort.store import CohortStore, _row

    store = CohortStore(url, create=False)
    index = 0
    while True:
        if hold_at is not None and index == hold_at:
            def write_and_hang(conn: Any) -> None:
                store._upsert(conn, cohort, pseudonym_for(index), [_row(r) for r in rows_for(index)], "live")
                events.put(("inside", index))
                time.sleep(600)

            store._write(write_and_hang)
        store.upsert_responses(cohort, pseudonym_for(index), rows_for(index))
        events.put(("committed", index))
        index += 1
