"""Make the bundled SYNTHETIC reference cohort: invented answers, no real person in it.

Until a learner joins a real group, charts compare their answers with this
reference cohort, and every chart and text that uses it says "synthetic".

How the answers are made (seeded, so the file is the same on every run):

* Boundary matrix: each item has a probability for never / maybe / always,
  chosen by the course team to look like a plausible training group. Items the
  sources describe as clearly off limits (a sexual relationship, passing on
  confidences, deciding for the person) lean strongly to "never"; items that
  depend on context (hugs, talking about your own struggles, social events) are
  spread out, because that is where real groups disagree.
* Rating exercises (1 to 5): each person gets a general tendency, and each item a
  mean; a rating is the rounded sum plus noise, clipped to the scale.

Run from the project root after changing an exercise definition:

    python scripts/make_reference_cohort.py
"""
from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peerkit.exercises import exercise_ids, load_exercise  # noqa: E402

SEED = 20261123
GROUP_SIZE = 40
OUT = ROOT / "peerkit" / "data" / "reference" / "synthetic_reference.csv"

# (never, maybe, always) for each boundary item
BOUNDARY_PROFILE = {
    "B01": (0.15, 0.70, 0.15), "B02": (0.10, 0.70, 0.20), "B03": (0.45, 0.45, 0.10),
    "B04": (0.60, 0.35, 0.05), "B05": (0.05, 0.55, 0.40), "B06": (0.30, 0.60, 0.10),
    "B07": (0.80, 0.18, 0.02), "B08": (0.90, 0.08, 0.02), "B09": (0.70, 0.27, 0.03),
    "B10": (0.35, 0.60, 0.05), "B11": (0.85, 0.14, 0.01), "B12": (0.25, 0.70, 0.05),
    "B13": (0.80, 0.18, 0.02), "B14": (0.75, 0.23, 0.02), "B15": (0.45, 0.50, 0.05),
    "B16": (0.98, 0.02, 0.00), "B17": (0.95, 0.05, 0.00), "B18": (0.92, 0.07, 0.01),
    "B19": (0.35, 0.50, 0.15), "B20": (0.75, 0.22, 0.03), "B21": (0.40, 0.50, 0.10),
    "B22": (0.70, 0.28, 0.02), "B23": (0.05, 0.65, 0.30), "B24": (0.02, 0.38, 0.60),
    "B25": (0.50, 0.45, 0.05), "B26": (0.10, 0.40, 0.50), "B27": (0.45, 0.45, 0.10),
}


def choice_rows(exercise_id: str, rng: random.Random) -> list[tuple[str, str, str, str]]:
    definition = load_exercise(exercise_id)
    values = [option.value for option in definition.scale]
    rows = []
    for person in range(1, GROUP_SIZE + 1):
        for item in definition.item_ids:
            weights = BOUNDARY_PROFILE.get(item) if exercise_id == "boundaries" else None
            value = rng.choices(values, weights=weights or [1] * len(values))[0]
            rows.append((f"synthetic-{person:03d}", exercise_id, item, value))
    return rows


def rating_rows(exercise_id: str, rng: random.Random) -> list[tuple[str, str, str, str]]:
    definition = load_exercise(exercise_id)
    scale = sorted(option.value for option in definition.scale)
    low, high = scale[0], scale[-1]
    middle = (low + high) / 2
    item_means = {item: middle + rng.uniform(-0.4, 0.9) for item in definition.item_ids}
    rows = []
    for person in range(1, GROUP_SIZE + 1):
        tendency = rng.gauss(0, 0.6)
        for item in definition.item_ids:
            rating = round(item_means[item] + tendency + rng.gauss(0, 0.8))
            rows.append((f"synthetic-{person:03d}", exercise_id, item, str(min(high, max(low, rating)))))
    return rows


def main() -> None:
    rng = random.Random(SEED)
    rows: list[tuple[str, str, str, str]] = []
    for exercise_id in exercise_ids():
        kind = load_exercise(exercise_id).kind
        if kind == "choice_matrix":
            rows += choice_rows(exercise_id, rng)
        elif kind == "rating" and exercise_id != "course_feedback":
            rows += rating_rows(exercise_id, rng)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "exercise", "item", "value"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} synthetic answers to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
