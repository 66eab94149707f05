"""The synthetic research packages peerkit ships match the course's exercises as they are now.

``scripts/make_synthetic_cohorts.py`` is seeded: run again into a temporary folder, it must write exactly the
files in ``peerkit/data/synthetic/``. When an exercise's wording, items or options change, this fails until the
packages are made again (they had drifted once: old instructions and knowledge-check options).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "peerkit" / "data" / "synthetic"


def test_the_shipped_synthetic_packages_are_what_the_script_makes_today(tmp_path: Path) -> None:
    made = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_synthetic_cohorts.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert made.returncode == 0, made.stderr[-3000:]
    shipped = sorted(p.relative_to(SHIPPED) for p in SHIPPED.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert fresh == shipped, "the script writes other files than peerkit ships"
    stale = [str(name) for name in shipped if (SHIPPED / name).read_bytes() != (tmp_path / name).read_bytes()]
    assert not stale, ("these synthetic files are out of date with the exercises; run "
                       f"`.venv/bin/python scripts/make_synthetic_cohorts.py` and commit them: {stale}")
