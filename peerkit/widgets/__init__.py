"""Exercise widgets, one class per module, chosen by the exercise's kind.

Each kind in :mod:`peerkit.kinds` names its widget class as ``"module:Class"``;
:func:`widget_class` imports it and :func:`widget_for` builds one for an exercise id.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from ..kinds import kind_of


def widget_class(kind: Any) -> type:
    """The widget class of a kind (a kind name, a kind or an exercise)."""
    module_name, attribute = kind_of(getattr(kind, "name", kind)).widget.split(":")
    return getattr(import_module(module_name), attribute)


def widget_for(exercise_id: str, **kwargs: Any) -> Any:
    """Build the widget for an exercise id; keyword arguments go to the widget (``store=``)."""
    from ..exercises import load_exercise

    exercise = load_exercise(exercise_id)
    return widget_class(exercise.kind)(exercise_id, **kwargs)
