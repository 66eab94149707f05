"""A scenario is a sound graph: every path ends, no turn is a dead end, none is out of reach.

Checked two ways: :func:`peerkit.kinds.scenario.graph_problems` over every shipped
scenario file, and over generated graphs, sound ones (which it must pass, and whose
every path a learner could take is walked to an end by the widget's own rule) and
broken ones (a circle, a response leading nowhere, a turn nobody reaches), which it
must catch.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerkit.errors import ContentError
from peerkit.exercises import exercise_ids, load_exercise, parse_exercise
from peerkit.kinds import kind_of
from peerkit.kinds.scenario import ends_of, graph_problems, paths, walk

SCENARIOS = [e for e in exercise_ids() if load_exercise(e).kind == "scenario"]
QUALITIES = ("helpful", "mixed", "unhelpful")


def definition(turns: dict[str, list[str]], ends: list[str], start: str = "T0") -> dict:
    """A scenario file with these turns ({turn: [where each response leads]}) and ends."""
    return {
        "id": "scenario_generated", "kind": "scenario", "title": "Generated", "chapter": "05_language_and_sharing",
        "instructions": "Pick a response.", "skill": "listening", "source": "chapter 5",
        "situation": {"who": "Someone", "said": "Hello."}, "start": start,
        "items": [{"id": turn, "text": f"What do you say at {turn}?",
                   "options": [{"value": f"r{i}", "label": f"Response {i}", "quality": QUALITIES[i % 3],
                                "feedback": f"Feedback {i}.", "next": following}
                               for i, following in enumerate(leads)]}
                  for turn, leads in turns.items()],
        "ends": [{"id": end, "title": end, "debrief": "Debrief."} for end in ends],
    }


@st.composite
def sound_graphs(draw: st.DrawFn) -> dict:
    """A layered graph: each response leads to a later turn or an end, and every node has a way in.

    Each turn after the first and each end is first given a parent among the earlier turns (one with
    room left: at most four responses); the rest of every turn's three or four responses lead anywhere later.
    """
    count = draw(st.integers(1, 7))
    turns = [f"T{i}" for i in range(count)]
    ends = [f"END_{i}" for i in range(draw(st.integers(1, 3)))]
    leads: dict[str, list[str]] = {turn: [] for turn in turns}
    for node in turns[1:] + ends:
        earlier = turns[:turns.index(node)] if node in turns else turns
        parent = draw(st.sampled_from([t for t in earlier if len(leads[t]) < 4]))
        leads[parent].append(node)
    for index, turn in enumerate(turns):
        later = turns[index + 1:] + ends
        size = draw(st.integers(max(3, len(leads[turn])), 4))
        leads[turn] += draw(st.lists(st.sampled_from(later), min_size=size - len(leads[turn]),
                                     max_size=size - len(leads[turn])))
        leads[turn] = draw(st.permutations(leads[turn]))
    return definition(leads, ends)


def sound(exercise) -> None:
    """What every scenario must be, checked by the kind's rule and by walking every path as a learner would."""
    assert graph_problems(exercise) == [], exercise.id
    ends = ends_of(exercise)
    every = paths(exercise)
    assert every, f"{exercise.id}: no path from the start reaches an end"
    reached_turns = {turn for path in every for turn, _ in path[:-1]}
    reached_ends = {path[-1][0] for path in every}
    assert reached_turns == set(exercise.item_ids), f"{exercise.id}: unreachable turns"
    assert reached_ends == set(ends), f"{exercise.id}: unreachable ends"
    kind = kind_of(exercise)
    for path in every:
        answers = dict(path[:-1])
        taken = walk(exercise, answers)
        assert taken.done and taken.end == path[-1][0] and taken.next_turn is None
        assert kind.is_done(exercise, answers)
        # one step short of the end is not done: the next turn is the one the path goes on to
        shorter = dict(path[:-2])
        assert not kind.is_done(exercise, shorter) and walk(exercise, shorter).next_turn == path[-2][0]
    for item in exercise.items:  # no dead turn: 3 or 4 responses, each leading on
        assert 3 <= len(item.details["options"]) <= 4, (exercise.id, item.id)


@pytest.mark.parametrize("exercise_id", SCENARIOS)
def test_every_shipped_scenario_is_a_sound_graph(exercise_id: str) -> None:
    sound(load_exercise(exercise_id))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(sound_graphs())
def test_generated_sound_graphs_pass_and_every_path_ends(raw: dict) -> None:
    sound(parse_exercise(raw))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(sound_graphs(), st.data())
def test_a_circle_is_caught(raw: dict, data: st.DataObject) -> None:
    # a response that leads back to a turn on the way to it (or to itself) makes a circle
    path = data.draw(st.sampled_from(paths(parse_exercise(raw))))
    on_the_way = [turn for turn, _ in path[:-1]]
    at = data.draw(st.integers(0, len(on_the_way) - 1))
    back_to = data.draw(st.sampled_from(on_the_way[:at + 1]))
    item = next(i for i in raw["items"] if i["id"] == on_the_way[at])
    item["options"][data.draw(st.integers(0, len(item["options"]) - 1))]["next"] = back_to
    assert any("go round in a circle" in p for p in graph_problems(parse_exercise(raw)))


@given(sound_graphs(), st.data())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_a_response_leading_nowhere_is_caught(raw: dict, data: st.DataObject) -> None:
    item = data.draw(st.sampled_from(raw["items"]))
    item["options"][-1]["next"] = "NOWHERE"
    assert any("neither a turn nor an end" in p for p in graph_problems(parse_exercise(raw)))


@given(sound_graphs())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_an_unreachable_turn_is_caught(raw: dict) -> None:
    raw["items"].append({"id": "ORPHAN", "text": "Nobody gets here.", "options": raw["items"][0]["options"]})
    assert any("'ORPHAN' cannot be reached" in p for p in graph_problems(parse_exercise(raw)))


def test_a_dead_turn_is_refused_by_the_schema() -> None:
    raw = definition({"T0": ["END_0", "END_0", "END_0"]}, ["END_0"])
    raw["items"][0]["options"] = raw["items"][0]["options"][:2]  # two responses: too few to practise a choice
    with pytest.raises(ContentError, match="items/0/options"):
        parse_exercise(raw)
    raw["items"][0]["options"] = []
    with pytest.raises(ContentError):
        parse_exercise(raw)


def test_the_widget_refuses_a_broken_scenario(add_exercise, store) -> None:
    from peerkit.widgets.scenario import ScenarioWidget

    raw = definition({"T0": ["T1", "END_0", "END_0"], "T1": ["T0", "END_0", "END_0"]}, ["END_0"])
    raw["id"] = "scenario_circle"
    add_exercise(raw)
    with pytest.raises(ContentError, match="circle"):
        ScenarioWidget("scenario_circle", store=store)
