"""A portfolio's answers put into words, grouped by chapter: what the Markdown and HTML copies show."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import ContentError, PeerkitError
from ..exercises import Exercise, load_exercise
from ..kinds import RATHER_NOT_LABEL, is_rather_not, kind_of
from ..kinds.scenario import STOP_LABEL
from ..kinds.smart_goal import KIND as SMART_GOAL
from .format import count_answers as _count

@dataclass(frozen=True)
class _Answer:
    """One answer, put into words: (label, text) parts and an optional note."""

    item_text: str
    parts: tuple[tuple[str | None, str], ...]
    note: str
    answered_at: datetime | None

    @property
    def short(self) -> str | None:
        """The answer as one short line, or None when it needs more room than a table cell."""
        if len(self.parts) == 1 and self.parts[0][0] is None and "\n" not in self.parts[0][1] and not self.note:
            return self.parts[0][1]
        return None


_SMART_LABELS = {
    "specific": "Specific",
    "measurable": "Measurable",
    "achievable": "Achievable",
    "relevant": "Relevant",
    "time_bound": "Time-bound",
    "timebound": "Time-bound",
    "time": "Time-bound",
}


def _option_label(exercise: Exercise | None, item_id: str, value: Any) -> str:
    """The label shown for a chosen value: the item's own options first, then the exercise's scale."""
    if is_rather_not(value):  # said in the words the learner chose it by, never as the stored value
        return STOP_LABEL if exercise is not None and kind_of(exercise).branching else RATHER_NOT_LABEL
    if exercise is not None:
        for item in exercise.items:
            if item.id != item_id:
                continue
            for option in item.details.get("options") or []:
                if isinstance(option, dict) and option.get("value", option.get("id")) == value:
                    return str(option.get("label", option.get("text", value)))
        return exercise.label_for(value) if exercise.scale else _as_text(value)  # and "I'd rather not answer"
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _field_labels(exercise: Exercise | None) -> list[tuple[str, str]]:
    """Field (key, label) pairs an exercise declares for dict answers, e.g. a SMART goal's parts."""
    if exercise is None:
        return []
    # the definition's own items name the fields of a dict answer (a SMART goal's criteria)
    pairs = [(item.id, item.text) for item in exercise.items]
    fields = exercise.details.get("fields")
    for field in fields if isinstance(fields, list) else []:
        if isinstance(field, dict):
            key = field.get("id", field.get("key", field.get("name")))
            label = field.get("label", field.get("text", field.get("title", key)))
            if isinstance(key, str):
                pairs.append((key, str(label)))
    return pairs


def _field_text(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return _as_text(value)


def _humanise(key: str) -> str:
    return _SMART_LABELS.get(key.lower(), key.replace("_", " ").strip().capitalize() or key)


def _describe_goal(exercise: Exercise, value: Any, answered_at: datetime | None) -> _Answer | None:
    """A SMART goal in the builder's own words, or None if the value is not a goal the builder made."""
    from ..kinds.smart_goal import CRITERION_FIELDS, check_goal, format_date, goal_statement

    try:
        goal = check_goal(value)
    except PeerkitError:
        return None
    names = {item.id: item.text for item in exercise.items}
    parts: list[tuple[str | None, str]] = []
    for criterion, fields in CRITERION_FIELDS.items():
        label = names.get(criterion, criterion.replace("_", "-").capitalize())
        if criterion == "REALISTIC":
            text = "Yes: it feels within reach." if goal["realistic"] else "Not confirmed yet."
        elif fields == ("start", "end"):
            start = format_date(goal["start"]) if goal["start"] else "(no start date yet)"
            end = format_date(goal["end"]) if goal["end"] else "(no end date yet)"
            text = f"From {start} to {end}"
        else:
            text = " ".join(str(goal[f]) for f in fields).strip() or "(not filled in yet)"
        parts.append((label, text))
    complete = all(str(goal[f]).strip() for f in ("action", "why", "resources", "start", "end")) and goal["realistic"]
    if complete:
        parts.insert(0, ("The goal in one sentence", goal_statement(goal)))
    started = _parse_time(goal["created"])
    heading = f"Goal started {_date(started)}" if started else "Goal"
    return _Answer(heading, tuple(parts), "" if complete else "A draft: some parts are still open.", answered_at)


def _describe(exercise: Exercise | None, item_id: str, value: Any, answered_at: datetime | None) -> _Answer:
    if exercise is not None and kind_of(exercise) is SMART_GOAL:
        goal = _describe_goal(exercise, value, answered_at)
        if goal is not None:
            return goal
    item_text = item_id
    if exercise is not None:
        item_text = next((item.text for item in exercise.items if item.id == item_id), item_id)
    note = ""
    parts: list[tuple[str | None, str]]
    if isinstance(value, dict) and isinstance(value.get("text"), str) and set(value) <= {"text", "share", "shared"}:
        # a reflection: the text, and whether the learner chose to share it
        parts = [(None, value["text"])]
        shared = value.get("share", value.get("shared"))
        note = "Shared with your group." if shared else "Private: not shared."
    elif isinstance(value, dict):
        declared = _field_labels(exercise)
        order = [key for key, _ in declared] + [k for k in _SMART_LABELS if k not in dict(declared)]
        labels = dict(declared)
        keys = [k for k in order if k in value] + [k for k in value if k not in order]
        parts = [(labels.get(k) or _humanise(k), _field_text(value[k])) for k in keys]
        if not parts:
            parts = [(None, "(empty)")]
    elif isinstance(value, list):
        chosen = [_option_label(exercise, item_id, v) for v in value]
        parts = [(None, "; ".join(chosen) if chosen else "(nothing chosen)")]
    else:
        parts = [(None, _option_label(exercise, item_id, value))]
    return _Answer(item_text, tuple(parts), note, answered_at)


@dataclass(frozen=True)
class _Section:
    exercise_id: str
    exercise: Exercise | None
    answers: tuple[_Answer, ...]


def _grouped(portfolio: dict[str, Any]) -> list[tuple[str, str, list[_Section]]]:
    """[(chapter id, chapter heading, sections)] in course order; unknown exercises last."""
    from ..course_progress import chapter_order, course_chapters

    by_exercise: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in portfolio["responses"]:
        by_exercise[entry["exercise"]].append(entry)
    chapters: dict[str, list[_Section]] = defaultdict(list)
    for exercise_id in sorted(by_exercise):
        try:
            exercise: Exercise | None = load_exercise(exercise_id)
        except ContentError:
            exercise = None
        order = {item_id: n for n, item_id in enumerate(exercise.item_ids)} if exercise else {}
        entries = sorted(by_exercise[exercise_id], key=lambda e: (order.get(e["item"], len(order)), e["item"]))
        answers = tuple(
            _describe(exercise, e["item"], e["value"], _parse_time(e.get("answered_at"))) for e in entries
        )
        chapter = exercise.chapter if exercise else ""
        chapters[chapter].append(_Section(exercise_id, exercise, answers))

    titles = {c.id: (f"Chapter {c.number}: {c.title}") for c in course_chapters()}
    ordered = sorted((c for c in chapters if c), key=chapter_order)
    result = [(c, titles.get(c, c), chapters[c]) for c in ordered]
    if "" in chapters:
        result.append(("", "Other answers (exercises this version of the course does not have)", chapters[""]))
    return result


def _parse_time(text: Any) -> datetime | None:
    from ..timestamps import parse_moment

    try:
        return parse_moment(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _date(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d") if moment else ""


def _heading_facts(portfolio: dict[str, Any]) -> str:
    """When the copy was made and how many answers it holds, in words (no code name, no version number)."""
    count = len(portfolio["responses"])
    exported = _parse_time(portfolio["exported_at"])
    when = exported.astimezone(timezone.utc).strftime("%d %B %Y, %H:%M UTC") if exported else portfolio["exported_at"]
    return f"Your answers from the peer-support course, downloaded on {when}. {_count(count)}."


_RESTORE_HINT = (
    "To bring these answers back into the course, choose this file under “Restore from a file”, in the welcome "
    "chapter or in the last chapter. Answers already there are kept where they are newer."
)

