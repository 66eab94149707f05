"""Every notebook of the course, run in JupyterLab as a learner runs it: Run > Run All Cells.

No cell may fail, every peerkit widget must draw, the browser console must stay free
of errors, and a full-page screenshot goes to test-artifacts/screenshots/ for a person
to look at.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_chapter_runs_cleanly(chapter_run) -> None:
    lab = chapter_run
    chapter = lab.name
    shot = lab.screenshot(chapter.removesuffix(".ipynb").replace("/", "__"))
    assert lab.run_error is None, f"{chapter} could not be run (screenshot {shot}): {lab.run_error}"

    problems = lab.cell_failures() + lab.widget_failures()
    assert not problems, f"{chapter} (screenshot {shot}):\n" + "\n".join(problems)
    if "pk.exercise(" in "".join(cell["source"] for cell in lab.code_cells()):
        assert lab.peerkit_widget_count() > 0, f"{chapter}: calls pk.exercise but shows no peerkit widget"
    errors = lab.real_console_errors()
    assert not errors, f"{chapter}: the browser console reported errors:\n" + "\n".join(errors)
