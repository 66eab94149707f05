"""The attack suite: a learner holding only a learner token tries what the issue's tester did.

Every attack must be refused with the right status AND leave the store exactly as
it was (every table compared row by row before and after, read straight from the
database). Runs on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from tests.support.server import Classroom, add_trainer, make_cohort, pseudonym, snapshot

BIG_TEXT = "x" * 1_000_000


def attempt(classroom: Classroom, token: str | None, method: str, path: str, **options: Any) -> httpx.Response:
    """Send one request and assert the store did not change."""
    before = snapshot(classroom.server.db_url)
    with classroom.server.client(token) as client:
        reply = client.request(method, path, **options)
    assert snapshot(classroom.server.db_url) == before, f"{method} {path} changed the store"
    if reply.status_code >= 400:
        assert reply.headers["content-type"].startswith("application/problem+json"), reply.text[:200]
        assert reply.json()["detail"]
    return reply


def batch(*answers: Any) -> dict[str, Any]:
    return {"json": {"answers": list(answers)}}


def one(value: Any, exercise: Any = "boundaries", item: Any = "B01", seq: Any = 100) -> dict[str, Any]:
    return {"seq": seq, "exercise": exercise, "item": item, "value": value}


TRAINER_ROUTES = [
    ("GET", "/api/v1/cohorts"), ("POST", "/api/v1/cohorts"), ("GET", "/api/v1/cohorts/{id}"),
    ("POST", "/api/v1/cohorts/{id}/close"), ("DELETE", "/api/v1/cohorts/{id}"),
    ("POST", "/api/v1/cohorts/{id}/join-code"), ("GET", "/api/v1/cohorts/{id}/aggregates"),
    ("GET", "/api/v1/cohorts/{id}/reflections"), ("POST", "/api/v1/cohorts/{id}/reflections/1/hide"),
    ("POST", "/api/v1/cohorts/{id}/submissions"), ("POST", "/api/v1/cohorts/{id}/tally"),
    ("GET", "/api/v1/cohorts/{id}/responses"), ("GET", "/api/v1/cohorts/{id}/events"),
]


@pytest.mark.parametrize("who", ["intruder", "outsider"])
@pytest.mark.parametrize("method,path", TRAINER_ROUTES)
def test_learner_is_refused_every_trainer_route(classroom: Classroom, who: str, method: str, path: str) -> None:
    body = {"json": {"name": "mine"}} if method == "POST" else {}
    reply = attempt(classroom, getattr(classroom, who), method, path.format(id=classroom.cohort["id"]), **body)
    assert reply.status_code == 403, reply.text


def test_no_token_and_forged_tokens_are_refused(classroom: Classroom) -> None:
    for token in [None, "pkl_" + secrets.token_urlsafe(32), "pkt_" + secrets.token_urlsafe(32), "garbage"]:
        for method, path in [("GET", "/api/v1/me"), ("POST", "/api/v1/me/answers"),
                             ("GET", f"/api/v1/cohorts/{classroom.cohort['id']}/responses")]:
            reply = attempt(classroom, token, method, path, **batch(one("never")))
            assert reply.status_code == 401, (token, path, reply.text)
            assert reply.headers.get("www-authenticate") == "Bearer"


def test_learner_reads_only_their_own_cohorts_aggregates(classroom: Classroom) -> None:
    reply = attempt(classroom, classroom.outsider, "GET", "/api/v1/me/aggregates",
                    params={"cohort": classroom.cohort["id"], "cohort_id": classroom.cohort["id"]})
    assert reply.status_code == 200
    assert reply.json()["cohort"]["id"] == classroom.other_cohort["id"]
    assert reply.json()["exercises"] == {}
    # in their own cohort, they see counts but never anybody's text
    mine = attempt(classroom, classroom.intruder, "GET", "/api/v1/me/aggregates").json()
    assert mine["exercises"]["boundaries"]["items"]["B01"] == {"n": 5, "counts": {"maybe": 5}}
    assert "victim secret" not in str(mine)
    assert mine["exercises"]["welcome_reflection"]["items"]["R1"] == {"n": 5}


def test_learner_cannot_write_as_someone_else(classroom: Classroom) -> None:
    victim = classroom.victim_pseudonyms[0]
    for entry in [{**one("never"), "pseudonym": victim}, {**one("never"), "learner": victim},
                  {**one("never"), "cohort": classroom.cohort["id"]}, {**one("never"), "answered_at": "2099-01-01"}]:
        reply = attempt(classroom, classroom.outsider, "POST", "/api/v1/me/answers", **batch(entry))
        assert reply.status_code == 200 and reply.json()["accepted"] == []
        assert reply.json()["refused"][0]["detail"]
    for extra in [{"pseudonym": victim}, {"cohort": classroom.cohort["id"]}, {"token": classroom.victims[0]}]:
        reply = attempt(classroom, classroom.outsider, "POST", "/api/v1/me/answers",
                        json={"answers": [one("never")], **extra})
        assert reply.status_code == 422


def test_learner_cannot_withdraw_someone_elses_answers(classroom: Classroom) -> None:
    for params in [{"pseudonym": classroom.victim_pseudonyms[0]}, {"learner": "1"},
                   {"cohort": classroom.cohort["id"]}, {"exercise": "boundaries"}]:
        reply = attempt(classroom, classroom.outsider, "DELETE", "/api/v1/me/answers", params=params)
        assert reply.status_code == 200 and reply.json() == {"removed": 0}


def test_learner_cannot_join_as_an_existing_member_to_take_their_answers(classroom: Classroom) -> None:
    reply = attempt(classroom, None, "POST", "/api/v1/join",
                    json={"code": classroom.cohort["join_code"], "pseudonym": classroom.victim_pseudonyms[0]})
    assert reply.status_code == 409


@pytest.mark.parametrize("name,value,exercise,item", [
    ("rating 99", 99, "core_skills", "C01"),
    ("True for 1", True, "core_skills", "C01"),
    ("text for a rating", "4", "core_skills", "C01"),
    ("a float rating", 3.5, "core_skills", "C01"),
    ("a dict where a choice belongs", {"never": 1}, "boundaries", "B01"),
    ("a list where a choice belongs", ["maybe"], "boundaries", "B01"),
    ("no such option", "sometimes", "boundaries", "B01"),
    ("no such item", "maybe", "boundaries", "B99"),
    ("no such exercise", "maybe", "no_such_exercise", "B01"),
    ("a path for an exercise", "maybe", "../../../etc/passwd", "B01"),
    ("a list for an exercise", "maybe", ["boundaries"], "B01"),
    ("an object for an item", "maybe", "boundaries", {"id": "B01"}),
    ("a huge reflection", {"text": BIG_TEXT[:900_000], "share": True}, "welcome_reflection", "R1"),
    ("a reflection too long", {"text": "y" * 5_001, "share": True}, "welcome_reflection", "R1"),
    ("a blank reflection", {"text": "   ", "share": True}, "welcome_reflection", "R1"),
    ("a reflection with extra keys", {"text": "hi", "share": True, "html": "<b>"}, "welcome_reflection", "R1"),
    ("a reflection as text", "just text", "welcome_reflection", "R1"),
    ("a knowledge check as text", "a", "peer_support_check", "Q1"),
    ("a knowledge check with a made-up option", ["zzz"], "peer_support_check", "Q1"),
    ("deep nesting", [[[[[[["a"]]]]]]], "peer_support_check", "Q1"),
])
def test_wrong_answers_are_refused_in_plain_words(classroom: Classroom, name: str, value: Any, exercise: Any,
                                                  item: Any) -> None:
    reply = attempt(classroom, classroom.intruder, "POST", "/api/v1/me/answers",
                    **batch(one(value, exercise, item)))
    assert reply.status_code == 200, reply.text[:300]
    answer = reply.json()
    assert answer["accepted"] == [] and len(answer["refused"]) == 1, name
    detail = answer["refused"][0]["detail"]
    assert 10 < len(detail) < 400 and "Traceback" not in detail, detail


@pytest.mark.parametrize("seq", [True, "1", -1, 0, 1.5, None, 2 ** 60])
def test_bad_sequence_numbers_are_refused(classroom: Classroom, seq: Any) -> None:
    reply = attempt(classroom, classroom.intruder, "POST", "/api/v1/me/answers", **batch(one("never", seq=seq)))
    assert reply.status_code == 200 and reply.json()["accepted"] == [] and reply.json()["refused"]


def test_oversized_and_malformed_bodies_are_refused(classroom: Classroom) -> None:
    huge = {"answers": [one({"text": "z" * 3_000_000, "share": True}, "welcome_reflection", "R1")]}
    assert attempt(classroom, classroom.intruder, "POST", "/api/v1/me/answers", json=huge).status_code == 413
    # a body that does not say its length is cut off too
    chunks = (b'{"answers": [{"seq": 1, "exercise": "boundaries", "item": "B01", "value": "' + b"a" * 65536
              for _ in range(64))
    streamed = attempt(classroom, classroom.intruder, "POST", "/api/v1/me/answers", content=chunks,
                       headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    many = batch(*[one("never", seq=n) for n in range(1, 502)])
    assert attempt(classroom, classroom.intruder, "POST", "/api/v1/me/answers", **many).status_code == 413
    for content in [b"not json", b"[]", b'{"answers": "B01"}', b'{"answers": {"seq": 1}}', b"{}"]:
        reply = attempt(classroom, classroom.intruder, "POST", "/api/v1/me/answers", content=content,
                        headers={"content-type": "application/json"})
        assert reply.status_code == 422, (content, reply.text)


def test_a_name_is_refused_as_a_pseudonym(classroom: Classroom) -> None:
    for name in ["Alice Smith", "p-" + "g" * 20, "", None, {"p": 1}, "p-" + "a" * 21]:
        reply = attempt(classroom, None, "POST", "/api/v1/join",
                        json={"code": classroom.cohort["join_code"], "pseudonym": name})
        assert reply.status_code == 422, (name, reply.text)


def test_projector_page_is_not_a_learners(classroom: Classroom) -> None:
    with classroom.server.client(classroom.intruder) as client:
        page = client.get(f"/projector/{classroom.cohort['id']}", follow_redirects=True)
    assert "victim secret" not in page.text
    assert page.status_code in (401, 403, 404) or "sign-in" in page.text.lower() or "sign in" in page.text.lower()


def test_join_code_guessing_is_refused_after_a_few_tries(start_server, server_db: str) -> None:
    server = start_server(server_db, env={"PEERKIT_SERVER_JOIN_FAILURES": "5"})

    cohort = make_cohort(server, add_trainer(server))
    room = Classroom(server, "", "", cohort, cohort, [], [], "", "")
    from peerkit.cohort.codes import new_join_code

    guesses = [code for code in (new_join_code() for _ in range(20)) if code != cohort["join_code"]]
    statuses = [attempt(room, None, "POST", "/api/v1/join",
                        json={"code": code, "pseudonym": pseudonym()}).status_code for code in guesses[:5]]
    assert statuses == [404] * 5
    refused = attempt(room, None, "POST", "/api/v1/join", json={"code": guesses[5], "pseudonym": pseudonym()})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    # once refused, even the right code is refused from that address: the guesser learns nothing
    right = attempt(room, None, "POST", "/api/v1/join", json={"code": cohort["join_code"], "pseudonym": pseudonym()})
    assert right.status_code == 429


def test_scripted_joins_into_one_cohort_are_braked(start_server, sqlite_db: str) -> None:
    server = start_server(sqlite_db, env={"PEERKIT_SERVER_JOINS_PER_COHORT": "3"})

    cohort = make_cohort(server, add_trainer(server), min_group_size=5)
    room = Classroom(server, "", "", cohort, cohort, [], [], "", "")
    with server.client() as client:
        for _ in range(3):
            assert client.post("/api/v1/join", json={"code": cohort["join_code"],
                                                     "pseudonym": pseudonym()}).status_code == 201
    reply = attempt(room, None, "POST", "/api/v1/join", json={"code": cohort["join_code"], "pseudonym": pseudonym()})
    assert reply.status_code == 429 and reply.headers["retry-after"]
