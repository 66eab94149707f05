"""Distributions, agreement, cohort comparison, SMART goals and skills profiles."""
from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from peerkit.research import (
    compare_cohorts,
    item_agreement,
    item_distribution,
    load,
    most_divided,
    skill_profiles,
    smart_goal_completeness,
    synthetic_cohorts,
)

from .conftest import choices


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return load(synthetic_cohorts(), strict=True).frame


def test_item_distribution_counts_shares_and_scale_order():
    data = pd.concat([choices("A", "B01", 6, 3, 1), choices("B", "B01", 0, 2, 8)])
    table = item_distribution(data)
    a = table[table["cohort"] == "A"]
    assert a["value"].tolist() == ["never", "maybe", "always"]
    assert a["n"].tolist() == [6, 3, 1] and a["share"].sum() == pytest.approx(1)
    pooled = item_distribution(data, by=None)
    assert pooled.set_index("value")["n"].to_dict() == {"never": 6, "maybe": 5, "always": 9}
    suppressed = item_distribution(data, min_cell=5)
    # A: 1 hidden, so its next smallest (3) too; B: the unseen "never" (0) is listed and hidden with 2
    assert suppressed["n"].isna().sum() == 4 and suppressed["suppressed"].sum() == 4
    assert suppressed[suppressed["cohort"] == "B"]["value"].tolist() == ["never", "maybe", "always"]


def test_published_distribution_gives_no_hidden_count_back():
    """The issue's attack: n / share - the shown counts of a group = the hidden ones."""
    rng = np.random.default_rng(5)
    data = pd.concat([choices(c, item, *rng.multinomial(int(rng.integers(8, 20)), [0.15, 0.35, 0.5]))
                      for c in ("A", "B", "C") for item in ("B01", "B02", "B03", "B04", "B05", "B06")])
    table = item_distribution(data, min_cell=5)
    recovered = 0
    for _, group in table.groupby(["cohort", "item"]):
        shown = group[~group["suppressed"]]
        with_share = shown[shown["share"].notna()]
        if group["suppressed"].any() and len(with_share):
            total = with_share["n"].iloc[0] / with_share["share"].iloc[0]
            hidden_sum = total - shown["n"].sum()
            recovered += int(group["suppressed"].sum() == 1 or hidden_sum < 5)
    assert table["suppressed"].sum() > 5 and recovered == 0


def test_item_distribution_on_synthetic_totals(synthetic):
    table = item_distribution(synthetic, exercise="boundaries")
    assert table["n"].sum() == (synthetic["exercise"] == "boundaries").sum()
    sums = table.groupby(["cohort", "item"])["share"].sum()
    assert np.allclose(sums, 1)


def test_item_agreement_and_most_divided():
    data = pd.concat([choices("A", "B16", 9, 0, 0), choices("A", "B01", 3, 3, 3), choices("A", "B02", 6, 3, 0)])
    table = item_agreement(data).set_index("item")
    assert table.loc["B16", "top_share"] == 1 and table.loc["B16", "entropy"] == 0
    assert table.loc["B01", "entropy"] == pytest.approx(1)
    assert 0 < table.loc["B02", "entropy"] < 1 and table.loc["B02", "top_value"] == "never"
    assert table.loc["B16", "text"].startswith("A sexual or romantic")
    assert most_divided(data, n=2)["item"].tolist() == ["B01", "B02"]


def test_compare_cohorts_effect_size_and_sparse_flag():
    same = pd.concat([choices("A", "B01", 20, 20, 20), choices("B", "B01", 20, 20, 20)])
    different = pd.concat([choices("A", "B02", 50, 5, 5), choices("B", "B02", 5, 5, 50)])
    sparse = pd.concat([choices("A", "B03", 3, 1, 0), choices("B", "B03", 0, 1, 3)])
    table = compare_cohorts(pd.concat([same, different, sparse])).set_index("item")
    assert table.loc["B01", "cramers_v"] == pytest.approx(0) and table.loc["B01", "p"] == pytest.approx(1)
    assert table.loc["B02", "cramers_v"] > 0.7 and table.loc["B02", "p"] < 1e-10
    assert not table.loc["B02", "sparse_table"] and table.loc["B03", "sparse_table"]
    assert (table["p_holm"] >= table["p"]).all()
    from scipy.stats import chi2_contingency

    chi2 = chi2_contingency([[50, 5, 5], [5, 5, 50]], correction=False)[0]
    assert table.loc["B02", "cramers_v"] == pytest.approx(np.sqrt(chi2 / (120 * (2 - 1))))


def test_compare_cohorts_single_cohort_has_no_test():
    table = compare_cohorts(choices("A", "B01", 5, 5, 5))
    assert np.isnan(table.loc[0, "p"]) and table.loc[0, "cohorts"] == 1


def test_synthetic_experienced_cohort_differs_on_dual_relationships(synthetic):
    shares = item_distribution(synthetic, exercise="boundaries")
    never = shares[shares["value"] == "never"].pivot(index="item", columns="cohort", values="share")
    dual = ["B03", "B04", "B14", "B15"]
    assert (never.loc[dual, "SYNTHETIC-B"] > never.loc[dual, "SYNTHETIC-A"]).all()
    table = compare_cohorts(synthetic, exercise="boundaries")
    assert (table["p_holm"] < 0.05).sum() >= 5


def test_smart_goal_completeness():
    goals = [
        {"action": "walk every morning", "why": "health", "resources": "a friend", "realistic": True,
         "start": "2025-01-01", "end": "2025-02-01", "created": ""},
        {"action": "walk", "why": "", "resources": "", "realistic": False, "start": "2025-02-01",
         "end": "2025-01-01", "created": ""},  # end before start: not time-limited
        {"action": True, "why": True, "resources": True, "realistic": True, "start": True, "end": True,
         "created": True},  # as exported (filled flags)
    ]
    data = pd.DataFrame({"cohort": ["A", "A", "B"], "exercise": "smart_goal", "item": "G-00000001", "value": goals})
    table = smart_goal_completeness(data).set_index("cohort")
    assert table.loc["A", "goals"] == 2 and table.loc["A", "complete"] == 0.5
    assert table.loc["A", "time_limited"] == 0.5 and table.loc["A", "specific"] == 1.0
    assert table.loc["B", "complete"] == 1.0 and table.loc["B", "mean_criteria"] == 5


def test_smart_goals_and_skills_on_synthetic(synthetic):
    goals = smart_goal_completeness(synthetic).set_index("cohort")
    assert goals.loc["SYNTHETIC-B", "complete"] > goals.loc["SYNTHETIC-C", "complete"]
    skills = skill_profiles(synthetic)
    means = skills.groupby("cohort")["mean"].mean()
    assert means["SYNTHETIC-B"] > means["SYNTHETIC-C"]
    assert set(skills["exercise"]) == {"core_skills"} and skills["n"].min() >= 25
    assert skills.loc[0, "text"] == "Building interpersonal relations"


def test_skill_profiles_blank_small_groups():
    data = pd.DataFrame({"cohort": ["A"] * 3 + ["B"] * 6, "exercise": "core_skills", "item": "C01",
                         "value": [1, 2, 3, 4, 4, 5, 5, 3, 4]})
    table = skill_profiles(data, min_cell=5).set_index("cohort")
    assert np.isnan(table.loc["A", "mean"]) and table.loc["B", "mean"] == pytest.approx(25 / 6)
    assert table.loc["B", "high"] == pytest.approx(5 / 6)


def test_analyses_name_bad_input():
    with pytest.raises(ValueError, match="value"):
        item_distribution(pd.DataFrame({"cohort": ["A"], "exercise": ["x"], "item": ["I"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        item_agreement([1, 2, 3])


@pytest.mark.parametrize("module", [
    "peerkit.research.krippendorff", "peerkit.research.distributions", "peerkit.research.item_agreement",
    "peerkit.research.comparison", "peerkit.research.goals", "peerkit.research.skills",
    "peerkit.research.spreadsheet_safe", "peerkit.scrub", "peerkit.research.load",
    "peerkit.research.charts", "peerkit.research.suppression", "peerkit.research.instruments",
    "peerkit.research.synthetic",
])
def test_docstring_examples(module):
    import matplotlib

    matplotlib.use("Agg")
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
