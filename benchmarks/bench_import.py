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


def time_imports(*statements: str) -> list[float]:
    """The median time of each statement in a fresh interpreter, the statements taken in turn (one run of
    each, then the next round): a machine that speeds up or slows down during the run moves them all
    alike. Measured one statement after the other, the same tree gave 0.89x and 1.14x in two runs."""
    samples: list[list[float]] = [[] for _ in statements]
    for _ in range(RUNS):
        for statement, times in zip(statements, samples):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", statement], check=True)
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def main() -> None:
    time_imports("import pandas, ipywidgets")  # warm the file cache for both
    baseline, peerkit, bare_peerkit = time_imports("import pandas, ipywidgets", "import pandas, ipywidgets, peerkit",
                                                   "import peerkit")
    ratio = peerkit / baseline
    print(f"baseline  import pandas, ipywidgets           {baseline * 1000:8.1f} ms")
    print(f"          import pandas, ipywidgets, peerkit  {peerkit * 1000:8.1f} ms  ratio {ratio:.3f}x (goal <= {GOAL}x)")
    print(f"          import peerkit alone                {bare_peerkit * 1000:8.1f} ms  ratio {bare_peerkit / baseline:.3f}x")
    print("result: " + ("meets the goal" if ratio <= GOAL else "MISSES the goal"))


if __name__ == "__main__":
    main()
