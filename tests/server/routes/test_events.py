"""Live updates across workers: ``GET /api/v1/cohorts/{id}/events`` on a real ``peerkit serve``.

On PostgreSQL with several workers, a stream served by one worker must hear of an
answer another worker stored (LISTEN/NOTIFY, never an in-process queue only); on
SQLite (one worker) the in-process notice does the same. The streams re-read nothing by
themselves for an hour, so every answer's revision that arrives came by its push (how
soon is a benchmark figure: benchmarks/bench_server.py); a trainer sees only their own
cohort's stream; a learner token gets none.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.postgres import PostgresServer, required_bindir
from tests.support.server import RunningServer, add_trainer, launch, pseudonym

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer(required_bindir()).start()
    yield server
    server.stop()


#: The streams re-read the revision only once an hour by themselves: a change reaches them by its push (the
#: worker's broker, NOTIFY across PostgreSQL workers) or not at all, so the tests can wait generously.
PUSH_ONLY = {"PEERKIT_SERVER_EVENTS_RECHECK_SECONDS": "3600"}


def _serve(folder: Path, db_url: str, workers: int) -> tuple[RunningServer, str, str]:
    """``peerkit serve`` on ``db_url`` (:data:`PUSH_ONLY`): the server, its address and a trainer's token."""
    server = launch(db_url, folder, workers=workers, wait=90, env=PUSH_ONLY)
    try:
        return server, server.url, add_trainer(server, "T")
    except BaseException:
        server.stop()
        raise


class Stream:
    """Reads one SSE stream in a thread, noting when each revision arrived."""

    def __init__(self, url: str, token: str) -> None:
        self.arrived: dict[int, float] = {}
        self.status: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, token), daemon=True)
        self._thread.start()

    def _read(self, url: str, token: str) -> None:
        try:
            self._follow(url, token)
        except httpx.HTTPError:
            pass  # the server stopped at the end of the test

    def _follow(self, url: str, token: str) -> None:
        with httpx.Client(timeout=httpx.Timeout(30, read=60)) as client:
            with client.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as reply:
                self.status = reply.status_code
                event = None
                for line in reply.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "revision":
                        self.arrived.setdefault(json.loads(line[5:])["revision"], time.monotonic())

    def wait_for(self, revision: int, timeout: float = 5.0) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(r >= revision for r in self.arrived):
                return min(t for r, t in self.arrived.items() if r >= revision)
            time.sleep(0.005)
        return None

    def close(self) -> None:
        self._stop.set()


@pytest.fixture(params=["sqlite-1-worker", "postgresql-3-workers"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param.startswith("sqlite"):
        server, url, token = _serve(tmp_path, f"sqlite:///{tmp_path / 'cohorts.sqlite'}", 1)
        drop = None
    else:
        postgres = request.getfixturevalue("postgres")
        name = postgres.new_database()
        server, url, token = _serve(tmp_path, postgres.url_for(name), 3)
        drop = lambda: postgres.drop_database(name)  # noqa: E731
    try:
        yield url, token
    finally:
        server.stop()
        if drop:
            drop()


def test_every_answer_reaches_every_stream_by_its_push(live_server: tuple[str, str]) -> None:
    url, trainer = live_server
    with httpx.Client(base_url=url, timeout=20) as client:
        cohort = client.post("/api/v1/cohorts", json={"name": "Live"},
                             headers={"Authorization": f"Bearer {trainer}"}).json()
        learners = []
        for _ in range(4):
            joined = client.post("/api/v1/join", json={"code": cohort["join_code"],
                                                       "pseudonym": pseudonym()})
            assert joined.status_code == 201, joined.text
            learners.append(joined.json()["token"])
        # several streams: with 3 workers they are spread over the workers by the kernel
        streams = [Stream(f"{url}/api/v1/cohorts/{cohort['id']}/events", trainer) for _ in range(3)]
        try:
            for stream in streams:
                assert stream.wait_for(0, 10) is not None, "no first revision on the stream"
            for number in range(12):
                learner = learners[number % len(learners)]
                reply = client.post("/api/v1/me/answers", headers={"Authorization": f"Bearer {learner}"},
                                    json={"answers": [{"seq": number + 1, "exercise": "boundaries",
                                                       "item": f"B{1 + number // 4:02d}", "value": "maybe"}]})
                assert reply.status_code == 200 and reply.json()["accepted"], reply.text
                revision = client.get(f"/api/v1/cohorts/{cohort['id']}",
                                      headers={"Authorization": f"Bearer {trainer}"}).json()["revision"]
                for stream in streams:  # no re-read for an hour: only the push can bring it
                    assert stream.wait_for(revision, timeout=60) is not None, \
                        f"revision {revision} never reached a stream (its push was lost)"
        finally:
            for stream in streams:
                stream.close()


def test_only_the_cohorts_trainer_gets_its_stream(live_server: tuple[str, str]) -> None:
    url, trainer = live_server
    with httpx.Client(base_url=url, timeout=20) as client:
        cohort = client.post("/api/v1/cohorts", json={"name": "Mine"},
                             headers={"Authorization": f"Bearer {trainer}"}).json()
        learner = client.post("/api/v1/join", json={"code": cohort["join_code"],
                                                    "pseudonym": pseudonym()}).json()["token"]
        events = f"/api/v1/cohorts/{cohort['id']}/events"
        assert client.get(events).status_code == 401
        assert client.get(events, headers={"Authorization": f"Bearer {learner}"}).status_code == 403
        assert client.get("/api/v1/cohorts/cohort-nosuchid/events",
                          headers={"Authorization": f"Bearer {trainer}"}).status_code == 404


def test_the_projector_draws_a_room_tally_with_the_answers(tmp_path: Path) -> None:
    server, url, trainer = _serve(tmp_path, f"sqlite:///{tmp_path / 'cohorts.sqlite'}", 1)
    try:
        with httpx.Client(base_url=url, timeout=20, headers={"Authorization": f"Bearer {trainer}"}) as client:
            cohort = client.post("/api/v1/cohorts", json={"name": "Room"}).json()
            client.post("/sign-in", data={"code": trainer}, headers={"Authorization": ""})  # the projector's cookie
            page = client.get("/projector", headers={"Authorization": ""}).text
            csrf = re.search(r'name="peerkit-csrf" content="([^"]+)"', page).group(1)
            part = client.get(f"/projector/{cohort['id']}/live", headers={"Authorization": "", "X-Peerkit-CSRF": csrf})
            assert "Not shown yet" not in part.text and "peerkit-html-chart" not in part.text
            reply = client.post(f"/api/v1/cohorts/{cohort['id']}/tally", json={
                "exercise": "boundaries", "counts": {"B01": {"never": 2, "maybe": 3, "always": 1},
                                                     "B02": {"never": 1, "maybe": 1}}})
            assert reply.status_code == 200, reply.text
            # the room's screen shows one thing at a time: the trainer puts the charts on it
            shown = client.put(f"/api/v1/cohorts/{cohort['id']}/session/screen",
                               json={"screen": "chart", "exercise": "boundaries"})
            assert shown.status_code == 200, shown.text
            part = client.get(f"/projector/{cohort['id']}/live", headers={"Authorization": "", "X-Peerkit-CSRF": csrf})
            assert part.status_code == 200, part.text
            # what the room sees: the hands drawn on their own (B01's split, its counts printed), B02 held back
            assert "Hands counted in the room" in part.text
            b01 = re.search(r'data-item="B01">(.*?)<span class="pk-n">', part.text, re.S).group(1)
            assert sorted(re.findall(r'data-value="(\w+)" data-count="(\d+)"', b01)) == [
                ("always", "1"), ("maybe", "3"), ("never", "2")]
            b02 = re.search(r'data-item="B02">(.*?)<span class="pk-n">', part.text, re.S).group(1)
            assert "pk-seg" not in b02 and "fewer than 5" in b02  # two hands: under the group's minimum of 5
    finally:
        server.stop()
