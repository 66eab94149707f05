"""``GroupComparison``: the learner's answers next to a group's, as a chart and in words.

The chart is drawn in HTML (:mod:`peerkit.charts_html`), followed by a plain-text
summary (for anyone who prefers words) and, for choice exercises, the items where
the group is most divided as discussion prompts. Every piece of text is
HTML-escaped before it is shown. "Refresh" re-reads the learner's store and the group.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as widgets
import pandas as pd

from ..errors import StoreError
from ..exercises import load_exercise
from ..kinds import kind_of
from ..store import LocalStore

GroupSource = Callable[[], pd.DataFrame]


class GroupComparison(widgets.VBox):
    """Compare one exercise's answers with a group (by default the synthetic reference group)."""

    def __init__(
        self,
        exercise_id: str,
        *,
        store: LocalStore | None = None,
        group: pd.DataFrame | GroupSource | None = None,
        group_label: str | None = None,
        min_group: int | None = None,
    ) -> None:
        from ..charts import MIN_GROUP
        from ..reference import REFERENCE_LABEL, reference_responses

        self.exercise = load_exercise(exercise_id)
        self.chart_style = kind_of(self.exercise).chart_style
        if self.chart_style not in ("diverging", "profile", "goals"):
            raise ValueError(f"{exercise_id!r} is a {self.exercise.kind} exercise; only choice, rating and "
                             "SMART goal exercises can be compared with a group.")
        self.store = store
        if group is None:
            self._group: GroupSource = lambda: self._learners_group(reference_responses, REFERENCE_LABEL)
            self.group_label = group_label or REFERENCE_LABEL
        elif isinstance(group, pd.DataFrame):
            self._group = lambda: group
            self.group_label = group_label or "group"
        else:
            self._group = group
            self.group_label = group_label or "group"
        self._group_note = ""
        self.min_group = MIN_GROUP if min_group is None else min_group
        self.refresh_button = widgets.Button(
            description="Refresh chart", icon="refresh", tooltip="Redraw the chart with your latest answers",
            layout=widgets.Layout(width="auto"),
        )
        self.refresh_button.on_click(lambda _: self.refresh())
        self.view = widgets.HTML()
        self.summary = ""
        self.prompts = pd.DataFrame()
        super().__init__([self.refresh_button, self.view])
        self.add_class("peerkit-comparison")
        self.refresh()

    def _learners_group(self, reference: Callable[[str], pd.DataFrame], reference_label: str) -> pd.DataFrame:
        """The learner's live cohort, if they joined one; otherwise the synthetic reference group.

        A cohort that cannot be reached never leaves the learner without a chart: we
        fall back to the reference group and say so.
        """
        self.group_label, self._group_note = reference_label, ""
        try:
            store = self.store or LocalStore()
            joined = store.get_setting("cohort")
        except StoreError:
            joined = None
        if joined:
            from ..client.aggregates import answer_rows, group_frame_or_reason

            counts, reason = group_frame_or_reason(store, self.exercise.id)  # the server's suppressed counts
            if counts is None:
                self._group_note = f"{reason} So this shows the {reference_label} instead."
            else:
                self.group_label = "group you joined"
                return answer_rows(counts)
        return reference(self.exercise.id)

    def own_answers(self) -> dict[str, Any]:
        try:
            store = self.store or LocalStore()
            return store.answers(self.exercise.id)
        except StoreError as error:
            self._store_problem = str(error)
            return {}

    def refresh(self) -> None:
        """Redraw from the learner's store and the group's latest answers."""
        from .. import charts, charts_html
        from ..agreement import divided_items

        self._store_problem = ""
        own = self.own_answers()
        group = self._group()  # may change group_label: the learner's cohort or the reference group
        kind = self.exercise.kind
        # Drawn as HTML (peerkit.charts_html): the same chart as peerkit.charts draws with
        # matplotlib, but built in milliseconds rather than about half a second, and made of
        # text a screen reader can read row by row.
        draw = charts_html.choice_split_html if kind == "choice_matrix" else charts_html.rating_profile_html
        describe = charts.describe_choice_split if kind == "choice_matrix" else charts.describe_rating_profile
        if self.chart_style == "goals":  # shared SMART goals: per criterion, then the goals' words
            from .. import goal_views

            draw, describe = goal_views.goal_summary_html, goal_views.describe_goal_summary
        options = {"exercise": self.exercise.id, "own": own, "group_label": self.group_label,
                   "min_group": self.min_group}
        self.summary = describe(group, **options)
        parts = [
            '<div class="peerkit-figure">',
            draw(group, **options),
            f'<p class="peerkit-summary"><strong>In words:</strong> {html.escape(self.summary)}</p></div>',
        ]
        if kind == "choice_matrix" and charts.group_size(group) >= self.min_group:
            self.prompts = divided_items(group, exercise=self.exercise.id, min_answers=self.min_group)
            if len(self.prompts):
                parts.append(f"<h4>Where the {html.escape(self.group_label)} is most divided: worth talking about</h4><ol>")
                for row in self.prompts.head(5).itertuples():
                    mine = own.get(row.item)
                    yours = f" You answered {html.escape(self.exercise.label_for(mine))}." if mine else ""
                    parts.append(
                        f"<li>{html.escape(row.text)}: no answer was chosen by more than "
                        f"{row.top_share:.0%} of people.{yours}</li>"
                    )
                parts.append("</ol>")
        if self._group_note:
            parts.append(f'<p role="status">{html.escape(self._group_note)}</p>')
        if self._store_problem:
            parts.append(f'<p role="alert">{html.escape(self._store_problem)}</p>')
        self.view.value = "".join(parts)
