"""Dashboard refresh for 500 learners x 27 items: fetch + compute + draw, against the 100 ms goal.

Prints, per stage, the median of several runs:

- fetch:   revision check, responders, the tidy table from the cohort store (SQLite, temp file);
- compute: shares, divided items and the text summary (peerkit.agreement / peerkit.charts);
- draw:    the group chart as the projector shows it (peerkit.cohort.panels.chart_html: HTML bars);
- refresh: LiveDashboard.refresh() after one answer changed: fetch, compute and redraw;
- idle:    LiveDashboard.refresh() when nothing changed (what most timer ticks cost).

Run: .venv/bin/python benchmarks/bench_dashboard.py
"""
from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

GOAL_MS = 100.0
LEARNERS = 500
RUNS = 5


def median_ms(work, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    from peerkit.agreement import choice_shares, divided_items
    from peerkit.charts import describe_choice_split
    from peerkit.cohort.panels import chart_html, exercise_panel
    from peerkit.cohort.store import CohortStore
    from peerkit.exercises import load_exercise
    from peerkit.widgets.dashboard import LiveDashboard

    items = load_exercise("boundaries").item_ids
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as folder:
        store = CohortStore(f"sqlite:///{Path(folder) / 'cohort.sqlite'}")
        cohort, _ = store.create_cohort("Benchmark")
        started = time.perf_counter()
        for n in range(LEARNERS):
            store.upsert_responses(cohort, f"p-{n:020x}", [
                {"exercise": "boundaries", "item": item, "value": rng.choice(["never", "maybe", "always"]),
                 "answered_at": "2024-05-01T10:00:00Z"} for item in items])
        build = (time.perf_counter() - started) * 1000
        data = store.responses_frame(cohort)

        def fetch() -> None:
            store.revision(cohort)
            store.responders(cohort)
            store.responses_frame(cohort)

        def compute() -> None:
            choice_shares(data, exercise="boundaries")
            divided_items(data, exercise="boundaries")
            describe_choice_split(data, exercise="boundaries")

        figures = {
            "fetch": median_ms(fetch),
            "compute": median_ms(compute),
            "draw": median_ms(lambda: chart_html(data, "boundaries")),
            "panel": median_ms(lambda: exercise_panel(data, "boundaries")),
        }
        board = LiveDashboard(store, cohort, autorefresh=False)
        changes = iter(range(10**6))

        def changed_refresh() -> None:
            # one learner changes one answer, as happens between two ticks in a live session
            n = next(changes)
            store.upsert_responses(cohort, f"p-{n % LEARNERS:020x}", [
                {"exercise": "boundaries", "item": items[n % len(items)], "value": ["never", "maybe", "always"][n % 3],
                 "answered_at": f"2024-05-01T11:{n // 60 % 60:02d}:{n % 60:02d}Z"}])
            started = time.perf_counter()
            assert board.refresh()
            timings.append((time.perf_counter() - started) * 1000)

        timings: list[float] = []
        for _ in range(RUNS):
            changed_refresh()
        figures["refresh"] = statistics.median(timings)
        figures["idle"] = median_ms(lambda: board.refresh(), runs=20)
        board.close()

    print(f"Dashboard, {LEARNERS} learners x {len(items)} items ({LEARNERS * len(items)} answers); "
          f"building the store took {build:.0f} ms")
    print(f"{'stage':<10}{'median ms':>10}{'x goal':>9}")
    for stage, ms in figures.items():
        print(f"{stage:<10}{ms:>10.1f}{ms / GOAL_MS:>9.2f}")
    print(f"goal: a refresh in at most {GOAL_MS:.0f} ms. "
          f"Changed data: {figures['refresh']:.0f} ms ({'meets' if figures['refresh'] <= GOAL_MS else 'misses'} "
          f"the goal; drawing is {figures['draw'] / max(figures['refresh'], 1e-9):.0%} of it). "
          f"Unchanged data: {figures['idle']:.1f} ms ({'meets' if figures['idle'] <= GOAL_MS else 'misses'}).")


if __name__ == "__main__":
    main()
