"""Charts of a group's answers, seaborn style: tidy data in, an optional ``ax``, the Axes out.

Every chart has a title, shows n, uses a colour-blind-safe palette *and* hatching
(so colour is never the only cue), and hides small groups *per item*
(:mod:`peerkit.privacy`): an item fewer than :data:`~peerkit.privacy.MIN_GROUP_SIZE`
people answered shows "fewer than 5 answers" instead of bars, shares or n, and a
group that small is not drawn at all. Rows that are not valid answers are left out
and counted (:mod:`peerkit.chart_data`). Each plot function has a ``describe_*``
partner that says the same thing in words, for screen readers and for anyone who
prefers text. The HTML forms in :mod:`peerkit.charts_html` draw the same picture
on the same scales.
"""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import pandas as pd

from .agreement import choice_shares, divided_items
from .chart_data import ChartRows, chart_rows, is_personal, item_counts, shown_items, skipped_note
from .exercises import Exercise
from .privacy import MIN_GROUP_SIZE, suppressed_message

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# ColorBrewer PuOr end points and a neutral grey: safe for the common colour-vision
# deficiencies and in greyscale, helped further by the hatches below.
DIVERGING_COLOURS = {3: ["#e66101", "#bdbdbd", "#5e3c99"], 2: ["#e66101", "#5e3c99"]}
HATCHES = ["//", "", "..", "xx", "\\\\", "oo", "++"]
OWN_MARKER = {"marker": "D", "color": "black", "markeredgecolor": "white", "markersize": 8, "linestyle": "none",
              "zorder": 10}
LABEL_FONT_SIZE = 8
#: Width a segment gives up to the learner's diamond before its share label (points): diamond and a gap.
OWN_ROOM_PT = 2 * 8 + 6


def group_size(data: pd.DataFrame) -> int:
    """Number of distinct people in a tidy table of answers."""
    return int(data["learner"].nunique()) if len(data) else 0


def suppression_message(min_group_size: int = MIN_GROUP_SIZE) -> str:
    """Why a whole chart is not drawn (no count of the few who answered: that too could single someone out)."""
    return (f"Not shown yet: {suppressed_message(min_group_size)}. Group results appear once at least {min_group_size} "
            "people have answered, so that no one's answers can be picked out.")


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


def exercise_group(data: pd.DataFrame, exercise: str) -> tuple[Exercise, pd.DataFrame, int]:
    """What every chart starts from: the exercise's definition, its readable rows of ``data`` and the group size."""
    rows = chart_rows(data, exercise)
    return rows.definition, rows.data, rows.n


def split_extent(left: pd.Series) -> tuple[float, float]:
    """How far the diverging bars reach left and right of the centre line (so bars use the full width).

    ``left`` is, per item, the share left of the centre. Both charts (matplotlib and HTML) use it.
    """
    if left.empty:
        return 0.5, 0.5
    reach_left = float(left.max())
    reach_right = float((1 - left).max())
    return max(reach_left, 0.05) + 0.02, max(reach_right, 0.05) + 0.02


def left_shares(shares: pd.DataFrame, values: list[Any]) -> pd.Series:
    """Per item, the share drawn left of the centre line: the first options, and half of a middle one."""
    k = len(values)
    return shares[values[: k // 2]].sum(axis=1) + (shares[values[k // 2]] / 2 if k % 2 else 0)


def _row_label(definition: Exercise, item: str, n: int, min_group_size: int) -> str:
    number = definition.item_ids.index(item) + 1
    count = f" (n={n})" if n >= min_group_size else ""
    return textwrap.shorten(f"{number}. {definition.item(item).text}", 50, placeholder="…") + count


def _points_per_unit(ax: "Axes") -> float:
    """Printer's points per data unit along x, for deciding whether a label fits its segment."""
    width_inches = ax.figure.get_size_inches()[0] * ax.get_position().width
    low, high = ax.get_xlim()
    return 72 * width_inches / (high - low)


def label_fits(text: str, width_points: float, font_size: float = LABEL_FONT_SIZE) -> bool:
    """Whether ``text`` at ``font_size`` fits in a segment ``width_points`` wide, padding included."""
    return width_points >= 0.62 * font_size * len(text) + 0.6 * font_size


def _mark_small_rows(ax: "Axes", rows: list[int], min_group_size: int) -> None:
    for row in rows:
        ax.text(0.5, row, suppressed_message(min_group_size), transform=ax.get_yaxis_transform(), ha="center",
                va="center", fontsize=9, style="italic", color="#333333", zorder=11,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "linewidth": 0})


def plot_choice_split(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group_size: int = MIN_GROUP_SIZE,
    ax: "Axes | None" = None,
) -> "Axes":
    """Diverging stacked bars: per item, how the group split across the scale.

    The first options of the scale go left of zero, the last ones right, a middle
    option straddles zero (Heiberger & Robbins 2014, *Design of diverging stacked bar
    charts for Likert scales*). ``own`` (``{item: value}``) marks the learner's own
    answers with a black diamond. Items fewer than ``min_group_size`` people answered
    say "fewer than 5 answers" instead of a bar.

    >>> ax = plot_choice_split(group, exercise="boundaries", own={"B01": "maybe"})  # doctest: +SKIP
    """
    rows = chart_rows(data, exercise)
    definition, n = rows.definition, rows.n
    title = f"{definition.title}\nHow the {group_label} answered ({title_n(n, min_group_size)})"
    ax = _new_axes(ax, len(definition.items))
    if n < min_group_size:
        return _suppressed(ax, title, min_group_size)

    shares = choice_shares(rows.data, exercise=exercise)
    counts = item_counts(rows)
    shown = set(shown_items(rows, min_group_size))
    visible = shares.index.isin(list(shown))
    values = [option.value for option in definition.scale]
    colours, k = _palette(len(values)), len(values)
    left = left_shares(shares, values)
    reach_left, reach_right = split_extent(left[visible])
    ax.set_xlim(-reach_left, reach_right)
    per_unit = _points_per_unit(ax)
    start = (-left).where(visible, 0).to_numpy()
    positions = list(range(len(shares)))
    for position, (value, colour) in enumerate(zip(values, colours)):
        width = shares[value].where(visible, 0).to_numpy()
        bars = ax.barh(positions, width, left=start, color=colour, hatch=HATCHES[position % len(HATCHES)],
                       edgecolor="#333333", linewidth=0.5, label=definition.label_for(value))
        # room for the share, and for the learner's diamond beside it where there is one
        mine = [bool(own) and own.get(item) == value for item in shares.index]
        labels = [f"{w:.0%}" if w > 0 and label_fits(f"{w:.0%}", w * per_unit - (OWN_ROOM_PT if m else 0)) else ""
                  for w, m in zip(width, mine)]
        ax.bar_label(bars, labels=labels, label_type="center", fontsize=LABEL_FONT_SIZE,
                     bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0})
        if own:
            # at the segment's inner left edge, clear of the percentage label in its middle
            marks = [(start[i] + min(0.5 * OWN_ROOM_PT / per_unit, width[i] / 2), i)
                     for i, item in enumerate(shares.index) if own.get(item) == value and visible[i]]
            if marks:
                xs, ys = zip(*marks)
                ax.plot(xs, ys, **OWN_MARKER, label="_own")
        start = start + width
    if own and any(item in own for item in shown):
        ax.plot([], [], **OWN_MARKER, label="Your answer")
    _mark_small_rows(ax, [i for i, ok in enumerate(visible) if not ok], min_group_size)
    ax.set_yticks(positions, [_row_label(definition, item, int(counts[item]), min_group_size) for item in shares.index],
                  fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(lambda x, _: f"{abs(x):.0%}")
    note = skipped_note(rows.skipped)
    ax.set_xlabel(f"← {definition.label_for(values[0])}   share of the {group_label}   "
                  f"{definition.label_for(values[-1])} →" + (f"\n{note}" if note else ""))
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.03 - 0.6 / max(len(positions), 1)), ncol=k + 1,
              frameon=False, fontsize=9)
    return ax


def _hidden_sentence(definition: Exercise, rows: ChartRows, min_group_size: int) -> str:
    counts = item_counts(rows)
    hidden = [item for item in definition.item_ids if 0 < counts[item] < min_group_size]
    if not hidden:
        return ""
    return (f"Not shown ({suppressed_message(min_group_size)}): "
            + "; ".join(f"“{definition.item(i).text}”" for i in hidden) + ".")


def describe_choice_split(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group_size: int = MIN_GROUP_SIZE,
) -> str:
    """The chart of :func:`plot_choice_split` in words (plain text, never HTML)."""
    rows = chart_rows(data, exercise)
    definition, n = rows.definition, rows.n
    note = skipped_note(rows.skipped)
    if n < min_group_size:
        return " ".join(filter(None, [suppression_message(min_group_size), note]))
    shares = choice_shares(rows.data, exercise=exercise)
    shown = shown_items(rows, min_group_size)
    values = [option.value for option in definition.scale]
    answered = shares.loc[shown]
    parts = [f"{n} people in the {group_label} answered; {len(shown)} of {len(definition.items)} items have "
             f"at least {min_group_size} answers and are shown."
             if len(shown) < len(definition.items) else
             f"{n} people in the {group_label} answered {len(definition.items)} items."]
    if len(answered):
        top = answered[values].idxmax(axis=1)
        top_share = answered[values].max(axis=1)
        agreed = top_share.sort_values(ascending=False).head(3)
        parts.append("Most agreement: " + "; ".join(
            f"“{definition.item(i).text}” ({top_share[i]:.0%} {definition.label_for(top[i])})" for i in agreed.index
        ) + ".")
        divided = divided_items(rows.data, exercise=exercise, min_answers=min_group_size)
        if len(divided):
            parts.append("Most divided: " + "; ".join(
                f"“{row.text}” (largest answer only {row.top_share:.0%})" for row in divided.head(3).itertuples()
            ) + ".")
        else:
            parts.append("No item divided the group: on every item most people gave the same answer.")
        if own:
            yours = [item for item in answered.index if item in own]
            same = sum(1 for item in yours if own[item] == top[item])
            parts.append(f"Your answer matched the group's most common answer on {same} of the {len(yours)} "
                         "items you answered.")
    parts.append(_hidden_sentence(definition, rows, min_group_size))
    parts.append(note)
    return " ".join(filter(None, parts))


def rating_domain(definition: Exercise) -> tuple[float, float]:
    """The x range of a rating chart: half a step beyond each end, so both end marks and labels fit."""
    scale = sorted(int(option.value) for option in definition.scale)
    return scale[0] - 0.5, scale[-1] + 0.5


def rating_stats(rows: ChartRows, min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Per item: count, mean and quartiles of the ratings; NaN where fewer than ``min_group_size`` people rated it."""
    definition = rows.definition
    values = pd.to_numeric(rows.data["value"], errors="coerce") if len(rows.data) else pd.Series(dtype=float)
    stats = (values.groupby(rows.data["item"]).describe() if len(rows.data) else pd.DataFrame(
        columns=["count", "mean", "25%", "75%"])).reindex(definition.item_ids)
    counts = item_counts(rows)
    stats["count"] = counts
    small = counts < min_group_size
    for column in ("mean", "25%", "50%", "75%", "min", "max", "std"):
        if column in stats:
            stats[column] = stats[column].astype(float).mask(small)
    return stats


def plot_rating_profile(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group_size: int = MIN_GROUP_SIZE,
    ax: "Axes | None" = None,
) -> "Axes":
    """Per item, the group's average rating (bar, with the middle half of ratings as a line) and yours (diamond).

    >>> ax = plot_rating_profile(group, exercise="core_skills", own={"S01": 4})  # doctest: +SKIP
    """
    rows = chart_rows(data, exercise)
    definition, n = rows.definition, rows.n
    title = f"{definition.title}\nYour ratings and the {group_label}'s ({title_n(n, min_group_size)})"
    ax = _new_axes(ax, len(definition.items))
    if n < min_group_size:
        return _suppressed(ax, title, min_group_size)
    stats = rating_stats(rows, min_group_size)
    low, high = rating_domain(definition)
    positions = list(range(len(stats)))
    ax.barh(positions, (stats["mean"] - low).fillna(0), left=low, color="#5e3c99", alpha=0.55, hatch="//",
            edgecolor="#333333", label=f"{group_label.capitalize()} average")
    ax.hlines(positions, stats["25%"], stats["75%"], color="black", linewidth=2, label="Middle half of the group")
    if own:
        marks = [(float(own[item]), i) for i, item in enumerate(stats.index) if item in own]
        if marks:
            xs, ys = zip(*marks)
            ax.plot(xs, ys, **OWN_MARKER, label="Your rating")
    _mark_small_rows(ax, [i for i, item in enumerate(stats.index) if pd.isna(stats.loc[item, "mean"])], min_group_size)
    ax.set_xlim(low, high)
    ax.set_xticks([o.value for o in definition.scale],
                  [f"{o.value}\n{textwrap.shorten(o.label, 14, placeholder='…')}" for o in definition.scale],
                  fontsize=8)
    ax.set_yticks(positions, [_row_label(definition, item, int(stats.loc[item, "count"]), min_group_size)
                              for item in stats.index], fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title)
    note = skipped_note(rows.skipped)
    if note:
        ax.set_xlabel(note, fontsize=9)
    ax.legend(loc="upper center", bbox_to_anchor=(0.3, -0.12), ncol=3, frameon=False, fontsize=9)
    return ax


def describe_rating_profile(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group_size: int = MIN_GROUP_SIZE,
) -> str:
    """The chart of :func:`plot_rating_profile` in words (plain text).

    A personal check-in (:func:`peerkit.chart_data.is_personal`) is never ranked against
    the group: its summary gives the group's averages and the learner's own ratings side
    by side, without "above" or "below".
    """
    rows = chart_rows(data, exercise)
    definition, n = rows.definition, rows.n
    note = skipped_note(rows.skipped)
    if n < min_group_size:
        return " ".join(filter(None, [suppression_message(min_group_size), note]))
    means = rating_stats(rows, min_group_size)["mean"]
    shown = means.dropna()
    parts = [f"{n} people in the {group_label} rated {len(definition.items)} items."
             if len(shown) == len(definition.items) else
             f"{n} people in the {group_label} answered; {len(shown)} of {len(definition.items)} items have at "
             f"least {min_group_size} ratings and are shown."]
    if len(shown):
        high, low = shown.idxmax(), shown.idxmin()
        parts += [f"Highest on average: “{definition.item(high).text}” ({shown[high]:.1f}).",
                  f"Lowest on average: “{definition.item(low).text}” ({shown[low]:.1f})."]
        parts.append("Averages: " + "; ".join(f"“{definition.item(i).text}” {shown[i]:.1f}" for i in shown.index)
                     + ".")
    if own and not is_personal(definition):
        rated = [item for item in shown.index if item in own]
        above = [definition.item(i).text for i in rated if float(own[i]) > shown[i] + 0.5]
        below = [definition.item(i).text for i in rated if float(own[i]) < shown[i] - 0.5]
        if above:
            parts.append("You rated yourself above the group average on: " + "; ".join(above) + ".")
        if below:
            parts.append("You rated yourself below the group average on: " + "; ".join(below) + ".")
        if not above and not below and rated:
            parts.append("Your ratings are close to the group average throughout.")
    elif own:
        parts.append("Your own ratings: " + "; ".join(
            f"“{definition.item(i).text}” {own[i]}" for i in definition.item_ids if i in own) + ".")
    parts.append(_hidden_sentence(definition, rows, min_group_size))
    parts.append(note)
    return " ".join(filter(None, parts))
