"""Trainer sessions, not tokens in cookies (issue 19, part 1): the attacks an outside tester ran, each refused
with the right status and changing nothing (every table compared before and after), on SQLite and PostgreSQL.

- a cookie request without the session's CSRF token, or from another origin (``Origin: https://evil.example``,
  ``Origin: null``, no ``Origin``), may neither change anything nor read row-level data, on the core trainer
  routes as much as the live tools;
- signing out ends the session (the old cookie is refused), sessions expire (idle and absolute), are listed and
  revocable; a sign-in code works once; a link with a token in its address is refused unread;
- API tokens expire, ``peerkit trainer list`` shows them and ``revoke`` ends them;
- hub trainers are told apart by their whole hub name;
- no secret reaches uvicorn's access log.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from tests.support.server import (BACKENDS, BrowserSession, RunningServer, _database, add_trainer, browser_session,
                                  join, launch, make_cohort, peerkit_command, sign_in_code, snapshot)

from peerkit.server import db


@dataclass
class Room:
    server: RunningServer
    token: str
    cohort: dict[str, Any]
    hidden_text: int
    session: BrowserSession


@pytest.fixture(scope="module", params=BACKENDS)
def room(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    folder = tmp_path_factory.mktemp("sessions")
    generator = _database(request.param, request, folder)
    server = launch(next(generator), folder)
    try:
        token = add_trainer(server, "Ana")
        cohort = make_cohort(server, token, "Room", min_group_size=1)
        learner = join(server, cohort["join_code"])
        with server.client(learner) as client:
            client.post("/api/v1/me/answers", json={"answers": [
                {"seq": 1, "exercise": "welcome_reflection", "item": "R1",
                 "value": {"text": "a private worry", "share": True}}]})
        with server.client(token) as client:
            text_id = client.get(f"/api/v1/cohorts/{cohort['id']}/reflections").json()["reflections"][0]["id"]
            assert client.post(f"/api/v1/cohorts/{cohort['id']}/reflections/{text_id}/hide").status_code == 200
        yield Room(server, token, cohort, text_id, browser_session(server, token))
    finally:
        server.stop()
        for _ in generator:
            pass


def cookie_request(room: Room, method: str, path: str, headers: dict[str, str] | None = None,
                   cookies: dict[str, str] | None = None, **options: Any) -> httpx.Response:
    """One request with the trainer's session cookie (and nothing else unless given); the store must not move."""
    before = snapshot(room.server.db_url)
    reply = httpx.request(method, room.server.url + path, headers=headers or {},
                          cookies=room.session.cookies if cookies is None else cookies, timeout=30, **options)
    assert snapshot(room.server.db_url) == before, f"{method} {path} changed the store"
    return reply


def core_routes(room: Room) -> list[tuple[str, str, Any]]:
    base = f"/api/v1/cohorts/{room.cohort['id']}"
    return [("POST", f"{base}/join-code", None), ("POST", f"{base}/reflections/{room.hidden_text}/show", None),
            ("POST", f"{base}/close", None), ("DELETE", base, None), ("POST", "/api/v1/cohorts", {"name": "x"}),
            ("GET", f"{base}/responses", None), ("GET", f"{base}/reflections", None), ("GET", f"{base}/members", None),
            ("POST", f"{base}/tally", {"exercise": "boundaries", "counts": {"B01": {"never": 1}}}),
            ("PUT", f"{base}/joining", {"locked": True}), ("GET", f"{base}/report", None),
            ("POST", f"{base}/session/timer", {"seconds": 60}), ("GET", f"{base}/wall", None),
            ("GET", "/api/v1/cohorts", None), ("POST", "/api/v1/sign-in-codes", None),
            ("POST", f"/projector/{room.cohort['id']}/texts/{room.hidden_text}/show", None),
            ("GET", f"/projector/{room.cohort['id']}/live", None)]


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null"], ids=["no-origin", "evil", "null"])
def test_a_cookie_without_the_pages_token_is_refused_everywhere(room: Room, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    for method, path, body in core_routes(room):
        reply = cookie_request(room, method, path, headers={**headers, "X-Peerkit-Page": "1"}, json=body)
        expected = (401, 403) if path.startswith("/projector") else (403,)  # a page says "sign in"
        assert reply.status_code in expected, (method, path, reply.status_code, reply.text[:200])
        assert "a private worry" not in reply.text


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:1"])
def test_the_pages_token_from_another_origin_is_refused(room: Room, origin: str) -> None:
    for method, path, body in core_routes(room):
        reply = cookie_request(room, method, path, headers={**room.session.headers, "Origin": origin}, json=body)
        assert reply.status_code in ((401, 403) if path.startswith("/projector") else (403,)), (method, path)
        forged = cookie_request(room, method, path, json=body,
                                headers={**room.session.headers, "Sec-Fetch-Site": "same-site"})
        assert forged.status_code in (401, 403), (method, path)


def test_a_fetch_from_a_same_origin_tab_cannot_read_a_page_without_the_token(room: Room) -> None:
    """On a hub without subdomains a JupyterLab tab shares the service's origin: its fetch is not a navigation."""
    for path in (f"/projector/{room.cohort['id']}/live", f"/projector/{room.cohort['id']}/console/live"):
        reply = cookie_request(room, "GET", path, headers={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"})
        assert reply.status_code in (401, 403), path
    page = cookie_request(room, "GET", f"/projector/{room.cohort['id']}",
                          headers={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"})
    assert room.cohort["join_code"] not in page.text
    assert page.headers.get("cross-origin-opener-policy") in (None, "same-origin")


def test_the_pages_own_requests_work(room: Room) -> None:
    reply = httpx.get(f"{room.server.url}/api/v1/cohorts/{room.cohort['id']}/responses",
                      cookies=room.session.cookies, headers={**room.session.headers, "Origin": room.server.url})
    assert reply.status_code == 200, reply.text
    page = httpx.get(f"{room.server.url}/projector/{room.cohort['id']}", cookies=room.session.cookies,
                     headers={"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"})
    assert page.status_code == 200 and room.cohort["join_code"] in page.text
    assert page.headers["cross-origin-opener-policy"] == "same-origin"


def test_sign_out_ends_the_session(room: Room) -> None:
    session = browser_session(room.server, room.token)
    path = f"/api/v1/cohorts/{room.cohort['id']}/responses"
    assert httpx.get(room.server.url + path, cookies=session.cookies, headers=session.headers).status_code == 200
    # another page's sign-out form (no CSRF token) does not sign the trainer out
    assert httpx.post(room.server.url + "/sign-out", cookies=session.cookies).status_code == 403
    out = httpx.post(room.server.url + "/sign-out", cookies=session.cookies, data={"csrf": session.csrf})
    assert out.status_code == 303
    reply = cookie_request(room, "GET", path, headers=session.headers, cookies=session.cookies)
    assert reply.status_code == 401, reply.text


def test_a_sign_in_code_works_once_and_a_token_in_a_link_is_refused_unread(room: Room) -> None:
    code = sign_in_code(room.server, room.token)
    first = httpx.post(room.server.url + "/sign-in", data={"code": code})
    assert first.status_code == 303 and first.cookies.get("peerkit_session")
    second = cookie_request(room, "POST", "/sign-in", data={"code": code}, cookies={})
    assert second.status_code == 401 and "peerkit_session" not in second.cookies
    for query in ({"token": room.token}, {"code": code}):
        old = cookie_request(room, "GET", "/sign-in", params=query, cookies={}, follow_redirects=False)
        assert old.status_code == 400 and "set-cookie" not in old.headers
    evil = cookie_request(room, "POST", "/sign-in", data={"code": sign_in_code(room.server, room.token)},
                          headers={"Origin": "https://evil.example"}, cookies={})
    assert evil.status_code == 403 and "set-cookie" not in evil.headers
    assert httpx.post(room.server.url + "/sign-in", data={"code": "pkt_" + "x" * 43}).status_code == 401


def _age(room: Room, table: sa.Table, **values: Any) -> None:
    engine = sa.create_engine(room.server.db_url)
    with engine.begin() as conn:
        conn.execute(sa.update(table).values(**values))
    engine.dispose()


def test_sessions_expire_when_idle_and_after_a_day(room: Room) -> None:
    path = f"/api/v1/cohorts/{room.cohort['id']}/responses"
    for column in ("last_seen", "expires"):
        session = browser_session(room.server, room.token)
        engine = sa.create_engine(room.server.db_url)
        with engine.begin() as conn:
            conn.execute(sa.update(db.trainer_sessions).where(db.trainer_sessions.c.csrf == session.csrf)
                         .values(**{column: int(time.time()) - 13 * 3600}))
        engine.dispose()
        reply = httpx.get(room.server.url + path, cookies=session.cookies, headers=session.headers)
        assert reply.status_code == 401, (column, reply.text)


def test_sessions_are_listed_and_revocable(room: Room) -> None:
    session = browser_session(room.server, room.token)
    with room.server.client(room.token) as client:
        listed = client.get("/api/v1/sessions").json()["sessions"]
        assert listed and all(set(s) >= {"id", "created_at", "last_seen", "expires"} for s in listed)
        assert session.csrf not in str(listed) and session.cookies["peerkit_session"] not in str(listed)
        for entry in listed:
            assert client.delete(f"/api/v1/sessions/{entry['id']}").status_code == 200
        assert client.delete("/api/v1/sessions/000000000000").status_code == 404
    reply = httpx.get(f"{room.server.url}/api/v1/cohorts/{room.cohort['id']}/responses", cookies=session.cookies,
                      headers=session.headers)
    assert reply.status_code == 401
    room.session = browser_session(room.server, room.token)  # for the tests after this one


def test_tokens_expire_and_are_listed_and_revoked_from_the_command_line(room: Room) -> None:
    server = room.server
    added = peerkit_command("trainer", "add", "Short lived", "--days", "1", "--db", server.db_url,
                            folder=server.folder)
    assert added.returncode == 0, added.stderr
    token = next(word for word in added.stdout.split() if word.startswith("pkt_"))
    assert "#code=pkc_" in added.stdout and "?token=" not in added.stdout
    with server.client(token) as client:
        assert client.get("/api/v1/cohorts").status_code == 200
    listing = peerkit_command("trainer", "list", "--db", server.db_url, folder=server.folder)
    assert listing.returncode == 0 and token not in listing.stdout
    token_id = db.token_hash(token)[:12]
    assert token_id in listing.stdout
    revoked = peerkit_command("trainer", "revoke", token_id, "--db", server.db_url, folder=server.folder)
    assert revoked.returncode == 0, revoked.stderr
    with server.client(token) as client:
        assert client.get("/api/v1/cohorts").status_code == 401
    # a token past its day is refused like an unknown one
    other = add_trainer(server, "Old token")
    engine = sa.create_engine(server.db_url)
    with engine.begin() as conn:
        conn.execute(sa.update(db.trainer_tokens).where(db.trainer_tokens.c.token_hash == db.token_hash(other))
                     .values(expires=int(time.time()) - 1))
    engine.dispose()
    with server.client(other) as client:
        assert client.get("/api/v1/cohorts").status_code == 401
    assert httpx.post(server.url + "/sign-in", data={"code": other}).status_code == 401


def test_hub_trainers_with_long_shared_names_are_two_trainers(room: Room) -> None:
    from peerkit.server import cohorts
    from peerkit.server.tokens import hub_trainer
    from peerkit.server.problems import Problem
    from peerkit.server.settings import ServerSettings

    first, second = "a-very-long-hub-user-name-for-someone" + "-one", "a-very-long-hub-user-name-for-someone" + "-two"
    assert first[:35] == second[:35]
    engine = db.make_engine(room.server.db_url)
    try:
        one, two = hub_trainer(engine, first), hub_trainer(engine, second)
        assert one.id != two.id
        secret = ServerSettings(folder=room.server.folder).secret_key()
        made = cohorts.create(engine, secret, one.id, "Mine", 5)
        with pytest.raises(Problem) as refused:
            cohorts.get(engine, secret, two.id, made["id"])
        assert refused.value.status == 404
    finally:
        engine.dispose()


def test_no_query_string_reaches_the_access_log() -> None:
    from peerkit.server.serving import NoQueryStrings

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/services/peerkit/sign-in?token=pkt_secret", "1.1", 200), None)
    assert NoQueryStrings().filter(record)
    assert "pkt_secret" not in record.getMessage() and "/services/peerkit/sign-in" in record.getMessage()


def test_a_hub_trainers_session_ends_when_the_hub_no_longer_counts_them_a_trainer(tmp_path) -> None:
    """On a hub a browser session belongs to the hub user and is asked about again (here: on every request)."""
    from fastapi.testclient import TestClient

    from peerkit.server.app import create_app
    from peerkit.server.tokens import hub_trainer
    from peerkit.server.browser_sessions import new_sign_in_code
    from peerkit.server.settings import ServerSettings

    app = create_app(ServerSettings(folder=tmp_path, hub_recheck_seconds=0))
    in_group = {"ana-with-a-long-hub-name"}
    asked: list[str] = []

    async def recheck(name: str) -> bool:
        asked.append(name)
        return name in in_group

    app.state.hub_recheck = recheck
    who = hub_trainer(app.state.engine, "ana-with-a-long-hub-name")
    code = db.write(app.state.engine, lambda conn: new_sign_in_code(conn, who.id, who.hub_user))
    with TestClient(app, base_url="http://testserver") as browser:
        assert browser.post("/sign-in", data={"code": code}, follow_redirects=False).status_code == 303
        page = browser.get("/projector")
        assert page.status_code == 200 and "Sign out" in page.text
        in_group.clear()  # the admin takes Ana out of peerkit-trainers
        again = browser.get("/projector")
        assert again.status_code == 401 and asked == ["ana-with-a-long-hub-name"] * 2
    with db.reading(app.state.engine) as conn:
        assert conn.execute(sa.select(db.trainer_sessions)).all() == []


def test_signing_in_again_in_a_signed_in_browser_keeps_its_session(room: Room) -> None:
    """A second tab's sign-in must not strand the first tab's pages (they hold the session's CSRF token)."""
    session = browser_session(room.server, room.token)
    again = httpx.post(room.server.url + "/sign-in", data={"code": sign_in_code(room.server, room.token)},
                       cookies=session.cookies)
    assert again.status_code == 303 and "set-cookie" not in again.headers
    reply = httpx.get(f"{room.server.url}/api/v1/cohorts/{room.cohort['id']}/responses", cookies=session.cookies,
                      headers=session.headers)
    assert reply.status_code == 200
