"""The scenario kind's rules: valid and invalid answers, done means an end, only choices are shared.

The graph itself (every path ends, no dead or unreachable turn) is in test_scenario_graph.py.
"""
from __future__ import annotations

import pandas as pd
import pytest

from peerkit.course_progress import chapter_progress
from peerkit.errors import AnswerError
from peerkit.exercises import exercise_ids, load_exercise
from peerkit.kinds import kind_of
from peerkit.kinds._kind import RATHER_NOT
from peerkit.kinds.scenario import SUMMARY_COLUMNS, feedback_for, walk
from peerkit.store import LocalStore

SCENARIOS = [e for e in exercise_ids() if load_exercise(e).kind == "scenario"]
LISTENING = load_exercise("scenario_bad_week")      # not sensitive
SAFETY = load_exercise("scenario_not_here")         # sensitive
KIND = kind_of("scenario")


def rows(*answers: tuple[str, str, object]) -> pd.DataFrame:
    return pd.DataFrame(answers, columns=["learner", "item", "value"])


def test_there_are_six_scenarios_in_the_chapters_that_teach_the_skills() -> None:
    chapters = sorted(load_exercise(e).chapter for e in SCENARIOS)
    assert len(SCENARIOS) >= 6
    assert {"02_boundaries", "03_empowerment_and_recovery", "04_trauma_informed_support",
            "05_language_and_sharing", "06_strengths_risk_and_self_care"} <= set(chapters)
    assert chapters.count("02_boundaries") >= 2


@pytest.mark.parametrize("turn, value", [("T1", "reflect"), ("T1", "advice"), ("T2", "ask_share"), ("T1B", "repair")])
def test_a_response_of_the_turn_is_valid(turn: str, value: str) -> None:
    KIND.check_answer(LISTENING, turn, value)


@pytest.mark.parametrize("turn, value, words", [
    ("T1", "ask_share", "not one of the responses at turn 'T1'"),   # a response of another turn
    ("T1", ["reflect"], "is the response you picked"),              # a knowledge check's list
    ("T1", 1, "is the response you picked"),
    ("T1", None, "is the response you picked"),
    ("T1", RATHER_NOT, "offered only in exercises about sensitive things"),
    ("T9", "reflect", "has no item 'T9'"),
    ("END_HEARD", "reflect", "has no item 'END_HEARD'"),            # an end is not something to answer
])
def test_an_invalid_answer_is_refused_in_plain_words(turn: str, value: object, words: str) -> None:
    with pytest.raises(AnswerError, match=words.replace("(", r"\(").replace(")", r"\)")):
        KIND.check_answer(LISTENING, turn, value)


def test_rather_not_is_valid_at_every_turn_of_a_sensitive_scenario() -> None:
    for turn in SAFETY.item_ids:
        KIND.check_answer(SAFETY, turn, RATHER_NOT)
    assert walk(SAFETY, {"T1": RATHER_NOT}).done
    assert KIND.is_done(SAFETY, {"T1": "listen", "T2": RATHER_NOT})
    assert feedback_for(SAFETY, "T2", RATHER_NOT)["quality"] == "rather_not"


def test_every_sensitive_scenario_has_a_content_note_and_the_help_line() -> None:
    sensitive = [load_exercise(e) for e in SCENARIOS if load_exercise(e).details.get("sensitive")]
    assert {e.id for e in sensitive} >= {"scenario_not_here"}
    for exercise in sensitive:
        assert exercise.details["content_note"]
        assert "findahelpline.com" in exercise.details["help"] and "emergency number" in exercise.details["help"]


def test_done_means_an_end_was_reached() -> None:
    assert not KIND.is_done(LISTENING, {})
    assert not KIND.is_done(LISTENING, {"T1": "reflect", "T2": "ask_share"})        # on the way
    assert KIND.is_done(LISTENING, {"T1": "reflect", "T2": "ask_share", "T3": "summarise"})
    assert KIND.is_done(LISTENING, {"T1": "advice", "T1B": "more_advice"})           # a poor end is an end
    # a choice off the path does not make the path end
    assert not KIND.is_done(LISTENING, {"T1": "reflect", "T1B": "more_advice"})
    assert KIND.answered(LISTENING, {"T1": "reflect", "T1B": "more_advice"}) == 1
    # item ids alone cannot say where a path went
    assert not KIND.is_done(LISTENING, ["T1", "T2", "T3"])


def test_progress_counts_a_scenario_done_only_at_an_end(store: LocalStore) -> None:
    def done() -> bool:
        frame = chapter_progress(store)
        return bool(frame.loc[frame.exercise == "scenario_bad_week", "done"].item())

    store.save("scenario_bad_week", "T1", "reflect")
    store.save("scenario_bad_week", "T2", "ask_share")
    assert not done()
    store.save("scenario_bad_week", "T3", "summarise")
    assert done()


def test_only_chosen_responses_are_shared_never_rather_not() -> None:
    assert KIND.shared_value(LISTENING, "T1", "reflect") == (True, "reflect")
    assert KIND.shared_value(SAFETY, "T1", RATHER_NOT) == (False, None)
    assert KIND.shared_value(LISTENING, "T1", "nonsense") == (False, None)
    KIND.check_shared(LISTENING, "T1", "reflect")
    with pytest.raises(AnswerError, match="never shared"):
        KIND.check_shared(SAFETY, "T1", RATHER_NOT)
    with pytest.raises(AnswerError):
        KIND.check_shared(LISTENING, "T1", {"text": "my own words"})  # no free text, ever
    assert not KIND.open_text and KIND.max_chars is None


def test_the_summary_counts_each_response_per_turn_with_its_feedback() -> None:
    data = rows(("a", "T1", "reflect"), ("b", "T1", "reflect"), ("c", "T1", "advice"), ("c", "T1B", "repair"),
                ("d", "T1", "nonsense"), ("e", "T1", RATHER_NOT))
    summary = KIND.summarise(LISTENING, data)
    assert list(summary.columns) == SUMMARY_COLUMNS
    t1 = summary[summary["item"] == "T1"].set_index("value")
    assert list(t1.index) == ["reflect", "advice", "at_least", "question"]    # every response, file order
    assert t1.loc["reflect", "count"] == 2 and t1.loc["advice", "count"] == 1 and t1.loc["at_least", "count"] == 0
    assert set(t1["n"]) == {3}                                              # rather not and nonsense never count
    assert t1.loc["advice", "quality"] == "unhelpful" and "fixing" in t1.loc["advice", "feedback"]
    t1b = summary[summary["item"] == "T1B"]
    assert set(t1b["n"]) == {1}                                             # n per turn: branches differ
    assert summary.loc[summary["item"] == "T3", "n"].eq(0).all()


def test_the_summary_of_a_sensitive_scenario_never_counts_rather_not() -> None:
    summary = KIND.summarise(SAFETY, rows(("a", "T1", RATHER_NOT), ("b", "T1", "listen")))
    t1 = summary[summary["item"] == "T1"]
    assert RATHER_NOT not in set(t1["value"]) and set(t1["n"]) == {1}


def test_research_facts() -> None:
    from peerkit.research.instruments import instrument, counted

    record = instrument("scenario_bad_week")
    assert counted(record) and record["value_type"] == "string"
    first = record["items"][0]
    assert [o["value"] for o in first["options"]] == ["reflect", "advice", "at_least", "question"]
    assert all(o["feedback"] and o["quality"] and o["next"] for o in first["options"])


def test_the_codebook_lists_every_option_with_its_feedback() -> None:
    from peerkit.research.codebook import codebook
    from peerkit.research.instruments import instrument

    text = codebook({"scenario_bad_week": instrument("scenario_bad_week")},
                    {"title": "t", "tier": "microdata", "min_cell": 5})
    for item in LISTENING.items:
        for o in item.details["options"]:
            row = next(line for line in text.splitlines() if line.startswith(f"| `{o['value']}` |")
                       and o["feedback"][:30] in line)
            assert o["next"] in row and o["quality"] in row


def test_the_server_takes_a_chosen_response_and_refuses_rather_not() -> None:
    from peerkit.server.checking import AnswerRefused, check_shared, count_keys

    assert check_shared("scenario_bad_week", "T1", "reflect") == '"reflect"'
    assert count_keys("scenario", '"reflect"') == ('"reflect"',)       # one count per response, per turn
    assert check_shared("scenario_bad_week", "T1", None) is None        # going back: a withdrawal
    with pytest.raises(AnswerRefused, match="never shared"):
        check_shared("scenario_not_here", "T1", RATHER_NOT)
    with pytest.raises(AnswerRefused, match="not one of the responses"):
        check_shared("scenario_bad_week", "T1", "ask_share")
