"""The cohort server benchmark (benchmarks/bench_server.py, unchanged) with the live tools running beside it.

Runs bench_server's load (wrk, SQLite, one worker) twice: once as it is (the baseline, in the
same run), once with a second cohort on the same server where PANEL_LEARNERS learners'
live panels ask ``GET /api/v1/me/session`` every PANEL_SECONDS (as ``pk.live_panel()`` and
the phone page do) and answer each new quick poll, while the trainer asks a new poll every
POLL_EVERY seconds and reveals it (POLL_EVERY=0: no polls, the panels' reads alone). The
poll load runs in its own process (its own event loop), so it does not slow bench_server's load generator directly, only the server (and
the two cores everything shares). Compare the two blocks of figures; the poll load's own
figures (session requests, their p50/p99, poll answers) are printed after each run.

Run: .venv/bin/python benchmarks/bench_live_tools.py   (``--quick``: tiny parameters, nothing worth reading;
PANEL_LEARNERS=300 PANEL_SECONDS=4 POLL_EVERY=10; bench_server's DURATION)
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_server  # noqa: E402

PANEL_LEARNERS = int(os.environ.get("PANEL_LEARNERS", "300"))
PANEL_SECONDS = float(os.environ.get("PANEL_SECONDS", "4"))
POLL_EVERY = float(os.environ.get("POLL_EVERY", "10"))


async def _panel_load(url: str, trainer: str, stop: "multiprocessing.Event", out: "multiprocessing.Queue") -> None:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        auth = {"Authorization": f"Bearer {trainer}"}
        cohort = (await client.post("/api/v1/cohorts", json={"name": "Poll room"}, headers=auth)).json()
        # joined as bench_server joins its learners: each from an address of its own behind loopback, the trusted
        # proxy (from one address the per-client join brake stopped the script after 60)
        tokens, _seconds, _braked = await bench_server.join_all(url, cohort["join_code"], PANEL_LEARNERS)
        out.put(("ready", 0))
        timings: list[float] = []
        answered = [0]
        suggested: set[float] = set()
        rng = random.Random(3)

        async def panel(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            seen = None
            await asyncio.sleep(rng.random() * PANEL_SECONDS)
            while not stop.is_set():
                started = time.monotonic()
                state = (await client.get("/api/v1/me/session", headers=headers)).json()
                timings.append(time.monotonic() - started)
                poll = state.get("poll")
                if poll and poll["id"] != seen and poll["status"] == "open":
                    seen = poll["id"]
                    value = rng.randint(1, 5) if poll["kind"] == "scale" else rng.choice(poll["options"])
                    if (await client.put(f"/api/v1/me/polls/{poll['id']}", json={"value": value},
                                         headers=headers)).status_code == 200:
                        answered[0] += 1
                # as pk.live_panel() and the phone page do: never sooner than the server suggests
                suggested.add(float(state.get("check_again_seconds") or 0))
                await asyncio.sleep(max(PANEL_SECONDS, max(suggested)))

        async def trainer_loop() -> None:
            number = 0
            while POLL_EVERY > 0 and not stop.is_set():
                number += 1
                body = ({"kind": "scale", "question": f"Poll {number}?"} if number % 2 else
                        {"kind": "single", "question": f"Poll {number}?", "options": ["Yes", "No", "Maybe"]})
                poll = (await client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json=body, headers=auth)).json()
                await asyncio.sleep(POLL_EVERY)
                await client.post(f"/api/v1/cohorts/{cohort['id']}/polls/{poll['id']}/reveal", headers=auth)

        tasks = [asyncio.create_task(panel(t)) for t in tokens] + [asyncio.create_task(trainer_loop())]
        while not stop.is_set():
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put(("done", (timings, answered[0], max(suggested, default=0.0))))


def _panel_process(url: str, trainer: str, stop: "multiprocessing.Event", out: "multiprocessing.Queue") -> None:
    asyncio.run(_panel_load(url, trainer, stop, out))


@contextlib.contextmanager
def panels(server: "bench_server.Server"):  # type: ignore[no-untyped-def]
    """The live tools' load on its own cohort of the same server, around bench_server's loads."""
    stop, out = multiprocessing.Event(), multiprocessing.Queue()
    load = multiprocessing.Process(target=_panel_process, args=(server.url, server.trainer, stop, out), daemon=True)
    load.start()
    assert out.get(timeout=120)[0] == "ready"
    deadline = time.monotonic() + PANEL_SECONDS  # every panel is asking by now
    while time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield
    finally:
        stop.set()
        kind, (timings, answered, server_said) = out.get(timeout=60)
        load.join(10)
        timings.sort()
        p99 = timings[int(0.99 * (len(timings) - 1))] if timings else float("nan")
        median = statistics.median(timings) * 1000 if timings else float("nan")
        print(f"  live tools beside it: {PANEL_LEARNERS} panels asking every {max(PANEL_SECONDS, server_said):g} s "
              f"(the server's check_again_seconds: {server_said:g}), "
              f"{len(timings)} session requests (p50 {median:.0f} ms, p99 {p99 * 1000:.0f} ms), "
              f"{answered} poll answers")


def main(argv: list[str] | None = None) -> None:
    global PANEL_LEARNERS, PANEL_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny parameters: checks the script runs, times nothing")
    args = parser.parse_args(argv)
    plan = bench_server.Plan.quick() if args.quick else bench_server.Plan(learners=(1000,), clients=(50,))
    if args.quick:
        PANEL_LEARNERS, PANEL_SECONDS = 10, 1.0
    parts = os.environ.get("PARTS", "sqlite").split(",")
    for on in (False, True):
        print("== with the live tools running" if on else "== baseline (bench_server's load as it is)")
        if "sqlite" in parts:
            folder = Path(tempfile.mkdtemp(prefix="peerkit-bench-live-"))
            run = bench_server.peerkit_run("peerkit serve, SQLite, 1 worker", f"sqlite:///{folder / 'c.sqlite'}", 1,
                                           plan, beside=panels if on else None)
            bench_server.report(run, {}, None)


if __name__ == "__main__":
    main()
