"""How often each answer was given, per item, by cohort."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._frames import as_list, exercise_info, require_columns


def item_distribution(
    data: pd.DataFrame,
    by: str | list[str] | None = "cohort",
    *,
    exercise: str | None = None,
    min_cell: int | None = None,
) -> pd.DataFrame:
    """Count and share of each answer to each item, per group.

    Parameters
    ----------
    data : DataFrame
        Tidy answers with columns exercise, item, value (and the ``by`` columns),
        e.g. ``peerkit.research.load(paths).frame``.
    by : str, list of str or None
        Grouping columns (default ``"cohort"``); None pools everyone.
    exercise : str, optional
        Keep only this exercise.
    min_cell : int, optional
        Blank (``NaN``) counts and shares under this size, for tables that will
        be published; ``suppressed`` marks them.

    Returns
    -------
    DataFrame
        Columns ``*by, exercise, item, value, n, share, suppressed``: one row per
        answer given at least once (scale order within each item); ``share`` is
        n divided by the group's answers to that item.

    References
    ----------
    Descriptive frequency tables; for presenting them as charts see Heiberger,
    R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts for
    Likert scales and other applications. *Journal of Statistical Software*,
    57(5). https://doi.org/10.18637/jss.v057.i05

    Examples
    --------
    >>> import pandas as pd
    >>> from peerkit.research import item_distribution
    >>> data = pd.DataFrame({"cohort": ["A", "A", "A", "B"], "exercise": "boundaries", "item": "B01",
    ...                      "value": ["never", "maybe", "never", "always"]})
    >>> item_distribution(data)[["cohort", "value", "n", "share"]].to_string(index=False)
    'cohort  value  n    share\\n     A  never  2 0.666667\\n     A  maybe  1 0.333333\\n     B always  1 1.000000'
    """
    keys = as_list(by)
    require_columns(data, keys + ["exercise", "item", "value"], "item_distribution")
    if exercise is not None:
        data = data[data["exercise"] == exercise]
    columns = keys + ["exercise", "item"]
    if data.empty:
        return pd.DataFrame(columns=columns + ["value", "n", "share", "suppressed"])

    # one int key per row (mixed radix of factorised columns): much faster than groupby on text
    codes, uniques = [], []
    for column in columns:
        code, unique = pd.factorize(data[column])  # unsorted is faster; the small result is sorted below
        codes.append(code.astype(np.int64))
        uniques.append(unique)
    try:
        value_code, value_unique = pd.factorize(data["value"])
    except TypeError:  # structured answers (dicts) are not hashable: count them by their JSON text
        value_code, value_unique = pd.factorize(data["value"].map(_hashable))
    radix = [len(u) for u in uniques] + [len(value_unique)]
    combined = np.zeros(len(data), dtype=np.int64)
    for code, size in zip(codes + [value_code.astype(np.int64)], radix):
        combined = combined * size + code
    keys_found, n = np.unique(combined, return_counts=True)

    parts = []
    rest = keys_found
    for size in reversed(radix):
        parts.append(rest % size)
        rest = rest // size
    parts.reverse()
    result = pd.DataFrame({column: np.asarray(unique)[part] for column, unique, part in zip(columns, uniques, parts)})
    result["value"] = np.asarray(value_unique, dtype=object)[parts[-1]]
    result["n"] = n
    result["share"] = n / result.groupby(columns)["n"].transform("sum").to_numpy()
    result["_order"] = _scale_rank(data, result)
    result = result.sort_values(columns + ["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    result["suppressed"] = result["n"] < min_cell if min_cell else False
    if min_cell:
        result["n"] = result["n"].astype("Int64").mask(result["suppressed"])
        result["share"] = result["share"].mask(result["suppressed"])
    return result


def _hashable(value: object) -> object:
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True)
    return value


def _scale_rank(data: pd.DataFrame, result: pd.DataFrame) -> np.ndarray:
    rank = np.full(len(result), 10_000, dtype=np.int64)
    for exercise in result["exercise"].unique():
        info = exercise_info(data, exercise)
        if info is None or not info.scale:
            continue
        rows = (result["exercise"] == exercise).to_numpy()
        positions = {v: i for i, v in enumerate(info.scale_values)}
        rank[rows] = [positions.get(v, 10_000) for v in result.loc[rows, "value"]]
    return rank
