"""Exercise widgets, one class per module, chosen by the exercise's ``kind``.

``WIDGET_FOR_KIND`` maps each kind of exercise definition to the widget class
that renders it; :func:`widget_for` builds one for an exercise id.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

WIDGET_FOR_KIND = {
    "choice_matrix": "peerkit.widgets.boundary_matrix:BoundaryMatrix",
    "rating": "peerkit.widgets.self_rating:SelfRating",
    "reflection": "peerkit.widgets.reflection:Reflection",
    "knowledge_check": "peerkit.widgets.knowledge_check:KnowledgeCheck",
    "smart_goal": "peerkit.widgets.smart_goal:SmartGoalBuilder",
    "reframe": "peerkit.widgets.reframe:Reframe",
}


def widget_class(kind: str) -> type:
    module_name, attribute = WIDGET_FOR_KIND[kind].split(":")
    return getattr(import_module(module_name), attribute)


def widget_for(exercise_id: str, **kwargs: Any) -> Any:
    """Build the widget for an exercise id; keyword arguments go to the widget (``store=``)."""
    from ..exercises import load_exercise

    exercise = load_exercise(exercise_id)
    return widget_class(exercise.kind)(exercise_id, **kwargs)
