"""Benchmark: ``peerkit export`` of a cohort store, both tiers, from SQLite and PostgreSQL.

For each backend the same answers are loaded into a cohort store (27 boundary
items and 11 skills ratings per learner, in ``--cohorts`` cohorts), then measured,
each in a fresh Python process so that peak memory (max RSS) is its own:

* peerkit aggregate: ``export_cohort_store(..., tier="aggregate")``;
* peerkit microdata: ``export_cohort_store(..., tier="microdata")``;
* baseline: ``pandas.read_sql`` of the same rows + ``DataFrame.to_csv`` (no checks, no
  de-identification, no suppression: the floor any export pays).

Prints seconds and peak MB for each, and the ratios to the baseline.

    .venv/bin/python benchmarks/bench_export.py                    # 100,000 answers, SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_export.py --rows 1000000     # the documented full size

Measured once at the full size (1,000,000 answers, 20 cohorts; 2 shared cores, other jobs running):

    SQLite       seconds  peak MB  x time  x memory
      baseline     24.7      881    1.00     1.00
      aggregate    30.0      708    1.21     0.80
      microdata    60.8      824    2.46     0.94
    PostgreSQL
      baseline     20.1     1098    1.00     1.00
      aggregate    37.3      722    1.86     0.66
      microdata    60.7      885    3.02     0.81

PostgreSQL: a throwaway server (``tests/support/postgres.py``, binaries from
/usr/lib/postgresql/*/bin), or ``$PEERKIT_TEST_PG_URL``; ``--backends sqlite`` skips it.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEY = b"benchmark-key-not-a-secret-0123456789"
ITEMS = [("boundaries", f"B{i:02d}") for i in range(1, 28)] + [("core_skills", f"C{i:02d}") for i in range(1, 12)]
CHOICES = ['"never"', '"maybe"', '"always"']


def populate(url: str, rows: int, cohorts: int) -> int:
    """Fill a new cohort store with about ``rows`` answers; returns how many were written."""
    import numpy as np
    import sqlalchemy as sa

    from peerkit.cohort.store import CohortStore, responses_table

    store = CohortStore(url)
    ids = [store.create_cohort(f"bench {n}")[0] for n in range(cohorts)]
    learners = max(1, rows // len(ITEMS))
    rng = np.random.default_rng(5)
    batch: list[dict] = []
    written = 0
    with store.engine.begin() as conn:
        for n in range(learners):
            cohort = ids[n % cohorts]
            pseudonym = f"p-{n:020x}"
            day = f"2025-0{1 + n % 9}-1{n % 10}T10:00:00+00:00"
            for exercise, item in ITEMS:
                value = CHOICES[int(rng.integers(0, 3))] if exercise == "boundaries" else str(int(rng.integers(1, 6)))
                batch.append({"cohort_id": cohort, "pseudonym": pseudonym, "exercise": exercise, "item": item,
                              "value": value, "answered_at": day, "received_at": day, "source": "live"})
            if len(batch) >= 50_000:
                conn.execute(sa.insert(responses_table), batch)
                written += len(batch)
                batch = []
        if batch:
            conn.execute(sa.insert(responses_table), batch)
            written += len(batch)
    store.close()
    return written


def measure(what: str, url: str, out: str) -> dict:
    """Run one export in this process; returns seconds and peak RSS."""
    start = time.perf_counter()
    if what == "baseline":
        import pandas as pd
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        frame = pd.read_sql("SELECT cohort_id, pseudonym, exercise, item, value, answered_at FROM peerkit_responses",
                            engine)
        frame.to_csv(Path(out) / "baseline.csv", index=False)
        engine.dispose()
    else:
        from peerkit.research import export_cohort_store

        export_cohort_store(url, None, Path(out) / what, KEY, tier=what)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak}


def run_child(what: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([sys.executable, __file__, "--measure", what, "--url", url, "--out", out],
                              capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_backend(name: str, url: str, rows: int, cohorts: int) -> None:
    started = time.perf_counter()
    written = populate(url, rows, cohorts)
    print(f"\n{name}: {written:,} answers in {cohorts} cohorts (loaded in {time.perf_counter() - started:.1f} s)")
    results = {what: run_child(what, url) for what in ("baseline", "aggregate", "microdata")}
    base = results["baseline"]
    print(f"  {'':28} {'seconds':>9} {'peak MB':>9} {'x time':>8} {'x memory':>9}")
    for what, label in (("baseline", "pandas read_sql + to_csv"), ("aggregate", "peerkit export aggregate"),
                        ("microdata", "peerkit export microdata")):
        r = results[what]
        print(f"  {label:28} {r['seconds']:9.2f} {r['peak_mb']:9.0f} {r['seconds'] / base['seconds']:8.2f} "
              f"{r['peak_mb'] / base['peak_mb']:9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="answers to export (full size: 1000000)")
    parser.add_argument("--cohorts", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.url, args.out)))
        return
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as folder:
            bench_backend("SQLite", f"sqlite:///{folder}/cohort.sqlite", args.rows, args.cohorts)
    if "postgresql" in backends:
        import os

        sys.path.insert(0, str(ROOT / "tests" / "cohort"))
        from tests.support.postgres import ENV_URL, PostgresServer, find_bindir

        server = PostgresServer(find_bindir(), os.environ.get(ENV_URL)).start()
        try:
            database = server.new_database()
            bench_backend("PostgreSQL", server.url_for(database), args.rows, args.cohorts)
            server.drop_database(database)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
