"""Code that runs in child processes of the cohort reliability tests (importable by name, no pytest).

Each simulated learner is a separate process with its own local store, exactly as two
kernels on a JupyterHub would be; the writer that gets killed is one too.
"""
from __future__ import annotations

import os
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

#: Modules every child needs; a forkserver imports them once, so 200 children start quickly.
PRELOAD = ["peerkit.cohort.sync", "peerkit.cohort.membership", "peerkit.cohort.store", "peerkit.store",
           "peerkit.exercises", "fastjsonschema", "sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.sqlite",
           "psycopg"]

OPTIONS = ["never", "maybe", "always"]


def learner(home: str, url: str, code: str, barrier: Any, results: Any) -> None:
    """Join with the code, answer all 27 boundary items locally, wait for everyone, then send at once."""
    try:
        from peerkit.cohort.membership import join
        from peerkit.cohort.sync import sync
        from peerkit.exercises import load_exercise
        from peerkit.model import Response
        from peerkit.store import LocalStore

        store = LocalStore(Path(home) / "answers.sqlite")
        membership = join(store, code, url=url, share=["boundaries"])
        rng = random.Random(os.getpid())
        answers = {item: rng.choice(OPTIONS) for item in load_exercise("boundaries").item_ids}
        now = datetime.now(timezone.utc)
        store.save_many([Response(store.learner, "boundaries", item, value, now) for item, value in answers.items()])
        barrier.wait(timeout=240)
        result = sync(store)
        results.put({"learner": store.learner, "pseudonym": membership.pseudonym, "answers": answers,
                     "sent": result.sent, "message": result.message, "detail": result.detail,
                     "join_status": membership.status})
    except BaseException as error:  # noqa: BLE001 - report, so the parent fails with the reason
        results.put({"error": f"{type(error).__name__}: {error}"})
        try:
            barrier.abort()
        except Exception:  # noqa: BLE001
            pass


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
