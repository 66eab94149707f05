"""Cohort store ingest throughput against raw sqlite3 executemany, measured in the same run.

Each simulated learner sends 27 answers in one transaction, as a sync does. Baselines
on the same disk, with the same durability settings (WAL, synchronous=FULL):

- raw sqlite3, one transaction per learner (``executemany`` of 27 rows): the fair baseline;
- raw sqlite3, one transaction for everything: the ceiling for bulk loading.

With PEERKIT_BENCH_PG_URL (a PostgreSQL URL of a database you can write), the cohort
store is measured on PostgreSQL too.

Run: .venv/bin/python benchmarks/bench_ingest.py
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

LEARNERS = 400
ITEMS = 27


def rows_for(n: int) -> list[dict]:
    return [{"exercise": "boundaries", "item": f"B{i:02d}", "value": ["never", "maybe", "always"][(n + i) % 3],
             "answered_at": "2024-05-01T10:00:00Z"} for i in range(1, ITEMS + 1)]


def cohort_store_rate(url: str) -> float:
    from peerkit.cohort.store import CohortStore

    store = CohortStore(url)
    cohort, _ = store.create_cohort("Benchmark")
    started = time.perf_counter()
    for n in range(LEARNERS):
        store.upsert_responses(cohort, f"p-{n:020x}", rows_for(n))
    elapsed = time.perf_counter() - started
    assert len(store.responses_frame(cohort)) == LEARNERS * ITEMS
    store.close()
    return LEARNERS * ITEMS / elapsed


def raw_sqlite_rate(path: Path, per_learner: bool) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE r (cohort_id TEXT, pseudonym TEXT, exercise TEXT, item TEXT, value TEXT, "
                 "answered_at TEXT, received_at TEXT, source TEXT, UNIQUE (cohort_id, pseudonym, exercise, item))")
    sql = "INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    batches = [[("c", f"p-{n:020x}", r["exercise"], r["item"], '"' + r["value"] + '"', r["answered_at"],
                 r["answered_at"], "live") for r in rows_for(n)] for n in range(LEARNERS)]
    started = time.perf_counter()
    if per_learner:
        for batch in batches:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, batch)
            conn.execute("COMMIT")
    else:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, [row for batch in batches for row in batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return LEARNERS * ITEMS / elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        results = {
            "raw sqlite3, one transaction per learner": raw_sqlite_rate(folder / "raw1.sqlite", True),
            "raw sqlite3, one transaction in all": raw_sqlite_rate(folder / "raw2.sqlite", False),
            "CohortStore on SQLite": cohort_store_rate(f"sqlite:///{folder / 'cohort.sqlite'}"),
        }
    pg = os.environ.get("PEERKIT_BENCH_PG_URL")
    if pg:
        results["CohortStore on PostgreSQL"] = cohort_store_rate(pg)
    baseline = results["raw sqlite3, one transaction per learner"]
    print(f"Ingest: {LEARNERS} learners x {ITEMS} answers, one transaction per learner")
    print(f"{'':<44}{'rows/s':>10}{'vs baseline':>13}")
    for name, rate in results.items():
        print(f"{name:<44}{rate:>10.0f}{rate / baseline:>12.2f}x")
    print("baseline: raw sqlite3 executemany, one transaction per learner, same durability settings")


if __name__ == "__main__":
    main()
