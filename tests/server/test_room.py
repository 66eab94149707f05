"""The room's screen (peerkit/server/room.py) against the real server: one thing at a time, chosen by the
trainer, and shared texts moderated like the wall (issue 18 parts 2 and 3).

- a shared text arrives scrubbed of contact details and waits: it is on no screen of the room until the
  trainer approves it, labelled once, without a pseudonym; one key (Hide) takes it off again, and an
  edit sends it back to waiting;
- one moderation state: a text hidden or approved through either route (reflections, texts) is shown or not alike
  on the room's screen, in the report, on the console, in the reflections list and in the responses;
- the trainer moves the screen (join, chart, poll, wall, texts, timer) and steps through the charts;
- served on 127.0.0.1, the join screen says only this computer can open the address.
"""
from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, browser_session, join, pseudonym, room_html, room_live

pytestmark = pytest.mark.timeout(240)

BOUNDARY_VALUES = ["never", "maybe", "always"]


def _send(server: RunningServer, token: str, *answers: tuple[str, str, Any], start: int = 1) -> None:
    batch = [{"seq": start + i, "exercise": e, "item": item, "value": v} for i, (e, item, v) in enumerate(answers)]
    with server.client(token) as client:
        reply = client.post("/api/v1/me/answers", json={"answers": batch})
    assert reply.status_code == 200 and not reply.json()["refused"], reply.text


def _texts(server: RunningServer, trainer_token: str, cohort_id: str) -> list[dict[str, Any]]:
    with server.client(trainer_token) as client:
        reply = client.get(f"/api/v1/cohorts/{cohort_id}/texts")
    assert reply.status_code == 200, reply.text
    return reply.json()["texts"]


def _moderate(server: RunningServer, trainer_token: str, cohort_id: str, text_id: int, action: str) -> None:
    with server.client(trainer_token) as client:
        reply = client.post(f"/api/v1/cohorts/{cohort_id}/texts/{text_id}/{action}")
    assert reply.status_code == 200, reply.text


def test_shared_texts_are_scrubbed_and_wait_until_the_trainer_approves_each(
        server: RunningServer, trainer_token: str, cohort: dict[str, Any]) -> None:
    names = [pseudonym() for _ in range(6)]
    tokens = [join(server, cohort["join_code"], name) for name in names]
    words = ["Mail me at sam.jones@example.org", "call me on 07700 900123", "I came to listen better",
             "Somebody helped me once", "I want to give back", "Curious about peer work"]
    for token, text in zip(tokens, words):
        _send(server, token, ("welcome_reflection", "R1", {"text": text, "share": True}))
    everything = room_html(server, trainer_token, cohort["id"])
    for text in words:
        assert text not in everything  # nothing waiting is on any screen of the room
    assert "[email]" not in everything and "[phone]" not in everything

    listed = _texts(server, trainer_token, cohort["id"])
    assert {t["status"] for t in listed} == {"pending"} and len(listed) == 6
    by_text = {t["text"]: t for t in listed}
    assert "Mail me at [email]" in by_text and "call me on [phone]" in by_text  # scrubbed when they arrived
    assert not any("example.org" in t["text"] or "900123" in t["text"] for t in listed)
    with server.client(trainer_token) as client:  # the console's own page lists them, scrubbed, waiting
        session = browser_session(server, trainer_token)
        console = httpx.get(f"{server.url}/projector/{cohort['id']}/console/live",
                            cookies=session.cookies, headers=session.headers).text
    assert "Mail me at [email]" in console and "sam.jones" not in console and "6 waiting for you" in console

    _moderate(server, trainer_token, cohort["id"], by_text["Mail me at [email]"]["id"], "approve")
    _moderate(server, trainer_token, cohort["id"], by_text["I came to listen better"]["id"], "approve")
    with server.client(trainer_token) as client:
        client.put(f"/api/v1/cohorts/{cohort['id']}/session/screen", json={"screen": "texts"})
    texts_screen = room_live(server, trainer_token, cohort["id"])
    assert "Mail me at [email]" in texts_screen and "I came to listen better" in texts_screen
    for waiting in words[1:2] + words[3:]:
        assert waiting not in texts_screen
    # labelled once: the question, not "title: question"
    assert texts_screen.count("What brings you to this course?") == 2
    assert "What brings you here?:" not in texts_screen
    for name in names:
        assert name not in texts_screen and name not in console

    _moderate(server, trainer_token, cohort["id"], by_text["Mail me at [email]"]["id"], "hide")
    after = room_live(server, trainer_token, cohort["id"])
    assert "Mail me at" not in after and "I came to listen better" in after  # hidden: not in the HTML at all

    # an approved text that is edited waits again
    _send(server, tokens[2], ("welcome_reflection", "R1", {"text": "I came to listen, and to be heard", "share": True}),
          start=2)
    assert "listen" not in room_live(server, trainer_token, cohort["id"])
    edited = next(t for t in _texts(server, trainer_token, cohort["id"]) if "heard" in t["text"])
    assert edited["status"] == "pending"
    # a text no longer shared leaves the list
    _send(server, tokens[3], ("welcome_reflection", "R1", {"text": "Somebody helped me once", "share": False}), start=2)
    assert not any("Somebody" in t["text"] for t in _texts(server, trainer_token, cohort["id"]))


def test_one_moderation_state_every_surface_agrees(server: RunningServer, trainer_token: str,
                                                  cohort: dict[str, Any]) -> None:
    """Hide a text through the trainer API's reflections, approve one on the console's route, edit both: the room's
    screen, the report, the console, the reflections list and the responses say the same of each text each time
    (they all read ``room_texts.status``)."""
    tokens = [join(server, cohort["join_code"]) for _ in range(3)]
    words = ["Hide me via the API", "Approve me on the console", "Leave me waiting"]
    for token, text in zip(tokens, words):
        _send(server, token, ("welcome_reflection", "R1", {"text": text, "share": True}))
    ids = {t["text"]: t["id"] for t in _texts(server, trainer_token, cohort["id"])}
    base = f"/api/v1/cohorts/{cohort['id']}"
    session = browser_session(server, trainer_token)

    def agree(expected: dict[str, str]) -> None:
        """``expected``: each text's state; every surface must show exactly the approved ones."""
        with server.client(trainer_token) as client:
            assert client.put(base + "/session/screen", json={"screen": "texts"}).status_code == 200
            report = client.get(base + "/report").text
            reflections = {t["text"]: (t["status"], t["hidden"])
                           for t in client.get(base + "/reflections").json()["reflections"]}
            responses = {r["value"]["text"]: r["hidden"] for r in client.get(base + "/responses").json()["responses"]}
        room = room_live(server, trainer_token, cohort["id"])
        console = httpx.get(f"{server.url}/projector/{cohort['id']}/console/live", cookies=session.cookies,
                            headers=session.headers).text
        assert {t["text"]: t["status"] for t in _texts(server, trainer_token, cohort["id"])} == expected
        assert reflections == {text: (status, status != "approved") for text, status in expected.items()}
        assert responses == {text: status == "hidden" for text, status in expected.items()}
        for text, status in expected.items():
            assert (text in room) == (text in report) == (status == "approved"), (text, status)
            item = re.search(r'<li class="console-post post-(\w+)" id="text-%d">' % ids_now[text], console)
            assert item and item.group(1) == status, (text, status)

    ids_now = dict(ids)
    agree({words[0]: "pending", words[1]: "pending", words[2]: "pending"})
    with server.client(trainer_token) as client:
        assert client.post(f"{base}/reflections/{ids[words[0]]}/hide").json() == {
            "id": ids[words[0]], "hidden": True, "status": "hidden"}
        assert client.post(f"{base}/texts/{ids[words[1]]}/approve").json()["status"] == "approved"
    agree({words[0]: "hidden", words[1]: "approved", words[2]: "pending"})
    with server.client(trainer_token) as client:  # and back, each through the other route
        assert client.post(f"{base}/texts/{ids[words[0]]}/approve").json()["status"] == "approved"
        assert client.post(f"{base}/reflections/{ids[words[1]]}/hide").json()["status"] == "hidden"
    agree({words[0]: "approved", words[1]: "hidden", words[2]: "pending"})
    # edited: the approved one waits again, the hidden one stays hidden
    _send(server, tokens[0], ("welcome_reflection", "R1", {"text": "Hide me, edited", "share": True}), start=2)
    _send(server, tokens[1], ("welcome_reflection", "R1", {"text": "Approve me, edited", "share": True}), start=2)
    ids_now = {"Hide me, edited": ids[words[0]], "Approve me, edited": ids[words[1]], words[2]: ids[words[2]]}
    agree({"Hide me, edited": "pending", "Approve me, edited": "hidden", words[2]: "pending"})


def test_the_trainer_moves_the_room_screen_and_steps_through_the_charts(
        server: RunningServer, trainer_token: str, cohort: dict[str, Any]) -> None:
    tokens = [join(server, cohort["join_code"]) for _ in range(6)]
    for number, token in enumerate(tokens):
        _send(server, token, *[("boundaries", f"B{i:02d}", BOUNDARY_VALUES[(number + i) % 3]) for i in range(1, 10)],
              *[("core_skills", f"C{i:02d}", 1 + (number + i) % 5) for i in range(1, 12)])
    first = room_live(server, trainer_token, cohort["id"])
    assert 'data-screen="join"' in first and cohort["join_code"] in first  # the join screen until moved
    assert "Only this computer can open this address" in first and "--host 0.0.0.0" in first
    base = f"/api/v1/cohorts/{cohort['id']}/session/screen"
    with server.client(trainer_token) as client:
        assert client.put(base, json={"screen": "nowhere"}).status_code == 422
        assert client.put(base, json={"screen": "chart", "exercise": "no_such_exercise"}).status_code == 422
        shown = client.post(base + "/step", json={"by": 0}).json()
        assert shown["screen"] == "chart"
        titles = []
        for _ in range(6):
            page = room_live(server, trainer_token, cohort["id"])
            assert 'data-screen="chart"' in page and cohort["join_code"] not in page  # one thing at a time
            titles.append(re.search(r'<h1 id="chart-title">([^<]+)', page).group(1).strip())
            client.post(base + "/step", json={"by": 1})
        assert titles[0] != titles[-1] and len(set(titles)) >= 2
        assert client.post(base + "/step", json={"by": -1}).status_code == 200
        assert client.put(base, json={"screen": "timer"}).json()["screen"] == "timer"
        assert 'data-screen="timer"' in room_live(server, trainer_token, cohort["id"])
