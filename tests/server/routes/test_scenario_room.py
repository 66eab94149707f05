"""A practice conversation run in the room (issue 23 part 4), against the real server (SQLite and PostgreSQL).

The trainer pushes a scenario; learners' panels are told; the room's screen shows the turn, how the room
chose only once enough people chose at it, and the feedback only once the trainer shows it; the trainer moves
on turn by turn; the session report keeps each turn with its counts (if enough chose) and feedback. A learner
can do none of the trainer's moves, and no pseudonym ever reaches the room's screen or the report.
"""
from __future__ import annotations

import html as html_text
import re
from typing import Any

import httpx
import pytest

from peerkit.exercises import load_exercise
from tests.support.server import RunningServer, join, pseudonym, room_html, room_live

pytestmark = pytest.mark.timeout(240)
SCENARIO = "scenario_bad_week"


def _send(server: RunningServer, token: str, item: str, value: str, seq: int) -> None:
    with server.client(token) as client:
        reply = client.post("/api/v1/me/answers", json={"answers": [
            {"seq": seq, "exercise": SCENARIO, "item": item, "value": value}]})
    assert reply.status_code == 200 and reply.json()["refused"] == [], reply.text


def _learners(server: RunningServer, code: str, n: int) -> list[tuple[str, str]]:
    names = [pseudonym() for _ in range(n)]
    return [(join(server, code, name), name) for name in names]


def _scenario_part(html: str) -> str:
    found = re.search(r'<section class="scenario-screen".*?</section>', html, re.S)
    assert found, html
    return html_text.unescape(found.group(0))  # the feedback's quotes come escaped


def _counts(html: str) -> dict[str, int]:
    return {value: int(n) for value, n in re.findall(r'data-option="([^"]+)" data-n="(\d+)"', html)}


def test_the_room_goes_through_a_scenario_turn_by_turn(server: RunningServer, trainer_token: str,
                                                       cohort: dict[str, Any]) -> None:
    people = _learners(server, cohort["join_code"], 6)
    api = f"/api/v1/cohorts/{cohort['id']}/conversation"
    with server.client(trainer_token) as trainer:
        reply = trainer.post(api, json={"exercise": SCENARIO})
        assert reply.status_code == 201, reply.text
        assert reply.json()["conversation"]["node"]["id"] == "T1"
        # a learner's panel is told, with the turn the room is at
        with server.client(people[0][0]) as client:
            told = client.get("/api/v1/me/session").json()["conversation"]
        assert told == {"exercise": SCENARIO, "title": load_exercise(SCENARIO).title,
                        "chapter": load_exercise(SCENARIO).chapter, "turn": "T1", "number": 1, "ended": False}
        # the room's screen shows the conversation: the turn, no counts yet, no feedback
        part = _scenario_part(room_live(server, trainer_token, cohort["id"]))
        assert "Turn 1" in part and "Sam has just told you about the week" in part
        feedback = {o["value"]: o["feedback"] for o in load_exercise(SCENARIO).item("T1").details["options"]}
        assert not any(text[:40] in part for text in feedback.values())
        # four choose at turn 1: still hidden (the cohort's threshold is 5)
        sent = ["reflect", "reflect", "advice", "at_least", "reflect", "advice"]
        for (token, _), value in list(zip(people, sent))[:4]:
            _send(server, token, "T1", value, 1)
        part = _scenario_part(room_live(server, trainer_token, cohort["id"]))
        assert _counts(part) == {} and not re.search(r"Chosen at this turn by \d+", part) and "%" not in part
        assert "once at least 5 people chose" in part
        state = trainer.get(api).json()["conversation"]
        assert state["node"]["shown"] is False and state["waiting_for"] == 1
        assert all(option["n"] is None for option in state["node"]["options"])
        # the fifth and sixth: the room's choices show, the numbers the learners sent
        for (token, _), value in list(zip(people, sent))[4:]:
            _send(server, token, "T1", value, 1)
        part = _scenario_part(room_live(server, trainer_token, cohort["id"]))
        options = [o["value"] for o in load_exercise(SCENARIO).item("T1").details["options"]]
        assert _counts(part) == {value: sent.count(value) for value in options}
        assert "Chosen at this turn by 6 people" in part
        assert not any(text[:40] in part for text in feedback.values())
        # the trainer shows the feedback for each response
        assert trainer.post(api + "/reveal").status_code == 200
        part = _scenario_part(room_live(server, trainer_token, cohort["id"]))
        assert all(text[:40] in part for text in feedback.values())
        assert "This helps." in part and "This gets in the way." in part
        # next turn: along the helpful response, then where a poor one leads
        reply = trainer.post(api + "/next")
        assert reply.status_code == 200 and reply.json()["conversation"]["node"]["id"] == "T2"
        part = _scenario_part(room_live(server, trainer_token, cohort["id"]))
        assert "Turn 2" in part and _counts(part) == {} and 'class="scenario-feedback' not in part
        with server.client(people[0][0]) as client:
            assert client.get("/api/v1/me/session").json()["conversation"]["turn"] == "T2"
        assert trainer.post(api + "/next", json={"to": "NOWHERE"}).status_code == 422
        # the report: turn 1 with its counts and feedback, turn 2 left out (nobody chose yet)
        report = html_text.unescape(trainer.get(f"/api/v1/cohorts/{cohort['id']}/report").text)
    assert "Practice conversations in the room" in report and load_exercise(SCENARIO).title in report
    turn1 = re.search(r'data-turn="T1".*?</table>', report, re.S).group(0)
    assert "3 (50%)" in turn1 and "2 (33%)" in turn1 and "1 (17%)" in turn1
    assert all(text[:40] in turn1 for text in feedback.values())
    turn2 = re.search(r'data-turn="T2".*?</table>', report, re.S).group(0)
    assert "Chosen by" not in turn2 and "How the room chose is left out" in report
    for _, name in people:
        assert name not in report
        assert name not in room_html(server, trainer_token, cohort["id"])


def test_nothing_under_the_threshold_on_any_screen(server: RunningServer, trainer_token: str,
                                                   cohort: dict[str, Any]) -> None:
    people = _learners(server, cohort["join_code"], 4)
    with server.client(trainer_token) as trainer:
        assert trainer.post(f"/api/v1/cohorts/{cohort['id']}/conversation",
                            json={"exercise": SCENARIO}).status_code == 201
    for token, _ in people:
        _send(server, token, "T1", "reflect", 1)
    html = room_html(server, trainer_token, cohort["id"])
    assert "data-n=" not in html and not re.search(r"Chosen at this turn by \d+", html)
    assert not re.search(r"\(\d+ (person|people)\)</span></span>", html)
    for _, name in people:
        assert name not in html


def test_a_learner_cannot_push_reveal_or_move_on(server: RunningServer, trainer_token: str,
                                                 cohort: dict[str, Any]) -> None:
    token = join(server, cohort["join_code"])
    api = f"/api/v1/cohorts/{cohort['id']}/conversation"
    with server.client(token) as learner:
        assert learner.post(api, json={"exercise": SCENARIO}).status_code in (401, 403)
        assert learner.get(api).status_code in (401, 403)
    with server.client(trainer_token) as trainer:
        assert trainer.post(api, json={"exercise": SCENARIO}).status_code == 201
        assert trainer.post(api, json={"exercise": "boundaries"}).status_code == 422  # not a scenario
    with server.client(token) as learner:
        for action in ("/reveal", "/next", "/end"):
            assert learner.post(api + action).status_code in (401, 403)
    # the cookie alone from another site cannot move the room either (the page header is needed)
    reply = httpx.post(f"{server.url}{api}/reveal", cookies={"peerkit_trainer": trainer_token})
    assert reply.status_code in (401, 403), reply.text
    with server.client(trainer_token) as trainer:
        state = trainer.get(api).json()["conversation"]
        assert state["node"]["revealed"] is False
        assert trainer.post(api + "/end").status_code == 200
        assert trainer.get(api).json()["conversation"] is None
        assert trainer.post(api + "/reveal").status_code == 409
