"""A practice conversation on the phone page, against a real ``peerkit serve``: turn by turn, same feedback.

Only the first turn shows at first. A chosen response shows its feedback (the same words as the
notebook's), takes the focus, is sent to the group and opens the turn it leads to; "Go back one
step" takes the last response back from the group too; "rather not" is never sent. axe-core finds
nothing serious or critical on the joined page with a conversation under way.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.browser import Server, describe_violations, join_on_phone, phone_page, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _focused_feedback(phone) -> str:
    return phone.evaluate("() => document.activeElement.classList.contains('feedback') ? "
                          "document.activeElement.closest('.scenario-turn').dataset.turn + ':' + "
                          "document.activeElement.dataset.value : ''")


def test_a_learner_works_through_a_scenario_on_the_phone(browser, server: Server, axe_source: str) -> None:
    from peerkit.exercises import load_exercise

    listening = load_exercise("scenario_bad_week")
    cohort = server.cohort("Phone practice group")
    with phone_page(browser) as phone:
        join_on_phone(phone, server, cohort["join_code"])
        talk = phone.locator("section.scenario-form[data-exercise=scenario_bad_week]")
        assert "Honestly, this week has been awful" in talk.inner_text()
        visible = talk.locator(".scenario-turn:visible")
        assert [visible.nth(i).get_attribute("data-turn") for i in range(visible.count())] == ["T1"]
        # no flat form of every turn at once
        assert phone.locator("form.exercise-form[data-exercise=scenario_bad_week]").count() == 0

        first = talk.locator(".scenario-turn[data-turn=T1]")
        first.get_by_label(re.compile("Have you thought about talking to your manager")).check()
        first.get_by_role("button", name="Choose this response").click()
        feedback = first.locator(".feedback[data-value=advice]")
        feedback.wait_for()
        advice = next(o for o in listening.item("T1").details["options"] if o["value"] == "advice")
        assert "This gets in the way." in feedback.inner_text() and advice["feedback"] in feedback.inner_text()
        assert _focused_feedback(phone) == "T1:advice"
        assert not first.get_by_role("button", name="Choose this response").is_visible(), "a chosen turn is closed"
        first.locator(".status", has_text="Shared with your group").wait_for()
        effect = talk.locator(".scenario-turn[data-turn=T1B]")
        assert effect.is_visible() and "Sam shrugs" in effect.inner_text()
        assert effect.locator(".turn-number").inner_text() == "Turn 2"

        effect.get_by_label(re.compile("Sorry, I jumped in there")).check()
        effect.get_by_role("button", name="Choose this response").click()
        effect.locator(".status", has_text="Shared with your group").wait_for()
        assert _focused_feedback(phone) == "T1B:repair"
        assert talk.locator(".scenario-turn[data-turn=T2]").is_visible()

        # go back one step: T2 closes, T1B opens again, and its response is taken back from the group
        talk.get_by_role("button", name="Go back one step").click()
        effect.locator(".status", has_text="taken back").wait_for()
        assert not talk.locator(".scenario-turn[data-turn=T2]").is_visible()
        assert effect.locator("fieldset").is_enabled() and not effect.locator("input:checked").count()

        # the heavy one: its content note and the help line first; "rather not" stays on the phone
        heavy = phone.locator("section.scenario-form[data-exercise=scenario_not_here]")
        assert "Content note." in heavy.locator(".note").inner_text()
        assert "findahelpline.com" in heavy.locator(".note").inner_text()
        heavy_first = heavy.locator(".scenario-turn[data-turn=T1]")
        heavy_first.get_by_role("button", name="I'd rather not go on with this one").click()
        heavy.locator(".scenario-end[data-end=RATHER_NOT]").wait_for()
        assert "findahelpline.com" in heavy.locator(".scenario-end[data-end=RATHER_NOT]").inner_text()
        heavy_first.locator(".status", has_text="Not sent").wait_for()
    with server.api(server.trainer_token) as client:
        rows = client.get(f"/api/v1/cohorts/{cohort['id']}/responses").json()["responses"]
    assert sorted((r["exercise"], r["item"], r["value"]) for r in rows) == [("scenario_bad_week", "T1", "advice")]


def test_axe_finds_nothing_serious_on_the_phone_page_with_a_conversation_under_way(browser, server: Server,
                                                                                     axe_source: str) -> None:
    cohort = server.cohort("Phone axe group")
    # axe-core is injected as a script, which the page's CSP rightly blocks: only this test bypasses it
    with phone_page(browser, bypass_csp=True) as phone:
        join_on_phone(phone, server, cohort["join_code"])
        talk = phone.locator("section.scenario-form[data-exercise=scenario_bad_week]")
        first = talk.locator(".scenario-turn[data-turn=T1]")
        first.locator("input[value=reflect]").check()
        first.get_by_role("button", name="Choose this response").click()
        first.locator(".status", has_text="Shared with your group").wait_for()
        serious = serious_violations(phone, axe_source)
        assert not serious, describe_violations(serious)
        phone.screenshot(path=str(SCREENSHOTS / "phone-scenario-390.png"), full_page=False)
