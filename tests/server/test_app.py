"""The API's happy paths against the real server over HTTP, on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from tests.support.server import RunningServer, add_trainer, join, make_cohort, pseudonym

from peerkit.privacy import MIN_GROUP_SIZE


def answer(seq: int, value, exercise: str = "boundaries", item: str = "B01") -> dict:
    return {"seq": seq, "exercise": exercise, "item": item, "value": value}


def test_learner_answers_are_ordered_by_their_seq(server: RunningServer, cohort: dict, trainer_token: str) -> None:
    token = join(server, cohort["join_code"])
    with server.client(token) as me:
        first = me.post("/api/v1/me/answers", json={"answers": [answer(2, "maybe")]}).json()
        assert first["accepted"] == [2] and first["last_seq"] == 2
        # a resend of the same seq changes nothing and is still acknowledged
        assert me.post("/api/v1/me/answers", json={"answers": [answer(2, "maybe")]}).json()["accepted"] == [2]
        # an older seq, arriving late, is stale and does not overwrite
        late = me.post("/api/v1/me/answers", json={"answers": [answer(1, "never")]}).json()
        assert late["stale"] == [1] and late["accepted"] == []
        # a newer one wins, also inside one batch
        both = me.post("/api/v1/me/answers", json={"answers": [answer(4, "always"), answer(3, "never")]}).json()
        assert both["accepted"] == [3, 4] and both["stale"] == []
        assert me.get("/api/v1/me").json()["last_seq"] == 4
        assert me.get("/api/v1/me").json()["answers"] == 1
    with server.client(trainer_token) as trainer:
        rows = trainer.get(f"/api/v1/cohorts/{cohort['id']}/responses").json()["responses"]
    assert [(r["item"], r["value"]) for r in rows] == [("B01", "always")]


def test_aggregates_hide_items_below_the_group_size(server: RunningServer, cohort: dict, trainer_token: str) -> None:
    tokens = [join(server, cohort["join_code"]) for _ in range(MIN_GROUP_SIZE)]
    for index, token in enumerate(tokens):
        with server.client(token) as me:
            values = [answer(1, "maybe" if index % 2 else "never")]
            if index == 0:
                values.append(answer(2, "always", item="B02"))  # one person only on B02
            reply = me.post("/api/v1/me/answers", json={"answers": values}).json()
            assert reply["refused"] == [], reply
    with server.client(tokens[0]) as me:
        mine = me.get("/api/v1/me/aggregates", params={"exercise": "boundaries"}).json()
    items = mine["exercises"]["boundaries"]["items"]
    assert items["B01"] == {"n": 5, "counts": {"never": 3, "maybe": 2}}
    assert items["B02"] == {"suppressed": True}
    assert mine["members"] == 5 and mine["exercises"]["boundaries"]["respondents"] == 5
    with server.client(trainer_token) as trainer:
        theirs = trainer.get(f"/api/v1/cohorts/{cohort['id']}/aggregates").json()
    assert theirs["exercises"]["boundaries"]["items"] == items
    # one learner withdraws: B01 drops below five and is hidden again
    with server.client(tokens[1]) as me:
        assert me.delete("/api/v1/me/answers", params={"exercise": "boundaries"}).json() == {"removed": 1}
        again = me.get("/api/v1/me/aggregates").json()
    assert again["exercises"]["boundaries"]["items"]["B01"] == {"suppressed": True}


def test_ratings_and_knowledge_checks_are_counted_free_text_is_not(server: RunningServer, cohort: dict,
                                                                     trainer_token: str) -> None:
    for index in range(5):
        with server.client(join(server, cohort["join_code"])) as me:
            reply = me.post("/api/v1/me/answers", json={"answers": [
                answer(1, 4 if index < 3 else 2, "core_skills", "C01"),
                answer(2, ["b"] if index else ["a"], "peer_support_check", "Q1"),
                answer(3, {"text": f"I listen first ({index}).", "share": True}, "welcome_reflection", "R1"),
            ]}).json()
            assert reply["refused"] == [] and len(reply["accepted"]) == 3, reply
    with server.client(trainer_token) as trainer:
        data = trainer.get(f"/api/v1/cohorts/{cohort['id']}/aggregates").json()
        texts = trainer.get(f"/api/v1/cohorts/{cohort['id']}/reflections").json()["reflections"]
    assert data["exercises"]["core_skills"]["items"]["C01"]["counts"] == {"4": 3, "2": 2}
    q1 = data["exercises"]["peer_support_check"]["items"]["Q1"]
    assert q1["n"] == 5 and sum(q1["counts"].values()) == 5
    assert data["exercises"]["welcome_reflection"]["items"]["R1"] == {"n": 5}
    assert "I listen" not in json.dumps(data)
    assert sorted(t["text"] for t in texts) == [f"I listen first ({i})." for i in range(5)]
    assert all("share" not in t["value"] for t in texts)


def test_reflection_not_shared_is_a_withdrawal_and_hide_show(server: RunningServer, cohort: dict,
                                                          trainer_token: str) -> None:
    with server.client(join(server, cohort["join_code"])) as me:
        me.post("/api/v1/me/answers", json={"answers": [
            answer(1, {"text": "Mine to share."}, "welcome_reflection", "R1")]})
        with server.client(trainer_token) as trainer:
            texts = trainer.get(f"/api/v1/cohorts/{cohort['id']}/reflections").json()["reflections"]
            # a shared text waits for the trainer (issue 18): hidden from the room until approved ("show")
            assert [t["text"] for t in texts] == ["Mine to share."] and texts[0]["hidden"] is True
            assert texts[0]["status"] == "pending"
            shown = trainer.post(f"/api/v1/cohorts/{cohort['id']}/reflections/{texts[0]['id']}/show")
            assert shown.json() == {"id": texts[0]["id"], "hidden": False, "status": "approved"}
            hidden = trainer.post(f"/api/v1/cohorts/{cohort['id']}/reflections/{texts[0]['id']}/hide")
            assert hidden.json() == {"id": texts[0]["id"], "hidden": True, "status": "hidden"}
            assert trainer.get(f"/api/v1/cohorts/{cohort['id']}/reflections").json()["reflections"][0]["hidden"]
            trainer.post(f"/api/v1/cohorts/{cohort['id']}/reflections/{texts[0]['id']}/show")
            me.post("/api/v1/me/answers", json={"answers": [
                answer(2, {"text": "Changed my mind.", "share": False}, "welcome_reflection", "R1")]})
            assert trainer.get(f"/api/v1/cohorts/{cohort['id']}/reflections").json()["reflections"] == []


def test_trainer_manages_a_cohort(server: RunningServer, trainer_token: str) -> None:
    made = make_cohort(server, trainer_token, "Thursday", min_group_size=3)
    assert made["min_group_size"] == 3 and len(made["join_code"]) == 7
    token = join(server, made["join_code"])
    with server.client(trainer_token) as trainer:
        listed = trainer.get("/api/v1/cohorts").json()["cohorts"]
        assert [c["id"] for c in listed] == [made["id"]] and listed[0]["members"] == 1
        assert trainer.get(f"/api/v1/cohorts/{made['id']}").json()["join_code"] == made["join_code"]
        rotated = trainer.post(f"/api/v1/cohorts/{made['id']}/join-code").json()["join_code"]
        assert rotated != made["join_code"]
        with server.client() as anyone:
            old = anyone.post("/api/v1/join", json={"code": made["join_code"], "pseudonym": pseudonym()})
            assert old.status_code == 404
        assert trainer.get(f"/api/v1/cohorts/{made['id']}").json()["join_code"] == rotated
        closed = trainer.post(f"/api/v1/cohorts/{made['id']}/close").json()
        assert closed["status"] == "closed" and closed["closed_at"]
        with server.client() as anyone:
            late = anyone.post("/api/v1/join", json={"code": rotated, "pseudonym": pseudonym()})
            assert late.status_code == 410
        with server.client(token) as me:
            refused = me.post("/api/v1/me/answers", json={"answers": [answer(1, "maybe")]})
            assert refused.status_code == 410
            # taking one's answers back is always allowed
            assert me.delete("/api/v1/me/answers").status_code == 200
        assert trainer.delete(f"/api/v1/cohorts/{made['id']}").status_code == 204
        assert trainer.get(f"/api/v1/cohorts/{made['id']}").status_code == 404
    with server.client(token) as me:
        assert me.get("/api/v1/me").status_code == 401


def test_leaving_removes_every_answer_and_the_token(server: RunningServer, cohort: dict,
                                                   trainer_token: str) -> None:
    token = join(server, cohort["join_code"])
    with server.client(token) as me:
        me.post("/api/v1/me/answers", json={"answers": [answer(1, "maybe"), answer(2, "never", item="B02")]})
        assert me.delete("/api/v1/me").json() == {"removed": 2}
        assert me.get("/api/v1/me").status_code == 401
    with server.client(trainer_token) as trainer:
        assert trainer.get(f"/api/v1/cohorts/{cohort['id']}/responses").json()["responses"] == []
        assert trainer.get(f"/api/v1/cohorts/{cohort['id']}").json()["members"] == 0


def _submission(cohort_id: str, who: str, created: str, responses: list[dict]) -> dict:
    return {"format": "peerkit-submission", "format_version": 1, "cohort": cohort_id, "pseudonym": who,
            "created_at": created, "responses": [
                {**r, "answered_at": "2026-01-05T09:00:00+00:00"} for r in responses]}


def test_hand_in_files_never_overwrite_a_live_learner(server: RunningServer, cohort: dict,
                                                      trainer_token: str) -> None:
    live = pseudonym()
    token = join(server, cohort["join_code"], live)
    with server.client(token) as me:
        me.post("/api/v1/me/answers", json={"answers": [answer(1, "always")]})
    offline = pseudonym()
    files = [
        _submission(cohort["id"], live, "2026-01-05T10:00:00+00:00",
                    [{"exercise": "boundaries", "item": "B01", "value": "never"}]),
        _submission(cohort["id"], offline, "2026-01-05T10:00:00+00:00",
                    [{"exercise": "boundaries", "item": "B01", "value": "never"},
                     {"exercise": "boundaries", "item": "B02", "value": "maybe"}]),
        {"format": "something else"},
    ]
    with server.client(trainer_token) as trainer:
        result = trainer.post(f"/api/v1/cohorts/{cohort['id']}/submissions", json={"submissions": files}).json()
        assert result["stored"] == ["file 2"] and result["answers"] == 2
        assert sorted(r["name"] for r in result["rejected"]) == ["file 1", "file 3"]
        rows = trainer.get(f"/api/v1/cohorts/{cohort['id']}/responses").json()["responses"]
        mine = [r for r in rows if r["pseudonym"] == live]
        assert [(r["item"], r["value"], r["source"]) for r in mine] == [("B01", "always", "live")]
        # a newer file from the offline learner replaces their earlier one as a whole
        newer = _submission(cohort["id"], offline, "2026-01-05T11:00:00+00:00",
                            [{"exercise": "boundaries", "item": "B01", "value": "maybe"}])
        assert trainer.post(f"/api/v1/cohorts/{cohort['id']}/submissions",
                            json={"submissions": [newer]}).json()["stored"] == ["file 1"]
        rows = trainer.get(f"/api/v1/cohorts/{cohort['id']}/responses").json()["responses"]
        assert sorted((r["item"], r["value"]) for r in rows if r["pseudonym"] == offline) == [("B01", "maybe")]
        data = trainer.get(f"/api/v1/cohorts/{cohort['id']}/aggregates").json()
        assert data["from_files"] == 1 and data["members"] == 2 and data["members_from_files"] == 1


def test_room_tally(server: RunningServer, cohort: dict, trainer_token: str) -> None:
    with server.client(trainer_token) as trainer:
        reply = trainer.post(f"/api/v1/cohorts/{cohort['id']}/tally", json={
            "exercise": "boundaries", "counts": {"B01": {"never": 2, "maybe": 5}, "B02": {"always": 1}}})
        assert reply.status_code == 200, reply.text
        tally = trainer.get(f"/api/v1/cohorts/{cohort['id']}/aggregates").json()["exercises"]["boundaries"]["tally"]
        assert tally["B01"] == {"n": 7, "counts": {"never": 2, "maybe": 5}}
        assert tally["B02"] == {"suppressed": True}
        bad = trainer.post(f"/api/v1/cohorts/{cohort['id']}/tally", json={
            "exercise": "boundaries", "counts": {"B01": {"sometimes": 2}}})
        assert bad.status_code == 422 and "sometimes" in bad.json()["detail"]


def test_each_trainer_sees_only_their_own_cohorts(server: RunningServer, cohort: dict) -> None:
    other = add_trainer(server, "Other Trainer")
    with server.client(other) as trainer:
        assert trainer.get("/api/v1/cohorts").json()["cohorts"] == []
        for method, path in [("GET", ""), ("POST", "/close"), ("DELETE", ""), ("POST", "/join-code"),
                             ("GET", "/aggregates"), ("GET", "/reflections"), ("GET", "/responses"),
                             ("POST", "/reflections/1/hide")]:
            reply = trainer.request(method, f"/api/v1/cohorts/{cohort['id']}{path}")
            assert reply.status_code == 404, (method, path, reply.text)
            assert reply.headers["content-type"].startswith("application/problem+json")
    assert join(server, cohort["join_code"]).startswith("pkl_")  # untouched: still open, still joinable


def test_first_start_prints_a_trainer_token_address_and_qr(server: RunningServer) -> None:
    output = server.output()
    assert "Trainer token: pkt_" in output and "/sign-in#code=pkc_" in output
    assert "?token=" not in output  # a link holds a single-use code, in the fragment no server or log sees
    assert f"Learners join at http://127.0.0.1:{server.port}/" in output
    assert "█" in output  # the QR code, drawn with block characters


def test_retention_deletes_closed_cohorts_on_start(start_server, sqlite_db: str) -> None:
    first = start_server(sqlite_db, env={"PEERKIT_SERVER_RETENTION_DAYS": "0"})
    token = add_trainer(first)
    kept, gone = make_cohort(first, token, "kept"), make_cohort(first, token, "gone")
    with first.client(token) as trainer:
        trainer.post(f"/api/v1/cohorts/{gone['id']}/close")
    first.stop()
    second = start_server(sqlite_db, env={"PEERKIT_SERVER_RETENTION_DAYS": "0"})
    with second.client(token) as trainer:
        assert [c["id"] for c in trainer.get("/api/v1/cohorts").json()["cohorts"]] == [kept["id"]]
    assert datetime.now(timezone.utc)  # the sweep ran at start, not after a day


def test_responses_come_in_pages_each_answer_once(server: RunningServer, cohort: dict, trainer_token: str) -> None:
    names = [pseudonym() for _ in range(3)]
    for name in names:
        with server.client(join(server, cohort["join_code"], name)) as me:
            me.post("/api/v1/me/answers", json={"answers": [answer(1, "maybe"), answer(2, "never", item="B02"),
                                                            answer(3, 4, exercise="core_skills", item="C01")]})
    with server.client(trainer_token) as trainer:
        base = f"/api/v1/cohorts/{cohort['id']}/responses"
        whole = trainer.get(base).json()
        assert whole["next"] is None and len(whole["responses"]) == 9
        # research_consent and hidden: what the research export needs to leave a learner or a text out
        assert set(whole["responses"][0]) == {"id", "pseudonym", "exercise", "item", "value", "received_at",
                                              "source", "research_consent", "hidden"}
        assert {r["pseudonym"] for r in whole["responses"]} == set(names)
        seen, url, pages = [], f"{base}?limit=2", 0
        while url:
            page = trainer.get(url).json()
            seen += page["responses"]
            url, pages = page["next"], pages + 1
        assert pages == 5 and seen == whole["responses"]
        boundaries = trainer.get(f"{base}?exercise=boundaries&limit=4").json()
        assert "exercise=boundaries" in boundaries["next"] and len(boundaries["responses"]) == 4
        assert trainer.get(boundaries["next"]).json()["responses"][0]["exercise"] == "boundaries"
        assert trainer.get(f"{base}?limit=0").status_code == 422


def test_answers_reach_their_handler_past_the_router_and_errors_keep_their_replies(tmp_path, monkeypatch) -> None:
    """``POST /api/v1/me/answers`` goes from the doors' limits straight to its handler (``DirectRoutes``: the
    router's walk and FastAPI's layers cost the event loop as much as the handler); a Problem it raises is the
    usual problem reply, and a crash is the app's 500 problem, as through the router."""
    from fastapi.testclient import TestClient

    from peerkit.server.app import create_app
    from peerkit.server.problems import Problem
    from peerkit.server.routes import me
    from peerkit.server.settings import ServerSettings

    seen, outcome = [], {}

    class Writer:
        async def record(self, *_args, **_kwargs):
            raise outcome["raise"]

    def writer_for(app):
        seen.append(app)
        return Writer()

    monkeypatch.setattr(me, "writer_for", writer_for)
    original = me.send_answers

    async def send_answers(request):
        seen.append(request.scope.get("endpoint"))  # the router names the endpoint it matched; the door does not
        return await original(request)

    monkeypatch.setitem(me.DIRECT, ("POST", "/me/answers"), send_answers)
    app = create_app(ServerSettings(folder=tmp_path, db_url=f"sqlite:///{tmp_path / 'cohorts.sqlite'}"))
    body = {"answers": [answer(1, "maybe")]}
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {"Authorization": "Bearer pkl_" + "a" * 43}
        outcome["raise"] = Problem(410, "cohort-closed", "Cohort closed", "The cohort is closed.")
        closed = client.post("/api/v1/me/answers", json=body, headers=headers)
        outcome["raise"] = RuntimeError("a bug")
        crashed = client.post("/api/v1/me/answers", json=body, headers=headers)
        not_json = client.post("/api/v1/me/answers", content=b"{", headers=headers)
        anonymous = client.post("/api/v1/me/answers", json=body)
    assert seen[:2] == [None, app] and seen[2:4] == [None, app]
    assert (closed.status_code, closed.headers["content-type"], closed.json()["detail"]) == (
        410, "application/problem+json", "The cohort is closed.")
    assert crashed.status_code == 500 and crashed.json()["type"].endswith("/server-error")
    assert not_json.status_code == 422 and not_json.json()["detail"] == "The request body is not valid JSON."
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"


def test_direct_routes_match_the_path_after_a_hubs_prefix() -> None:
    from peerkit.server.app import _route_path

    prefixed = {"path": "/services/peerkit/api/v1/me/answers", "root_path": "/services/peerkit"}
    assert _route_path(prefixed) == "/api/v1/me/answers"
    assert _route_path({"path": "/api/v1/me/answers", "root_path": ""}) == "/api/v1/me/answers"
    # straight to the service's own address (the hub's health check): routed unchanged
    assert _route_path({"path": "/api/v1/me/answers", "root_path": "/services/peerkit"}) == "/api/v1/me/answers"
    assert _route_path({"path": "/services/peerkitx/api", "root_path": "/services/peerkit"}) == "/services/peerkitx/api"


def test_a_body_that_never_finishes_arriving_gets_408_and_never_reaches_the_route() -> None:
    import asyncio

    from peerkit.server.app import BodyLimit

    reached, sent = [], []

    async def route(scope, receive, send) -> None:
        reached.append(scope["path"])

    async def lecture() -> None:
        parts = iter([{"type": "http.request", "body": b'{"answers": [', "more_body": True}])

        async def receive() -> dict:
            part = next(parts, None)
            if part is None:
                await asyncio.Event().wait()  # the rest never comes
            return part

        async def send(message: dict) -> None:
            sent.append(message)

        door = BodyLimit(route, limit=1 << 20, upload_limit=1 << 20, body_seconds=0.2)
        scope = {"type": "http", "method": "POST", "path": "/api/v1/me/answers", "query_string": b"",
                 "headers": [(b"content-length", b"100"), (b"authorization", b"Bearer pkl_" + b"a" * 43)]}
        await asyncio.wait_for(door(scope, receive, send), 60)

    asyncio.run(lecture())
    assert reached == [] and sent[0]["status"] == 408
    assert b"did not arrive in time" in b"".join(m.get("body", b"") for m in sent)
