"""How far a learner has got: which exercises are done, chapter by chapter.

An exercise counts as *done* by its kind's rule (:meth:`peerkit.kinds.Kind.is_done`):
a boundary matrix, a rating or a knowledge check when every item has an answer (a
half-filled matrix is not finished); a reflection, a SMART goal or a reframe as soon
as one answer is stored (their prompts are invitations, not a checklist); a practice
conversation (a scenario) once the learner's choices reach one of its ends, which is why
each kind is given the stored values, not only which items have one. The chapters and
their order come from ``peerkit/data/chapters.json``.

>>> from peerkit.course_progress import chapter_summary
>>> chapter_summary()[["title", "done", "total", "status"]]     # doctest: +SKIP

(The module is not called ``peerkit.progress``: importing a submodule of that name
would replace the notebook function ``pk.progress()`` on the package.)
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import ContentError
from .exercises import DATA_DIR, exercise_ids, load_exercise
from .kinds import kind_of

if TYPE_CHECKING:
    import pandas as pd

    from .store import LocalStore

CHAPTERS_FILE = DATA_DIR / "chapters.json"

PROGRESS_COLUMNS = ["chapter", "exercise", "title", "done", "answered", "total"]
SUMMARY_COLUMNS = ["chapter", "title", "notebook", "done", "total", "status", "to_do"]


@dataclass(frozen=True)
class Chapter:
    """One chapter of the course: its id (``"02_boundaries"``), title and notebook file name."""

    id: str
    title: str
    notebook: str

    @property
    def number(self) -> int:
        return int(self.id.split("_", 1)[0])


@lru_cache(maxsize=1)
def course_chapters() -> tuple[Chapter, ...]:
    """The course's chapters in order, read from ``peerkit/data/chapters.json``."""
    try:
        raw = json.loads(CHAPTERS_FILE.read_text(encoding="utf-8"))
        chapters = tuple(Chapter(c["id"], c["title"], c["notebook"]) for c in raw["chapters"])
        for chapter in chapters:
            if not all(isinstance(v, str) and v for v in (chapter.id, chapter.title, chapter.notebook)):
                raise TypeError(f"chapter {chapter.id!r} needs a non-empty id, title and notebook")
            chapter.number  # noqa: B018 - raises ValueError unless the id starts with its number
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ContentError(
            f"The chapter list {CHAPTERS_FILE} is malformed ({error}). It must be "
            '{"chapters": [{"id": "00_welcome", "title": "...", "notebook": "00_welcome.ipynb"}, ...]}.'
        ) from error
    return chapters


def chapter_title(chapter_id: str) -> str:
    """The title of a chapter; an id the chapter list does not know is returned as it is."""
    for chapter in course_chapters():
        if chapter.id == chapter_id:
            return chapter.title
    return chapter_id


@lru_cache(maxsize=1)
def _listed_exercises() -> dict[str, int]:
    """Exercise id -> its place in the course, from each chapter's ``exercises`` list in chapters.json."""
    try:
        raw = json.loads(CHAPTERS_FILE.read_text(encoding="utf-8"))
        listed = [e for c in raw["chapters"] for e in c.get("exercises", []) if isinstance(e, str)]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {exercise: place for place, exercise in enumerate(listed)}


def exercise_order(exercise_id: str, chapter_id: str) -> tuple[tuple[int, str], int, str]:
    """Sort key putting exercises in course order: by chapter, then as the chapter meets them
    (its ``exercises`` list in chapters.json); an exercise not listed comes last in its chapter, by id."""
    listed = _listed_exercises()
    return chapter_order(chapter_id), listed.get(exercise_id, len(listed)), exercise_id


def exercises_in_course_order() -> list[str]:
    """Every exercise of the course, chapter by chapter, in the order the learner meets them."""
    ids = exercise_ids()
    chapters = {}
    for exercise in ids:
        try:
            chapters[exercise] = load_exercise(exercise).chapter
        except ContentError:
            continue
    return sorted(chapters, key=lambda e: exercise_order(e, chapters[e]))


def chapter_order(chapter_id: str) -> tuple[int, str]:
    """Sort key putting chapters in course order, unknown ones after them by id."""
    ids = [chapter.id for chapter in course_chapters()]
    return (ids.index(chapter_id), "") if chapter_id in ids else (len(ids), chapter_id)


def chapter_progress(store: "LocalStore | None" = None) -> "pd.DataFrame":
    """One row per exercise of the course: is it done, and how many items are answered.

    Columns: ``chapter, exercise, title, done, answered, total``, in course order.
    ``answered`` counts the exercise's items that have an answer (for kinds done with
    any answer, every stored answer counts; for a scenario, the turns on the learner's path);
    ``total`` is the number of items.

    Example
    -------
    >>> frame = chapter_progress(LocalStore(tmp_path / "a.sqlite"))    # doctest: +SKIP
    >>> frame.loc[frame.exercise == "boundaries", ["answered", "total"]]  # doctest: +SKIP
    """
    import pandas as pd

    # the learner's store, only when asked for progress: the chapter list (course_chapters) is shared
    # with the cohort server, which never loads the learner's store
    from .store import LocalStore

    store = store if store is not None else LocalStore()
    # {exercise: {item: value}}: a kind may need the values to say whether it is done (a scenario's path)
    stored: dict[str, dict[str, object]] = defaultdict(dict)
    for response in store.responses():
        stored[response.exercise][response.item] = response.value

    rows = []
    for exercise_id in exercise_ids():
        exercise = load_exercise(exercise_id)
        items = set(exercise.item_ids)
        kind = kind_of(exercise)
        answered = kind.answered(exercise, stored[exercise_id])
        done = kind.is_done(exercise, stored[exercise_id])
        rows.append({
            "chapter": exercise.chapter,
            "exercise": exercise_id,
            "title": exercise.title,
            "done": bool(done),
            "answered": answered,
            "total": len(items),
        })
    rows.sort(key=lambda row: exercise_order(row["exercise"], row["chapter"]))
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS).astype({"done": bool, "answered": int, "total": int})


def summarise(progress: "pd.DataFrame") -> "pd.DataFrame":
    """Turn :func:`chapter_progress` rows into one row per chapter (see :func:`chapter_summary`)."""
    import pandas as pd

    chapters = list(course_chapters())
    known = {chapter.id for chapter in chapters}
    extra = sorted(set(progress["chapter"]) - known)
    chapters += [Chapter(chapter_id, chapter_id, "") for chapter_id in extra]
    totals = Counter(progress["chapter"])
    dones = Counter(progress.loc[progress["done"], "chapter"])
    rows = []
    for chapter in chapters:
        total, done = totals.get(chapter.id, 0), dones.get(chapter.id, 0)
        to_do = progress.loc[(progress["chapter"] == chapter.id) & ~progress["done"], "title"].tolist()
        rows.append({
            "chapter": chapter.id,
            "title": chapter.title,
            "notebook": chapter.notebook,
            "done": done,
            "total": total,
            "status": status_text(done, total),
            "to_do": to_do,
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype({"done": int, "total": int})


def chapter_summary(store: LocalStore | None = None) -> "pd.DataFrame":
    """One row per chapter, in course order: exercises done out of the chapter's total.

    Columns: ``chapter, title, notebook, done, total, status, to_do`` where ``status``
    is a short text ("done", "2 of 3 exercises", "no exercises") and ``to_do`` lists
    the titles of the chapter's exercises not yet done. Every chapter of the course
    appears, including chapters without exercises.

    Example
    -------
    >>> chapter_summary().set_index("chapter").loc["02_boundaries", "status"]   # doctest: +SKIP
    '0 of 1 exercise'
    """
    return summarise(chapter_progress(store))


def status_text(done: int, total: int) -> str:
    """Words for a chapter's progress, so colour or ticks are never the only cue."""
    if total == 0:
        return "no exercises"
    if done >= total:
        return "done"
    return f"{done} of {total} exercise{'s' if total != 1 else ''}"
