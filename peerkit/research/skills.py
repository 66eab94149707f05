"""Skills self-rating profiles: how each cohort rates itself on each skill."""
from __future__ import annotations

import pandas as pd

from ._frames import as_list, exercise_info, require_columns
from .exercise_info import kind_says

#: The kinds' chart style (peerkit.kinds.Kind.chart_style) of ratings drawn as a profile: what a skill profile reads.
PROFILE_STYLE = "profile"


def skill_profiles(data: pd.DataFrame, by: str | list[str] | None = "cohort", *,
                   exercise: str | None = None, min_cell: int | None = None) -> pd.DataFrame:
    """Mean, spread and median self-rating per skill (item), per group.

    Parameters
    ----------
    data : DataFrame
        Tidy answers with whole-number ratings in ``value``.
    by : str, list or None
        Group columns (default ``"cohort"``).
    exercise : str, optional
        The rating exercise (e.g. ``"core_skills"``); by default every exercise
        of kind ``rating`` in the data.
    min_cell : int, optional
        Blank the statistics of any group x skill with fewer ratings than this.

    Returns
    -------
    DataFrame
        Columns ``*by, exercise, item, text, n, mean, sd, median, low, high``
        where ``low``/``high`` are the shares rating in the bottom / top two
        points of the scale.

    References
    ----------
    Sullivan, G. M., & Artino, A. R. (2013). Analyzing and interpreting data
    from Likert-type scales. *Journal of Graduate Medical Education*, 5(4),
    541-542. https://doi.org/10.4300/JGME-5-4-18 (report medians and
    distributions alongside means for rating items).

    Examples
    --------
    >>> import pandas as pd
    >>> from peerkit.research import skill_profiles
    >>> data = pd.DataFrame({"cohort": "A", "exercise": "skills", "item": "S01", "value": [2, 4, 4, 5]})
    >>> skill_profiles(data, exercise="skills")[["n", "mean", "median"]].to_string(index=False)
    ' n  mean  median\\n 4  3.75     4.0'
    """
    keys = as_list(by)
    require_columns(data, keys + ["exercise", "item", "value"], "skill_profiles")
    if exercise is not None:
        ratings = data[data["exercise"] == exercise]
    else:
        wanted = [e for e in data["exercise"].unique() if (i := exercise_info(data, e))
                  and kind_says(i.kind, "chart_style") == PROFILE_STYLE]
        ratings = data[data["exercise"].isin(wanted)]
    columns = keys + ["exercise", "item", "text", "n", "mean", "sd", "median", "low", "high"]
    if ratings.empty:
        return pd.DataFrame(columns=columns)
    ratings = ratings.assign(value=pd.to_numeric(ratings["value"], errors="coerce")).dropna(subset=["value"])
    parts = []
    for ex, part in ratings.groupby("exercise"):
        info = exercise_info(data, ex)
        scale = sorted(info.scale_values) if info and info.scale else sorted(part["value"].unique())
        low, high = scale[:2], scale[-2:]
        grouped = part.assign(low=part["value"].isin(low), high=part["value"].isin(high)).groupby(keys + ["item"])
        table = grouped.agg(n=("value", "size"), mean=("value", "mean"), sd=("value", "std"),
                            median=("value", "median"), low=("low", "mean"), high=("high", "mean")).reset_index()
        table.insert(len(keys), "exercise", ex)
        order = {item: i for i, item in enumerate(info.item_ids)} if info else {}
        table["text"] = [info.item_text(i) if info else i for i in table["item"]]
        table["_order"] = table["item"].map(order)
        parts.append(table.sort_values(keys + ["_order", "item"]).drop(columns="_order"))
    result = pd.concat(parts, ignore_index=True)[columns]
    if min_cell:
        small = result["n"] < min_cell
        result.loc[small, ["mean", "sd", "median", "low", "high"]] = float("nan")
    return result
