"""``SmartGoalBuilder``: write goals with the five SMART questions, kept as the learner types.

The course's SMART is adapted for wellbeing goals (after Doran 1981): Specific,
Meaningful, Achievable, Realistic, Time-limited. One labelled group per criterion;
gentle text feedback names each criterion still open (and says when a date is in
the past or the end is not after the start); once all five are met the goal is
shown as one readable sentence. A learner can keep several goals, edit them and
delete them. Every change to the goal being edited is saved at once.

Stored shape and rules: :mod:`peerkit.kinds.smart_goal` (one response per goal, ``item`` =
``"G-"`` and 8 hex digits, ``value`` = the goal's fields). The rules are imported from there
and re-exported here for older callers. A goal is private until the learner ticks
"Share this goal with my group" on it (:meth:`SmartGoalBuilder.set_share`); then its
sentence and the criteria it meets go to the group, if they share this exercise.

>>> from peerkit.widgets.smart_goal import goal_statement
>>> goal = {"action": "walk to the park three mornings a week", "why": "it clears my head",
...         "resources": "my neighbour, who walks too", "realistic": True,
...         "start": "2027-03-03", "end": "2027-04-30", "created": ""}
>>> print(goal_statement(goal).replace(". ", ".\\n"))
I will walk to the park three mornings a week because it clears my head.
I can draw on my neighbour, who walks too.
I will start on 3 March 2027 and finish by 30 April 2027.
"""
from __future__ import annotations

from typing import Any

import traitlets

from ..errors import AnswerError
from ..kinds.smart_goal import (  # noqa: F401 - re-exported: the rules used to live here
    CRITERION_FIELDS,
    DATE_FIELDS,
    FIELDS,
    GOAL_ID,
    MAX_TEXT,
    MIN_ACTION_WORDS,
    TEXT_FIELDS,
    blank_goal,
    check_field,
    check_goal,
    format_date,
    goal_report,
    goal_statement,
    is_blank,
    new_goal_id,
)
from ..kinds import kind_of
from ..store import LocalStore
from ._base import ExerciseWidget, front_end


class SmartGoalBuilder(ExerciseWidget):
    """Build, list, edit and delete SMART goals; each change is saved at once."""

    _esm = front_end("smart_goal.js")

    #: the five criteria from the exercise file: [{"id", "text", "prompt", "hint"}]
    criteria = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: every goal, oldest first: [{"id": "G-…", **stored value}]
    goals = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: id of the goal open in the editor, "" when none
    editing = traitlets.Unicode("").tag(sync=True)
    #: {goal id: goal_report(goal)}
    reports = traitlets.Dict().tag(sync=True)
    #: the words of each goal's share box: who may see it and where (the kind says it)
    share_label = traitlets.Unicode("").tag(sync=True)

    def __init__(self, exercise_id: str = "smart_goal", *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        self._names = {item.id: item.text for item in self.exercise.items}
        self._saved: dict[str, dict[str, Any]] = {}
        unreadable = 0
        for item, value in self.stored_answers().items():
            try:
                if not GOAL_ID.match(item):
                    raise AnswerError(f"{item!r} is not a goal id.")
                self._saved[item] = check_goal(value)
            except AnswerError:
                unreadable += 1  # left in the store untouched, never overwritten
        goals = sorted(({"id": item, **value} for item, value in self._saved.items()),
                       key=lambda g: (g["created"], g["id"]))
        super().__init__(
            exercise_id=exercise_id,
            title=self.exercise.title,
            instructions=self.exercise.instructions,
            criteria=[
                {"id": item.id, "text": item.text, "prompt": item.details["prompt"],
                 "hint": item.details.get("hint", "")}
                for item in self.exercise.items
            ],
            goals=goals,
            share_label=kind_of(self.exercise).share_one,
            **kwargs,
        )
        self._update_reports()
        if unreadable:
            self.status = (
                f"{unreadable} saved goal(s) could not be read by this version of peerkit; "
                "they are kept in your store unchanged."
            )
        self.on_msg(self._on_front_end_message)

    # -- Python API (the front end sends the same requests as messages) ---------------------
    def goal(self, goal_id: str) -> dict[str, Any]:
        """One goal, as ``{"id": …, **fields}``."""
        for goal in self.goals:
            if goal["id"] == goal_id:
                return dict(goal)
        known = ", ".join(g["id"] for g in self.goals) or "none yet"
        raise AnswerError(f"There is no goal {goal_id!r}. Your goals: {known}.")

    def new_goal(self) -> str:
        """Start a new, empty goal and open it for editing; returns its id."""
        goal_id = new_goal_id()
        with self.hold_sync():
            latest = max((g["created"] for g in self.goals), default="")
            self.goals = [*self._without_blank_drafts(), {"id": goal_id, **blank_goal(after=latest)}]
            self.editing = goal_id
        return goal_id

    def edit_goal(self, goal_id: str) -> None:
        """Open an existing goal for editing."""
        self.goal(goal_id)
        with self.hold_sync():
            if goal_id != self.editing:
                self.goals = self._without_blank_drafts()
            self.editing = goal_id

    def set_field(self, field: str, value: Any, goal_id: str | None = None) -> None:
        """Set one field of the goal being edited (or of ``goal_id``); saved at once."""
        goal_id = goal_id or self.editing
        if not goal_id:
            raise AnswerError("No goal is open for editing. Start one with new_goal() or open one with edit_goal(id).")
        self.goal(goal_id)
        clean = check_field(field, value)
        self.goals = [{**g, field: clean} if g["id"] == goal_id else g for g in self.goals]

    def set_share(self, goal_id: str, share: bool) -> None:
        """Tick or untick "Share this goal with my group" for one goal; saved at once."""
        goal = self.goal(goal_id)
        if share is True and is_blank(goal):
            raise AnswerError("There is nothing to share yet: write the goal first, then choose to share it.")
        self.set_field("share", share, goal_id)

    def save_goal(self) -> dict[str, Any]:
        """Finish editing the open goal and return it (it is already saved; an empty one is dropped)."""
        if not self.editing:
            raise AnswerError("No goal is open for editing, so there is nothing to save.")
        goal = self.goal(self.editing)
        self.editing = ""
        if is_blank(goal):
            self.goals = [g for g in self.goals if g["id"] != goal["id"]]
        return goal

    def delete_goal(self, goal_id: str) -> None:
        """Delete a goal from the list and the store (the front end asks to confirm first)."""
        self.goal(goal_id)
        if self.editing == goal_id:
            self.editing = ""
        self.goals = [g for g in self.goals if g["id"] != goal_id]

    def _without_blank_drafts(self) -> list[dict[str, Any]]:
        # an empty goal left behind by moving on to another one is not worth keeping in the list
        return [g for g in self.goals if g["id"] != self.editing or not is_blank(g)]

    def _on_front_end_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "new":
                self.new_goal()
            elif kind == "edit":
                self.edit_goal(str(content.get("id", "")))
            elif kind == "set" and content.get("field") == "share":
                self.set_share(str(content.get("id", "")), content.get("value"))
            elif kind == "set":
                self.set_field(str(content.get("field", "")), content.get("value"), str(content.get("id", "")))
            elif kind == "done":
                if self.editing:
                    self.save_goal()
            elif kind == "delete":
                self.delete_goal(str(content.get("id", "")))
        except AnswerError as error:
            self.status = str(error)

    # -- validation, reports and saving -----------------------------------------------------
    @traitlets.validate("goals")
    def _validate_goals(self, proposal: dict[str, Any]) -> list[dict[str, Any]]:
        goals, seen = [], set()
        for goal in proposal["value"]:
            goal_id = goal.get("id") if isinstance(goal, dict) else None
            if not isinstance(goal_id, str) or not GOAL_ID.match(goal_id):
                raise AnswerError(f"Each goal needs an id like 'G-1a2b3c4d'; got {goal_id!r}.")
            if goal_id in seen:
                raise AnswerError(f"Goal id {goal_id!r} appears twice.")
            seen.add(goal_id)
            goals.append({"id": goal_id, **check_goal({k: v for k, v in goal.items() if k != "id"})})
        return goals

    @traitlets.validate("editing")
    def _validate_editing(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] and proposal["value"] not in {g["id"] for g in self.goals}:
            raise AnswerError(f"There is no goal {proposal['value']!r} to edit.")
        return proposal["value"]

    @traitlets.observe("goals")
    def _save_changes(self, change: dict[str, Any]) -> None:
        self._update_reports()
        # Compare with what the store holds, so that restoring never rewrites a goal and a
        # failed save is retried. Goals with nothing in them are not stored.
        wanted = {g["id"]: {k: v for k, v in g.items() if k != "id"} for g in change["new"] if not is_blank(g)}
        self.save_answer_changes(wanted)

    def _update_reports(self) -> None:
        self.reports = {g["id"]: goal_report(g, names=self._names) for g in self.goals}
