"""The boundary matrix (kind ``choice_matrix``): one choice per situation from a short scale.

>>> from peerkit.exercises import load_exercise
>>> from peerkit.kinds import kind_of
>>> kind_of("choice_matrix").is_valid(load_exercise("boundaries"), "B01", "maybe")
True
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._kind import answer_rows
from ._scale import ScaleKind

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

SUMMARY_COLUMNS = ["item", "text", "value", "label", "count", "n", "share"]


class ChoiceMatrix(ScaleKind):
    name = "choice_matrix"
    widget = "peerkit.widgets.boundary_matrix:BoundaryMatrix"
    chart_style = "diverging"

    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """Per item and scale option: how many people chose it, of how many who answered the item.

        Every (item, option) pair appears, with a count of 0 where nobody chose it;
        ``n`` is per item, so a view can hide an item fewer than the minimum answered.
        Rows whose value is not on the scale are left out.
        """
        return scale_counts(exercise, rows)


def scale_counts(exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
    """``item, text, value, label, count, n, share`` for every item and scale option, in file order."""
    import pandas as pd

    from ._kind import same_value_in

    data = answer_rows(rows)
    values = [option.value for option in exercise.scale]
    data = data[data["item"].isin(exercise.item_ids) & data["value"].map(lambda v: same_value_in(v, values))]
    data = data.drop_duplicates(["learner", "item"], keep="last")
    counts = data.groupby(["item", "value"]).size().to_dict()
    answered = data.groupby("item")["learner"].nunique().to_dict()
    out = []
    for item in exercise.items:
        n = int(answered.get(item.id, 0))
        for option in exercise.scale:
            count = int(counts.get((item.id, option.value), 0))
            out.append({"item": item.id, "text": item.text, "value": option.value, "label": option.label,
                        "count": count, "n": n, "share": count / n if n else float("nan")})
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


KIND = ChoiceMatrix()
