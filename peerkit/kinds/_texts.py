"""A summary shared by the kinds whose answers are texts: one row per shared text, with ``n`` per item."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ._kind import answer_rows

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

TEXT_SUMMARY_COLUMNS = ["item", "prompt", "text", "n"]


def text_summary(exercise: "Exercise", rows: "pd.DataFrame", text_of: Callable[[Any], str | None]) -> "pd.DataFrame":
    """``item, prompt, text, n``: every readable text, in item order, ``n`` = people who gave one for that item.

    ``text_of`` turns a row's value into its text, or None when the row holds none.
    """
    import pandas as pd

    data = answer_rows(rows)
    data = data.assign(text=data["value"].map(text_of))
    data = data[data["item"].isin(exercise.item_ids) & data["text"].notna()]
    data = data.drop_duplicates(["learner", "item"], keep="last")
    out = []
    for item in exercise.items:
        texts = data.loc[data["item"] == item.id, "text"].tolist()
        out += [{"item": item.id, "prompt": item.text, "text": text, "n": len(texts)} for text in texts]
    return pd.DataFrame(out, columns=TEXT_SUMMARY_COLUMNS).astype({"n": int})
