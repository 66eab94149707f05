"""Projector panels: one exercise's group answers as a chart, a text summary and discussion prompts (HTML).

The trainer's dashboard, the upload route and the room tally all come here with the
same tidy table (columns ``learner, exercise, item, value``), so they draw the same
charts: :mod:`peerkit.charts_html` (the HTML forms of :mod:`peerkit.charts`) and
:func:`peerkit.agreement.divided_items`. Small groups are hidden per item
(:mod:`peerkit.privacy`); a group smaller than the threshold is not drawn at all. Rows
that are not valid answers (a dict where a choice belongs, undecodable text, a
broken time) are skipped and counted (:mod:`peerkit.chart_data`), and the panel
says so in one line: one bad row never blanks the projector. All HTML comes from
Jinja2 templates with autoescape (``peerkit/templates/panels/``). Nothing here
touches matplotlib, so a panel can be rebuilt on a timer cheaply.
"""
from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from ..chart_data import CHOICE_STYLE, RATING_STYLE, chart_rows, chart_style, skipped_note
from ..exercises import Exercise, load_exercise
from ..kinds import kind_of
from ..privacy import MIN_GROUP_SIZE, suppressed_message
from ..templating import render, rendered

#: Font sizes for a room: the back row must read them.
BIG = "font-size: 1.6rem; line-height: 1.4;"
HUGE = "font-size: 2.2rem; font-weight: 700; margin: 0.3em 0;"
#: The kinds' chart style (:attr:`peerkit.kinds.Kind.chart_style`) whose panel quotes the shared texts.
TEXTS_STYLE = "texts"


def chart_html(data: pd.DataFrame, exercise: str, *, min_group_size: int = MIN_GROUP_SIZE,
               group_label: str = "group") -> str:
    """The exercise's group chart for the projector, drawn as HTML by :mod:`peerkit.charts_html`.

    The same charts as :mod:`peerkit.charts` draws with matplotlib, but redrawn live for
    hundreds of answers in milliseconds rather than about a second, and made of text a
    screen reader can read.
    """
    from ..charts_html import choice_split_html, rating_profile_html

    definition = load_exercise(exercise)
    draw = rating_profile_html if chart_style(definition) == RATING_STYLE else choice_split_html
    return draw(data, exercise=exercise, min_group_size=min_group_size, group_label=group_label, font_size="1.4rem")


def describe(data: pd.DataFrame, exercise: str, *, min_group_size: int = MIN_GROUP_SIZE, group_label: str = "group") -> str:
    """The chart in words (plain text), from :mod:`peerkit.charts`."""
    from .. import charts

    definition = load_exercise(exercise)
    if chart_style(definition) == RATING_STYLE:
        return charts.describe_rating_profile(data, exercise=exercise, min_group_size=min_group_size, group_label=group_label)
    return charts.describe_choice_split(data, exercise=exercise, min_group_size=min_group_size, group_label=group_label)


def discussion_prompts(data: pd.DataFrame, exercise: str, *, min_group_size: int = MIN_GROUP_SIZE,
                       limit: int = 5) -> pd.DataFrame:
    """The most divided items of a choice exercise, most divided first (empty for other kinds).

    Only readable rows count, and only items at least ``min_group_size`` people answered.
    """
    from ..agreement import divided_items

    definition = load_exercise(exercise)
    empty = pd.DataFrame(columns=["item", "text", "top_share", "top_option", "n"])
    if chart_style(definition) != CHOICE_STYLE:
        return empty
    rows = chart_rows(data, definition)
    if rows.n < min_group_size:
        return empty
    return divided_items(rows.data, exercise=exercise, min_answers=min_group_size).head(limit)


def prompts_html(prompts: pd.DataFrame, definition: Exercise) -> str:
    entries = [{"text": str(row.text), "share": f"{row.top_share:.0%}", "option": str(row.top_option),
                "n": int(row.n)} for row in prompts.itertuples()]
    return render("panels/prompts.html", prompts=entries, title=definition.title, big=BIG)


def _texts(data: pd.DataFrame, definition: Exercise) -> list[dict[str, Any]]:
    """The shared texts per item, as the kind summarises them (:meth:`peerkit.kinds.Kind.summarise`)."""
    summary = kind_of(definition).summarise(definition, data)
    blocks = []
    for item in definition.items:
        texts = summary.loc[summary["item"] == item.id, "text"].tolist()
        if not texts:
            continue
        # a fixed order unrelated to who answered first or their pseudonym
        texts.sort(key=lambda t: hashlib.sha256(t.encode()).hexdigest())
        blocks.append({"heading": item.text, "quotes": texts})
    return blocks


def exercise_panel(data: pd.DataFrame, exercise: str, *, min_group_size: int = MIN_GROUP_SIZE, group_label: str = "group",
                   prompts: int = 5) -> str:
    """HTML for one exercise: title, n, chart (or suppression message), text summary, discussion prompts."""
    from ..charts import suppression_message

    definition = load_exercise(exercise)
    rows = chart_rows(data, definition)
    context: dict[str, Any] = {"title": definition.title, "n": None, "suppressed": "", "texts": None, "prompts": "",
                               "chart": "", "summary": "", "plain": "", "note": skipped_note(rows.skipped),
                               "big": BIG, "huge": HUGE}
    if rows.n < min_group_size:
        context["suppressed"] = suppression_message(min_group_size)
        return render("panels/panel.html", **context)
    context["n"] = rows.n
    if kind_of(definition).chart_style == TEXTS_STYLE:
        context["texts"] = _texts(rows.data, definition)
    elif chart_style(definition) is not None:
        context["summary"] = describe(rows.data, exercise, min_group_size=min_group_size, group_label=group_label)
        context["prompts"] = rendered(prompts_html(
            discussion_prompts(rows.data, exercise, min_group_size=min_group_size, limit=prompts), definition))
        context["chart"] = rendered(chart_html(rows.data, exercise, min_group_size=min_group_size, group_label=group_label))
    else:
        context["plain"] = f"{rows.n} people shared {len(rows.data)} answers to this exercise."
    return render("panels/panel.html", **context)


def people_count(count: int, min_group_size: int = MIN_GROUP_SIZE) -> str:
    """A number of people for a table: the number, or "fewer than 5" while it is too small to show."""
    return str(count) if count >= min_group_size or count == 0 else f"fewer than {min_group_size}"


def responders_html(responders: pd.DataFrame, members: int | None = None, *,
                    min_group_size: int = MIN_GROUP_SIZE) -> str:
    """A large table: per exercise, how many people have answered."""
    rows = []
    for row in responders.itertuples():
        try:
            title = load_exercise(row.exercise).title
        except Exception:  # noqa: BLE001 - an exercise from another course version: show its id
            title = str(row.exercise)
        # how many have answered is progress, not anyone's answer: shown as it is, so the trainer knows when to wait
        rows.append({"title": title, "people": int(row.responders)})
    return render("panels/responders.html", members=members, rows=rows, big=BIG)


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
        return render("panels/error.html", exercise=exercise, error=str(error), big=BIG)


__all__ = ["BIG", "HUGE", "TEXTS_STYLE", "chart_html", "describe",
           "discussion_prompts", "prompts_html", "exercise_panel", "responders_html", "data_key", "panel_or_error",
           "people_count", "suppressed_message"]
