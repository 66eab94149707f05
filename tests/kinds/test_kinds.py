"""The registry of exercise kinds: every kind complete, every rule said in plain words."""
from __future__ import annotations

import importlib
import inspect
import json
import re
from datetime import date, timedelta

import pandas as pd
import pytest

from peerkit.answers import check_answer, is_valid_answer
from peerkit.client.sharing import shared_rows, shared_value
from peerkit.errors import AnswerError, ContentError
from peerkit.exercises import SCHEMAS_DIR, exercise_ids, load_exercise
from peerkit.kinds import Kind, all_kinds, kind_names, kind_of
from peerkit.kinds.smart_goal import MAX_TEXT, blank_goal, goal_statement
from peerkit.store import LocalStore

SOON = (date.today() + timedelta(days=1)).isoformat()
LATER = (date.today() + timedelta(days=60)).isoformat()
CHART_STYLES = {"diverging", "profile", "options", "texts", "goals"}


@pytest.fixture
def new_learner(tmp_path):
    """``new_learner("ana")`` -> a LocalStore of its own."""
    return lambda name: LocalStore(tmp_path / "learners" / name / "answers.sqlite")


def goal(**fields) -> dict:
    return {**blank_goal(), "action": "walk to the park three mornings a week", "why": "it clears my head",
            "resources": "my neighbour", "realistic": True, "start": SOON, "end": LATER, **fields}


# -- the registry is complete ---------------------------------------------------------------------
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_every_exercise_kind_has_a_module_a_schema_and_a_widget(exercise_id: str) -> None:
    exercise = load_exercise(exercise_id)
    kind = kind_of(exercise)
    assert kind is kind_of(exercise.kind)
    assert importlib.import_module(f"peerkit.kinds.{kind.name}").KIND is kind
    assert (SCHEMAS_DIR / kind.schema).is_file()
    module, cls = kind.widget.split(":")
    widget = getattr(importlib.import_module(module), cls)
    assert inspect.isclass(widget)


def test_every_schema_belongs_to_a_kind_and_every_kind_states_its_facts() -> None:
    assert sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS_DIR.glob("*.schema.json")) == kind_names()
    for kind in all_kinds():
        assert isinstance(kind, Kind) and kind.chart_style in CHART_STYLES, kind
        re.compile(kind.item_pattern)
        # the widget is a string, so no kind module imports the widget layer
        assert isinstance(kind.widget, str) and not kind.widget.startswith("peerkit.kinds")


def test_an_unknown_kind_is_named_with_the_known_ones() -> None:
    with pytest.raises(ContentError, match="no exercise kind 'poll'.*choice_matrix"):
        kind_of("poll")


def test_an_exercise_file_with_an_unknown_kind_is_refused(add_exercise) -> None:
    with pytest.raises(ContentError, match="'kind' is 'poll'; it must be one of: choice_matrix"):
        load_exercise(add_exercise({"id": "odd", "kind": "poll", "title": "t", "chapter": "01_x",
                                    "instructions": "i", "items": [{"id": "A", "text": "a"}]}))


def test_pk_exercise_picks_the_widget_the_kind_names(store: LocalStore) -> None:
    import peerkit as pk

    for exercise_id in ("boundaries", "smart_goal", "welcome_reflection"):
        widget = pk.exercise(exercise_id, store=store)
        assert f"{type(widget).__module__}:{type(widget).__name__}" == kind_of(load_exercise(exercise_id)).widget


# -- each kind's answer rule -------------------------------------------------------------------------
VALID = [
    ("boundaries", "B01", "maybe"),
    ("core_skills", "C01", 1),
    ("core_skills", "C01", 5),
    ("boundaries_check", "Q1", ["b"]),
    ("welcome_reflection", "R1", {"text": "I hope to listen.", "share": False}),
    ("welcome_reflection", "R1", {"text": "x" * 5_000, "share": True}),
    ("recovery_language", "L1", "She lives with schizophrenia."),
    ("recovery_language", "L1", "x" * 5_000),
    ("smart_goal", "G-0123abcd", goal()),
    ("smart_goal", "G-0123abcd", goal(share=True)),
    ("smart_goal", "G-0123abcd", blank_goal()),  # a draft is stored too
]
INVALID = [
    ("boundaries", "B01", "sometimes", "Choose one of: 'never', 'maybe', 'always'"),
    ("boundaries", "B99", "never", "no item 'B99'"),
    ("core_skills", "C01", True, "True is a yes/no, not on the scale"),  # True == 1 in Python
    ("core_skills", "C01", False, "not on the scale"),
    ("core_skills", "C01", 3.0, "Choose one of: 1, 2, 3, 4, 5"),
    ("core_skills", "C01", "3", "Choose one of"),
    ("core_skills", "C01", 6, "Choose one of"),
    ("boundaries_check", "Q1", "b", "must be a list of chosen options"),
    ("boundaries_check", "Q1", [], "must be a list of chosen options"),
    ("boundaries_check", "Q1", ["z"], "not an option of question 'Q1'"),
    ("boundaries_check", "Q1", ["a", "b"], "takes one answer"),
    ("boundaries_check", "Q1", ["b", "b"], "picks an option twice"),
    ("welcome_reflection", "R1", "bare text", "A reflection must be"),
    ("welcome_reflection", "R1", {"text": "  ", "share": False}, "empty: it must hold words"),
    ("welcome_reflection", "R1", {"text": "x" * 5_001, "share": False}, "the limit is 5,000"),
    ("welcome_reflection", "R1", {"text": "hi", "share": 1}, "must be True or False"),
    ("welcome_reflection", "R1", {"text": "hi", "share": False, "extra": 1}, "A reflection must be"),
    ("recovery_language", "L1", ["x"], "A reframe must be text"),
    ("recovery_language", "L1", "", "empty: it must hold words"),
    ("recovery_language", "L1", "x" * 5_001, "the limit is 5,000"),
    ("smart_goal", "B10", goal(), "not a goal id"),
    ("smart_goal", "G-0123ABCD", goal(), "not a goal id"),
    ("smart_goal", "G-0123abcd", {"action": "x"}, "exactly the keys"),
    ("smart_goal", "G-0123abcd", goal(realistic=1), "must be True or False"),
    ("smart_goal", "G-0123abcd", goal(share="yes"), "must be True or False"),
    ("smart_goal", "G-0123abcd", goal(action="x" * (MAX_TEXT + 1)), "the limit is 2,000"),
    ("smart_goal", "G-0123abcd", goal(start="3/3/2027"), "must be a date like 2027-03-03"),
]


@pytest.mark.parametrize(("exercise_id", "item", "value"), VALID)
def test_valid_answers_pass(exercise_id: str, item: str, value) -> None:
    exercise = load_exercise(exercise_id)
    check_answer(exercise, item, value)
    assert is_valid_answer(exercise, item, value)
    exercise.check_value(item, value)  # the same rule, reached from the definition


@pytest.mark.parametrize(("exercise_id", "item", "value", "message"), INVALID)
def test_invalid_answers_are_refused_in_plain_words(exercise_id: str, item: str, value, message: str) -> None:
    exercise = load_exercise(exercise_id)
    with pytest.raises(AnswerError, match=re.escape(message)) as caught:
        check_answer(exercise, item, value)
    text = str(caught.value)
    assert "Traceback" not in text and "<class" not in text and len(text) < 400
    assert not is_valid_answer(exercise, item, value)


def test_done_rules_come_from_the_kind() -> None:
    boundaries, reflection, goals = (load_exercise(e) for e in ("boundaries", "welcome_reflection", "smart_goal"))
    matrix = kind_of(boundaries)
    assert not matrix.is_done(boundaries, boundaries.item_ids[:-1])
    assert matrix.is_done(boundaries, boundaries.item_ids)
    assert matrix.answered(boundaries, ["B01", "NOT_AN_ITEM"]) == 1
    assert not kind_of(reflection).is_done(reflection, [])
    assert kind_of(reflection).is_done(reflection, ["R1"])
    assert kind_of(goals).is_done(goals, ["G-0123abcd"]) and kind_of(goals).answered(goals, ["G-0123abcd"]) == 1


# -- what is shared, and in what form --------------------------------------------------------------------
def test_nothing_is_shared_by_default() -> None:
    from peerkit.client.sharing import check_share, default_share

    assert default_share() == [] and check_share(None) == []


def test_smart_goal_shares_only_when_ticked(store: LocalStore) -> None:
    ticked, unticked, never_chosen = "G-0000000a", "G-0000000b", "G-0000000c"
    store.save("smart_goal", ticked, goal(share=True))
    store.save("smart_goal", unticked, goal(share=False, action="call my sister every Sunday"))
    store.save("smart_goal", never_chosen, goal(action="read one chapter a week"))
    rows = shared_rows(store, ["smart_goal"])
    assert [row["item"] for row in rows] == [ticked]
    value = rows[0]["value"]
    assert value == {"text": goal_statement(goal()),
                     "criteria": ["SPECIFIC", "MEANINGFUL", "ACHIEVABLE", "REALISTIC", "TIME_LIMITED"]}
    assert "created" not in value and "share" not in value  # the sentence and the structure, nothing else
    assert shared_rows(store, []) == []  # a ticked goal of an exercise not shared stays home


def test_a_draft_goal_shares_the_criteria_it_meets() -> None:
    exercise = load_exercise("smart_goal")
    ok, value = shared_value(exercise, "G-0000000a", goal(share=True, resources="", end=""))
    assert ok and value["criteria"] == ["SPECIFIC", "MEANINGFUL", "REALISTIC"]
    assert value["text"] == f"I will walk to the park three mornings a week because it clears my head. " \
                            f"I will start on {pd.Timestamp(SOON).day} {pd.Timestamp(SOON):%B %Y}."
    assert shared_value(exercise, "G-0000000a", {**blank_goal(), "share": True}) == (False, None)


@pytest.mark.parametrize(("exercise_id", "item", "value"), VALID)
def test_what_is_shared_passes_the_check_of_what_may_be_received(exercise_id: str, item: str, value) -> None:
    # submission files and the cohort server check received values with check_shared
    exercise = load_exercise(exercise_id)
    kind = kind_of(exercise)
    ok, sent = kind.shared_value(exercise, item, value)
    if ok:
        kind.check_shared(exercise, item, sent)
        json.dumps(sent)


def test_reflections_share_only_their_text_when_ticked() -> None:
    exercise = load_exercise("welcome_reflection")
    assert shared_value(exercise, "R1", {"text": "mine", "share": True}) == (True, {"text": "mine"})
    assert shared_value(exercise, "R1", {"text": "mine", "share": False}) == (False, None)
    assert shared_value(exercise, "R1", {"text": "x" * 6_000, "share": True}) == (False, None)


def test_a_submission_file_carries_a_shared_goal(new_learner, tmp_path) -> None:
    from peerkit.client.membership import join, write_submission
    from peerkit.cohort.handin import load_submissions

    ana = new_learner("ana")
    ana.save("smart_goal", "G-0000000a", goal(share=True))
    ana.save("smart_goal", "G-0000000b", goal())
    join(ana, "cohort-abcdefgh", share=["smart_goal"])
    accepted, rejected = load_submissions([write_submission(ana, tmp_path / "s.json")], cohort="cohort-abcdefgh")
    assert rejected == [] and [r["item"] for r in accepted[0].responses] == ["G-0000000a"]


@pytest.mark.parametrize("value", [
    {"text": "I will walk.", "criteria": ["SOMETIMES"]},
    {"text": "", "criteria": []},
    {"text": "I will walk.", "criteria": ["SPECIFIC", "SPECIFIC"]},
    {"text": "I will walk.", "criteria": ["SPECIFIC"], "why": "private"},
])
def test_a_received_goal_must_be_in_shared_form(value) -> None:
    exercise = load_exercise("smart_goal")
    with pytest.raises(AnswerError, match="shared goal"):
        kind_of(exercise).check_shared(exercise, "G-0000000a", value)


# -- the SMART sentence ------------------------------------------------------------------------------
ODD = {
    "action": ["To walk every day.", "I'll walk  every\nday!!!", "Walking to the park", "a walk each morning",
               "will call my sister?", "bring my lunch to work", '"Walk daily"', "i will walk when i can",
               "I will to walk", "Walk daily. Then rest on Sundays.", "I", "i'll", "3 walks a week"],
    "why": ["So that I sleep better", "to feel calmer", "Because: it helps", "for my health.", "because",
            "Because because it helps", "I want to be there for my kids", "It clears my head..."],
    "resources": ["I can draw on my friend.", "Draw on: my sister", "NHS app", "I can draw on", "   ",
                  "my neighbour could come with me", "My sister will remind me."],
}


@pytest.mark.parametrize(("field", "text"), [(f, t) for f, texts in ODD.items() for t in texts])
def test_the_goal_sentence_stays_grammatical(field: str, text: str) -> None:
    statement = goal_statement(goal(**{field: text}))
    sentences = re.split(r"(?<=\.) ", statement)
    for sentence in sentences:
        assert re.match(r"^(I will|I can draw on|This matters to me) ", sentence), statement
        assert sentence.endswith(".") and not sentence.endswith("..") and sentence.count(". ") == 0, statement
    lowered = statement.lower()
    for doubled in ("i will i", "will will", "because because", "draw on draw on", "to to ", "  ", " .", "?", "!"):
        assert doubled not in lowered, (doubled, statement)
    assert "I can draw on ." not in statement and "because ." not in statement


def test_a_resource_written_as_a_sentence_still_reads_as_one() -> None:
    """Issue 22: "I can draw on my neighbour could come with me"."""
    statement = goal_statement(goal(resources="my neighbour could come with me"))
    assert "I can draw on this: my neighbour could come with me." in statement
    assert "I can draw on my neighbour, who walks too." in goal_statement(goal(resources="my neighbour, who walks too"))


def test_the_goal_sentence_leaves_out_what_is_not_written() -> None:
    assert goal_statement(blank_goal()) == ""
    assert goal_statement({**blank_goal(), "resources": "my sister"}) == "I can draw on my sister."
    assert goal_statement({**blank_goal(), "why": "so I sleep"}) == "This matters to me so that I sleep."


# -- summaries: pure pandas, tidy in and out ------------------------------------------------------------
def rows(*answers: tuple[str, str, object]) -> pd.DataFrame:
    return pd.DataFrame(answers, columns=["learner", "item", "value"])


def test_choice_summary_counts_per_item_with_uneven_groups() -> None:
    exercise = load_exercise("boundaries")
    data = rows(("a", "B01", "never"), ("b", "B01", "maybe"), ("c", "B01", "maybe"), ("a", "B02", "always"),
                ("d", "B01", "sometimes"))  # not on the scale: left out
    summary = kind_of(exercise).summarise(exercise, data)
    b01 = summary[summary["item"] == "B01"].set_index("value")
    assert b01["count"].to_dict() == {"never": 1, "maybe": 2, "always": 0} and set(b01["n"]) == {3}
    assert b01.loc["maybe", "share"] == pytest.approx(2 / 3)
    assert summary.loc[summary["item"] == "B02", "n"].tolist() == [1, 1, 1]
    assert summary.loc[summary["item"] == "B03", "n"].tolist() == [0, 0, 0]
    assert len(summary) == len(exercise.items) * len(exercise.scale)


def test_rating_summary_ignores_ticks_posing_as_ratings() -> None:
    exercise = load_exercise("core_skills")
    summary = kind_of(exercise).summarise(exercise, rows(("a", "C01", 2), ("b", "C01", 4), ("c", "C01", True)))
    c01 = summary.set_index("item").loc["C01"]
    assert (c01["n"], c01["mean"], c01["lowest"], c01["highest"]) == (2, 3.0, 2, 4)
    assert summary.set_index("item").loc["C02", "n"] == 0


def test_knowledge_check_summary_counts_each_option() -> None:
    exercise = load_exercise("boundaries_check")
    summary = kind_of(exercise).summarise(exercise, rows(("a", "Q1", ["b"]), ("b", "Q1", ["a"]), ("c", "Q1", "b")))
    q1 = summary[summary["item"] == "Q1"].set_index("value")
    assert q1["count"].to_dict() == {"a": 1, "b": 1, "c": 0, "d": 0} and set(q1["n"]) == {2}
    assert q1.loc["b", "correct"] and not q1.loc["a", "correct"]


def test_text_summaries_list_only_what_was_shared() -> None:
    exercise = load_exercise("welcome_reflection")
    data = rows(("a", "R1", {"text": "shared"}), ("b", "R1", {"text": "own, ticked", "share": True}),
                ("c", "R1", {"text": "own, not ticked", "share": False}), ("d", "R2", 5))
    summary = kind_of(exercise).summarise(exercise, data)
    assert summary["text"].tolist() == ["shared", "own, ticked"] and summary["n"].tolist() == [2, 2]


def test_goal_summary_counts_shared_goals_per_criterion() -> None:
    exercise = load_exercise("smart_goal")
    kind = kind_of(exercise)
    full = kind.shared_value(exercise, "G-0000000a", goal(share=True))[1]
    draft = kind.shared_value(exercise, "G-0000000b", goal(share=True, resources=""))[1]
    data = rows(("a", "G-0000000a", full), ("a", "G-0000000b", draft), ("b", "G-0000000c", full),
                ("c", "G-0000000d", goal()), ("d", "G-0000000e", {"text": "x", "criteria": ["NOPE"]}))
    summary = kind.summarise(exercise, data).set_index("item")
    assert summary["met"].to_dict() == {"SPECIFIC": 3, "MEANINGFUL": 3, "ACHIEVABLE": 2, "REALISTIC": 3,
                                        "TIME_LIMITED": 3}
    assert set(summary["goals"]) == {3} and set(summary["learners"]) == {2}
    assert summary.loc["TIME_LIMITED", "text"] == "Time-limited"


# -- a learner shares a SMART goal and sees it in the group view -----------------------------------------
def test_a_shared_goal_appears_in_the_group_view(new_learner) -> None:
    from peerkit.widgets.group_comparison import GroupComparison
    from peerkit.widgets.smart_goal import SmartGoalBuilder

    frames = []
    for number in range(5):
        learner = new_learner(f"learner{number}")
        builder = SmartGoalBuilder(store=learner)
        goal_id = builder.new_goal()
        for field, value in goal(action=f"walk <b>{number}</b> times to the park a week").items():
            if field not in ("created", "share"):
                builder.set_field(field, value)
        builder.set_share(goal_id, True)
        private = builder.new_goal()
        builder.set_field("action", "a secret plan I keep to myself")
        assert private not in {row["item"] for row in shared_rows(learner, ["smart_goal"])}
        frames.append(pd.DataFrame(shared_rows(learner, ["smart_goal"])).assign(learner=f"p-{number}"))
    group = pd.concat(frames, ignore_index=True)

    view = GroupComparison("smart_goal", store=new_learner("learner0"), group=group)
    html = view.view.value
    assert "I will walk &lt;b&gt;3&lt;/b&gt; times to the park a week" in html  # escaped, never markup
    assert "<b>3</b>" not in html and "secret plan" not in html
    assert "5 of 5" in html and "Time-limited" in html
    assert "5 goals shared by 5 people" in view.summary

    too_few = GroupComparison("smart_goal", store=new_learner("learner0"), group=group[group["learner"] != "p-0"])
    assert "fewer than 5 answers" in too_few.view.value and "I will walk" not in too_few.view.value
    assert "fewer than 5 answers" in too_few.summary
