"""The boundary matrix saves every answer at once and shows it again on a new kernel."""
from __future__ import annotations

from pathlib import Path

import pytest
from peerkit.widgets._base import front_end
from peerkit.errors import AnswerError

from peerkit.store import LocalStore
from peerkit.widgets.boundary_matrix import BoundaryMatrix
from tests.support.store import store_locked


def test_renders_all_27_rows_with_the_three_options(store: LocalStore) -> None:
    matrix = BoundaryMatrix(store=store)
    assert len(matrix.items) == 27
    assert matrix.items[0] == {"id": "B01", "text": "Giving the person a hug", "debrief": ""}
    assert [o["label"] for o in matrix.options] == ["Never OK", "Maybe OK", "Always OK"]
    assert matrix.progress == (0, 27)


def test_an_answer_is_in_the_store_the_moment_it_is_given(store: LocalStore) -> None:
    matrix = BoundaryMatrix(store=store)
    matrix.answer("B01", "maybe")
    assert LocalStore(store.path).answers("boundaries") == {"B01": "maybe"}
    # the front end sends the whole dict, as a click does
    matrix.answers = {"B01": "maybe", "B07": "never"}
    assert LocalStore(store.path).answers("boundaries") == {"B01": "maybe", "B07": "never"}
    assert matrix.progress == (2, 27)


def test_a_new_widget_on_the_same_store_shows_the_answers(store: LocalStore) -> None:
    BoundaryMatrix(store=store).answer("B03", "always")
    again = BoundaryMatrix(store=LocalStore(store.path))
    assert again.answers == {"B03": "always"}
    again.answer("B03", "never")
    assert LocalStore(store.path).answers("boundaries") == {"B03": "never"}


def test_default_store_comes_from_peerkit_home(peerkit_home: Path) -> None:
    BoundaryMatrix().answer("B05", "maybe")
    assert LocalStore(peerkit_home / "answers.sqlite").answers("boundaries") == {"B05": "maybe"}


def test_restoring_does_not_rewrite_answers(store: LocalStore) -> None:
    BoundaryMatrix(store=store).answer("B01", "maybe")
    before = store.responses()[0].answered_at
    BoundaryMatrix(store=store)
    assert store.responses()[0].answered_at == before


def test_wrong_values_are_refused_and_nothing_is_lost(store: LocalStore) -> None:
    matrix = BoundaryMatrix(store=store)
    matrix.answer("B01", "maybe")
    with pytest.raises(AnswerError, match="Choose one of"):
        matrix.answer("B02", "sometimes")
    with pytest.raises(AnswerError, match="no item 'B99'"):
        matrix.answer("B99", "never")
    assert store.answers("boundaries") == {"B01": "maybe"}


def test_a_failed_save_is_kept_and_retried(store: LocalStore) -> None:
    matrix = BoundaryMatrix(store=store)
    with store_locked():
        matrix.answer("B01", "maybe")
        assert not matrix.wait_until_saved(timeout=0.5)  # kept in memory, retried in the background
        assert matrix.save_state == "failed" and "Not saved yet" in matrix.status and "locked" in matrix.status
    matrix.answer("B02", "never")
    assert matrix.wait_until_saved()
    assert (matrix.save_state, matrix.status) == ("saved", "Saved.")
    assert store.answers("boundaries") == {"B01": "maybe", "B02": "never"}


def test_front_end_uses_labelled_native_radio_groups() -> None:
    source = front_end("boundary_matrix.js")
    assert 'createElement("fieldset")' in source and 'createElement("legend")' in source
    assert 'input.type = "radio"' in source and "input.name" in source
    assert ".innerHTML" not in source  # item text is never parsed as HTML


def test_a_stored_answer_it_cannot_show_is_kept_not_lost(store: LocalStore) -> None:
    """An answer written by another version (say, an option since renamed) must not stop the widget or vanish."""
    store.save("boundaries", "B01", "sometimes")
    store.save("boundaries", "B02", "never")
    matrix = BoundaryMatrix(store=store)
    assert matrix.answers == {"B02": "never"}
    matrix.answer("B03", "maybe")
    assert store.answers("boundaries") == {"B01": "sometimes", "B02": "never", "B03": "maybe"}


def test_a_value_the_kernel_refuses_goes_back_to_the_page(store, monkeypatch) -> None:
    """What the browser sends goes through set_state; a refused value is sent back, with a reason."""
    from peerkit.widgets.boundary_matrix import BoundaryMatrix

    matrix = BoundaryMatrix("boundaries", store=store)
    matrix.answer("B01", "maybe")
    sent: list[dict] = []
    keys = lambda key: [key] if isinstance(key, str) else list(key)  # noqa: E731
    monkeypatch.setattr(matrix, "send_state", lambda key=None: sent.append({k: getattr(matrix, k) for k in keys(key)}))
    matrix.set_state({"answers": {"B01": "sometimes"}})
    assert matrix.answers == {"B01": "maybe"} and store.answers("boundaries") == {"B01": "maybe"}
    assert {"answers": {"B01": "maybe"}} in sent, f"the kernel's own value was not sent back to the page: {sent}"
    assert matrix.status.startswith("That change was not saved.") and "sometimes" in matrix.status


def test_item_26_and_the_other_clear_items_carry_a_debrief_to_the_front_end(store: LocalStore) -> None:
    """Debriefs reach the page with their rows; the front end shows one only once its row is answered."""
    matrix = BoundaryMatrix("boundaries", store=store)
    debriefs = {item["id"]: item["debrief"] for item in matrix.items if item["debrief"]}
    assert {"B16", "B26", "B27"} <= set(debriefs)
    assert "limits of confidentiality" in debriefs["B26"] and "emergency" in debriefs["B26"]
    source = front_end("boundary_matrix.js")
    assert "peerkit-debrief" in source and 'debrief.hidden = !(itemId in answers)' in source
    assert "debriefList.appendChild(debrief)" in source  # under the matrix, never inside a row (rows never move)
