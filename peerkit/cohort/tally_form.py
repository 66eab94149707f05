"""``TallyForm``: the trainer types raised hands per option per item, and sees the group chart.

One labelled whole-number field per option per item (each field's label names the
item number and the option, so a screen reader says which count it is), or a
pasted table (:func:`peerkit.cohort.tally.parse_tally`). "Show chart" draws the
counts with the same panel as live answers (:func:`peerkit.cohort.panels.exercise_panel`).

>>> form = TallyForm("boundaries")                       # doctest: +SKIP
>>> form.set_counts({"B01": {"never": 3, "maybe": 6, "always": 2}})   # doctest: +SKIP
>>> form.show_chart()                                    # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from ..chart_data import chart_style
from ..exercises import exercise_ids, load_exercise
from ..privacy import MIN_GROUP_SIZE
from ..templating import render
from .panels import BIG, panel_or_error
from .tally import TallyError, parse_tally, tally_frame


def tally_exercises() -> list[str]:
    """Exercises a room can answer by raising hands: those drawn from a scale of options (split bars or a profile)."""
    return [exercise for exercise in exercise_ids() if chart_style(load_exercise(exercise)) is not None]


class TallyForm(widgets.VBox):
    """Counts of raised hands for one exercise → the group chart."""

    exercise = traitlets.Unicode()
    status = traitlets.Unicode("")

    def __init__(self, exercise: str | None = None, *, min_group_size: int = MIN_GROUP_SIZE, **kwargs: Any) -> None:
        choices = tally_exercises()
        if not choices:
            raise TallyError("No exercise of this course has options to raise hands for.")
        exercise = exercise or choices[0]
        if exercise not in choices:
            raise TallyError(f"{exercise!r} cannot be tallied; choose one of: {', '.join(choices)}.")
        self.min_group_size = min_group_size
        self._chooser = widgets.Dropdown(
            options=[(load_exercise(e).title, e) for e in choices], value=exercise, description="Exercise",
            style={"description_width": "initial"},
        )
        self._room = widgets.BoundedIntText(value=0, min=0, max=500, description="People in the room (0: not counted)",
                                            style={"description_width": "initial"})
        self._paste = widgets.Textarea(
            description="Or paste a table",
            placeholder="One line per item: item id or number, then one count per option. Example: B01 3 6 2",
            layout=widgets.Layout(width="95%", height="6rem"), style={"description_width": "initial"},
        )
        self._use_paste = widgets.Button(description="Use pasted table", tooltip="Fill the fields from the table")
        self._draw = widgets.Button(description="Show chart", button_style="primary",
                                    tooltip="Draw the group chart from these counts")
        self._clear = widgets.Button(description="Clear counts", tooltip="Set every count to 0")
        self._message = widgets.HTML()
        self._result = widgets.HTML()
        self._grid = widgets.VBox()
        self._fields: dict[tuple[str, Any], widgets.BoundedIntText] = {}
        self._use_paste.on_click(lambda _: self.use_pasted())
        self._draw.on_click(lambda _: self.show_chart())
        self._clear.on_click(lambda _: self.set_counts({}))
        self._chooser.observe(lambda change: setattr(self, "exercise", change["new"]), names="value")
        super().__init__(
            [
                widgets.HTML(render("tally/heading.html", big=BIG)),
                self._chooser, self._room, self._grid, self._paste,
                widgets.HBox([self._use_paste, self._clear, self._draw]), self._message, self._result,
            ],
            **kwargs,
        )
        self.exercise = exercise

    @traitlets.observe("exercise")
    def _build_fields(self, change: dict[str, Any]) -> None:
        definition = load_exercise(change["new"])
        self._chooser.value = change["new"]
        self._fields = {}
        rows = []
        for number, item in enumerate(definition.items, start=1):
            fields = []
            for option in definition.scale:
                field = widgets.BoundedIntText(
                    value=0, min=0, max=500, description=f"{number}. {option.label}",
                    tooltip=f"{item.text}: hands for {option.label}",
                    style={"description_width": "initial"}, layout=widgets.Layout(width="12rem"),
                )
                self._fields[(item.id, option.value)] = field
                fields.append(field)
            heading = widgets.HTML(render("tally/item.html", number=number, text=item.text),
                                   layout=widgets.Layout(width="24rem"))
            rows.append(widgets.HBox([heading, *fields]))
        self._grid.children = rows
        self._result.value = ""

    def counts(self) -> dict[str, dict[Any, int]]:
        """``{item: {option: hands}}`` as typed (items with no hands left out)."""
        counts: dict[str, dict[Any, int]] = {}
        for (item, option), field in self._fields.items():
            counts.setdefault(item, {})[option] = int(field.value)
        return {item: per for item, per in counts.items() if any(per.values())}

    def set_counts(self, counts: dict[str, dict[Any, int]]) -> None:
        """Fill the fields (missing ones become 0)."""
        for (item, option), field in self._fields.items():
            field.value = int(counts.get(item, {}).get(option, 0))

    def use_pasted(self) -> bool:
        try:
            counts = parse_tally(self._paste.value, exercise=self.exercise)
        except TallyError as error:
            self._say(str(error), problem=True)
            return False
        self.set_counts(counts)
        self._say(f"Filled {len(counts)} item{'s' if len(counts) != 1 else ''} from the table.")
        return True

    def frame(self) -> pd.DataFrame:
        """The counts as tidy rows (see :func:`peerkit.cohort.tally.tally_frame`)."""
        return tally_frame(self.counts(), exercise=self.exercise, room_size=self._room.value or None)

    def show_chart(self) -> bool:
        try:
            data = self.frame()
        except TallyError as error:
            self._say(str(error), problem=True)
            return False
        self._say("")
        self._result.value = panel_or_error(data, self.exercise, min_group_size=self.min_group_size, group_label="room")
        return True

    def _say(self, text: str, problem: bool = False) -> None:
        self.status = text
        style = "color:#a50026; font-weight:700;" if problem else ""
        self._message.value = render("status_line.html", text=text, role="status", live="", style=BIG + style)
