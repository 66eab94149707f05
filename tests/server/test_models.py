"""Bad input never reaches a 500 (issue 19 part 3), on the real server, SQLite and PostgreSQL.

Each request is sent as an outsider would (httpx, raw JSON where Python's own
encoder would not write it) and must be refused with its status and change nothing
in the store. On the code before the request models every one of these but the
pseudonym and the 401s answered ``500`` (or, for the long reflection, refused a
text of allowed length).
"""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.server import Classroom, join, pseudonym, snapshot

BIG = "99999999999999999999"  # beyond 2^63
SURROGATE = "\\ud800"  # a lone surrogate, as JSON writes it
NUL = "\\u0000"


def send(classroom: Classroom, token: str | None, method: str, path: str, body: str | None = None,
         **options: Any) -> httpx.Response:
    """Send ``body`` (raw JSON text) and check that nothing in the store changed."""
    before = snapshot(classroom.server.db_url)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    with classroom.server.client(token) as client:
        reply = client.request(method, path, content=body, headers=headers, **options)
    assert reply.status_code < 500, (method, path, body, reply.text)
    assert snapshot(classroom.server.db_url) == before, f"{method} {path} {body} changed the store"
    assert reply.headers["content-type"].startswith("application/problem+json") or reply.status_code < 300
    return reply


@pytest.fixture(scope="module")
def live(classroom: Classroom) -> dict[str, Any]:
    """A poll of each kind and a wall on show in the classroom's cohort."""
    base = f"/api/v1/cohorts/{classroom.cohort['id']}"
    with classroom.server.client(classroom.trainer) as trainer:
        word = trainer.post(base + "/polls", json={"kind": "word", "question": "One word?"}).json()
        wall = trainer.post(base + "/wall", json={"prompt": "What helps?"}).json()
        posted = None
        with classroom.server.client(classroom.intruder) as learner:
            posted = learner.post(f"/api/v1/me/wall/{wall['id']}", json={"text": "A walk"}).json()
    return {"base": base, "word": word, "wall": wall, "post": posted}


@pytest.mark.parametrize("who, method, path", [
    ("learner", "PUT", "/api/v1/me/polls/{big}"),
    ("learner", "POST", "/api/v1/me/wall/{big}"),
    ("trainer", "POST", "{base}/polls/{big}/close"),
    ("trainer", "POST", "{base}/polls/{big}/reveal"),
    ("trainer", "POST", "{base}/wall/{big}/close"),
    ("trainer", "POST", "{base}/wall/posts/{big}/hide"),
    ("trainer", "POST", "{base}/reflections/{big}/hide"),
    ("trainer", "GET", "{base}/responses?after={big}"),
])
def test_ids_beyond_the_store_are_refused(classroom: Classroom, live: dict[str, Any], who: str, method: str,
                                          path: str) -> None:
    token = classroom.trainer if who == "trainer" else classroom.intruder
    body = None
    if path.startswith("/api/v1/me/polls"):
        body = '{"value": "calm"}'
    elif path.startswith("/api/v1/me/wall"):
        body = '{"text": "calm"}'
    reply = send(classroom, token, method, path.format(big=BIG, base=live["base"]), body)
    assert reply.status_code == 422, reply.text
    assert "less than or equal" in reply.json()["detail"]


@pytest.mark.parametrize("bad", [SURROGATE, NUL])
@pytest.mark.parametrize("who, method, path, template", [
    ("trainer", "POST", "/api/v1/cohorts", '{"name": "Room %s"}'),
    ("trainer", "POST", "{base}/polls", '{"kind": "word", "question": "Why %s?"}'),
    ("trainer", "POST", "{base}/polls", '{"kind": "single", "question": "Which?", "options": ["a%s", "b"]}'),
    ("trainer", "POST", "{base}/wall", '{"prompt": "Say %s"}'),
    ("trainer", "PUT", "{base}/session/place", '{"chapter": "02_boundaries%s"}'),
    ("trainer", "POST", "{base}/tally", '{"exercise": "boundaries", "counts": {"B01%s": {"never": 1}}}'),
    ("trainer", "POST", "{base}/submissions", '{"submissions": [{"name": "x%s", "content": "{}"}]}'),
    ("learner", "PUT", "/api/v1/me/polls/{word}", '{"value": "calm%s"}'),
    ("learner", "POST", "/api/v1/me/wall/{wall}", '{"text": "calm %s"}'),
    ("nobody", "POST", "/api/v1/join", '{"code": "ABC-DEF%s", "pseudonym": "p-0123456789abcdef0123"}'),
])
def test_text_that_is_not_text_is_refused(classroom: Classroom, live: dict[str, Any], bad: str, who: str,
                                          method: str, path: str, template: str) -> None:
    token = {"trainer": classroom.trainer, "learner": classroom.intruder, "nobody": None}[who]
    path = path.format(base=live["base"], word=live["word"]["id"], wall=live["wall"]["id"])
    reply = send(classroom, token, method, path, template % bad)
    assert reply.status_code == 422, reply.text


@pytest.mark.parametrize("bad", [SURROGATE, NUL])
@pytest.mark.parametrize("field", ["exercise", "item", "text"])
def test_answers_holding_bad_text_are_refused_one_by_one(classroom: Classroom, bad: str, field: str) -> None:
    answer = {"exercise": '"welcome_reflection"', "item": '"R1"', "value": '{"text": "I listen"}'}
    answer[field if field != "text" else "value"] = {"exercise": f'"welcome_reflection{bad}"', "item": f'"R1{bad}"',
                                                     "text": f'{{"text": "I listen{bad}"}}'}[field]
    body = ('{"answers": [{"seq": 900, "exercise": %(exercise)s, "item": %(item)s, "value": %(value)s}]}'
            % answer)
    reply = send(classroom, classroom.intruder, "POST", "/api/v1/me/answers", body)
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["accepted"] == [] and len(result["refused"]) == 1, result
    assert "not valid Unicode" in result["refused"][0]["detail"] or "NUL" in result["refused"][0]["detail"]


@pytest.mark.parametrize("query", ["exercise=boundaries%00", "exercise=" + "x" * 200])
def test_withdrawing_with_a_bad_exercise_is_refused(classroom: Classroom, query: str) -> None:
    reply = send(classroom, classroom.intruder, "DELETE", f"/api/v1/me/answers?{query}")
    assert reply.status_code == 422, reply.text


def test_a_pseudonym_with_a_trailing_newline_is_no_pseudonym(classroom: Classroom) -> None:
    name = classroom.victim_pseudonyms[0]
    body = '{"code": "%s", "pseudonym": "%s\\n"}' % (classroom.cohort["join_code"], name)
    reply = send(classroom, None, "POST", "/api/v1/join", body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["type"].endswith("/invalid-pseudonym")
    assert "never with a name" in reply.json()["detail"]


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/v1/cohorts", "{not json"),
    ("POST", "/api/v1/cohorts", '{"surprise": 1}'),
    ("POST", "/api/v1/me/answers", "{not json"),
    ("PUT", "/api/v1/me/polls/1", "{not json"),
    ("PUT", f"/api/v1/me/polls/{BIG}", "[]"),
    ("POST", "/api/v1/cohorts/cohort-k7q4mxab/polls", "{not json"),
    ("POST", "/api/v1/cohorts/cohort-k7q4mxab/tally", "{not json"),
    ("GET", "/api/v1/cohorts/cohort-k7q4mxab/responses?after=-1", None),
])
def test_outsiders_get_401_before_any_word_about_the_body(classroom: Classroom, method: str, path: str,
                                                          body: str | None) -> None:
    reply = send(classroom, None, method, path, body)
    assert reply.status_code == 401, reply.text
    assert "errors" not in reply.json()
    # and a learner on a trainer route hears 403, not what the route takes
    if "/cohorts" in path:
        assert send(classroom, classroom.intruder, method, path, body).status_code == 403


def test_size_limits_count_characters_not_json_escapes(classroom: Classroom) -> None:
    token = join(classroom.server, classroom.cohort["join_code"], pseudonym())
    text = "我在听，不急着回答。" * 340  # 3,400 characters, 20,400 as JSON escapes (\uXXXX each)
    with classroom.server.client(token) as client:
        kept = client.post("/api/v1/me/answers", json={"answers": [
            {"seq": 1, "exercise": "welcome_reflection", "item": "R1", "value": {"text": text}}]}).json()
        too_long = client.post("/api/v1/me/answers", json={"answers": [
            {"seq": 2, "exercise": "welcome_reflection", "item": "R1", "value": {"text": "ж" * 5_001}}]}).json()
        client.delete("/api/v1/me")
    assert kept["accepted"] == [1], kept
    assert too_long["accepted"] == [] and "5,000" in too_long["refused"][0]["detail"], too_long
