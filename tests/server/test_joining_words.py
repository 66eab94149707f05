"""What the server says to a learner who cannot join: the course's words ("group"), never its inner ones.

These sentences reach the phone page's status line and the notebook's join panel as they are.
"""
from __future__ import annotations

import re

from tests.support.server import RunningServer, make_cohort, pseudonym

#: Words a learner never meets in the course's own text.
INNER = re.compile(r"\bcohorts?\b|\btoken\b|\bstore\b|\bpseudonym\b|\bpeerkit\b", re.I)


def _said(reply) -> str:
    return reply.json()["detail"]


def test_join_refusals_speak_of_the_group(server: RunningServer, trainer_token: str) -> None:
    made = make_cohort(server, trainer_token, "Words group")
    who = pseudonym()
    with server.client() as anyone:
        wrong = anyone.post("/api/v1/join", json={"code": "KQ7-4MX", "pseudonym": pseudonym()})
        first = anyone.post("/api/v1/join", json={"code": made["join_code"], "pseudonym": who})
        again = anyone.post("/api/v1/join", json={"code": made["join_code"], "pseudonym": who})
    assert wrong.status_code == 404 and first.status_code == 201 and again.status_code == 409
    with server.client(trainer_token) as trainer:
        assert trainer.post(f"/api/v1/cohorts/{made['id']}/close").status_code == 200
    with server.client() as anyone:
        closed = anyone.post("/api/v1/join", json={"code": made["join_code"], "pseudonym": pseudonym()})
    assert closed.status_code == 410
    for reply in (wrong, again, closed):
        said = _said(reply)
        assert "group" in said and not INNER.search(said), said
