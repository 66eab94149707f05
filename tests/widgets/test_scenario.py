"""The scenario widget's Python side: the path is saved like any answer, feedback comes from the kernel."""
from __future__ import annotations

import pytest

from peerkit.kinds._kind import RATHER_NOT
from peerkit.store import LocalStore
from peerkit.widgets import widget_for
from peerkit.widgets._base import SAVED_TEXT, STATIC
from peerkit.widgets.scenario import ScenarioWidget


def test_the_front_end_gets_turns_without_feedback_or_where_they_lead(store: LocalStore) -> None:
    talk = ScenarioWidget("scenario_bad_week", store=store)
    assert [turn["id"] for turn in talk.items] == talk.exercise.item_ids
    for turn in talk.items:
        assert set(turn) == {"id", "text", "scene", "said", "options"}
        assert all(set(o) == {"value", "label"} for o in turn["options"])
    assert talk.situation["said"].startswith("Honestly")
    assert talk.next_turn == "T1" and talk.path == [] and talk.feedback == {} and talk.ending == {}
    assert not talk.sensitive and talk.content_note == ""


def test_each_choice_gets_its_feedback_and_leads_on_then_an_end_with_its_debrief(store: LocalStore) -> None:
    talk = ScenarioWidget("scenario_bad_week", store=store)
    talk.choose("T1", "advice")
    assert talk.feedback["T1"]["heading"] == "This gets in the way."
    assert "fixing" in talk.feedback["T1"]["text"] and talk.feedback["T1"]["label"].startswith("\"Have you")
    assert talk.next_turn == "T1B"                        # a poor response shows its effect
    talk.choose("T1B", "repair")
    talk.choose("T2", "ask_share")
    assert talk.next_turn == "T3" and not talk.done
    talk.choose("T3", "summarise")
    assert talk.path == ["T1", "T1B", "T2", "T3"] and talk.next_turn == ""
    assert talk.ending["title"] == "Sam felt heard" and "reflecting" in talk.ending["debrief"]
    assert talk.done


def test_the_path_is_saved_through_the_background_saver_and_shown_again(store: LocalStore) -> None:
    talk = ScenarioWidget("scenario_bad_week", store=store)
    talk.choose("T1", "reflect")
    assert talk.status == "Saving\u2026" and talk.save_state == "saving"     # said at once, before the write
    talk.choose("T2", "keep_private")
    assert talk.wait_until_saved()
    assert talk.status == SAVED_TEXT and talk.save_state == "saved"
    assert store.answers("scenario_bad_week") == {"T1": "reflect", "T2": "keep_private"}
    again = ScenarioWidget("scenario_bad_week", store=LocalStore(store.path))   # after a kernel restart
    assert again.path == ["T1", "T2"] and again.next_turn == "T3" and set(again.feedback) == {"T1", "T2"}


def test_go_back_and_try_another_path_remove_choices_from_the_store(store: LocalStore) -> None:
    talk = ScenarioWidget("scenario_bad_week", store=store)
    for turn, value in (("T1", "advice"), ("T1B", "repair"), ("T2", "compare")):
        talk.choose(turn, value)
    talk.back()
    assert talk.path == ["T1", "T1B"] and talk.next_turn == "T2" and "T2" not in talk.feedback
    assert talk.wait_until_saved()
    assert store.answers("scenario_bad_week") == {"T1": "advice", "T1B": "repair"}
    # choosing differently earlier drops the turns the new path does not visit
    talk.answers = {"T1": "reflect", "T1B": "repair"}
    assert talk.answers == {"T1": "reflect"} and talk.next_turn == "T2"
    talk.restart()
    assert talk.path == [] and talk.next_turn == "T1"
    assert talk.wait_until_saved()
    assert store.answers("scenario_bad_week") == {}


def test_front_end_messages_go_back_and_restart(store: LocalStore) -> None:
    talk = ScenarioWidget("scenario_bad_week", store=store)
    talk.choose("T1", "reflect")
    talk.choose("T2", "ask_share")
    talk._on_front_end_message(talk, {"type": "back"}, [])
    assert talk.path == ["T1"]
    talk._on_front_end_message(talk, {"type": "restart"}, [])
    assert talk.path == []


def test_a_refused_choice_is_said_and_sent_back(store: LocalStore) -> None:
    talk = ScenarioWidget("scenario_bad_week", store=store)
    talk.set_state({"answers": {"T1": "not_a_response"}})
    assert talk.answers == {} and talk.status.startswith("That change was not saved.")
    assert "not one of the responses at turn 'T1'" in talk.status
    talk.set_state({"answers": {"T1": RATHER_NOT}})          # not offered outside sensitive scenarios
    assert talk.answers == {} and "offered only in exercises about sensitive things" in talk.status


def test_rather_not_ends_a_sensitive_scenario_gently_and_is_never_shared(store: LocalStore) -> None:
    talk = widget_for("scenario_not_here", store=store)
    assert talk.sensitive and "findahelpline.com" in talk.help and talk.content_note
    talk.choose("T1", "listen")
    talk.rather_not()
    assert talk.path == ["T1", "T2"] and talk.feedback["T2"]["quality"] == "rather_not"
    assert talk.ending["id"] == "RATHER_NOT" and "completely fine" in talk.ending["debrief"]
    assert talk.done
    assert talk.wait_until_saved()
    assert store.answers("scenario_not_here") == {"T1": "listen", "T2": RATHER_NOT}
    from peerkit.kinds import kind_of

    kind = kind_of("scenario")
    assert kind.shared_value(talk.exercise, "T2", RATHER_NOT) == (False, None)


def test_deleting_every_answer_empties_the_scenario(store: LocalStore) -> None:
    talk = ScenarioWidget("scenario_bad_week", store=store)
    talk.choose("T1", "reflect")
    assert talk.wait_until_saved()
    talk._clear_after_delete()
    assert talk.answers == {} and talk.path == [] and talk.next_turn == "T1" and talk.ending == {}


def test_the_front_end_sets_text_only_and_moves_focus_to_the_feedback() -> None:
    source = (STATIC / "scenario.js").read_text(encoding="utf-8")
    assert ".innerHTML" not in source and "insertAdjacentHTML" not in source
    assert "block.focus()" in source and 'setAttribute("aria-live", "polite")' in source
    assert 'createElement("fieldset")' in source and 'createElement("legend")' in source


@pytest.mark.parametrize("exercise_id", ["scenario_bad_week", "scenario_not_here", "scenario_gift"])
def test_every_path_can_be_taken_in_the_widget(exercise_id: str, store: LocalStore) -> None:
    from peerkit.kinds.scenario import paths

    talk = ScenarioWidget(exercise_id, store=store)
    for path in paths(talk.exercise)[:25]:
        talk.restart()
        for turn, value in path[:-1]:
            assert talk.next_turn == turn
            talk.choose(turn, value)
            assert talk.feedback[turn]["text"]
        assert talk.ending["id"] == path[-1][0]
