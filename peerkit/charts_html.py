"""The group charts of :mod:`peerkit.charts` as HTML, for ``pk.compare``, the projector and the dashboard.

A projector view redraws whenever answers arrive; matplotlib takes about a second
for a 27-row chart, HTML a few milliseconds. The picture is the same, on the same
scales: diverging stacked bars (first options left of the centre line, the last
ones right, a middle option straddling it, reaching as far as the data does so the
bars use the full width), and rating profiles whose marks, bars and labels all
stand at their values on one scale with half a step of room beyond each end.
Colour-blind-safe palette, a pattern per option, shares printed in each segment
wide enough to hold them (a share that does not fit is hidden, never cut; the
"Every value" table carries them all). Items fewer than
:data:`~peerkit.privacy.MIN_GROUP_SIZE` people answered say "fewer than 5
answers" instead. Rendered by Jinja2 templates with autoescape
(:mod:`peerkit.templating`): no learner or course text is glued into HTML by hand.

>>> html = choice_split_html(group, exercise="boundaries")   # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from .agreement import choice_shares
from .chart_data import chart_rows, item_counts, shown_items, skipped_note
from .charts import HATCHES, _palette, left_shares, rating_domain, rating_stats, split_extent, suppression_message, \
    title_n
from .exercises import Exercise
from .privacy import MIN_GROUP_SIZE, suppressed_message
from .templating import render

# CSS stand-ins for the matplotlib hatches, in the same order as charts.HATCHES
_PATTERNS = {
    "//": "repeating-linear-gradient(45deg, rgba(0,0,0,.35) 0 2px, transparent 2px 7px)",
    "": "none",
    "..": "radial-gradient(rgba(255,255,255,.75) 1.2px, transparent 1.6px) 0 0 / 6px 6px",
    "xx": "repeating-linear-gradient(45deg, rgba(0,0,0,.3) 0 2px, transparent 2px 7px), "
          "repeating-linear-gradient(-45deg, rgba(0,0,0,.3) 0 2px, transparent 2px 7px)",
    "\\\\": "repeating-linear-gradient(-45deg, rgba(0,0,0,.35) 0 2px, transparent 2px 7px)",
    "oo": "radial-gradient(rgba(0,0,0,.35) 2px, transparent 2.5px) 0 0 / 8px 8px",
    "++": "repeating-linear-gradient(0deg, rgba(0,0,0,.3) 0 2px, transparent 2px 8px), "
          "repeating-linear-gradient(90deg, rgba(0,0,0,.3) 0 2px, transparent 2px 8px)",
}
BAR = "#5e3c99"


def _background(colour: str, hatch: str) -> str:
    pattern = _PATTERNS.get(hatch, "none")
    return f"{pattern}, {colour}" if pattern != "none" else colour


def _suppressed(definition: Exercise, subtitle: str, min_group_size: int, font_size: str, skipped: int) -> str:
    return render("suppressed_chart.html", title=definition.title, subtitle=subtitle,
                  message=suppression_message(min_group_size), note=skipped_note(skipped), font_size=font_size)


def choice_split_html(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group_size: int = MIN_GROUP_SIZE,
    font_size: str = "1rem",
) -> str:
    """The diverging stacked bar chart of :func:`peerkit.charts.plot_choice_split`, as HTML.

    ``own`` (``{item: value}``) marks the learner's answers with a black diamond (and the
    words "your answer" for screen readers).
    """
    own = own or {}
    rows = chart_rows(data, exercise)
    definition, n = rows.definition, rows.n
    subtitle = f"How the {group_label} answered ({title_n(n, min_group_size)})"
    if n < min_group_size:
        return _suppressed(definition, subtitle, min_group_size, font_size, rows.skipped)
    shares = choice_shares(rows.data, exercise=exercise)
    counts = item_counts(rows)
    shown = set(shown_items(rows, min_group_size))
    values = [option.value for option in definition.scale]
    labels = [definition.label_for(v) for v in values]
    colours = _palette(len(values))
    backgrounds = [_background(c, HATCHES[i % len(HATCHES)]) for i, c in enumerate(colours)]
    left = left_shares(shares, values)
    reach_left, reach_right = split_extent(left[left.index.isin(list(shown))])
    span = reach_left + reach_right
    centre = 100 * reach_left / span

    lines, table = [], []
    for number, item in enumerate(definition.item_ids, 1):
        text = definition.item(item).text
        mine = own.get(item)
        row: dict[str, Any] = {"item": item, "number": number, "text": text, "shown": item in shown,
                               "count": int(counts[item]),
                               "own_label": definition.label_for(mine) if mine is not None else ""}
        if item in shown:
            row["offset"] = f"{100 * (reach_left - float(left[item])) / span:.3f}"
            row["width"] = f"{100 / span:.3f}"
            row["segments"] = [
                {"value": value, "label": label, "share": f"{share:.0%}", "own": mine == value,
                 "width": f"{100 * share:.3f}", "background": background}
                for value, label, background, share in zip(values, labels, backgrounds,
                                                           (float(shares.loc[item, v]) for v in values))
                if share > 0 or mine == value
            ]
            cells = [f"{float(shares.loc[item, v]):.0%}" for v in values] + [str(int(counts[item]))]
        else:
            cells = [suppressed_message(min_group_size)] + [""] * len(values)
        lines.append(row)
        table.append({"label": f"{number}. {text}", "cells": cells})
    return render(
        "choice_split.html", title=definition.title, subtitle=subtitle, font_size=font_size,
        legend=[{"label": label, "background": background} for label, background in zip(labels, backgrounds)],
        own_shown=any(item in own for item in shown), rows=lines, centre=f"{centre:.3f}",
        suppressed=suppressed_message(min_group_size), first_label=labels[0], last_label=labels[-1],
        table={"columns": [*labels, "n"], "lines": table}, note=skipped_note(rows.skipped),
    )


def _scale_words(value: Any, label: str) -> str:
    """A scale label without the number in front ("4 – mostly" -> "mostly"): the number stands above it."""
    text = str(label)
    prefix = str(value)
    if text.startswith(prefix):
        text = text[len(prefix):].lstrip(" –-:.")
    return text


def rating_profile_html(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group_size: int = MIN_GROUP_SIZE,
    font_size: str = "1rem",
) -> str:
    """The chart of :func:`peerkit.charts.plot_rating_profile` as HTML: per item, the group's
    average (a hatched bar), the middle half of its ratings (a line) and your rating (a diamond),
    all on one scale from half a step below the lowest value to half a step above the highest."""
    own = own or {}
    rows = chart_rows(data, exercise)
    definition, n = rows.definition, rows.n
    subtitle = f"Your ratings and the {group_label}'s ({title_n(n, min_group_size)})"
    if n < min_group_size:
        return _suppressed(definition, subtitle, min_group_size, font_size, rows.skipped)
    stats = rating_stats(rows, min_group_size)
    return _profile(definition, stats, own, subtitle=subtitle, group_key=f"{group_label.capitalize()} average",
                    own_key="Your rating", font_size=font_size, min_group_size=min_group_size, note=skipped_note(rows.skipped))


def _profile(definition: Exercise, stats: pd.DataFrame | None, own: dict[str, Any], *, subtitle: str,
             group_key: str, own_key: str, font_size: str, min_group_size: int, note: str = "",
             first: dict[str, Any] | None = None, first_key: str = "") -> str:
    low, high = rating_domain(definition)

    def at(value: float) -> float:
        return 100 * (min(max(float(value), low), high) - low) / (high - low)

    lines, table = [], []
    for number, item in enumerate(definition.item_ids, 1):
        text = definition.item(item).text
        mine, before = own.get(item), (first or {}).get(item)
        row: dict[str, Any] = {"item": item, "number": number, "text": text, "mean": None, "small": False,
                               "count": None, "own": None if mine is None else f"{at(mine):.3f}", "own_value": mine,
                               "first": None if before is None else f"{at(before):.3f}"}
        words, cells = [], []
        if stats is not None:
            entry = stats.loc[item]
            if pd.isna(entry["mean"]):
                row["small"] = int(entry["count"]) > 0
                words.append(suppressed_message(min_group_size) if row["small"] else "no ratings yet")
                cells += [words[-1], "", ""]
            else:
                row.update(mean=f"{at(entry['mean']):.3f}", q1=f"{at(entry['25%']):.3f}",
                           middle=f"{at(entry['75%']) - at(entry['25%']):.3f}", count=int(entry["count"]))
                words.append(f"group average {entry['mean']:.1f}, middle half {entry['25%']:g} to {entry['75%']:g}")
                cells += [f"{entry['mean']:.1f}", f"{entry['25%']:g} to {entry['75%']:g}", str(int(entry["count"]))]
        if first is not None:
            words.append(f"{first_key.lower()} {before if before is not None else 'not rated'}")
            cells.append("" if before is None else str(before))
        words.append(f"{own_key.lower()} {mine}" if mine is not None else f"{own_key.lower()}: not rated")
        cells.append("" if mine is None else str(mine))
        row["words"] = ", ".join(words)
        lines.append(row)
        table.append({"label": f"{number}. {text}", "cells": cells})
    columns = (["Group average", "Middle half", "n"] if stats is not None else []) \
        + ([first_key] if first is not None else []) + [own_key]
    steps = len(definition.scale)
    ticks = [{"value": o.value, "words": _scale_words(o.value, o.label), "at": f"{at(o.value):.3f}",
              "room": f"{100 / steps:.3f}"} for o in definition.scale]
    return render(
        "rating_profile.html", title=definition.title, subtitle=subtitle, font_size=font_size, rows=lines,
        ticks=ticks, bar=_background(BAR, "//"), group_shown=stats is not None, group_key=group_key,
        own_key=own_key, first_shown=first is not None, first_key=first_key,
        suppressed=suppressed_message(min_group_size), table={"columns": columns, "lines": table}, note=note,
    )


def checkin_profile_html(
    exercise: Exercise,
    latest: dict[str, Any],
    first: dict[str, Any] | None = None,
    *,
    first_when: str = "",
    font_size: str = "1rem",
) -> str:
    """A personal check-in as the learner's own profile: the first check-in (circles) and the latest (diamonds).

    No group, no average, no ranking: for self-care and recovery check-ins
    (:func:`peerkit.chart_data.is_personal`).
    """
    subtitle = "Your own check-ins: only you see this" if first is None else \
        f"Your first check-in{f' ({first_when})' if first_when else ''} and your latest: only you see this"
    return _profile(exercise, None, latest, subtitle=subtitle, group_key="", own_key="Latest check-in",
                    font_size=font_size, min_group_size=MIN_GROUP_SIZE, first=first, first_key="First check-in")
