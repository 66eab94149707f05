"""A learner takes the course without meeting code: each chapter is a page, and saves never break it.

- Each chapter opened the no-code way (Voilà, ``/voila/render/<chapter>``, where ``make lab``
  and the Binder badge land) shows its prose and every exercise, and no code cell, traceback or
  widget error.
- A chapter run in the notebook view, saved, and opened again with a new kernel shows no
  "Error displaying widget": the save hook (``jupyter_server_config.py``, read by the test server
  as by ``make lab``) kept outputs and widget state out of the file.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
#: A code cell whose source calls one of these shows an exercise (as in conftest.WIDGET_CALL).
WIDGET_CALL = re.compile(r"\bpk\.(exercise|compare|progress|portfolio|join_cohort)\s*\(")
PEERKIT_ROOTS = "[class^='peerkit-'], [class*=' peerkit-']"

pytestmark = pytest.mark.browser

CHAPTERS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
#: What Voilà or ipywidgets write when something went wrong in a cell or a view.
FAULTS = re.compile(r"Traceback|Error displaying widget|There was an error when executing cell|"
                    r"\b\w+Error\b|model not found", re.I)


def widget_cells(name: str) -> int:
    cells = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" and WIDGET_CALL.search("".join(c["source"])))


def outputs_with_widgets(page) -> int:
    return page.evaluate("""(roots) => [...document.querySelectorAll('.jp-OutputArea')].filter(
        area => [...area.querySelectorAll(roots)].some(e => { const b = e.getBoundingClientRect();
                                                              return b.width > 0 && b.height > 0; })).length""",
                         PEERKIT_ROOTS)


@pytest.mark.parametrize("name", CHAPTERS, ids=lambda n: n.removesuffix(".ipynb"))
def test_a_chapter_opens_as_a_page_of_prose_and_exercises(lab, name: str) -> None:
    page = lab.page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{lab.server.url}/voila/render/{name}", wait_until="domcontentloaded")
    expected = widget_cells(name)
    lab.wait_until(lambda: outputs_with_widgets(page) >= expected, timeout=120, every=0.5,
               message=lambda: f"{name}: {outputs_with_widgets(page)} of {expected} exercises drawn; the page says "
                               f"{page.inner_text('body')[-1500:]!r}")
    text = page.inner_text("body")
    assert not FAULTS.search(text), f"{name} shows a fault: {FAULTS.search(text).group(0)!r}"
    # no code: no editor, no input prompt, no code cell source anywhere on the page
    code = page.evaluate("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea, .jp-InputPrompt, .cm-editor')]
        .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length""")
    assert code == 0, f"{name}: {code} code input(s) visible"
    # the chapter's own words are there: its title
    title = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"][0]["source"]
    heading = "".join(title).splitlines()[0].lstrip("# ").strip()
    assert heading in text
    # Voila's page asks CDNs for Font Awesome (the buttons' icons) and MathJax (no chapter has formulas); this test
    # machine has no network. On Binder both load; offline the buttons keep their words. Any other error counts.
    errors = [e for e in lab.real_console_errors() if "ERR_NAME_NOT_RESOLVED" not in e]
    assert not errors, errors
    if name == CHAPTERS[0]:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "no-code-chapter-00-1366x768.png"))
        page.locator(".jp-OutputArea", has=page.locator(".peerkit-widget")).first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "no-code-chapter-00-exercise-1366x768.png"))


def test_a_chapter_reopened_after_a_save_shows_no_widget_error(lab) -> None:
    name = "01_what_is_peer_support.ipynb"
    on_disk = lab.server.root / name
    lab.open(name)
    lab.run_all()
    assert lab.peerkit_widget_count() > 0, lab.widget_failures()
    before = on_disk.stat().st_mtime_ns
    lab.notebook.locator(".jp-Notebook").first.click()
    lab._menu("File", "docmanager:save")
    lab.wait_until(lambda: on_disk.stat().st_mtime_ns != before, timeout=30, message=f"{name} was not saved")

    # the learner closes everything and comes back: a new kernel, which has none of the old widget models
    lab.server.shutdown_kernels()
    lab.open(name)
    old_outputs = lab.notebook.locator(".jp-OutputArea-output")
    if old_outputs.count():  # saved outputs: let their widget views draw or fail, as a learner would see them
        lab.wait_until(lambda: "Error displaying widget" in lab.notebook.inner_text() or lab.peerkit_widget_count(),
                       timeout=60, message="saved widget outputs neither drew nor failed")
    text = lab.notebook.inner_text()
    assert "Error displaying widget" not in text and "model not found" not in text
    assert old_outputs.count() == 0, "the reopened chapter shows the outputs of the last run"
    lab.run_all()
    assert not lab.widget_failures(), lab.widget_failures()
    assert not lab.cell_failures(), lab.cell_failures()
    saved = json.loads(on_disk.read_text(encoding="utf-8"))
    assert "widgets" not in saved["metadata"]
    assert all(not c.get("outputs") for c in saved["cells"])
