"""peerkit: the interactive peer-support course, as a small Python package.

Notebooks call a handful of functions from here; each loads what it needs when it
is first used, so ``import peerkit`` stays quick.

The data flows one way: exercise definitions (``peerkit/data``) and the rules of
each exercise kind (:mod:`peerkit.kinds`) → the response model and store (:mod:`peerkit.model`, :mod:`peerkit.store`) → widgets
(:mod:`peerkit.widgets`) → charts drawn from a group's counts (:mod:`peerkit.group_view`,
:mod:`peerkit.charts`) → notebooks.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# public name -> "module:attribute", imported on first use (PEP 562)
_LAZY = {
    "exercise": "peerkit.course:exercise",
    "compare": "peerkit.course:compare",
    "figure": "peerkit.figures:figure",
    "progress": "peerkit.course:progress",
    "portfolio": "peerkit.course:portfolio",
    "restore": "peerkit.portfolio_io:restore",
    "export": "peerkit.portfolio_io:export_json",
    "delete_my_answers": "peerkit.portfolio_io:delete_my_answers",
    "join_cohort": "peerkit.widgets.cohort_join:join_cohort",
    "live_panel": "peerkit.widgets.live_panel:live_panel",
    "live_session": "peerkit.widgets.live_session:live_session",
    "LocalStore": "peerkit.store:LocalStore",
    "load_exercise": "peerkit.exercises:load_exercise",
    "exercise_ids": "peerkit.exercises:exercise_ids",
    "PeerkitError": "peerkit.errors:PeerkitError",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'peerkit' has no attribute {name!r}")
    module_name, attribute = target.split(":")
    value = getattr(import_module(module_name), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
