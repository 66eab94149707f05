"""Charts of a group's answers, seaborn style: tidy data in, an optional ``ax``, the Axes out.

Every chart has a title, shows n, uses a colour-blind-safe palette *and* hatching
(so colour is never the only cue), and refuses to draw a group smaller than
``min_group`` people, so nobody in a small group can be singled out. Each plot
function has a ``describe_*`` partner that says the same thing in words, for
screen readers and for anyone who prefers text.
"""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import pandas as pd

from .agreement import choice_shares, divided_items
from .exercises import Exercise, load_exercise

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Smallest group we draw or describe; smaller groups are suppressed.
MIN_GROUP = 5

# ColorBrewer PuOr end points and a neutral grey: safe for the common colour-vision
# deficiencies and in greyscale, helped further by the hatches below.
DIVERGING_COLOURS = {3: ["#e66101", "#bdbdbd", "#5e3c99"], 2: ["#e66101", "#5e3c99"]}
HATCHES = ["//", "", "..", "xx", "\\\\", "oo", "++"]
OWN_MARKER = {"marker": "D", "color": "black", "markeredgecolor": "white", "markersize": 8, "linestyle": "none",
              "zorder": 10}


def group_size(data: pd.DataFrame) -> int:
    """Number of distinct people in a tidy table of answers."""
    return int(data["learner"].nunique()) if len(data) else 0


def suppression_message(n: int, min_group: int = MIN_GROUP) -> str:
    return (
        f"Not shown: only {n} {'person has' if n == 1 else 'people have'} answered so far. "
        f"Group results appear once at least {min_group} people have answered, "
        "so that no one's answers can be picked out."
    )


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


def _suppressed(ax: "Axes", title: str, n: int, min_group: int) -> "Axes":
    ax.set_title(title)
    ax.text(0.5, 0.5, textwrap.fill(suppression_message(n, min_group), 60), ha="center", va="center",
            transform=ax.transAxes, fontsize=12)
    ax.set_axis_off()
    return ax


def exercise_group(data: pd.DataFrame, exercise: str) -> tuple[Exercise, pd.DataFrame, int]:
    """What every chart starts from: the exercise's definition, its rows of ``data`` and the group size."""
    definition = load_exercise(exercise)
    if "exercise" in data.columns:
        data = data[data["exercise"] == exercise]
    return definition, data, group_size(data)


def plot_choice_split(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group: int = MIN_GROUP,
    ax: "Axes | None" = None,
) -> "Axes":
    """Diverging stacked bars: per item, how the group split across the scale.

    The first options of the scale go left of zero, the last ones right, a middle
    option straddles zero (Heiberger & Robbins 2014, *Design of diverging stacked bar
    charts for Likert scales*). ``own`` (``{item: value}``) marks the learner's own
    answers with a black diamond.

    >>> ax = plot_choice_split(group, exercise="boundaries", own={"B01": "maybe"})  # doctest: +SKIP
    """
    definition, data, n = exercise_group(data, exercise)
    title = f"{definition.title}\nHow the {group_label} answered (n = {n})"
    ax = _new_axes(ax, len(definition.items))
    if n < min_group:
        return _suppressed(ax, title, n, min_group)

    shares = choice_shares(data, exercise=exercise)
    values = [option.value for option in definition.scale]
    colours, k = _palette(len(values)), len(values)
    left_share = shares[values[: k // 2]].sum(axis=1) + (shares[values[k // 2]] / 2 if k % 2 else 0)
    start = -left_share.to_numpy()
    rows = range(len(shares))
    for position, (value, colour) in enumerate(zip(values, colours)):
        width = shares[value].to_numpy()
        bars = ax.barh(rows, width, left=start, color=colour, hatch=HATCHES[position % len(HATCHES)],
                       edgecolor="#333333", linewidth=0.5, label=definition.label_for(value))
        labels = [f"{w:.0%}" if w >= 0.08 else "" for w in width]
        ax.bar_label(bars, labels=labels, label_type="center", fontsize=8,
                     bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0})
        if own:
            # at the segment's inner left edge, clear of the percentage label in its middle
            marks = [(start[i] + min(0.035, width[i] / 2), i) for i, item in enumerate(shares.index)
                     if own.get(item) == value]
            if marks:
                xs, ys = zip(*marks)
                ax.plot(xs, ys, **OWN_MARKER, label="_own")
        start = start + width
    if own and any(item in own for item in shares.index):
        ax.plot([], [], **OWN_MARKER, label="Your answer")
    ax.set_yticks(list(rows), [_row_label(definition, item, int(shares.loc[item, "n"])) for item in shares.index],
                  fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-1.02, 1.02)
    ax.xaxis.set_major_formatter(lambda x, _: f"{abs(x):.0%}")
    ax.set_xlabel(f"← {definition.label_for(values[0])}   share of the {group_label}   "
                  f"{definition.label_for(values[-1])} →")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.03 - 0.6 / max(len(rows), 1)), ncol=k + 1, frameon=False,
              fontsize=9)
    return ax


def _row_label(definition: Exercise, item: str, n: int) -> str:
    number = definition.item_ids.index(item) + 1
    return textwrap.shorten(f"{number}. {definition.item(item).text}", 50, placeholder="…") + f" (n={n})"


def describe_choice_split(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group: int = MIN_GROUP,
) -> str:
    """The chart of :func:`plot_choice_split` in words (plain text, never HTML)."""
    definition, data, n = exercise_group(data, exercise)
    if n < min_group:
        return suppression_message(n, min_group)
    shares = choice_shares(data, exercise=exercise)
    values = [option.value for option in definition.scale]
    answered = shares[shares["n"] > 0]
    top = answered[values].idxmax(axis=1)
    top_share = answered[values].max(axis=1)
    agreed = top_share.sort_values(ascending=False).head(3)
    parts = [f"{n} people in the {group_label} answered {len(answered)} of {len(definition.items)} items."
             if len(answered) < len(definition.items) else
             f"{n} people in the {group_label} answered {len(definition.items)} items."]
    parts.append("Most agreement: " + "; ".join(
        f"“{definition.item(i).text}” ({top_share[i]:.0%} {definition.label_for(top[i])})" for i in agreed.index
    ) + ".")
    divided = divided_items(data, exercise=exercise, min_answers=min_group)
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
    return " ".join(parts)


def plot_rating_profile(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group: int = MIN_GROUP,
    ax: "Axes | None" = None,
) -> "Axes":
    """Per item, the group's average rating (bar, with the middle half of ratings as a line) and yours (diamond).

    >>> ax = plot_rating_profile(group, exercise="core_skills", own={"S01": 4})  # doctest: +SKIP
    """
    definition, data, n = exercise_group(data, exercise)
    title = f"{definition.title}\nYour ratings and the {group_label}'s (n = {n})"
    ax = _new_axes(ax, len(definition.items))
    if n < min_group:
        return _suppressed(ax, title, n, min_group)
    values = pd.to_numeric(data["value"], errors="coerce")
    stats = values.groupby(data["item"]).describe().reindex(definition.item_ids)
    rows = list(range(len(stats)))
    ax.barh(rows, stats["mean"], color="#5e3c99", alpha=0.55, hatch="//", edgecolor="#333333",
            label=f"{group_label.capitalize()} average")
    ax.hlines(rows, stats["25%"], stats["75%"], color="black", linewidth=2, label="Middle half of the group")
    if own:
        marks = [(float(own[item]), i) for i, item in enumerate(stats.index) if item in own]
        if marks:
            xs, ys = zip(*marks)
            ax.plot(xs, ys, **OWN_MARKER, label="Your rating")
    scale = [option.value for option in definition.scale]
    ax.set_xlim(min(scale) - 0.5 if min(scale) > 0 else 0, max(scale) + 0.3)
    ax.set_xticks(scale, [f"{o.value}\n{textwrap.shorten(o.label, 14, placeholder='…')}" for o in definition.scale],
                  fontsize=8)
    ax.set_yticks(rows, [_row_label(definition, item, int(stats.loc[item, "count"]) if pd.notna(stats.loc[item, "count"])
                                     else 0) for item in stats.index], fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.3, -0.12), ncol=3, frameon=False, fontsize=9)
    return ax


def describe_rating_profile(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group: int = MIN_GROUP,
) -> str:
    """The chart of :func:`plot_rating_profile` in words (plain text)."""
    definition, data, n = exercise_group(data, exercise)
    if n < min_group:
        return suppression_message(n, min_group)
    means = pd.to_numeric(data["value"], errors="coerce").groupby(data["item"]).mean().reindex(definition.item_ids)
    high, low = means.idxmax(), means.idxmin()
    parts = [
        f"{n} people in the {group_label} rated {len(definition.items)} items.",
        f"Highest on average: “{definition.item(high).text}” ({means[high]:.1f}).",
        f"Lowest on average: “{definition.item(low).text}” ({means[low]:.1f}).",
    ]
    if own:
        rated = [item for item in definition.item_ids if item in own and pd.notna(means[item])]
        above = [definition.item(i).text for i in rated if float(own[i]) > means[i] + 0.5]
        below = [definition.item(i).text for i in rated if float(own[i]) < means[i] - 0.5]
        if above:
            parts.append("You rated yourself above the group average on: " + "; ".join(above) + ".")
        if below:
            parts.append("You rated yourself below the group average on: " + "; ".join(below) + ".")
        if not above and not below and rated:
            parts.append("Your ratings are close to the group average throughout.")
    return " ".join(parts)
