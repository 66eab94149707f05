"""The cohort server under a classroom's load: simulated learners on loopback, the projector's live stream.

For each backend (SQLite with one worker; PostgreSQL with several workers) it starts
a real ``peerkit serve``, makes a cohort, and lets LEARNERS simulated learners
(asyncio + httpx) join and then answer the boundary matrix, a self-rating, a
knowledge check and a reflection, one answer per request as widgets send them:
first paced (RATE answers a second, for PACED_SECONDS: a big class at work), then a
burst of BURST answers as fast as 50 connections send them (the server's capacity).
Count and time are bounded. A separate process reads the cohort's server-sent event
stream as the projector page does. It prints:

- accepted answers per second (paced, and at capacity);
- p50 and p99 from sending an answer to its revision arriving on the stream. The
  server bumps the revision by one per stored answer, so the k-th answer stored is
  revision R0 + k; an answer's arrival is the first event at or after the revision
  of its place in the order of acknowledgements;
- answers lost: accepted by the server but missing from the trainer's aggregates (must be 0);
- server CPU seconds per 1,000 answers (peerkit's processes; PostgreSQL's own beside it);

then the projector page's refresh (``GET /projector/{id}/live``, what the page fetches
on each revision) with 50 and with 5,000 learners' counts in the store: after nothing
changed, after one new answer, after new answers to every exercise, and cold (every
panel drawn). A refresh reads the counts kept per option, never the answers, and
draws again only the exercises whose counts changed: its cost follows the new
answers, not all answers.

Run: .venv/bin/python benchmarks/bench_server.py   (about 1.5 minutes on an idle 2-core machine;
LEARNERS=100 PACED_SECONDS=5 BURST=100 for a quick look; PARTS=refresh for the projector part only)
"""
from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
LEARNERS = int(os.environ.get("LEARNERS", "1000"))
RATE = float(os.environ.get("RATE", "30"))            # answers a second offered in the paced phase
PACED_SECONDS = float(os.environ.get("PACED_SECONDS", "15"))
BURST = int(os.environ.get("BURST", "400"))
PG_WORKERS = int(os.environ.get("PG_WORKERS", "2"))
CONNECTIONS = 100
TOKEN = re.compile(r"pkt_[A-Za-z0-9_\-]{43}")
TICKS = os.sysconf("SC_CLK_TCK")
BOUNDARY = ["never", "maybe", "always"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in the process group (the server and its workers)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def postgres_cpu(root: Path | None) -> float:
    if root is None:
        return 0.0
    pid_file = root / "data" / "postmaster.pid"
    try:
        postmaster = int(pid_file.read_text().split()[0])
    except (OSError, ValueError):
        return 0.0
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == postmaster or int(fields[1]) == postmaster:  # the postmaster and its backends
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


class Server:
    def __init__(self, db_url: str, workers: int) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="peerkit-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PEERKIT_SERVER_FOLDER": str(self.folder), "PEERKIT_SERVE_WATCH_PID": str(os.getpid()),
                    "PEERKIT_SERVER_JOINS_PER_COHORT": "100000", "PEERKIT_SERVER_JOIN_FAILURES": "100000",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.db_url = db_url
        self.log = (self.folder / "serve.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "peerkit.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--db", db_url, "--workers", str(workers)],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env, cwd=REPO, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise SystemExit((self.folder / "serve.log").read_text()[-3000:])
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        added = subprocess.run([sys.executable, "-m", "peerkit.cli", "trainer", "add", "Bench", "--db", db_url],
                               capture_output=True, text=True, env=self.env, cwd=REPO, timeout=60)
        self.trainer = TOKEN.search(added.stdout).group(0)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


def listen(url: str, token: str, out: "multiprocessing.Queue", stop: "multiprocessing.Event") -> None:
    """In its own process (the load generator must not delay it): the stream's revisions and their arrival."""
    with httpx.Client(timeout=httpx.Timeout(30, read=120)) as client:
        with client.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as reply:
            event = None
            for line in reply.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "revision":
                    out.put((json.loads(line[5:])["revision"], time.monotonic()))
                if stop.is_set():
                    return


def learner_answers(number: int) -> list[tuple[str, str, object]]:
    rng = random.Random(number)
    answers = [("boundaries", f"B{rng.randint(1, 27):02d}", rng.choice(BOUNDARY)) for _ in range(2)]
    answers.append(("core_skills", f"C{rng.randint(1, 11):02d}", rng.randint(1, 5)))
    answers.append(("peer_support_check", "Q1", [rng.choice("abcd")]))
    answers.append(("welcome_reflection", "R1", {"text": f"Listening first, learner {number}.", "share": True}))
    # the same item twice would be one answer replacing another: keep the first of each item
    seen, unique = set(), []
    for exercise, item, value in answers:
        if (exercise, item) not in seen:
            seen.add((exercise, item))
            unique.append((exercise, item, value))
    return unique


async def run_learners(server: Server, code: str, cpu: "Callable[[], tuple[float, float]]") -> dict[str, object]:
    """Join LEARNERS learners; then a paced phase (answers at RATE a second, Poisson arrivals, for at most
    PACED_SECONDS: what a projector sees in a big class) and a burst (BURST answers as fast as 50
    connections send them: the server's capacity)."""
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=120) as client:
        async def join(_: int) -> list:
            pseudonym = "p-" + secrets.token_hex(10)
            for attempt in range(5):
                reply = await client.post("/api/v1/join", json={"code": code, "pseudonym": pseudonym})
                if reply.status_code == 201:
                    return [reply.json()["token"], pseudonym, 0]
                await asyncio.sleep(0.2 * (attempt + 1))
            raise RuntimeError(f"join failed: {reply.status_code} {reply.text}")

        started = time.monotonic()
        people = await asyncio.gather(*(join(i) for i in range(LEARNERS)))
        join_seconds = time.monotonic() - started
        # every learner's answers (boundary matrix, a rating, a knowledge check, a reflection), shuffled together
        rng = random.Random(7)
        queue = [(person, answer) for number, person in enumerate(people) for answer in learner_answers(number)]
        rng.shuffle(queue)
        sent: list[tuple[float, float, tuple, str]] = []  # (sent at, acknowledged at, answer, phase)
        refused: list[str] = []

        async def send(person: list, answer: tuple, phase: str) -> None:
            exercise, item, value = answer
            person[2] += 1
            seq = person[2]  # a learner's answers may be in flight together, as from a real outbox
            at = time.monotonic()
            reply = await client.post("/api/v1/me/answers", headers={"Authorization": f"Bearer {person[0]}"},
                                      json={"answers": [{"seq": seq, "exercise": exercise, "item": item,
                                                         "value": value}]})
            done = time.monotonic()
            if reply.status_code == 200 and reply.json()["accepted"] == [seq]:
                sent.append((at, done, (person[1], exercise, item, value), phase))
            else:
                refused.append(f"{reply.status_code} {reply.text[:200]}")

        cpu_before = cpu()
        # paced: arrivals at RATE per second until PACED_SECONDS are over
        tasks, moment, begin = [], 0.0, time.monotonic()
        paced = 0
        while queue and moment < PACED_SECONDS:
            moment += rng.expovariate(RATE)
            await asyncio.sleep(max(0.0, begin + moment - time.monotonic()))
            person, answer = queue.pop()
            tasks.append(asyncio.create_task(send(person, answer, "paced")))
            paced += 1
        await asyncio.gather(*tasks)
        paced_seconds = time.monotonic() - begin
        # burst: the next BURST answers, 50 at a time
        burst = [queue.pop() for _ in range(min(BURST, len(queue)))]
        semaphore = asyncio.Semaphore(50)

        async def limited(person: list, answer: tuple) -> None:
            async with semaphore:
                await send(person, answer, "burst")

        begin = time.monotonic()
        await asyncio.gather(*(limited(person, answer) for person, answer in burst))
        burst_seconds = time.monotonic() - begin
        cpu_after = cpu()
        return {"sent": sent, "refused": refused, "join_seconds": join_seconds, "paced": paced,
                "cpu": cpu_after[0] - cpu_before[0], "pg_cpu": cpu_after[1] - cpu_before[1],
                "paced_seconds": paced_seconds, "burst": len(burst), "burst_seconds": burst_seconds}


def lost_answers(server: Server, cohort_id: str, sent: list) -> int:
    """Acknowledged answers missing from the store's row-level responses (or stored with another value)."""
    reply = httpx.get(f"{server.url}/api/v1/cohorts/{cohort_id}/responses", timeout=120,
                      headers={"Authorization": f"Bearer {server.trainer}"})
    reply.raise_for_status()
    stored = {(r["learner"], r["exercise"], r["item"]): json.dumps(r["value"], sort_keys=True)
              for r in reply.json()["responses"]}
    lost = 0
    for _, _, (who, exercise, item, value), _ in sent:
        held = stored.get((who, exercise, item))
        if held is None:
            lost += 1
        elif isinstance(value, dict):  # a shared text: the server keeps only what is shared
            lost += value["text"] not in held
        else:
            lost += held != json.dumps(value, sort_keys=True)
    return lost


def load_run(label: str, db_url: str, workers: int, pg_root: Path | None = None) -> None:
    server = Server(db_url, workers)
    try:
        with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {server.trainer}"}) as c:
            cohort = c.post("/api/v1/cohorts", json={"name": "Bench"}).json()
        queue: multiprocessing.Queue = multiprocessing.Queue()
        stop = multiprocessing.Event()
        reader = multiprocessing.Process(target=listen, args=(
            f"{server.url}/api/v1/cohorts/{cohort['id']}/events", server.trainer, queue, stop), daemon=True)
        reader.start()
        queue.get(timeout=30)  # the stream is open
        result = asyncio.run(run_learners(server, cohort["join_code"],
                                          lambda: (cpu_seconds(server.process.pid), postgres_cpu(pg_root))))
        with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {server.trainer}"}) as c:
            final = c.get(f"/api/v1/cohorts/{cohort['id']}").json()["revision"]
        arrivals: dict[int, float] = {}
        deadline = time.monotonic() + 10
        while max(arrivals, default=-1) < final and time.monotonic() < deadline:
            try:
                revision, at = queue.get(timeout=1)
                arrivals.setdefault(revision, at)
            except Exception:  # noqa: BLE001 - queue.Empty: keep waiting until the deadline
                pass
        stop.set()
        reader.terminate()
        sent = sorted(result["sent"], key=lambda s: s[1])
        first = final - len(sent)  # the revision before the first answer was stored (joins bumped it too)
        ordered = sorted(arrivals.items())
        delays: dict[str, list[float]] = {"paced": [], "burst": []}
        after_ack: dict[str, list[float]] = {"paced": [], "burst": []}
        waits: dict[str, list[float]] = {"paced": [], "burst": []}
        missing, position = 0, 0
        for k, (at, acked, _, phase) in enumerate(sent, 1):
            waits[phase].append(acked - at)
            while position < len(ordered) and ordered[position][0] < first + k:
                position += 1
            if position == len(ordered):
                missing += 1
                continue
            delays[phase].append(max(0.0, ordered[position][1] - at))
            after_ack[phase].append(ordered[position][1] - acked)
        accepted = len(sent)
        lost = lost_answers(server, cohort["id"], sent)

        def q(values: list[float], p: float) -> float:
            values = sorted(values)
            return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else float("nan")

        paced = len(waits["paced"])
        print(f"{label}: {LEARNERS} learners joined in {result['join_seconds']:.1f} s")
        print(f"    paced ({RATE:.0f} answers/s offered for {PACED_SECONDS:.0f} s): {paced} accepted, "
              f"{paced / result['paced_seconds']:.0f} answers/s; answer -> projector stream p50 "
              f"{q(delays['paced'], .5):.0f} ms, p99 {q(delays['paced'], .99):.0f} ms (goal p99 < 1000 ms)")
        print(f"        of which the answer's own request p50 {q(waits['paced'], .5):.0f} ms, p99 "
              f"{q(waits['paced'], .99):.0f} ms; acknowledgement -> stream p50 {q(after_ack['paced'], .5):.0f} ms, "
              f"p99 {q(after_ack['paced'], .99):.0f} ms (negative: the event came before the reply)")
        burst = len(waits["burst"])
        print(f"    burst ({result['burst']} answers, 50 at a time): {burst / result['burst_seconds']:.0f} accepted "
              f"answers/s (capacity); answer -> stream p50 {q(delays['burst'], .5):.0f} ms, p99 "
              f"{q(delays['burst'], .99):.0f} ms (queueing in the server)")
        print(f"    answers lost: {lost} of {accepted} acknowledged (must be 0); refused {len(result['refused'])}; "
              f"revisions never seen on the stream: {missing}")
        print(f"    server CPU: {1000 * result['cpu'] / accepted:.2f} s per 1,000 answers"
              + (f" (+ PostgreSQL {1000 * result['pg_cpu'] / accepted:.2f} s)" if pg_root else ""))
        if result["refused"]:
            print("    first refusal:", result["refused"][0])
    finally:
        server.stop()


# -- the projector's refresh at 5,000 learners ---------------------------------------------------

def fill_counts(db_path: Path, cohort_id: str, learners: int) -> None:
    """Put ``learners`` people's counts straight into the store's count tables (what the page reads)."""
    from peerkit.exercises import load_exercise
    from peerkit.server.db import dumps

    rng = random.Random(learners)
    conn = sqlite3.connect(db_path, timeout=30)
    with conn:
        for exercise in ("boundaries", "core_skills", "recovery_dimensions", "course_feedback"):
            definition = load_exercise(exercise)
            values = [o.value for o in definition.scale]
            for item in definition.item_ids:
                weights = [rng.random() for _ in values]
                shares = [w / sum(weights) for w in weights]
                counts = [int(learners * s) for s in shares]
                counts[0] += learners - sum(counts)
                for value, n in zip(values, counts):
                    conn.execute("INSERT INTO counts (cohort_id, exercise, item, value_key, n) VALUES (?,?,?,?,?) "
                                 "ON CONFLICT DO UPDATE SET n = n + excluded.n", (cohort_id, exercise, item, dumps(value), n))
                conn.execute("INSERT INTO item_respondents (cohort_id, exercise, item, n, from_files) VALUES (?,?,?,?,0) "
                             "ON CONFLICT DO UPDATE SET n = n + excluded.n", (cohort_id, exercise, item, learners))
            conn.execute("INSERT INTO exercise_respondents (cohort_id, exercise, n) VALUES (?,?,?) "
                         "ON CONFLICT DO UPDATE SET n = n + excluded.n", (cohort_id, exercise, learners))
        conn.execute("UPDATE cohorts SET revision = revision + 1 WHERE id = ?", (cohort_id,))
    conn.close()


def in_process(db_path: Path, cohort_id: str, bump_fill, send) -> str:
    """CPU milliseconds of one refresh (read the counts, draw what changed, render the page part)."""
    from peerkit.server import db
    from peerkit.templating import server_environment
    from peerkit.server.projector import PanelCache, live_state

    engine = db.make_engine(f"sqlite:///{db_path}")
    cache = PanelCache()
    template = server_environment().get_template("room_screen.html")  # the room's screen, showing a chart

    def refresh() -> float:
        started = time.process_time()
        with db.reading(engine) as conn:
            row = conn.execute(db.sa.select(db.cohorts).where(db.cohorts.c.id == cohort_id)).first()
            live = live_state(conn, row, cache=cache)
        panel = next((p for p in live["panels"] if p.chart_html), None)
        template.render(base="/", cohort=row, room={"screen": "chart", "revision": live["revision"], "panel": panel,
                                                    "position": 0, "pages": len(live["panels"]),
                                                    "min_group_size": live["min_group_size"],
                                                    "suppressed_message": live["suppressed_message"]})
        return (time.process_time() - started) * 1000

    def median(before=None, runs: int = 5) -> float:
        times = []
        for _ in range(runs):
            if before:
                before()
            times.append(refresh())
        return statistics.median(times)

    cold = median(lambda: cache._panels.clear(), 3)
    idle = median()
    one = median(lambda: send(("boundaries", f"B{random.randint(1, 27):02d}", random.choice(BOUNDARY))))
    rating = median(lambda: send(("core_skills", f"C{random.randint(1, 11):02d}", random.randint(1, 5))))
    engine.dispose()
    return (f"nothing new {idle:.1f} ms; one new answer (boundaries) {one:.1f} ms, (a rating) {rating:.1f} ms; "
            f"every panel drawn {cold:.1f} ms")


def refresh_run() -> None:
    server = Server("sqlite:///" + str(Path(tempfile.mkdtemp(prefix="peerkit-bench-")) / "cohorts.sqlite"), 1)
    db_path = Path(server.db_url.removeprefix("sqlite:///"))
    try:
        client = httpx.Client(base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {server.trainer}"})
        client.get(f"/sign-in?token={server.trainer}")  # the page's cookie
        for learners in (50, 5000):
            cohort = client.post("/api/v1/cohorts", json={"name": f"{learners} learners"}).json()
            fill_counts(db_path, cohort["id"], learners - 3)
            people = []
            for _ in range(3):  # three real learners, to send the new answers
                token = client.post("/api/v1/join", json={"code": cohort["join_code"],
                                                          "pseudonym": "p-" + secrets.token_hex(10)}).json()["token"]
                people.append([token, 0])

            def send(*answers: tuple[str, str, object]) -> None:
                for exercise, item, value in answers:
                    person = people[random.randrange(3)]
                    person[1] += 1
                    reply = client.post("/api/v1/me/answers", headers={"Authorization": f"Bearer {person[0]}"},
                                        json={"answers": [{"seq": person[1], "exercise": exercise, "item": item,
                                                           "value": value}]})
                    assert reply.status_code == 200 and reply.json()["accepted"], reply.text

            live = f"/projector/{cohort['id']}/live"

            def timed(runs: int = 5, before=None) -> tuple[float, int]:
                times, size = [], 0
                for _ in range(runs):
                    if before:
                        before()
                    started = time.perf_counter()
                    reply = client.get(live)
                    times.append((time.perf_counter() - started) * 1000)
                    assert reply.status_code == 200, reply.text[:300]
                    size = len(reply.content)
                return statistics.median(times), size

            def bump_fill() -> None:  # new counts for every exercise: every panel must be drawn again
                fill_counts(db_path, cohort["id"], 1)

            cold, size = timed(3, before=bump_fill)
            client.get(live)
            idle, _ = timed()
            one, _ = timed(before=lambda: send(("boundaries", f"B{random.randint(1, 27):02d}", random.choice(BOUNDARY))))
            rating, _ = timed(before=lambda: send(("core_skills", f"C{random.randint(1, 11):02d}", random.randint(1, 5))))
            print(f"projector refresh over HTTP (wall), {learners:>5} learners: nothing new {idle:.1f} ms; one new "
                  f"answer (boundaries) {one:.1f} ms, (a rating) {rating:.1f} ms; every exercise changed {cold:.1f} ms; "
                  f"{size / 1024:.0f} KiB of HTML")
            # the same refresh in this process, in CPU time (steadier than wall time on a busy machine)
            print(f"    in-process CPU: {in_process(db_path, cohort['id'], bump_fill, send)}")
        client.close()
    finally:
        server.stop()


def main() -> None:
    from tests.support.postgres import PostgresServer, find_bindir

    print(f"bench_server: {LEARNERS} simulated learners, "
          f"{os.cpu_count()} cores (load generator, server and database share them); "
          f"load average {os.getloadavg()[0]:.1f}")
    parts = os.environ.get("PARTS", "sqlite,postgresql,refresh").split(",")
    if "sqlite" in parts:
        folder = Path(tempfile.mkdtemp(prefix="peerkit-bench-sqlite-"))
        load_run("SQLite, 1 worker", f"sqlite:///{folder / 'cohorts.sqlite'}", 1)
    bindir = find_bindir()
    if "postgresql" not in parts:
        pass
    elif bindir is None:
        print("PostgreSQL: not installed here, skipped")
    else:
        pg = PostgresServer(bindir).start()
        try:
            name = pg.new_database()
            load_run(f"PostgreSQL, {PG_WORKERS} workers", pg.url_for(name), PG_WORKERS, pg.root)
        finally:
            pg.stop()
    if "refresh" in parts:
        refresh_run()


if __name__ == "__main__":
    main()
