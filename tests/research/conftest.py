"""Fixtures for the research tests: a small two-cohort frame, keys, and an export of it."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

KEY = b"researcher-key-0123456789abcdef"
OTHER_KEY = b"another-researcher-key-987654321"
CHOICES = ["never", "maybe", "always"]


def learner_id(cohort: str, number: int) -> str:
    return f"learner-{cohort.lower()}{number:011d}"


def make_frame(sizes: dict[str, int] | None = None, seed: int = 3) -> pd.DataFrame:
    """Tidy answers of several cohorts, with identifying columns a careless source might include."""
    sizes = sizes or {"cohort-north": 12, "cohort-south": 9}
    rng = np.random.default_rng(seed)
    start = datetime(2025, 3, 4, 9, 30, tzinfo=timezone.utc)
    rows: list[dict[str, Any]] = []
    for cohort, size in sizes.items():
        for n in range(size):
            learner = learner_id(cohort, n)
            common = {"cohort": cohort, "learner": learner, "name": f"Real Name {n}", "login": f"user{n}@uni.example",
                      "join_code": "JOIN-SECRET-42"}
            when = start + timedelta(days=n % 3, hours=n)
            # uneven on purpose: some learners leave items blank, and B16 is answered by only a few
            for item in ("B01", "B02", "B03", "B16"):
                if (item == "B03" and n % 4 == 1) or (item == "B16" and n % 3 != 0):
                    continue
                rows.append({**common, "exercise": "boundaries", "item": item,
                             "value": str(rng.choice(CHOICES)), "answered_at": when})
            for item in ("C01", "C02"):
                if item == "C02" and n % 5 == 2:
                    continue
                rows.append({**common, "exercise": "core_skills", "item": item, "value": int(rng.integers(1, 6)),
                             "answered_at": when})
            rows.append({**common, "exercise": "boundaries_reflection", "item": "R1",
                         "value": {"text": f"Email me at person{n}@mail.example or ring 07700 900{n:03d}. "
                                           "=HYPERLINK(\"http://evil.example\")",
                                   "share": n % 2 == 0},
                         "answered_at": when})
            rows.append({**common, "exercise": "smart_goal", "item": f"G-{n:08x}",
                         "value": {"action": "walk with my neighbour Sam three times a week", "why": "",
                                   "resources": "Sam", "realistic": True, "start": "2025-03-10",
                                   "end": "2025-04-30", "created": when.isoformat()},
                         "answered_at": when})
    return pd.DataFrame(rows)


def choices(cohort: str, item: str, never: int, maybe: int, always: int) -> pd.DataFrame:
    """One cohort's answers to one boundary item: ``never`` learners chose "never", and so on."""
    values = ["never"] * never + ["maybe"] * maybe + ["always"] * always
    return pd.DataFrame({"cohort": cohort, "learner": [f"{cohort}{i}" for i in range(len(values))],
                         "exercise": "boundaries", "item": item, "value": values})


def package_files(folder: Path) -> dict[str, bytes]:
    """Every file of an exported package by name; the descriptor without its ``sources`` (which name the input)."""
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    descriptor = json.loads(files.pop("datapackage.json"))
    descriptor.pop("sources")
    files["datapackage.json (without sources)"] = json.dumps(descriptor, sort_keys=True).encode()
    return files


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture
def exported(frame: pd.DataFrame, tmp_path: Path):
    """The fixture frame exported in both tiers: {"aggregate": (report, folder), "microdata": (...)}."""
    from peerkit.research import export_frame

    out = {}
    for tier in ("aggregate", "microdata"):
        folder = tmp_path / tier
        out[tier] = (export_frame(frame, folder, KEY, tier=tier, exported_on="2025-03-31",
                                  include_texts=tier == "microdata"), folder)
    return out


def all_text(folder: Path) -> str:
    """Every file of a package, as one text (binary files skipped)."""
    texts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix != ".parquet":
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def read_cells(path: Path) -> list[list[str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))
