"""Every exercise file shipped in peerkit/data/exercises loads and builds its widget.

New content files (written by the course writers) are covered as they land.
"""
from __future__ import annotations

import json

import pytest

from peerkit.exercises import EXERCISES_DIR, exercise_ids, load_exercise
from peerkit.store import LocalStore
from peerkit.widgets import widget_class, widget_for


def test_there_are_exercises() -> None:
    assert {"boundaries", "core_skills", "recovery_dimensions", "smart_goal"} <= set(exercise_ids())


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_exercise_loads_and_builds_its_widget(exercise_id: str, store: LocalStore) -> None:
    exercise = load_exercise(exercise_id)
    raw = json.loads((EXERCISES_DIR / f"{exercise_id}.json").read_text(encoding="utf-8"))
    assert raw["id"] == exercise_id
    widget = widget_for(exercise_id, store=store)
    assert isinstance(widget, widget_class(exercise.kind)), f"{exercise_id}.json: not shown by its kind's widget"
    assert widget.exercise.id == exercise_id
    assert widget.title == exercise.title and widget.status == ""
    # the front end gets one entry per item (or per criterion, for SMART goals)
    shown = getattr(widget, "items", None) or widget.criteria
    assert [entry["id"] for entry in shown] == exercise.item_ids
    # and a second widget on the same store builds too (kernel restart)
    assert widget_for(exercise_id, store=LocalStore(store.path)).exercise.id == exercise_id
