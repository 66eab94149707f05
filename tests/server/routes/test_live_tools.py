"""The trainer's live-session tools (issue 13) against the real server (SQLite and PostgreSQL).

Polls (validation, one changeable answer per learner, results hidden below the
cohort's minimum group size and until revealed), the anonymous wall (scrubbed,
pending until approved, hideable), follow the trainer, timers and activity cards,
the session report, and the permissions: a learner can do none of the trainer's
things, and another trainer's cohort looks like none.
"""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.server import (RunningServer, add_trainer, browser_session, join, make_cohort, pseudonym,
                                  room_html, snapshot)
from peerkit.server.live_tools import tables  # noqa: F401 - so snapshot() sees the live-tools tables

pytestmark = pytest.mark.timeout(240)


def _trainer(server: RunningServer, token: str) -> httpx.Client:
    return server.client(token)


def _learners(server: RunningServer, code: str, n: int) -> list[tuple[str, str]]:
    people = []
    for _ in range(n):
        name = pseudonym()
        people.append((join(server, code, name), name))
    return people


def _session(server: RunningServer, token: str) -> dict[str, Any]:
    with server.client(token) as client:
        reply = client.get("/api/v1/me/session")
    assert reply.status_code == 200, reply.text
    return reply.json()


def _answer(server: RunningServer, token: str, poll_id: int, value: Any) -> httpx.Response:
    with server.client(token) as client:
        return client.put(f"/api/v1/me/polls/{poll_id}", json={"value": value})


_projector_tools = room_html


def _report(server: RunningServer, trainer_token: str, cohort_id: str) -> httpx.Response:
    with _trainer(server, trainer_token) as client:
        reply = client.get(f"/api/v1/cohorts/{cohort_id}/report")
    assert reply.status_code == 200, reply.text
    return reply


def test_a_poll_stays_hidden_below_the_threshold_then_the_trainer_reveals_it(
        server: RunningServer, trainer_token: str, cohort: dict[str, Any]) -> None:
    people = _learners(server, cohort["join_code"], 6)
    with _trainer(server, trainer_token) as client:
        reply = client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json={
            "kind": "single", "question": "Would you give your number?", "options": ["Never", "Maybe", "Yes"]})
        assert reply.status_code == 201, reply.text
        poll = reply.json()
    seen = _session(server, people[0][0])["poll"]
    assert seen["question"] == "Would you give your number?" and seen["options"] == ["Never", "Maybe", "Yes"]
    assert seen["results"] is None and seen["your_answer"] is None and "answers" not in seen

    for token, _ in people[:4]:
        assert _answer(server, token, poll["id"], "Maybe").status_code == 200
    assert _answer(server, people[0][0], poll["id"], "Never").status_code == 200  # changed, still one answer
    with _trainer(server, trainer_token) as client:
        listed = client.get(f"/api/v1/cohorts/{cohort['id']}/polls").json()["polls"]
        assert listed[0]["answers"] == 4 and listed[0]["suppressed"] is True and "counts" not in listed[0]
        early = client.post(f"/api/v1/cohorts/{cohort['id']}/polls/{poll['id']}/reveal")
        assert early.status_code == 409, early.text
        assert "at least 5" in early.json()["detail"]
    # under the threshold: no count anywhere the room or a learner can see
    assert _session(server, people[1][0])["poll"]["results"] is None
    tools = _projector_tools(server, trainer_token, cohort["id"])
    assert "big-bars" not in tools and "Would you give your number?" in tools
    assert "Would you give your number?" not in _report(server, trainer_token, cohort["id"]).text

    assert _answer(server, people[4][0], poll["id"], "Yes").status_code == 200
    with _trainer(server, trainer_token) as client:
        # enough answers, but not yet revealed: the trainer previews, the room does not see
        preview = client.get(f"/api/v1/cohorts/{cohort['id']}/polls").json()["polls"][0]
        assert {c["option"]: c["n"] for c in preview["counts"]} == {"Never": 1, "Maybe": 3, "Yes": 1}
        assert _session(server, people[1][0])["poll"]["results"] is None
        assert "big-bars" not in _projector_tools(server, trainer_token, cohort["id"])
        revealed = client.post(f"/api/v1/cohorts/{cohort['id']}/polls/{poll['id']}/reveal")
        assert revealed.status_code == 200, revealed.text
    mine = _session(server, people[0][0])["poll"]
    assert mine["your_answer"] == "Never"
    assert {c["option"]: c["n"] for c in mine["results"]["counts"]} == {"Never": 1, "Maybe": 3, "Yes": 1}
    assert "big-bars" in _projector_tools(server, trainer_token, cohort["id"])
    assert "Would you give your number?" in _report(server, trainer_token, cohort["id"]).text

    # a learner leaves: 4 answers again, and the results go from every surface at once
    with server.client(people[4][0]) as client:
        assert client.delete("/api/v1/me").status_code == 200
    assert _session(server, people[1][0])["poll"]["results"] is None
    assert "big-bars" not in _projector_tools(server, trainer_token, cohort["id"])
    assert "Would you give your number?" not in _report(server, trainer_token, cohort["id"]).text


def test_poll_answers_are_checked_by_the_server(server: RunningServer, trainer_token: str,
                                                cohort: dict[str, Any]) -> None:
    (token, _), = _learners(server, cohort["join_code"], 1)
    base = f"/api/v1/cohorts/{cohort['id']}/polls"
    with _trainer(server, trainer_token) as client:
        for bad in ({"kind": "single", "question": "Q", "options": ["only one"]},
                    {"kind": "single", "question": "Q", "options": ["a", "A"]},
                    {"kind": "ranking", "question": "Q"},
                    {"kind": "scale", "question": "Q", "options": ["x", "y"]},
                    {"kind": "word", "question": "x" * 301},
                    {"kind": "word", "question": "Q", "extra": 1}):
            reply = client.post(base, json=bad)
            assert reply.status_code == 422, (bad, reply.text)
            assert reply.headers["content-type"].startswith("application/problem+json")
        multiple = client.post(base, json={"kind": "multiple", "question": "Which?",
                                           "options": ["a", "b", "c"]}).json()
    for bad in ("d", ["a", "a"], [], "a", None):
        assert _answer(server, token, multiple["id"], bad).status_code == 422, bad
    assert _answer(server, token, multiple["id"], ["c", "a"]).json()["answer"] == ["a", "c"]
    with _trainer(server, trainer_token) as client:
        scale = client.post(base, json={"kind": "scale", "question": "How sure?"}).json()
    for bad in (0, 6, 2.5, True, "4"):
        assert _answer(server, token, scale["id"], bad).status_code == 422, bad
    assert _answer(server, token, scale["id"], 4).status_code == 200
    assert _answer(server, token, multiple["id"], ["a"]).status_code == 409  # a new poll closed the old one
    with _trainer(server, trainer_token) as client:
        word = client.post(base, json={"kind": "word", "question": "One word for a good listener?"}).json()
    for bad in ("me@example.org", "07700900123", "www.example.org", "x" * 31, "a long sentence of words", ""):
        reply = _answer(server, token, word["id"], bad)
        assert reply.status_code == 422, (bad, reply.text)
    assert _answer(server, token, word["id"], "  Patient ").json()["answer"] == "patient"
    # another cohort's poll is no poll at all
    other = make_cohort(server, trainer_token, "Another group")
    (stranger, _), = _learners(server, other["join_code"], 1)
    assert _answer(server, stranger, word["id"], "kind").status_code == 404


def test_word_poll_ranks_the_words(server: RunningServer, trainer_token: str, cohort: dict[str, Any]) -> None:
    people = _learners(server, cohort["join_code"], 6)
    with _trainer(server, trainer_token) as client:
        poll = client.post(f"/api/v1/cohorts/{cohort['id']}/polls",
                           json={"kind": "word", "question": "One word?"}).json()
    for (token, _), word in zip(people, ["calm", "Calm", "kind", "calm", "honest", "kind"]):
        assert _answer(server, token, poll["id"], word).status_code == 200
    with _trainer(server, trainer_token) as client:
        shown = client.post(f"/api/v1/cohorts/{cohort['id']}/polls/{poll['id']}/reveal").json()
    assert shown["words"] == [{"word": "calm", "n": 3}, {"word": "kind", "n": 2}, {"word": "honest", "n": 1}]
    tools = _projector_tools(server, trainer_token, cohort["id"])
    assert tools.index("calm") < tools.index("kind") < tools.index("honest")


def test_wall_posts_reach_nobody_until_approved_and_never_with_a_pseudonym(
        server: RunningServer, trainer_token: str, cohort: dict[str, Any]) -> None:
    people = _learners(server, cohort["join_code"], 3)
    with _trainer(server, trainer_token) as client:
        wall = client.post(f"/api/v1/cohorts/{cohort['id']}/wall",
                           json={"prompt": "What would you say to someone asking for your number?"}).json()
    texts = ["I would say: call the office on 0161 496 0000 instead", "<b>Kindly</b> say no & explain",
             "Ask what they need in the evenings"]
    posted = []
    for (token, _), text in zip(people, texts):
        with server.client(token) as client:
            reply = client.post(f"/api/v1/me/wall/{wall['id']}", json={"text": text})
        assert reply.status_code == 201, reply.text
        posted.append(reply.json())
    assert "[phone]" in posted[0]["text"] and "0161" not in posted[0]["text"]
    with _trainer(server, trainer_token) as client:
        listed = client.get(f"/api/v1/cohorts/{cohort['id']}/wall").json()
    assert [p["status"] for p in listed["posts"]] == ["pending"] * 3
    assert "0161" not in str(listed)  # the trainer never sees the raw contact detail
    surfaces = lambda: (_projector_tools(server, trainer_token, cohort["id"]),  # noqa: E731
                        str(_session(server, people[0][0])), _report(server, trainer_token, cohort["id"]).text)
    for surface in surfaces():
        assert not any(fragment in surface for fragment in ("office", "Kindly", "evenings"))
    with _trainer(server, trainer_token) as client:
        assert client.post(f"/api/v1/cohorts/{cohort['id']}/wall/posts/{posted[1]['id']}/approve").status_code == 200
    projector, session, report = surfaces()
    assert "&lt;b&gt;Kindly&lt;/b&gt; say no &amp; explain" in projector and "<b>Kindly" not in projector
    assert "&lt;b&gt;Kindly&lt;/b&gt;" in report
    assert "<b>Kindly</b> say no & explain" in session
    for surface in (projector, report, session):
        assert "office" not in surface and "evenings" not in surface
        assert not any(name in surface for _, name in people)
    assert not any(name in str(listed) for _, name in people)
    with _trainer(server, trainer_token) as client:
        hidden = client.post(f"/api/v1/cohorts/{cohort['id']}/wall/posts/{posted[1]['id']}/hide")
        assert hidden.json()["status"] == "hidden"
    assert all("Kindly" not in surface for surface in surfaces())
    with server.client(people[0][0]) as client:
        assert client.post(f"/api/v1/me/wall/{wall['id']}", json={"text": "x" * 281}).status_code == 422
        assert client.post(f"/api/v1/me/wall/{wall['id']}", json={"text": "   "}).status_code == 422


def test_follow_the_trainer_timer_and_activity_card(server: RunningServer, trainer_token: str,
                                                    cohort: dict[str, Any]) -> None:
    (token, _), = _learners(server, cohort["join_code"], 1)
    assert _session(server, token)["place"] is None
    with _trainer(server, trainer_token) as client:
        base = f"/api/v1/cohorts/{cohort['id']}/session"
        moved = client.put(base + "/place", json={"chapter": "02_boundaries", "exercise": "boundaries"})
        assert moved.status_code == 200, moved.text
        assert client.put(base + "/place", json={"chapter": "99_nowhere"}).status_code == 422
        assert client.put(base + "/place", json={"chapter": "02_boundaries",
                                                 "exercise": "core_skills"}).status_code == 422
        assert client.post(base + "/timer", json={"seconds": 5}).status_code == 422
        assert client.post(base + "/timer", json={"seconds": 600, "activity": "no-such"}).status_code == 422
        reply = client.post(base + "/timer", json={"seconds": 480, "activity": "boundaries_phone_number"})
        assert reply.status_code == 200, reply.text
    state = _session(server, token)
    assert state["check_again_seconds"] == 4  # a small group's panels ask every 4 s
    assert state["place"]["notebook"] == "02_boundaries.ipynb"
    assert state["place"]["exercise_title"] == "Where are your limits?"
    assert 470 <= state["timer"]["seconds_left"] <= 480
    assert state["activity"]["title"].startswith("Role-play") and state["activity"]["steps"]
    tools = _projector_tools(server, trainer_token, cohort["id"])
    assert 'role="timer"' in tools and "Role-play: asked for your own phone number" in tools
    with _trainer(server, trainer_token) as client:
        assert client.delete(f"/api/v1/cohorts/{cohort['id']}/session/timer").status_code == 200
        assert client.delete(f"/api/v1/cohorts/{cohort['id']}/session/place").status_code == 200
    state = _session(server, token)
    assert state["timer"] is None and state["place"] is None


def test_a_learner_can_do_none_of_the_trainers_things(server: RunningServer, trainer_token: str,
                                                      cohort: dict[str, Any]) -> None:
    (token, _), = _learners(server, cohort["join_code"], 1)
    with _trainer(server, trainer_token) as client:
        poll = client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json={"kind": "scale", "question": "Q?"}).json()
        wall = client.post(f"/api/v1/cohorts/{cohort['id']}/wall", json={"prompt": "P?"}).json()
    with server.client(token) as client:
        post = client.post(f"/api/v1/me/wall/{wall['id']}", json={"text": "mine"}).json()
    other_trainer = add_trainer(server, "Someone else")
    session = browser_session(server, trainer_token)
    before = snapshot(server.db_url)
    base = f"/api/v1/cohorts/{cohort['id']}"
    attempts = [("POST", "/polls", {"kind": "scale", "question": "mine?"}), ("GET", "/polls", None),
                ("POST", f"/polls/{poll['id']}/reveal", None), ("POST", f"/polls/{poll['id']}/close", None),
                ("POST", "/wall", {"prompt": "x"}), ("GET", "/wall", None),
                ("POST", f"/wall/posts/{post['id']}/approve", None), ("POST", f"/wall/{wall['id']}/close", None),
                ("PUT", "/session/place", {"chapter": "02_boundaries"}),
                ("POST", "/session/timer", {"seconds": 60}), ("DELETE", "/session/timer", None),
                ("PUT", "/session/activity", {"activity": "boundaries_gift"}),
                ("GET", "/report", None), ("GET", "/live-tools", None),
                ("PUT", "/session/screen", {"screen": "texts"}), ("POST", "/session/screen/step", {"by": 1}),
                ("GET", "/texts", None), ("POST", "/texts/1/approve", None), ("POST", "/texts/1/hide", None)]
    for who, expected in ((token, 403), (other_trainer, 404), (None, 401)):
        with server.client(who) as client:
            for method, path, body in attempts:
                reply = client.request(method, base + path, json=body)
                assert reply.status_code == expected, (who and who[:4], method, path, reply.text)
    # the pages too: a learner token is no trainer cookie
    for path in ("live", "console/live", "report"):
        reply = httpx.get(f"{server.url}/projector/{cohort['id']}/{path}", cookies={"peerkit_session": token})
        assert reply.status_code == 401, path
    # a cookie-signed write without the page's CSRF token (another site's form) is refused
    reply = httpx.post(f"{server.url}{base}/session/timer", json={"seconds": 60},
                       cookies=session.cookies, headers={"X-Peerkit-Page": "1"})
    assert reply.status_code == 403, reply.text
    assert snapshot(server.db_url) == before


def test_the_report_is_one_printable_page_without_pseudonyms(server: RunningServer, trainer_token: str) -> None:
    cohort = make_cohort(server, trainer_token, "Report <group>")
    people = _learners(server, cohort["join_code"], 5)
    for index, (token, _) in enumerate(people):
        with server.client(token) as client:
            client.post("/api/v1/me/answers", json={"answers": [
                {"seq": 1, "exercise": "boundaries", "item": "B01", "value": ["never", "maybe", "always"][index % 3]},
                {"seq": 2, "exercise": "boundaries", "item": "B02", "value": "maybe"} if index < 2 else
                {"seq": 2, "exercise": "core_skills", "item": "C01", "value": 3}]})
    with _trainer(server, trainer_token) as client:
        poll = client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json={"kind": "scale", "question": "Ready?"}).json()
        for token, _ in people:
            assert _answer(server, token, poll["id"], 4).status_code == 200
        client.post(f"/api/v1/cohorts/{cohort['id']}/polls/{poll['id']}/reveal")
        client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json={"kind": "scale", "question": "Unshown poll?"})
    reply = _report(server, trainer_token, cohort["id"])
    assert reply.headers["content-disposition"].startswith('attachment; filename="peerkit-report-report-group-')
    html = reply.text
    assert "Report &lt;group&gt;" in html and "<group>" not in html
    assert "Ready?" in html and "Unshown poll?" not in html
    assert "@media print" in html and "Where are your limits?" in html
    assert not any(name in html for _, name in people) and cohort["join_code"] not in html
