"""What the chapter notebooks call: one line per exercise or chart.

>>> import peerkit as pk
>>> pk.exercise("boundaries")     # the 27-item boundary matrix        # doctest: +SKIP
>>> pk.compare("boundaries")      # your answers against the group     # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

from .store import LocalStore


def exercise(exercise_id: str, *, store: LocalStore | None = None) -> Any:
    """The widget for an exercise, the one its kind names (:mod:`peerkit.kinds`); shown when it ends a cell."""
    from .exercises import load_exercise
    from .widgets import widget_class

    return widget_class(load_exercise(exercise_id).kind)(exercise_id, store=store)


def compare(exercise_id: str, *, store: LocalStore | None = None, **options: Any) -> Any:
    """Your answers to an exercise next to a group's: chart, summary in words, discussion prompts."""
    from .widgets.group_comparison import GroupComparison

    return GroupComparison(exercise_id, store=store, **options)


def progress(*, store: LocalStore | None = None) -> Any:
    """Your progress through the course, chapter by chapter."""
    from .widgets.progress_view import ProgressView

    return ProgressView(store=store)


def portfolio(*, store: LocalStore | None = None) -> Any:
    """Download, restore or delete your answers."""
    from .widgets.portfolio_panel import PortfolioPanel

    return PortfolioPanel(store=store)
