"""The bundled SYNTHETIC reference cohort (made by ``scripts/make_reference_cohort.py``).

It stands in for a group until the learner joins a real one. Nobody real is in it,
and everything that shows it says so (:data:`REFERENCE_LABEL`).
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .exercises import DATA_DIR, load_exercise

REFERENCE_FILE = DATA_DIR / "reference" / "synthetic_reference.csv"
REFERENCE_LABEL = "synthetic reference group"


@lru_cache(maxsize=1)
def _all_reference() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_FILE, dtype={"learner": str, "exercise": str, "item": str, "value": str})


def reference_responses(exercise: str) -> pd.DataFrame:
    """Tidy synthetic answers (learner, exercise, item, value) for one exercise; empty if it has none."""
    definition = load_exercise(exercise)
    frame = _all_reference()
    frame = frame[frame["exercise"] == exercise].copy()
    if definition.scale and all(isinstance(option.value, int) for option in definition.scale):
        frame["value"] = frame["value"].astype(int)  # the CSV holds text; a numbered scale's answers are numbers
    return frame.reset_index(drop=True)
