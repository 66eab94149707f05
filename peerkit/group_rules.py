"""What a group view asks of an exercise: how it is drawn, its items' values, and which answer rows it can read.

The rules here are the exercise's and its kind's, read the way
:class:`peerkit.group_view.GroupView` reads them; none of them holds a group's counts:

- how the exercise is drawn (:func:`drawn_style`, in the kind's own words) and whether it is a
  personal check-in never ranked against a group (:func:`is_personal`);
- the values an item can take, in display order (:func:`item_values`), whether one person may
  choose several (:func:`several_answers`), which option a value sent or stored is
  (:func:`option_value`, :func:`decoded_value`);
- which rows of one row per answer hold an answer a view can count (:func:`readable_mask`):
  a row no chart can use (a dict where a choice belongs, a broken timestamp) is left out and
  counted, and :func:`skipped_note` says how many, never allowed to stop the view.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .exercises import Exercise
from .kinds import kind_of

if TYPE_CHECKING:
    import pandas as pd

#: The chart styles (:attr:`peerkit.kinds.Kind.chart_style`) a group view draws.
SPLIT, PROFILE, OPTIONS = "diverging", "profile", "options"
DRAWN_STYLES = (SPLIT, PROFILE, OPTIONS)


def drawn_style(definition: Exercise) -> str:
    """How a group view of the exercise is drawn, in the kind's own words (:attr:`peerkit.kinds.Kind.chart_style`):
    ``"diverging"`` (split bars) or ``"profile"`` (ratings) for a scale, ``"options"`` (knowledge-check
    results), or "" (not drawn from counts)."""
    style = kind_of(definition).chart_style
    if style in (SPLIT, PROFILE):
        return style if definition.scale else ""
    return OPTIONS if style == OPTIONS else ""


def is_personal(definition: Exercise) -> bool:
    """A self-care or recovery check-in (``"personal": true`` in its file): the learner's own profile
    over time, never ranked against a group."""
    return definition.personal


def _readable_time(column: "pd.Series") -> "pd.Series":
    """True where a row's ``answered_at`` is a moment (a datetime or ISO 8601 text); False where broken."""
    import pandas as pd

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


def _answer_rule(definition: Exercise) -> Any:
    """Whether a group row holds an answer this exercise's charts and panels can read.

    Drawn kinds (a scale) count what the kind counts (:meth:`peerkit.kinds.Kind.counted`: a valid answer,
    never "I'd rather not answer").
    Other kinds say what a group may hold (:meth:`peerkit.kinds.Kind.readable_in_group`):
    what they share (a reflection reaches the group as ``{"text": ...}`` only, its share
    flag stays home), or a stored answer.
    """
    kind = kind_of(definition)
    if drawn_style(definition) in (SPLIT, PROFILE):
        return lambda item, value: kind.counted(definition, item, value)  # never "I'd rather not answer"
    return lambda item, value: kind.readable_in_group(definition, item, value)


def readable_mask(data: pd.DataFrame, definition: Exercise) -> pd.Series:
    """Which rows hold a valid answer (by the exercise's own rule) with a readable learner, item and time."""
    import pandas as pd

    if data.empty:
        return pd.Series(dtype=bool, index=data.index)
    cache: dict[tuple[Any, ...], bool] = {}
    valid = _answer_rule(definition)

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


def skipped_note(skipped: int) -> str:
    """One line saying how many rows were left out, or "" when none were."""
    if not skipped:
        return ""
    return (f"{skipped} answer{' ' if skipped == 1 else 's '}could not be read and "
            f"{'is' if skipped == 1 else 'are'} left out.")


# -- an item's values and options ----------------------------------------------------------------------

#: What :func:`option_value` gives for a value that is none of the item's options.
NOT_AN_OPTION = object()


def item_values(definition: Exercise, item: str) -> list[Any]:
    """The values an item can take, in display order: the exercise's scale, or the question's own options."""
    if definition.scale:
        return [option.value for option in definition.scale]
    return [option["value"] for option in definition.item(item).details.get("options", [])]


def several_answers(definition: Exercise, item: str) -> bool:
    """A question that allows several answers: one person may add to several options' counts."""
    return not definition.scale and bool(definition.item(item).details.get("multiple", False))


def option_value(definition: Exercise, item: str, value: Any) -> Any:
    """``value`` as the option it is (same type: True is not 1), or :data:`NOT_AN_OPTION` when it is none."""
    for option in item_values(definition, item):
        if type(option) is type(value) and option == value:
            return option
        if isinstance(option, int) and not isinstance(value, bool) and isinstance(value, float) \
                and value.is_integer() and int(value) == option:
            return option
    return NOT_AN_OPTION


def decoded_value(value: Any) -> Any:
    """A count key as stored or sent (``"4"``, ``'"maybe"'``) back to a value (4, "maybe")."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, (str, int, float)) and not isinstance(decoded, bool) else value
    return value
