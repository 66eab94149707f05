"""The group charts of :mod:`peerkit.charts` as plain HTML, for the trainer's live dashboard.

A projector view redraws whenever answers arrive; matplotlib takes about a second
for a 27-row chart, HTML a few milliseconds. The picture is the same: diverging
stacked bars (first options left of the centre line, the last ones right, a middle
option straddling it), the same colour-blind-safe palette, a pattern per option so
colour is never the only cue, and the share printed in each segment. Because the
bars are real text, a screen reader reads every row ("Giving the person a hug: Never
OK 18%, Maybe OK 75%, Always OK 7%"). Every string is HTML-escaped.

>>> html = choice_split_html(group, exercise="boundaries")   # doctest: +SKIP
"""
from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from .agreement import choice_shares
from .charts import HATCHES, MIN_GROUP, _palette, exercise_group, suppression_message

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
# shares sit on a near-white label, as in peerkit.charts, so they stay readable on any colour or pattern
LABEL_STYLE = (
    "background:rgba(255,255,255,.9);color:#000;padding:0 .25em;border-radius:3px;line-height:1.2;"
    "position:relative;z-index:2"
)
SCREEN_READER_ONLY = "position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden"
# the learner's own answer: a black diamond with a white edge, as in peerkit.charts
OWN_MARK = ("<span aria-hidden='true' style='display:inline-block;width:.7em;height:.7em;background:#000;"
            "transform:rotate(45deg);box-shadow:0 0 0 2px #fff;margin:0 .35em;flex:none'></span>")


def _suppressed(title: str, n: int, min_group: int) -> str:
    return (f"<figure class='peerkit-html-chart'><figcaption>{title}</figcaption>"
            f"<p>{escape(suppression_message(n, min_group))}</p></figure>")


def _background(colour: str, hatch: str) -> str:
    pattern = _PATTERNS.get(hatch, "none")
    return f"{pattern}, {colour}" if pattern != "none" else colour


def _segment_style(colour: str, hatch: str, width: float) -> str:
    return (f"width:{width * 100:.3f}%;background:{_background(colour, hatch)};color:#000;"
            "display:inline-flex;align-items:center;justify-content:center;overflow:hidden;"
            "white-space:nowrap;height:100%;box-shadow:inset 0 0 0 1px #333;")


def choice_split_html(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group: int = MIN_GROUP,
    font_size: str = "1rem",
) -> str:
    """The diverging stacked bar chart of :func:`peerkit.charts.plot_choice_split`, as HTML.

    ``own`` (``{item: value}``) marks the learner's answers with a black diamond (and the
    words "your answer" for screen readers).
    """
    own = own or {}
    definition, data, n = exercise_group(data, exercise)
    title = (f"<strong>{escape(definition.title)}</strong><br>"
             f"How the {escape(group_label)} answered (n = {n})")
    if n < min_group:
        return _suppressed(title, n, min_group)
    shares = choice_shares(data, exercise=exercise)
    values = [option.value for option in definition.scale]
    labels = [definition.label_for(v) for v in values]
    colours, k = _palette(len(values)), len(values)
    hatches = [HATCHES[i % len(HATCHES)] for i in range(k)]
    left = shares[values[: k // 2]].sum(axis=1) + (shares[values[k // 2]] / 2 if k % 2 else 0)

    legend = "".join(
        f"<span style='display:inline-flex;align-items:center;gap:.4em;margin-right:1.4em'>"
        f"<span aria-hidden='true' style='display:inline-block;width:1.6em;height:1em;"
        f"background:{_background(colour, hatch)};box-shadow:inset 0 0 0 1px #333'></span>{escape(label)}</span>"
        for label, colour, hatch in zip(labels, colours, hatches)
    ) + (f"<span style='display:inline-flex;align-items:center;gap:.4em'>{OWN_MARK}Your answer</span>"
         if any(item in own for item in shares.index) else "")
    rows = []
    for number, item in enumerate(shares.index, 1):
        text = definition.item(item).text
        count = int(shares.loc[item, "n"])
        # the track runs from all-left (-100%) to all-right (+100%); a whole bar is half of it,
        # and its left end sits `left` of the centre line
        offset = 50 - 50 * float(left[item])
        segments = "".join(
            f"<span title='{escape(label, quote=True)}: {share:.0%}' "
            f"style='{_segment_style(colour, hatch, share)};position:relative'>"
            f"{OWN_MARK if own.get(item) == value else ''}"
            f"{'' if share < 0.07 else f'<span style={LABEL_STYLE!r}>{share:.0%}</span>'}"
            f"<span style='{SCREEN_READER_ONLY}'>{escape(label)} {share:.0%}"
            f"{' (your answer)' if own.get(item) == value else ''}</span>"
            "</span>"
            for value, label, colour, hatch, share in zip(
                values, labels, colours, hatches, (float(shares.loc[item, v]) for v in values))
            if share > 0 or own.get(item) == value
        )
        rows.append(
            "<div role='listitem' style='display:grid;grid-template-columns:minmax(12em,40%) 1fr;"
            "align-items:center;gap:1em;margin:.25em 0'>"
            f"<span>{number}. {escape(text)} <span style='opacity:.8'>(n={count})</span></span>"
            "<span style='position:relative;height:1.8em;display:block;"
            "background:linear-gradient(#000,#000) 50% 0 / 2px 100% no-repeat'>"
            f"<span style='position:absolute;left:{offset:.3f}%;width:50%;height:100%;display:flex'>"
            f"{segments}</span>"
            "<span aria-hidden='true' style='position:absolute;left:calc(50% - 1px);top:-.2em;bottom:-.2em;"
            "width:2px;background:#000;z-index:1'></span></span></div>"
        )
    axis = (f"<div aria-hidden='true' style='display:grid;grid-template-columns:minmax(12em,40%) 1fr;gap:1em'>"
            f"<span></span><span style='display:flex;justify-content:space-between'>"
            f"<span>← {escape(labels[0])}</span><span>{escape(labels[-1])} →</span></span></div>")
    return (f"<figure class='peerkit-html-chart' style='font-size:{font_size};margin:0'>"
            f"<figcaption>{title}</figcaption>"
            f"<div style='margin:.5em 0'>{legend}</div>"
            f"<div role='list'>{''.join(rows)}</div>{axis}</figure>")


def rating_profile_html(
    data: pd.DataFrame,
    *,
    exercise: str,
    own: dict[str, Any] | None = None,
    group_label: str = "group",
    min_group: int = MIN_GROUP,
    font_size: str = "1rem",
) -> str:
    """The chart of :func:`peerkit.charts.plot_rating_profile` as HTML: per item, the group's
    average (a hatched bar), the middle half of its ratings (a line) and your rating (a diamond)."""
    definition, data, n = exercise_group(data, exercise)
    own = own or {}
    title = (f"<strong>{escape(definition.title)}</strong><br>"
             f"Your ratings and the {escape(group_label)}'s (n = {n})")
    if n < min_group:
        return _suppressed(title, n, min_group)
    scale = sorted(int(option.value) for option in definition.scale)
    low, high = scale[0], scale[-1]
    ratings = pd.to_numeric(data["value"], errors="coerce")
    stats = ratings.groupby(data["item"]).describe().reindex(definition.item_ids)

    def at(value: float) -> float:
        return 100 * (value - low) / (high - low)

    bar = _background("#5e3c99", "//")
    rows = []
    for number, item in enumerate(definition.item_ids, 1):
        row = stats.loc[item]
        count = 0 if pd.isna(row["count"]) else int(row["count"])
        mean = "" if pd.isna(row["mean"]) else f"{row['mean']:.1f}"
        mine = own.get(item)
        words = f"group average {mean}, middle half {row['25%']:g} to {row['75%']:g}" if mean else "no ratings yet"
        if mine is not None:
            words += f", your rating {mine}"
        graphic = "" if not mean else (
            f"<span style='position:absolute;left:0;width:{at(row['mean']):.2f}%;top:20%;bottom:20%;"
            f"background:{bar};opacity:.75;box-shadow:inset 0 0 0 1px #333'></span>"
            f"<span style='position:absolute;left:{at(row['25%']):.2f}%;width:{at(row['75%']) - at(row['25%']):.2f}%;"
            "top:calc(50% - 2px);height:4px;background:#000'></span>"
        )
        if mine is not None:
            graphic += (f"<span style='position:absolute;left:calc({at(float(mine)):.2f}% - .45em);top:calc(50% - .45em);"
                        f"display:flex'>{OWN_MARK}</span>")
        rows.append(
            "<div role='listitem' style='display:grid;grid-template-columns:minmax(12em,40%) 1fr;"
            "align-items:center;gap:1em;margin:.25em 0'>"
            f"<span>{number}. {escape(definition.item(item).text)} <span style='opacity:.8'>(n={count})</span></span>"
            f"<span style='position:relative;height:1.8em;display:block;border-left:1px solid #333'>{graphic}"
            f"<span style='{SCREEN_READER_ONLY}'>{escape(words)}</span></span></div>"
        )
    ticks = "".join(
        f"<span>{escape(o.label if o.label.startswith(str(o.value)) else f'{o.value} {o.label}')}</span>"
        for o in definition.scale
    )
    legend = (f"<span style='display:inline-block;width:1.6em;height:1em;background:{bar};opacity:.75'></span> "
              f"{escape(group_label.capitalize())} average &nbsp; "
              "<span style='display:inline-block;width:1.6em;height:4px;background:#000;vertical-align:middle'></span> "
              f"Middle half of the group &nbsp; {OWN_MARK}Your rating")
    return (f"<figure class='peerkit-html-chart' style='font-size:{font_size};margin:0'>"
            f"<figcaption>{title}</figcaption><div aria-hidden='true' style='margin:.5em 0'>{legend}</div>"
            f"<div role='list'>{''.join(rows)}</div>"
            "<div aria-hidden='true' style='display:grid;grid-template-columns:minmax(12em,40%) 1fr;gap:1em;"
            f"font-size:.85em'><span></span><span style='display:flex;justify-content:space-between'>{ticks}</span>"
            "</div></figure>")
