"""Shared texts (reflections, reframes, goals a learner shared) moderated like the wall.

- A shared text is scrubbed of contact details (:func:`peerkit.scrub.scrub_text`) when it
  arrives (:func:`arrived_many`, called in the answer's own transaction, for a whole batch at once), and kept in
  ``room_texts`` beside the answer, ``pending``.
- Only texts the trainer ``approved`` on the console ever reach the room's screen or the
  report; one key hides an approved text again (``hidden``). A learner who edits an
  approved text sends it back to ``pending``: the trainer reads it again.
- A text never carries its writer: rows point at the answer row only, and are listed in
  an order unrelated to who wrote first (a hash of the text).
- Each text is labelled once: the item's own question, or the exercise's title where
  the item has none (never "title: question").

>>> shared_text_of({"text": "  Listening   matters ", "share": True})
'Listening matters'
>>> shared_text_of({"text": "mine", "share": False}) is None
True
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from ...exercises import ContentError, exercise_ids, load_exercise
from ...kinds import kind_of
from ...scrub import scrub_text
from ...timestamps import format_moment, now
from ..problems import Problem
from ..revisions import changed
from .tables import room_texts  # noqa: F401 - also read by trainer_data

#: The one moderation state of a shared text (``room_texts.status``), read by every surface: the room's screen,
#: the console, the report, the trainer API's reflections and responses, the research export. Nothing else
#: (no flag on the answer) says whether a text may be shown.
STATUSES = ("pending", "approved", "hidden")


def on_screen(status: str | None) -> bool:
    """Whether a text in this state may be shown to the room (only an approved one; a text with no state: no)."""
    return status == "approved"


def hid_by_trainer() -> sa.ColumnElement[bool]:
    """SQL: the trainer hid this answer's text (``hidden``): false for a pending or approved text and for an
    answer with no shared text (outer-join ``room_texts`` on ``answer_id``). The research export leaves these out."""
    return sa.func.coalesce(room_texts.c.status == "hidden", sa.false())
#: Most texts on the room's screen at once (the console lists them all).
MAX_ON_SCREEN = 12


@lru_cache(maxsize=1)
def text_exercises() -> frozenset[str]:
    """The exercises whose answers are free text (the kinds' own ``open_text``)."""
    found = set()
    for exercise in exercise_ids():
        try:
            if kind_of(load_exercise(exercise)).open_text:
                found.add(exercise)
        except ContentError:
            continue
    return frozenset(found)


def shared_text_of(value: Any) -> str | None:
    """The text a learner shared in an answer value, whitespace tidied and scrubbed; None if nothing is shared."""
    text: Any = None
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict) and value.get("share") is not False:
        text = next((value[key] for key in ("text", "shared_text", "goal", "summary")
                     if isinstance(value.get(key), str)), None)
    if not isinstance(text, str) or not " ".join(text.split()):
        return None
    return scrub_text(" ".join(text.split()))


def arrived(conn: sa.Connection, cohort_id: str, answer_id: int, exercise: str, item: str, stored: Any) -> None:
    """Keep ``room_texts`` in step with one stored answer (``stored``: its JSON text, or None if withdrawn)."""
    arrived_many(conn, [(cohort_id, answer_id, exercise, item, stored)])


#: Answer ids per ``IN`` list when the stored texts are read (well under SQLite's bound values).
_CHUNK = 500


def arrived_many(conn: sa.Connection, answers: list[tuple[str, int, str, str, Any]]) -> None:
    """Keep ``room_texts`` in step with many stored answers, ``(cohort_id, answer_id, exercise, item, stored)``
    each: one read of the texts held, then at most one insert, one update and one delete for all of them
    (the answer path's batch holds thousands). A new text waits (``pending``); an edited one waits again,
    except a hidden one, which stays hidden; a withdrawn one goes."""
    wanted: dict[int, tuple[str, str, str, str | None]] = {}
    for cohort_id, answer_id, exercise, item, stored in answers:
        if exercise not in text_exercises():
            continue
        try:
            text = shared_text_of(json.loads(stored)) if stored is not None else None
        except (TypeError, ValueError):
            text = None
        wanted[int(answer_id)] = (cohort_id, exercise, item, text)
    if not wanted:
        return
    ids = sorted(wanted)
    held = {}
    for start in range(0, len(ids), _CHUNK):
        held.update({row.answer_id: row for row in conn.execute(
            sa.select(room_texts.c.answer_id, room_texts.c.text, room_texts.c.status)
            .where(room_texts.c.answer_id.in_(ids[start:start + _CHUNK])))})
    stamp = format_moment(now())
    inserts, updates, gone = [], [], []
    for answer_id in ids:
        cohort_id, exercise, item, text = wanted[answer_id]
        existing = held.get(answer_id)
        if text is None:
            if existing is not None:
                gone.append(answer_id)
        elif existing is None:
            inserts.append({"answer_id": answer_id, "cohort_id": cohort_id, "exercise": exercise, "item": item,
                            "text": text, "status": "pending", "arrived_at": stamp})
        elif existing.text != text:  # an edited text is read again; a hidden one stays hidden
            updates.append({"id": answer_id, "text": text, "arrived_at": stamp,
                            "status": "hidden" if existing.status == "hidden" else "pending"})
    for start in range(0, len(gone), _CHUNK):
        conn.execute(sa.delete(room_texts).where(room_texts.c.answer_id.in_(gone[start:start + _CHUNK])))
    if updates:
        conn.execute(_UPDATE_TEXT, updates)
    if inserts:
        conn.execute(sa.insert(room_texts), inserts)


_UPDATE_TEXT = (sa.update(room_texts).where(room_texts.c.answer_id == sa.bindparam("id"))
                .values(text=sa.bindparam("text"), status=sa.bindparam("status"),
                        arrived_at=sa.bindparam("arrived_at"), approved_at=None))


def label(exercise: str, item: str) -> str:
    """The text's one label: the item's question, else the exercise's title."""
    try:
        definition = load_exercise(exercise)
    except ContentError:
        return ""
    try:
        question = definition.item(item).text
    except Exception:  # noqa: BLE001 - a goal id is no item of the exercise
        question = ""
    return question or definition.title


def _describe(row: Any) -> dict[str, Any]:
    return {"id": int(row.answer_id), "exercise": row.exercise, "label": label(row.exercise, row.item),
            "text": row.text, "status": row.status, "arrived_at": row.arrived_at}


def _unlinked(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda t: hashlib.sha256(t["text"].encode()).hexdigest())


def for_trainer(conn: sa.Connection, cohort_id: str) -> list[dict[str, Any]]:
    """Every shared text of the cohort (scrubbed), waiting ones first: the console's moderation list."""
    rows = conn.execute(sa.select(room_texts).where(room_texts.c.cohort_id == cohort_id)
                        .order_by(room_texts.c.arrived_at, room_texts.c.answer_id)).all()
    order = {"pending": 0, "approved": 1, "hidden": 2}
    return sorted((_describe(row) for row in rows), key=lambda t: order[t["status"]])


def approved(conn: sa.Connection, cohort_id: str, limit: int | None = MAX_ON_SCREEN) -> list[dict[str, Any]]:
    """The approved texts: the only texts the room's screen and the report ever hold. No status, no id."""
    query = (sa.select(room_texts).where(room_texts.c.cohort_id == cohort_id, room_texts.c.status == "approved")
             .order_by(room_texts.c.approved_at.desc(), room_texts.c.answer_id.desc()))
    if limit is not None:
        query = query.limit(limit)
    return _unlinked([{"label": label(row.exercise, row.item), "exercise": row.exercise, "text": row.text}
                      for row in conn.execute(query).all()])


def waiting(conn: sa.Connection, cohort_id: str) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(room_texts).where(
        room_texts.c.cohort_id == cohort_id, room_texts.c.status == "pending")).scalar_one())


def moderate(conn: sa.Connection, cohort_id: str, answer_id: int, status: str) -> dict[str, Any]:
    """Approve (``"approved"``) or hide (``"hidden"``) one shared text of the trainer's cohort."""
    assert status in ("approved", "hidden")
    row = conn.execute(sa.select(room_texts).where(room_texts.c.answer_id == answer_id,
                                                   room_texts.c.cohort_id == cohort_id)).first()
    if row is None:
        raise Problem(404, "no-such-text", "No such text", f"This cohort has no shared text {answer_id}.")
    values: dict[str, Any] = {"status": status}
    if status == "approved" and row.status != "approved":
        values["approved_at"] = format_moment(now())
    conn.execute(sa.update(room_texts).where(room_texts.c.answer_id == answer_id).values(**values))
    changed(conn, cohort_id)
    return _describe(conn.execute(sa.select(room_texts).where(room_texts.c.answer_id == answer_id)).one())
