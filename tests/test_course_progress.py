"""Progress: which exercises are done, per chapter, and the ProgressView course map."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from peerkit import exercises
from peerkit.errors import StoreError
from peerkit.course_progress import (
    CHAPTERS_FILE,
    chapter_progress,
    chapter_summary,
    chapter_title,
    course_chapters,
    status_text,
)
from peerkit.store import LocalStore
from tests.support import exercises as shared

ROOT = Path(__file__).resolve().parents[1]

# the shared test exercises, placed for these tests: the rating in chapter 2, the check with two questions
RATING = {**shared.RATING, "chapter": "02_boundaries"}
CHECK = {**shared.CHECK, "items": [*shared.CHECK["items"], {**shared.CHECK["items"][0], "id": "Q2", "correct": ["b"]}]}
REFLECTION = shared.REFLECTION


@pytest.fixture
def course(add_exercise: Callable[[dict[str, Any]], str]) -> None:
    """A small, fixed course: the boundary matrix plus three test exercises."""
    for path in exercises.EXERCISES_DIR.glob("*.json"):
        if path.stem != "boundaries":
            path.unlink()
    for definition in (REFLECTION, RATING, CHECK):
        add_exercise(definition)


def row(frame, exercise: str) -> dict[str, Any]:
    return frame.set_index("exercise").loc[exercise].to_dict()


# -- the chapter list ---------------------------------------------------------------------------
def test_chapter_list_has_the_eight_chapters_in_order() -> None:
    chapters = course_chapters()
    assert [c.number for c in chapters] == list(range(8))
    assert chapters[0].id == "00_welcome" and chapters[-1].id == "07_review_and_portfolio"
    for chapter in chapters:
        assert chapter.notebook == f"{chapter.id}.ipynb"
        assert chapter.title and chapter.title == chapter.title.strip()
    assert chapter_title("02_boundaries") == "Boundaries"
    assert chapter_title("99_unknown") == "99_unknown"
    raw = json.loads(CHAPTERS_FILE.read_text(encoding="utf-8"))
    assert len({c["id"] for c in raw["chapters"]}) == 8


def test_every_shipped_exercise_belongs_to_a_listed_chapter() -> None:
    known = {c.id for c in course_chapters()}
    for exercise_id in exercises.exercise_ids():
        assert exercises.load_exercise(exercise_id).chapter in known, exercise_id


def test_listed_notebooks_exist() -> None:
    folder = ROOT / "notebooks"
    if not folder.is_dir():
        pytest.skip("the notebooks are not in this checkout")
    missing = [c.notebook for c in course_chapters() if not (folder / c.notebook).is_file()]
    assert not missing, f"chapters.json names notebooks that do not exist: {missing}"


def test_status_text() -> None:
    assert status_text(0, 0) == "no exercises"
    assert status_text(3, 3) == "done"
    assert status_text(2, 3) == "2 of 3 exercises"
    assert status_text(0, 1) == "0 of 1 exercise"


# -- progress rules -----------------------------------------------------------------------------
def test_nothing_answered(course: None, store: LocalStore) -> None:
    frame = chapter_progress(store)
    assert list(frame.columns) == ["chapter", "exercise", "title", "done", "answered", "total"]
    assert list(frame["exercise"]) == ["test_reflection", "boundaries", "test_check", "test_rating"]
    assert not frame["done"].any() and (frame["answered"] == 0).all()
    assert row(frame, "boundaries")["total"] == 27
    assert frame["done"].dtype == bool


def test_matrix_rating_and_check_need_every_item(course: None, store: LocalStore) -> None:
    for item in [f"B{n:02d}" for n in range(1, 27)]:
        store.save("boundaries", item, "maybe")
    store.save("test_rating", "A", 1)
    store.save("test_check", "Q1", ["a"])
    frame = chapter_progress(store)
    boundaries = row(frame, "boundaries")
    assert (boundaries["done"], boundaries["answered"], boundaries["total"]) == (False, 26, 27)
    assert row(frame, "test_rating")["done"] is False and row(frame, "test_check")["done"] is False

    store.save("boundaries", "B27", "never")
    store.save("test_rating", "B", 2)
    store.save("test_check", "Q2", ["a"])  # a wrong answer still counts as answered
    frame = chapter_progress(store)
    assert row(frame, "boundaries")["done"] is True and row(frame, "boundaries")["answered"] == 27
    assert row(frame, "test_rating")["done"] is True and row(frame, "test_check")["done"] is True


def test_reflection_is_done_with_one_answer(course: None, store: LocalStore) -> None:
    store.save("test_reflection", "R2", {"text": "something", "share": False})
    data = row(chapter_progress(store), "test_reflection")
    assert data["done"] is True and data["answered"] == 1 and data["total"] == 2


def test_answers_to_items_no_longer_in_the_course_do_not_count(course: None, store: LocalStore) -> None:
    store.save("test_rating", "A", 1)
    store.save("test_rating", "OLD", 2)
    data = row(chapter_progress(store), "test_rating")
    assert data["answered"] == 1 and data["done"] is False


# -- chapter summary ----------------------------------------------------------------------------
def test_chapter_summary(course: None, store: LocalStore) -> None:
    store.save("test_reflection", "R1", {"text": "hello", "share": False})
    store.save("test_rating", "A", 1)
    store.save("test_rating", "B", 1)
    summary = chapter_summary(store).set_index("chapter")
    assert list(summary.index) == [c.id for c in course_chapters()]
    assert summary.loc["00_welcome", ["done", "total", "status"]].tolist() == [1, 1, "done"]
    assert summary.loc["02_boundaries", ["done", "total", "status"]].tolist() == [1, 3, "1 of 3 exercises"]
    assert summary.loc["02_boundaries", "to_do"] == ["Where are your limits?", "A test check"]
    assert summary.loc["05_language_and_sharing", "status"] == "no exercises"
    assert summary.loc["02_boundaries", "title"] == "Boundaries"


def test_exercise_in_an_unlisted_chapter_still_shows(course: None, store: LocalStore, add_exercise) -> None:
    add_exercise({**REFLECTION, "id": "bonus", "chapter": "08_bonus_material"})
    summary = chapter_summary(store)
    assert summary.iloc[-1]["chapter"] == "08_bonus_material"
    assert summary.iloc[-1]["total"] == 1


# -- the widget ---------------------------------------------------------------------------------
def test_progress_view_is_an_accessible_table(course: None, store: LocalStore) -> None:
    from peerkit.widgets.progress_view import ProgressView

    view = ProgressView(store=store)
    page = view.view.value
    assert "<caption" in page and "0 of 4 exercises done" in page
    assert page.count('scope="col"') == 3 and page.count('scope="row"') == 8
    assert "Boundaries" in page and "0 of 3 exercises" in page and "no exercises" in page
    assert view.refresh_button.description == "Refresh progress"
    assert len(view.chapters) == 8 and view.total == 4 and view.done == 0


def test_progress_view_links_each_chapter_by_its_title(course: None, store: LocalStore) -> None:
    """The table promises "the chapter link takes you back to it": each chapter's title is that link."""
    from peerkit.widgets.progress_view import ProgressView

    page = ProgressView(store=store).view.value
    links = re.findall(r'<a class="peerkit-chapter-link" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert [href for href, _ in links] == [c.notebook for c in course_chapters()]
    assert [text for _, text in links] == [f"Chapter {c.number}: {c.title}" for c in course_chapters()]
    shown = re.sub(r"<[^>]+>", " ", page)
    assert ".ipynb" not in shown, "file names are for the link, not for the learner to read"


def test_progress_view_refresh_shows_new_answers(course: None, store: LocalStore) -> None:
    from peerkit.widgets.progress_view import ProgressView

    view = ProgressView(store=store)
    store.save("test_reflection", "R1", {"text": "hello", "share": False})
    assert view.done == 0
    view.refresh_button.click()
    assert view.done == 1
    welcome = re.search(r"<tr>.*?Welcome.*?</tr>", view.view.value).group(0)
    assert "done" in welcome and "1 / 1" in welcome


def test_progress_view_escapes_titles(course: None, store: LocalStore, add_exercise) -> None:
    from peerkit.widgets.progress_view import ProgressView

    add_exercise({**REFLECTION, "id": "sneaky", "title": "<img src=x onerror=alert(1)>"})
    page = ProgressView(store=store).view.value
    assert "<img" not in page and "&lt;img src=x" in page


def test_progress_view_reports_a_store_problem(course: None, store: LocalStore) -> None:
    from peerkit.widgets.progress_view import ProgressView

    class Broken(LocalStore):
        def responses(self, exercise: str | None = None):  # type: ignore[override]
            raise StoreError("The answer store is locked <for now>.")

    view = ProgressView(store=Broken(store.path))
    assert "locked" in view.status
    assert 'role="alert"' in view.view.value and "&lt;for now&gt;" in view.view.value
