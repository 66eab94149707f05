"""The SMART goal builder (chapter 3) used by typing: feedback, completion, restart, restored.

The learner starts a goal, types an action too short to be specific and sees the text
feedback name the criteria still open; fills in the rest with the keyboard (dates with
the date pickers); sees the goal as one sentence; and finds it again, unchanged, after
the kernel is restarted and every cell is run again.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.browser

CHAPTER = "03_empowerment_and_recovery.ipynb"
EXERCISE = "smart_goal"


def _stored_goals(lab_server) -> dict:
    if not lab_server.store_path.exists():
        return {}
    return lab_server.store().answers(EXERCISE)


def test_goal_typed_with_feedback_survives_a_restart(lab, lab_server) -> None:
    if lab_server.store_path.exists():
        lab_server.store().delete(EXERCISE)
    lab.open(CHAPTER)
    lab.run_all()
    builder = lab.notebook.locator(".peerkit-smart-goal")
    assert builder.count() == 1, f"{CHAPTER}: expected one SMART goal builder, found {builder.count()}"
    keyboard = lab.page.keyboard

    # Start a goal: the builder moves the focus into its first box.
    builder.get_by_role("button", name="Start a new goal").click()
    action = builder.get_by_label("What exactly will you do?")
    lab.wait_until(lambda: action.evaluate("el => el === document.activeElement"), timeout=10,
                   message="after 'Start a new goal' the focus is not in the 'What exactly will you do?' box")
    keyboard.type("walk more")
    feedback = builder.locator(".peerkit-goal-feedback")
    lab.wait_until(lambda: "Specific: describe the action in at least 3 words" in feedback.inner_text(), timeout=10,
                   message=f"no feedback that the action is not specific yet: {feedback.inner_text()!r}")
    text = feedback.inner_text()
    for criterion in ("Meaningful", "Achievable", "Realistic", "Time-limited"):
        assert f"{criterion}:" in text, f"the feedback does not name the open criterion {criterion}: {text!r}"

    # Complete it with the keyboard: finish the action, Tab to each box, Space for the tick.
    keyboard.type(" to the park three mornings a week")
    keyboard.press("Tab")
    keyboard.type("it clears my head")
    keyboard.press("Tab")
    keyboard.type("my neighbour, who walks too")
    keyboard.press("Tab")
    realistic = builder.get_by_role("checkbox", name="I have thought it over")
    assert realistic.evaluate("el => el === document.activeElement"), "Tab did not reach the 'realistic' tick box"
    keyboard.press("Space")
    lab.wait_until(lambda: "Specific:" not in feedback.inner_text() and "Realistic:" not in feedback.inner_text(),
                   timeout=10, message=f"the feedback still lists done parts: {feedback.inner_text()!r}")
    assert "Time-limited: choose a start date and an end date." in feedback.inner_text()

    start, end = date.today() + timedelta(days=1), date.today() + timedelta(days=60)
    builder.get_by_label("Start date").fill(start.isoformat())
    builder.get_by_label("End date").fill(end.isoformat())
    lab.wait_until(lambda: "All five parts are in place" in feedback.inner_text(), timeout=10,
                   message=f"the goal never became complete: {feedback.inner_text()!r}")
    statement = builder.locator(".peerkit-goal-feedback .peerkit-goal-statement").inner_text()
    assert statement.startswith("I will walk more to the park three mornings a week because it clears my head."), statement

    expected = {"action": "walk more to the park three mornings a week", "why": "it clears my head",
                "resources": "my neighbour, who walks too", "realistic": True,
                "start": start.isoformat(), "end": end.isoformat()}

    def stored_as_typed():
        goals = _stored_goals(lab_server)
        return len(goals) == 1 and {k: v for k, v in next(iter(goals.values())).items() if k != "created"} == expected

    lab.wait_until(stored_as_typed, timeout=10,
                   message=f"the store does not hold the goal as typed: {_stored_goals(lab_server)}")
    builder.get_by_role("button", name="Done with this goal").click()

    # Restart the kernel and run all: the goal is back, complete, and opens with every field.
    lab.restart_and_run_all()
    assert not lab.cell_failures(), "\n".join(lab.cell_failures())
    builder = lab.notebook.locator(".peerkit-smart-goal")
    listed = builder.locator(".peerkit-goal-list li")
    assert listed.count() == 1, f"after a restart the builder lists {listed.count()} goals instead of 1"
    assert statement in listed.first.inner_text(), (
        f"after a restart the goal reads {listed.first.inner_text()!r}, not {statement!r}")
    builder.get_by_role("button", name="Edit goal 1").click()
    assert builder.get_by_label("What exactly will you do?").input_value() == expected["action"]
    assert builder.get_by_label("Why does this goal matter to you?").input_value() == expected["why"]
    assert builder.get_by_role("checkbox", name="I have thought it over").is_checked()
    assert builder.get_by_label("End date").input_value() == expected["end"]
    assert "All five parts are in place" in builder.locator(".peerkit-goal-feedback").inner_text()
    errors = lab.real_console_errors()
    assert not errors, "the browser console reported errors:\n" + "\n".join(errors)
