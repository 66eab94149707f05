"""The cohort server's answer path under a lecture hall's load, beside two bare endpoints measured in the same run.

Load comes from ``wrk`` (Debian's ``wrk``, written in C: on a 2-core machine the
load generator must take little of the CPU the server needs; an httpx generator
measured mostly itself). ``server_load/answers.lua`` sends one boundary-matrix
answer per request, each from a joined learner with that learner's own token and a
growing seq, and writes down every seq the server accepted.

In the same run, on the same machine, with the same learners and the same wrk script:

- **bare, per-request commit**: a bare Starlette endpoint (``server_load/bare_server.py``)
  doing the same durable write (token-hash lookup, answer upsert, one count upsert,
  commit per request; SQLite WAL, ``synchronous=FULL``);
- **bare, group commit**: the same endpoint with one writer thread committing
  whatever is waiting in one transaction;
- **peerkit serve**: SQLite with one worker; PostgreSQL with 2 and with 4 workers.

For 1,000 and then 5,000 joined learners (joined over HTTP with the server's own
join brakes; the join rate is printed) and 50 and 200 concurrent clients it prints:
capacity (accepted answers/s), request p50/p99 (wrk), ratios to the bare
endpoints, the server's CPU per 1,000 answers (PostgreSQL's own beside it). Then a
burst: every joined learner sends one rating at once (httpx, 200 connections)
while a projector process follows the cohort's event stream and fetches the
counts on every event, as the projector page does: answer → projector p50/p99 is
from sending an answer until a fetched count includes it. At the end every
acknowledged answer is looked up in the store: answers lost (must be 0).

Last, the projector page's refresh (``GET /projector/{id}/live``) with 50 and 5,000
learners' counts in the store.

Run: ``.venv/bin/python benchmarks/bench_server.py`` (about 6 minutes on an idle 2-core machine);
``--quick``: tiny parameters, nothing worth reading in the figures (a test runs it: the script works).
``PARTS=bare,sqlite,postgresql,refresh`` picks parts; ``DURATION=8`` seconds per wrk run;
``LEARNERS=1000,5000``, ``CLIENTS=50,200``, ``PG_WORKERS=2,4`` (comma-separated) change the steps.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import multiprocessing
import os
import queue as queues
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "server_load"
sys.path.insert(0, str(REPO))
TOKEN = re.compile(r"pkt_[A-Za-z0-9_\-]{43}")
TICKS = os.sysconf("SC_CLK_TCK")
BOUNDARY = ["never", "maybe", "always"]
WRK_THREADS = 2


@dataclass
class Plan:
    learners: tuple[int, ...] = (1000, 5000)
    clients: tuple[int, ...] = (50, 200)
    duration: float = 8.0
    pg_workers: tuple[int, ...] = (2, 4)
    refresh_learners: tuple[int, ...] = (50, 5000)
    refresh_runs: int = 5

    @classmethod
    def quick(cls) -> "Plan":
        return cls(learners=(12, 20), clients=(4,), duration=1.0, pg_workers=(2,), refresh_learners=(50,),
                   refresh_runs=1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _proc_cpu(match) -> float:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if match(int(entry), fields):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in the process group (the server and its workers)."""
    return _proc_cpu(lambda pid, fields: int(fields[2]) == pgid)


def postgres_cpu(root: Path | None) -> float:
    if root is None:
        return 0.0
    try:
        postmaster = int((root / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return 0.0
    # the backends alive now, plus the postmaster's own time and that of every backend that has ended
    # (cutime, cstime: a child's time moves to its parent when it ends)
    try:
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        ended = (int(fields[13]) + int(fields[14])) / TICKS
    except OSError:
        ended = 0.0
    return ended + _proc_cpu(lambda pid, fields: pid == postmaster or int(fields[1]) == postmaster)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise SystemExit(log.read_text()[-3000:])
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server at {url} did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.2)


def stop_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


class Server:
    """A real ``peerkit serve`` on loopback, in its own process group (so its CPU can be counted)."""

    def __init__(self, db_url: str, workers: int, pg_root: Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="peerkit-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pg_root = pg_root
        # the server's own join brakes stay as they are: the join rate printed is what a real room gets. Every
        # learner comes from an address of its own, as in a lecture hall behind the institution's reverse proxy
        # (loopback is the trusted proxy, X-Forwarded-For the learner's address), so the per-client brake holds
        # each address back as it would in the room and the per-cohort brake is the one a big room meets.
        self.env = {**os.environ, "PEERKIT_SERVER_FOLDER": str(self.folder),
                    "PEERKIT_SERVE_WATCH_PID": str(os.getpid()),
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.db_url = db_url
        self.log_path = self.folder / "serve.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "peerkit.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--db", db_url, "--workers", str(workers), "--forwarded-allow-ips", "127.0.0.1"],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env, cwd=REPO, start_new_session=True)
        wait_until_up(self.url + "/api/v1/health", self.process, self.log_path)
        added = subprocess.run([sys.executable, "-m", "peerkit.cli", "trainer", "add", "Bench", "--db", db_url],
                               capture_output=True, text=True, env=self.env, cwd=REPO, timeout=60)
        self.trainer = TOKEN.search(added.stdout).group(0)

    def cpu(self) -> tuple[float, float]:
        return cpu_seconds(self.process.pid), postgres_cpu(self.pg_root)

    def stop(self) -> None:
        stop_group(self.process)


class BareServer:
    """``server_load/bare_server.py`` under uvicorn, one worker, its own SQLite file."""

    def __init__(self, mode: str, tokens: list[str]) -> None:
        sys.path.insert(0, str(HERE))
        import bare_server

        self.folder = Path(tempfile.mkdtemp(prefix="peerkit-bench-bare-"))
        db_path = self.folder / "bare.sqlite"
        bare_server.seed(str(db_path), tokens)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.folder / "bare.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "bare_server:app_from_env", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            stdout=self.log_path.open("w"), stderr=subprocess.STDOUT, cwd=HERE, start_new_session=True,
            env={**os.environ, "BARE_DB": str(db_path), "BARE_MODE": mode,
                 "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))})
        wait_until_up(self.url + "/", self.process, self.log_path)

    def cpu(self) -> tuple[float, float]:
        return cpu_seconds(self.process.pid), 0.0

    def stop(self) -> None:
        stop_group(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)


# -- load from wrk -------------------------------------------------------------------------------

@dataclass
class Load:
    """One wrk run's figures."""

    clients: int
    learners: int
    accepted: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: dict
    cpu: float
    pg_cpu: float
    acks: list[int] = field(default_factory=list)

    @property
    def capacity(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    def cpu_per_1000(self) -> str:
        if not self.accepted:
            return "n/a"
        text = f"{1000 * self.cpu / self.accepted:.2f} s"
        return text + (f" (+ PostgreSQL {1000 * self.pg_cpu / self.accepted:.2f} s)" if self.pg_cpu else "")


_epoch = 0


def wrk(server, tokens: list[str], clients: int, duration: float) -> Load:
    """``clients`` connections for ``duration`` seconds of boundary-matrix answers from ``tokens``' learners."""
    global _epoch
    _epoch += 1
    folder = Path(tempfile.mkdtemp(prefix="peerkit-bench-wrk-"))
    tokens_file = folder / "tokens.txt"
    tokens_file.write_text("\n".join(tokens) + "\n")
    threads = min(WRK_THREADS, clients)
    cpu_before = server.cpu()
    done = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{max(1, round(duration))}s", "--timeout", "10s",
         "-s", str(HERE / "answers.lua"), server.url, "--", str(tokens_file), str(folder / "acks"), str(_epoch),
         str(threads)], capture_output=True, text=True, timeout=duration + 60)
    cpu_after = server.cpu()
    line = next((l for l in done.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    figures = json.loads(line.removeprefix("WRKJSON "))
    acks = [int(l) for f in sorted(folder.glob("acks.*")) for l in f.read_text().split()]
    shutil.rmtree(folder, ignore_errors=True)
    if done.stderr.strip():
        print("    wrk:", done.stderr.strip().splitlines()[0][:300])
    return Load(clients, len(tokens), figures["accepted"], figures["duration_us"] / 1e6, figures["p50_us"] / 1000,
                figures["p99_us"] / 1000, {k: v for k, v in figures["errors"].items() if v},
                cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1], acks)


def decode(seq: int, learners: int) -> tuple[int, str]:
    """The learner index and item of a seq ``answers.lua`` sent (see its header)."""
    index, rest = (seq - 1) % learners, (seq - 1) // learners
    k = rest % 100000
    return index, f"B{(k - 1) % 27 + 1:02d}"


# -- joining, the burst and the projector ----------------------------------------------------------

async def join_all(url: str, code: str, count: int) -> tuple[list[str], float, int]:
    """``count`` learners join (100 connections); returns (tokens, seconds, joins refused with 429 and retried)."""
    tokens: list[str] = []
    braked = 0
    started = time.monotonic()
    todo = count
    for _round in range(60):
        posts = [("/api/v1/join", None, {"code": code, "pseudonym": "p-" + secrets.token_hex(10)},
                  f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}")
                 for _ in range(todo)]
        replies = await raw_posts(url, posts, 100)
        tokens += [reply["token"] for _, _, status, reply, _ in replies if status == 201]
        refused = [(status, reply) for _, _, status, reply, _ in replies if status != 201]
        if any(status != 429 for status, _ in refused):
            raise SystemExit(f"join failed: {next(r for r in refused if r[0] != 429)}")
        braked += len(refused)
        todo = len(refused)
        if not todo:
            return tokens, time.monotonic() - started, braked
        await asyncio.sleep(2.0)
    raise SystemExit("joins kept being refused (429): the per-cohort brake is below a lecture hall")


def projector(url: str, token: str, cohort_id: str, out: "multiprocessing.Queue") -> None:
    """In its own process, as the projector page: on every revision event, fetch the ratings' counts."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(30, read=300)) as client, \
            httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(30, read=300)) as fetcher:
        with client.stream("GET", f"/api/v1/cohorts/{cohort_id}/events") as reply:
            event = None
            for line in reply.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "revision":
                    counts = fetcher.get(f"/api/v1/cohorts/{cohort_id}/aggregates",
                                         params={"exercise": "core_skills"}).json()
                    items = counts.get("exercises", {}).get("core_skills", {}).get("items", {})
                    out.put((time.monotonic(), {item: v.get("n", 0) for item, v in items.items()}))


async def raw_posts(url: str, posts: list[tuple[str, str | None, dict] | tuple[str, str | None, dict, str]],
                    connections: int
                    ) -> list[tuple[float, float, int, dict, int]]:
    """POST each ``(path, token, body)`` (or ``(path, token, body, client_address)``, sent as
    ``X-Forwarded-For``) over ``connections`` kept-alive connections, as fast as they answer;
    ``(sent, answered, status, reply, index)`` of each.

    A plain asyncio HTTP/1.1 client (a few microseconds a request): httpx spent longer
    on a burst of 1,000 than the server did (the bare endpoint and peerkit alike).
    """
    from urllib.parse import urlsplit

    address = urlsplit(url)
    waiting = list(reversed(range(len(posts))))
    done: list[tuple[float, float, int, dict, int]] = []

    def request(path: str, token: str | None, body: dict, client: str | None = None) -> bytes:
        data = json.dumps(body).encode()
        authorization = f"Authorization: Bearer {token}\r\n" if token else ""
        forwarded = f"X-Forwarded-For: {client}\r\n" if client else ""
        return (f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n{authorization}{forwarded}"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        try:
            while waiting:
                index = waiting.pop()
                at = time.monotonic()
                writer.write(request(*posts[index]))
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                body = await reader.readexactly(length)
                done.append((at, time.monotonic(), int(head.split()[1]), json.loads(body) if body else {}, index))
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(min(connections, len(posts)))))
    return done


async def burst(url: str, tokens: list[str], item: str, seq: int) -> list[tuple[float, float, str]]:
    """Every learner sends one rating of ``item`` at once (200 connections); (sent, acknowledged, token) of each
    accepted one."""
    posts = [("/api/v1/me/answers", token, {"answers": [{"seq": seq, "exercise": "core_skills", "item": item,
                                                        "value": 1 + len(token) % 5}]}) for token in tokens]
    return [(at, answered, tokens[index]) for at, answered, status, reply, index in await raw_posts(url, posts, 200)
            if status == 200 and reply.get("accepted") == [seq]]


def shown_delays(acked: list[tuple[float, float, str]], fetched: list[tuple[float, dict]], item: str) -> list[float]:
    """Seconds from sending each answer until a projector fetch counted it (the k-th acknowledged needs n >= k)."""
    delays = []
    fetched = sorted(fetched)
    position = 0
    for k, (sent, _acked, _token) in enumerate(sorted(acked, key=lambda a: a[1]), 1):
        while position < len(fetched) and fetched[position][1].get(item, 0) < k:
            position += 1
        if position == len(fetched):
            delays.append(float("inf"))
            continue
        delays.append(max(0.0, fetched[position][0] - sent))
    return delays


def quantile_ms(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else float("nan")


def lost_in_store(db_url: str, acked: list[tuple[list[str], list[int]]], ratings: list[tuple[str, list[str], int]]
                  ) -> tuple[int, int]:
    """(lost, checked): every acknowledged answer must be in the store with its seq or a newer one."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        ids = {h: i for h, i in conn.execute(sa.text("SELECT token_hash, id FROM learners WHERE token_hash IS NOT NULL"))}
        stored = {(r[0], r[1], r[2]): int(r[3]) for r in conn.execute(
            sa.text("SELECT learner_id, exercise, item, seq FROM answers WHERE value IS NOT NULL"))}
    engine.dispose()
    hashes: dict[str, str] = {}

    def learner_id(token: str) -> int | None:
        if token not in hashes:
            hashes[token] = hashlib.sha256(token.encode()).hexdigest()
        return ids.get(hashes[token])

    expected: dict[tuple[int | None, str, str], int] = {}
    for tokens, seqs in acked:
        for seq in seqs:
            index, item = decode(seq, len(tokens))
            key = (learner_id(tokens[index]), "boundaries", item)
            expected[key] = max(expected.get(key, 0), seq)
    for item, tokens, seq in ratings:
        for token in tokens:
            expected[(learner_id(token), "core_skills", item)] = seq
    lost = sum(1 for key, seq in expected.items() if stored.get(key, 0) < seq)
    return lost, len(expected)


# -- one server under load ------------------------------------------------------------------------

@dataclass
class Run:
    label: str
    loads: list[Load] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    bursts: list[str] = field(default_factory=list)
    lost: str = ""

    def capacity(self, learners: int, clients: int) -> float | None:
        return next((l.capacity for l in self.loads if l.learners == learners and l.clients == clients), None)


def peerkit_run(label: str, db_url: str, workers: int, plan: Plan, pg_root: Path | None = None,
                beside: "Callable[[Server], contextlib.AbstractContextManager] | None" = None) -> Run:
    """``beside(server)``: a context manager entered around the loads (bench_live_tools' panels)."""
    run = Run(label)
    server = Server(db_url, workers, pg_root)
    reader = None
    extra = contextlib.ExitStack()
    try:
        if beside is not None:
            extra.enter_context(beside(server))
        with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {server.trainer}"}) as c:
            cohort = c.post("/api/v1/cohorts", json={"name": "Bench", "min_group_size": 1}).json()
        tokens: list[str] = []
        acked: list[tuple[list[str], list[int]]] = []
        ratings: list[tuple[str, list[str], int]] = []
        for number, learners in enumerate(plan.learners):
            more, seconds, braked = asyncio.run(join_all(server.url, cohort["join_code"], learners - len(tokens)))
            tokens += more
            run.joins.append(f"{len(more)} joins in {seconds:.1f} s ({len(more) / seconds:.0f}/s; "
                             f"{braked} braked with 429)")
            for clients in plan.clients:
                load = wrk(server, tokens, clients, plan.duration)
                run.loads.append(load)
                acked.append((list(tokens), load.acks))
            # the burst: every learner one rating, while a projector follows (only now: a projector open
            # during the loads above would fetch the counts after every batch, a cost the bare endpoints lack)
            item, seq = f"C{number + 1:02d}", 10 ** 12 + number
            events: multiprocessing.Queue = multiprocessing.Queue()
            reader = multiprocessing.Process(target=projector, daemon=True,
                                             args=(server.url, server.trainer, cohort["id"], events))
            reader.start()
            events.get(timeout=60)  # the stream is open and the first fetch answered
            sent = asyncio.run(burst(server.url, tokens, item, seq))
            ratings.append((item, [t for _, _, t in sent], seq))
            fetched: list[tuple[float, dict]] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and max((f[1].get(item, 0) for f in fetched), default=0) < len(sent):
                try:
                    fetched.append(events.get(timeout=1))
                except queues.Empty:
                    pass
            reader.terminate()
            reader.join(10)
            reader = None
            delays = shown_delays(sent, fetched, item)
            unseen = sum(1 for d in delays if d == float("inf"))
            waits = [a - s for s, a, _ in sent]
            run.bursts.append(f"burst of {len(tokens)} learners' ratings: {len(sent)} accepted; answer -> projector "
                              f"p50 {quantile_ms(delays, .5):.0f} ms, p99 {quantile_ms(delays, .99):.0f} ms "
                              f"(request p50 {quantile_ms(waits, .5):.0f} ms, p99 {quantile_ms(waits, .99):.0f} ms; "
                              f"{len(fetched)} projector fetches; never shown {unseen})")
        lost, checked = lost_in_store(server.db_url, acked, ratings)
        run.lost = f"answers lost: {lost} of {checked} acknowledged (learner, item) answers (must be 0)"
    finally:
        extra.close()
        if reader is not None:
            reader.terminate()
        server.stop()
    return run


def bare_runs(plan: Plan) -> dict[str, Run]:
    runs = {}
    for mode in ("per-request", "group"):
        run = runs[mode] = Run(f"bare endpoint, {mode} commit")
        for learners in plan.learners:
            tokens = ["pkl_" + secrets.token_urlsafe(32) for _ in range(learners)]
            server = BareServer(mode, tokens)
            try:
                for clients in plan.clients:
                    run.loads.append(wrk(server, tokens, clients, plan.duration))
            finally:
                server.stop()
    return runs


def report(run: Run, bare: dict[str, Run], sqlite: Run | None) -> None:
    print(run.label)
    for line in run.joins:
        print("    joins:", line)
    for load in run.loads:
        ratios = []
        for mode, name in (("per-request", "bare per-request"), ("group", "bare group")):
            base = bare.get(mode) and bare[mode].capacity(load.learners, load.clients)
            if base and run is not bare.get(mode):
                ratios.append(f"{load.capacity / base:.2f}x {name}")
        base = sqlite and sqlite is not run and sqlite.capacity(load.learners, load.clients)
        if base:
            ratios.append(f"{load.capacity / base:.2f}x SQLite")
        errors = f"; wrk errors {load.errors}" if load.errors else ""
        print(f"    {load.learners:>5} learners, {load.clients:>3} clients: {load.capacity:>6.0f} answers/s, request "
              f"p50 {load.p50_ms:.0f} ms, p99 {load.p99_ms:.0f} ms; CPU {load.cpu_per_1000()} per 1,000 answers"
              + (f"; {', '.join(ratios)}" if ratios else "") + errors)
    for line in run.bursts:
        print("    " + line)
    if run.lost:
        print("    " + run.lost)


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


def in_process(db_path: Path, cohort_id: str, bump_fill, send, runs: int = 5) -> str:
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
        # the room's chart screen as the server renders it (room.screen_context's fields, the chart one filled)
        template.render(base="/", cohort=row, room={
            "screen": "chart", "revision": live["revision"], "panel": panel, "position": 0,
            "pages": len(live["panels"]), "min_group_size": live["min_group_size"],
            "suppressed_message": live["suppressed_message"], "screens": [], "members": 0, "waiting_panels": 0,
            "chart": panel.chart_html if panel else "", "page": 0, "page_count": len(live["panels"]), "poll": None,
            "wall": None, "texts": [], "timer": None, "activity": None, "conversation": None, "place": None})
        return (time.process_time() - started) * 1000

    def median(before=None, runs: int = runs) -> float:
        times = []
        for _ in range(runs):
            if before:
                before()
            times.append(refresh())
        return statistics.median(times)

    cold = median(lambda: cache._panels.clear(), min(3, runs))
    idle = median()
    one = median(lambda: send(("boundaries", f"B{random.randint(1, 27):02d}", random.choice(BOUNDARY))))
    rating = median(lambda: send(("core_skills", f"C{random.randint(1, 11):02d}", random.randint(1, 5))))
    engine.dispose()
    return (f"nothing new {idle:.1f} ms; one new answer (boundaries) {one:.1f} ms, (a rating) {rating:.1f} ms; "
            f"every panel drawn {cold:.1f} ms")


def refresh_run(plan: Plan) -> None:
    server = Server("sqlite:///" + str(Path(tempfile.mkdtemp(prefix="peerkit-bench-")) / "cohorts.sqlite"), 1)
    db_path = Path(server.db_url.removeprefix("sqlite:///"))
    try:
        client = httpx.Client(base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {server.trainer}"})
        client.get(f"/sign-in?token={server.trainer}")  # the page's cookie
        for learners in plan.refresh_learners:
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

            def timed(runs: int = plan.refresh_runs, before=None) -> tuple[float, int]:
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

            cold, size = timed(min(3, plan.refresh_runs), before=bump_fill)
            client.get(live)
            idle, _ = timed()
            one, _ = timed(before=lambda: send(("boundaries", f"B{random.randint(1, 27):02d}", random.choice(BOUNDARY))))
            rating, _ = timed(before=lambda: send(("core_skills", f"C{random.randint(1, 11):02d}", random.randint(1, 5))))
            print(f"projector refresh over HTTP (wall), {learners:>5} learners: nothing new {idle:.1f} ms; one new "
                  f"answer (boundaries) {one:.1f} ms, (a rating) {rating:.1f} ms; every exercise changed {cold:.1f} ms; "
                  f"{size / 1024:.0f} KiB of HTML")
            # the same refresh in this process, in CPU time (steadier than wall time on a busy machine)
            print(f"    in-process CPU: {in_process(db_path, cohort['id'], bump_fill, send, plan.refresh_runs)}")
        client.close()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny parameters: checks the script runs, times nothing")
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()
    plan.duration = float(os.environ.get("DURATION", plan.duration))
    for name, attribute in (("LEARNERS", "learners"), ("CLIENTS", "clients"), ("PG_WORKERS", "pg_workers")):
        if os.environ.get(name, "").strip():
            setattr(plan, attribute, tuple(int(v) for v in os.environ[name].split(",")))
    if shutil.which("wrk") is None:
        raise SystemExit("bench_server needs wrk (Debian: apt-get install wrk)")
    from tests.support.postgres import PostgresServer, find_bindir

    print(f"bench_server{' --quick (figures mean nothing)' if args.quick else ''}: {os.cpu_count()} cores shared by "
          f"wrk ({WRK_THREADS} threads), the server and the database; {plan.duration:.0f} s per load; "
          f"load average {os.getloadavg()[0]:.1f}")
    parts = os.environ.get("PARTS", "bare,sqlite,postgresql,refresh").split(",")
    bare = bare_runs(plan) if "bare" in parts else {}
    for run in bare.values():
        report(run, {}, None)
    sqlite = None
    if "sqlite" in parts:
        folder = Path(tempfile.mkdtemp(prefix="peerkit-bench-sqlite-"))
        sqlite = peerkit_run("peerkit serve, SQLite, 1 worker", f"sqlite:///{folder / 'cohorts.sqlite'}", 1, plan)
        report(sqlite, bare, None)
    bindir = find_bindir()
    if "postgresql" not in parts:
        pass
    elif bindir is None:
        print("PostgreSQL: not installed here, skipped")
    else:
        pg = PostgresServer(bindir).start()
        try:
            for workers in plan.pg_workers:
                run = peerkit_run(f"peerkit serve, PostgreSQL, {workers} workers", pg.url_for(pg.new_database()),
                                  workers, plan, pg.root)
                report(run, bare, sqlite)
        finally:
            pg.stop()
    if "refresh" in parts:
        refresh_run(plan)


if __name__ == "__main__":
    main()
