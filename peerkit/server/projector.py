"""What the projector page shows, read from the store: counts, charts, discussion prompts.

The page's live part is rebuilt on every revision of the cohort, so a rebuild must
not cost more as the cohort grows. It reads the counts the server keeps up to
date with every answer (``counts``, ``item_respondents``: one row per option of
each item, however many learners answered), never the answers themselves. Shared texts are
not read here: the room's screen and the report take only approved ones from their one
moderation state (:func:`peerkit.server.live_tools.texts.approved`). Each exercise's panel (chart, text summary,
divided items) is drawn again only when that exercise's counts changed
(:class:`PanelCache`): a refresh after one new answer draws one exercise.

The counts are read by :func:`peerkit.server.aggregates.read_counts`, the same
reader the API answers from, and drawn from a :class:`peerkit.group_view.GroupView`
(:func:`peerkit.server.aggregates.answers_view`, :func:`~peerkit.server.aggregates.tally_view`)
(the notebooks' own HTML charts, :mod:`peerkit.charts_html`, their words and the
"most divided" prompts): split bars, rating profiles and knowledge-check results.
An item fewer than the cohort's minimum group size answered is withheld by the view,
so its counts never reach the page. A room tally is a group of its own, drawn beside
the answers and suppressed on its own hands: never added to the answers to pass the
threshold (the same rule as the API).
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..exercises import ContentError, exercise_ids, load_exercise
from ..group_view import GroupView
from ..kinds import kind_of
from ..privacy import suppressed_message
from .aggregates import CohortCounts, answers_view, hands, read_counts, tally_view
#: Most divided items listed as prompts.
MAX_PROMPTS = 5


@dataclass
class Panel:
    """One exercise on the projector."""

    exercise: str
    title: str
    kind: str
    respondents: int
    suppressed: bool
    chart_html: str = ""          # from peerkit.charts_html (escapes its own text)
    summary: str = ""
    hidden_items: int = 0
    open_text: bool = False       # answers are free text: the page says how many, never draws them
    prompts: list[dict[str, Any]] = field(default_factory=list)
    tally_html: str = ""          # the room tally's own chart (hands counted), suppressed on its own
    tally_summary: str = ""
    tally_hands: int = 0
    tally_suppressed: bool = False
    view: Any = None              # the exercise's GroupView (the room's screen pages it), None when suppressed


def decode_value_key(key: str) -> Any:
    """A stored count key back to the answer value (counts keep canonical JSON of the value)."""
    try:
        return json.loads(key)
    except ValueError:
        return key


def _chart(view: GroupView) -> tuple[str, str]:
    """The view's HTML chart and its words ("" and "" for a kind without a chart)."""
    from .. import charts
    from ..charts_html import chart_html

    if view.style not in charts.PLOTS:
        return "", ""
    return chart_html(view, font_size="1.25rem"), charts.PLOTS[view.style][1](view)


def _draw(found: CohortCounts, exercise: str, min_group_size: int) -> Panel | None:
    from ..charts_text import divided_prompts

    view = answers_view(found, exercise, min_group_size)
    if view is None:
        return None  # an exercise of another course version: nothing to draw it with
    definition = view.definition
    kind = kind_of(definition)
    panel = Panel(definition.id, definition.title, definition.kind, view.group_size, not view.shown,
                  open_text=kind.open_text)
    if view.shown and not kind.open_text:
        panel.view = view
        panel.hidden_items = len(view.hidden_items)
        panel.chart_html, panel.summary = _chart(view)
        if view.style == "diverging":
            panel.prompts = divided_prompts(view, MAX_PROMPTS)
    tally = tally_view(found, exercise, min_group_size)
    if tally is not None:
        panel.tally_hands = sum(hands(per) for per in found.tally.get(exercise, {}).values())
        panel.tally_suppressed = not tally.shown
        if tally.shown:
            panel.tally_html, panel.tally_summary = _chart(tally)
    return panel


class PanelCache:
    """Panels by (store, cohort, exercise), redrawn only when the exercise's counts change."""

    def __init__(self, size: int = 512) -> None:
        self._panels: OrderedDict[tuple[str, str, str], tuple[str, Panel | None]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self.drawn = 0  # how many panels were drawn (the benchmark reads it)

    def panel(self, key: tuple[str, str, str], fingerprint: str, draw: Any) -> Panel | None:
        with self._lock:
            cached = self._panels.get(key)
            if cached and cached[0] == fingerprint:
                self._panels.move_to_end(key)
                return cached[1]
        panel = draw()
        with self._lock:
            self.drawn += 1
            self._panels[key] = (fingerprint, panel)
            self._panels.move_to_end(key)
            while len(self._panels) > self._size:
                self._panels.popitem(last=False)
        return panel


CACHE = PanelCache()


def _course_order() -> dict[str, int]:
    order: dict[str, int] = {}
    for position, exercise in enumerate(exercise_ids()):
        try:
            order[exercise] = (int(load_exercise(exercise).chapter[:2]) if load_exercise(exercise).chapter[:2].isdigit()
                               else 99) * 1000 + position
        except ContentError:
            order[exercise] = 10**6 + position
    return order


def _fingerprint(found: CohortCounts, exercise: str, min_group_size: int) -> str:
    raw = json.dumps([min_group_size, found.respondents.get(exercise, 0), found.item_n.get(exercise, {}),
                      found.counts.get(exercise, {}), found.tally.get(exercise, {})], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def live_state(conn: sa.Connection, row: sa.Row, *, cache: PanelCache = CACHE) -> dict[str, Any]:
    """Everything the live part of the projector page shows for cohort ``row``.

    Read with :func:`peerkit.server.aggregates.read_counts`, as the API reads it; a room
    tally is its own group beside the answers (:func:`peerkit.server.aggregates.tally_view`).
    """
    cohort_id, min_group_size = row.id, int(row.min_group_size)
    found = read_counts(conn, row)
    members = found.members
    order = _course_order()
    panels: list[Panel] = []
    for exercise in sorted(set(found.item_n) | set(found.counts) | set(found.tally) | set(found.respondents),
                           key=lambda e: order.get(e, 10**7)):
        panel = cache.panel((str(conn.engine.url), cohort_id, exercise),
                            _fingerprint(found, exercise, min_group_size),
                            lambda e=exercise: _draw(found, e, min_group_size))
        if panel is not None:
            panels.append(panel)
    prompts = sorted((p for panel in panels for p in panel.prompts), key=lambda p: (p["top_share"], -p["n"]))
    return {
        "revision": int(row.revision),
        "members": int(members.get("live", 0)) + int(members.get("file", 0)),
        "members_from_files": int(members.get("file", 0)),
        "answers": sum(sum(per.values()) for per in found.item_n.values()),
        "from_files": found.from_files,
        "tallied": sum(panel.tally_hands for panel in panels),
        "panels": panels,
        "prompts": prompts[:MAX_PROMPTS],
        "min_group_size": min_group_size,
        "suppressed_message": suppressed_message(min_group_size),
    }
