"""The registry of exercise kinds: one module per kind, one rule per kind for the whole course.

Each module in this package (not starting with ``_``) defines one kind as ``KIND``:
its schema file, its answer rule, its item id pattern, when an exercise counts as
done, what of an answer may be shared and in what form, how a group's answers are
summarised, the chart style views dispatch on, and its widget class as a
``"module:Class"`` string. Everything that needs a per-kind rule asks here.

A new kind is one module here, one schema in ``peerkit/data/schemas/`` and one widget.

>>> from peerkit.kinds import kind_of, kind_names
>>> kind_of("choice_matrix").chart_style
'diverging'
>>> from peerkit.exercises import load_exercise
>>> kind_of(load_exercise("smart_goal")).share_per_answer
True
>>> "reflection" in kind_names()
True
"""
from __future__ import annotations

import pkgutil
from functools import lru_cache
from importlib import import_module
from typing import Any

from ..errors import ContentError
from ._kind import RATHER_NOT, RATHER_NOT_LABEL, Kind, is_rather_not

__all__ = ["RATHER_NOT", "RATHER_NOT_LABEL", "Kind", "all_kinds", "is_rather_not", "kind_names", "kind_of",
           "longest_text"]


@lru_cache(maxsize=1)
def _registry() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        kind = getattr(import_module(f"{__name__}.{module.name}"), "KIND", None)
        if not isinstance(kind, Kind) or kind.name != module.name:
            raise ContentError(f"peerkit/kinds/{module.name}.py must define KIND, a Kind named {module.name!r}.")
        kinds[kind.name] = kind
    return kinds


def all_kinds() -> list[Kind]:
    """Every kind, sorted by name."""
    return [kind for _, kind in sorted(_registry().items())]


def kind_names() -> list[str]:
    """The names of every kind, sorted (the values an exercise file's ``kind`` may take)."""
    return sorted(_registry())


def kind_of(exercise_or_kind: Any) -> Kind:
    """The kind of an exercise (anything with a ``.kind``), or the kind with this name.

    Raises :class:`~peerkit.errors.ContentError` for a kind the course does not have.
    """
    name = exercise_or_kind if isinstance(exercise_or_kind, str) else getattr(exercise_or_kind, "kind", None)
    kind = _registry().get(name) if isinstance(name, str) else None
    if kind is None:
        raise ContentError(f"There is no exercise kind {name!r}. Kinds are: {', '.join(kind_names())}.")
    return kind


def longest_text() -> int:
    """The most characters any kind keeps in one answer: a cap for text arriving from outside,
    before each kind's own rule holds an answer to its own limit."""
    return max(kind.max_chars for kind in all_kinds() if kind.max_chars)
