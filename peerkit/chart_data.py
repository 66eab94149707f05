"""What every group chart starts from: the rows it can read, and which items have enough answers to show.

A shared store or a hand-in file may hold a row no chart can use (a dict where a
choice belongs, text that was not JSON, a broken timestamp). Such a row is left out
and counted, never allowed to stop the view: :func:`chart_rows` returns the rows
that are valid answers (by the kind's rule, :meth:`peerkit.kinds.Kind.counted`, the one rule
for what an answer may be) and how many were skipped, and :func:`skipped_note`
says so in one line.

Small groups are hidden per item (:mod:`peerkit.privacy`): :func:`item_counts`
gives how many people answered each item, and :func:`shown_items` the items that
may be drawn.

>>> import pandas as pd
>>> rows = pd.DataFrame({"learner": ["a", "b"], "item": ["B01", "B01"], "value": ["maybe", {"x": 1}]})
>>> group = chart_rows(rows, "boundaries")
>>> len(group.data), group.skipped
(1, 1)
>>> skipped_note(group.skipped)
'1 answer could not be read and is left out.'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .exercises import Exercise, load_exercise
from .kinds import kind_of
from .privacy import MIN_GROUP_SIZE, too_few

#: The two group charts drawn from a scale: split bars and a rating profile.
CHOICE_STYLE = "choice"
RATING_STYLE = "rating"
#: The kinds registry's chart style (peerkit.kinds.Kind.chart_style) -> the chart drawn here.
_DRAWN_AS = {"diverging": CHOICE_STYLE, "profile": RATING_STYLE}


def chart_style(definition: Exercise) -> str | None:
    """How an exercise's group answers are drawn: ``"choice"`` (split bars), ``"rating"`` (profile) or None.

    The kind says how it is drawn (:attr:`peerkit.kinds.Kind.chart_style`); only exercises with a scale
    are drawn from these charts.
    """
    if not definition.scale:
        return None
    return _DRAWN_AS.get(kind_of(definition).chart_style)


def is_personal(definition: Exercise) -> bool:
    """A self-care or recovery check-in (``"personal": true`` in its file): the learner's own profile
    over time, never ranked against a group."""
    return definition.personal


@dataclass(frozen=True)
class ChartRows:
    """One exercise's readable answers: the definition, the rows, the group size and how many rows were skipped."""

    definition: Exercise
    data: pd.DataFrame
    n: int
    skipped: int


def _readable_time(column: pd.Series) -> pd.Series:
    """True where a row's ``answered_at`` is a moment (a datetime or ISO 8601 text); False where broken."""
    def ok(value: Any) -> bool:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            return False
        if isinstance(value, str):
            from .timestamps import parse_moment

            try:
                parse_moment(value)
            except (ValueError, TypeError):
                return False
            return True
        return hasattr(value, "year") and not pd.isna(value)

    return column.map(ok).astype(bool)


def _shared_answer_rule(definition: Exercise) -> Any:
    """Whether a group row holds an answer this exercise's charts and panels can read.

    Drawn kinds (a scale) count what the kind counts (:meth:`peerkit.kinds.Kind.counted`: a valid answer,
    never "I'd rather not answer").
    Other kinds say what a group may hold (:meth:`peerkit.kinds.Kind.readable_in_group`):
    what they share (a reflection reaches the group as ``{"text": ...}`` only, its share
    flag stays home), or a stored answer.
    """
    kind = kind_of(definition)
    if chart_style(definition) is not None:
        return lambda item, value: kind.counted(definition, item, value)  # never "I'd rather not answer"
    return lambda item, value: kind.readable_in_group(definition, item, value)


def readable_mask(data: pd.DataFrame, definition: Exercise) -> pd.Series:
    """Which rows hold a valid answer (by the exercise's own rule) with a readable learner, item and time."""
    if data.empty:
        return pd.Series(dtype=bool, index=data.index)
    cache: dict[tuple[Any, ...], bool] = {}
    valid = _shared_answer_rule(definition)

    def ok(item: Any, value: Any) -> bool:
        try:
            key = (item, type(value), value)
            hash(key)
        except TypeError:  # a list or dict: checked each time (rare, and never a valid choice or rating)
            return isinstance(item, str) and valid(item, value)
        if key not in cache:
            cache[key] = isinstance(item, str) and valid(item, value)
        return cache[key]

    mask = pd.Series([ok(i, v) for i, v in zip(data["item"], data["value"])], index=data.index, dtype=bool)
    mask &= data["learner"].map(lambda learner: isinstance(learner, str) and bool(learner)).astype(bool)
    if "answered_at" in data.columns:
        mask &= _readable_time(data["answered_at"])
    return mask


def chart_rows(data: pd.DataFrame, exercise: str | Exercise) -> ChartRows:
    """The rows of ``data`` for ``exercise`` that a chart can read, and how many it could not."""
    definition = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
    if "exercise" in data.columns:
        data = data[data["exercise"] == definition.id]
    mask = readable_mask(data, definition)
    clean = data[mask] if len(data) else data
    n = int(clean["learner"].nunique()) if len(clean) else 0
    return ChartRows(definition, clean, n, int(len(data) - len(clean)))


def item_counts(rows: ChartRows) -> pd.Series:
    """How many people answered each item (in the exercise's order; 0 where nobody did)."""
    data = rows.data
    counts = data.groupby("item")["learner"].nunique() if len(data) else pd.Series(dtype=int)
    return counts.reindex(rows.definition.item_ids, fill_value=0).astype(int)


def shown_items(rows: ChartRows, min_group_size: int = MIN_GROUP_SIZE) -> list[str]:
    """Items answered by at least ``min_group_size`` people: the only ones whose counts may be drawn."""
    counts = item_counts(rows)
    return [item for item in rows.definition.item_ids if not too_few(int(counts[item]), min_group_size)]


def skipped_note(skipped: int) -> str:
    """One line saying how many rows were left out, or "" when none were."""
    if not skipped:
        return ""
    return (f"{skipped} answer{' ' if skipped == 1 else 's '}could not be read and "
            f"{'is' if skipped == 1 else 'are'} left out.")
