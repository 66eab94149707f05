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
        For tables that will be published: counts under this size are blanked
        (``<NA>``) and ``suppressed`` marks them; a scale value nobody in a group
        chose is listed (and hidden: 0 is under the size too); a group with one
        hidden count has its next smallest hidden too; and in a group with any
        hidden count **every share is blank**, because a share's denominator is
        the group's whole total (n / share - the shown counts would give the hidden
        ones back).

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
    if not min_cell:
        result["suppressed"] = False
        return result
    return _publishable(data, result, columns, int(min_cell))


def _publishable(data: pd.DataFrame, result: pd.DataFrame, columns: list[str], k: int) -> pd.DataFrame:
    """Counts under k hidden, unseen scale values listed, a lone hidden count paired, no share beside one."""
    extra = []
    for group, part in result.groupby(columns, sort=False):
        info = exercise_info(data, part["exercise"].iloc[0])
        if info is None or not info.scale:
            continue
        seen = set(part["value"])
        extra += [dict(zip(columns, group)) | {"value": v, "n": 0, "share": 0.0}
                  for v in info.scale_values if v not in seen]
    if extra:
        result = pd.concat([result, pd.DataFrame(extra)], ignore_index=True)
        result["_order"] = _scale_rank(data, result)
        result = result.sort_values(columns + ["_order"], kind="stable").drop(columns="_order")
        result = result.reset_index(drop=True)
    hidden = (result["n"] < k).to_numpy(copy=True)
    for _, rows in result.groupby(columns, sort=False).indices.items():
        if hidden[rows].sum() == 1 and (~hidden[rows]).any():
            shown = [r for r in rows if not hidden[r]]
            hidden[min(shown, key=lambda r: result["n"].iloc[r])] = True
    result["suppressed"] = hidden
    any_hidden = result.groupby(columns, sort=False)["suppressed"].transform("any").to_numpy(dtype=bool)
    result["n"] = result["n"].astype("Int64").mask(result["suppressed"])
    result["share"] = result["share"].mask(any_hidden)
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
