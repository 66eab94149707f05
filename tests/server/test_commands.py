"""The server starts on both stores, makes its secret, and answers in problem details."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import httpx
import pytest

from peerkit.server.commands import lan_address
from tests.support.server import TOKEN, RunningServer, free_port, join, room_live


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


def test_serve_on_this_computer_only_says_so_and_how_to_let_the_room_in(server: RunningServer, trainer_token: str,
                                                                       cohort: dict) -> None:
    printed = server.output()
    assert "Only this computer can open that address" in printed
    assert "peerkit serve --host 0.0.0.0" in printed
    join_screen = room_live(server, trainer_token, cohort["id"])
    assert "Only this computer can open this address" in join_screen and "--host 0.0.0.0" in join_screen


def test_serve_on_the_network_shows_the_address_it_found_on_the_join_screen(tmp_path) -> None:
    """``--host 0.0.0.0``: the printed address, the join screen's address and its QR code are the network's."""
    import doctest
    import importlib

    for name in ("peerkit.server.commands", "peerkit.server.web"):
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted and not result.failed, name
    lan = lan_address()
    if lan.startswith("127."):
        pytest.skip("this machine has no network address")
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PEERKIT_SERVER_FOLDER": str(tmp_path), "PEERKIT_SERVE_WATCH_PID": str(os.getpid())}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "peerkit.cli", "serve", "--host", "0.0.0.0", "--port",
                                    str(port)], stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        printed = log.read_text()
        address = f"http://{lan}:{port}/"
        assert f"Learners join at {address}" in printed and "Devices on the same network" in printed
        assert "Only this computer" not in printed
        token = TOKEN.search(printed).group(0)
        running = RunningServer("", tmp_path, port, process, log)
        with running.client(token) as client:
            made = client.post("/api/v1/cohorts", json={"name": "Network group"}).json()
        join_screen = room_live(running, token, made["id"])
        assert address in join_screen and "Only this computer" not in join_screen
        assert f"QR code of {address}" in join_screen  # the QR code holds the network address
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
