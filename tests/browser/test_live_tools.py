"""The live-session tools in Chromium against a real ``peerkit serve`` (issue 13).

A trainer asks a poll from the projector page, learners answer from the API (as
notebooks do) and from the phone page, the results stay hidden under the cohort's
minimum group size and until the trainer reveals them from the console; wall posts
reach the projector only once approved (script payloads shown literally, never run);
a timer with an activity card counts down with an aria-live region that speaks only
at a few moments; the report downloads. Keyboard use and axe-core on the projector,
the console and the phone page.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.browser import (PAYLOADS, Server, describe_violations, join_on_phone, open_projector, phone_page,
                                   serious_violations)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def _console(browser_page, server: Server, cohort_id: str) -> None:
    browser_page.goto(f"{server.url}/sign-in#code={server.trainer_token}")
    browser_page.wait_for_url(f"{server.url}/projector")
    browser_page.goto(f"{server.url}/projector/{cohort_id}/console")
    browser_page.get_by_role("heading", name=re.compile("Trainer console")).wait_for()


def _shown_revision(page, server: Server, cohort_id: str) -> None:
    """Wait until ``page`` shows the cohort as it is now on the server (its revision or a later one)."""
    with server.api(server.trainer_token) as client:
        revision = client.get(f"/api/v1/cohorts/{cohort_id}").json()["revision"]
    page.wait_for_function(f"() => (window.__peerkitRevision || 0) >= {int(revision)}", timeout=30_000)


def test_a_trainer_runs_a_poll_a_wall_and_a_timer_and_downloads_the_report(page, browser, server: Server,
                                                                           tmp_path: Path) -> None:
    cohort = server.cohort("Live tools group")
    learners = [server.learner(cohort["join_code"]) for _ in range(4)]
    open_projector(page, server, cohort["id"])
    assert page.get_by_text("Ask this poll").count() == 0  # the poll form is on the console, not the room's screen
    console = page.context.new_page()
    _console(console, server, cohort["id"])
    # ask a poll from the console, with the keyboard
    console.get_by_label("Question").fill("Would you lend money to someone you support?")
    console.get_by_label("Options, one a line").fill("Never\nIt depends\nYes")
    console.get_by_role("button", name="Ask this poll").focus()
    console.keyboard.press("Enter")
    console.locator("#tools-status", has_text="Poll asked").wait_for()
    page.locator("#poll-title", has_text="Would you lend money").wait_for()  # the room's screen shows the poll

    # four learners answer from their notebooks' API, a fifth from the phone page
    with server.api(learners[0].token) as client:
        poll = client.get("/api/v1/me/session").json()["poll"]
    for learner, value in zip(learners, ["Never", "Never", "It depends", "Yes"]):
        with server.api(learner.token) as client:
            assert client.put(f"/api/v1/me/polls/{poll['id']}", json={"value": value}).status_code == 200
    page.locator(".poll-waiting", has_text="4 people have answered").wait_for()
    assert page.locator(".poll-table").count() == 0  # under the threshold: no counts on the projector
    with phone_page(browser) as phone:
        join_on_phone(phone, server, cohort["join_code"])
        phone.locator("#live-poll-question", has_text="Would you lend money").wait_for(timeout=10_000)
        phone.get_by_label("It depends").check()
        phone.get_by_role("button", name="Send my poll answer").click()
        phone.locator("#live-poll-status", has_text="Your answer is in").wait_for()
        page.locator(".poll-waiting", has_text="5 people have answered").wait_for()
        assert page.locator(".poll-table").count() == 0  # enough answers, not revealed yet

        # the console (the trainer's own screen): reveal, open a wall, moderate, time an activity
        console.locator(".console-poll .poll-table").wait_for()  # the trainer previews the counts
        console.get_by_role("button", name=re.compile("Show the results to the room")).click()
        page.locator(".big-bars").wait_for(timeout=5_000)
        rows = {row.get_attribute("data-option"): row.get_attribute("data-n")
                for row in page.locator(".big-bar-row").all()}
        assert rows == {"Never": "2", "It depends": "2", "Yes": "1"}
        # large bars, drawn as wide as their share (40% of the track for 2 of 5)
        widths = page.evaluate("""() => [...document.querySelectorAll('.big-bar-row')].map(r =>
            r.querySelector('.big-bar').getBoundingClientRect().width / r.querySelector('.big-bar-track').clientWidth)""")
        assert [round(w, 2) for w in widths] == [0.4, 0.4, 0.2], widths
        assert page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.big-bar-label')).fontSize)") >= 30
        phone.locator("#live-poll-results", has_text="Never: 2").wait_for(timeout=10_000)

        console.get_by_label("Prompt for the wall").fill("What would you say to someone asking for your number?")
        console.get_by_role("button", name="Open this wall").click()
        page.locator("#wall-title", has_text="asking for your number").wait_for()
        phone.locator("#live-wall-prompt", has_text="asking for your number").wait_for(timeout=10_000)
        phone.get_by_label(re.compile("Wall:")).fill("I would give the office number, not mine")
        phone.get_by_role("button", name="Post to the wall").click()
        phone.locator("#live-wall-status", has_text="Posted").wait_for()
        with server.api(server.trainer_token) as client:
            wall_id = client.get(f"/api/v1/cohorts/{cohort['id']}/wall").json()["wall"]["id"]
        for learner, text in zip(learners, PAYLOADS[:3] + ["Call me on 07700 900123"]):
            with server.api(learner.token) as client:
                assert client.post(f"/api/v1/me/wall/{wall_id}", json={"text": text}).status_code == 201
        console.locator(".console-post").nth(4).wait_for()
        assert "[phone]" in console.locator(".post-text").first.inner_text()
        _shown_revision(page, server, cohort["id"])  # the projector has caught up with every post
        assert page.locator(".wall-post").count() == 0  # nothing approved: nothing on the projector
        assert "office number" not in page.content()
        # approve two posts with the keyboard: a payload and the phone learner's post
        for text in (PAYLOADS[0], "office number"):
            post = console.locator(".console-post", has_text=text)
            post.get_by_role("button", name=re.compile("^Approve")).focus()
            console.keyboard.press("Enter")
            post.locator(".post-status", has_text="On the room's screen").wait_for()
        page.locator(".wall-post").nth(1).wait_for(timeout=5_000)
        shown = page.locator(".wall-post").all_inner_texts()
        assert PAYLOADS[0] in shown and "I would give the office number, not mine" in shown
        assert not any(PAYLOADS[1] in text or "[phone]" in text for text in shown)
        assert page.dialogs == [] and page.evaluate("() => window.__pwned") is None
        # hide one again
        console.locator(".console-post", has_text="office number").get_by_role(
            "button", name=re.compile("^Hide")).click()
        page.wait_for_function("() => document.querySelectorAll('.wall-post').length === 1", timeout=5_000)

        console.get_by_label("Activity", exact=True).select_option("boundaries_phone_number")
        assert console.get_by_label("Minutes", exact=True).input_value() == "8"
        console.get_by_label("Minutes", exact=True).fill("2")
        console.get_by_role("button", name="Start the timer").click()
        page.locator("#activity-title", has_text="asked for your own phone number").wait_for()
        assert page.locator(".steps li").count() >= 3
        clock = page.locator(".room .timer-clock[role=timer]")
        first = clock.inner_text()
        assert re.fullmatch(r"[12]:\d\d", first), first
        page.wait_for_function(
            "() => document.getElementById('timer-announce').textContent.startsWith('Timer started')")
        said = page.locator("#timer-announce").text_content()
        # it counts down on the page
        page.wait_for_function("first => document.querySelector('.room .timer-clock[role=timer]').innerText !== first",
                               arg=first, timeout=30_000)
        assert page.locator("#timer-announce").text_content() == said  # and the live region stays quiet
        phone.locator("#live-timer", has_text="Time left").wait_for(timeout=10_000)

        # the report, downloaded from the console
        with console.expect_download() as download_info:
            console.get_by_role("link", name="Download the session report").click()
        report = Path(download_info.value.path()).read_text(encoding="utf-8")
        assert "Would you lend money to someone you support?" in report
        assert "&lt;script&gt;" in report and "office number" not in report and "[phone]" not in report
        assert "<script" not in report
    assert not page.errors, page.errors


def test_follow_the_trainer_reaches_the_phone_and_the_projector(page, browser, server: Server) -> None:
    cohort = server.cohort("Follow group")
    open_projector(page, server, cohort["id"])
    with phone_page(browser) as phone:
        join_on_phone(phone, server, cohort["join_code"])
        phone.locator("#live-nothing").wait_for()
        console = page.context.new_page()
        _console(console, server, cohort["id"])
        console.get_by_label("Chapter and exercise").select_option("02_boundaries|boundaries")
        console.get_by_role("button", name="Move everyone here").click()
        page.locator("#place-title", has_text="Where are your limits?").wait_for(timeout=30_000)
        phone.locator("#live-place", has_text="Where are your limits?").wait_for(timeout=30_000)


def test_axe_finds_nothing_serious_on_the_live_tools(page, server: Server, axe_source: str) -> None:
    cohort = server.cohort("Accessible tools group")
    learners = [server.learner(cohort["join_code"]) for _ in range(5)]
    with server.api(server.trainer_token) as client:
        base = f"/api/v1/cohorts/{cohort['id']}"
        poll = client.post(base + "/polls", json={"kind": "scale", "question": "How ready do you feel?"}).json()
        wall = client.post(base + "/wall", json={"prompt": "One word of advice"}).json()
        for learner in learners:
            with server.api(learner.token) as mine:
                mine.put(f"/api/v1/me/polls/{poll['id']}", json={"value": 3})
                post = mine.post(f"/api/v1/me/wall/{wall['id']}", json={"text": "Listen first"}).json()
        client.post(base + f"/polls/{poll['id']}/reveal")
        client.post(base + f"/wall/posts/{post['id']}/approve")
        client.post(base + "/session/timer", json={"seconds": 300, "activity": "boundaries_gift"})
        client.put(base + "/session/place", json={"chapter": "02_boundaries"})
    open_projector(page, server, cohort["id"])
    page.locator(".screen-timer .timer-clock").wait_for()  # the last thing started is on the room's screen
    serious = serious_violations(page, axe_source)
    assert not serious, describe_violations(serious)
    console = page.context.new_page()
    _console(console, server, cohort["id"])
    serious = serious_violations(console, axe_source)
    assert not serious, describe_violations(serious)
    # the console from the keyboard: Tab reaches the reveal-free list's approve/hide buttons
    for _ in range(80):
        console.keyboard.press("Tab")
        if console.evaluate("() => /^hide-\\d/.test(document.activeElement.id || '')"):
            break
    else:
        raise AssertionError("no Hide button reached with Tab")
    phone = page.context.new_page()
    phone.goto(server.url + "/")
    phone.evaluate("""t => localStorage.setItem('peerkit-phone', JSON.stringify(t))""",
                   {"token": learners[0].token, "cohort": {"name": "Accessible tools group"},
                    "pseudonym": "p-00000000000000000000", "seq": 0})
    phone.reload()
    phone.locator("#live-poll-question").wait_for(timeout=10_000)
    phone.locator("#live-poll-results").wait_for(timeout=10_000)
    serious = serious_violations(phone, axe_source)
    assert not serious, describe_violations(serious)


def test_script_payloads_in_a_poll_never_run_on_the_projector_or_the_phone(page, browser, server: Server) -> None:
    cohort = server.cohort("Payload poll group")
    with server.api(server.trainer_token) as client:
        reply = client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json={
            "kind": "single", "question": PAYLOADS[0], "options": [PAYLOADS[1], PAYLOADS[2]]})
        assert reply.status_code == 201, reply.text
    open_projector(page, server, cohort["id"])
    page.locator("#poll-title").wait_for()
    # A payload that could still run later (an image's error, an svg's load) needs its element in the page, and
    # one drawn as HTML is not shown as text: both are looked at first, so no wait is needed for an event that
    # might yet fire; the dialogs and the flag then catch whatever ran as it was drawn.
    with phone_page(browser) as phone:
        phone.dialogs = []
        phone.on("dialog", lambda dialog: (phone.dialogs.append(dialog.message), dialog.dismiss()))
        join_on_phone(phone, server, cohort["join_code"])
        phone.locator("#live-poll-question").wait_for(timeout=10_000)
        assert phone.locator("#live-now img, #live-now svg, #live-now script").count() == 0
        assert PAYLOADS[0] in phone.locator("#live-poll-question").inner_text()
        assert PAYLOADS[1] in phone.locator("#live-poll-choices").inner_text()
        assert phone.dialogs == [] and phone.evaluate("() => window.__pwned") is None
    assert page.locator("#live img, #live svg, #live script").count() == 0
    assert PAYLOADS[0] in page.locator("#poll-title").inner_text()
    assert page.dialogs == [] and page.evaluate("() => window.__pwned") is None
