"""How long a widget's observer holds the kernel when the learner answers: background saver vs writing in place.

Prints the median and worst time of one answer (``BoundaryMatrix.answer``, the same
path as a click) over many answers:

- baseline: ``LocalStore.save`` of the same answer, what the observer did before the
  background saver (one SQLite transaction, fsync'd, on the kernel's thread);
- observer, store free: the observer records the wish and returns;
- observer, store locked: another connection holds the write lock the whole time
  (before the saver, each such answer waited up to 20 s for the lock);
- written: time from the last answer until the worker has written it (wait_until_saved).

Run: .venv/bin/python benchmarks/bench_saving.py
"""
from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ANSWERS = 200

#: ``--quick``: tiny parameters, so a test knows the script runs (nothing it prints is worth reading then).
QUICK = "--quick" in sys.argv[1:]
if QUICK:
    ANSWERS = 6


def timed(work, values) -> list[float]:
    times = []
    for value in values:
        started = time.perf_counter()
        work(value)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="peerkit-bench-saving-"))
    os.environ["PEERKIT_HOME"] = str(home)
    from peerkit.store import LocalStore
    from peerkit.widgets.boundary_matrix import BoundaryMatrix

    values = ["never", "maybe", "always"] * (ANSWERS // 3)
    baseline_store = LocalStore(home / "baseline.sqlite")
    baseline = timed(lambda v: baseline_store.save("boundaries", "B01", v), values)

    store = LocalStore(home / "answers.sqlite")
    matrix = BoundaryMatrix(store=store)
    free = timed(lambda v: matrix.answer("B01", v), values)
    assert matrix.wait_until_saved()

    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    locked = timed(lambda v: matrix.answer("B02", v), values)
    other.execute("ROLLBACK")
    other.close()
    started = time.perf_counter()
    assert matrix.wait_until_saved(timeout=30)
    written = (time.perf_counter() - started) * 1000
    assert LocalStore(store.path).answers("boundaries")["B02"] == values[-1]

    base = statistics.median(baseline)
    print(f"{ANSWERS} answers each, milliseconds (median / worst)")
    for label, times in (("baseline: save in the observer", baseline), ("observer, store free", free),
                         ("observer, store locked", locked)):
        median = statistics.median(times)
        print(f"  {label:34s} {median:7.3f} / {max(times):7.3f}   ratio to baseline {median / base:5.2f}")
    print(f"  last answer written after unlock   {written:7.1f} (worker backoff included)")


if __name__ == "__main__":
    main()
