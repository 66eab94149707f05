"""One person, one member (issue 19, part 2), on SQLite and PostgreSQL: each attack refused with the right status
and nothing changed.

- one client joining again and again with the *right* code is braked at its own limit, before the cohort's, so
  another client still joins;
- ``X-Forwarded-For`` counts only from a trusted proxy (none by default): a client on the server's own machine
  cannot dodge the brake by making up addresses;
- the trainer locks joining once the room is in, and removes a member with their answers;
- a learner reading the group view before and after one more answer cannot tell that answer: the view moves in
  steps of at least the threshold (the trainer's view stays live).
"""
from __future__ import annotations

from typing import Any

import httpx
from tests.support.server import (RunningServer, add_trainer, join, make_cohort, pseudonym, recount_matches,
                                  snapshot)


def _join(server: RunningServer, code: str, address: str | None = None, who: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    with server.client() as client:
        return client.post("/api/v1/join", json={"code": code, "pseudonym": who or pseudonym()}, headers=headers)


def _unchanged(server: RunningServer, action: Any) -> httpx.Response:
    before = snapshot(server.db_url)
    reply = action()
    assert snapshot(server.db_url) == before
    return reply


def test_one_clients_flood_of_right_codes_is_braked_before_it_locks_the_others_out(start_server,
                                                                                    server_db: str) -> None:
    server = start_server(server_db, env={"PEERKIT_SERVER_JOINS_PER_CLIENT": "4",
                                          "PEERKIT_SERVER_JOINS_PER_COHORT": "6"},
                          args=("--forwarded-allow-ips", "127.0.0.1"))
    cohort = make_cohort(server, add_trainer(server))
    assert [_join(server, cohort["join_code"], "10.0.0.1").status_code for _ in range(4)] == [201] * 4
    refused = _unchanged(server, lambda: _join(server, cohort["join_code"], "10.0.0.1"))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    for _ in range(5):  # the flood goes on; it is stopped at its own brake, never reaching the cohort's
        assert _join(server, cohort["join_code"], "10.0.0.1").status_code == 429
    assert _join(server, cohort["join_code"], "10.0.0.2").status_code == 201  # a real learner elsewhere
    assert _join(server, cohort["join_code"], "10.0.0.3").status_code == 201


def test_made_up_forwarded_addresses_are_not_believed_when_serving_directly(start_server, server_db: str) -> None:
    server = start_server(server_db, env={"PEERKIT_SERVER_JOIN_FAILURES": "3"})
    cohort = make_cohort(server, add_trainer(server))
    wrong = "AAA-AAA" if cohort["join_code"] != "AAA-AAA" else "BBB-BBB"
    statuses = [_join(server, wrong, f"10.1.0.{n}").status_code for n in range(3)]
    assert statuses == [404] * 3
    refused = _unchanged(server, lambda: _join(server, cohort["join_code"], "10.9.9.9"))
    assert refused.status_code == 429


def test_the_trainer_locks_joining_and_opens_it_again(start_server, server_db: str) -> None:
    server = start_server(server_db)
    token = add_trainer(server)
    cohort = make_cohort(server, token)
    learner = join(server, cohort["join_code"])
    with server.client(learner) as client:
        assert client.put(f"/api/v1/cohorts/{cohort['id']}/joining", json={"locked": True}).status_code == 403
    with server.client(token) as client:
        locked = client.put(f"/api/v1/cohorts/{cohort['id']}/joining", json={"locked": True})
        assert locked.status_code == 200 and locked.json()["joining_locked"] is True
        assert client.put(f"/api/v1/cohorts/{cohort['id']}/joining", json={"locked": "yes"}).status_code == 422
    refused = _unchanged(server, lambda: _join(server, cohort["join_code"]))
    assert refused.status_code == 403 and refused.json()["type"].endswith("joining-locked")
    with server.client(learner) as client:  # those already in go on
        assert client.post("/api/v1/me/answers", json={"answers": [
            {"seq": 1, "exercise": "boundaries", "item": "B01", "value": "maybe"}]}).json()["accepted"] == [1]
    with server.client(token) as client:
        assert client.put(f"/api/v1/cohorts/{cohort['id']}/joining", json={"locked": False}).status_code == 200
    assert _join(server, cohort["join_code"]).status_code == 201


def test_the_trainer_removes_a_member_with_their_answers(start_server, server_db: str) -> None:
    server = start_server(server_db)
    token, other = add_trainer(server), add_trainer(server, "Other")
    cohort = make_cohort(server, token, min_group_size=1)
    names = [pseudonym() for _ in range(3)]
    learners = [join(server, cohort["join_code"], name) for name in names]
    for learner in learners:
        with server.client(learner) as client:
            client.post("/api/v1/me/answers", json={"answers": [
                {"seq": 1, "exercise": "boundaries", "item": "B01", "value": "maybe"}]})
    base = f"/api/v1/cohorts/{cohort['id']}/members"
    for who, expected in ((learners[1], 403), (other, 404), (None, 401)):
        with server.client(who) as client:
            assert _unchanged(server, lambda: client.delete(f"{base}/{names[0]}")).status_code == expected
    with server.client(token) as client:
        listed = client.get(base).json()["members"]
        assert {m["pseudonym"] for m in listed} == set(names) and all(m["answers"] == 1 for m in listed)
        assert _unchanged(server, lambda: client.delete(f"{base}/p-{'0' * 20}")).status_code == 404
        removed = client.delete(f"{base}/{names[0]}")
        assert removed.status_code == 200 and removed.json()["removed"] == 1
        counts = client.get(f"/api/v1/cohorts/{cohort['id']}/aggregates").json()
        assert counts["exercises"]["boundaries"]["items"]["B01"] == {"n": 2, "counts": {"maybe": 2}}
        assert {m["pseudonym"] for m in client.get(base).json()["members"]} == set(names[1:])
    with server.client(learners[0]) as client:
        assert client.get("/api/v1/me").status_code == 401
    recount_matches(server.db_url)


def test_a_learner_cannot_read_one_more_answer_off_the_group_view(start_server, server_db: str) -> None:
    server = start_server(server_db)
    token = add_trainer(server)
    cohort = make_cohort(server, token, min_group_size=3)
    learners = [join(server, cohort["join_code"]) for _ in range(7)]

    def answer(learner: str, value: str) -> None:
        with server.client(learner) as client:
            assert client.post("/api/v1/me/answers", json={"answers": [
                {"seq": 1, "exercise": "boundaries", "item": "B01", "value": value}]}).json()["accepted"] == [1]

    def seen() -> dict[str, Any]:
        with server.client(learners[0]) as client:
            view = client.get("/api/v1/me/aggregates").json()
        return view["exercises"]["boundaries"]["items"]["B01"]

    for learner in learners[:3]:
        answer(learner, "maybe")
    first = seen()
    assert first == {"n": 3, "counts": {"maybe": 3}}
    answer(learners[3], "never")  # the one answer the reader wants to know
    assert seen() == first  # no change shows
    with server.client(token) as client:  # the trainer's projector and API stay live
        live = client.get(f"/api/v1/cohorts/{cohort['id']}/aggregates").json()
    assert live["exercises"]["boundaries"]["items"]["B01"] == {"n": 4, "counts": {"maybe": 3, "never": 1}}
    answer(learners[4], "always")
    assert seen() == first
    answer(learners[5], "maybe")  # three answers changed since the snapshot: it moves on
    assert seen() == {"n": 6, "counts": {"maybe": 4, "never": 1, "always": 1}}
