"""The server starts on both stores, makes its secret, and answers in problem details."""
from __future__ import annotations

import stat

from tests.support.server import RunningServer, join


def test_server_answers_health_and_problem_details(server: RunningServer, cohort: dict) -> None:
    with server.client() as client:
        assert client.get("/api/v1/health").json() == {"status": "ok"}
        missing = client.get("/api/v1/no-such-thing")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["status"] == 404 and missing.json()["detail"]
    token = join(server, cohort["join_code"])
    assert token.startswith("pkl_") and len(token) >= 4 + 43
    with server.client(token) as client:
        assert client.get("/api/v1/me").json()["cohort"]["id"] == cohort["id"]


def test_secret_key_is_owner_only(server: RunningServer) -> None:
    mode = stat.S_IMODE((server.folder / "secret.key").stat().st_mode)
    assert mode == 0o600
