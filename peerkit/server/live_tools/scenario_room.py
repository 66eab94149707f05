"""A practice conversation run together in the room (issue 23 part 4).

The trainer pushes a scenario (kind ``scenario``) to the room (:func:`push`); it
goes on the room's screen, and every learner's live panel and phone page offer it
("Your trainer started a practice conversation"). Learners answer in their notebook
or on the phone, as they answer any scenario: their choices reach the server only if
they ticked sharing for it, one count per response per turn (``count_keys``), and
"rather not" never (the kind refuses it in ``check_shared``).

The room goes through the conversation one turn at a time:

- the room's screen shows the turn and, once at least the cohort's
  ``min_group_size`` people chose at that turn, how many chose each response
  (the group view, :func:`peerkit.server.aggregates.answers_view`, withholds a turn
  under the threshold: no count, share or n of it is ever put in the page);
- the trainer reveals the feedback for every response (:func:`reveal`), so the group
  can talk about each;
- the trainer moves on (:func:`go_on`): by default along the helpful response, or to
  where any response of the turn leads, up to an end and its debrief.

One run is open per cohort (pushing another ends it). The runs stay for the session
report (:func:`for_report`): each turn the room saw, how it chose (if enough people
chose) and the feedback. No row here points at a learner.
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ...exercises import ContentError, course_exercises, load_exercise
from ...kinds import kind_of
from ...kinds.scenario import QUALITY_WORDS, ends_of
from ...timestamps import format_moment, now
from .. import db
from ..aggregates import answers_view, current_item_respondents, read_counts
from ..problems import Problem
from ..revisions import changed
from .tables import SCREENS, session_state

#: The room's screen that shows the conversation (one of :data:`.tables.SCREENS`). Named for the activity, not
#: for the exercise kind (migration 0009 renamed the screen it had been stored as).
SCREEN = "conversation"
if SCREEN not in SCREENS:  # pragma: no cover - a guard for whoever edits the screens' list
    raise RuntimeError("the room's screens must include the practice conversation")

# added by migration 0008_scenarios
scenario_runs = sa.Table(
    "scenario_runs", db.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.String(32), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),  # a scenario exercise id
    sa.Column("node", sa.String(64), nullable=False),  # the turn (or end) the room is at
    sa.Column("shown", sa.Text, nullable=False),  # JSON list of the turns and ends the room saw, in order
    sa.Column("revealed", sa.Text, nullable=False),  # JSON list of the turns whose feedback was shown
    sa.Column("status", sa.String(8), nullable=False),  # "open" or "ended"
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("ended_at", sa.String(40)),
    sa.Index("scenario_runs_by_cohort", "cohort_id", "status"),
)


def scenarios() -> list[tuple[str, str, str]]:
    """``[(exercise id, title, chapter)]`` of every scenario in the course, in course order."""
    return [(definition.id, definition.title, definition.chapter) for definition in course_exercises()
            if kind_of(definition).branching]  # a practice conversation


def _scenario(exercise: Any) -> Any:
    if isinstance(exercise, str):
        try:
            definition = load_exercise(exercise)
        except ContentError:
            definition = None
        if definition is not None and kind_of(definition).branching:
            return definition
    raise Problem(422, "no-such-conversation", "No such practice conversation",
                  "Choose one of the course's practice conversations.")


def current(conn: sa.Connection, cohort_id: str) -> Any:
    """The cohort's open run, or None."""
    return conn.execute(sa.select(scenario_runs).where(scenario_runs.c.cohort_id == cohort_id,
                                                      scenario_runs.c.status == "open")
                        .order_by(scenario_runs.c.id.desc())).first()


def _open_run(conn: sa.Connection, cohort_id: str) -> Any:
    run = current(conn, cohort_id)
    if run is None:
        raise Problem(409, "no-conversation", "No practice conversation running",
                      "Start a practice conversation in the room first.")
    return run


def _show_screen(conn: sa.Connection, cohort_id: str) -> None:
    """Put the conversation on the room's screen (the row :func:`.session_state.set_screen` keeps; written here,
    since session_state asks this module for the learners' part)."""
    db.upsert(conn, session_state, {"cohort_id": cohort_id, "screen": SCREEN, "screen_exercise": None,
                                    "screen_page": 0}, ("cohort_id",),
              replace=("screen", "screen_exercise", "screen_page"))


# -- the trainer's moves (each inside a write transaction with the cohort locked) ---------------

def push(conn: sa.Connection, cohort: Any, exercise: Any) -> dict[str, Any]:
    """Start ``exercise`` in the room at its first turn and put it on the room's screen (any open run ends)."""
    definition = _scenario(exercise)
    stamp = format_moment(now())
    conn.execute(sa.update(scenario_runs).where(scenario_runs.c.cohort_id == cohort.id,
                                                scenario_runs.c.status == "open")
                 .values(status="ended", ended_at=stamp))
    start = str(definition.details.get("start") or definition.items[0].id)
    conn.execute(sa.insert(scenario_runs).values(
        cohort_id=cohort.id, exercise=definition.id, node=start, shown=db.dumps([start]), revealed=db.dumps([]),
        status="open", started_at=stamp))
    _show_screen(conn, cohort.id)
    changed(conn, cohort.id)
    return trainer_part(conn, cohort)


def reveal(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    """Show the feedback for every response of the room's turn (course text: no threshold needed)."""
    run = _open_run(conn, cohort.id)
    definition = load_exercise(run.exercise)
    if run.node not in definition.item_ids:
        raise Problem(409, "conversation-ended", "The conversation has ended", "An end has no responses to explain.")
    revealed = json.loads(run.revealed)
    if run.node not in revealed:
        conn.execute(sa.update(scenario_runs).where(scenario_runs.c.id == run.id)
                     .values(revealed=db.dumps(revealed + [run.node])))
        changed(conn, cohort.id)
    return trainer_part(conn, cohort)


def main_line(definition: Any, turn: str) -> str:
    """Where the turn's first helpful response leads (the first response's, if none is helpful)."""
    options = definition.item(turn).details.get("options", [])
    helpful = [o for o in options if o.get("quality") == "helpful"]
    return str((helpful or options)[0]["next"])


def go_on(conn: sa.Connection, cohort: Any, to: Any = None) -> dict[str, Any]:
    """Move the room on from its turn: to ``to`` (where one of the turn's responses leads) or along the helpful
    response (:func:`main_line`)."""
    run = _open_run(conn, cohort.id)
    definition = load_exercise(run.exercise)
    if run.node not in definition.item_ids:
        raise Problem(409, "conversation-ended", "The conversation has ended",
                      "This conversation reached an end. Start it again or choose another.")
    leads = [str(o["next"]) for o in definition.item(run.node).details.get("options", [])]
    if to in (None, ""):
        to = main_line(definition, run.node)
    if to not in leads:
        raise Problem(422, "no-such-turn", "No such turn", "Choose where one of this turn's responses leads.")
    shown = json.loads(run.shown)
    conn.execute(sa.update(scenario_runs).where(scenario_runs.c.id == run.id)
                 .values(node=to, shown=db.dumps(shown + [to])))
    _show_screen(conn, cohort.id)
    changed(conn, cohort.id)
    return trainer_part(conn, cohort)


def end(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    """Close the room's conversation (it stays in the session report)."""
    run = _open_run(conn, cohort.id)
    conn.execute(sa.update(scenario_runs).where(scenario_runs.c.id == run.id)
                 .values(status="ended", ended_at=format_moment(now())))
    changed(conn, cohort.id)
    return {"conversation": None}


# -- what each audience sees ---------------------------------------------------------------------

def _turn(definition: Any, view: Any, turn: str, revealed: bool) -> dict[str, Any]:
    """One turn as the room sees it: each response with its count and share only when the group view shows the
    turn, and its feedback only when ``revealed``."""
    item = definition.item(turn)
    counts = view.counts(turn) if view is not None else None
    shares = view.percentages(turn) if counts is not None else None
    options = []
    for o in item.details.get("options", []):
        options.append({"value": o["value"], "label": o["label"], "quality": o["quality"],
                        "heading": QUALITY_WORDS[o["quality"]] if revealed else "",
                        "feedback": o["feedback"] if revealed else "",
                        "n": None if counts is None else int(counts.get(o["value"], 0)),
                        "percent": None if shares is None else int(shares.get(o["value"], 0))})
    return {"kind": "turn", "id": turn, "text": item.text, "scene": item.details.get("scene", ""),
            "said": item.details.get("said", ""), "options": options, "shown": counts is not None,
            "n": view.item_n(turn) if counts is not None else None, "revealed": revealed}


def _node(definition: Any, view: Any, node: str, revealed: list[str]) -> dict[str, Any]:
    if node in definition.item_ids:
        return _turn(definition, view, node, node in revealed)
    found = ends_of(definition).get(node, {})
    return {"kind": "end", "id": node, "title": found.get("title", ""), "debrief": found.get("debrief", "")}


def _view(conn: sa.Connection, cohort: Any, exercise: str) -> Any:
    return answers_view(read_counts(conn, cohort, exercise), exercise, int(cohort.min_group_size))


def _run_part(conn: sa.Connection, cohort: Any, run: Any) -> dict[str, Any]:
    definition = load_exercise(run.exercise)
    shown, revealed = json.loads(run.shown), json.loads(run.revealed)
    situation = {"who": "", "setting": "", "said": "", **definition.details.get("situation", {})}
    return {"run": int(run.id), "exercise": definition.id, "title": definition.title,
            "skill": definition.details.get("skill", ""), "source": definition.details.get("source", ""),
            "situation": situation, "number": len(shown),
            "node": _node(definition, _view(conn, cohort, definition.id), run.node, revealed),
            "min_group_size": int(cohort.min_group_size)}


def projector_part(conn: sa.Connection, cohort: Any) -> dict[str, Any] | None:
    """The room's screen: the turn, the counts if enough chose, the feedback once revealed; None without a run."""
    run = current(conn, cohort.id)
    return None if run is None else _run_part(conn, cohort, run)


def trainer_part(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    """The console's: what the room sees (``conversation``), where each response leads (to move on) and the
    course's practice conversations to start (``conversations``)."""
    run = current(conn, cohort.id)
    part: dict[str, Any] = {"conversation": None, "conversations": [{"id": e, "title": t, "chapter": c}
                                                                   for e, t, c in scenarios()]}
    if run is None:
        return part
    shown = _run_part(conn, cohort, run)
    definition = load_exercise(run.exercise)
    if run.node in definition.item_ids:
        places = {**{item.id: item.text for item in definition.items},
                  **{key: f"The end: {end['title']}" for key, end in ends_of(definition).items()}}
        leads: list[dict[str, Any]] = []
        for letter, o in zip("ABCD", definition.item(run.node).details.get("options", [])):
            lead = next((lead for lead in leads if lead["to"] == o["next"]), None)
            if lead is None:
                leads.append({"to": str(o["next"]), "words": places.get(o["next"], o["next"]), "after": [letter],
                              "main": o["next"] == main_line(definition, run.node)})
            else:
                lead["after"].append(letter)
        shown["leads"] = leads
        # how many chose at this turn, for the trainer alone, and only as "not yet enough"
        # (with the count changes not yet folded in, on PostgreSQL)
        people = sum(int(row.n) for row in current_item_respondents(conn, cohort.id, definition.id)
                     if row.item == run.node)
        shown["waiting_for"] = max(0, int(cohort.min_group_size) - people)
    part["conversation"] = shown
    return part


def learner_part(conn: sa.Connection, cohort_id: str) -> dict[str, Any] | None:
    """What a learner's panel and phone page are told: which conversation the room is doing, and its turn."""
    run = current(conn, cohort_id)
    if run is None:
        return None
    try:
        definition = load_exercise(run.exercise)
    except ContentError:
        return None
    shown = json.loads(run.shown)
    return {"exercise": definition.id, "title": definition.title, "chapter": definition.chapter,
            "turn": run.node if run.node in definition.item_ids else None,
            "number": len(shown), "ended": run.node not in definition.item_ids}


def for_report(conn: sa.Connection, cohort: Any) -> list[dict[str, Any]]:
    """Every conversation the room ran: per turn it saw, how it chose (only if enough chose) and the feedback."""
    runs = conn.execute(sa.select(scenario_runs).where(scenario_runs.c.cohort_id == cohort.id)
                        .order_by(scenario_runs.c.id)).all()
    found = []
    for run in runs:
        try:
            definition = load_exercise(run.exercise)
        except ContentError:
            continue
        view = _view(conn, cohort, definition.id)
        nodes = [_node(definition, view, node, list(definition.item_ids)) for node in json.loads(run.shown)]
        found.append({"title": definition.title, "skill": definition.details.get("skill", ""),
                      "source": definition.details.get("source", ""), "started_at": run.started_at,
                      "nodes": nodes})
    return found

