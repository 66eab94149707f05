"""Krippendorff's alpha, computed from the coincidence matrix.

Implemented from Krippendorff (2011) so that peerkit does not depend on GPL code;
vectorised with numpy, so a million ratings take a fraction of a second. One module
(about 400 lines) because alpha from ratings, from counts, per group of a frame and its
bootstrap interval all start from the one coincidence matrix (``_coincidences``).
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .errors import AlphaUndefinedWarning

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def krippendorff_alpha(
    reliability_data: Any,
    level: str = "nominal",
    *,
    value_domain: Sequence[Any] | None = None,
) -> float:
    """Krippendorff's alpha reliability coefficient.

    Parameters
    ----------
    reliability_data : array-like, shape (raters, units)
        One row per rater (coder, observer, learner), one column per unit (the
        thing rated). A numpy array, a DataFrame, or a list of lists; missing
        ratings are ``NaN`` or ``None``. Values may be numbers, or text for
        nominal data (and for ordinal data when ``value_domain`` gives the order).
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which sets the difference function.
    value_domain : sequence, optional
        All possible values, in order. Needed for text on an ordinal scale; for
        ordinal data it also lets unused scale points count in the ranks.

    Returns
    -------
    alpha : float
        1 is perfect agreement, 0 agreement no better than chance, below 0
        systematic disagreement. ``nan`` (with an
        :class:`~peerkit.research.errors.AlphaUndefinedWarning`) when alpha is
        0/0: every pairable rating is the same value, or no unit has two ratings.
        We return ``nan`` rather than 1 because identical ratings carry no
        information about reliability (Krippendorff 2011, section on the
        expected disagreement being zero).

    Notes
    -----
    With :math:`o_{ck}` the coincidence matrix (pairs of values c and k within
    units, each unit's pairs weighted by :math:`1/(m_u - 1)`), :math:`n_c` its
    margins and :math:`n` the number of pairable values,

    .. math:: \\alpha = 1 - (n - 1) \\frac{\\sum_{c,k} o_{ck}\\,\\delta^2_{ck}}{\\sum_{c,k} n_c n_k\\,\\delta^2_{ck}}

    Units with fewer than two ratings are not pairable and are left out.

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*.
    Annenberg School for Communication, University of Pennsylvania.
    https://repository.upenn.edu/asc_papers/43

    Examples
    --------
    The worked example of Krippendorff (2011): four observers, twelve units,
    missing values.

    >>> import numpy as np
    >>> from peerkit.research import krippendorff_alpha
    >>> nan = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data, "nominal"), 3)
    0.743
    >>> round(krippendorff_alpha(data, "interval"), 3)
    0.849
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}.")
    if isinstance(reliability_data, np.ndarray) and reliability_data.dtype.kind in "fiub" \
            and reliability_data.ndim == 2:
        counts, values = _float_counts(reliability_data.astype(float, copy=False), value_domain)
    else:
        codes, values = _codes(reliability_data, level, value_domain)
        counts = _value_counts(codes, len(values))
    return alpha_from_counts(counts, level, values)


def _float_counts(array: np.ndarray, value_domain: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Units x values counts straight from a numeric raters x units array (one pass per value)."""
    present = ~np.isnan(array)
    values = np.unique(array[present]) if value_domain is None else np.asarray(value_domain, dtype=float)
    if len(values) > 64:  # many distinct values: one sort beats a pass per value
        codes, values = _codes(array, "interval", None if value_domain is None else values)
        return _value_counts(codes, len(values)), values
    counts = np.stack([(array == v).sum(axis=0) for v in values], axis=1)
    if counts.sum() != present.sum():
        raise ValueError("a rating is not in value_domain.")
    return counts, values


def alpha_from_counts(counts: np.ndarray, level: str, values: np.ndarray | Sequence[Any]) -> float:
    """Alpha from a units x values matrix of counts (how many raters gave each value to each unit).

    This is the fast path for tidy data: counts can be built with one
    ``bincount`` and never need a raters x units matrix.
    """
    pairs = _coincidences(counts, level, values)
    if pairs is None:
        warnings.warn("Krippendorff's alpha is undefined: no unit has two or more ratings.",
                      AlphaUndefinedWarning, stacklevel=3)
        return float("nan")
    _counts, coincidence, n_c, delta, expected = pairs
    if expected <= 0 or np.count_nonzero(n_c) < 2:
        warnings.warn("Krippendorff's alpha is undefined (0/0): every pairable rating has the same value, so "
                      "there is no variation to judge agreement against.", AlphaUndefinedWarning, stacklevel=3)
        return float("nan")
    observed = float((coincidence * delta).sum())
    return float(1.0 - (n_c.sum() - 1) * observed / expected)


def _coincidences(counts: np.ndarray, level: str, values: np.ndarray | Sequence[Any]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float] | None:
    """What alpha and its bootstrap both start from (Krippendorff 2011), or None when no unit has two ratings:
    the pairable units' counts, the coincidence matrix, its margins n_c, the squared differences delta, and
    n_c' delta n_c (the expected disagreement times n (n - 1))."""
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if counts.size == 0:
        return None
    weighted = counts / (m - 1)[:, None]
    coincidence = counts.T @ weighted
    coincidence[np.diag_indices_from(coincidence)] -= weighted.sum(axis=0)
    n_c = coincidence.sum(axis=1)
    delta = _difference(level, np.asarray(values), n_c)
    return counts, coincidence, n_c, delta, float(n_c @ delta @ n_c)


def _difference(level: str, values: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared difference function delta^2 between every pair of values (Krippendorff 2011)."""
    size = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        # delta^2_ck = (sum of n_g for g from c to k  -  (n_c + n_k) / 2)^2
        cumulative = np.concatenate([[0.0], np.cumsum(n_c)])
        low = np.minimum.outer(np.arange(size), np.arange(size))
        high = np.maximum.outer(np.arange(size), np.arange(size))
        between = cumulative[high + 1] - cumulative[low]
        return (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    numeric = values.astype(float)
    if level == "interval":
        return np.subtract.outer(numeric, numeric) ** 2
    total = np.add.outer(numeric, numeric)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (np.subtract.outer(numeric, numeric) / total) ** 2
    return np.nan_to_num(ratio, nan=0.0)


def _codes(data: Any, level: str, value_domain: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (raters x units, -1 for missing) and the value of each code, in order."""
    if isinstance(data, pd.DataFrame):
        data = data.to_numpy()
    if isinstance(data, np.ndarray) and data.dtype.kind in "fiub":
        array = data.astype(float)
    else:
        rows = [list(row) for row in data]
        if rows and len({len(row) for row in rows}) > 1:
            raise ValueError("reliability_data rows must all have the same length (one column per unit); "
                             "mark missing ratings with NaN or None.")
        array = np.array(rows, dtype=object)
        if array.dtype == object and all(_is_number_or_missing(v) for v in array.ravel()):
            array = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    if array.ndim != 2:
        raise ValueError(f"reliability_data must be two-dimensional (raters x units), not {array.ndim}-dimensional.")

    if array.dtype.kind == "f":
        present = ~np.isnan(array)
        if level in ("interval", "ratio") and value_domain is None:
            values, inverse = np.unique(array[present], return_inverse=True)
        else:
            found = array[present]
            values = np.unique(found) if value_domain is None else np.asarray(value_domain, dtype=float)
            order = np.argsort(values, kind="stable")
            position = np.clip(np.searchsorted(values[order], found), 0, len(values) - 1)
            inverse = order[position]
            mismatch = values[inverse] != found
            if mismatch.any():
                raise ValueError(f"rating {found[mismatch][0]!r} is not in value_domain.")
    else:
        present = np.array([not _is_missing(v) for v in array.ravel()]).reshape(array.shape)
        if level in ("interval", "ratio"):
            raise ValueError(f"{level} alpha needs numeric ratings; got text values.")
        if level == "ordinal" and value_domain is None:
            raise ValueError("ordinal alpha of text values needs value_domain= (the values in order).")
        if value_domain is None:
            values = np.array(sorted({v for v in array[present]}, key=str), dtype=object)
        else:
            values = np.asarray(list(value_domain), dtype=object)
        inverse = _lookup(array[present], values)
    codes = np.full(array.shape, -1, dtype=np.int64)
    codes[present] = inverse
    return codes, values


def _lookup(found: np.ndarray, values: np.ndarray) -> np.ndarray:
    index = {v: i for i, v in enumerate(values.tolist())}
    try:
        return np.fromiter((index[v] for v in found.tolist()), dtype=np.int64, count=len(found))
    except KeyError as error:
        raise ValueError(f"rating {error.args[0]!r} is not in value_domain.") from None


def _value_counts(codes: np.ndarray, size: int) -> np.ndarray:
    """Units x values counts from raters x units codes."""
    units = np.broadcast_to(np.arange(codes.shape[1]), codes.shape)
    present = codes >= 0
    flat = units[present] * size + codes[present]
    return np.bincount(flat, minlength=codes.shape[1] * size).reshape(codes.shape[1], size)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _is_number_or_missing(value: Any) -> bool:
    return value is None or (isinstance(value, int | float | np.number) and not isinstance(value, bool))


def cohort_alpha(
    data: pd.DataFrame,
    *,
    exercise: str | None = None,
    level: str | None = None,
    by: str | None = "cohort",
) -> pd.DataFrame:
    """Krippendorff's alpha of a group's answers: how far learners agree with each other, item by item.

    Learners are the raters and the exercise's items the units: alpha near 1
    means the group answers each item alike (a shared norm), near 0 means
    answers vary within items as much as across them.

    Parameters
    ----------
    data : DataFrame
        Tidy answers (learner, exercise, item, value and the ``by`` column), each
        learner's answer to an item once, as :func:`peerkit.research.load` gives.
    exercise : str, optional
        The exercise (needed when the data hold several).
    level : str, optional
        Default: ``"ordinal"`` for an exercise with a scale (never < maybe <
        always, ratings), ``"nominal"`` otherwise.
    by : str or None
        One row per value of this column, plus a row ``"all"`` for everyone.

    Returns
    -------
    DataFrame
        Columns ``group, alpha, learners, items, answers, level``.

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*.
    https://repository.upenn.edu/asc_papers/43

    Examples
    --------
    >>> from peerkit.research import cohort_alpha, load, synthetic_cohorts
    >>> table = cohort_alpha(load(synthetic_cohorts()).frame, exercise="boundaries")
    >>> list(table.columns)
    ['group', 'alpha', 'learners', 'items', 'answers', 'level']
    """
    from ._frames import exercise_info, one_exercise, require_columns, scale_codes

    require_columns(data, ["learner", "exercise", "item", "value"] + ([by] if by else []), "cohort_alpha")
    data, exercise = one_exercise(data, exercise, "cohort_alpha")
    info = exercise_info(data, exercise)
    if level is None:
        level = "ordinal" if info is not None and info.scale else "nominal"
    value_codes, order = scale_codes(data["value"], info)
    if level in ("interval", "ratio") and not all(isinstance(v, int | float) for v in order):
        raise ValueError(f"{level} alpha needs numeric answers; {exercise!r} has {order[:3]}…; use 'ordinal'.")
    item_codes, items = pd.factorize(data["item"])
    learner_codes, learners = pd.factorize(data["learner"])
    rows = []
    groups = [("all", np.ones(len(data), dtype=bool))]
    if by:
        group_codes, names = pd.factorize(data[by], sort=True)
        groups = [(name, group_codes == i) for i, name in enumerate(names)] + groups
    for name, mask in groups:
        ok = mask & (value_codes >= 0)
        counts = np.bincount(item_codes[ok] * len(order) + value_codes[ok],
                             minlength=len(items) * len(order)).reshape(len(items), len(order))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AlphaUndefinedWarning)
            alpha = alpha_from_counts(counts, level, np.asarray(order, dtype=object if level in ("nominal", "ordinal") else float))
        present = np.bincount(learner_codes[mask], minlength=len(learners)) > 0
        rows.append({"group": name, "alpha": alpha, "learners": int(present.sum()),
                     "items": int((counts.sum(axis=1) > 0).sum()), "answers": int(ok.sum()), "level": level})
    return pd.DataFrame(rows)


def bootstrap_alpha(counts: np.ndarray, level: str, values: np.ndarray | Sequence[Any], *, n_boot: int = 1000,
                    seed: int = 0) -> np.ndarray:
    """Hayes & Krippendorff's bootstrap of alpha from a units x values matrix of counts.

    The pairs of values within units are what alpha judges: each draw takes as
    many pairs as the data hold, with replacement, each pair with the weight
    ``1 / (m_u - 1)`` its unit gives it in the coincidence matrix, and computes
    alpha from the resampled observed disagreement against the data's expected
    disagreement (which the bootstrap keeps fixed, as theirs does). Returns the
    ``n_boot`` alphas (values below -1 are set to -1, as their macro does).
    """
    pairs = _coincidences(counts, level, values)
    if pairs is None or pairs[-1] <= 0:
        return np.full(n_boot, np.nan)
    counts, _coincidence, n_c, delta, expected = pairs
    m, n = counts.sum(axis=1), n_c.sum()
    size = counts.shape[1]
    upper = np.triu_indices(size)
    # pair types (unit, c <= k): how many such pairs, and what each adds to the observed disagreement
    multiplicity = counts[:, upper[0]] * counts[:, upper[1]]
    same = upper[0] == upper[1]
    multiplicity[:, same] = counts[:, upper[0][same]] * (counts[:, upper[0][same]] - 1) / 2
    contribution = 2 * delta[upper][None, :] / (m - 1)[:, None]
    multiplicity, contribution = multiplicity.ravel(), contribution.ravel()
    keep = multiplicity > 0
    multiplicity, contribution = multiplicity[keep], contribution[keep]
    pairs = int(round(multiplicity.sum()))
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(pairs, multiplicity / multiplicity.sum(), size=n_boot)
    observed = draws @ contribution
    return np.maximum(1.0 - (n - 1) * observed / expected, -1.0)


def alpha_interval(
    data: pd.DataFrame,
    *,
    exercise: str | None = None,
    level: str | None = None,
    by: str | None = "cohort",
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Krippendorff's alpha per group with a bootstrap confidence interval (Hayes & Krippendorff 2007).

    Parameters as :func:`cohort_alpha`, plus ``n_boot`` bootstrap draws, the
    interval's coverage ``ci`` (percentile interval) and the random ``seed``.

    Returns
    -------
    DataFrame
        Columns ``group, alpha, ci_low, ci_high, p_below_0667, learners, items,
        answers, level, n_boot``. ``p_below_0667`` is the share of draws under
        0.667, Krippendorff's lowest alpha for tentative conclusions.

    References
    ----------
    Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
    reliability measure for coding data. *Communication Methods and Measures*,
    1(1), 77-89. https://doi.org/10.1080/19312450709336664

    Examples
    --------
    >>> from peerkit.research import alpha_interval, load, synthetic_cohorts
    >>> table = alpha_interval(load(synthetic_cohorts()).frame, exercise="boundaries", n_boot=200)
    >>> bool((table["ci_low"] <= table["alpha"]).all() and (table["alpha"] <= table["ci_high"]).all())
    True
    """
    from ._frames import exercise_info, one_exercise, require_columns, scale_codes

    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, not {ci!r}")
    point = cohort_alpha(data, exercise=exercise, level=level, by=by)
    require_columns(data, ["learner", "exercise", "item", "value"] + ([by] if by else []), "alpha_interval")
    data, exercise = one_exercise(data, exercise, "alpha_interval")
    info = exercise_info(data, exercise)
    level = point["level"].iloc[0]
    value_codes, order = scale_codes(data["value"], info)
    item_codes, items = pd.factorize(data["item"])
    groups = [("all", np.ones(len(data), dtype=bool))]
    if by:
        group_codes, names = pd.factorize(data[by], sort=True)
        groups = [(name, group_codes == i) for i, name in enumerate(names)] + groups
    low, high, below = [], [], []
    for name, mask in groups:
        ok = mask & (value_codes >= 0)
        counts = np.bincount(item_codes[ok] * len(order) + value_codes[ok],
                             minlength=len(items) * len(order)).reshape(len(items), len(order))
        draws = bootstrap_alpha(counts, level, np.asarray(order, dtype=object if level in ("nominal", "ordinal")
                                                          else float), n_boot=n_boot, seed=seed)
        draws = draws[~np.isnan(draws)]
        low.append(float(np.quantile(draws, (1 - ci) / 2)) if draws.size else np.nan)
        high.append(float(np.quantile(draws, 1 - (1 - ci) / 2)) if draws.size else np.nan)
        below.append(float((draws < 0.667).mean()) if draws.size else np.nan)
    out = point.copy()
    out.insert(2, "ci_low", low)
    out.insert(3, "ci_high", high)
    out.insert(4, "p_below_0667", below)
    out["n_boot"] = n_boot
    return out
