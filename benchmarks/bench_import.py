"""How long `import peerkit` takes next to `import pandas, ipywidgets`.

Goal (issue 2): at most 1.1x the baseline. peerkit loads matplotlib, jsonschema and
its widgets only when first used, so importing it should cost little more than the
libraries every notebook loads anyway. Each figure is the median of fresh
interpreters, the baseline measured in the same run.

    .venv/bin/python benchmarks/bench_import.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 9

#: ``--quick``: tiny parameters, so a test knows the script runs (nothing it prints is worth reading then).
QUICK = "--quick" in sys.argv[1:]
if QUICK:
    RUNS = 1
GOAL = 1.1


def time_import(statement: str) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    time_import("import pandas, ipywidgets")  # warm the file cache for both
    baseline = time_import("import pandas, ipywidgets")
    peerkit = time_import("import pandas, ipywidgets, peerkit")
    bare_peerkit = time_import("import peerkit")
    ratio = peerkit / baseline
    print(f"baseline  import pandas, ipywidgets           {baseline * 1000:8.1f} ms")
    print(f"          import pandas, ipywidgets, peerkit  {peerkit * 1000:8.1f} ms  ratio {ratio:.3f}x (goal <= {GOAL}x)")
    print(f"          import peerkit alone                {bare_peerkit * 1000:8.1f} ms  ratio {bare_peerkit / baseline:.3f}x")
    print("result: " + ("meets the goal" if ratio <= GOAL else "MISSES the goal"))


if __name__ == "__main__":
    main()
