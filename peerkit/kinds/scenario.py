"""Practice conversations (kind ``scenario``): a situation, then turns where the learner picks a response.

A scenario file describes a person and what they just said (``situation``), then
*turns* (its ``items``): at each one the learner picks one of three or four
responses (``options``). Every response has feedback, saying what it does well or
badly for the skill the chapter teaches, and leads on (``next``) to another turn or
to an *end* (``ends``), which closes the conversation with a short debrief. A poor
response may lead to a turn that shows its effect.

Stored shape: one answer per turn on the learner's path, ``item`` = the turn id,
``value`` = the chosen option's value. The path is read by walking from the
``start`` turn through the stored choices (:func:`walk`); going back removes the
last choice, so what is stored is the path taken. In a file that says
``"sensitive": true``, :data:`~peerkit.kinds._kind.RATHER_NOT` ("I'd rather not
answer") is a valid answer at every turn: it ends the scenario gently, counts as
done, and never leaves the computer.

Done means an end was reached (or "rather not" chosen on the way). Only the
chosen responses may be shared: a scenario has no free text.

>>> from peerkit.exercises import load_exercise
>>> from peerkit.kinds import kind_of
>>> scenario = load_exercise("scenario_bad_week")
>>> kind_of(scenario).is_valid(scenario, "T1", "reflect")
True
>>> walk(scenario, {"T1": "reflect"}).next_turn
'T2'
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import AnswerError
from ._kind import RATHER_NOT, Kind, answer_rows

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise, Item

#: What a group summary holds: per turn and response, how many chose it and the feedback the room discusses.
SUMMARY_COLUMNS = ["item", "text", "value", "label", "quality", "feedback", "next", "count", "n", "share"]
#: The words a response's quality is shown with (never by colour alone).
QUALITY_WORDS = {"helpful": "This helps.", "mixed": "Partly helpful.", "unhelpful": "This gets in the way."}
#: The words of "I'd rather not" in a practice conversation, where it stops the conversation (the other kinds
#: say :data:`peerkit.kinds._kind.RATHER_NOT_LABEL`).
STOP_LABEL = "I'd rather not go on with this one"
RATHER_NOT_END = {
    "id": "RATHER_NOT",
    "title": "You chose to stop here",
    "debrief": ("That is completely fine. Practising a heavy conversation is optional, and stopping is a good use "
                "of the choice this course gives you. You can come back to it later, or not at all."),
}


def options_of(exercise: "Exercise", turn_id: str) -> list[dict[str, Any]]:
    """A turn's responses (dicts with value, label, quality, feedback, next), in file order."""
    return list(exercise.item(turn_id).details.get("options", []))


def option(exercise: "Exercise", turn_id: str, value: str) -> dict[str, Any]:
    """One response of a turn; :class:`AnswerError` if the turn has no such response."""
    for candidate in options_of(exercise, turn_id):
        if candidate["value"] == value:
            return candidate
    raise AnswerError(f"{value!r} is not a response at turn {turn_id!r} of {exercise.id!r}.")


def ends_of(exercise: "Exercise") -> dict[str, dict[str, Any]]:
    """The scenario's ends by id: ``{"title", "debrief"}`` each."""
    return {end["id"]: end for end in exercise.details.get("ends", [])}


def is_sensitive(exercise: "Exercise") -> bool:
    """Whether the file says ``"sensitive": true`` (:attr:`peerkit.exercises.Exercise.sensitive`)."""
    return exercise.sensitive


def rather_not_end(exercise: "Exercise") -> dict[str, Any]:
    """What the learner reads after choosing "rather not": the file's own words, or the course's."""
    own = exercise.details.get("rather_not_end") or {}
    return {**RATHER_NOT_END, **own, "id": RATHER_NOT_END["id"]}


@dataclass(frozen=True)
class Walk:
    """Where a learner's stored choices lead, from the start turn.

    ``turns``: the answered turns on the path, in order; ``next_turn``: the turn to answer
    now (None once an end is reached); ``end``: the end reached (an id of ``ends``, or
    ``RATHER_NOT``), else None. ``off_path``: stored turns the path no longer visits.
    """

    turns: tuple[str, ...]
    next_turn: str | None
    end: str | None
    off_path: tuple[str, ...] = ()

    @property
    def done(self) -> bool:
        return self.end is not None


def walk(exercise: "Exercise", answers: Mapping[str, Any]) -> Walk:
    """Follow the stored choices from the start turn (invalid or missing ones stop the walk there)."""
    kind = KIND
    turn: str | None = exercise.details.get("start") or (exercise.item_ids[0] if exercise.items else None)
    path: list[str] = []
    end: str | None = None
    while turn is not None and turn not in path:
        value = answers.get(turn)
        if value is None or not kind.is_valid(exercise, turn, value):
            break
        path.append(turn)
        if value == RATHER_NOT:
            end, turn = RATHER_NOT_END["id"], None
            break
        following = option(exercise, turn, value)["next"]
        if following in ends_of(exercise):
            end, turn = following, None
            break
        turn = following
    if turn is not None and turn in path:  # a loop (a malformed file): stop rather than go round
        turn = None
    off = tuple(item for item in exercise.item_ids if item in answers and item not in path)
    return Walk(tuple(path), turn, end, off)


def graph_problems(exercise: "Exercise") -> list[str]:
    """What is wrong with a scenario's turns and ends, in plain words ([] for a sound one).

    Every response leads to a turn or an end; the start is a turn; every turn and every end
    can be reached from the start; no path goes round in a circle, so every path ends;
    option values are unique within a turn and none is the reserved ``rather_not``.
    """
    problems: list[str] = []
    turns = {item.id: item for item in exercise.items}
    ends = ends_of(exercise)
    start = exercise.details.get("start")
    for clash in sorted(set(turns) & set(ends)):
        problems.append(f"{clash!r} is both a turn and an end.")
    if start not in turns:
        problems.append(f"The start {start!r} is not a turn (turns: {', '.join(turns)}).")
        return problems
    for item in exercise.items:
        values = [o["value"] for o in item.details.get("options", [])]
        if len(set(values)) != len(values):
            problems.append(f"Turn {item.id!r} repeats a response value ({values}).")
        if RATHER_NOT in values:
            problems.append(f"Turn {item.id!r} uses {RATHER_NOT!r} as a response value; it is kept for "
                            "\"I'd rather not answer\".")
        for o in item.details.get("options", []):
            if o.get("next") not in turns and o.get("next") not in ends:
                problems.append(f"Response {o.get('value')!r} at turn {item.id!r} leads to {o.get('next')!r}, "
                                "which is neither a turn nor an end.")
    # reachability and circles, by a depth-first walk from the start
    seen: set[str] = set()
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        seen.add(node)
        if node in turns:
            for o in turns[node].details.get("options", []):
                following = o.get("next")
                if following not in turns and following not in ends:
                    continue
                if state.get(following) == "open":
                    problems.append(f"Turns {' -> '.join([*trail, node, following])} go round in a circle, "
                                    "so that path never ends.")
                elif following not in state:
                    visit(following, [*trail, node])
        state[node] = "closed"

    visit(start, [])
    for node in [*turns, *ends]:
        if node not in seen:
            what = "Turn" if node in turns else "End"
            problems.append(f"{what} {node!r} cannot be reached from the start {start!r}.")
    return problems


def paths(exercise: "Exercise", limit: int = 10_000) -> list[tuple[tuple[str, str], ...]]:
    """Every path from the start to an end, as ((turn, value), ...) with the end last as (end, "").

    For tests and the trainer's overview; stops after ``limit`` paths.
    """
    ends = ends_of(exercise)
    found: list[tuple[tuple[str, str], ...]] = []

    def go(turn: str, trail: tuple[tuple[str, str], ...]) -> None:
        if len(found) >= limit or any(turn == step[0] for step in trail):
            return
        for o in options_of(exercise, turn):
            step = (*trail, (turn, o["value"]))
            if o["next"] in ends:
                found.append((*step, (o["next"], "")))
            else:
                go(o["next"], step)

    start = exercise.details.get("start")
    if start in exercise.item_ids:
        go(start, ())
    return found


class Scenario(Kind):
    name = "scenario"
    widget = "peerkit.widgets.scenario:ScenarioWidget"
    chart_style = "options"
    options_per_item = True
    branching = True
    #: "rather not" at every turn of a sensitive scenario (the one rule in :meth:`Kind.check_answer`)
    offers_rather_not = True
    share_note = ("Only the response you picked at each turn is shared, never your name; \"I'd rather not\" is "
                  "never shared.")

    # -- answers -----------------------------------------------------------------------------
    def check_value(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        values = [o["value"] for o in options_of(exercise, item_id)]
        if not isinstance(value, str):
            raise AnswerError(f"An answer at turn {item_id!r} is the response you picked (one of "
                              f"{', '.join(values)}), not {value!r}.")
        if value not in values:
            raise AnswerError(f"{value!r} is not one of the responses at turn {item_id!r} "
                              f"(they are: {', '.join(values)}).")

    # -- progress -----------------------------------------------------------------------------
    def answered(self, exercise: "Exercise", items: Iterable[str]) -> int:
        """The turns on the learner's path (given values), else the stored turns."""
        if isinstance(items, Mapping):
            return len(walk(exercise, items).turns)
        return len(set(items) & set(exercise.item_ids))

    def is_done(self, exercise: "Exercise", items: Iterable[str]) -> bool:
        """Done when the stored choices reach an end. Item ids alone cannot say where a path went:
        given no values, a scenario is not done."""
        if isinstance(items, Mapping):
            return walk(exercise, items).done
        return False

    # -- sharing ------------------------------------------------------------------------------
    def shared_value(self, exercise: "Exercise", item_id: str, value: Any) -> tuple[bool, Any]:
        """A chosen response goes out as it is; "rather not" and anything invalid never do."""
        if value == RATHER_NOT or not self.is_valid(exercise, item_id, value):
            return False, None
        return True, value

    def check_shared(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        if value == RATHER_NOT:
            raise AnswerError("\"I'd rather not answer\" stays on the learner's computer: it is never shared "
                              "or counted.")
        self.check_answer(exercise, item_id, value)

    def form_view(self, exercise: "Exercise") -> dict[str, Any]:
        """See :func:`form_view` (module level)."""
        return form_view(exercise)

    # -- group summaries ------------------------------------------------------------------------
    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """Per turn and response: how many chose it of ``n`` who answered that turn, with its feedback.

        A turn is reached only along some paths, so ``n`` is per turn (a view hides a turn fewer
        than the minimum answered). "Rather not" and invalid values are never counted.
        """
        import pandas as pd

        data = answer_rows(rows)
        data = data[[value != RATHER_NOT and self.is_valid(exercise, item, value)
                     for item, value in zip(data["item"], data["value"])]]
        data = data.drop_duplicates(["learner", "item"], keep="last")
        out = []
        for item in exercise.items:
            answers = data.loc[data["item"] == item.id, "value"]
            n = int(answers.size)
            for o in item.details.get("options", []):
                count = int((answers == o["value"]).sum())
                out.append({"item": item.id, "text": item.text, "value": o["value"], "label": o["label"],
                            "quality": o["quality"], "feedback": o["feedback"], "next": o["next"],
                            "count": count, "n": n, "share": count / n if n else float("nan")})
        return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


def form_view(exercise: "Exercise") -> dict[str, Any]:
    """Everything a plain form needs to run the scenario turn by turn (the phone page; the room's projector).

    Plain data, in file order: the situation, each turn with every response's label, quality, feedback
    heading, feedback and where it leads, the ends, and what "rather not" says (None unless sensitive).
    """
    details = exercise.details
    return {
        "id": exercise.id, "title": exercise.title, "instructions": exercise.instructions,
        "skill": details.get("skill", ""), "source": details.get("source", ""),
        "sensitive": is_sensitive(exercise), "content_note": details.get("content_note", ""),
        "help": details.get("help", ""),
        "situation": {"who": "", "setting": "", "said": "", **details.get("situation", {})},
        "start": details.get("start", ""),
        "turns": [{"id": item.id, "text": item.text, "scene": item.details.get("scene", ""),
                   "said": item.details.get("said", ""),
                   "options": [{"value": o["value"], "label": o["label"], "quality": o["quality"],
                                "heading": QUALITY_WORDS[o["quality"]], "feedback": o["feedback"], "next": o["next"]}
                               for o in item.details.get("options", [])]}
                  for item in exercise.items],
        "ends": [dict(end) for end in details.get("ends", [])],
        "rather_not": ({"value": RATHER_NOT, "label": STOP_LABEL, "end": rather_not_end(exercise)}
                       if is_sensitive(exercise) else None),
    }


def feedback_for(exercise: "Exercise", item: "Item | str", value: str) -> dict[str, str]:
    """What the learner reads after picking ``value`` at a turn: ``{"quality", "heading", "text"}``."""
    turn_id = item if isinstance(item, str) else item.id
    if value == RATHER_NOT:
        return {"quality": "rather_not", "heading": "You chose not to go on.", "text": ""}
    chosen = option(exercise, turn_id, value)
    return {"quality": chosen["quality"], "heading": QUALITY_WORDS[chosen["quality"]], "text": chosen["feedback"]}


KIND = Scenario()
