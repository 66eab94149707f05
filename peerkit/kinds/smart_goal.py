"""SMART goals (kind ``smart_goal``): the goal rules, below every widget that shows them.

The course's SMART is adapted for wellbeing goals (after Doran 1981): Specific,
Meaningful, Achievable, Realistic, Time-limited. The learner makes the items: one
stored answer per goal, ``item`` = ``"G-"`` and 8 hex digits, ``value`` = a dict with
exactly these keys (``share`` only once the learner has ticked or unticked it)::

    {"action": str,      # Specific: what the learner will do
     "why": str,         # Meaningful: why it matters to them
     "resources": str,   # Achievable: skills, resources or people to draw on
     "realistic": bool,  # Realistic: the learner confirms it is within reach
     "start": str,       # Time-limited: "YYYY-MM-DD" or "" (not chosen yet)
     "end": str,         # Time-limited: "YYYY-MM-DD" or ""
     "created": str,     # ISO-8601 UTC time the goal was started (orders the list)
     "share": bool}      # optional: True only when the learner ticked "share" on this goal

A goal goes to the group only when its ``share`` is True, as
``{"text": the goal as one sentence, "criteria": [ids of the criteria it meets]}``.

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
from typing import TYPE_CHECKING, Any

from ..errors import AnswerError
from ._kind import Kind, answer_rows

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

#: The keys of a stored goal, in the order the builder asks for them (plus "created" and "share").
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
CRITERIA = tuple(CRITERION_FIELDS)
#: A Specific goal names a concrete action: at least this many words.
MIN_ACTION_WORDS = 3
#: Longest text kept in one field, in characters.
MAX_TEXT = 2_000
#: Longest shared goal sentence: three fields and two dates, with the words around them.
MAX_SHARED_TEXT = 3 * MAX_TEXT + 200

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
    if field in ("realistic", "share"):
        if not isinstance(value, bool):
            raise AnswerError(f"The goal's {field!r} must be True or False, not {value!r}.")
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
    known = ", ".join(FIELDS + ("share",))
    raise AnswerError(f"A goal has no field {field!r}. Its fields are: {known}.")


def check_goal(value: Any) -> dict[str, Any]:
    """Validate a stored goal dict (see the module docstring); return a clean copy."""
    expected = set(FIELDS) | {"created"}
    if not isinstance(value, dict) or set(value) - {"share"} != expected:
        got = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise AnswerError(f"A goal must be a dict with exactly the keys {sorted(expected)} (and 'share' once "
                          f"chosen); got {got}.")
    clean = {field: check_field(field, value[field]) for field in FIELDS}
    if not isinstance(value["created"], str):
        raise AnswerError(f"A goal's 'created' must be an ISO date-time string, not {value['created']!r}.")
    clean["created"] = value["created"]
    if "share" in value:
        clean["share"] = check_field("share", value["share"])
    return clean


def format_date(iso: str) -> str:
    """``2027-03-03`` as ``3 March 2027`` (the same in every locale)."""
    day = date.fromisoformat(iso)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# -- the goal as one sentence ------------------------------------------------------------------------
# Learner text is placed inside our own sentence, so it is first made to fit there: whitespace
# folded, end stops and wrapping quotes dropped, sentence breaks inside it turned into "; ", a
# lead-in that repeats ours ("I will", "because") taken off, and a lone "i" written "I".
_ACTION_LEADS = ("i will ", "i'll ", "i shall ", "i am going to ", "i'm going to ", "i want to ", "i would like to ",
                 "i'd like to ", "i plan to ", "i hope to ", "my goal is to ", "will ", "to ")
_WHY_LEADS = {"because of ": "because of", "because ": "because", "cause ": "because",
              "since ": "because", "so that ": "so that", "so ": "so that", "for ": "for",
              "in order to ": "because I want to", "to ": "because I want to"}
_RESOURCE_LEADS = ("i can draw on ", "i will draw on ", "i'll draw on ", "draw on ", "i can use ")
# the first word of an action that is a thing rather than a deed ("a walk each day")
_NOUN_STARTS = {"a", "an", "the", "my", "more", "less", "some", "one", "two", "three", "each", "every", "daily",
                "weekly", "regular", "better", "new", "morning", "evening"}


# "-ing" words that are not a verb's -ing form
_NOT_GERUNDS = {"bring", "sing", "ring", "string", "swing", "cling", "fling", "sting", "wring", "spring", "thing",
                "something", "nothing", "everything", "anything", "king", "morning", "evening", "during"}


def _fit(text: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > 1 and text[0] in "\"'“‘" and text[-1] in "\"'”’":
        text = text[1:-1].strip()  # the whole answer in quotes
    # a second sentence inside an answer ("Walk daily. Then rest.") joins ours with a semicolon
    text = re.sub(r"(?<=[a-z]{2})[.!?]+\s+([A-Z])(?=[a-z])", lambda m: "; " + m.group(1).lower(), text)
    text = re.sub(r"[\s.!?;:,]+$", "", text).lstrip(" ;,.-–—")
    return re.sub(r"\bi\b", "I", text)


def _without_lead(text: str, leads: Any) -> tuple[str, str]:
    """``(text without its lead-in, the lead found or "")``, taking off repeated leads ("I will to walk")."""
    found = ""
    changed = True
    while changed:
        changed = False
        for lead in leads:
            word = lead.rstrip(": ")
            rest = text[len(word):]
            if text.lower().startswith(word) and rest[:1] in (" ", ":", ",") and rest.strip(" :,"):
                text, found, changed = rest.lstrip(" :,"), found or lead, True
                break
    if text.lower() in {lead.rstrip(": ") for lead in leads} | {"i"}:
        return "", found or text  # nothing but a lead-in: nothing said yet
    return text, found


def _lower_first(text: str) -> str:
    # "Walk to the park" reads "I will walk to the park"; "NHS app" and "I" keep their capitals
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not re.match(r"I\b", text):
        return text[0].lower() + text[1:]
    return text


def _action_clause(text: str) -> str:
    text = _lower_first(_without_lead(_fit(text), _ACTION_LEADS)[0])
    first = text.split(" ", 1)[0].lower() if text else ""
    if first.endswith("ing") and len(first) > 4 and first not in _NOT_GERUNDS:
        return f"start {text}"  # "walking to the park" -> "I will start walking to the park"
    if first in _NOUN_STARTS or first[:1].isdigit():
        return f"work towards {text}"  # "a walk each morning" -> "I will work towards a walk each morning"
    return text


def _why_clause(text: str) -> str:
    text, lead = _without_lead(_fit(text), _WHY_LEADS)
    text = _lower_first(text)
    return f"{_WHY_LEADS.get(lead, 'because')} {text}" if text else ""


# words that make an answer a clause of its own ("my neighbour could come with me"), not a thing to draw on
_CLAUSE_VERBS = {"can", "could", "will", "would", "may", "might", "should", "shall", "must", "is", "are", "was",
                 "were", "has", "have", "does", "helps", "gives", "lets", "comes", "walks", "reminds", "joins"}


def _resources_clause(text: str) -> str:
    """What the learner can draw on, fitted after "I can draw on"; an answer that is a sentence of its own
    ("my neighbour could come with me") follows "this:" instead, so it never reads "draw on my neighbour could"."""
    text = _lower_first(_without_lead(_fit(text), _RESOURCE_LEADS)[0])
    words = re.findall(r"[a-z']+", text.lower())
    for before, word in zip(words, words[1:]):
        if word in _CLAUSE_VERBS and before not in {"who", "which", "that", "and", "or"}:
            return f"this: {text}"
    return text


def goal_statement(goal: dict[str, Any]) -> str:
    """The goal in whole sentences; parts not filled in yet are left out (a blank goal gives "").

    Whatever the learner typed, each sentence has our own subject and verb: lead-ins we
    add ourselves are not doubled ("I will I will"), end stops are not doubled, and an
    answer that names a thing rather than a deed still reads as a sentence.
    """
    action = _action_clause(goal.get("action", ""))
    why = _why_clause(goal.get("why", ""))
    resources = _resources_clause(goal.get("resources", ""))
    sentences = []
    if action:
        sentences.append(f"I will {action}" + (f" {why}" if why else "") + ".")
    elif why:
        sentences.append(f"This matters to me {why}.")
    if resources:
        sentences.append(f"I can draw on {resources}.")
    start, end = goal.get("start", ""), goal.get("end", "")
    if start and end:
        sentences.append(f"I will start on {format_date(start)} and finish by {format_date(end)}.")
    elif start:
        sentences.append(f"I will start on {format_date(start)}.")
    elif end:
        sentences.append(f"I will finish by {format_date(end)}.")
    return " ".join(sentences)


def goal_problems(goal: dict[str, Any], today: date | None = None) -> dict[str, str]:
    """``{criterion id: what is still open, in words}`` for the criteria the goal does not meet yet."""
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
    return problems


def criteria_met(goal: dict[str, Any], today: date | None = None) -> list[str]:
    """The ids of the SMART criteria the goal meets, in SMART order."""
    problems = goal_problems(goal, today)
    return [criterion for criterion in CRITERIA if criterion not in problems]


def goal_report(goal: dict[str, Any], *, names: dict[str, str] | None = None,
                today: date | None = None) -> dict[str, Any]:
    """What is still open in a goal, in words.

    Returns ``{"complete": bool, "missing": [criterion names], "messages": [sentences],
    "statement": str}``; ``statement`` is empty until the goal is complete. ``names``
    maps criterion ids to the names shown (the exercise's item texts).
    """
    names = {**{key: key.replace("_", "-").capitalize() for key in CRITERION_FIELDS}, **(names or {})}
    problems = goal_problems(goal, today)
    return {
        "complete": not problems,
        "missing": [names[key] for key in CRITERIA if key in problems],
        "messages": [f"{names[key]}: {problems[key]}" for key in CRITERIA if key in problems],
        "statement": "" if problems else goal_statement(goal),
    }


SUMMARY_COLUMNS = ["item", "text", "met", "goals", "learners"]


class SmartGoal(Kind):
    name = "smart_goal"
    widget = "peerkit.widgets.smart_goal:SmartGoalBuilder"
    chart_style = "goals"
    item_pattern = GOAL_ID.pattern
    learner_items = True
    item_hint = "a goal id (G- and 8 hex digits)"
    done_with_any_answer = True
    share_per_answer = True
    open_text = True
    research_value_type = "object"
    max_chars = MAX_TEXT
    share_note = "only goals you marked “share”"
    share_one = ("Share this goal with my group. It appears in my group's list of goals without my code name, "
                 "once at least five people have shared one; my trainer reads it under my code name, never my "
                 "name, and may show it on the room's screen, without my code name.")
    share_who = ("Only the goals you mark “share” go, as one sentence. Your group's chart lists them, without your "
                 "code name, once at least five people have shared a goal; your trainer reads them under your code "
                 "name, never your name, and may show them on the room's screen, without your code name.")

    def check_value(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        check_goal(value)

    def shared_value(self, exercise: "Exercise", item_id: str, value: Any) -> tuple[bool, Any]:
        if not self.is_valid(exercise, item_id, value) or value.get("share") is not True:
            return False, None
        text = goal_statement(value)
        if not text:
            return False, None  # nothing written yet: nothing to share
        return True, {"text": text, "criteria": criteria_met(value)}

    def check_shared(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        self.check_item(exercise, item_id)
        if not (isinstance(value, dict) and set(value) == {"text", "criteria"}):
            raise AnswerError(f'A shared goal must be {{"text": "...", "criteria": [...]}}, not {str(value)[:80]!r}.')
        text, criteria = value["text"], value["criteria"]
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_SHARED_TEXT:
            raise AnswerError(f"A shared goal's text must be a sentence of at most {MAX_SHARED_TEXT:,} characters.")
        if (not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria)
                or len(set(criteria)) != len(criteria) or set(criteria) - set(CRITERIA)):
            raise AnswerError(f"A shared goal's criteria must be a list of {', '.join(CRITERIA)}, each once; "
                              f"not {str(criteria)[:80]!r}.")

    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """Per SMART criterion: how many shared goals meet it, of how many goals from how many people.

        ``rows`` hold shared goals (``{"text", "criteria"}``); a learner's own stored goals
        count too if they were ticked "share". Rows that are neither are left out.
        """
        import pandas as pd

        data = answer_rows(rows)
        met = data.apply(lambda row: self._met(exercise, row["item"], row["value"]), axis=1) if len(data) else []
        data = data.assign(met=list(met))
        data = data[data["met"].notna()].drop_duplicates(["learner", "item"], keep="last")
        names = {item.id: item.text for item in exercise.items}
        out = []
        for criterion in CRITERIA:
            out.append({"item": criterion, "text": names.get(criterion, criterion.replace("_", "-").capitalize()),
                        "met": int(sum(criterion in met for met in data["met"])),
                        "goals": int(len(data)), "learners": int(data["learner"].nunique())})
        return pd.DataFrame(out, columns=SUMMARY_COLUMNS)

    def _met(self, exercise: "Exercise", item_id: Any, value: Any) -> list[str] | None:
        try:
            self.check_shared(exercise, item_id, value)
            return list(value["criteria"])
        except AnswerError:
            ok, shared = self.shared_value(exercise, item_id, value) if isinstance(item_id, str) else (False, None)
            return list(shared["criteria"]) if ok else None


KIND = SmartGoal()
