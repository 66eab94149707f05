"""Every benchmark script runs (``--quick``: tiny parameters), so ``make benchmarks`` is known to work on main.

This times nothing and checks no figure: the figures are read by people, on a quiet
machine (``make benchmarks``). It only fails when a script breaks (an import moved, a
route renamed, a tool missing), which is how ``bench_server.py`` came to fail on main
with ``KeyError: 'learner'`` unnoticed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_benchmark_script_runs_quick(script: Path, tmp_path: Path) -> None:
    if script.stem in ("bench_server", "bench_live_tools") and shutil.which("wrk") is None:
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail("wrk is not installed (Debian package wrk): the server benchmark needs it", pytrace=False)
        pytest.skip("wrk is not installed (Debian package wrk)")
    # run as `make benchmarks` runs it: from the repository's root, with no PYTHONPATH of the test's (a script that
    # imports tests.support must find the repository itself; one that did not made `make benchmarks` stop)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment["PEERKIT_HOME"] = str(tmp_path / "home")
    done = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True, text=True, cwd=ROOT,
                          env=environment, timeout=900)
    assert done.returncode == 0, f"{script.name} --quick failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{script.name} printed nothing"
