"""The room's screen (peerkit/server/room.py) against the real server: one thing at a time, chosen by the
trainer, and shared texts moderated like the wall (issue 18 parts 2 and 3).

- a shared text arrives scrubbed of contact details and waits: it is on no screen of the room until the
  trainer approves it, labelled once, without a pseudonym; one key (Hide) takes it off again, and an
  edit sends it back to waiting;
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
