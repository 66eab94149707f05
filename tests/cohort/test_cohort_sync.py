"""Sending shared answers: idempotent, and an unreachable store never loses an answer (both backends)."""
from __future__ import annotations

from peerkit.cohort import sync as sync_module
from peerkit.cohort.membership import SETTING, join
from peerkit.cohort.sync import UNREACHABLE_MESSAGE, pending, sync


def test_sync_sends_once_and_skips_when_nothing_changed(cohort, new_learner) -> None:
    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    ana.save("boundaries", "B01", "never")
    assert pending(ana)
    first = sync(ana)
    assert first.ok and first.sent == 1
    assert not pending(ana)
    revision = cohort.store.revision(cohort.id)
    again = sync(ana)
    assert again.ok and again.skipped
    assert cohort.store.revision(cohort.id) == revision  # the network was not touched
    forced = sync(ana, force=True)
    assert forced.ok and forced.sent == 1
    assert len(cohort.store.responses_frame(cohort.id)) == 1  # idempotent


def test_changed_answer_replaces_the_old_one(cohort, new_learner) -> None:
    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    ana.save("boundaries", "B01", "never")
    sync(ana)
    ana.save("boundaries", "B01", "always")
    sync(ana)
    assert cohort.store.responses_frame(cohort.id)["value"].tolist() == ["always"]
    ana.delete("boundaries", "B01")
    sync(ana)
    assert cohort.store.responses_frame(cohort.id).empty


def test_unreachable_store_keeps_the_answer_and_sends_it_when_back(cohort_backend, cohort, new_learner) -> None:
    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    with cohort_backend.outage():
        ana.save("boundaries", "B07", "maybe")
        result = sync(ana)
        assert result.message == UNREACHABLE_MESSAGE
        assert "cannot be reached" in result.detail or "does not exist" in result.detail
        assert ana.answers("boundaries") == {"B07": "maybe"}  # kept locally
        assert pending(ana)
    result = sync(ana)  # the next sync, no force needed (a quick failure is retried at once)
    assert result.ok and result.sent == 1
    frame = cohort.store.responses_frame(cohort.id)
    assert frame[["item", "value"]].values.tolist() == [["B07", "maybe"]]
    assert not pending(ana)


def test_slow_failures_back_off_but_force_retries(cohort_backend, cohort, new_learner, monkeypatch) -> None:
    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    monkeypatch.setattr(sync_module, "SLOW_FAILURE_SECONDS", -1.0)  # treat every failure as a timeout
    with cohort_backend.outage():
        ana.save("boundaries", "B01", "never")
        assert sync(ana).message == UNREACHABLE_MESSAGE
        backed_off = sync(ana)
        assert backed_off.skipped and backed_off.message == UNREACHABLE_MESSAGE
    assert sync(ana).skipped  # still within the back-off window
    assert sync(ana, force=True).sent == 1


def test_bad_address_gives_the_clear_message(cohort, new_learner) -> None:
    from pg_server import free_port

    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    setting = ana.get_setting(SETTING)
    ana.set_setting(SETTING, {**setting, "url": f"postgresql+psycopg://peerkit@127.0.0.1:{free_port()}/gone"})
    ana.save("boundaries", "B02", "never")
    result = sync(ana)
    assert result.message == "Saved on this computer; will send to your group when it can be reached."
    assert ana.answers("boundaries") == {"B02": "never"}


def test_a_deleted_cohort_is_reported_and_the_answer_kept(cohort, new_learner) -> None:
    import sqlalchemy as sa

    from peerkit.cohort.store import cohorts_table

    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    with cohort.store.engine.begin() as conn:
        conn.execute(sa.delete(cohorts_table))
    ana.save("boundaries", "B03", "never")
    result = sync(ana)
    assert "Not sent to your group" in result.message and "no cohort" in result.message
    assert ana.answers("boundaries") == {"B03": "never"}


def test_answering_in_the_widget_sends_to_the_group(cohort_backend, cohort, new_learner) -> None:
    """The exercise widget's save hook (send_to_group_after_save) syncs; an outage shows the message, then recovers."""
    from peerkit.widgets.boundary_matrix import BoundaryMatrix

    ana = new_learner("ana")
    join(ana, cohort.code, url=cohort.url, share=["boundaries"])
    matrix = BoundaryMatrix("boundaries", store=ana)
    matrix.answer("B01", "never")
    assert matrix.wait_until_saved() and matrix.status == "Saved."  # sending runs on the saver's worker
    assert cohort.store.responses_frame(cohort.id)["item"].tolist() == ["B01"]
    with cohort_backend.outage():
        matrix.answer("B02", "always")
        assert matrix.wait_until_saved() and matrix.status == UNREACHABLE_MESSAGE
    matrix.answer("B03", "maybe")
    assert matrix.wait_until_saved() and matrix.status == "Saved."
    assert cohort.store.responses_frame(cohort.id)["item"].tolist() == ["B01", "B02", "B03"]
