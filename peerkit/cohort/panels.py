"""Projector panels: one exercise's group answers as a chart, a text summary and discussion prompts (HTML).

The trainer's dashboard, the upload route and the room tally all come here with the
same tidy table (columns ``learner, exercise, item, value``), so they draw the same
charts: :mod:`peerkit.charts_html` (the HTML forms of :mod:`peerkit.charts`) and
:func:`peerkit.agreement.divided_items`. A group smaller than ``min_group`` is not
drawn at all; the panel says so. Every piece of text, whether course text or a
learner's shared reflection, is escaped with :func:`html.escape` before it becomes HTML.
Nothing here touches matplotlib, so a panel can be rebuilt on a timer cheaply.
"""
from __future__ import annotations

import hashlib
from html import escape
from typing import Any

import pandas as pd

from ..exercises import Exercise, load_exercise

#: Font sizes for a room: the back row must read them.
BIG = "font-size: 1.6rem; line-height: 1.4;"
HUGE = "font-size: 2.2rem; font-weight: 700; margin: 0.3em 0;"
CHOICE_KINDS = frozenset({"choice_matrix", "knowledge_check"})
RATING_KINDS = frozenset({"rating"})
TEXT_KINDS = frozenset({"reflection"})


def _for_exercise(data: pd.DataFrame, exercise: str) -> pd.DataFrame:
    if "exercise" in data.columns:
        data = data[data["exercise"] == exercise]
    return data


def chart_html(data: pd.DataFrame, exercise: str, *, min_group: int = 5, group_label: str = "group") -> str:
    """The exercise's group chart for the projector, drawn as HTML by :mod:`peerkit.charts_html`.

    The same charts as :mod:`peerkit.charts` draws with matplotlib, but redrawn live for
    hundreds of answers in milliseconds rather than about a second, and made of text a
    screen reader can read.
    """
    from ..charts_html import choice_split_html, rating_profile_html

    definition = load_exercise(exercise)
    draw = rating_profile_html if definition.kind in RATING_KINDS else choice_split_html
    return draw(data, exercise=exercise, min_group=min_group, group_label=group_label, font_size="1.4rem")


def describe(data: pd.DataFrame, exercise: str, *, min_group: int = 5, group_label: str = "group") -> str:
    """The chart in words (plain text), from :mod:`peerkit.charts`."""
    from .. import charts

    definition = load_exercise(exercise)
    if definition.kind in RATING_KINDS:
        return charts.describe_rating_profile(data, exercise=exercise, min_group=min_group, group_label=group_label)
    return charts.describe_choice_split(data, exercise=exercise, min_group=min_group, group_label=group_label)


def discussion_prompts(data: pd.DataFrame, exercise: str, *, min_group: int = 5, limit: int = 5) -> pd.DataFrame:
    """The most divided items of a choice exercise, most divided first (empty for other kinds)."""
    from ..agreement import divided_items

    definition = load_exercise(exercise)
    data = _for_exercise(data, exercise)
    if definition.kind not in CHOICE_KINDS or not definition.scale or data["learner"].nunique() < min_group:
        return pd.DataFrame(columns=["item", "text", "top_share", "top_option", "n"])
    return divided_items(data, exercise=exercise, min_answers=min_group).head(limit)


def prompts_html(prompts: pd.DataFrame, definition: Exercise) -> str:
    if prompts.empty:
        return ""
    entries = "".join(
        f"<li style='{BIG}'>“{escape(str(row.text))}” "
        f"<span style='font-size:1.2rem'>(most common answer only {row.top_share:.0%}: "
        f"{escape(str(row.top_option))}; n = {int(row.n)})</span></li>"
        for row in prompts.itertuples()
    )
    return (f"<div role='note' style='border-left: 0.4rem solid #5e3c99; padding-left: 1rem;'>"
            f"<p style='{BIG} font-weight:700'>Talk about: where the group is divided "
            f"({escape(definition.title)})</p><ol>{entries}</ol></div>")


def _suppressed(definition: Exercise, n: int, min_group: int) -> str:
    from ..charts import suppression_message

    return (f"<section aria-label='{escape(definition.title, quote=True)}'>"
            f"<h2 style='{HUGE}'>{escape(definition.title)}</h2>"
            f"<p style='{BIG}'>{escape(suppression_message(n, min_group))}</p></section>")


def _texts(data: pd.DataFrame, definition: Exercise) -> str:
    blocks = []
    for item in definition.items:
        values = data.loc[data["item"] == item.id, "value"]
        texts = [v.get("text", "") for v in values if isinstance(v, dict) and str(v.get("text", "")).strip()]
        if not texts:
            continue
        # a fixed order unrelated to who answered first or their pseudonym
        texts.sort(key=lambda t: hashlib.sha256(t.encode()).hexdigest())
        quotes = "".join(f"<li style='{BIG} white-space: pre-wrap'>{escape(t)}</li>" for t in texts)
        blocks.append(f"<h3 style='{BIG} font-weight:700'>{escape(item.text)}</h3><ul>{quotes}</ul>")
    return "".join(blocks) or f"<p style='{BIG}'>No reflections shared yet.</p>"


def exercise_panel(data: pd.DataFrame, exercise: str, *, min_group: int = 5, group_label: str = "group",
                   prompts: int = 5) -> str:
    """HTML for one exercise: title, n, chart (or suppression message), text summary, discussion prompts."""
    definition = load_exercise(exercise)
    data = _for_exercise(data, exercise)
    n = int(data["learner"].nunique()) if len(data) else 0
    if n < min_group:
        return _suppressed(definition, n, min_group)
    title = f"<h2 style='{HUGE}'>{escape(definition.title)} <span style='font-weight:400'>(n = {n})</span></h2>"
    if definition.kind in TEXT_KINDS:
        body = _texts(data, definition)
    elif definition.scale and (definition.kind in CHOICE_KINDS or definition.kind in RATING_KINDS):
        summary = describe(data, exercise, min_group=min_group, group_label=group_label)
        body = (prompts_html(discussion_prompts(data, exercise, min_group=min_group, limit=prompts), definition)
                + chart_html(data, exercise, min_group=min_group, group_label=group_label)
                + f"<p style='{BIG}'>{escape(summary)}</p>")
    else:
        answers = len(data)
        body = f"<p style='{BIG}'>{n} people shared {answers} answers to this exercise.</p>"
    return f"<section aria-label='{escape(definition.title, quote=True)}'>{title}{body}</section>"


def responders_html(responders: pd.DataFrame, members: int | None = None) -> str:
    """A large table: per exercise, how many people have answered."""
    titles = {}
    for exercise in responders["exercise"]:
        try:
            titles[exercise] = load_exercise(exercise).title
        except Exception:  # noqa: BLE001 - an exercise from another course version: show its id
            titles[exercise] = exercise
    head = "" if members is None else f"<p style='{BIG}'>{members} joined.</p>"
    if responders.empty:
        return head + f"<p style='{BIG}'>No answers yet. They appear here as people answer.</p>"
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left; padding-right:2rem'>{escape(str(titles[row.exercise]))}</th>"
        f"<td style='text-align:right'>{int(row.responders)}</td></tr>"
        for row in responders.itertuples()
    )
    return (head + f"<table style='{BIG} border-collapse: collapse'><caption style='text-align:left'>"
            "People who answered, per exercise</caption><thead><tr><th scope='col' style='text-align:left'>"
            "Exercise</th><th scope='col'>People</th></tr></thead><tbody>" + rows + "</tbody></table>")


def data_key(data: pd.DataFrame) -> str:
    """A fingerprint of a tidy table: unchanged data need not be drawn again."""
    if data.empty:
        return "empty"
    hashed = pd.util.hash_pandas_object(data[["learner", "item"]].assign(value=data["value"].map(repr)),
                                        index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()


def panel_or_error(data: pd.DataFrame, exercise: str, **kwargs: Any) -> str:
    """:func:`exercise_panel`, or a short escaped message if this exercise cannot be drawn."""
    try:
        return exercise_panel(data, exercise, **kwargs)
    except Exception as error:  # noqa: BLE001 - one broken panel must not blank the projector
        return f"<p style='{BIG}'>{escape(exercise)}: cannot be shown ({escape(str(error))}).</p>"
