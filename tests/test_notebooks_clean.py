"""Course notebooks are committed clean: no outputs, no widget state, thin code cells.

Outputs and saved widget state could carry a learner's answers into the course files.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_valid_and_clean(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert "widgets" not in notebook.metadata, "saved widget state can hold a learner's answers"
    # without a kernelspec JupyterLab asks the learner to pick a kernel before anything runs
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"cell {index} has outputs"
            assert cell.execution_count is None, f"cell {index} has an execution count"
            lines = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            assert len(lines) <= 3, f"cell {index} holds {len(lines)} lines of code; notebooks stay thin"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_the_course_shape(path: Path) -> None:
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    assert "What you will learn" in text, "each chapter opens with its objectives"
    assert "## Summary" in text, "each chapter closes with a summary"
    assert "## References" in text, "each chapter cites its sources"
