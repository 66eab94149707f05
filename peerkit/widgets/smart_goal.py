"""``SmartGoalBuilder``: write goals with the five SMART questions, kept as the learner types.

The course's SMART is adapted for wellbeing goals (after Doran 1981): Specific,
Meaningful, Achievable, Realistic, Time-limited. One labelled group per criterion;
gentle text feedback names each criterion still open (and says when a date is in
the past or the end is not after the start); once all five are met the goal is
shown as one readable sentence. A learner can keep several goals, edit them and
delete them. Every change to the goal being edited is saved at once.

Stored shape: one response per goal, ``item`` = ``"G-" + 8 hex digits`` (random,
made when the goal is started), ``value`` = a dict with exactly these keys::

    {"action": str,      # Specific: what the learner will do
     "why": str,         # Meaningful: why it matters to them
     "resources": str,   # Achievable: skills, resources or people to draw on
     "realistic": bool,  # Realistic: the learner confirms it is within reach
     "start": str,       # Time-limited: "YYYY-MM-DD" or "" (not chosen yet)
     "end": str,         # Time-limited: "YYYY-MM-DD" or ""
     "created": str}     # ISO-8601 UTC time the goal was started (orders the list)

Drafts are stored too (any field may still be empty); a goal with nothing filled
in is not stored. Goal ids are not items of the exercise file, so
``Exercise.check_value`` is not used: :func:`check_goal` validates the dict.

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

import re
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import traitlets

from ..errors import AnswerError
from ..store import LocalStore
from ._base import ExerciseWidget, front_end

#: The keys of a stored goal, in the order the builder asks for them (plus "created").
FIELDS = ("action", "why", "resources", "realistic", "start", "end")
TEXT_FIELDS = ("action", "why", "resources")
DATE_FIELDS = ("start", "end")
#: Which fields answer which criterion (the item ids of a smart_goal exercise).
CRITERION_FIELDS = {
    "SPECIFIC": ("action",),
    "MEANINGFUL": ("why",),
    "ACHIEVABLE": ("resources",),
    "REALISTIC": ("realistic",),
    "TIME_LIMITED": ("start", "end"),
}
#: A Specific goal names a concrete action: at least this many words.
MIN_ACTION_WORDS = 3
#: Longest text kept in one field, in characters.
MAX_TEXT = 2_000

GOAL_ID = re.compile(r"^G-[0-9a-f]{8}$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def new_goal_id() -> str:
    """A fresh goal id, ``G-`` and 8 random hex digits."""
    return "G-" + uuid.uuid4().hex[:8]


def blank_goal(after: str = "") -> dict[str, Any]:
    """A goal with nothing filled in yet, created now (and later than ``after``, an ISO time)."""
    created = datetime.now(timezone.utc)
    if after:
        try:
            # a coarse clock can give two goals the same time; the list order must still be stable
            created = max(created, datetime.fromisoformat(after) + timedelta(microseconds=1))
        except (ValueError, TypeError):
            pass
    return {"action": "", "why": "", "resources": "", "realistic": False, "start": "", "end": "",
            "created": created.isoformat()}


def is_blank(goal: dict[str, Any]) -> bool:
    """True when the learner has filled in nothing at all."""
    return not any(str(goal[f]).strip() for f in TEXT_FIELDS + DATE_FIELDS) and not goal["realistic"]


def check_field(field: str, value: Any) -> Any:
    """Validate one field's value; return it in stored form (dates as ``YYYY-MM-DD``)."""
    if field in TEXT_FIELDS:
        if not isinstance(value, str):
            raise AnswerError(f"The goal's {field!r} must be text, not {value!r}.")
        if len(value) > MAX_TEXT:
            raise AnswerError(
                f"The goal's {field!r} is {len(value):,} characters long; the limit is {MAX_TEXT:,}. Shorten it."
            )
        return value
    if field == "realistic":
        if not isinstance(value, bool):
            raise AnswerError(f"The goal's 'realistic' must be True or False, not {value!r}.")
        return value
    if field in DATE_FIELDS:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        if value is None or value == "":
            return ""
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass  # 2027-02-30 and the like: said below
        raise AnswerError(
            f"The goal's {field!r} must be a date like 2027-03-03 (year-month-day), or empty; not {value!r}."
        )
    known = ", ".join(FIELDS)
    raise AnswerError(f"A goal has no field {field!r}. Its fields are: {known}.")


def check_goal(value: Any) -> dict[str, Any]:
    """Validate a stored goal dict (see the module docstring); return a clean copy."""
    expected = set(FIELDS) | {"created"}
    if not isinstance(value, dict) or set(value) != expected:
        got = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise AnswerError(f"A goal must be a dict with exactly the keys {sorted(expected)}; got {got}.")
    clean = {field: check_field(field, value[field]) for field in FIELDS}
    if not isinstance(value["created"], str):
        raise AnswerError(f"A goal's 'created' must be an ISO date-time string, not {value['created']!r}.")
    clean["created"] = value["created"]
    return clean


def format_date(iso: str) -> str:
    """``2027-03-03`` as ``3 March 2027`` (the same in every locale)."""
    day = date.fromisoformat(iso)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _clause(text: str, *leads: str) -> str:
    """Learner text ready to sit inside a sentence: no lead-in we add ourselves, no end stop."""
    text = " ".join(text.split()).rstrip(".!;, ")
    for lead in leads:
        if text.lower().startswith(lead):
            text = text[len(lead):].lstrip()
            break
    # "Walk to the park" reads "I will walk to the park"; "NHS app" and "I" keep their capitals
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not text.startswith("I "):
        text = text[0].lower() + text[1:]
    return text


def goal_statement(goal: dict[str, Any]) -> str:
    """The goal as one sentence (all of its fields must be filled in)."""
    action = _clause(goal["action"], "i will ", "i'll ", "to ")
    why = _clause(goal["why"], "because ")
    resources = _clause(goal["resources"], "i can draw on ")
    return (
        f"I will {action} because {why}. I can draw on {resources}. "
        f"I will start on {format_date(goal['start'])} and finish by {format_date(goal['end'])}."
    )


def goal_report(goal: dict[str, Any], *, names: dict[str, str] | None = None,
                today: date | None = None) -> dict[str, Any]:
    """What is still open in a goal, in words.

    Returns ``{"complete": bool, "missing": [criterion names], "messages": [sentences],
    "statement": str}``; ``statement`` is empty until the goal is complete. ``names``
    maps criterion ids to the names shown (the exercise's item texts).
    """
    names = {**{key: key.replace("_", "-").capitalize() for key in CRITERION_FIELDS}, **(names or {})}
    today = today or date.today()
    problems: dict[str, str] = {}

    words = len(goal["action"].split())
    if words == 0:
        problems["SPECIFIC"] = "say what you will do."
    elif words < MIN_ACTION_WORDS:
        problems["SPECIFIC"] = (
            f"describe the action in at least {MIN_ACTION_WORDS} words, so that it is clear what you will do."
        )
    if not goal["why"].strip():
        problems["MEANINGFUL"] = "add why this goal matters to you."
    if not goal["resources"].strip():
        problems["ACHIEVABLE"] = "name what or who can help you: skills, resources or people."
    if not goal["realistic"]:
        problems["REALISTIC"] = (
            "tick the box once the goal feels within your reach. If it does not yet, try a smaller step."
        )
    start, end = goal["start"], goal["end"]
    if not start and not end:
        problems["TIME_LIMITED"] = "choose a start date and an end date."
    elif not start:
        problems["TIME_LIMITED"] = "choose a start date."
    elif not end:
        problems["TIME_LIMITED"] = "choose an end date."
    elif date.fromisoformat(end) <= date.fromisoformat(start):
        problems["TIME_LIMITED"] = (
            f"the end date ({format_date(end)}) is not after the start date ({format_date(start)}). "
            "Choose an end date after the start."
        )
    elif date.fromisoformat(end) < today:
        problems["TIME_LIMITED"] = (
            f"the end date ({format_date(end)}) has already passed. Choose an end date from today onwards."
        )

    missing = [names[key] for key in CRITERION_FIELDS if key in problems]
    return {
        "complete": not problems,
        "missing": missing,
        "messages": [f"{names[key]}: {problems[key]}" for key in CRITERION_FIELDS if key in problems],
        "statement": "" if problems else goal_statement(goal),
    }


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

    def __init__(self, exercise_id: str = "smart_goal", *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        if self.exercise.kind != "smart_goal":
            raise AnswerError(
                f"{exercise_id!r} is a {self.exercise.kind!r} exercise; SmartGoalBuilder shows 'smart_goal' ones."
            )
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
