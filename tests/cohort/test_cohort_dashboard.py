"""The trainer's LiveDashboard over a cohort store (learners reach the server now: tests/client)."""
from __future__ import annotations

import asyncio
import json

import pytest

from peerkit.widgets.dashboard import LiveDashboard


def fill(cohort, learners: int, exercise: str = "boundaries", value: str = "maybe", split: bool = True) -> None:
    options = ["never", "maybe", "always"]
    for n in range(learners):
        # uneven on purpose: from item 4 on, each learner leaves some items blank
        rows = [{"exercise": exercise, "item": f"B{i:02d}",
                 "value": options[(n + i) % 3] if split and i <= 3 else value,
                 "answered_at": "2024-05-01T10:00:00Z"} for i in range(1, 28) if i <= 3 or (n + i) % 4]
        cohort.store.upsert_responses(cohort.id, f"p-{n:020x}", rows)


@pytest.fixture
def dashboard(cohort):
    board = LiveDashboard(cohort.store, cohort.id, autorefresh=False)
    yield board
    board._handle and board._handle.cancel()


def test_small_group_is_suppressed_with_a_message(cohort, dashboard) -> None:
    fill(cohort, 4)
    assert dashboard.refresh()
    panel = dashboard._panel_box.children[0].value
    assert "fewer than 5 answers" in panel and "listitem" not in panel and "4 people" not in panel
    assert ">4</td>" in dashboard._responders.value


def test_group_chart_with_divided_items_first(cohort, dashboard) -> None:
    fill(cohort, 6)
    dashboard.refresh()
    panel = dashboard._panel_box.children[0].value
    assert "peerkit-html-chart" in panel and "How the group answered (n = 6)" in panel
    prompts = dashboard._prompts.value
    assert "Talk about first" in prompts
    # B01..B03 are split three ways (33%), the others unanimous: only the split ones are prompts
    assert "Giving the person a hug" in prompts and prompts.count("<li") == 3


def test_refresh_draws_only_when_something_changed(cohort, dashboard) -> None:
    fill(cohort, 5)
    assert dashboard.refresh(force=True)
    assert not dashboard.refresh()
    assert "Up to date" in dashboard.status
    cohort.store.upsert_responses(cohort.id, "p-new", [{"exercise": "boundaries", "item": "B01", "value": "never",
                                                        "answered_at": "2024-05-01T11:00:00Z"}])
    assert dashboard.refresh()


def test_shared_reflections_are_html_escaped(cohort, dashboard) -> None:
    evil = "<script>alert('x')</script> & <b>bold</b>"
    for n in range(5):
        cohort.store.upsert_responses(cohort.id, f"p-{n:020x}", [{"exercise": "welcome_reflection", "item": "R1",
                                                                  "value": {"text": evil if n == 0 else f"note {n}"},
                                                                  "answered_at": "2024-05-01T10:00:00Z"}])
    dashboard.refresh()
    html = "".join(child.value for child in dashboard._panel_box.children)
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_unreachable_store_keeps_the_last_view(cohort_backend, cohort, dashboard) -> None:
    fill(cohort, 5)
    dashboard.refresh()
    before = dashboard._panel_box.children[0].value
    dashboard.store.close()  # drop pooled connections, so the outage is seen
    with cohort_backend.outage():
        assert not dashboard.refresh(force=True)
        assert "cannot be read right now" in dashboard.status
    assert dashboard._panel_box.children[0].value == before
    assert dashboard.refresh(force=True)


def test_cohorts_tab_creates_a_cohort_and_shows_its_code_once(cohort, dashboard) -> None:
    created = dashboard.create_cohort("Evening group")
    assert created is not None
    cohort_id, code = created
    assert code in dashboard._code_box.value and cohort_id in dashboard._code_box.value
    assert dashboard.cohort == cohort_id
    assert cohort.store.find_cohort(code).id == cohort_id
    new = dashboard.new_join_code()
    assert cohort.store.find_cohort(new).id == cohort_id
    assert dashboard.create_cohort("  ") is None and "Give the cohort a name" in dashboard._code_box.value


def test_upload_tab_loads_files_and_lists_bad_ones(cohort, dashboard) -> None:
    good = {"format": "peerkit-submission", "format_version": 1, "cohort": cohort.id, "pseudonym": "p-" + "c" * 20,
            "created_at": "2024-05-01T10:00:00+00:00",
            "responses": [{"exercise": "boundaries", "item": "B01", "value": "never",
                           "answered_at": "2024-05-01T09:00:00+00:00"}]}
    report = dashboard.load_files([("good.json", json.dumps(good).encode()), ("<bad>.json", b"{")])
    assert len(report.stored) == 1
    assert "&lt;bad&gt;.json" in dashboard._upload_result.value and "not valid JSON" in dashboard._upload_result.value
    assert ">1</td>" in dashboard._responders.value


def run_on_a_fresh_loop(scenario):
    """Run a coroutine on its own event loop in its own thread, as a kernel runs the dashboard.

    The browser tests' playwright session keeps an event loop running in the main thread
    for the whole test session, so asyncio.run() cannot be used there.
    """
    import threading

    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(scenario())
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_automatic_refresh_runs_on_the_loop_and_stops_when_closed(cohort) -> None:
    async def scenario() -> tuple[int, int, bool]:
        board = LiveDashboard(cohort.store, cohort.id, refresh_seconds=1)
        assert board.running
        start = board.refresh_count
        fill(cohort, 5)
        await asyncio.sleep(1.6)
        drawn = board.refresh_count - start
        board.close()
        closed_count = board.refresh_count
        fill(cohort, 6)
        await asyncio.sleep(1.6)
        return drawn, board.refresh_count - closed_count, board.running

    drawn, after_close, running = run_on_a_fresh_loop(scenario)
    assert drawn >= 1  # the new answers were drawn within one refresh interval
    assert after_close == 0 and not running


def test_a_dashboard_no_longer_shown_stops_redrawing(cohort, dashboard) -> None:
    dashboard._view_count = 1
    dashboard._view_count = 0  # its cell was re-run: no view left
    fill(cohort, 5)
    count = dashboard.refresh_count
    dashboard._tick()
    assert dashboard.refresh_count == count
    dashboard._view_count = 1
    dashboard._tick()
    assert dashboard.refresh_count == count + 1
