"""The ordinal and small-sample statistics, each against a reference implementation (scipy.stats, krippendorff)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from peerkit.research import (
    alpha_interval,
    cohort_alpha,
    compare_cohorts,
    cramers_v_corrected,
    load,
    ordinal_comparison,
    synthetic_cohorts,
)
from peerkit.research.krippendorff import bootstrap_alpha
from peerkit.research.ordinal import permutation_p_chi2, permutation_p_kruskal

SCALE = ["never", "maybe", "always"]


def cohorts(seed: int = 1, sizes=(16, 15, 16), shift=(0.0, 0.0, 0.0)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c, (size, s) in enumerate(zip(sizes, shift)):
        for n in range(size):
            for item in ("B01", "B02", "B03", "B04", "B05", "B06"):
                p = np.array([0.3, 0.4, 0.3]) + np.array([-s, 0, s])
                rows.append({"cohort": f"C{c}", "learner": f"C{c}-{n}", "exercise": "boundaries", "item": item,
                             "value": SCALE[rng.choice(3, p=p / p.sum())]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return load(synthetic_cohorts(), strict=True).frame


def test_kruskal_wallis_matches_scipy_on_the_scale_order(synthetic):
    table = ordinal_comparison(synthetic, exercise="boundaries", permutation="never")
    assert len(table) > 10
    part = synthetic[(synthetic["exercise"] == "boundaries") & (synthetic["item"] == table["item"].iloc[0])]
    codes = part["value"].map({v: i for i, v in enumerate(SCALE)})
    h, p = st.kruskal(*[codes[part["cohort"] == c] for c in sorted(part["cohort"].unique())])
    row = table.iloc[0]
    assert row["H"] == pytest.approx(h) and row["p"] == pytest.approx(p)
    assert row["epsilon_sq"] == pytest.approx(h / (row["n"] - 1))
    assert (table["p_method"] == "asymptotic").all()


def test_permutation_p_values_match_scipy_permutation_test():
    rng = np.random.default_rng(4)
    groups = np.repeat([0, 1, 2], [6, 5, 7])
    scores = rng.integers(0, 3, size=len(groups))

    def h(*samples):
        return st.kruskal(*samples).statistic

    reference = st.permutation_test([scores[groups == g] for g in range(3)], h, permutation_type="independent",
                                    n_resamples=4000, random_state=1, alternative="greater").pvalue
    assert permutation_p_kruskal(groups, scores, n_perm=4000, seed=2) == pytest.approx(reference, abs=0.03)

    values = rng.integers(0, 3, size=len(groups))

    def chi2(x, y):
        return st.chi2_contingency(pd.crosstab(x, y).to_numpy(), correction=False)[0]

    reference = st.permutation_test((groups, values), chi2, permutation_type="pairings", n_resamples=3000,
                                    random_state=1, alternative="greater").pvalue
    assert permutation_p_chi2(groups, values, n_perm=3000, seed=2) == pytest.approx(reference, abs=0.03)


def test_permutation_p_of_a_two_by_two_is_fishers_exact():
    groups = np.repeat([0, 1], [8, 7])
    values = np.array([1] * 7 + [0] * 1 + [1] * 1 + [0] * 6)
    fisher = st.fisher_exact([[7, 1], [1, 6]]).pvalue
    assert permutation_p_chi2(groups, values, n_perm=20000, seed=0) == pytest.approx(fisher, abs=0.006)


def test_sparse_items_get_permutation_p_values_and_holm_uses_them():
    data = cohorts(sizes=(6, 5, 7))
    table = compare_cohorts(data, exercise="boundaries", n_perm=999)
    assert table["sparse_table"].all() and (table["p_method"] == "permutation").all()
    assert (table["p_used"] == table["p_perm"]).all()
    assert (table["p_holm"] >= table["p_used"] - 1e-12).all()
    ordinal = ordinal_comparison(data, exercise="boundaries", n_perm=999)
    assert (ordinal["p_method"] == "permutation").all()


def test_bias_corrected_v_is_near_zero_without_a_difference():
    """The issue: uncorrected V about 0.21 with no real difference at n = 47; Bergsma's is near 0."""
    plain, corrected = [], []
    for seed in range(30):
        table = compare_cohorts(cohorts(seed), exercise="boundaries", permutation="never")
        plain += table["cramers_v"].tolist()
        corrected += table["cramers_v_bc"].tolist()
    assert 0.12 < np.mean(plain) < 0.25 and np.mean(corrected) < min(0.08, np.mean(plain) / 2)
    # and against scipy: with no bias term (n large), the corrected V tends to scipy's plain V
    big = np.array([[4000, 3000, 3000], [3000, 4000, 3000]])
    assert cramers_v_corrected(big) == pytest.approx(st.contingency.association(big, method="cramer"), abs=2e-3)


def test_bias_corrected_v_by_hand():
    table = np.array([[10, 2], [3, 12]])
    chi2 = st.chi2_contingency(table, correction=False)[0]
    n = 27
    phi2 = max(0, chi2 / n - 1 / (n - 1))
    k = 2 - 1 / (n - 1)
    assert cramers_v_corrected(table) == pytest.approx(np.sqrt(phi2 / (k - 1)))


def test_alpha_interval_holds_the_reference_alpha(synthetic):
    import krippendorff

    table = alpha_interval(synthetic, exercise="boundaries", n_boot=500)
    point = cohort_alpha(synthetic, exercise="boundaries")
    assert table["alpha"].tolist() == pytest.approx(point["alpha"].tolist())
    assert ((table["ci_low"] < table["alpha"]) & (table["alpha"] < table["ci_high"])).all()
    part = synthetic[(synthetic["exercise"] == "boundaries") & (synthetic["cohort"] == table["group"].iloc[0])]
    matrix = part.pivot(index="learner", columns="item", values="value").map(
        lambda v: np.nan if pd.isna(v) else SCALE.index(v))
    reference = krippendorff.alpha(reliability_data=matrix.to_numpy(dtype=float), level_of_measurement="ordinal",
                                   value_domain=[0, 1, 2])
    assert table["alpha"].iloc[0] == pytest.approx(reference)


def test_bootstrap_centres_on_alpha_and_narrows_with_more_data():
    from peerkit.research.krippendorff import alpha_from_counts

    rng = np.random.default_rng(0)
    def counts(units):
        return np.stack([rng.multinomial(8, [0.7, 0.2, 0.1] if u % 2 else [0.1, 0.2, 0.7]) for u in range(units)])
    small, large = counts(10), counts(200)
    values = np.array([0, 1, 2], dtype=object)
    draws_small = bootstrap_alpha(small, "ordinal", values, n_boot=2000)
    draws_large = bootstrap_alpha(large, "ordinal", values, n_boot=2000)
    assert np.mean(draws_small) == pytest.approx(alpha_from_counts(small, "ordinal", values), abs=0.03)
    assert np.std(draws_large) < np.std(draws_small) / 2
