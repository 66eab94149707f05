"""Per-item agreement: how concentrated a group's answers are, and which items divide it most."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..privacy import MIN_GROUP_SIZE
from ._frames import as_list, exercise_info, require_columns
from .distributions import item_distribution


def item_agreement(data: pd.DataFrame, by: str | list[str] | None = None, *,
                   exercise: str | None = None) -> pd.DataFrame:
    """Share of the most common answer and normalised entropy, per item.

    Parameters
    ----------
    data : DataFrame
        Tidy answers (exercise, item, value, and the ``by`` columns).
    by : str, list or None
        Group columns (e.g. ``"cohort"``); None pools everyone.
    exercise : str, optional
        Keep only this exercise.

    Returns
    -------
    DataFrame
        Columns ``*by, exercise, item, text, n, top_value, top_share, entropy``.
        ``top_share`` is the share of the most common answer (1 = everyone
        agrees). ``entropy`` is Shannon entropy divided by its maximum, log K for
        the K answers the exercise allows: 0 = everyone gave the same answer,
        1 = answers spread evenly over every option.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
    Technical Journal*, 27(3), 379-423. Normalised entropy as an index of
    qualitative variation: Wilcox, A. R. (1973). Indices of qualitative
    variation and political measurement. *Western Political Quarterly*, 26(2), 325-343.

    Examples
    --------
    >>> import pandas as pd
    >>> from peerkit.research import item_agreement
    >>> data = pd.DataFrame({"exercise": "boundaries", "item": ["B16"] * 4 + ["B01"] * 4,
    ...                      "value": ["never"] * 4 + ["never", "maybe", "always", "maybe"]})
    >>> item_agreement(data)[["item", "top_share", "entropy"]].round(2).to_string(index=False)
    'item  top_share  entropy\\n B01        0.5     0.95\\n B16        1.0     0.00'
    """
    keys = as_list(by)
    require_columns(data, keys + ["exercise", "item", "value"], "item_agreement")
    counts = item_distribution(data, by=by, exercise=exercise)
    columns = keys + ["exercise", "item"]
    if counts.empty:
        return pd.DataFrame(columns=columns + ["text", "n", "top_value", "top_share", "entropy"])
    options = {e: (len(info.scale_values) if (info := exercise_info(data, e)) and info.scale else None)
               for e in counts["exercise"].unique()}
    counts["p"] = counts["share"]
    counts["plogp"] = -counts["p"] * np.log(counts["p"])
    grouped = counts.groupby(columns, sort=True)
    result = grouped.agg(n=("n", "sum"), entropy=("plogp", "sum"), observed=("value", "size")).reset_index()
    top = counts.loc[grouped["n"].idxmax(), columns + ["value", "share"]]
    result = result.merge(top.rename(columns={"value": "top_value", "share": "top_share"}), on=columns)
    k = result["exercise"].map(options).fillna(result["observed"]).astype(float)
    # "+ 0.0" turns the -0.0 of a unanimous item into 0.0
    result["entropy"] = np.where(k > 1, result["entropy"] / np.log(k.where(k > 1, 2)), 0.0).clip(0, 1) + 0.0
    result.insert(len(columns), "text", [_text(data, e, i) for e, i in zip(result["exercise"], result["item"])])
    return result[columns + ["text", "n", "top_value", "top_share", "entropy"]]


def most_divided(data: pd.DataFrame, n: int = 5, *, exercise: str | None = None,
                 min_answers: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """The ``n`` items on which the whole group is most divided (highest normalised entropy).

    Items with fewer than ``min_answers`` answers are left out. Ties are broken by
    the lower share of the most common answer. Columns as :func:`item_agreement`.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
    Technical Journal*, 27(3), 379-423.

    Examples
    --------
    >>> from peerkit.research import load, most_divided, synthetic_cohorts
    >>> most_divided(load(synthetic_cohorts()).frame, n=3, exercise="boundaries")["item"].size
    3
    """
    table = item_agreement(data, exercise=exercise)
    table = table[table["n"] >= min_answers]
    return table.sort_values(["entropy", "top_share"], ascending=[False, True]).head(n).reset_index(drop=True)


def _text(data: pd.DataFrame, exercise: str, item: str) -> str:
    info = exercise_info(data, exercise)
    return info.item_text(item) if info else item
