"""Self-rating (kind ``rating``): one point of a numbered scale per skill or area.

>>> from peerkit.exercises import load_exercise
>>> from peerkit.kinds import kind_of
>>> core = load_exercise("core_skills")
>>> kind_of("rating").is_valid(core, "C01", 4), kind_of("rating").is_valid(core, "C01", True)
(True, False)
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._kind import answer_rows, same_value_in
from ._scale import ScaleKind

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

SUMMARY_COLUMNS = ["item", "text", "n", "mean", "median", "lowest", "highest"]


class Rating(ScaleKind):
    name = "rating"
    widget = "peerkit.widgets.self_rating:SelfRating"
    chart_style = "profile"

    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """Per item: how many rated it and the mean, median and range of their ratings (NaN when nobody)."""
        import pandas as pd

        data = answer_rows(rows)
        values = [option.value for option in exercise.scale]
        data = data[data["item"].isin(exercise.item_ids) & data["value"].map(lambda v: same_value_in(v, values))]
        data = data.drop_duplicates(["learner", "item"], keep="last")
        out = []
        for item in exercise.items:
            ratings = pd.to_numeric(data.loc[data["item"] == item.id, "value"])
            out.append({"item": item.id, "text": item.text, "n": int(ratings.size),
                        "mean": ratings.mean(), "median": ratings.median(),
                        "lowest": ratings.min(), "highest": ratings.max()})
        return pd.DataFrame(out, columns=SUMMARY_COLUMNS).astype({"n": int})


KIND = Rating()
