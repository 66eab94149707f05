"""Charts of a group's answers, seaborn style: counts in, an optional ``ax``, the Axes out.

Every chart takes a :class:`peerkit.group_view.GroupView` (counts per item and value,
as seaborn's ``barplot`` takes aggregated values; a table of one row per answer, such
as the synthetic reference group, is counted into one first). Every chart has a title,
shows n, uses a colour-blind-safe palette *and* hatching (so colour is never the only
cue), and shows only what the view lets out: an item fewer than
:data:`~peerkit.privacy.MIN_GROUP_SIZE` people answered shows "fewer than 5 answers"
instead of bars, shares or n, and a group that small is not drawn at all. Shares are
whole percentages that add up to 100 % (largest remainder). Each plot function has a ``describe_*``
partner that says the same thing in words, for screen readers and for anyone who
prefers text (:mod:`peerkit.charts_text`; importable from here too, and paired with its
drawing in :data:`PLOTS`). The HTML forms in :mod:`peerkit.charts_html` draw the same
picture on the same scales.
"""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from .charts_text import (  # noqa: F401 - re-exported: each chart's words beside its drawing
    describe_choice_split, describe_knowledge_check, describe_rating_profile, divided_prompts, suppression_message)
from .exercises import Exercise
from .group_view import GroupView, group_view
from .privacy import MIN_GROUP_SIZE, suppressed_message

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    Group = GroupView | pd.DataFrame

# ColorBrewer PuOr end points and a neutral grey: safe for the common colour-vision
# deficiencies and in greyscale, helped further by the hatches below.
DIVERGING_COLOURS = {3: ["#e66101", "#bdbdbd", "#5e3c99"], 2: ["#e66101", "#5e3c99"]}
HATCHES = ["//", "", "..", "xx", "\\\\", "oo", "++"]
OWN_MARKER = {"marker": "D", "color": "black", "markeredgecolor": "white", "markersize": 8, "linestyle": "none",
              "zorder": 10}
LABEL_FONT_SIZE = 8
#: Width a segment gives up to the learner's diamond before its share label (points): diamond and a gap.
OWN_ROOM_PT = 2 * 8 + 6


def title_n(n: int, min_group_size: int = MIN_GROUP_SIZE) -> str:
    """The group size for a title: the number, or the suppression words when it is too small to show."""
    return f"n = {n}" if n >= min_group_size else suppressed_message(min_group_size)


def _palette(count: int) -> list[str]:
    if count in DIVERGING_COLOURS:
        return DIVERGING_COLOURS[count]
    import matplotlib

    cmap = matplotlib.colormaps["PuOr"]
    return [matplotlib.colors.to_hex(cmap(0.1 + 0.8 * i / (count - 1))) for i in range(count)]


def _new_axes(ax: "Axes | None", rows: int) -> "Axes":
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    # Fixed margins rather than constrained layout: row labels are shortened to a known
    # length, and laying out by hand makes drawing about twice as fast (the trainer's
    # dashboard redraws these charts live).
    height = 1.6 + 0.42 * max(rows, 3)
    figure, ax = plt.subplots(figsize=(10, height))
    figure.subplots_adjust(left=0.45, right=0.97, top=1 - 0.75 / height, bottom=1.05 / height)
    return ax


def _suppressed(ax: "Axes", title: str, min_group_size: int) -> "Axes":
    ax.set_title(title)
    ax.text(0.5, 0.5, textwrap.fill(suppression_message(min_group_size), 60), ha="center", va="center",
            transform=ax.transAxes, fontsize=12)
    ax.set_axis_off()
    return ax


def split_extent(left: list[float]) -> tuple[float, float]:
    """How far the diverging bars reach left and right of the centre line (so bars use the full width).

    ``left`` is, per shown item, the share left of the centre. Both charts (matplotlib and HTML) use it.
    """
    if not left:
        return 0.5, 0.5
    return max(max(left), 0.05) + 0.02, max(max(1 - x for x in left), 0.05) + 0.02


def split_shares(view: GroupView, item: str) -> list[float]:
    """An item's shares as drawn (whole percentages / 100, adding up to 1), in scale order."""
    percentages = view.percentages(item) or {}
    return [percentages.get(value, 0) / 100 for value in view.values(item)]


def left_share(shares: list[float]) -> float:
    """The share drawn left of the centre line: the first options, and half of a middle one."""
    k = len(shares)
    return sum(shares[: k // 2]) + (shares[k // 2] / 2 if k % 2 else 0)


def _row_label(view: GroupView, item: str) -> str:
    definition = view.definition
    number = definition.item_ids.index(item) + 1
    n = view.item_n(item)
    count = f" (n={n})" if n is not None else ""
    return textwrap.shorten(f"{number}. {definition.item(item).text}", 50, placeholder="…") + count


def _points_per_unit(ax: "Axes") -> float:
    """Printer's points per data unit along x, for deciding whether a label fits its segment."""
    width_inches = ax.figure.get_size_inches()[0] * ax.get_position().width
    low, high = ax.get_xlim()
    return 72 * width_inches / (high - low)


def label_fits(text: str, width_points: float, font_size: float = LABEL_FONT_SIZE) -> bool:
    """Whether ``text`` at ``font_size`` fits in a segment ``width_points`` wide, padding included."""
    return width_points >= 0.62 * font_size * len(text) + 0.6 * font_size


def _mark_small_rows(ax: "Axes", rows: list[int], min_group_size: int, view: GroupView | None = None,
                     items: list[str] | None = None) -> None:
    """Words in place of a row's bars: too few answered it, or (when ``view`` and ``items`` say so) nobody yet."""
    for row in rows:
        words = suppressed_message(min_group_size)
        if view is not None and items is not None and items[row] not in view.hidden_items:
            words = "no answers yet"
        ax.text(0.5, row, words, transform=ax.get_yaxis_transform(), ha="center",
                va="center", fontsize=9, style="italic", color="#333333", zorder=11,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "linewidth": 0})


def _view(group: "Group", exercise: str | Exercise | None, group_label: str | None,
          min_group_size: int | None) -> GroupView:
    return group_view(group, exercise, min_group_size=min_group_size, label=group_label)


def plot_choice_split(group: "Group", *, exercise: str | None = None, own: dict[str, Any] | None = None,
                      group_label: str | None = None, min_group_size: int | None = None,
                      ax: "Axes | None" = None) -> "Axes":
    """Diverging stacked bars: per item, how the group split across the scale.

    The first options of the scale go left of zero, the last ones right, a middle
    option straddles zero (Heiberger & Robbins 2014, *Design of diverging stacked bar
    charts for Likert scales*). ``own`` (``{item: value}``) marks the learner's own
    answers with a black diamond. Items fewer than the view's minimum answered say
    "fewer than 5 answers" instead of a bar.

    >>> ax = plot_choice_split(view, own={"B01": "maybe"})  # doctest: +SKIP
    """
    view = _view(group, exercise, group_label, min_group_size)
    definition = view.definition
    title = f"{definition.title}\nHow the {view.label} answered ({title_n(view.group_size, view.min_group_size)})"
    ax = _new_axes(ax, len(definition.items))
    if not view.shown:
        return _suppressed(ax, title, view.min_group_size)

    items = definition.item_ids
    visible = [view.is_shown(item) for item in items]
    values = [option.value for option in definition.scale]
    shares = {item: split_shares(view, item) if view.is_shown(item) else [0.0] * len(values) for item in items}
    colours, k = _palette(len(values)), len(values)
    left = {item: left_share(shares[item]) for item in items}
    reach_left, reach_right = split_extent([left[item] for item in items if view.is_shown(item)])
    ax.set_xlim(-reach_left, reach_right)
    per_unit = _points_per_unit(ax)
    start = [-left[item] if shown else 0.0 for item, shown in zip(items, visible)]
    positions = list(range(len(items)))
    for position, (value, colour) in enumerate(zip(values, colours)):
        width = [shares[item][position] for item in items]
        bars = ax.barh(positions, width, left=start, color=colour, hatch=HATCHES[position % len(HATCHES)],
                       edgecolor="#333333", linewidth=0.5, label=definition.label_for(value))
        # room for the share, and for the learner's diamond beside it where there is one
        mine = [bool(own) and own.get(item) == value for item in items]
        labels = [f"{round(100 * w)}%" if w > 0 and label_fits(f"{round(100 * w)}%",
                                                                w * per_unit - (OWN_ROOM_PT if m else 0)) else ""
                  for w, m in zip(width, mine)]
        ax.bar_label(bars, labels=labels, label_type="center", fontsize=LABEL_FONT_SIZE,
                     bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0})
        if own:
            # at the segment's inner left edge, clear of the percentage label in its middle
            marks = [(start[i] + min(0.5 * OWN_ROOM_PT / per_unit, width[i] / 2), i)
                     for i, item in enumerate(items) if own.get(item) == value and visible[i]]
            if marks:
                xs, ys = zip(*marks)
                ax.plot(xs, ys, **OWN_MARKER, label="_own")
        start = [s + w for s, w in zip(start, width)]
    if own and any(item in own for item in view.shown_items):
        ax.plot([], [], **OWN_MARKER, label="Your answer")
    _mark_small_rows(ax, [i for i, ok in enumerate(visible) if not ok], view.min_group_size, view, items)
    ax.set_yticks(positions, [_row_label(view, item) for item in items], fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(lambda x, _: f"{abs(x):.0%}")
    note = view.skipped_note
    ax.set_xlabel(f"← {definition.label_for(values[0])}   share of the {view.label}   "
                  f"{definition.label_for(values[-1])} →" + (f"\n{note}" if note else ""))
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.03 - 0.6 / max(len(positions), 1)), ncol=k + 1,
              frameon=False, fontsize=9)
    return ax


def rating_domain(definition: Exercise) -> tuple[float, float]:
    """The x range of a rating chart: half a step beyond each end, so both end marks and labels fit.

    Bars still start at the scale's first value (:func:`rating_start`): only the room around them is wider.
    """
    scale = sorted(int(option.value) for option in definition.scale)
    return scale[0] - 0.5, scale[-1] + 0.5


def rating_start(definition: Exercise) -> float:
    """Where every rating bar starts: the scale's first (lowest) value."""
    return float(min(int(option.value) for option in definition.scale))


def average_key(label: str) -> str:
    """The legend's words for the bars: "Average of the group you joined"."""
    return f"Average of the {label}"


def rating_subtitle(view: GroupView, own: bool) -> str:
    """"Average ratings of the group you joined (n = 6), with yours" (or without "with yours")."""
    return (f"Average ratings of the {view.label} ({title_n(view.group_size, view.min_group_size)})"
            + (", with yours" if own else ""))


def plot_rating_profile(group: "Group", *, exercise: str | None = None, own: dict[str, Any] | None = None,
                        group_label: str | None = None, min_group_size: int | None = None,
                        ax: "Axes | None" = None) -> "Axes":
    """Per item, the group's average rating (a bar from the scale's first value), the middle half of the
    ratings as a line between two whole steps of the scale (none when they are the same step) and yours
    (a diamond).

    >>> ax = plot_rating_profile(view, own={"S01": 4})  # doctest: +SKIP
    """
    view = _view(group, exercise, group_label, min_group_size)
    definition = view.definition
    title = f"{definition.title}\n{rating_subtitle(view, bool(own))}"
    ax = _new_axes(ax, len(definition.items))
    if not view.shown:
        return _suppressed(ax, title, view.min_group_size)
    low, high = rating_domain(definition)
    first = rating_start(definition)
    items = definition.item_ids
    ratings = [view.rating(item) for item in items]
    positions = list(range(len(items)))
    ax.barh(positions, [r.mean - first if r else 0 for r in ratings], left=first, color="#5e3c99", alpha=0.55,
            hatch="//", edgecolor="#333333", label=average_key(view.label))
    # the mean's own mark, so an average at the scale's first value (a bar of no length) still shows
    means = [(r.mean, i) for i, r in enumerate(ratings) if r]
    if means:
        ax.plot([m for m, _i in means], [i for _m, i in means], marker="|", markersize=16, markeredgewidth=2.5,
                color="#3f2a6b", linestyle="none", zorder=5, label="_mean")
    middle = [(i, r) for i, r in enumerate(ratings) if r and r.low_quartile != r.high_quartile]
    if middle:
        ax.hlines([i for i, _r in middle], [float(r.low_quartile) for _i, r in middle],
                  [float(r.high_quartile) for _i, r in middle], color="black", linewidth=2,
                  label="Middle half of the group")
    if own:
        marks = [(float(own[item]), i) for i, item in enumerate(items) if item in own]
        if marks:
            xs, ys = zip(*marks)
            ax.plot(xs, ys, **OWN_MARKER, label="Your rating")
    _mark_small_rows(ax, [i for i, item in enumerate(items) if item in view.hidden_items], view.min_group_size)
    ax.set_xlim(low, high)
    ax.set_xticks([o.value for o in definition.scale],
                  [f"{o.value}\n{textwrap.shorten(o.label, 14, placeholder='…')}" for o in definition.scale],
                  fontsize=8)
    ax.set_yticks(positions, [_row_label(view, item) for item in items], fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title)
    note = view.skipped_note
    if note:
        ax.set_xlabel(note, fontsize=9)
    ax.legend(loc="upper center", bbox_to_anchor=(0.3, -0.12), ncol=3, frameon=False, fontsize=9)
    return ax


RIGHT_COLOUR, OTHER_COLOUR = "#5e3c99", "#bdbdbd"


def plot_knowledge_check(group: "Group", *, exercise: str | None = None, group_label: str | None = None,
                         min_group_size: int | None = None, ax: "Axes | None" = None) -> "Axes":
    """A knowledge check's results: per question, the share of the group choosing each option, the right
    one(s) in dark purple with a tick and the words "right answer" (so colour is not the only cue).
    A question fewer than the minimum answered says so instead."""
    view = _view(group, exercise, group_label, min_group_size)
    definition = view.definition
    rows = [(item.id, option["value"]) for item in definition.items for option in item.details.get("options", [])]
    title = f"{definition.title}\nWhat the {view.label} chose ({title_n(view.group_size, view.min_group_size)})"
    ax = _new_axes(ax, len(rows) + len(definition.items))
    if not view.shown:
        return _suppressed(ax, title, view.min_group_size)
    positions, labels, small = [], [], []
    y = 0
    for number, item in enumerate(definition.items, 1):
        results = view.option_results(item.id)
        n = view.item_n(item.id)
        labels.append(textwrap.shorten(f"{number}. {item.text}", 60, placeholder="…")
                      + (f" (n={n})" if n is not None else ""))
        positions.append(y)
        if results is None:
            small.append((y, item.id))
        y += 1
        for result in results or []:
            share = result.percent / 100
            bar = ax.barh([y], [share], color=RIGHT_COLOUR if result.correct else OTHER_COLOUR,
                          hatch="//" if result.correct else "", edgecolor="#333333", linewidth=0.5,
                          label="Right answer" if result.correct else "Another option")
            ax.bar_label(bar, labels=[f"{result.percent}%"], padding=3, fontsize=LABEL_FONT_SIZE)
            positions.append(y)
            labels.append(("✓ " if result.correct else "") + textwrap.shorten(result.label, 48, placeholder="…")
                          + (" (right answer)" if result.correct else ""))
            y += 1
    rows_at = {y: item for y, item in small}
    _mark_small_rows(ax, list(rows_at), view.min_group_size, view,
                     [rows_at.get(position, "") for position in range(y)])
    ax.set_xlim(0, 1.12)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    if unique:
        ax.legend(unique.values(), unique.keys(), loc="lower right", frameon=False, fontsize=9)
    return ax


#: The chart style of a view -> its matplotlib chart and its words.
PLOTS = {"diverging": (plot_choice_split, describe_choice_split),
         "profile": (plot_rating_profile, describe_rating_profile),
         "options": (plot_knowledge_check, describe_knowledge_check)}
