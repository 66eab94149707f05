"""Limits on every door (issue 19, part 4), on SQLite and PostgreSQL: each refused with the right status and
nothing changed.

- a big body without a working token is refused at the small size, unread (a 24 MiB upload with no token was
  read into memory before its 401);
- a client that never finishes its headers is cut off;
- headers over 16 KiB get 400 and the connection closed, whether they end or never do, and a
  keep-alive connection's second request is held to the same limits;
- one learner's flood of writes is slowed (429 with ``Retry-After``) while another learner's writes go on;
- a learner makes at most ``max_learner_items`` goals, counted by the server;
- one sign-in opens at most ``event_streams_per_session`` event streams.

The benchmark of another learner's worst request while one floods is ``benchmarks/bench_learner_flood.py``.
"""
from __future__ import annotations

import socket

import httpx
from tests.support.server import add_trainer, join, make_cohort, snapshot

from peerkit.server.serving import HEADER_SECONDS, MAX_HEADER_BYTES

GOAL = {"text": "I will call a friend twice a week", "criteria": ["SPECIFIC", "TIME_LIMITED"]}


def test_a_big_body_without_a_token_is_refused_unread(server, cohort) -> None:
    before = snapshot(server.db_url)
    big = b"x" * (24 * 1024 * 1024)
    with server.client() as client:
        declared = client.post(f"/api/v1/cohorts/{cohort['id']}/submissions", content=big,
                               headers={"content-type": "application/json"})
        streamed = client.post(f"/api/v1/cohorts/{cohort['id']}/submissions",
                               content=(b"x" * 65536 for _ in range(400)), headers={"content-type": "application/json"})
        forged = client.post(f"/api/v1/cohorts/{cohort['id']}/submissions", content=b"x" * (200 * 1024),
                             headers={"content-type": "application/json", "Authorization": "Bearer pkt_" + "x" * 43})
    assert declared.status_code == 413 and streamed.status_code == 413 and forged.status_code == 413
    assert "not signed in" in declared.json()["detail"]
    assert snapshot(server.db_url) == before


def test_a_learners_first_big_batch_is_taken_and_a_made_up_learner_token_gets_only_the_small_size(
        server, cohort) -> None:
    """A learner token the worker has not seen yet is not looked up before the body (the answer writer looks it up
    with its batch): the body is taken at the size for someone not signed in, and only a bigger one makes the
    token be looked up first, so a real learner's big batch goes in and a made-up token still gets 413."""
    token = join(server, cohort["join_code"])  # joining does not put the token in the worker's cache
    text = "I will listen first and ask what would help. " * 100  # 4,500 characters, under a text's limit
    batch = {"answers": [{"seq": seq, "exercise": "welcome_reflection", "item": "R1", "value": {"text": text}}
                         for seq in range(1, 21)]}  # about 90 KiB in all: over the 64 KiB before sign-in
    with server.client(token) as me:
        reply = me.post("/api/v1/me/answers", json=batch)
    assert reply.status_code == 200 and reply.json()["refused"] == [] and 20 in reply.json()["accepted"], \
        reply.text[:300]
    before = snapshot(server.db_url)
    with server.client("pkl_" + "x" * 43) as made_up:
        refused = made_up.post("/api/v1/me/answers", json=batch)
        streamed = made_up.post("/api/v1/me/answers", content=(b"x" * 16384 for _ in range(8)),
                                headers={"content-type": "application/json"})
        small = made_up.post("/api/v1/me/answers", json={"answers": batch["answers"][:0]})
    assert refused.status_code == 413 and "not signed in" in refused.json()["detail"]
    assert streamed.status_code == 413
    assert small.status_code == 401  # a small body is read, and the writer finds nobody holds the token
    assert snapshot(server.db_url) == before


def test_a_client_that_never_finishes_its_headers_is_cut_off(server) -> None:
    # the deadline is the socket's: a server that never cut it off would make recv time out, and the test fail
    with socket.create_connection(("127.0.0.1", server.port), timeout=HEADER_SECONDS * 4) as slow:
        slow.sendall(b"POST /api/v1/join HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert slow.recv(1024) == b""  # the server closed the connection
    with server.client() as client:  # and it still serves everyone else
        assert client.get("/api/v1/health").status_code == 200


def _everything_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_headers_over_the_limit_get_400_and_the_connection_closed(server) -> None:
    small = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 1000 + b"\r\n\r\n"
    big = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * MAX_HEADER_BYTES + b"\r\n\r\n"
    endless = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * (8 * MAX_HEADER_BYTES)
    for label, first, second in (("complete", big, b""), ("never ending", endless, b""),
                                 ("second request on the connection", small, big)):
        with socket.create_connection(("127.0.0.1", server.port), timeout=HEADER_SECONDS * 4) as connection:
            connection.sendall(first)
            if second:
                answered = b""
                while answered.count(b"HTTP/1.1 ") < 1 or not answered.endswith(b"}"):
                    answered += connection.recv(65536)
                assert answered.startswith(b"HTTP/1.1 200"), answered[:200]
                connection.sendall(second)
            try:
                received = _everything_until_closed(connection)
            except ConnectionResetError:  # closed while bytes it never read were waiting: also cut off
                received = b""
            assert received == b"" or received.startswith(b"HTTP/1.1 400"), (label, received[:200])
            assert b"HTTP/1.1 200" not in received, label
    with server.client() as client:  # a head a little under the limit is served
        assert client.get("/api/v1/health", headers={"X-Pad": "a" * (MAX_HEADER_BYTES - 1024)}).status_code == 200


def test_one_learners_flood_is_slowed_and_another_learners_writes_go_on(start_server, server_db: str) -> None:
    server = start_server(server_db, env={"PEERKIT_SERVER_LEARNER_WRITE_BURST": "5",
                                          "PEERKIT_SERVER_LEARNER_WRITES_PER_SECOND": "0.01"})
    cohort = make_cohort(server, add_trainer(server))
    flooder, other = join(server, cohort["join_code"]), join(server, cohort["join_code"])

    def send(token: str, seq: int) -> httpx.Response:
        with server.client(token) as client:
            return client.post("/api/v1/me/answers", json={"answers": [
                {"seq": seq, "exercise": "boundaries", "item": "B01", "value": "maybe"}]})

    assert [send(flooder, seq).status_code for seq in range(1, 6)] == [200] * 5
    before = snapshot(server.db_url)
    slowed = send(flooder, 6)
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1
    assert snapshot(server.db_url) == before
    assert send(other, 1).status_code == 200
    with server.client(flooder) as client:  # reading is not slowed
        assert client.get("/api/v1/me").status_code == 200


def test_a_learner_makes_at_most_fifty_goals(server, cohort) -> None:
    learner = join(server, cohort["join_code"])
    goals = [{"seq": n, "exercise": "smart_goal", "item": f"G-{n:08x}", "value": GOAL} for n in range(1, 52)]
    with server.client(learner) as client:
        reply = client.post("/api/v1/me/answers", json={"answers": goals}).json()
        assert len(reply["accepted"]) == 50 and [r["seq"] for r in reply["refused"]] == [51]
        assert "the most one person may" in reply["refused"][0]["detail"]
        before = snapshot(server.db_url)
        again = client.post("/api/v1/me/answers", json={"answers": [
            {"seq": 60, "exercise": "smart_goal", "item": "G-0000ffff", "value": GOAL}]}).json()
        assert again["accepted"] == [] and again["refused"]
        assert snapshot(server.db_url) == before
        # editing a goal already made is no new goal
        edit = client.post("/api/v1/me/answers", json={"answers": [
            {"seq": 61, "exercise": "smart_goal", "item": "G-00000001", "value": GOAL}]}).json()
        assert edit["accepted"] == [61]


def test_one_sign_in_opens_a_few_event_streams_not_hundreds(start_server, server_db: str) -> None:
    server = start_server(server_db, env={"PEERKIT_SERVER_EVENT_STREAMS": "2"})
    token = add_trainer(server)
    cohort = make_cohort(server, token)
    url = f"{server.url}/api/v1/cohorts/{cohort['id']}/events"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as one, httpx.Client(timeout=30) as two, httpx.Client(timeout=30) as three:
        with one.stream("GET", url, headers=headers) as first, two.stream("GET", url, headers=headers) as second:
            assert first.status_code == 200 and second.status_code == 200
            refused = three.get(url, headers=headers)
            assert refused.status_code == 429, refused.text
        # closed streams are given back (the server notices the disconnect on its next heartbeat or event)
        other = add_trainer(server, "Another trainer")
        with three.stream("GET", url.replace(cohort["id"], make_cohort(server, other)["id"]),
                          headers={"Authorization": f"Bearer {other}"}) as elsewhere:
            assert elsewhere.status_code == 200


def test_a_serving_worker_leaves_what_it_made_starting_out_of_garbage_collection(tmp_path) -> None:
    """The app uvicorn's workers build (``app_from_env``) is frozen out of the collector's full passes, which
    walked all of it with the event loop stopped (request p99 of ``bench_server.py``); run in a process of its
    own, since a test process builds apps of its own and must not be frozen."""
    import os
    import subprocess
    import sys

    script = ("import gc; from peerkit.server.app import app_from_env; before = gc.get_freeze_count(); "
              "app_from_env(); print(before, gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PEERKIT_SERVER_FOLDER": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    assert before == 0 and after > 10_000  # the modules, the app and its routes: tens of thousands of objects
