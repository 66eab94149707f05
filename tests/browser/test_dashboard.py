"""The trainer's live dashboard: answers sent from elsewhere appear within its refresh interval.

The test process stands in for the learners' kernels: it writes to the cohort store
(PEERKIT_COHORT_URL of the test server) through the cohort API while the trainer's
notebook is open in the browser, and the dashboard must show them without anyone
clicking anything.
"""
from __future__ import annotations

import re
import secrets
import time
from datetime import datetime, timezone

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "trainer/live_session.ipynb"
SLACK_SECONDS = 4.0  # a refresh tick, drawing, and the message to the browser


def _answers(item_values: dict[str, str]) -> list[dict]:
    now = datetime.now(timezone.utc)
    return [{"exercise": "boundaries", "item": item, "value": value, "answered_at": now}
            for item, value in item_values.items()]


def _people_for(dashboard, title: str) -> int | None:
    row = dashboard.locator("tbody tr").filter(has_text=title)
    if not row.count():
        return None
    return int(row.first.locator("td").inner_text().strip())


def test_answers_from_another_process_appear_within_the_refresh_interval(lab, lab_server) -> None:
    from peerkit.cohort.store import CohortStore
    from peerkit.exercises import load_exercise

    title = load_exercise("boundaries").title
    store = CohortStore(lab_server.cohort_url)
    name = f"Browser test group {secrets.token_hex(3)}"
    cohort_id, _code = store.create_cohort(name)

    lab.open(NOTEBOOK)
    lab.run_all()
    assert not lab.cell_failures(), "\n".join(lab.cell_failures())
    dashboard = lab.notebook.locator(".peerkit-dashboard")
    assert dashboard.count() == 1, f"{NOTEBOOK}: expected one dashboard, found {dashboard.count()}"
    chooser = dashboard.get_by_label("Cohort", exact=True)
    if chooser.input_value() != cohort_id:
        chooser.select_option(label=f"{name} ({cohort_id})")
    lab.wait_until(lambda: "No answers yet" in dashboard.inner_text(), timeout=15,
                   message=f"the dashboard does not show the new, empty cohort: {dashboard.inner_text()[:500]!r}")
    label = dashboard.get_by_text(re.compile(r"Refresh on its own every [\d.]+ s")).first.inner_text()
    interval = float(re.search(r"every ([\d.]+) s", label).group(1))

    # One learner answers from "another kernel" (this process, through the cohort API).
    store.add_member(cohort_id, "pseudo-browser-1")
    store.upsert_responses(cohort_id, "pseudo-browser-1", _answers({"B01": "maybe", "B02": "never"}))
    sent = time.monotonic()
    lab.wait_until(lambda: _people_for(dashboard, title) == 1, timeout=interval + SLACK_SECONDS, interval=0.1,
                   message=f"an answer sent to the cohort store did not appear within {interval:g} s "
                           f"(+{SLACK_SECONDS:g} s slack): {dashboard.inner_text()[:600]!r}")
    seen_after = time.monotonic() - sent

    # Five more: the group is now big enough (5 or more) for the chart and the prompts.
    for number in range(2, 7):
        pseudonym = f"pseudo-browser-{number}"
        store.add_member(cohort_id, pseudonym)
        store.upsert_responses(cohort_id, pseudonym, _answers({"B01": ["never", "maybe", "always"][number % 3],
                                                               "B02": "never"}))
    lab.wait_until(lambda: _people_for(dashboard, title) == 6, timeout=interval + SLACK_SECONDS, interval=0.1,
                   message=f"six people answered, the dashboard says {_people_for(dashboard, title)}")
    lab.wait_until(lambda: "6 joined" in dashboard.inner_text(), timeout=interval + SLACK_SECONDS,
                   message="the number of people who joined was not updated")
    errors = lab.real_console_errors()
    assert not errors, "the browser console reported errors:\n" + "\n".join(errors)
    print(f"first answer shown {seen_after:.1f} s after it was sent (refresh interval {interval:g} s)")
