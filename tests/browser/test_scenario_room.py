"""A practice conversation run in the room, in Chromium at 1280x720, against a real ``peerkit serve``
(issue 23 part 4).

A trainer starts "a bad week" from the console; six simulated learners (API clients, as a notebook or phone
sends) choose at each turn; the room's screen shows, turn by turn, the turn with no numbers while fewer than
five chose, then one bar per response whose printed numbers are what the learners sent, then the feedback for
each response once the trainer shows it; the trainer moves on with "Next turn" up to the end's debrief.
axe-core finds nothing serious or critical on the room's screen or the console. Screenshots:
test-artifacts/screenshots/scenario-room-*.png.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from peerkit.exercises import load_exercise
from peerkit.server.live_tools.scenario_room import main_line
from tests.support.browser import (Server, describe_violations, join_on_phone, open_projector, phone_page,
                                   serious_violations)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SCENARIO = "scenario_bad_week"
#: What the six learners choose at each turn of the main line (the last two join in late at turn 1).
CHOICES = {"T1": ["reflect", "advice", "reflect", "question", "reflect", "at_least"],
           "T2": ["ask_share", "ask_share", "keep_private", "whole_story", "ask_share", "compare"],
           "T3": ["summarise", "summarise", "reassure", "summarise", "plan_for_them", "summarise"]}


def _shot(browser_page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SHOTS / f"scenario-room-{name}.png"))


def _screen(page):
    return page.locator("#live .scenario-screen")


def _bars(page) -> dict[str, int]:
    """Each drawn bar's response and the number printed beside it."""
    found = {}
    for row in _screen(page).locator(".scenario-option").all():
        if row.locator(".scenario-count .big-bar").count() != 1:
            continue
        printed = re.search(r"\((\d+) (person|people)\)", row.locator(".big-bar-n").inner_text())
        found[row.get_attribute("data-option")] = int(printed.group(1))
    return found


def _fits(page) -> None:
    """Read from the back without scrolling: the practice screen ends inside the 1280x720 window."""
    bottom = page.evaluate("() => document.querySelector('#live .scenario-screen').getBoundingClientRect().bottom")
    assert bottom <= page.viewport_size["height"], bottom


def _assert_axe_finds_nothing_serious(browser_page, axe_source: str) -> None:
    serious = serious_violations(browser_page, axe_source)
    assert not serious, describe_violations(serious, nodes=3)


def test_a_trainer_runs_a_scenario_with_six_learners_turn_by_turn(page, server: Server) -> None:
    cohort = server.cohort("Practice group")
    learners = [server.learner(cohort["join_code"]) for _ in range(6)]
    definition = load_exercise(SCENARIO)
    open_projector(page, server, cohort["id"])
    console = page.context.new_page()
    console.goto(f"{server.url}/projector/{cohort['id']}/console")
    console.get_by_label("Practice conversation", exact=True).select_option(SCENARIO)
    console.get_by_role("button", name="Start it in the room").click()
    page.locator("#live .scenario-screen[data-node=T1]").wait_for()
    assert "Turn 1" in _screen(page).inner_text()
    turn = "T1"
    number = 1
    while turn in definition.item_ids:
        options = [o["value"] for o in definition.item(turn).details["options"]]
        sent = CHOICES[turn]
        # four choose: the room sees the responses, and no number at all
        for learner, value in zip(learners[:4], sent[:4]):
            learner.answer((SCENARIO, turn, value))
        console.locator("#scenario-room-choice", has_text="1 more person").wait_for()
        assert _screen(page).locator(".scenario-option").count() == len(options)
        assert _screen(page).locator(".big-bar").count() == 0
        assert not re.search(r"\d+%|\(\d+ (person|people)\)", _screen(page).inner_text())
        assert "once at least 5 people chose" in _screen(page).inner_text()
        if number == 1:
            _shot(page, "turn1-waiting")
        _fits(page)
        # the last two: one bar per response, the numbers the learners sent
        for learner, value in zip(learners[4:], sent[4:]):
            learner.answer((SCENARIO, turn, value))
        _screen(page).get_by_text("Chosen at this turn by 6 people").wait_for()
        assert _screen(page).locator(".scenario-count .big-bar").count() == len(options)
        assert _bars(page) == {value: Counter(sent)[value] for value in options}
        shares = {row.get_attribute("data-option"): row.locator(".big-bar-number").inner_text().split("%")[0]
                  for row in _screen(page).locator(".scenario-option").all()}
        for value in options:  # each bar's printed share is its count of six, rounded
            assert abs(int(shares[value]) - 100 * Counter(sent)[value] / 6) < 1, (value, shares)
        assert _screen(page).locator(".scenario-feedback").count() == 0
        if number == 1:
            _shot(page, "turn1-counts")
            console.locator("#scenario-room-choice", has_text="6 people chose").wait_for()
            console.locator("#scenario-console-title").scroll_into_view_if_needed()
            _shot(console, "console-turn1")
        _fits(page)
        # the trainer shows the feedback: every response's, in the file's words
        console.get_by_role("button", name="Show the feedback for each response").click()
        _screen(page).locator(".scenario-feedback").first.wait_for()
        assert _screen(page).locator(".scenario-feedback").count() == len(options)
        words = _screen(page).inner_text()
        for option in definition.item(turn).details["options"]:
            assert option["feedback"][:50] in words
        assert _bars(page) == {value: Counter(sent)[value] for value in options}  # the bars stay
        _shot(page, f"turn{number}-feedback")
        _fits(page)
        # on to the next turn (along the helpful response)
        turn, number = main_line(definition, turn), number + 1
        console.get_by_role("button", name=re.compile("^Next turn")).click()
        page.locator(f"#live .scenario-screen[data-node={turn}]").wait_for()
        # the room's status line (read out) names the new turn, not the one before
        heading = page.locator("#scenario-title").inner_text()
        page.locator(".room-status", has_text=heading[:30]).wait_for()
    end = next(e for e in definition.details["ends"] if e["id"] == turn)
    assert end["title"] in _screen(page).inner_text() and end["debrief"][:60] in _screen(page).inner_text()
    _shot(page, "end")
    _shot(console, "console")
    # no pseudonym and no join code on the room's practice screen
    assert cohort["join_code"] not in page.locator("#live").inner_text()
    assert not page.errors


def test_axe_finds_nothing_serious_on_the_scenario_screen_and_console(browser, server: Server,
                                                                       axe_source: str) -> None:
    cohort = server.cohort("Accessible practice")
    learners = [server.learner(cohort["join_code"]) for _ in range(6)]
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    try:
        console = context.new_page()
        open_projector(console, server, cohort["id"])
        console.goto(f"{server.url}/projector/{cohort['id']}/console")
        console.get_by_role("button", name="Start it in the room").click()
        console.get_by_role("button", name="Show the feedback for each response").wait_for()
        first = load_exercise(console.get_by_label("Practice conversation", exact=True).input_value())
        for learner, option in zip(learners, first.item(first.details["start"]).details["options"] * 2):
            learner.answer((first.id, first.details["start"], option["value"]))
        console.locator("#scenario-room-choice", has_text="6 people chose").wait_for()
        _assert_axe_finds_nothing_serious(console, axe_source)
        room = context.new_page()
        room.goto(f"{server.url}/projector/{cohort['id']}")
        room.locator("#live .scenario-screen .big-bar").first.wait_for()
        _assert_axe_finds_nothing_serious(room, axe_source)
        console.get_by_role("button", name="Show the feedback for each response").click()
        room.locator("#live .scenario-feedback").first.wait_for()
        _assert_axe_finds_nothing_serious(room, axe_source)
        overflow = room.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow
    finally:
        context.close()


def test_the_phone_page_says_the_room_started_a_practice_conversation(browser, server: Server) -> None:
    cohort = server.cohort("Phone practice")
    with phone_page(browser) as phone:
        join_on_phone(phone, server, cohort["join_code"])
        assert phone.locator("#room-conversation").is_hidden()
        api = f"/api/v1/cohorts/{cohort['id']}/conversation"
        with server.api(server.trainer_token) as client:
            assert client.post(api, json={"exercise": SCENARIO}).status_code == 201
        banner = phone.locator("#room-conversation")
        banner.wait_for(timeout=20_000)
        assert "Your trainer started a practice conversation" in banner.inner_text()
        assert load_exercise(SCENARIO).title in banner.inner_text() and "turn 1" in banner.inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SHOTS / "scenario-room-phone-390.png"))
        banner.get_by_role("link", name="Go to it").click()
        phone.wait_for_function(f"() => location.hash === '#title-{SCENARIO}'")
        with server.api(server.trainer_token) as client:
            assert client.post(api + "/next").status_code == 200
        banner.locator("#room-conversation-turn", has_text="turn 2").wait_for(timeout=20_000)
        with server.api(server.trainer_token) as client:
            assert client.post(api + "/end").status_code == 200
        banner.wait_for(state="hidden", timeout=20_000)
