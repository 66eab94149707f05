"""SMART goals: saved at every change, checked gently, listed, edited and deleted."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from peerkit.widgets._base import front_end
from peerkit.errors import AnswerError
from peerkit.store import LocalStore
from peerkit.widgets.smart_goal import (
    SmartGoalBuilder,
    check_goal,
    format_date,
    goal_report,
    goal_statement,
)
from tests.support.store import store_locked

SOON = (date.today() + timedelta(days=1)).isoformat()
LATER = (date.today() + timedelta(days=60)).isoformat()


def fill(builder: SmartGoalBuilder) -> None:
    builder.set_field("action", "Walk to the park three mornings a week.")
    builder.set_field("why", "Because it clears my head")
    builder.set_field("resources", "my neighbour, who walks too")
    builder.set_field("realistic", True)
    builder.set_field("start", SOON)
    builder.set_field("end", LATER)


def test_the_exercise_has_the_five_criteria_in_order(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    names = [c["text"] for c in builder.criteria]
    assert names == ["Specific", "Meaningful", "Achievable", "Realistic", "Time-limited"]
    assert builder.exercise.chapter == "03_empowerment_and_recovery"
    assert builder.goals == [] and builder.editing == ""


def test_every_change_is_saved_at_once(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    goal_id = builder.new_goal()
    assert goal_id.startswith("G-") and len(goal_id) == 10
    assert store.answers("smart_goal") == {}  # an empty goal is not stored
    builder.set_field("action", "Call my sister")
    stored = LocalStore(store.path).answers("smart_goal")[goal_id]
    assert stored["action"] == "Call my sister" and stored["realistic"] is False and stored["end"] == ""
    assert set(stored) == {"action", "why", "resources", "realistic", "start", "end", "created"}
    builder.set_field("end", date(2099, 1, 31))
    assert LocalStore(store.path).answers("smart_goal")[goal_id]["end"] == "2099-01-31"


def test_feedback_names_each_missing_criterion(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    goal_id = builder.new_goal()
    report = builder.reports[goal_id]
    assert report["missing"] == ["Specific", "Meaningful", "Achievable", "Realistic", "Time-limited"]
    builder.set_field("action", "walk more")
    builder.set_field("realistic", True)
    report = builder.reports[goal_id]
    assert report["missing"] == ["Specific", "Meaningful", "Achievable", "Time-limited"]
    assert report["messages"][0] == (
        "Specific: describe the action in at least 3 words, so that it is clear what you will do."
    )
    assert report["messages"][-1] == "Time-limited: choose a start date and an end date."
    assert not report["complete"] and report["statement"] == ""


def test_a_complete_goal_reads_as_one_sentence(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    goal_id = builder.new_goal()
    fill(builder)
    report = builder.reports[goal_id]
    assert report["complete"] and report["missing"] == [] and report["messages"] == []
    assert report["statement"] == (
        "I will walk to the park three mornings a week because it clears my head. "
        f"I can draw on my neighbour, who walks too. I will start on {format_date(SOON)} "
        f"and finish by {format_date(LATER)}."
    )


def test_statement_example_from_the_brief() -> None:
    goal = {"action": "I will join the Tuesday walking group", "why": "I miss being outdoors with people",
            "resources": "the group leader and my walking boots.", "realistic": True,
            "start": "2027-03-03", "end": "2027-04-30", "created": ""}
    assert goal_statement(goal) == (
        "I will join the Tuesday walking group because I miss being outdoors with people. "
        "I can draw on the group leader and my walking boots. "
        "I will start on 3 March 2027 and finish by 30 April 2027."
    )


def test_date_problems_are_said_in_words() -> None:
    base = {"action": "go to one peer group meeting", "why": "x", "resources": "y", "realistic": True,
            "start": "2027-03-03", "end": "2027-03-01", "created": ""}
    today = date(2027, 1, 1)
    messages = goal_report(base, today=today)["messages"]
    assert messages == [
        "Time-limited: the end date (1 March 2027) is not after the start date (3 March 2027). "
        "Choose an end date after the start."
    ]
    same_day = goal_report({**base, "end": "2027-03-03"}, today=today)
    assert not same_day["complete"]
    past = goal_report({**base, "start": "2026-01-01", "end": "2026-02-01"}, today=today)
    assert past["messages"] == [
        "Time-limited: the end date (1 February 2026) has already passed. Choose an end date from today onwards."
    ]
    assert goal_report({**base, "start": ""}, today=today)["messages"] == ["Time-limited: choose a start date."]
    assert goal_report({**base, "end": "2027-05-01"}, today=today)["complete"]


def test_several_goals_are_listed_oldest_first_and_come_back(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    first = builder.new_goal()
    fill(builder)
    assert builder.save_goal()["id"] == first
    assert builder.editing == ""
    second = builder.new_goal()
    builder.set_field("action", "read one chapter a week")
    builder.save_goal()
    again = SmartGoalBuilder(store=LocalStore(store.path))
    assert [g["id"] for g in again.goals] == [first, second]
    assert again.reports[first]["complete"] and not again.reports[second]["complete"]
    assert again.goal(second)["action"] == "read one chapter a week"


def test_editing_an_existing_goal(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    goal_id = builder.new_goal()
    fill(builder)
    builder.save_goal()
    again = SmartGoalBuilder(store=LocalStore(store.path))
    again.edit_goal(goal_id)
    again.set_field("why", "it lifts my mood")
    assert store.answers("smart_goal")[goal_id]["why"] == "it lifts my mood"
    assert "because it lifts my mood." in again.reports[goal_id]["statement"]


def test_delete_removes_the_goal_from_the_store(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    keep = builder.new_goal()
    builder.set_field("action", "keep this one please")
    drop = builder.new_goal()
    builder.set_field("action", "drop this one please")
    builder.delete_goal(drop)
    assert builder.editing == ""
    assert list(store.answers("smart_goal")) == [keep]
    with pytest.raises(AnswerError, match="no goal"):
        builder.delete_goal(drop)


def test_an_abandoned_empty_goal_is_not_kept(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    builder.new_goal()
    builder.new_goal()  # moved on without writing anything
    assert len(builder.goals) == 1
    assert builder.save_goal()["action"] == ""
    assert builder.goals == [] and store.answers("smart_goal") == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start", "3/3/2027", "must be a date like 2027-03-03"),
        ("end", "2027-02-30", "must be a date like 2027-03-03"),
        ("realistic", "yes", "True or False"),
        ("action", 42, "must be text"),
        ("action", "x" * 2001, "the limit is 2,000"),
        ("colour", "blue", "no field 'colour'"),
    ],
)
def test_invalid_fields_are_refused_and_nothing_is_lost(
    store: LocalStore, field: str, value: object, message: str
) -> None:
    builder = SmartGoalBuilder(store=store)
    goal_id = builder.new_goal()
    builder.set_field("action", "go to one meeting")
    with pytest.raises(AnswerError, match=message):
        builder.set_field(field, value)
    assert store.answers("smart_goal")[goal_id]["action"] == "go to one meeting"
    assert builder.goal(goal_id)["action"] == "go to one meeting"


def test_set_field_needs_an_open_goal(store: LocalStore) -> None:
    with pytest.raises(AnswerError, match="No goal is open"):
        SmartGoalBuilder(store=store).set_field("action", "anything")


def test_stored_goals_that_cannot_be_read_are_left_alone(store: LocalStore) -> None:
    store.save("smart_goal", "G-0000abcd", {"action": "old format"})
    store.save("smart_goal", "NOTES", "not a goal")
    builder = SmartGoalBuilder(store=store)
    assert builder.goals == []
    assert "2 saved goal(s) could not be read" in builder.status
    builder.new_goal()
    builder.set_field("action", "something new to do")
    assert store.answers("smart_goal")["G-0000abcd"] == {"action": "old format"}
    assert len(store.answers("smart_goal")) == 3


def test_front_end_messages_drive_the_same_methods(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    builder._on_front_end_message(builder, {"type": "new"}, [])
    goal_id = builder.editing
    builder._on_front_end_message(builder, {"type": "set", "id": goal_id, "field": "start", "value": "2099-05-01"}, [])
    assert store.answers("smart_goal")[goal_id]["start"] == "2099-05-01"
    builder._on_front_end_message(builder, {"type": "set", "id": goal_id, "field": "end", "value": "May"}, [])
    assert "must be a date like 2027-03-03" in builder.status
    builder._on_front_end_message(builder, {"type": "done"}, [])
    assert builder.editing == ""
    builder._on_front_end_message(builder, {"type": "delete", "id": goal_id}, [])
    assert store.answers("smart_goal") == {}


def test_a_failed_save_is_kept_and_retried(store: LocalStore) -> None:
    builder = SmartGoalBuilder(store=store)
    goal_id = builder.new_goal()
    with store_locked():
        builder.set_field("action", "phone the helpline volunteer team")
        assert not builder.wait_until_saved(timeout=0.5)  # kept in memory, retried in the background
        assert builder.save_state == "failed" and "Not saved yet" in builder.status
    builder.set_field("why", "I want to give back")
    assert builder.wait_until_saved()
    assert (builder.save_state, builder.status) == ("saved", "Saved.")
    assert store.answers("smart_goal")[goal_id]["action"] == "phone the helpline volunteer team"


def test_check_goal_wants_exactly_the_documented_keys() -> None:
    with pytest.raises(AnswerError, match="exactly the keys"):
        check_goal({"action": "x"})


def test_front_end_is_labelled_and_uses_native_controls() -> None:
    source = front_end("smart_goal.js")
    assert 'make("fieldset")' in source and 'make("legend"' in source
    assert 'input.type = "date"' in source and 'box.type = "checkbox"' in source and "label.htmlFor" in source
    assert "Yes, delete it" in source
    assert 'data-lm-suppress-shortcuts", "true"' in source
    assert ".innerHTML" not in source


def test_a_new_goal_is_always_created_after_the_last_one() -> None:
    from peerkit.widgets.smart_goal import blank_goal

    future = "2999-01-01T00:00:00+00:00"  # as if the clock had not moved on
    assert blank_goal(after=future)["created"] == "2999-01-01T00:00:00.000001+00:00"


def test_a_goal_is_private_until_the_learner_ticks_share(store: LocalStore) -> None:
    from peerkit.client.sharing import shared_rows

    builder = SmartGoalBuilder(store=store)
    goal_id = builder.new_goal()
    with pytest.raises(AnswerError, match="nothing to share yet"):
        builder.set_share(goal_id, True)
    fill(builder)
    assert "share" not in store.answers("smart_goal")[goal_id] and shared_rows(store, ["smart_goal"]) == []
    builder._on_front_end_message(builder, {"type": "set", "id": goal_id, "field": "share", "value": True}, [])
    assert LocalStore(store.path).answers("smart_goal")[goal_id]["share"] is True
    assert [row["item"] for row in shared_rows(store, ["smart_goal"])] == [goal_id]
    builder.set_share(goal_id, False)
    assert shared_rows(store, ["smart_goal"]) == []
    with pytest.raises(AnswerError, match="True or False"):
        builder.set_share(goal_id, "yes")
    again = SmartGoalBuilder(store=LocalStore(store.path))
    assert again.goal(goal_id)["share"] is False


def test_front_end_has_a_labelled_share_box() -> None:
    source = front_end("smart_goal.js")
    assert 'shareBox.dataset.field = "share"' in source and 'model.get("share_label")' in source
