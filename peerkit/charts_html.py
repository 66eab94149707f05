"""The group charts of :mod:`peerkit.charts` as HTML, for ``pk.compare``, the projector and the dashboard.

A projector view redraws whenever answers arrive; matplotlib takes about a second
for a 27-row chart, HTML a few milliseconds. The picture is the same, on the same
scales, from the same :class:`peerkit.group_view.GroupView` (counts, small items
withheld): diverging stacked bars (first options left of the centre line, the last
ones right, a middle option straddling it, reaching as far as the data does so the
bars use the full width), rating profiles whose bars start at the scale's first
value and whose marks and labels stand at their values (with half a step of room
beyond each end), and knowledge-check results (the share choosing each option, the
right one marked).
Colour-blind-safe palette, a pattern per option, shares printed in each segment
wide enough to hold them (a share that does not fit is hidden, never cut; the
"Every value" table carries them all). Items fewer than
:data:`~peerkit.privacy.MIN_GROUP_SIZE` people answered say "fewer than 5
answers" instead. Rendered by Jinja2 templates with autoescape
(:mod:`peerkit.templating`): no learner or course text is glued into HTML by hand.

>>> html = choice_split_html(view)   # doctest: +SKIP
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .charts import HATCHES, _palette, _view, average_key, left_share, rating_domain, rating_start, rating_subtitle, \
    split_extent, split_shares, title_n
from .charts_text import suppression_message
from .exercises import Exercise
from .group_view import GroupView
from .privacy import MIN_GROUP_SIZE, suppressed_message
from .templating import render

if TYPE_CHECKING:
    from .charts import Group

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


def _suppressed(view: GroupView, subtitle: str, font_size: str) -> str:
    return render("suppressed_chart.html", title=view.definition.title, subtitle=subtitle,
                  message=suppression_message(view.min_group_size), note=view.skipped_note, font_size=font_size)


def choice_split_html(
    group: "Group",
    *,
    exercise: str | None = None,
    own: dict[str, Any] | None = None,
    group_label: str | None = None,
    min_group_size: int | None = None,
    font_size: str = "1rem",
) -> str:
    """The diverging stacked bar chart of :func:`peerkit.charts.plot_choice_split`, as HTML.

    ``own`` (``{item: value}``) marks the learner's answers with a black diamond (and the
    words "your answer" for screen readers). Each segment prints its whole percentage
    (they add up to 100 % per item) and carries its count in ``data-count``.
    """
    own = own or {}
    view = _view(group, exercise, group_label, min_group_size)
    definition = view.definition
    subtitle = f"How the {view.label} answered ({title_n(view.group_size, view.min_group_size)})"
    if not view.shown:
        return _suppressed(view, subtitle, font_size)
    values = [option.value for option in definition.scale]
    labels = [definition.label_for(v) for v in values]
    colours = _palette(len(values))
    backgrounds = [_background(c, HATCHES[i % len(HATCHES)]) for i, c in enumerate(colours)]
    reach_left, reach_right = split_extent([left_share(split_shares(view, item)) for item in view.shown_items])
    span = reach_left + reach_right
    centre = 100 * reach_left / span

    lines, table = [], []
    for number, item in enumerate(definition.item_ids, 1):
        text = definition.item(item).text
        mine = own.get(item)
        counts = view.counts(item)
        row: dict[str, Any] = {"item": item, "number": number, "text": text, "shown": counts is not None,
                               "count": view.item_n(item), "empty_words": _empty_words(view, item),
                               "own_label": definition.label_for(mine) if mine is not None else ""}
        if counts is not None:
            shares = split_shares(view, item)
            row["offset"] = f"{100 * (reach_left - left_share(shares)) / span:.3f}"
            row["width"] = f"{100 / span:.3f}"
            row["segments"] = [
                {"value": value, "label": label, "share": f"{round(100 * share)}%", "own": mine == value,
                 "count": counts[value], "width": f"{100 * share:.3f}", "background": background}
                for value, label, background, share in zip(values, labels, backgrounds, shares)
                if share > 0 or mine == value
            ]
            cells = [f"{round(100 * share)}% ({counts[v]})" for v, share in zip(values, shares)] \
                + [str(view.item_n(item))]
        else:
            cells = [row["empty_words"]] + [""] * len(values)
        lines.append(row)
        table.append({"label": f"{number}. {text}", "cells": cells})
    return render(
        "choice_split.html", title=definition.title, subtitle=subtitle, font_size=font_size,
        legend=[{"label": label, "background": background} for label, background in zip(labels, backgrounds)],
        own_shown=any(item in own for item in view.shown_items), rows=lines, centre=f"{centre:.3f}",
        suppressed=view.suppressed_message, first_label=labels[0], last_label=labels[-1],
        table={"columns": [*labels, "n"], "lines": table}, note=view.skipped_note,
    )


def _empty_words(view: GroupView, item: str) -> str:
    """What a row without bars says: too few answered it, or nobody has yet (no count either way)."""
    return view.suppressed_message if item in view.hidden_items else "no answers yet"


def _scale_words(value: Any, label: str) -> str:
    """A scale label without the number in front ("4 – mostly" -> "mostly"): the number stands above it."""
    text = str(label)
    prefix = str(value)
    if text.startswith(prefix):
        text = text[len(prefix):].lstrip(" –-:.")
    return text


def rating_profile_html(
    group: "Group",
    *,
    exercise: str | None = None,
    own: dict[str, Any] | None = None,
    group_label: str | None = None,
    min_group_size: int | None = None,
    font_size: str = "1rem",
) -> str:
    """The chart of :func:`peerkit.charts.plot_rating_profile` as HTML: per item, the group's
    average (a hatched bar from the scale's first value), the middle half of its ratings (a line
    between two steps of the scale, none when both are the same step) and your rating (a diamond),
    on one scale with half a step of room beyond each end."""
    own = own or {}
    view = _view(group, exercise, group_label, min_group_size)
    subtitle = rating_subtitle(view, bool(own))
    if not view.shown:
        return _suppressed(view, subtitle, font_size)
    return _profile(view.definition, view, own, subtitle=subtitle, group_key=average_key(view.label),
                    own_key="Your rating", font_size=font_size, min_group_size=view.min_group_size,
                    note=view.skipped_note)


def _profile(definition: Exercise, view: GroupView | None, own: dict[str, Any], *, subtitle: str,
             group_key: str, own_key: str, font_size: str, min_group_size: int, note: str = "",
             first: dict[str, Any] | None = None, first_key: str = "") -> str:
    low, high = rating_domain(definition)
    start = rating_start(definition)

    def at(value: float) -> float:
        return 100 * (min(max(float(value), low), high) - low) / (high - low)

    lines, table = [], []
    for number, item in enumerate(definition.item_ids, 1):
        text = definition.item(item).text
        mine, before = own.get(item), (first or {}).get(item)
        row: dict[str, Any] = {"item": item, "number": number, "text": text, "mean": None, "small": False,
                               "count": None, "own": None if mine is None else f"{at(mine):.3f}", "own_value": mine,
                               "first": None if before is None else f"{at(before):.3f}", "start": f"{at(start):.3f}"}
        words, cells = [], []
        if view is not None:
            rating = view.rating(item)
            if rating is None:
                row["small"] = item in view.hidden_items
                words.append(view.suppressed_message if row["small"] else "no ratings yet")
                cells += [words[-1], "", ""]
            else:
                row.update(mean=f"{at(rating.mean) - at(start):.3f}", mean_value=f"{rating.mean:.1f}",
                           mean_at=f"{at(rating.mean):.3f}",
                           count=rating.n, middle=None)
                if rating.low_quartile != rating.high_quartile:
                    row.update(q1=f"{at(rating.low_quartile):.3f}",
                               middle=f"{at(rating.high_quartile) - at(rating.low_quartile):.3f}")
                words.append(f"group average {rating.mean:.1f}, {rating.middle_words}")
                cells += [f"{rating.mean:.1f}", rating.middle_words.removeprefix("middle half "), str(rating.n)]
        if first is not None:
            words.append(f"{first_key.lower()} {before if before is not None else 'not rated'}")
            cells.append("" if before is None else str(before))
        words.append(f"{own_key.lower()} {mine}" if mine is not None else f"{own_key.lower()}: not rated")
        cells.append("" if mine is None else str(mine))
        row["words"] = ", ".join(words)
        lines.append(row)
        table.append({"label": f"{number}. {text}", "cells": cells})
    columns = (["Group average", "Middle half", "n"] if view is not None else []) \
        + ([first_key] if first is not None else []) + [own_key]
    steps = len(definition.scale)
    ticks = [{"value": o.value, "words": _scale_words(o.value, o.label), "at": f"{at(o.value):.3f}",
              "room": f"{100 / steps:.3f}"} for o in definition.scale]
    return render(
        "rating_profile.html", title=definition.title, subtitle=subtitle, font_size=font_size, rows=lines,
        ticks=ticks, bar=_background(BAR, "//"), group_shown=view is not None, group_key=group_key,
        own_key=own_key, first_shown=first is not None, first_key=first_key,
        suppressed=suppressed_message(min_group_size), table={"columns": columns, "lines": table}, note=note,
    )


def knowledge_check_html(
    group: "Group",
    *,
    exercise: str | None = None,
    group_label: str | None = None,
    min_group_size: int | None = None,
    font_size: str = "1rem",
) -> str:
    """A knowledge check's results as HTML: per question, a bar per option with the share of the
    group choosing it, the right option marked (a tick and the words "right answer", not colour alone).
    A question fewer than the minimum answered says so instead of bars."""
    view = _view(group, exercise, group_label, min_group_size)
    definition = view.definition
    subtitle = f"What the {view.label} chose ({title_n(view.group_size, view.min_group_size)})"
    if not view.shown:
        return _suppressed(view, subtitle, font_size)
    questions = []
    for number, item in enumerate(definition.items, 1):
        results = view.option_results(item.id)
        questions.append({
            "item": item.id, "number": number, "text": item.text, "n": view.item_n(item.id),
            "empty_words": _empty_words(view, item.id),
            "several": bool(item.details.get("multiple", False)),
            "options": None if results is None else [
                {"value": r.value, "label": r.label, "count": r.count, "percent": r.percent, "correct": r.correct,
                 "background": _background(RIGHT if r.correct else OTHER, "//" if r.correct else "")}
                for r in results]})
    return render("knowledge_check_results.html", title=definition.title, subtitle=subtitle, font_size=font_size,
                  questions=questions, suppressed=view.suppressed_message, note=view.skipped_note,
                  hidden=view.hidden_sentence(), right=_background(RIGHT, "//"), other=OTHER,
                  scored=any(item.details.get("correct") for item in definition.items))


RIGHT, OTHER = "#5e3c99", "#bdbdbd"


def chart_html(view: GroupView, *, own: dict[str, Any] | None = None, font_size: str = "1rem") -> str:
    """The view's own chart (split bars, rating profile or knowledge-check results), or "" when it has none."""
    if view.style == "diverging":
        return choice_split_html(view, own=own, font_size=font_size)
    if view.style == "profile":
        return rating_profile_html(view, own=own, font_size=font_size)
    if view.style == "options":
        return knowledge_check_html(view, font_size=font_size)
    return ""


def checkin_profile_html(
    exercise: Exercise,
    latest: dict[str, Any],
    first: dict[str, Any] | None = None,
    *,
    first_when: str = "",
    font_size: str = "1rem",
) -> str:
    """A personal check-in as the learner's own profile: the first check-in (circles) and the latest (diamonds).

    No group, no average, no ranking: for self-care and recovery check-ins (``"personal": true``).
    """
    subtitle = "Your own check-ins: only you see this" if first is None else \
        f"Your first check-in{f' ({first_when})' if first_when else ''} and your latest: only you see this"
    return _profile(exercise, None, latest, subtitle=subtitle, group_key="", own_key="Latest check-in",
                    font_size=font_size, min_group_size=MIN_GROUP_SIZE, first=first, first_key="First check-in")
