"""The live session's state: where the trainer is (follow the trainer), the timer and activity card,
the poll and wall on show, and what each audience may see of it.

One row per cohort (``session_state``). Everyone reads the same row, through one
of three views that decide what leaves the server:

- :func:`learner_view` for ``GET /api/v1/me/session`` (the notebook's live panel and
  the phone page poll it): the place to go, the timer, the poll on show with the
  learner's own answer and its results only once revealed with enough answers, and
  the wall's prompt, never anyone's posts but approved ones;
- :func:`projector_view` for the projector page: the same, with approved posts;
- the trainer's console reads the rules' own trainer lists (:mod:`.polls`, :mod:`.wall`).

The timer's end is the server's clock (``timer_ends_at``); pages count down to it
from ``seconds_left``, so a page opened late or on a phone shows the same time.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ...course_progress import course_chapters
from ...exercises import ContentError, exercise_ids, load_exercise
from ...privacy import suppressed_message
from ...timestamps import format_moment, now, parse_moment
from .. import db
from ..revisions import changed
from ..problems import Problem
from . import polls, scenario_room, texts, wall
from .activities import activities, activity
from .tables import SCREENS, polls as polls_table, session_state

MAX_TIMER_SECONDS = 2 * 3600
#: A class's live panels together ask about this many times a second (see check_again_seconds).
PANEL_REQUESTS_PER_SECOND = 25
MIN_CHECK_SECONDS, MAX_CHECK_SECONDS = 4, 15


def _row(conn: sa.Connection, cohort_id: str) -> Any:
    return conn.execute(sa.select(session_state).where(session_state.c.cohort_id == cohort_id)).first()


def _set(conn: sa.Connection, cohort_id: str, **values: Any) -> None:
    db.upsert(conn, session_state, {"cohort_id": cohort_id, **values}, ("cohort_id",), replace=tuple(values))
    changed(conn, cohort_id)


def chapter_exercises() -> dict[str, list[tuple[str, str]]]:
    """``{chapter id: [(exercise id, title), …]}`` in course order (for the trainer's "move to" form)."""
    found: dict[str, list[tuple[str, str]]] = {chapter.id: [] for chapter in course_chapters()}
    for exercise in exercise_ids():
        try:
            definition = load_exercise(exercise)
        except ContentError:
            continue
        found.setdefault(definition.chapter, []).append((definition.id, definition.title))
    return found


def move(conn: sa.Connection, cohort_id: str, chapter: Any, exercise: Any) -> dict[str, Any]:
    """Move the session to ``chapter`` (and ``exercise`` of it, or None); ``chapter`` None clears the place."""
    if chapter is None:
        _set(conn, cohort_id, chapter=None, exercise=None, moved_at=format_moment(now()))
        return {"place": None}
    known = chapter_exercises()
    if chapter not in known:
        raise Problem(422, "no-such-chapter", "No such chapter", "Choose a chapter of the course.")
    if exercise not in (None, "") and exercise not in {e for e, _ in known[chapter]}:
        raise Problem(422, "no-such-exercise", "No such exercise", "Choose an exercise of that chapter.")
    _set(conn, cohort_id, chapter=chapter, exercise=exercise or None, moved_at=format_moment(now()))
    return {"place": place_of(_row(conn, cohort_id))}


def start_timer(conn: sa.Connection, cohort_id: str, seconds: Any, activity_id: Any) -> dict[str, Any]:
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 10 <= seconds <= MAX_TIMER_SECONDS:
        raise Problem(422, "timer-refused", "Timer not started",
                      f"A timer runs from 10 seconds to {MAX_TIMER_SECONDS // 60} minutes.")
    set_activity(conn, cohort_id, activity_id, announce=False)
    ends = now() + timedelta(seconds=seconds)
    _set(conn, cohort_id, timer_ends_at=format_moment(ends), timer_seconds=seconds)
    return {"timer": timer_of(_row(conn, cohort_id))}


def stop_timer(conn: sa.Connection, cohort_id: str) -> dict[str, Any]:
    _set(conn, cohort_id, timer_ends_at=None, timer_seconds=None)
    return {"timer": None}


def set_activity(conn: sa.Connection, cohort_id: str, activity_id: Any, *, announce: bool = True) -> dict[str, Any]:
    if activity_id not in (None, ""):
        try:
            activity(str(activity_id))
        except KeyError:
            raise Problem(422, "no-such-activity", "No such activity", "Choose one of the course's activities.")
    if announce:
        _set(conn, cohort_id, activity=activity_id or None)
    else:
        db.upsert(conn, session_state, {"cohort_id": cohort_id, "activity": activity_id or None}, ("cohort_id",),
                  replace=("activity",))
    return {"activity": activity(activity_id).as_dict() if activity_id else None}


def set_screen(conn: sa.Connection, cohort_id: str, screen: Any, exercise: Any = None, page: Any = 0) -> dict[str, Any]:
    """Put one thing on the room's screen (:data:`SCREENS`); ``exercise`` and ``page`` say which chart."""
    if screen not in SCREENS:
        raise Problem(422, "no-such-screen", "No such screen", "The room's screen shows one of: "
                      + ", ".join(SCREENS) + ".")
    if exercise not in (None, ""):
        try:
            load_exercise(str(exercise))
        except ContentError:
            raise Problem(422, "no-such-exercise", "No such exercise", "Choose an exercise of the course.") from None
    if isinstance(page, bool) or not isinstance(page, int) or not 0 <= page < 1000:
        raise Problem(422, "no-such-page", "No such page", "A chart's page is a whole number from 0.")
    _set(conn, cohort_id, screen=screen, screen_exercise=exercise or None, screen_page=page)
    return screen_of(_row(conn, cohort_id))


def screen_of(row: Any) -> dict[str, Any]:
    """What the room's screen shows: ``{"screen", "exercise", "page"}`` (the join screen until the trainer moves)."""
    if row is None or not row.screen:
        return {"screen": "join", "exercise": None, "page": 0}
    return {"screen": row.screen, "exercise": row.screen_exercise, "page": int(row.screen_page or 0)}


# -- what each audience sees -------------------------------------------------------------------

def place_of(row: Any) -> dict[str, Any] | None:
    if row is None or not row.chapter:
        return None
    chapter = next((c for c in course_chapters() if c.id == row.chapter), None)
    if chapter is None:
        return None
    place: dict[str, Any] = {"chapter": chapter.id, "title": chapter.title, "notebook": chapter.notebook,
                             "exercise": None, "exercise_title": None, "moved_at": row.moved_at}
    if row.exercise:
        try:
            place.update(exercise=row.exercise, exercise_title=load_exercise(row.exercise).title)
        except ContentError:
            pass
    return place


def timer_of(row: Any) -> dict[str, Any] | None:
    if row is None or not row.timer_ends_at:
        return None
    ends = parse_moment(row.timer_ends_at)
    left = max(0, round((ends - now()).total_seconds()))
    return {"ends_at": row.timer_ends_at, "seconds": int(row.timer_seconds or 0), "seconds_left": left,
            "finished": left == 0}


def activity_of(row: Any) -> dict[str, Any] | None:
    if row is None or not row.activity:
        return None
    try:
        return activity(row.activity).as_dict()
    except KeyError:
        return None


def _poll_row(conn: sa.Connection, row: Any) -> Any:
    if row is None or row.poll_id is None:
        return None
    return conn.execute(sa.select(polls_table).where(polls_table.c.id == row.poll_id)).first()


def _public_poll(conn: sa.Connection, poll: Any, min_group_size: int) -> dict[str, Any]:
    answered = polls.answer_count(conn, int(poll.id))
    shown = polls.describe(poll, answered)
    shown["results"] = polls.public_results(conn, poll, min_group_size) if poll.revealed else None
    shown["waiting_for"] = max(0, min_group_size - answered)
    return shown


class _SharedViews:
    """What every learner of a cohort sees alike, kept per (store, cohort, revision).

    Every change to a cohort bumps its revision (:func:`peerkit.server.revisions.changed`),
    so a view made for one revision stays right until the next: a class's live panels,
    asking every few seconds, cost a few primary-key lookups each, not a poll's count.
    """

    def __init__(self, size: int = 256) -> None:
        self._views: OrderedDict[tuple[str, str], tuple[int, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, conn: sa.Connection, cohort: Any) -> dict[str, Any]:
        key, revision = (str(conn.engine.url), str(cohort.id)), int(cohort.revision)
        with self._lock:
            found = self._views.get(key)
            if found is not None and found[0] == revision:
                self._views.move_to_end(key)
                return found[1]
        view = _shared_view(conn, cohort)
        with self._lock:
            self._views[key] = (revision, view)
            self._views.move_to_end(key)
            while len(self._views) > self.size:
                self._views.popitem(last=False)
        return view


def check_again_seconds(members: int) -> int:
    """How long a learner's panel waits before asking again: 4 s in a small group, up to 15 s in a big one,
    so a class's panels together ask about 25 times a second at most (a new poll shows within that time).

    >>> check_again_seconds(20), check_again_seconds(300), check_again_seconds(5000)
    (4, 12, 15)
    """
    return max(MIN_CHECK_SECONDS, min(MAX_CHECK_SECONDS, -(-members // PANEL_REQUESTS_PER_SECOND)))


def _shared_view(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    row = _row(conn, cohort.id)
    members = int(conn.execute(sa.select(sa.func.count()).select_from(db.learners).where(
        db.learners.c.cohort_id == cohort.id, db.learners.c.source == "live")).scalar_one())
    view: dict[str, Any] = {"check_again_seconds": check_again_seconds(members), "place": place_of(row), "timer_row": (row.timer_ends_at, row.timer_seconds) if row
                            else (None, None), "activity": activity_of(row), "poll": None, "wall": None}
    poll = _poll_row(conn, row)
    if poll is not None:
        shown = _public_poll(conn, poll, int(cohort.min_group_size))
        # how many answered is not the learners' business (the aggregates hide n under the threshold too)
        shown.pop("answers")
        shown.pop("waiting_for")
        view["poll"] = shown
    current = wall.current_wall(conn, cohort.id) if row is not None else None
    if current is not None:
        view["wall"] = {"id": int(current.id), "prompt": current.prompt, "status": current.status,
                        "approved": wall.approved(conn, int(current.id))}
    view["conversation"] = scenario_room.learner_part(conn, cohort.id)
    return view


SHARED_VIEWS = _SharedViews()


def learner_view(conn: sa.Connection, cohort: Any, learner_id: int) -> dict[str, Any]:
    """The live-tools part of ``GET /api/v1/me/session`` for one learner (``cohort`` read in this transaction)."""
    shared = SHARED_VIEWS.get(conn, cohort)
    ends_at, seconds = shared["timer_row"]
    view: dict[str, Any] = {"place": shared["place"], "activity": shared["activity"], "poll": None, "wall": None,
                            "timer": timer_of(_TimerRow(ends_at, seconds)),
                            "check_again_seconds": shared["check_again_seconds"],
                            "conversation": shared["conversation"]}
    if shared["poll"] is not None:
        view["poll"] = {**shared["poll"], "your_answer": polls.own_answer(conn, shared["poll"]["id"], learner_id)}
    if shared["wall"] is not None:
        view["wall"] = {**shared["wall"],
                        "your_posts": wall.own_post_count(conn, shared["wall"]["id"], learner_id)}
    return view


@dataclass(frozen=True)
class _TimerRow:
    timer_ends_at: str | None
    timer_seconds: int | None


def projector_view(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    """What the projector page shows of the live tools (approved posts and revealed results only)."""
    row = _row(conn, cohort.id)
    min_group_size = int(cohort.min_group_size)
    view: dict[str, Any] = {"place": place_of(row), "timer": timer_of(row), "activity": activity_of(row),
                            "poll": None, "wall": None, "suppressed_message": suppressed_message(min_group_size),
                            "min_group_size": min_group_size, "screen": screen_of(row)}
    poll = _poll_row(conn, row)
    if poll is not None:
        view["poll"] = _public_poll(conn, poll, min_group_size)
    current = wall.current_wall(conn, cohort.id) if row is not None else None
    if current is not None:
        view["wall"] = {"id": int(current.id), "prompt": current.prompt, "status": current.status,
                        "approved": wall.approved(conn, int(current.id))}
    return view


def trainer_view(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    """The console: every poll with its (suppressed) results, the wall with every post, the state."""
    view = projector_view(conn, cohort)
    view["polls"] = polls.list_for_trainer(conn, cohort)
    view["wall_posts"] = wall.for_trainer(conn, cohort.id)["posts"]
    view["texts"] = texts.for_trainer(conn, cohort.id)
    view["chapters"] = [{"id": c.id, "title": c.title, "exercises": chapter_exercises().get(c.id, [])}
                        for c in course_chapters()]
    view["activities"] = [card.as_dict() for card in activities()]
    view.update(scenario_room.trainer_part(conn, cohort))
    return view
