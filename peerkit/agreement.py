"""How a group answered a choice exercise, and where it disagrees.

Each function takes a tidy DataFrame with at least the columns ``learner``,
``item`` and ``value`` (one row per answer to one exercise) and returns a DataFrame.

>>> import pandas as pd
>>> from peerkit.agreement import choice_shares
>>> data = pd.DataFrame({"learner": list("abcde"), "item": "B01",
...                      "value": ["never", "maybe", "maybe", "always", "maybe"]})
>>> float(choice_shares(data, exercise="boundaries").loc["B01", "maybe"])
0.6
"""
from __future__ import annotations

import pandas as pd

from .exercises import load_exercise
from .privacy import MIN_GROUP_SIZE

#: No option chosen by more than this share of the group: the item is "divided".
DEFAULT_DIVIDED_THRESHOLD = 0.6


def choice_shares(data: pd.DataFrame, *, exercise: str) -> pd.DataFrame:
    """Share of the group choosing each option, per item.

    Returns one row per item of the exercise (in the exercise's order) with one
    column per scale value (shares summing to 1) and ``n``, the number of answers.
    Items nobody answered have ``n == 0`` and shares of 0.
    """
    definition = load_exercise(exercise)
    values = [option.value for option in definition.scale]
    # groupby-size is about twice as fast as pd.crosstab; the live dashboard calls this on every refresh
    counts = (
        data.groupby(["item", "value"], sort=False).size().unstack(fill_value=0)
        .reindex(index=definition.item_ids, columns=values, fill_value=0)
        if len(data)
        else pd.DataFrame(0, index=definition.item_ids, columns=values)
    )
    counts = counts.fillna(0).astype(int)
    n = counts.sum(axis=1)
    shares = counts.div(n.where(n > 0, 1), axis=0)
    shares["n"] = n
    shares.index.name = "item"
    shares.columns.name = None
    return shares


def divided_items(
    data: pd.DataFrame, *, exercise: str, threshold: float | None = None, min_answers: int = MIN_GROUP_SIZE
) -> pd.DataFrame:
    """Items where no option is chosen by more than ``threshold`` of the group, most divided first.

    These are the discussion prompts: where a group splits is where talking helps.
    Items with fewer than ``min_answers`` answers are left out. Columns: ``item``,
    ``text``, ``top_share`` (share of the most common option), ``top_option`` and ``n``.
    """
    definition = load_exercise(exercise)
    if threshold is None:
        threshold = float(definition.details.get("divided_threshold", DEFAULT_DIVIDED_THRESHOLD))
    shares = choice_shares(data, exercise=exercise)
    options = [option.value for option in definition.scale]
    answered = shares[shares["n"] >= min_answers]
    top_share = answered[options].max(axis=1)
    result = pd.DataFrame(
        {
            "item": answered.index,
            "text": [definition.item(i).text for i in answered.index],
            "top_share": top_share.to_numpy(),
            "top_option": [definition.label_for(v) for v in answered[options].idxmax(axis=1)],
            "n": answered["n"].to_numpy(),
        }
    )
    result = result[result["top_share"] <= threshold]
    return result.sort_values(["top_share", "item"]).reset_index(drop=True)
