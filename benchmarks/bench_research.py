"""Benchmark: cohort analysis of 1,000,000 responses (37,037 learners x 27 boundary items).

Times, in one run on this machine:

* peerkit: ``item_distribution`` by cohort + ordinal ``cohort_alpha`` (from the tidy table);
* baseline: a plain ``pandas.crosstab`` of cohort x item x value (distributions only);
* the ``krippendorff`` package (GPL-3.0, used here only as a yardstick; ``pip install
  krippendorff`` or ``pip install -e '.[bench]'``): ordinal alpha of the learners x items
  matrix, and peerkit's ``krippendorff_alpha`` on the same matrix.

Goal: the peerkit analysis under 2 s in total, and alpha no slower than the package.

    .venv/bin/python benchmarks/bench_research.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peerkit.research import cohort_alpha, item_distribution, krippendorff_alpha  # noqa: E402
from peerkit.research.exercise_info import ATTRS_KEY, from_definition  # noqa: E402

LEARNERS = 37_037

#: ``--quick``: tiny parameters, so a test knows the script runs (nothing it prints is worth reading then).
QUICK = "--quick" in sys.argv[1:]
if QUICK:
    LEARNERS = 200
ITEMS = [f"B{i:02d}" for i in range(1, 28)]
VALUES = np.array(["never", "maybe", "always"], dtype=object)
COHORTS = np.array(["cohort-a", "cohort-b", "cohort-c", "cohort-d"], dtype=object)
GOAL_SECONDS = 2.0


def make_data(seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Tidy synthetic answers and the same answers as a learners x items matrix of codes (NaN = missing)."""
    rng = np.random.default_rng(seed)
    base = rng.dirichlet([2, 2, 1], size=len(ITEMS))  # each item's mix of never/maybe/always
    codes = np.stack([rng.choice(3, size=LEARNERS, p=p) for p in base], axis=1)
    learners = np.array([f"p-{i:016x}" for i in range(LEARNERS)], dtype=object)
    cohort_of = COHORTS[rng.integers(0, len(COHORTS), LEARNERS)]
    frame = pd.DataFrame({
        "cohort": np.repeat(cohort_of, len(ITEMS)),
        "learner": np.repeat(learners, len(ITEMS)),
        "exercise": "boundaries",
        "item": np.tile(np.array(ITEMS, dtype=object), LEARNERS),
        "value": VALUES[codes.ravel()],
        "answered_on": "2026-01-15",
    })
    # as peerkit.research.load leaves it: the exercise definitions travel with the frame
    frame.attrs[ATTRS_KEY] = {"boundaries": from_definition("boundaries").as_metadata("text")}
    return frame, codes.astype(float)


def timed(work, repeats: int = 3):
    """Best of ``repeats`` runs (the machine is shared; the minimum is the least disturbed)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    frame, matrix = make_data()
    item_distribution(frame.head(1000), by="cohort")  # warm up imports, outside the timing
    print(f"{len(frame):,} responses: {LEARNERS:,} learners x {len(ITEMS)} items, {len(COHORTS)} cohorts")

    t_dist, dist = timed(lambda: item_distribution(frame, by="cohort"))
    t_alpha, alpha = timed(lambda: cohort_alpha(frame, exercise="boundaries", level="ordinal"))
    ours = t_dist + t_alpha
    t_crosstab, _ = timed(lambda: pd.crosstab([frame["cohort"], frame["item"]], frame["value"]))
    t_matrix, alpha_matrix = timed(lambda: krippendorff_alpha(matrix, "ordinal", value_domain=[0, 1, 2]))

    print(f"peerkit item_distribution (by cohort)     {t_dist:7.3f} s  ({len(dist)} rows)")
    print(f"peerkit cohort_alpha ordinal (tidy input) {t_alpha:7.3f} s  (alpha all = {alpha['alpha'].iloc[-1]:.4f})")
    print(f"peerkit total                             {ours:7.3f} s  goal < {GOAL_SECONDS:.0f} s: "
          f"{'met' if ours < GOAL_SECONDS else 'NOT met'}")
    print(f"baseline pandas crosstab (distributions)  {t_crosstab:7.3f} s  "
          f"ratio peerkit distributions / crosstab = {t_dist / t_crosstab:.2f}")
    print(f"peerkit krippendorff_alpha (matrix input) {t_matrix:7.3f} s  (alpha = {alpha_matrix:.4f})")
    try:
        import krippendorff
    except ImportError:
        print("krippendorff package                      not installed (pip install krippendorff to compare)")
        return
    t_package, alpha_package = timed(lambda: krippendorff.alpha(reliability_data=matrix,
                                                                level_of_measurement="ordinal",
                                                                value_domain=[0, 1, 2]))
    print(f"krippendorff package (matrix input)       {t_package:7.3f} s  (alpha = {alpha_package:.4f})")
    print(f"ratio package / peerkit (matrix input)    {t_package / t_matrix:7.2f} x  "
          f"({'peerkit no slower' if t_matrix <= t_package else 'peerkit SLOWER'})")
    order = {"never": 0, "maybe": 1, "always": 2}

    def package_from_tidy():
        wide = frame.pivot(index="learner", columns="item", values="value")
        return krippendorff.alpha(reliability_data=wide.apply(lambda c: c.map(order)).to_numpy(dtype=float),
                                  level_of_measurement="ordinal", value_domain=[0, 1, 2])

    t_tidy, _ = timed(package_from_tidy, repeats=1)
    print(f"pandas pivot + krippendorff package       {t_tidy:7.3f} s  (the package's route from the tidy table; "
          "overall alpha only)")
    print(f"ratio (pivot + package) / peerkit         {t_tidy / t_alpha:7.2f} x  "
          f"({'peerkit no slower' if t_alpha <= t_tidy else 'peerkit SLOWER'}; peerkit also gives 4 cohorts)")
    if not np.isclose(alpha_package, alpha_matrix):
        raise SystemExit(f"alpha differs from the package: {alpha_matrix} vs {alpha_package}")


if __name__ == "__main__":
    main()
