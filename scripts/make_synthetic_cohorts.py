"""Make the bundled SYNTHETIC multi-cohort research dataset: invented cohorts, no real person in it.

Writes two research data packages of the same four invented cohorts (exactly what
``peerkit export`` writes): ``peerkit/data/synthetic/microdata/`` (pseudonymous rows,
``--tier microdata``) and ``peerkit/data/synthetic/aggregate/`` (counts and shares
with small cells suppressed, the default tier). Every cohort id starts
``SYNTHETIC-``, every package says ``"synthetic": true`` and carries the keyword
SYNTHETIC. The research notebook (``notebooks/research/cohort_analysis.ipynb``)
and the docs use them.

How the answers are made (seeded, so every run writes the same files):

* Four cohorts that differ in ways a trainer would recognise:

  - ``SYNTHETIC-A`` new volunteers (48): close to the course's reference group;
  - ``SYNTHETIC-B`` experienced peer workers (32): much more often "never" on
    dual relationships (phone numbers, social media, social events, home visits,
    money), higher skills self-ratings, more complete SMART goals;
  - ``SYNTHETIC-C`` students on a placement (57): more often "maybe" (less sure
    where their limits are), lower self-ratings;
  - ``SYNTHETIC-D`` a small community group (26): warmer, informal norms, more
    "always" on hugs and going to groups or events together.

* Boundary matrix: an ordinal logit per item. Each item has base shares for
  never / maybe / always; a cohort adds a shift on some items (towards "never"
  or "always") and a pull towards "maybe" (students are less sure); each learner adds a
  personal strictness, so learners are consistent across items as real people are.
* Core skills (1-5): item mean + cohort offset + learner tendency + noise, rounded
  and clipped to the scale.
* Knowledge check (chapter 1): each question answered correctly with a
  cohort-specific probability, otherwise a plausible wrong option.
* SMART goals: each learner keeps 0-2 goals; each criterion is met with a
  cohort-specific probability. The export keeps only whether each field was
  filled (nobody "shared" the goal text), as a real export would.

The pseudonym key below is public on purpose: these learners are invented, so
their pseudonyms protect nobody. Never use a published key for real data.

Run from the project root after changing an exercise definition or this script:

    .venv/bin/python scripts/make_synthetic_cohorts.py
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peerkit.exercises import load_exercise  # noqa: E402
from peerkit.research.export import export_frame  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_reference_cohort import BOUNDARY_PROFILE  # noqa: E402

SEED = 20260115
SYNTHETIC_DIR = ROOT / "peerkit" / "data" / "synthetic"
OUT = {"microdata": SYNTHETIC_DIR / "microdata", "aggregate": SYNTHETIC_DIR / "aggregate"}
#: Public, because the data are invented. Real exports need a secret key.
SYNTHETIC_KEY = b"SYNTHETIC-not-a-secret-key-for-invented-learners"
EXPORTED_ON = "2026-01-15"

# (never, maybe, always) for each boundary item: a plausible new training group, the same
# profile as the single synthetic reference group
BASE = BOUNDARY_PROFILE
DUAL_RELATIONSHIPS = ["B03", "B04", "B06", "B07", "B10", "B11", "B12", "B14", "B15"]

COHORTS = {
    # size, item shifts (+ towards never, - towards always), pull towards "maybe" (logits),
    # learner strictness sd, skills offset, skills sd, SMART criterion probability
    "A": {"size": 48, "shift": {}, "maybe_pull": 0.0, "strictness": 0.6, "skills": 0.0, "smart": 0.75,
          "label": "new volunteers", "start": "2025-09-08"},
    "B": {"size": 32, "shift": {item: 1.8 for item in DUAL_RELATIONSHIPS}, "maybe_pull": 0.0, "strictness": 0.4,
          "skills": 0.7, "smart": 0.9, "label": "experienced peer workers", "start": "2025-10-06"},
    "C": {"size": 57, "shift": {"B20": -0.6, "B21": -0.6}, "maybe_pull": 0.9, "strictness": 0.5, "skills": -0.5,
          "smart": 0.6, "label": "students on placement", "start": "2025-11-03"},
    "D": {"size": 26, "shift": {"B01": -1.2, "B02": -1.2, "B05": -1.0, "B06": -1.0, "B10": -0.6}, "maybe_pull": 0.0,
          "strictness": 0.6, "skills": 0.1, "smart": 0.7, "label": "community group", "start": "2025-11-24"},
}
SKILL_MEANS = {"C01": 3.6, "C02": 3.4, "C03": 3.5, "C04": 3.0, "C05": 3.2, "C06": 2.8, "C07": 3.3, "C08": 2.7,
               "C09": 3.1, "C10": 3.7, "C11": 3.8}


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def boundary_answers(rng: np.random.Generator, cohort: dict, learners: list[str]) -> list[tuple[str, str, str]]:
    """(learner, item, value) by an ordinal logit: P(never) and P(never or maybe) per item, shifted."""
    strictness = rng.normal(0, cohort["strictness"], len(learners))
    rows = []
    for item, (never, maybe, _) in BASE.items():
        shift = cohort["shift"].get(item, 0.0)
        cut_never = _logit(never) + shift - cohort["maybe_pull"]
        cut_maybe = _logit(never + maybe) + shift + cohort["maybe_pull"]
        u = rng.random(len(learners))
        p_never = 1 / (1 + np.exp(-(cut_never + strictness)))
        p_upto_maybe = 1 / (1 + np.exp(-(cut_maybe + strictness)))
        for learner, x, a, b in zip(learners, u, p_never, p_upto_maybe):
            rows.append((learner, item, "never" if x < a else "maybe" if x < b else "always"))
    return rows


def skill_answers(rng: np.random.Generator, cohort: dict, learners: list[str]) -> list[tuple[str, str, int]]:
    tendency = rng.normal(cohort["skills"], 0.5, len(learners))
    rows = []
    for item, mean in SKILL_MEANS.items():
        ratings = np.clip(np.rint(mean + tendency + rng.normal(0, 0.7, len(learners))), 1, 5).astype(int)
        rows += [(learner, item, int(r)) for learner, r in zip(learners, ratings)]
    return rows


def smart_goals(rng: np.random.Generator, cohort: dict, learners: list[str], start: datetime) -> list[tuple]:
    rows = []
    for learner in learners:
        for _ in range(rng.choice([0, 1, 1, 2])):
            p = cohort["smart"]
            has_dates = rng.random() < p
            begin = start + timedelta(days=int(rng.integers(0, 20)))
            goal = {
                "action": "(synthetic goal text)" if rng.random() < p + 0.1 else "",
                "why": "(synthetic reason)" if rng.random() < p else "",
                "resources": "(synthetic support)" if rng.random() < p else "",
                "realistic": bool(rng.random() < p),
                "start": begin.date().isoformat() if has_dates else "",
                "end": (begin + timedelta(days=int(rng.integers(14, 90)))).date().isoformat() if has_dates else "",
                "created": begin.isoformat(timespec="seconds"),
            }
            rows.append((learner, "G-" + "".join(rng.choice(list("0123456789abcdef"), 8)), goal))
    return rows


def knowledge_answers(rng: np.random.Generator, cohort: dict, learners: list[str]) -> list[tuple]:
    """(learner, question, chosen options) for the chapter 1 knowledge check."""
    definition = load_exercise("peer_support_check")
    rows = []
    for item in definition.items:
        options = [o["value"] for o in item.details["options"]]
        correct = list(item.details["correct"])
        wrong = [o for o in options if o not in correct]
        for learner in learners:
            if rng.random() < cohort["smart"]:
                chosen = correct
            else:
                chosen = sorted(rng.choice(wrong, size=len(correct) if len(correct) <= len(wrong) else 1,
                                           replace=False).tolist())
            rows.append((learner, item.id, chosen))
    return rows


def cohort_frame(rng: np.random.Generator, name: str, cohort: dict) -> pd.DataFrame:
    learners = [f"synthetic-{name.lower()}-{i:03d}" for i in range(cohort["size"])]
    start = datetime.fromisoformat(cohort["start"]).replace(hour=9, tzinfo=timezone.utc)
    rows = []
    for exercise, answers, day in (("boundaries", boundary_answers(rng, cohort, learners), 7),
                                   ("core_skills", skill_answers(rng, cohort, learners), 0),
                                   ("peer_support_check", knowledge_answers(rng, cohort, learners), 1),
                                   ("smart_goal", smart_goals(rng, cohort, learners, start), 14)):
        for learner, item, value in answers:
            when = start + timedelta(days=day, minutes=int(rng.integers(0, 6 * 60)))
            rows.append({"learner": learner, "exercise": exercise, "item": item, "value": value, "answered_at": when})
    return pd.DataFrame(rows).assign(cohort=f"SYNTHETIC-{name}")


def main(argv: list[str] | None = None) -> None:
    import argparse
    import shutil

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SYNTHETIC_DIR,
                        help="folder for microdata/ and aggregate/ (default: the packages peerkit ships; "
                             "tests/research/test_synthetic_packages.py writes elsewhere and compares)")
    folder = parser.parse_args(argv).out
    for exercise in ("boundaries", "core_skills", "smart_goal", "peer_support_check"):
        load_exercise(exercise)  # fail early, naming the file, if a definition is broken
    rng = np.random.default_rng(SEED)
    frame = pd.concat([cohort_frame(rng, name, cohort) for name, cohort in COHORTS.items()], ignore_index=True)
    for tier, shipped in OUT.items():
        out = folder / shipped.name
        shutil.rmtree(out, ignore_errors=True)
        report = export_frame(
            frame, out, SYNTHETIC_KEY, tier=tier, name=f"peerkit-synthetic-{tier}",
            title=f"SYNTHETIC peerkit cohorts ({tier}): four invented cohorts made by "
                  f"scripts/make_synthetic_cohorts.py (seed {SEED}); no real person is in them",
            synthetic=True, exported_on=EXPORTED_ON, author="The peerkit developers",
            include_texts=tier == "microdata",  # invented texts: nobody to protect, something to analyse
        )
        for path in [out, *out.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # exports are private by default; these ship with peerkit
        print(report.summary())


if __name__ == "__main__":
    main()
