"""PortfolioPanel: the buttons work when clicked from Python, and every outcome is shown as text."""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from peerkit.model import encode_value
from peerkit.portfolio_io import export_json
from peerkit.store import LocalStore
from peerkit.widgets.portfolio_panel import PortfolioPanel

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def upload(panel: PortfolioPanel, name: str, content: bytes) -> None:
    """What the browser sends when a file is chosen in the file input (file_chooser.js): one binary message."""
    panel.upload._on_message(panel.upload, {"type": "file", "name": name, "size": len(content)},
                             [memoryview(content)])


def answers(store: LocalStore) -> set[tuple[str, str, str, datetime]]:
    return {(r.exercise, r.item, encode_value(r.value), r.answered_at) for r in store.responses()}


@pytest.fixture
def answered(store: LocalStore) -> LocalStore:
    store.save("boundaries", "B01", "maybe", answered_at=T0)
    store.save("boundaries", "B02", "never", answered_at=T0)
    return store


def test_controls_are_labelled(store: LocalStore) -> None:
    panel = PortfolioPanel(store=store)
    assert panel.download_button.description == "Download my answers"
    assert panel.upload.label == "Restore from a file" and ".html" in panel.upload.accept and ".json" in panel.upload.accept
    assert panel.upload.hint  # says which file to choose
    assert panel.delete_button.description == "Delete all my answers"
    assert panel.confirm_button.description and panel.cancel_button.description
    assert panel.confirm_box.layout.display == "none"


def sent_files(button) -> list[tuple[dict, list[bytes]]]:
    """Record what the download button sends the browser (download_button.js saves each "file" message)."""
    sent: list[tuple[dict, list[bytes]]] = []
    button.send = lambda content, buffers=None: sent.append((content, [bytes(b) for b in buffers or []]))
    return sent


def test_download_is_one_button_that_sends_one_file(answered: LocalStore, peerkit_home: Path) -> None:
    panel = PortfolioPanel(store=answered)
    sent = sent_files(panel.download_button)
    # what the browser sends when the learner presses the button
    panel.download_button._on_message(panel.download_button, {"type": "make"}, [])
    assert "ready (2 answers)" in panel.status
    assert len(sent) == 1, "one press, one file"
    message, buffers = sent[0]
    assert message["type"] == "file" and message["mime"] == "text/html"
    assert message["name"].startswith("peerkit-portfolio-") and message["name"].endswith(".html")
    assert len(buffers) == 1 and buffers[0] == Path(panel.exported["html"]).read_bytes()
    assert "<html" in buffers[0].decode("utf-8").lower()
    # copies stay in the exports folder, and the panel says which file to keep
    assert set(panel.exported) == {"json", "markdown", "html"}
    for path in panel.exported.values():
        assert Path(path).parent == peerkit_home / "exports" and Path(path).is_file()
    assert html.escape(message["name"]) in panel.links.value
    assert "data:" not in panel.links.value and panel.links.value.count("<a ") == 0
    assert 'role="status"' in panel.status_view.value


def test_the_downloaded_file_restores_every_answer(answered: LocalStore, tmp_path: Path) -> None:
    panel = PortfolioPanel(store=answered)
    sent = sent_files(panel.download_button)
    panel.download_button.click()
    (message, [content]), = sent
    before = answers(answered)
    fresh = LocalStore(tmp_path / "elsewhere" / "answers.sqlite")
    other = PortfolioPanel(store=fresh)
    upload(other, message["name"], content)
    assert answers(fresh) == before, other.status


def test_a_download_that_fails_sends_nothing_and_says_why(answered: LocalStore, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the export folder should be")
    panel = PortfolioPanel(store=answered, folder=blocker)
    sent = sent_files(panel.download_button)
    panel.download_button.click()
    assert [m["type"] for m, _ in sent] == ["failed"]
    assert "could not be saved as files" in panel.status


def test_download_problem_is_shown_and_nothing_is_lost(answered: LocalStore, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the export folder should be")
    panel = PortfolioPanel(store=answered, folder=blocker)
    assert panel.download() is None
    assert "could not be saved as files" in panel.status and str(blocker) in panel.status
    assert panel.links.value == "" and len(answered.responses()) == 2


def test_upload_restores_and_reports(answered: LocalStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps(export_json(answered)).encode("utf-8")
    monkeypatch.setenv("PEERKIT_HOME", str(tmp_path / "new-session"))
    fresh = LocalStore()
    panel = PortfolioPanel(store=fresh)
    upload(panel, "peerkit-portfolio-2025-03-01.json", data)
    assert panel.last_report is not None and panel.last_report.added == 2
    assert "2 added" in panel.status and "peerkit-portfolio-2025-03-01.json" in panel.status
    assert answers(fresh) == answers(answered) and fresh.learner == answered.learner

    upload(panel, "peerkit-portfolio-2025-03-01.json", data)
    assert panel.last_report.changed == 0 and "already here" in panel.status
    assert answers(fresh) == answers(answered)


def test_bad_upload_shows_the_problem_and_changes_nothing(answered: LocalStore) -> None:
    before = answers(answered)
    portfolio = export_json(answered)
    portfolio["responses"][0]["value"] = "<b>sometimes</b>"
    panel = PortfolioPanel(store=answered)
    upload(panel, "edited<1>.json", json.dumps(portfolio).encode("utf-8"))
    assert panel.last_report is None
    assert "edited<1>.json" in panel.status and "Nothing was changed" in panel.status
    assert "<b>" not in panel.status_view.value and "&lt;b&gt;sometimes" in panel.status_view.value
    assert "edited&lt;1&gt;.json" in panel.status_view.value
    assert answers(answered) == before

    upload(panel, "notes.json", b"these are my notes")
    assert "not valid JSON" in panel.status and answers(answered) == before


def test_restore_is_a_labelled_file_input_without_a_count(store: LocalStore) -> None:
    """ipywidgets' FileUpload always showed "Restore from a file (0)"; none is left in the panel."""
    import ipywidgets as widgets

    from peerkit.widgets.file_chooser import FileChooser

    panel = PortfolioPanel(store=store)

    def every(widget: widgets.Widget) -> list[widgets.Widget]:
        return [widget] + [w for child in getattr(widget, "children", ()) for w in every(child)]

    assert not [w for w in every(panel) if isinstance(w, widgets.FileUpload)]
    assert isinstance(panel.upload, FileChooser) and "(0)" not in panel.upload.label
    script = panel.upload._esm
    assert 'input.type = "file"' in script and "label.htmlFor" in script  # a real, labelled file input
    panel.upload._on_message(panel.upload, {"type": "something else"}, [b"{}"])  # not a file: ignored
    assert panel.status == "" and panel.last_report is None


def test_delete_asks_first_and_cancel_keeps_everything(answered: LocalStore) -> None:
    panel = PortfolioPanel(store=answered)
    panel.delete_button.click()
    assert panel.confirming and panel.confirm_box.layout.display == "flex"
    assert "all 2 of your answers" in panel.confirm_text.value
    assert "nothing has been deleted" in panel.status and len(answered.responses()) == 2
    assert panel.delete_button.disabled

    panel.cancel_button.click()
    assert not panel.confirming and panel.confirm_box.layout.display == "none"
    assert panel.status == "Nothing was deleted." and len(answered.responses()) == 2


def test_delete_after_confirming(answered: LocalStore) -> None:
    panel = PortfolioPanel(store=answered)
    assert panel.delete() == 0 and len(answered.responses()) == 2  # no confirmation step shown yet
    panel.delete_button.click()
    panel.confirm_button.click()
    assert answered.responses() == []
    assert panel.status.startswith("Deleted 2 answers") and not panel.confirming
    assert not panel.delete_button.disabled


def test_delete_with_nothing_stored(store: LocalStore) -> None:
    panel = PortfolioPanel(store=store)
    panel.delete_button.click()
    assert not panel.confirming and "nothing to delete" in panel.status


def test_panel_uses_the_default_store(answered: LocalStore) -> None:
    panel = PortfolioPanel()
    panel.download_button.click()
    assert "ready (2 answers)" in panel.status


def test_no_submodule_shadows_the_notebook_functions() -> None:
    """``import peerkit.portfolio`` would overwrite ``pk.portfolio`` (the function) with a module."""
    import importlib.util

    import peerkit
    import peerkit.course_progress  # noqa: F401 - importing these must not touch the public names
    import peerkit.portfolio_io  # noqa: F401
    import peerkit.widgets.portfolio_panel  # noqa: F401
    import peerkit.widgets.progress_view  # noqa: F401

    for name in ("portfolio", "progress", "restore", "delete_my_answers"):
        assert importlib.util.find_spec(f"peerkit.{name}") is None, name
        assert not isinstance(vars(peerkit).get(name), type(peerkit)), name
