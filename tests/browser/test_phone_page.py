"""The phone page at 390×844, in Chromium, against a real ``peerkit serve``: what it says is true.

A learner joins, reads what the page says about where answers go, sends answers, and the
test then checks each statement against the server: the answers are there, under the random
code the page made (and never showed), counted for the group from the cohort's
``min_group_size``. The content note and help line stand before the boundary matrix and the
personal check-in. A knowledge check explains the chosen answer as the notebook does (the
kind's feedback rule). Leaving asks first: the first press removes nothing.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.browser import Server, join_on_phone, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
#: What the page used to say, borrowed from the notebooks, and is untrue of a phone.
UNTRUE = ["Nothing is marked or sent anywhere", "stay on this computer", "on this computer", "Your pseudonym"]


@pytest.fixture
def phone(browser):
    """A learner's phone on the page; ``phone.errors`` holds what the page's scripts threw."""
    with phone_page(browser) as page:
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        yield page


def _responses(server: Server, cohort_id: str) -> list[dict]:
    with server.api(server.trainer_token) as client:
        reply = client.get(f"/api/v1/cohorts/{cohort_id}/responses")
    assert reply.status_code == 200, reply.text
    return reply.json()["responses"]


def _join(phone, server: Server, name: str) -> dict:
    cohort = server.cohort(name)
    join_on_phone(phone, server, cohort["join_code"])
    return cohort


def test_what_the_phone_page_says_is_true(phone, server: Server) -> None:
    cohort = _join(phone, server, "Thursday group")
    state = json.loads(phone.evaluate("() => localStorage.getItem('peerkit-phone')"))
    text = phone.locator("main").inner_text()
    # no pseudonym on the page, and none of the notebooks' sentences that are untrue here
    assert state["pseudonym"] not in text and not re.search(r"\bp-[0-9a-f]{20}\b", text)
    for sentence in UNTRUE:
        assert sentence.lower() not in text.lower(), f"the phone page still says {sentence!r}"
    # "only once at least N people have answered it": N is this cohort's threshold
    with server.api(state["token"]) as client:
        me = client.get("/api/v1/me").json()
    assert phone.locator("#min-group-size").inner_text() == str(me["cohort"]["min_group_size"])

    # the content note and help line come before the sensitive rows and the personal check-in
    for exercise in ("boundaries", "recovery_dimensions"):
        before = phone.locator(f"form[data-exercise={exercise}]").evaluate(
            "form => form.previousElementSibling && form.previousElementSibling.className")
        note = phone.locator(f"form[data-exercise={exercise}]").evaluate(
            "form => form.previousElementSibling.innerText")
        assert before == "content-note", f"no content note right before {exercise}"
        assert "emergency number" in note and "findahelpline.com" in note
    assert "“Share all” leaves this check-in out" in phone.locator("form[data-exercise=recovery_dimensions]").evaluate(
        "form => form.previousElementSibling.innerText")

    # "Nothing is sent before you press it": choosing sends nothing
    form = phone.locator("form[data-exercise=boundaries]")
    form.locator("fieldset").nth(0).get_by_label(re.compile("Never OK", re.I)).check()
    form.locator("fieldset").nth(25).get_by_label(re.compile("Always OK", re.I)).check()
    assert _responses(server, cohort["id"]) == []
    # "What you send goes to your group's server … under this phone's random code"
    form.get_by_role("button", name=re.compile("Send my answers")).click()
    form.locator(".status", has_text="Sent to your group: 2 answers").wait_for()
    rows = _responses(server, cohort["id"])
    assert sorted((r["item"], r["value"]) for r in rows) == [("B01", "never"), ("B26", "always")]
    assert {r["pseudonym"] for r in rows} == {state["pseudonym"]}
    # "You can change an answer and send it again; the newest one counts."
    form.locator("fieldset").nth(0).get_by_label(re.compile("Maybe OK", re.I)).check()
    form.get_by_role("button", name=re.compile("Send my answers")).click()
    form.locator(".status", has_text="Sent to your group: 2 answers").wait_for()
    assert {r["item"]: r["value"] for r in _responses(server, cohort["id"])}["B01"] == "maybe"
    assert not phone.errors, phone.errors

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.evaluate("() => window.scrollTo(0, 0)")
    phone.screenshot(path=str(SCREENSHOTS / "phone-joined-390x844.png"))
    phone.locator("form[data-exercise=boundaries]").evaluate("f => f.previousElementSibling.scrollIntoView()")
    phone.screenshot(path=str(SCREENSHOTS / "phone-content-note-390x844.png"))


def test_a_knowledge_check_on_the_phone_explains_as_the_notebook_does(phone, server: Server) -> None:
    from peerkit.exercises import load_exercise
    from peerkit.kinds import knowledge_check

    _join(phone, server, "Check group")
    exercise = load_exercise("boundaries_check")
    question = exercise.items[0]
    wrong = next(o["value"] for o in question.details["options"] if o["value"] not in question.details["correct"])
    form = phone.locator("form[data-exercise=boundaries_check]")
    form.locator("fieldset").nth(0).locator(f"input[value='{wrong}']").check()
    form.get_by_role("button", name=re.compile("send my answers", re.I)).click()
    form.locator(".status", has_text="Sent to your group: 1 answer.").wait_for()
    shown = form.locator(f"[data-feedback-for='{question.id}']")
    shown.wait_for()
    said = shown.inner_text()
    if hasattr(knowledge_check, "feedback"):  # the kind's one rule, which the notebook's widget shows
        assert said == knowledge_check.feedback(exercise, question.id, [wrong])["text"]
    else:
        assert question.details["explanation"] in said
    right = [o["label"] for o in question.details["options"] if o["value"] in question.details["correct"]]
    assert all(label.rstrip(".") in said for label in right), "a wrong try names the answer that fits best"
    assert shown.get_attribute("data-correct") == "false"
    # the questions left unanswered show nothing
    assert form.locator("[data-feedback-for]:not([hidden])").count() == 1
    form.locator("fieldset").nth(0).scroll_into_view_if_needed()
    phone.screenshot(path=str(SCREENSHOTS / "phone-knowledge-check-390x844.png"))


def test_leaving_asks_first_and_then_removes_the_answers(phone, server: Server) -> None:
    cohort = _join(phone, server, "Leaving group")
    state = json.loads(phone.evaluate("() => localStorage.getItem('peerkit-phone')"))
    ratings = phone.locator("form[data-exercise=core_skills]")
    ratings.locator("fieldset").first.locator("input[value='4']").check()
    ratings.get_by_role("button", name=re.compile("Send my answers")).click()
    ratings.locator(".status", has_text="Sent to your group: 1 answer.").wait_for()
    # the leave button is not the first big button on the page: every exercise comes before it
    buttons = phone.locator("#joined-section button:visible").all_inner_texts()
    assert buttons[0].startswith("Send") or "send" in buttons[0].lower(), buttons[:3]
    assert buttons.index(next(b for b in buttons if b.startswith("Leave"))) == len(buttons) - 1

    phone.get_by_role("button", name=re.compile("^Leave the group")).click()
    confirm = phone.locator("#leave-confirm")
    confirm.wait_for()
    assert "cannot be undone" in confirm.inner_text()
    assert len(_responses(server, cohort["id"])) == 1, "asking removed something"
    phone.get_by_role("button", name="No, stay in the group").click()
    phone.locator("#leave-status", has_text="Nothing was removed").wait_for()
    with server.api(state["token"]) as client:
        assert client.get("/api/v1/me").status_code == 200
    assert len(_responses(server, cohort["id"])) == 1

    phone.get_by_role("button", name=re.compile("^Leave the group")).click()
    phone.screenshot(path=str(SCREENSHOTS / "phone-leave-asks-390x844.png"))
    phone.get_by_role("button", name="Yes, leave and remove my answers").click()
    phone.locator("#join-status", has_text="You left the group").wait_for()
    assert _responses(server, cohort["id"]) == []
    with server.api(state["token"]) as client:
        assert client.get("/api/v1/me").status_code == 401
    assert not phone.errors, phone.errors


def test_rather_not_is_offered_on_sensitive_rows_and_never_sent(phone, server: Server) -> None:
    """ "I'd rather not answer" is on every row of a sensitive exercise and on no other; choosing it sends
    nothing to the group's counts and takes back an answer the phone sent before for that row."""
    from peerkit.exercises import load_exercise

    cohort = _join(phone, server, "Rather-not group")
    for exercise in ("boundaries", "recovery_dimensions"):
        form = phone.locator(f"form[data-exercise={exercise}]")
        rows = len(load_exercise(exercise).items)
        assert form.get_by_label("I'd rather not answer").count() == rows, exercise
        assert "is never sent" in form.locator(".instructions").inner_text()
    assert phone.locator("form[data-exercise=core_skills]").get_by_label("I'd rather not answer").count() == 0
    assert "I'd rather not answer" in phone.locator("form[data-exercise=boundaries]").evaluate(
        "form => form.previousElementSibling.innerText")

    form = phone.locator("form[data-exercise=boundaries]")
    send = form.get_by_role("button", name=re.compile("Send my answers"))
    form.locator("fieldset").nth(0).get_by_label(re.compile("Never OK", re.I)).check()
    form.locator("fieldset").nth(25).get_by_label(re.compile("Always OK", re.I)).check()
    send.click()
    form.locator(".status", has_text="Sent to your group: 2 answers.").wait_for()
    # the learner changes their mind about row 26: rather not
    form.locator("fieldset").nth(25).get_by_label("I'd rather not answer").check()
    send.click()
    status = form.locator(".status", has_text="rather not answer")
    status.wait_for()
    assert status.inner_text() == ("Sent to your group: 1 answer. 1 row with “I'd rather not answer”: not sent, and "
                                   "any earlier answer there is taken back.")
    rows = _responses(server, cohort["id"])
    assert [(r["item"], r["value"]) for r in rows] == [("B01", "never")]
    assert not phone.errors, phone.errors
    form.locator("fieldset").nth(25).scroll_into_view_if_needed()
    phone.screenshot(path=str(SCREENSHOTS / "phone-rather-not-390x844.png"))
