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

import pandas as pd

from .agreement import choice_shares
from .charts import HATCHES, MIN_GROUP, _palette, group_size, suppression_message
from .exercises import load_exercise

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
_LIGHT = {"#bdbdbd"}  # segments that need dark text


def _background(colour: str, hatch: str) -> str:
    pattern = _PATTERNS.get(hatch, "none")
    return f"{pattern}, {colour}" if pattern != "none" else colour


def _segment_style(colour: str, hatch: str, width: float) -> str:
    text = "color:#000;" if colour in _LIGHT else "color:#fff;text-shadow:0 0 3px #000,0 0 2px #000;"
    return (f"width:{width * 100:.3f}%;background:{_background(colour, hatch)};{text}"
            "display:inline-flex;align-items:center;justify-content:center;overflow:hidden;"
            "white-space:nowrap;height:100%;box-shadow:inset 0 0 0 1px #333;")


def choice_split_html(
    data: pd.DataFrame,
    *,
    exercise: str,
    group_label: str = "group",
    min_group: int = MIN_GROUP,
    font_size: str = "1.25rem",
) -> str:
    """The diverging stacked bar chart of :func:`peerkit.charts.plot_choice_split`, as HTML."""
    definition = load_exercise(exercise)
    if "exercise" in data.columns:
        data = data[data["exercise"] == exercise]
    n = group_size(data)
    title = (f"<strong>{escape(definition.title)}</strong><br>"
             f"How the {escape(group_label)} answered (n = {n})")
    if n < min_group:
        return (f"<figure class='peerkit-html-chart'><figcaption>{title}</figcaption>"
                f"<p>{escape(suppression_message(n, min_group))}</p></figure>")
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
    )
    rows = []
    for number, item in enumerate(shares.index, 1):
        text = definition.item(item).text
        count = int(shares.loc[item, "n"])
        # the track runs from all-left (-100%) to all-right (+100%); a whole bar is half of it,
        # and its left end sits `left` of the centre line
        offset = 50 - 50 * float(left[item])
        segments = "".join(
            f"<span title='{escape(label, quote=True)}: {share:.0%}' "
            f"style='{_segment_style(colour, hatch, share)}'>"
            f"{'' if share < 0.07 else f'{share:.0%}'}"
            f"<span class='peerkit-sr-only' style='position:absolute;left:-9999px'>{escape(label)} {share:.0%}</span>"
            "</span>"
            for label, colour, hatch, share in zip(labels, colours, hatches, (float(shares.loc[item, v]) for v in values))
            if share > 0
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
            "width:2px;background:#000'></span></span></div>"
        )
    axis = (f"<div aria-hidden='true' style='display:grid;grid-template-columns:minmax(12em,40%) 1fr;gap:1em'>"
            f"<span></span><span style='display:flex;justify-content:space-between'>"
            f"<span>← {escape(labels[0])}</span><span>{escape(labels[-1])} →</span></span></div>")
    return (f"<figure class='peerkit-html-chart' style='font-size:{font_size};margin:0'>"
            f"<figcaption>{title}</figcaption>"
            f"<div style='margin:.5em 0'>{legend}</div>"
            f"<div role='list'>{''.join(rows)}</div>{axis}</figure>")
