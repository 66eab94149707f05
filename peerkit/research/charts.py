"""Publishable charts of cohort answers: diverging stacked bars by cohort, and an item x cohort heatmap.

seaborn style: a tidy frame in, an optional ``ax``, the Axes out. Colour-blind-safe
palettes (ColorBrewer PuOr as in :mod:`peerkit.charts`; cividis for the heatmap)
with hatching and printed numbers, so colour is never the only cue. Every chart
is titled and shows n. Small cells are never drawn: in the bars an answer given by 1 to
k-1 people is merged into the neighbouring option nearer the middle of the scale
(marked ``*``), and a cohort with fewer than k learners, or where merging cannot
make every segment k or more, is left out and named; a heatmap cell resting on 1
to k-1 answers is greyed out, hatched and marked, and a share where 1 to k-1
people answered otherwise is shown only as a floor ("≥88%"). Each ``plot_*`` has a ``describe_*`` partner giving the same
content as plain text.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..group_rules import skipped_note
from ..charts import DIVERGING_COLOURS, HATCHES
from ..privacy import suppressed_message
from ._frames import exercise_info, require_columns
from .exercise_info import ExerciseInfo
from .suppression import DEFAULT_MIN_CELL

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SUPPRESSED_COLOUR = "#d9d9d9"


@dataclass
class _Split:
    info: ExerciseInfo
    counts: pd.DataFrame  # cohorts x scale values (small answers merged inwards), only cohorts shown
    merged: dict[tuple[str, Any], list[Any]]  # (cohort, value) -> values merged into it
    learners: pd.Series  # per cohort shown
    hidden: list[str]
    subject: str
    total_learners: int
    skipped: int = 0


def _merge_small(row: list[int], min_cell: int) -> tuple[list[int], dict[int, list[int]]] | None:
    """Move answers given by 1 to k-1 people into the neighbouring option nearer the middle of the scale.

    Returns the new counts and which options went where, or None when a small
    count remains (the bar must then not be drawn).
    """
    counts, merged = list(row), {}
    size = len(counts)
    middle = (size - 1) / 2
    # from the ends inwards, so a small end can cascade towards the middle
    for i in sorted(range(size), key=lambda i: -abs(i - middle)):
        if 0 < counts[i] < min_cell:
            if i == middle:  # a small middle option joins the larger of its neighbours
                target = i - 1 if counts[i - 1] >= counts[i + 1] else i + 1
            else:
                target = i + 1 if i < middle else i - 1
            counts[target] += counts[i]
            counts[i] = 0
            merged.setdefault(target, []).extend([i, *merged.pop(i, [])])
    if any(0 < c < min_cell for c in counts) or any(len(s) == size - 1 for s in merged.values()):
        return None  # still small, or everything merged into one segment (which says nothing)
    return counts, merged


def _split(data: pd.DataFrame, exercise: str, item: str | None, by: str, min_cell: int) -> _Split:
    require_columns(data, [by, "learner", "exercise", "item", "value"], "plot_diverging_by_cohort")
    info = exercise_info(data, exercise)
    if info is None or not info.scale:
        raise ValueError(f"{exercise!r} is not an exercise answered on a scale, so it has no diverging chart.")
    part, skipped = _readable(data[data["exercise"] == exercise], info)
    if item is not None:
        if item not in info.item_ids:
            raise ValueError(f"{exercise!r} has no item {item!r}; its items are {', '.join(info.item_ids)}.")
        part = part[part["item"] == item]
    values = info.scale_values
    raw = pd.crosstab(part[by], part["value"]).reindex(columns=values, fill_value=0)
    learners = part.groupby(by)["learner"].nunique().reindex(raw.index)
    rows, merged, hidden = {}, {}, []
    for cohort, row in raw.iterrows():
        result = _merge_small(row.tolist(), min_cell) if learners[cohort] >= min_cell else None
        if result is None:
            hidden.append(str(cohort))
            continue
        rows[cohort] = result[0]
        for target, sources in result[1].items():
            merged[(cohort, values[target])] = [values[s] for s in sources]
    counts = pd.DataFrame.from_dict(rows, orient="index", columns=values) if rows else raw.iloc[0:0]
    subject = f"“{info.item_text(item)}”" if item else f"all {len(info.items)} items"
    return _Split(info, counts, merged, learners[list(rows)], sorted(hidden), subject,
                  int(part["learner"].nunique()), skipped)


def _readable(part: pd.DataFrame, info: ExerciseInfo) -> tuple[pd.DataFrame, int]:
    """The rows a chart can read (a value on the scale, a known item, a pseudonym, a readable time) and how
    many it could not: a bad row is left out and counted, never allowed to stop the chart."""
    values = info.scale_values

    def on_scale(value: Any) -> bool:
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            return False
        try:
            return value in values
        except TypeError:
            return False

    mask = part["value"].map(on_scale).astype(bool) & part["item"].map(info.item_ok).astype(bool)
    mask &= part["learner"].map(lambda learner: isinstance(learner, str) and bool(learner)).astype(bool)
    if "answered_at" in part.columns:
        times = pd.to_datetime(part["answered_at"].map(lambda v: v if not isinstance(v, (dict, list)) else None),
                               utc=True, errors="coerce", format="ISO8601")
        mask &= times.notna().to_numpy()
    return part[mask], int((~mask).sum())


def _learners_text(count: int, min_cell: int) -> str:
    """A number of learners, or the suppression words while it is too small to show."""
    return f"n = {count} learners" if count >= min_cell else suppressed_message(min_cell)


def _palette(count: int) -> list[str]:
    if count in DIVERGING_COLOURS:
        return DIVERGING_COLOURS[count]
    import matplotlib

    cmap = matplotlib.colormaps["PuOr"]
    return [matplotlib.colors.to_hex(cmap(0.1 + 0.8 * i / (count - 1))) for i in range(count)]


def _suppression_note(hidden: list[str], min_cell: int) -> str:
    return (f"Not shown (a group under {min_cell} people): {', '.join(hidden)}." if hidden else "")


def plot_diverging_by_cohort(
    data: pd.DataFrame,
    *,
    exercise: str,
    item: str | None = None,
    by: str = "cohort",
    min_cell: int = DEFAULT_MIN_CELL,
    ax: "Axes | None" = None,
) -> "Axes":
    """Diverging stacked bars, one bar per cohort, of the answers to one item (or all items pooled).

    The low end of the scale extends left of zero, the high end right, and a
    middle option straddles zero, so cohorts can be compared at a glance.

    References
    ----------
    Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar
    charts for Likert scales and other applications. *Journal of Statistical
    Software*, 57(5). https://doi.org/10.18637/jss.v057.i05

    Examples
    --------
    >>> from peerkit.research import load, plot_diverging_by_cohort, synthetic_cohorts
    >>> ax = plot_diverging_by_cohort(load(synthetic_cohorts()).frame, exercise="boundaries", item="B15")
    >>> ax.get_title().startswith("Where are your limits?")
    True
    """
    split = _split(data, exercise, item, by, min_cell)
    info, counts = split.info, split.counts
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 1.6 + 0.55 * max(len(counts), 2)), layout="constrained")
    title = textwrap.fill(f"{info.title}: {split.subject}", 70) + \
        f"\nby {by} ({_learners_text(split.total_learners, min_cell)})"
    ax.set_title(title)
    if counts.empty:
        ax.text(0.5, 0.5, textwrap.fill(_suppression_note(split.hidden, min_cell) or "No answers.", 60),
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.peerkit_summary = describe_diverging_by_cohort(data, exercise=exercise, item=item, by=by, min_cell=min_cell)
        return ax
    values = info.scale_values
    shares = counts.div(counts.sum(axis=1), axis=0)
    k = len(values)
    left = shares[values[: k // 2]].sum(axis=1) + (shares[values[k // 2]] / 2 if k % 2 else 0)
    start = -left.to_numpy()
    rows = np.arange(len(shares))
    for position, (value, colour) in enumerate(zip(values, _palette(k))):
        width = shares[value].to_numpy()
        bars = ax.barh(rows, width, left=start, color=colour, hatch=HATCHES[position % len(HATCHES)],
                       edgecolor="#333333", linewidth=0.5, label=info.label_for(value))
        marks = ["*" if (cohort, value) in split.merged else "" for cohort in shares.index]
        ax.bar_label(bars, labels=[f"{w:.0%}{m}" if w >= 0.07 else "" for w, m in zip(width, marks)],
                     label_type="center", fontsize=8,
                     bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.85, "linewidth": 0})
        start = start + width
    ax.set_yticks(rows, [f"{c} (n={int(split.learners[c])})" for c in shares.index])
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-1.02, 1.02)
    ax.xaxis.set_major_formatter(lambda x, _: f"{abs(x):.0%}")
    note = " ".join(filter(None, [
        f"* includes an answer given by fewer than {min_cell} people, merged into its neighbour." if split.merged
        else "", _suppression_note(split.hidden, min_cell), skipped_note(split.skipped)]))
    # the note goes in the axis label so that the layout engine makes room for it
    ax.set_xlabel(f"← {info.label_for(values[0])}    share of answers    {info.label_for(values[-1])} →"
                  + (f"\n\n{textwrap.fill(note, 100)}" if note else ""), fontsize=9)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.peerkit_summary = describe_diverging_by_cohort(data, exercise=exercise, item=item, by=by, min_cell=min_cell)
    return ax


def describe_diverging_by_cohort(data: pd.DataFrame, *, exercise: str, item: str | None = None, by: str = "cohort",
                                 min_cell: int = DEFAULT_MIN_CELL) -> str:
    """:func:`plot_diverging_by_cohort` in words (plain text, for screen readers and reports)."""
    split = _split(data, exercise, item, by, min_cell)
    info = split.info
    learners = (f"{split.total_learners} learners" if split.total_learners >= min_cell
                else suppressed_message(min_cell))
    parts = [f"{info.title}, {split.subject}: answers of {learners} by {by}."]
    for cohort, row in split.counts.iterrows():
        total = row.sum()
        gone = {s for (c, _), sources in split.merged.items() if c == cohort for s in sources}
        spread = ", ".join(
            f"{row[v] / total:.0%} " + " or ".join(info.label_for(x) for x in sorted(
                [v, *split.merged.get((cohort, v), [])], key=info.scale_values.index))
            for v in info.scale_values if v not in gone)
        parts.append(f"{cohort} ({int(split.learners[cohort])} learners): {spread}.")
    parts += [_suppression_note(split.hidden, min_cell), skipped_note(split.skipped)]
    return " ".join(filter(None, parts))


def _heat(data: pd.DataFrame, exercise: str, value: Any, by: str, min_cell: int) -> tuple[Any, ...]:
    require_columns(data, [by, "learner", "exercise", "item", "value"], "plot_item_heatmap")
    info = exercise_info(data, exercise)
    if info is None:
        raise ValueError(f"Unknown exercise {exercise!r}.")
    part, skipped = _readable(data[data["exercise"] == exercise], info)
    numeric = bool(info.scale) and all(isinstance(v, int) for v in info.scale_values)
    if value is None and not numeric:
        if not info.scale:
            raise ValueError(f"{exercise!r} has no scale; choose value= to map the share giving that answer.")
        value = info.scale_values[0]
    answers = part.groupby(["item", by]).size().unstack(by)
    if value is None:
        matrix = pd.to_numeric(part["value"]).groupby([part["item"], part[by]]).mean().unstack(by)
        small = answers < min_cell
        floors = small & False
        measure = "mean rating"
    else:
        if info.scale and value not in info.scale_values:
            raise ValueError(f"{value!r} is not on the scale of {exercise!r}: {', '.join(map(str, info.scale_values))}.")
        hits = (part["value"] == value).groupby([part["item"], part[by]]).sum().unstack(by)
        matrix = hits / answers
        small = ((hits > 0) & (hits < min_cell)) | (answers < min_cell)
        # when 1 to k-1 people gave another answer, show only a floor ("≥ 88%"), never the exact share
        others_small = (answers - hits > 0) & (answers - hits < min_cell) & ~small
        matrix = matrix.mask(others_small, (answers - (min_cell - 1)) / answers)
        floors = others_small
        measure = f"share answering “{info.label_for(value)}”"
    order = [i for i in info.item_ids if i in matrix.index]
    learners = part.groupby(by)["learner"].nunique()
    small = small.reindex(order).fillna(True).astype(bool)
    small.loc[:, learners[learners < min_cell].index.intersection(small.columns)] = True
    floors = floors.reindex(order).fillna(False).astype(bool) & ~small
    return info, matrix.reindex(order), small, floors, learners, measure, value, skipped


def plot_item_heatmap(
    data: pd.DataFrame,
    *,
    exercise: str,
    value: Any = None,
    by: str = "cohort",
    min_cell: int = DEFAULT_MIN_CELL,
    ax: "Axes | None" = None,
) -> "Axes":
    """Item x cohort heatmap of the share giving ``value`` (default: the scale's first option), or of the
    mean rating for a numeric rating exercise.

    Every cell carries its number; cells resting on 1 to k-1 answers are grey,
    hatched and marked "<k".

    References
    ----------
    Wilke, C. O. (2019). *Fundamentals of Data Visualization*, ch. 4 (colour
    scales) and ch. 6 (heatmaps). O'Reilly. Colour map: Nuñez, J. R., Anderton,
    C. R., & Renslow, R. S. (2018). Optimizing colormaps with consideration for
    color vision deficiency (cividis). *PLOS ONE*, 13(7), e0199239.

    Examples
    --------
    >>> from peerkit.research import load, plot_item_heatmap, synthetic_cohorts
    >>> ax = plot_item_heatmap(load(synthetic_cohorts()).frame, exercise="boundaries", value="never")
    >>> "never" in ax.get_title().lower()
    True
    """
    info, matrix, small, floors, learners, measure, value, skipped = _heat(data, exercise, value, by, min_cell)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(4.5 + 1.3 * matrix.shape[1], 1.6 + 0.32 * matrix.shape[0]), layout="constrained")
    shown = matrix.mask(small)
    scale_values = [v for v in info.scale_values if isinstance(v, int | float)]
    vmin, vmax = (min(scale_values), max(scale_values)) if value is None and scale_values else (0.0, 1.0)
    image = ax.imshow(shown.to_numpy(dtype=float), cmap="cividis", vmin=vmin, vmax=vmax, aspect="auto")
    for (r, c), is_small in np.ndenumerate(small.to_numpy()):
        if is_small:
            ax.add_patch(_hatched_cell(c, r))
            ax.text(c, r, f"<{min_cell}", ha="center", va="center", fontsize=7, color="#333333")
        else:
            cell = shown.iat[r, c]
            if pd.isna(cell):
                continue
            text = f"{cell:.1f}" if value is None else ("≥" if floors.iat[r, c] else "") + f"{cell:.0%}"
            light = (cell - vmin) / (vmax - vmin) < 0.55
            ax.text(c, r, text, ha="center", va="center", fontsize=7, color="white" if light else "black")
    ax.set_xticks(range(matrix.shape[1]), [f"{c}\n(n={int(learners.get(c, 0))})" if learners.get(c, 0) >= min_cell
                                           else f"{c}\n({suppressed_message(min_cell)})" for c in matrix.columns],
                  fontsize=8, rotation=30, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(matrix.shape[0]),
                  [textwrap.shorten(f"{i}. {info.item_text(i)}", 48, placeholder="…") for i in matrix.index], fontsize=7)
    total = _learners_text(int(learners.sum()), min_cell)
    ax.set_title(textwrap.fill(f"{info.title}: {measure}", 60) + f"\nby {by} ({total})")
    if skipped:
        ax.set_xlabel(skipped_note(skipped), fontsize=8)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.6)
    colorbar.set_label(measure)
    if value is not None:
        colorbar.ax.yaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    ax.peerkit_summary = describe_item_heatmap(data, exercise=exercise, value=value, by=by, min_cell=min_cell)
    return ax


def _hatched_cell(column: int, row: int) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((column - 0.5, row - 0.5), 1, 1, facecolor=SUPPRESSED_COLOUR, hatch="///",
                     edgecolor="#888888", linewidth=0)


def describe_item_heatmap(data: pd.DataFrame, *, exercise: str, value: Any = None, by: str = "cohort",
                          min_cell: int = DEFAULT_MIN_CELL) -> str:
    """:func:`plot_item_heatmap` in words: per cohort, the highest and lowest items."""
    info, matrix, small, floors, learners, measure, value, skipped = _heat(data, exercise, value, by, min_cell)
    shown = matrix.mask(small)

    def fmt(x: float, floor: bool = False) -> str:
        return f"{x:.1f}" if value is None else ("at least " if floor else "") + f"{x:.0%}"

    parts = [f"{info.title}: {measure}, {matrix.shape[0]} items by {by}."]
    for cohort in shown.columns:
        column = shown[cohort].dropna()
        if column.empty:
            parts.append(f"{cohort}: not shown (groups under {min_cell}).")
            continue
        high, low = column.idxmax(), column.idxmin()
        size = _learners_text(int(learners.get(cohort, 0)), min_cell).removeprefix("n = ")
        parts.append(f"{cohort} ({size}): highest “{info.item_text(high)}” "
                     f"({fmt(column[high], floors.at[high, cohort])}), lowest “{info.item_text(low)}” "
                     f"({fmt(column[low], floors.at[low, cohort])}).")
    hidden = int(small.to_numpy().sum())
    if hidden:
        parts.append(f"{hidden} cell(s) rest on fewer than {min_cell} answers and are not shown.")
    parts.append(skipped_note(skipped))
    return " ".join(filter(None, parts))
