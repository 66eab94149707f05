"""What the chapters' own prose tells a learner is true on the page they read it on.

The chapters are served as pages (Voilà: no code cells, no toolbar, no kernel menu), so no chapter tells the
reader to run a cell or names the course's Python calls; the download is one file, so no chapter speaks of two;
every chapter whose content note touches self-harm, suicide, crisis or trauma ends with a short check-out.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

#: Instructions that only make sense in the notebook view, and code a learner never sees on the page.
NOTEBOOK_ONLY = re.compile(r"\b(run|runs|running) (the|this|a|each|every) (code )?cells?\b|\bthe cells? (below|above)\b|"
                           r"Shift\s*\+\s*Enter|\bcode cell|Restart Kernel|\bpk\.\w+\(|PEERKIT_HOME|\.ipynb\b(?!\))",
                           re.I)
#: The download used to be two files (a file to load and a readable copy); it is one HTML file now.
TWO_FILES = re.compile(r"readable copy|downloaded files|two files", re.I)
#: Topics that ask for a check-out before the chapter's summary.
HEAVY = re.compile(r"self-harm|suicide|end (their|one's) life|crisis|trauma", re.I)


def markdown(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def prose(path: Path) -> str:
    """The chapter's words, with link targets dropped (a link may point at a chapter's file)."""
    return re.sub(r"\]\([^)]*\)", "]", "\n\n".join(markdown(path)))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_chapter_asks_the_reader_to_run_code(path: Path) -> None:
    found = NOTEBOOK_ONLY.search(prose(path))
    assert found is None, f"{path.name} says {found.group(0)!r}, which is untrue on the chapter's page"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_download_is_described_as_one_file(path: Path) -> None:
    found = TWO_FILES.search(prose(path))
    assert found is None, f"{path.name} says {found.group(0)!r}; “Download my answers” gives one file"


def test_the_welcome_chapter_says_how_to_open_the_notebook_view() -> None:
    text = prose(NOTEBOOKS / "00_welcome.ipynb")
    assert "How to use a notebook" not in text
    assert "`voila/render`" in text and "`lab/tree`" in text


def _heavy(path: Path) -> bool:
    """A chapter (not the welcome) whose content note names trauma, crisis or self-harm."""
    note = next((c for c in markdown(path) if "Content note" in c), "")
    return not path.stem.startswith("00") and bool(HEAVY.search(note))


def test_some_chapters_are_heavy() -> None:
    assert sum(map(_heavy, CHAPTERS)) >= 3  # or the test below would check nothing


@pytest.mark.parametrize("path", [p for p in CHAPTERS if _heavy(p)], ids=lambda p: p.stem)
def test_a_heavy_chapter_checks_out_before_its_summary(path: Path) -> None:
    cells = markdown(path)
    summary = next(i for i, c in enumerate(cells) if c.lstrip().startswith("## Summary"))
    check_out = [i for i, c in enumerate(cells) if re.match(r"#+ Checking out", c.lstrip())]
    assert check_out and check_out[-1] < summary, f"{path.name} has no check-out before its summary"
    assert "findahelpline.com" in cells[check_out[-1]]
