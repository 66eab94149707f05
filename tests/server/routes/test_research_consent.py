"""``PUT /api/v1/me/research-consent`` (issue 21) against the real server, SQLite and PostgreSQL.

Off by default; the learner (and only the learner, with their own token) sets or
withdraws it; the responses route carries it on every answer; nonsense changes nothing.
"""
from __future__ import annotations

import pytest

from tests.support.server import RunningServer, add_trainer, join, make_cohort, snapshot

pytestmark = pytest.mark.timeout(240)


def _responses(server: RunningServer, trainer: str, cohort_id: str) -> list[dict]:
    with server.client(trainer) as client:
        reply = client.get(f"/api/v1/cohorts/{cohort_id}/responses")
    assert reply.status_code == 200, reply.text
    return reply.json()["responses"]


def test_consent_is_off_until_the_learner_agrees_and_can_be_withdrawn(server: RunningServer) -> None:
    trainer = add_trainer(server)
    cohort = make_cohort(server, trainer)
    learner = join(server, cohort["join_code"])
    with server.client(learner) as me:
        assert me.post("/api/v1/me/answers", json={"answers": [
            {"seq": 1, "exercise": "boundaries", "item": "B01", "value": "maybe"}]}).status_code == 200
        assert me.get("/api/v1/me").json()["research_consent"] is False
        assert [r["research_consent"] for r in _responses(server, trainer, cohort["id"])] == [False]
        assert me.put("/api/v1/me/research-consent", json={"agreed": True}).json() == {"research_consent": True}
        assert me.get("/api/v1/me").json()["research_consent"] is True
        assert [r["research_consent"] for r in _responses(server, trainer, cohort["id"])] == [True]
        assert me.put("/api/v1/me/research-consent", json={"agreed": False}).json() == {"research_consent": False}
        assert [r["research_consent"] for r in _responses(server, trainer, cohort["id"])] == [False]


@pytest.mark.parametrize(("token", "body", "status"), [
    ("none", {"agreed": True}, 401),
    ("trainer", {"agreed": True}, 403),
    ("learner", {"agreed": "yes"}, 422),
    ("learner", {"agreed": 1}, 422),
    ("learner", {}, 422),
    ("learner", {"agreed": True, "also": 1}, 422),
])
def test_refused_changes_nothing(server: RunningServer, server_db: str, token: str, body: dict,
                                 status: int) -> None:
    trainer = add_trainer(server)
    cohort = make_cohort(server, trainer)
    learner = join(server, cohort["join_code"])
    before = snapshot(server_db)
    with server.client({"none": None, "trainer": trainer, "learner": learner}[token]) as client:
        reply = client.put("/api/v1/me/research-consent", json=body)
    assert reply.status_code == status, reply.text
    assert snapshot(server_db) == before
