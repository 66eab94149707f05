"""The room's screen (the projector page): one thing at a time, chosen by the trainer.

The screens, in the order the presenter keys step through them (keys 1-7,
:data:`peerkit.server.live_tools.tables.SCREENS`): the join screen (code, address, QR
code), one exercise's chart (the chart pages, :func:`chart_pages`), the poll on show,
the wall's approved posts, the approved shared texts, the timer with its activity
card, and the practice conversation the room is doing (``conversation``,
:mod:`peerkit.server.live_tools.scenario_room`). The trainer moves the screen from the console or with the keys on the projector
page; the choice is kept on the server (``session_state.screen``), so every open
projector page shows the same thing.

:func:`screen_context` builds only what the chosen screen shows, from the views that
already leave out everything the room may not see: charts from the projector's panels
(items under the cohort's minimum group size withheld), poll results only once revealed
with enough answers, approved wall posts and approved texts only. Nothing waiting for
the trainer or under the threshold is ever in the page's HTML.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from .live_tools import scenario_room, session_state, texts
from .live_tools.tables import SCREENS
from .projector import live_state

#: Words for each screen (the console's buttons and the help overlay say them).
SCREEN_NAMES = {"join": "How to join", "chart": "Charts", "poll": "The poll", "wall": "The wall",
                "texts": "Shared texts", "timer": "Timer and activity",
                "conversation": "Practice conversation"}


#: Items on one page of a chart, by the chart's style: a long chart is paged (split bars most divided first).
ITEMS_PER_PAGE = {"diverging": 5, "profile": 6, "options": 2}
#: The chart's type size on the room's screen (the page's root size follows the viewport).
CHART_FONT = "1.1rem"


def _paged(view: Any) -> list[list[str]]:
    """The view's shown items in pages (:data:`ITEMS_PER_PAGE`); split bars most divided first."""
    shown = list(view.shown_items)
    per_page = ITEMS_PER_PAGE.get(view.style, len(shown) or 1)
    if len(shown) <= per_page:
        return [shown]
    ordered = shown
    if view.style == "diverging":
        ranked = [row.item for row in view.divided(threshold=1.0)]
        ordered = ranked + [item for item in shown if item not in ranked]
    return [ordered[i:i + per_page] for i in range(0, len(ordered), per_page)]


def page_chart(view: Any, items: list[str]) -> str:
    """The HTML chart of ``items`` only, in that order (a page of a long chart)."""
    from ..charts_html import chart_html
    from ..group_view import GroupView

    definition = view.definition
    part = replace(definition, items=tuple(definition.item(item) for item in items))
    counts = {item: dict(view.counts(item) or {}) for item in items}
    people = {item: int(view.item_n(item) or 0) for item in items}
    return chart_html(GroupView(part, counts, people, view.group_size, view.min_group_size, view.label),
                      font_size=CHART_FONT)


def chart_pages(live: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page a chart screen can show, in course order: ``{"exercise", "page", "pages", "title"}``.

    Only exercises with a chart the room may see (enough people answered, or enough hands counted in the
    room's tally: a room without laptops sees its own count) have pages.
    """
    found = []
    for panel in live["panels"]:
        answers_shown = not panel.suppressed and bool(panel.chart_html)
        if not answers_shown and not getattr(panel, "tally_html", ""):
            continue
        count = len(_paged(panel.view)) if answers_shown and panel.view is not None else 1
        found += [{"exercise": panel.exercise, "page": page, "pages": count, "title": panel.title}
                  for page in range(count)]
    return found


def _chosen_chart(live: dict[str, Any], screen: dict[str, Any]) -> tuple[Any, int, int]:
    """The panel on show, its position among the chart pages and how many pages there are."""
    pages = chart_pages(live)
    if not pages:
        return None, 0, 0
    position = next((i for i, p in enumerate(pages)
                     if p["exercise"] == screen["exercise"] and p["page"] == screen["page"]), None)
    if position is None:
        position = next((i for i, p in enumerate(pages) if p["exercise"] == screen["exercise"]), 0)
    exercise = pages[position]["exercise"]
    panel = next(panel for panel in live["panels"] if panel.exercise == exercise)
    return panel, position, len(pages)


def _page_of(live: dict[str, Any], screen: dict[str, Any]) -> dict[str, Any]:
    pages = chart_pages(live)
    _, position, _ = _chosen_chart(live, screen)
    return pages[position] if pages else {"page": 0, "pages": 0}


def step_chart(conn: sa.Connection, cohort: Any, by: Any) -> dict[str, Any]:
    """Show the next (``by`` 1) or previous (-1) chart page, or (0, or from another screen) the current one."""
    if isinstance(by, bool) or by not in (1, 0, -1):
        by = 0
    live = live_state(conn, cohort)
    screen = session_state.screen_of(session_state._row(conn, cohort.id))
    pages = chart_pages(live)
    if not pages:
        return session_state.set_screen(conn, cohort.id, "chart")
    _, position, count = _chosen_chart(live, screen)
    if screen["screen"] == "chart":
        position = max(0, min(count - 1, position + by))
    chosen = pages[position]
    return session_state.set_screen(conn, cohort.id, "chart", chosen["exercise"], chosen["page"])


def screen_context(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    """What the room's screen shows now: the screen's name and only that screen's content."""
    tools = session_state.projector_view(conn, cohort)
    screen = tools["screen"]
    context: dict[str, Any] = {"screen": screen["screen"], "revision": int(cohort.revision),
                               "min_group_size": int(cohort.min_group_size),
                               "suppressed_message": tools["suppressed_message"],
                               "screens": [(number, name, SCREEN_NAMES[name])
                                           for number, name in enumerate(SCREENS, start=1)],
                               "members": 0, "panel": None, "position": 0, "pages": 0, "waiting_panels": 0, "chart": "",
                               "page": 0, "page_count": 0,
                               "poll": None, "wall": None, "texts": [], "timer": None, "activity": None,
                               "conversation": None, "place": None}
    kind = screen["screen"]
    if kind == "join":
        live = live_state(conn, cohort)
        context.update(members=live["members"], place=tools["place"])
    elif kind == "chart":
        live = live_state(conn, cohort)
        panel, position, count = _chosen_chart(live, screen)
        page = _page_of(live, screen)
        chart = panel.chart_html if panel is not None and not panel.suppressed else ""
        if panel is not None and panel.view is not None and page["pages"] > 1:
            chart = page_chart(panel.view, _paged(panel.view)[page["page"]])
        context.update(panel=panel, position=position, pages=count, chart=chart, page=page["page"],
                       page_count=page["pages"],
                       waiting_panels=sum(1 for p in live["panels"] if p.suppressed and p.respondents))
    elif kind == "poll":
        context["poll"] = tools["poll"]
    elif kind == "wall":
        context["wall"] = tools["wall"]
    elif kind == "texts":
        context["texts"] = texts.approved(conn, cohort.id)
    elif kind == "timer":
        context.update(timer=tools["timer"], activity=tools["activity"])
    elif kind == scenario_room.SCREEN:
        context["conversation"] = scenario_room.projector_part(conn, cohort)
    return context


def console_context(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    """The console's view (:func:`peerkit.server.live_tools.session_state.trainer_view`) with the room's screen."""
    view = session_state.trainer_view(conn, cohort)
    live = live_state(conn, cohort)
    view["charts"] = [page for page in chart_pages(live) if page["page"] == 0]  # one button per exercise
    panel, _, _ = _chosen_chart(live, view["screen"])
    view["chart_now"] = panel.title if panel is not None else ""
    view["screens"] = [(number, name, SCREEN_NAMES[name]) for number, name in enumerate(SCREENS, start=1)]
    view["screen_names"] = SCREEN_NAMES
    view["texts_waiting"] = sum(1 for text in view["texts"] if text["status"] == "pending")
    return view
