"""Another learner's worst requests while one learner floods the server with answers (issue 19, part 4).

Goal: the quiet learner's p99 while the flood runs stays within 2x their p99 without it. The per-learner write
limit (``ServerSettings.learner_writes_per_second``, ``learner_write_burst``) answers the flooder's extra
requests with a quick 429 instead of a write under the cohort's lock.

Bounded on purpose (the machine is shared): one ``peerkit serve`` on loopback and SQLite, a few seconds per
phase, ``--flooders`` threads of one learner (default 4). Run it from the repository's root:

    .venv/bin/python benchmarks/bench_learner_flood.py [--seconds 20] [--flooders 4]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support (run as a script)
from peerkit.server.settings import ServerSettings  # noqa: E402
from tests.support.server import add_trainer, join, launch, make_cohort  # noqa: E402

GOAL = 2.0


#: the quiet learner answers at half the server's per-learner write limit (a fast clicker, never slowed down)
QUIET_INTERVAL = 2.0 / ServerSettings.learner_writes_per_second


def quiet_learner(url: str, token: str, seconds: float) -> list[float]:
    """One answer every :data:`QUIET_INTERVAL` seconds for ``seconds``: each request's time."""
    times, seq, stop = [], 0, time.monotonic() + seconds
    due = time.monotonic()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while time.monotonic() < stop:
            seq += 1
            start = time.perf_counter()
            reply = client.post("/api/v1/me/answers", json={"answers": [
                {"seq": seq, "exercise": "boundaries", "item": "B01", "value": ["never", "maybe"][seq % 2]}]})
            times.append(time.perf_counter() - start)
            assert reply.status_code == 200, reply.text
            due += QUIET_INTERVAL
            time.sleep(max(0.0, due - time.monotonic()))
    return times


def flood(url: str, token: str, until: float, counts: dict[str, int], first_seq: int) -> None:
    seq = first_seq
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while time.monotonic() < until:
            seq += 1
            reply = client.post("/api/v1/me/answers", json={"answers": [
                {"seq": seq, "exercise": "core_skills", "item": f"C{1 + seq % 11:02d}", "value": 1 + seq % 5}
                for _ in range(1)]})
            key = str(reply.status_code)
            counts[key] = counts.get(key, 0) + 1


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 100 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)  # 100 requests a phase: a p99 worth reading
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="tiny parameters: checks the script runs, times nothing")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.flooders = 1.0, 1
    folder = Path(tempfile.mkdtemp(prefix="peerkit-flood-"))
    server = launch(f"sqlite:///{folder / 'cohorts.sqlite'}", folder)
    try:
        cohort = make_cohort(server, add_trainer(server))
        quiet, loud = join(server, cohort["join_code"]), join(server, cohort["join_code"])
        quiet_learner(server.url, quiet, 1.0)  # warm up
        alone = quiet_learner(server.url, quiet, args.seconds)
        counts: dict[str, int] = {}
        until = time.monotonic() + args.seconds + 0.5
        threads = [threading.Thread(target=flood, args=(server.url, loud, until, counts, 10_000_000 * (n + 1)))
                   for n in range(args.flooders)]
        for thread in threads:
            thread.start()
        time.sleep(0.25)
        during = quiet_learner(server.url, quiet, args.seconds)
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    ratio = p99(during) / p99(alone)
    total = sum(counts.values())
    print(f"quiet learner alone        p50 {statistics.median(alone) * 1000:7.1f} ms  p99 {p99(alone) * 1000:7.1f} ms"
          f"  ({len(alone)} requests)")
    print(f"quiet learner, flood on    p50 {statistics.median(during) * 1000:7.1f} ms  p99 {p99(during) * 1000:7.1f} ms"
          f"  ({len(during)} requests)")
    print(f"flooder: {total} requests in {args.seconds:.0f} s ({total / args.seconds:,.0f}/s), by status {counts}")
    print(f"p99 ratio {ratio:.2f}x (goal <= {GOAL}x): " + ("meets the goal" if ratio <= GOAL else "MISSES the goal"))


if __name__ == "__main__":
    main()
