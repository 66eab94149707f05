"""``GroupComparison``: the learner's answers next to a group's, as a chart and in words.

The chart is drawn in HTML (:mod:`peerkit.charts_html`) from a group view of counts
(:class:`peerkit.group_view.GroupView`: the learner's cohort as the server counts it,
or the synthetic reference group counted once), followed by a plain-text
summary (for anyone who prefers words) and, for choice exercises, the items where
the group is most divided as discussion prompts. All HTML comes from Jinja2
templates with autoescape (``peerkit/templates/comparison.html``).

The chart follows the learner: while a kernel runs, it looks at the learner's own
answers every :data:`FOLLOW_SECONDS` and redraws when they change (one small read
of the local store); without a running event loop it says that it shows the
answers as they were when drawn, and "Refresh chart" redraws.

Self-care and recovery check-ins (:func:`peerkit.group_rules.is_personal`) are never
ranked against a group: they are shown as the learner's own profile over time
(first check-in and latest). Only when the learner has joined a real cohort, and
asks, does the group appear beside them; the synthetic reference group never does.
"""
from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any, Callable

import ipywidgets as widgets
import pandas as pd

from ..client.state import in_a_group
from ..errors import StoreError
from ..exercises import load_exercise
from ..group_rules import SPLIT, is_personal
from ..group_view import GroupView
from ..kinds import kind_of
from ..privacy import MIN_GROUP_SIZE
from ..store import LocalStore
from ..templating import render, rendered

Group = GroupView | pd.DataFrame
GroupSource = Callable[[], Group]
#: How often a shown comparison looks for changes in the learner's own answers.
FOLLOW_SECONDS = 2.0
#: Answers changed within this time of the last check-in update that check-in rather than start a new one.
CHECKIN_SESSION = timedelta(hours=6)
MAX_CHECKINS = 20


class GroupComparison(widgets.VBox):
    """Compare one exercise's answers with a group (by default the synthetic reference group)."""

    def __init__(
        self,
        exercise_id: str,
        *,
        store: LocalStore | None = None,
        group: Group | GroupSource | None = None,
        group_label: str | None = None,
        min_group_size: int | None = None,
        follow: bool = True,
    ) -> None:
        from ..reference import REFERENCE_LABEL, reference_responses

        self.exercise = load_exercise(exercise_id)
        self.chart_style = kind_of(self.exercise).chart_style
        if self.chart_style not in ("diverging", "profile", "goals"):
            raise ValueError(f"{exercise_id!r} is a {self.exercise.kind} exercise; only choice, rating and "
                             "SMART goal exercises can be compared with a group.")
        self.store = store
        self._real_group = group is not None
        if group is None:
            self._group: GroupSource = lambda: self._learners_group(reference_responses, REFERENCE_LABEL)
            self.group_label = group_label or REFERENCE_LABEL
        elif isinstance(group, (pd.DataFrame, GroupView)):
            self._group = lambda: group
            self.group_label = group_label or "group"
        else:
            self._group = group
            self.group_label = group_label or "group"
        self._group_note = ""
        self._joined_group = False
        self.min_group_size = MIN_GROUP_SIZE if min_group_size is None else min_group_size
        self.personal = is_personal(self.exercise)
        self.refresh_button = widgets.Button(
            description="Refresh chart", icon="refresh", tooltip="Redraw the chart with your latest answers",
            layout=widgets.Layout(width="auto"),
        )
        self.refresh_button.on_click(lambda _: self.refresh())
        # personal check-ins: the group only on the learner's request, and only a real group
        self.show_group = widgets.Checkbox(value=False, indent=False, layout=widgets.Layout(width="auto"),
                                           description="Also show the group I joined (a real group, never ranked)")
        self.show_group.observe(lambda _: self.refresh(), names="value")
        self.view = widgets.HTML()
        self.summary = ""
        self.prompts = pd.DataFrame()
        self._seen: str | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        if follow:
            try:
                self._loop = asyncio.get_running_loop()  # the kernel's loop
            except RuntimeError:
                self._loop = None
        super().__init__([self.refresh_button, self.view])
        self.add_class("peerkit-comparison")
        self.refresh()
        self._schedule()

    # -- where the group comes from ------------------------------------------------------------
    def _learners_group(self, reference: Callable[[str], pd.DataFrame], reference_label: str) -> Group:
        """The learner's live cohort, if they joined one; otherwise the synthetic reference group.

        A cohort that cannot be reached (or sends rows nobody can read) never leaves the
        learner without a chart: we fall back to the reference group and say so.
        """
        self.group_label, self._group_note, self._joined_group = reference_label, "", False
        try:
            store = self.store or LocalStore()
            joined = in_a_group(store)
        except StoreError:
            joined = None
        if joined:
            from ..client.aggregates import JOINED_LABEL, group_view_or_reason

            view, reason = group_view_or_reason(store, self.exercise.id)  # the server's suppressed counts
            if view is None:
                self._group_note = f"{reason} So this shows the {reference_label} instead."
            else:
                self.group_label = JOINED_LABEL
                self._joined_group = True
                return view
        return reference(self.exercise.id)

    def _view(self, group: Group) -> GroupView:
        """The group as counts: the view as it came, answer rows (the reference group) counted once."""
        if isinstance(group, GroupView):
            return group.relabelled(self.group_label)
        return GroupView.from_answers(group, self.exercise, min_group_size=self.min_group_size,
                                      label=self.group_label)

    def own_answers(self) -> dict[str, Any]:
        try:
            store = self.store or LocalStore()
            answers = store.answers(self.exercise.id)
        except StoreError as error:
            self._store_problem = str(error)
            return {}
        kind = kind_of(self.exercise)  # "I'd rather not answer" is never drawn, not even as the learner's own
        return {item: value for item, value in answers.items() if kind.counted(self.exercise, item, value)}

    # -- personal check-ins: the learner's own profile over time -------------------------------
    def _checkins(self, own: dict[str, Any]) -> list[dict[str, Any]]:
        """The learner's check-ins (first and later), kept in the private store; ``own`` updates the latest."""
        from ..timestamps import format_moment, now, parse_moment

        key = f"checkins:{self.exercise.id}"
        try:
            store = self.store or LocalStore()
            history = store.get_setting(key, []) or []
        except StoreError:
            return []
        history = [h for h in history if isinstance(h, dict) and isinstance(h.get("answers"), dict)]
        if not own:
            # the answers were deleted: their earlier copies go with them
            if history:
                try:
                    store.set_setting(key, None)
                except StoreError:
                    pass
            return []
        if not history or history[-1]["answers"] != own:
            moment = now()
            try:
                recent = history and moment - parse_moment(history[-1]["at"]) < CHECKIN_SESSION
            except (KeyError, TypeError, ValueError):
                recent = False
            if recent:  # a change within the same sitting completes that check-in
                history[-1] = {"at": history[-1]["at"], "answers": own}
            else:  # a later sitting starts a new check-in
                history.append({"at": format_moment(moment), "answers": own})
            history = history[:1] + history[1:][-(MAX_CHECKINS - 1):]
            try:
                store.set_setting(key, history)
            except StoreError:
                pass
        return history

    # -- drawing --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the learner's store and the group's latest answers."""
        self._store_problem = ""
        own = self.own_answers()
        self._seen = json.dumps(own, sort_keys=True, default=str)
        if self.personal:
            self._draw_personal(own)
        else:
            self._draw_group(own)

    def _follow_text(self) -> str:
        if self._loop is not None:
            return "This chart follows your answers: change an answer above and it redraws within a few seconds."
        return ("This chart shows your answers as they were when it was drawn. After changing an answer, "
                "press “Refresh chart”.")

    def _draw_group(self, own: dict[str, Any]) -> None:
        from .. import charts_html, charts_text

        group = self._group()  # may change group_label: the learner's cohort or the reference group
        prompts: list[dict[str, Any]] = []
        self.prompts = []
        if self.chart_style == "goals":  # shared SMART goals: per criterion, then the goals' words
            from .. import goal_views

            # shared goals reach a group as texts, which the server never counts: only answer rows draw them
            rows = group if isinstance(group, pd.DataFrame) else pd.DataFrame(columns=["learner", "item", "value"])
            options = {"exercise": self.exercise.id, "own": own, "group_label": self.group_label,
                       "min_group_size": self.min_group_size}
            self.summary = goal_views.describe_goal_summary(rows, **options)
            chart = goal_views.goal_summary_html(rows, **options)
            words_only = self.summary.startswith(charts_text.suppression_message(self.min_group_size))
        else:
            view = self._view(group)
            choice = view.style == SPLIT
            describe = charts_text.describe_choice_split if choice else charts_text.describe_rating_profile
            self.summary = describe(view, own=own)
            chart = charts_html.chart_html(view, own=own)
            if choice and view.shown:
                self.prompts = charts_text.divided_prompts(view, 5, own)
                prompts = self.prompts
            # a chart held back as a whole says why itself; its summary says the same (see comparison.html)
            words_only = not view.shown
        self.view.value = render("comparison.html", chart=rendered(chart), summary=self.summary,
                                 prompts=prompts, group_label=self.group_label, follow=self._follow_text(),
                                 group_note=self._group_note, store_problem=self._store_problem,
                                 words_only=words_only, title=self.exercise.title)

    def _draw_personal(self, own: dict[str, Any]) -> None:
        from .. import charts_html, charts_text
        from ..timestamps import parse_moment

        history = self._checkins(own)
        first = history[0] if len(history) > 1 else None
        when = ""
        if first is not None:
            try:
                when = f"{parse_moment(first['at']):%d %B %Y}"
            except (KeyError, TypeError, ValueError):
                when = ""
        chart = charts_html.checkin_profile_html(self.exercise, own, first["answers"] if first else None,
                                                 first_when=when)
        words = ["Your check-in: " + ("; ".join(f"“{self.exercise.item(i).text}” {own[i]}"
                                                  for i in self.exercise.item_ids if i in own) or "not answered yet")
                 + "."]
        if first:
            changes = [f"“{self.exercise.item(i).text}” from {first['answers'][i]} to {own[i]}"
                       for i in self.exercise.item_ids if i in own and i in first["answers"]
                       and first["answers"][i] != own[i]]
            words.append(("Since your first check-in: " + "; ".join(changes) + ".") if changes
                         else "The same as your first check-in.")
        else:
            words.append("Come back to this check-in later: your first and latest answers will be shown side by side.")
        self.summary = " ".join(words)
        group_note = ""
        self._joined_group = False
        joined = self._joined_cohort()
        if joined and self.show_group.value and not self._real_group:
            group = self._group()
            if self._joined_group:
                view = self._view(group)
                chart = chart + charts_html.rating_profile_html(view, own=own)
                self.summary += " " + charts_text.describe_rating_profile(view, own=own)
            else:
                group_note = self._group_note or "Your group has no answers to show yet."
        self.children = [self.refresh_button, *([self.show_group] if joined else []), self.view]
        self.view.value = render("comparison.html", chart=rendered(chart), summary=self.summary, prompts=[],
                                 group_label="", follow=self._follow_text(), group_note=group_note,
                                 store_problem=self._store_problem)

    def _joined_cohort(self) -> bool:
        try:
            return in_a_group(self.store or LocalStore())
        except StoreError:
            return False

    # -- following the learner's answers ----------------------------------------------------------
    def _schedule(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._handle = self._loop.call_later(FOLLOW_SECONDS, self._tick)

    def _tick(self) -> None:
        self._handle = None
        if self.comm is None:  # closed: stop for good
            return
        try:
            if json.dumps(self.own_answers(), sort_keys=True, default=str) != self._seen:
                self.refresh()
        except Exception:  # noqa: BLE001 - the timer must survive one bad read; Refresh still works
            pass
        self._schedule()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        super().close()
