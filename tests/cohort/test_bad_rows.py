"""A bad row never stops a view: the dashboard, panels and pk.compare skip what they cannot read and say so.

Rows are broken behind the store's back (as an old client, a hand edit or a half-written
sync could leave them): a dict where a choice belongs, text that is not JSON, a broken
timestamp. Both backends (SQLite and PostgreSQL) run every test.
"""
from __future__ import annotations

import sqlalchemy as sa

from peerkit.cohort.store import responses_table
from peerkit.widgets.dashboard import LiveDashboard


def _fill(cohort, learners: int) -> None:
    options = ["never", "maybe", "always"]
    for n in range(learners):
        rows = [{"exercise": "boundaries", "item": f"B{i:02d}", "value": options[(n + i) % 3],
                 "answered_at": "2024-05-01T10:00:00Z"} for i in range(1, 28)]
        cohort.store.upsert_responses(cohort.id, f"p-{n:020x}", rows)


def _break(cohort, pseudonym: str, item: str, **values: str) -> None:
    t = responses_table
    with cohort.store.engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.cohort_id == cohort.id, t.c.pseudonym == pseudonym,
                                        t.c.item == item).values(**values))


def _three_bad_rows(cohort) -> None:
    _break(cohort, f"p-{0:020x}", "B01", value='{"choice": "never"}')  # a dict where a choice belongs
    _break(cohort, f"p-{1:020x}", "B02", value="never")  # text that is not JSON
    _break(cohort, f"p-{2:020x}", "B03", answered_at="yesterday at noon")  # a broken timestamp


def test_the_dashboard_draws_around_bad_rows_and_counts_them(cohort) -> None:
    _fill(cohort, 6)
    _three_bad_rows(cohort)
    board = LiveDashboard(cohort.store, cohort.id, autorefresh=False)
    try:
        assert board._revision is not None, board.status
        panel = board._panel_box.children[0].value
        assert 'role="listitem"' in panel  # the chart is drawn
        assert "3 answers could not be read and are left out." in panel
        assert "cannot be read" not in board.status
    finally:
        board.close()


def test_a_refresh_that_fails_is_not_recorded_as_drawn(cohort, monkeypatch) -> None:
    _fill(cohort, 6)
    board = LiveDashboard(cohort.store, cohort.id, autorefresh=False)
    try:
        drawn = board._revision
        cohort.store.upsert_responses(cohort.id, f"p-{9:020x}", [
            {"exercise": "boundaries", "item": "B01", "value": "never", "answered_at": "2024-05-02T10:00:00Z"}])

        def broken(*args, **kwargs):
            raise RuntimeError("drawing failed half-way")

        monkeypatch.setattr(board, "_draw", broken)
        assert board.refresh() is False
        assert board._revision == drawn  # not the revision it failed to draw
        assert "drawing failed" in board.status
        monkeypatch.undo()
        assert board.refresh() is True  # the next timer tick draws it, without force
    finally:
        board.close()


def test_panels_skip_bad_rows_and_say_so_in_one_line(cohort) -> None:
    from peerkit.cohort.panels import exercise_panel

    _fill(cohort, 6)
    _three_bad_rows(cohort)
    frame = cohort.store.responses_frame(cohort.id)  # the trainer's side reads the store itself
    html = exercise_panel(frame, "boundaries")
    assert 'role="listitem"' in html  # the chart is drawn
    assert html.count("3 answers could not be read and are left out.") == 1


def test_compare_skips_bad_rows_in_the_group_it_is_given(cohort) -> None:
    """pk.compare with a group source holding bad rows (here the store's own rows, as a trainer or a
    research notebook passes them): it draws the rest and says how many it left out.

    A learner's own cohort comes from the server's counts, which hold no invalid value (the server's
    check refuses one): test_group_comparison covers that path.
    """
    from peerkit.widgets.group_comparison import GroupComparison

    _fill(cohort, 6)
    _three_bad_rows(cohort)
    frame = cohort.store.responses_frame(cohort.id)
    assert len(frame) == 6 * 27  # the bad rows are still there to skip
    comparison = GroupComparison("boundaries", group=frame, group_label="Tuesday group", follow=False)
    assert comparison.group_label == "Tuesday group"
    assert 'role="listitem"' in comparison.view.value  # drawn around them
    assert "3 answers could not be read and are left out." in comparison.summary
