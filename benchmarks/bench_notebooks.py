"""Executing each chapter notebook headless (nbclient) next to a bare notebook.

Goal (issue 2): each chapter at most 1.3x a bare notebook that only imports
pandas, matplotlib and ipywidgets (kernel start-up included in both). The
baseline is measured in the same run; each figure is the median of a few runs.

    .venv/bin/python benchmarks/bench_notebooks.py [notebooks/02_boundaries.ipynb ...]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3

#: ``--quick``: tiny parameters, so a test knows the script runs (nothing it prints is worth reading then).
QUICK = "--quick" in sys.argv[1:]
if QUICK:
    RUNS = 1
GOAL = 1.3


def bare_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Baseline"),
        nbformat.v4.new_code_cell("import pandas, matplotlib.pyplot, ipywidgets"),
    ]
    return notebook


def run(notebook: nbformat.NotebookNode, folder: Path) -> float:
    start = time.perf_counter()
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def main(paths: list[str]) -> None:
    os.environ["PEERKIT_HOME"] = tempfile.mkdtemp(prefix="peerkit-bench-")
    chapters = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    run(bare_notebook(), ROOT / "notebooks")  # warm-up: first kernel start pays for disk caches
    baseline = statistics.median(run(bare_notebook(), ROOT / "notebooks") for _ in range(RUNS))
    print(f"{'baseline (imports pandas, matplotlib, ipywidgets)':55s} {baseline:6.2f} s")
    worst = 0.0
    for path in chapters:
        notebook = nbformat.read(path, as_version=4)
        seconds = statistics.median(run(nbformat.from_dict(notebook), path.parent) for _ in range(RUNS))
        ratio = seconds / baseline
        worst = max(worst, ratio)
        print(f"{path.name:55s} {seconds:6.2f} s  ratio {ratio:.2f}x (goal <= {GOAL}x)")
    print("result: " + ("every chapter meets the goal" if worst <= GOAL else f"worst chapter {worst:.2f}x MISSES the goal"))


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if a != "--quick"]
         or ([str(ROOT / "notebooks" / "00_welcome.ipynb")] if QUICK else []))
