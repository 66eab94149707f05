"""Do cohorts answer an item differently? Chi-square test of independence with Cramér's V (nominal answers).

For ordered scales :func:`peerkit.research.ordinal_comparison` (Kruskal-Wallis) is
the better test: it uses the order this one ignores.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._frames import exercise_info, require_columns
from .ordinal import cramers_v_corrected, holm, permutation_p_chi2


def compare_cohorts(
    data: pd.DataFrame,
    *,
    exercise: str | None = None,
    by: str = "cohort",
    min_expected: float = 5.0,
    permutation: str = "sparse",
    n_perm: int = 9999,
    seed: int = 0,
) -> pd.DataFrame:
    """Per item, a chi-square test of cohort x answer, with Cramér's V as the effect size.

    Right for answers without an order (the knowledge check's options); for an
    ordered scale use :func:`peerkit.research.ordinal_comparison`.

    Parameters
    ----------
    data : DataFrame
        Tidy answers (``by``, exercise, item, value).
    exercise : str, optional
        Keep only this exercise (closed answers only: scale or options).
    by : str
        The column that names the groups (default ``"cohort"``).
    min_expected : float
        Cochran's rule: a table is flagged ``sparse_table`` when more than 20 % of its
        expected counts are below this, or any is below 1; its p-value is then
        unreliable, and a permutation p-value is computed instead.
    permutation : {"sparse", "always", "never"}
        When to compute ``p_perm`` (Monte Carlo permutation of the cohort labels,
        ``n_perm`` times with ``seed``); ``p_used`` is it where computed, else ``p``.

    Returns
    -------
    DataFrame
        Columns ``exercise, item, text, cohorts, n, chi2, dof, p, p_perm, p_used,
        p_method, p_holm, cramers_v, cramers_v_bc, sparse_table``. ``p_holm`` is
        Holm-adjusted ``p_used`` across the items in the table; ``cramers_v_bc`` is
        Bergsma's bias-corrected V (rank items by it: the plain V is about 0.2 with
        no real difference in cohorts of this size). Rows and columns with no answers are dropped first; an item
        answered by a single cohort or with a single answer has no test (NaN).

    Notes
    -----
    Computed with :func:`scipy.stats.chi2_contingency` without Yates' continuity
    correction, so that V is comparable across table sizes:
    :math:`V = \\sqrt{\\chi^2 / (n (\\min(r, c) - 1))}`.

    References
    ----------
    Cramér, H. (1946). *Mathematical Methods of Statistics*. Princeton University Press.
    Cochran, W. G. (1954). Some methods for strengthening the common chi-square
    tests. *Biometrics*, 10(4), 417-451.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics*, 6(2), 65-70.
    Bergsma, W. (2013). A bias-correction for Cramér's V and Tschuprow's T.
    *Journal of the Korean Statistical Society*, 42(3), 323-328.

    Examples
    --------
    >>> from peerkit.research import compare_cohorts, load, synthetic_cohorts
    >>> table = compare_cohorts(load(synthetic_cohorts()).frame, exercise="boundaries")
    >>> table.sort_values("cramers_v_bc", ascending=False)["item"].iloc[0]  # doctest: +SKIP
    'B15'
    """
    from scipy.stats import chi2_contingency

    if permutation not in ("sparse", "always", "never"):
        raise ValueError(f"permutation must be 'sparse', 'always' or 'never', not {permutation!r}")
    require_columns(data, [by, "exercise", "item", "value"], "compare_cohorts")
    if exercise is not None:
        data = data[data["exercise"] == exercise]
    rows = []
    for (ex, item), part in data.groupby(["exercise", "item"], sort=True):
        info = exercise_info(data, ex)
        if info is None or not (info.scale or info.options):
            continue  # open answers have no categories to compare
        table = pd.crosstab(part[by], part["value"].map(str))
        table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
        n = int(table.to_numpy().sum())
        record = {"exercise": ex, "item": item, "text": info.item_text(item), "cohorts": table.shape[0], "n": n,
                  "chi2": np.nan, "dof": np.nan, "p": np.nan, "p_perm": np.nan, "p_used": np.nan, "p_method": "",
                  "cramers_v": np.nan, "cramers_v_bc": np.nan, "sparse_table": False}
        if min(table.shape) >= 2:
            chi2, p, dof, expected = chi2_contingency(table.to_numpy(), correction=False)
            sparse = bool((expected < min_expected).mean() > 0.2 or (expected < 1).any())
            record.update(chi2=float(chi2), dof=int(dof), p=float(p), p_used=float(p), p_method="asymptotic",
                          cramers_v=float(np.sqrt(chi2 / (n * (min(table.shape) - 1)))),
                          cramers_v_bc=cramers_v_corrected(table.to_numpy()), sparse_table=sparse)
            if permutation == "always" or (permutation == "sparse" and sparse):
                groups = pd.factorize(part[by], sort=True)[0]
                values = pd.factorize(part["value"].map(str), sort=True)[0]
                p_perm = permutation_p_chi2(groups, values, n_perm=n_perm, seed=seed)
                record.update(p_perm=p_perm, p_used=p_perm, p_method="permutation")
        rows.append(record)
    columns = ["exercise", "item", "text", "cohorts", "n", "chi2", "dof", "p", "p_perm", "p_used", "p_method",
               "p_holm", "cramers_v", "cramers_v_bc", "sparse_table"]
    if not rows:
        return pd.DataFrame(columns=columns)
    result = pd.DataFrame(rows)
    result["p_holm"] = holm(result["p_used"].to_numpy())
    return result[columns]


__all__ = ["compare_cohorts", "holm"]
