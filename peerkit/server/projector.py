"""What the projector page shows, read from the store: counts, charts, discussion prompts, shared texts.

The page's live part is rebuilt on every revision of the cohort, so a rebuild must
not cost more as the cohort grows. It reads the counts the server keeps up to
date with every answer (``counts``, ``item_respondents``: one row per option of
each item, however many learners answered), never the answers themselves; shared
texts are read with a limit. Each exercise's panel (chart, text summary,
divided items) is drawn again only when that exercise's counts changed
(:class:`PanelCache`): a refresh after one new answer draws one exercise.

Charts are the notebooks' own HTML charts (:mod:`peerkit.charts_html`) and the
prompts :func:`peerkit.agreement.divided_items`, both fed a tidy table made from
the counts (:func:`tidy_from_counts`: the k-th answer of an option on an item is
"hand k", as a room tally is). An item fewer than the cohort's minimum group size
answered is left out of that table entirely, so its counts never reach the page.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..exercises import ContentError, Exercise, exercise_ids, load_exercise
from ..kinds import kind_of
from ..privacy import suppressed_message
from . import db
from .aggregates import CohortCounts, hands, read_counts, with_tally

#: The chart style (:attr:`peerkit.kinds.Kind.chart_style`) drawn as a rating profile; scales of any other are split bars.
PROFILE_STYLE = "profile"
#: Most shared texts on the page (a projector shows a handful; the trainer's API lists them all).
MAX_TEXTS = 24
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


def decode_value_key(key: str) -> Any:
    """A stored count key back to the answer value (counts keep canonical JSON of the value)."""
    try:
        return json.loads(key)
    except ValueError:
        return key


def tidy_from_counts(definition: Exercise, counts: dict[str, dict[Any, int]]) -> pd.DataFrame:
    """Tidy rows ``learner, item, value`` with ``counts[item][value]`` rows for each option.

    ``learner`` numbers the hands within an item (0, 1, …), so the group size the
    charts print is the most answers any item has. Built with numpy (a few ms for
    5,000 learners on 27 items).
    """
    values = [option.value for option in definition.scale]
    items = [item for item in definition.item_ids if item in counts]
    ns, item_codes, value_codes = [], [], []
    for i, item in enumerate(items):
        for j, value in enumerate(values):
            n = int(counts[item].get(value, 0))
            if n > 0:
                ns.append(n)
                item_codes.append(i)
                value_codes.append(j)
    if not ns:
        return pd.DataFrame({"learner": pd.Series(dtype="int64"), "item": pd.Series(dtype=object),
                             "value": pd.Series(dtype=object)})
    n_array = np.asarray(ns, dtype=np.int64)
    item_array = np.asarray(item_codes)
    total = int(n_array.sum())
    # hand number within the item: position within the row block plus the hands of earlier options
    block_start = np.repeat(np.cumsum(n_array) - n_array, n_array)
    earlier = np.zeros_like(n_array)
    for position in range(1, len(n_array)):
        if item_array[position] == item_array[position - 1]:
            earlier[position] = earlier[position - 1] + n_array[position - 1]
    learner = np.arange(total) - block_start + np.repeat(earlier, n_array)
    item_column = pd.Categorical.from_codes(np.repeat(item_array, n_array), categories=items)
    value_index = np.repeat(np.asarray(value_codes), n_array)
    if kind_of(definition).chart_style == PROFILE_STYLE:  # numbers on a scale: keep them numbers
        value_column: Any = np.asarray(values)[value_index]
    else:
        value_column = pd.Categorical.from_codes(value_index, categories=values)
    return pd.DataFrame({"learner": learner, "item": item_column, "value": value_column})


def _draw(definition: Exercise, counts: dict[str, dict[Any, int]], item_n: dict[str, int],
          respondents: int, min_group_size: int) -> Panel:
    from .. import charts
    from ..agreement import divided_items
    from ..charts_html import choice_split_html, rating_profile_html

    kind = kind_of(definition)
    panel = Panel(definition.id, definition.title, definition.kind, respondents, respondents < min_group_size,
                  open_text=kind.open_text)
    if panel.suppressed or kind.open_text or not definition.scale:
        return panel
    shown = {item: per for item, per in counts.items() if item_n.get(item, 0) >= min_group_size}
    panel.hidden_items = sum(1 for item in definition.item_ids if 0 < item_n.get(item, 0) < min_group_size)
    data = tidy_from_counts(definition, shown)
    if kind.chart_style == PROFILE_STYLE:
        panel.chart_html = rating_profile_html(data, exercise=definition.id, min_group_size=min_group_size,
                                               font_size="1.25rem")
        panel.summary = charts.describe_rating_profile(data, exercise=definition.id, min_group_size=min_group_size)
    else:
        panel.chart_html = choice_split_html(data, exercise=definition.id, min_group_size=min_group_size, font_size="1.25rem")
        panel.summary = charts.describe_choice_split(data, exercise=definition.id, min_group_size=min_group_size)
        if len(data):
            divided = divided_items(data, exercise=definition.id, min_answers=min_group_size).head(MAX_PROMPTS)
            panel.prompts = [{"exercise": definition.id, "exercise_title": definition.title, "item": row.item,
                              "text": row.text, "top_share": float(row.top_share),
                              "top_option": row.top_option, "n": int(row.n)} for row in divided.itertuples()]
    return panel


class PanelCache:
    """Panels by (store, cohort, exercise), redrawn only when the exercise's counts change."""

    def __init__(self, size: int = 512) -> None:
        self._panels: OrderedDict[tuple[str, str, str], tuple[str, Panel]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self.drawn = 0  # how many panels were drawn (the benchmark reads it)

    def panel(self, key: tuple[str, str, str], fingerprint: str, draw: Any) -> Panel:
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


def _fingerprint(found: CohortCounts, exercise: str) -> str:
    digest = hashlib.sha256()
    for name, table in (("", found.counts), ("tally", found.tally)):
        for item, per in table.get(exercise, {}).items():
            for key, n in per.items():
                digest.update(f"{name}\0{item}\0{key}\0{n}\n".encode())
    return digest.hexdigest()


def live_state(conn: sa.Connection, row: sa.Row, *, cache: PanelCache = CACHE) -> dict[str, Any]:
    """Everything the live part of the projector page shows for cohort ``row``.

    Read with :func:`peerkit.server.aggregates.read_counts`, as the API reads it; a room
    tally is drawn with the answers (:func:`peerkit.server.aggregates.with_tally`).
    """
    cohort_id, min_group_size = row.id, int(row.min_group_size)
    found = read_counts(conn, row)
    counts: dict[str, dict[str, dict[Any, int]]] = {}
    item_n: dict[str, dict[str, int]] = {}
    respondents: dict[str, int] = dict(found.respondents)
    for exercise in set(found.counts) | set(found.tally) | set(found.item_n):
        merged, people, n = with_tally(found, exercise)
        counts[exercise] = {item: {decode_value_key(key): c for key, c in per.items()} for item, per in merged.items()}
        item_n[exercise] = people
        respondents[exercise] = n
    tallied = {exercise: sum(hands(per) for per in items.values()) for exercise, items in found.tally.items()}
    members = found.members
    from_files = found.from_files
    fingerprints = {exercise: _fingerprint(found, exercise) for exercise in set(found.counts) | set(found.tally)}

    order = _course_order()
    panels: list[Panel] = []
    for exercise in sorted(set(respondents) | set(counts), key=lambda e: order.get(e, 10**7)):
        try:
            definition = load_exercise(exercise)
        except ContentError:
            continue  # an exercise of another course version: nothing to draw it with
        n = int(respondents.get(exercise, 0))
        fingerprint = f"{min_group_size}:{n}:{fingerprints.get(exercise, '')}"
        panels.append(cache.panel(
            (str(conn.engine.url), cohort_id, exercise), fingerprint,
            lambda d=definition, e=exercise, n=n: _draw(d, counts.get(e, {}), item_n.get(e, {}), n, min_group_size)))
    prompts = sorted((p for panel in panels for p in panel.prompts), key=lambda p: (p["top_share"], -p["n"]))
    texts, hidden = shared_texts(conn, cohort_id, min_group_size, respondents)
    return {
        "revision": int(row.revision),
        "members": int(members.get("live", 0)) + int(members.get("file", 0)),
        "members_from_files": int(members.get("file", 0)),
        "answers": sum(sum(per.values()) for per in item_n.values()),
        "from_files": from_files,
        "tallied": sum(tallied.values()),
        "panels": panels,
        "prompts": prompts[:MAX_PROMPTS],
        "texts": texts,
        "hidden_texts": hidden,
        "min_group_size": min_group_size,
        "suppressed_message": suppressed_message(min_group_size),
    }


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if value.get("share") is False:
            return ""
        for key in ("text", "shared_text", "goal", "summary"):
            if isinstance(value.get(key), str):
                return value[key]
    return ""


def shared_texts(conn: sa.Connection, cohort_id: str, min_group_size: int,
                 respondents: dict[str, int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The newest shared texts (visible, and hidden by the trainer), of exercises enough people answered.

    Shown in an order unrelated to who wrote first (a hash of the text), so the room
    cannot tell whose text is whose from the order.
    """
    text_exercises = []
    for exercise, n in respondents.items():
        try:
            open_text = kind_of(load_exercise(exercise)).open_text
        except ContentError:
            continue
        if open_text and int(n) >= min_group_size:
            text_exercises.append(exercise)
    if not text_exercises:
        return [], []
    rows = conn.execute(
        sa.select(db.answers.c.id, db.answers.c.exercise, db.answers.c.item, db.answers.c.value, db.answers.c.hidden)
        .where(db.answers.c.cohort_id == cohort_id, db.answers.c.exercise.in_(text_exercises),
               db.answers.c.value.is_not(None))
        .order_by(db.answers.c.id.desc()).limit(MAX_TEXTS * 2)).all()
    shown, hidden = [], []
    for row in rows:
        try:
            text = _text_of(json.loads(row.value))
        except ValueError:
            continue
        if not text.strip():
            continue
        definition = load_exercise(row.exercise)
        try:
            prompt = definition.item(row.item).text
        except Exception:  # noqa: BLE001 - a goal id is no item of the exercise
            prompt = definition.title
        entry = {"id": int(row.id), "exercise": row.exercise, "title": definition.title, "prompt": prompt,
                 "text": text, "hidden": bool(row.hidden)}
        (hidden if row.hidden else shown).append(entry)
    order = lambda t: hashlib.sha256(t["text"].encode()).hexdigest()  # noqa: E731
    return sorted(shown[:MAX_TEXTS], key=order), sorted(hidden[:MAX_TEXTS], key=order)
