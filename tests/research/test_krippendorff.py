"""Krippendorff's alpha against the published worked example and the reference package."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from peerkit.research import AlphaUndefinedWarning, cohort_alpha, krippendorff_alpha

nan = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12 units
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


@pytest.mark.parametrize(("level", "expected"), [
    ("nominal", 0.743),   # published in the paper
    ("interval", 0.849),  # published in the paper
    ("ordinal", 0.815),   # same data; the value reported by the reference implementations
    ("ratio", 0.797),
])
def test_published_example(level, expected):
    assert krippendorff_alpha(PAPER, level) == pytest.approx(expected, abs=5e-4)
    assert krippendorff_alpha(np.array(PAPER), level) == pytest.approx(expected, abs=5e-4)


def test_list_of_lists_with_none_and_dataframe():
    data = [[None if isinstance(v, float) and np.isnan(v) else int(v) for v in row] for row in PAPER]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(pd.DataFrame(PAPER)) == pytest.approx(0.743, abs=5e-4)


def test_text_values():
    words = {1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}
    data = [[None if np.isnan(v) else words[int(v)] for v in row] for row in PAPER]
    assert krippendorff_alpha(data, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(data, "ordinal", value_domain="abcde") == pytest.approx(0.815, abs=5e-4)
    with pytest.raises(ValueError, match="value_domain"):
        krippendorff_alpha(data, "ordinal")
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha(data, "interval")


def test_identical_ratings_give_nan_with_a_warning():
    with pytest.warns(AlphaUndefinedWarning, match="same value"):
        assert np.isnan(krippendorff_alpha([[3, 3, 3], [3, 3, 3]]))
    with pytest.warns(AlphaUndefinedWarning, match="two or more"):
        assert np.isnan(krippendorff_alpha([[1, nan], [nan, 2]]))


def test_perfect_agreement_is_one_and_bad_input_is_named():
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]]) == 1.0
    with pytest.raises(ValueError, match="same length"):
        krippendorff_alpha([[1, 2], [1]])
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(PAPER, "cardinal")
    with pytest.raises(ValueError, match="two-dimensional"):
        krippendorff_alpha(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_matches_the_reference_package_on_random_data(level):
    import krippendorff  # GPL-3.0, in the `test` extra: a test reference only, never imported by peerkit
    rng = np.random.default_rng(7)
    data = rng.integers(1, 6, size=(40, 30)).astype(float)
    data[:, :10] = rng.integers(1, 3, size=(40, 10))  # some structure
    data[rng.random(data.shape) < 0.25] = nan
    ours = krippendorff_alpha(data, level)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_cohort_alpha_equals_alpha_on_the_learner_by_item_matrix():
    rng = np.random.default_rng(1)
    rows = [{"cohort": c, "learner": f"{c}{i}", "exercise": "boundaries", "item": f"B{j:02d}",
             "value": ["never", "maybe", "always"][int(rng.integers(0, 3)) if j % 2 else j % 3]}
            for c in "AB" for i in range(15) for j in range(1, 10) if rng.random() > 0.1]
    data = pd.DataFrame(rows)
    table = cohort_alpha(data, exercise="boundaries").set_index("group")
    matrix = data.pivot(index="learner", columns="item", values="value")
    order = ["never", "maybe", "always"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = krippendorff_alpha(matrix.to_numpy().tolist(), "ordinal", value_domain=order)
    assert table.loc["all", "alpha"] == pytest.approx(expected)
    assert table.loc["all", "learners"] == 30 and table.loc["all", "level"] == "ordinal"
    assert set(table.index) == {"A", "B", "all"}
