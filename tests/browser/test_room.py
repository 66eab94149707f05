"""The room's screen in Chromium at 1280x720 (and 1920x1080), against a real ``peerkit serve`` (issue 18 part 2).

- presenter keys: 1-6 and the arrows switch what the room sees, ↓/↑ step through the charts, ``?`` opens
  the help overlay (a dialog, focus inside, Esc closes it and gives focus back);
- the console's buttons move the screen too, and every open projector page follows;
- nothing waiting for approval, unrevealed or under the threshold is in the page's HTML on any screen;
- readable from the back: large type on every screen; axe-core finds nothing serious or critical;
- screenshots of each screen (test-artifacts/screenshots/room-*.png).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.browser import Server, describe_violations, make_room, open_projector, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SCREENS = ["join", "chart", "poll", "wall", "texts", "timer"]


def _shot(browser_page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SHOTS / f"room-{name}.png"))


def _on(browser_page, screen: str) -> None:
    browser_page.locator(f"#live .live-part[data-screen={screen}]").wait_for(timeout=20_000)


def _busy_room(server: Server, name: str) -> dict:
    """Six learners who answered everything, a revealed poll, an approved and a waiting post and text, a timer,
    and things the room must never see: a waiting post and text, an exercise three people answered."""
    room = make_room(server, name, texts=["I came to listen better", "Somebody helped me once",
                                      "Mail me at sam.jones@example.org", "I want to give back",
                                      "Curious about peer work", "To learn about boundaries"])
    cohort = room.cohort
    base = f"/api/v1/cohorts/{cohort['id']}"
    for learner in room.learners[:3]:  # under the threshold: must never be drawn
        learner.answer(("peer_support_check", "Q1", ["a"]))
    with server.api(server.trainer_token) as client:
        texts = client.get(base + "/texts").json()["texts"]
        for text in texts:
            if "waiting" not in text["text"] and "[email]" not in text["text"]:
                client.post(base + f"/texts/{text['id']}/approve")
        poll = client.post(base + "/polls", json={"kind": "word", "question": "One word for a good listener?"}).json()
        for learner, word in zip(room.learners, ["patient", "patient", "curious", "patient", "calm", "curious"]):
            with server.api(learner.token) as mine:
                assert mine.put(f"/api/v1/me/polls/{poll['id']}", json={"value": word}).status_code == 200
        assert client.post(base + f"/polls/{poll['id']}/reveal").status_code == 200
        wall = client.post(base + "/wall", json={"prompt": "What helps you listen?"}).json()
        for learner, text in zip(room.learners, ["Putting my phone away", "Waiting before I answer",
                                                 "Not yet approved post"]):
            with server.api(learner.token) as mine:
                mine.post(f"/api/v1/me/wall/{wall['id']}", json={"text": text})
        posts = client.get(base + "/wall").json()["posts"]
        for post in posts:
            if "Not yet" not in post["text"]:
                client.post(base + f"/wall/posts/{post['id']}/approve")
        client.post(base + "/session/timer", json={"seconds": 480, "activity": "boundaries_phone_number"})
        client.put(base + "/session/screen", json={"screen": "join"})
    return cohort


def test_presenter_keys_switch_the_room_screen_and_nothing_unapproved_is_in_the_html(page, server: Server) -> None:
    cohort = _busy_room(server, "Presenter group")
    open_projector(page, server, cohort["id"])
    _on(page, "join")
    seen = {}
    for number, screen in enumerate(SCREENS, start=1):
        page.keyboard.press(str(number))
        _on(page, screen)
        seen[screen] = page.content()
        # one thing at a time: the join code is only on the join screen
        assert (cohort["join_code"] in page.locator("#live").inner_text()) == (screen == "join")
        # readable from the back at 1280x720: the screen's heading and its main text are large
        heading = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#live h1')).fontSize)")
        assert heading >= 40, (screen, heading)
        _shot(page, screen)
    assert "patient" in seen["poll"] and "curious" in seen["poll"]
    assert "Putting my phone away" in seen["wall"] and "Waiting before I answer" in seen["wall"]
    assert "I came to listen better" in seen["texts"] and seen["texts"].count("What brings you to this course?") >= 1
    assert re.search(r"\d+:\d\d", seen["timer"]) and "phone number" in seen["timer"]
    everything = "\n".join(seen.values())
    for never in ("Not yet approved post", "[email]", "sam.jones", "How much do you know"):
        assert never not in everything, never
    # the arrows: left and right move between screens, down and up step through the charts
    page.keyboard.press("ArrowLeft")
    _on(page, "texts")
    page.keyboard.press("2")
    _on(page, "chart")
    page.locator(".pager", has_text="Chart 1 of").wait_for()
    first_rows = page.locator("#live [role=listitem]").all_inner_texts()
    page.keyboard.press("ArrowDown")
    page.locator(".pager", has_text="Chart 2 of").wait_for()
    assert page.locator("#live [role=listitem]").all_inner_texts() != first_rows  # the next page of items
    _shot(page, "chart-2")
    page.keyboard.press("ArrowUp")
    page.locator(".pager", has_text="Chart 1 of").wait_for()
    assert not page.errors, page.errors


def test_the_help_overlay_lists_the_keys_and_works_from_the_keyboard(page, server: Server) -> None:
    room = make_room(server, "Help group", size=2)
    open_projector(page, server, room.cohort["id"])
    assert page.locator("#help").is_hidden()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Presenter keys")
    dialog.wait_for()
    assert page.evaluate("() => document.activeElement.id") == "help-title"
    listed = dialog.inner_text()
    for words in ("How to join", "Charts", "The poll", "The wall", "Shared texts", "Timer and activity",
                  "Next or previous screen", "Next or previous chart", "Esc"):
        assert words in listed, words
    _shot(page, "help")
    # keys do nothing behind an open dialog: the key's handler would ask the server for the screen there and then,
    # so the page's requests are noted (no waiting for a change that might yet come)
    page.evaluate("""() => { const real = window.fetch; window.__peerkitAsked = [];
        window.fetch = (...args) => { window.__peerkitAsked.push(String(args[0])); return real(...args); }; }""")
    page.keyboard.press("3")
    assert not [url for url in page.evaluate("() => window.__peerkitAsked") if "session/screen" in url]
    assert page.locator("#live .live-part").get_attribute("data-screen") == "join"
    for _ in range(4):  # Tab stays inside the dialog
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.getElementById('help').contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert page.locator("#help").is_hidden()
    # the footer's button opens it too, with the keyboard
    page.get_by_role("button", name=re.compile("Keys")).focus()
    page.keyboard.press("Enter")
    dialog.wait_for()
    page.get_by_role("button", name="Close").press("Enter")
    assert page.locator("#help").is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "help-open"


def test_the_console_moves_the_room_screen_and_moderates_texts(page, server: Server) -> None:
    room = make_room(server, "Console group", texts=["Call me on 07700 900123", "Listening is a skill"])
    cohort_id = room.cohort["id"]
    open_projector(page, server, cohort_id)
    console = page.context.new_page()
    console.goto(f"{server.url}/projector/{cohort_id}/console")
    console.get_by_role("heading", name=re.compile("Trainer console")).wait_for()
    # approve a text with the keyboard; the other waits (scrubbed) and never reaches the room
    waiting = console.locator(".console-texts .console-post", has_text="[phone]").first
    assert "900123" not in console.content()
    text_id = console.locator(".console-texts .console-post", has_text="Listening is a skill").first.get_attribute("id")
    console.locator(f"#{text_id}").get_by_role("button", name=re.compile("^Approve")).focus()
    console.keyboard.press("Enter")
    console.locator(f"#{text_id} .post-status", has_text="On the room's screen").wait_for()
    console.get_by_role("button", name=re.compile("5 · Shared texts")).click()
    _on(page, "texts")
    assert "Listening is a skill" in page.locator("#live").inner_text()
    assert "[phone]" not in page.content() and waiting.count() >= 1
    assert console.get_by_role("button", name=re.compile("5 · Shared texts")).get_attribute("aria-pressed") == "true"
    # hide it again with one key
    console.locator(f"#{text_id}").get_by_role("button", name=re.compile("^Hide")).press("Enter")
    page.wait_for_function("() => !document.getElementById('live').textContent.includes('Listening is a skill')")
    # a chart chosen on the console
    console.get_by_role("button", name=re.compile("2 · Charts")).click()
    _on(page, "chart")
    console.get_by_role("button", name="Next chart").click()
    page.locator(".pager", has_text="Chart 2 of").wait_for()
    _shot(console, "console")


def test_axe_finds_nothing_serious_on_any_screen(browser, server: Server, axe_source: str) -> None:
    cohort = _busy_room(server, "Accessible room")
    for size in ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080}):
        context = browser.new_context(viewport=size, bypass_csp=True)  # axe-core is injected as a script
        try:
            browser_page = context.new_page()
            open_projector(browser_page, server, cohort["id"])
            for number, screen in enumerate(SCREENS, start=1):
                browser_page.keyboard.press(str(number))
                _on(browser_page, screen)
                serious = serious_violations(browser_page, axe_source)
                assert not serious, f"{size} {screen}:\n" + describe_violations(serious, nodes=3)
                # nothing runs off the screen: one thing at a time, full screen
                overflow = browser_page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
                assert not overflow, (size, screen)
                if size["width"] == 1920:
                    browser_page.screenshot(path=str(SHOTS / f"room-{screen}-1920.png"))
        finally:
            context.close()
