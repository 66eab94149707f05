"""Quick polls the trainer asks on the spot: single choice, several choices, a 1-5 scale, or one word.

Rules, in plain functions (the routes in :mod:`peerkit.server.routes.live_tools` only call them):

- a poll is checked when it is made (:func:`check_poll`): a question of at most
  :data:`MAX_QUESTION` characters, 2 to :data:`MAX_OPTIONS` distinct options for the
  choice kinds, none for the scale and word kinds;
- each learner has one answer per poll and may change it while the poll is open
  (:func:`record_answer`); the answer is checked against the poll (:func:`check_answer`):
  an option of the poll, a set of them, a whole number 1-5, or one short word, which is
  run through the contact-detail scrubber (:func:`peerkit.scrub.scrub_text`)
  and refused if it held any;
- results (:func:`results`) exist only once at least the cohort's ``min_group_size``
  answered; the trainer then reveals them (:func:`reveal`, refused before that), and
  only revealed results with enough answers ever reach the projector, learners or the
  report (:func:`public_results`), checked again on every read (a learner who leaves
  takes their answer along).

>>> check_answer({"kind": "scale", "options": []}, 4)
4
>>> check_answer({"kind": "word", "options": []}, "  Listening ")
'listening'
"""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import sqlalchemy as sa

from ...privacy import too_few
from ...scrub import scrub_text
from ...timestamps import format_moment, now
from .. import db
from ..revisions import changed
from ..problems import Problem
from .tables import poll_answers, polls, session_state

KINDS = ("single", "multiple", "scale", "word")
KIND_WORDS = {"single": "one choice", "multiple": "several choices", "scale": "a scale from 1 to 5",
              "word": "one word"}
SCALE = (1, 2, 3, 4, 5)
MAX_QUESTION = 300
MAX_OPTIONS = 8
MAX_OPTION = 80
MAX_WORD = 30
#: Most words a word poll lists (ranked by how many people gave each).
TOP_WORDS = 20
_PLACEHOLDER = re.compile(r"\[(email|phone|url)\]")


class PollRefused(ValueError):
    """An answer or poll the rules do not take; the message is plain words for the learner or trainer."""


def _clean_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise PollRefused(f"The {what} must be text.")
    text = " ".join(value.split())
    if not text:
        raise PollRefused(f"The {what} is empty.")
    if len(text) > limit:
        raise PollRefused(f"The {what} is too long ({len(text)} characters; at most {limit}).")
    return text


def check_poll(kind: Any, question: Any, options: Any) -> tuple[str, str, list[str]]:
    """``(kind, question, options)`` cleaned, or :class:`PollRefused`."""
    if kind not in KINDS:
        raise PollRefused("A poll is one of: single (one choice), multiple (several choices), scale (1 to 5) "
                          "or word (one word).")
    question = _clean_text(question, "question", MAX_QUESTION)
    if kind in ("scale", "word"):
        if options not in (None, []):
            raise PollRefused(f"A {KIND_WORDS[kind]} poll has no options to type.")
        return kind, question, []
    if not isinstance(options, list):
        raise PollRefused("Give the options as a list of short texts.")
    cleaned = [_clean_text(option, "option", MAX_OPTION) for option in options]
    cleaned = [option for option in cleaned if option]
    if len(cleaned) < 2 or len(cleaned) > MAX_OPTIONS:
        raise PollRefused(f"A choice poll needs 2 to {MAX_OPTIONS} options (it has {len(cleaned)}).")
    if len({option.casefold() for option in cleaned}) != len(cleaned):
        raise PollRefused("Two options are the same; make each option different.")
    return kind, question, cleaned


def check_answer(poll: Any, value: Any) -> Any:
    """The answer as stored (an option, a sorted list of options, a number, a lower-case word), or
    :class:`PollRefused` with the reason in plain words."""
    kind = poll["kind"] if isinstance(poll, dict) else poll.kind
    options = poll["options"] if isinstance(poll, dict) else json.loads(poll.options)
    if kind == "single":
        if not isinstance(value, str) or value not in options:
            raise PollRefused("Choose one of the poll's options.")
        return value
    if kind == "multiple":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise PollRefused("Choose one or more of the poll's options.")
        if any(v not in options for v in value) or len(set(value)) != len(value):
            raise PollRefused("Choose only the poll's options, each once.")
        return sorted(value, key=options.index)
    if kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise PollRefused("Choose a whole number from 1 to 5.")
        return value
    word = _clean_text(value, "word", MAX_WORD).casefold()
    if len(word.split()) > 2:
        raise PollRefused("Give one word (or two), not a sentence.")
    if _PLACEHOLDER.search(scrub_text(word)) or scrub_text(word) != word:
        raise PollRefused("A poll word cannot hold contact details (an email, phone number or web address).")
    return word


def describe(row: Any, n: int) -> dict[str, Any]:
    return {"id": int(row.id), "kind": row.kind, "question": row.question, "options": json.loads(row.options),
            "status": row.status, "revealed": bool(row.revealed), "answers": n, "created_at": row.created_at}


def answer_count(conn: sa.Connection, poll_id: int) -> int:
    """How many people answered the poll (one indexed count)."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(poll_answers)
                            .where(poll_answers.c.poll_id == poll_id)).scalar_one())


def results(conn: sa.Connection, row: Any, min_group_size: int) -> dict[str, Any]:
    """The poll with its counts, or ``"suppressed": True`` (no counts) while fewer than ``min_group_size`` answered."""
    n = answer_count(conn, int(row.id))
    poll = describe(row, n)
    if too_few(n, min_group_size):
        return {**poll, "suppressed": True}
    # the distinct answers are few (options, their sets, words): count them in the database
    grouped = conn.execute(sa.select(poll_answers.c.value, sa.func.count()).where(
        poll_answers.c.poll_id == int(row.id)).group_by(poll_answers.c.value)).all()
    if row.kind == "word":
        counted = Counter({json.loads(value): int(k) for value, k in grouped})
        ranked = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_WORDS]
        return {**poll, "suppressed": False, "words": [{"word": w, "n": k} for w, k in ranked]}
    keys = [str(s) for s in SCALE] if row.kind == "scale" else poll["options"]
    counted = Counter()
    for value, k in grouped:
        decoded = json.loads(value)
        for chosen in (decoded if isinstance(decoded, list) else [decoded]):
            counted[str(chosen)] += int(k)
    return {**poll, "suppressed": False, "counts": [{"option": key, "n": counted.get(key, 0)} for key in keys]}


def public_results(conn: sa.Connection, row: Any, min_group_size: int) -> dict[str, Any] | None:
    """Results the room may see: revealed by the trainer AND answered by at least ``min_group_size``; else None."""
    if not row.revealed:
        return None
    shown = results(conn, row, min_group_size)
    return None if shown["suppressed"] else shown


# -- changes ---------------------------------------------------------------------------------

def create(conn: sa.Connection, cohort_id: str, kind: Any, question: Any, options: Any) -> dict[str, Any]:
    """A new open poll, put on show (the poll shown before is closed). Call inside a write transaction
    with the cohort locked."""
    kind, question, options = check_poll(kind, question, options)
    conn.execute(sa.update(polls).where(polls.c.cohort_id == cohort_id, polls.c.status == "open")
                 .values(status="closed"))
    poll_id = conn.execute(sa.insert(polls).values(
        cohort_id=cohort_id, kind=kind, question=question, options=db.dumps(options), status="open",
        revealed=False, created_at=format_moment(now())).returning(polls.c.id)).scalar_one()
    db.upsert(conn, session_state, {"cohort_id": cohort_id, "poll_id": poll_id}, ("cohort_id",),
              replace=("poll_id",))
    changed(conn, cohort_id)
    return describe(_poll(conn, cohort_id, poll_id), 0)


def _poll(conn: sa.Connection, cohort_id: str, poll_id: int) -> Any:
    row = conn.execute(sa.select(polls).where(polls.c.id == poll_id, polls.c.cohort_id == cohort_id)).first()
    if row is None:
        raise Problem(404, "no-such-poll", "No such poll", "This group has no such poll.")
    return row


def reveal(conn: sa.Connection, cohort: Any, poll_id: int) -> dict[str, Any]:
    _poll(conn, cohort.id, poll_id)
    n = answer_count(conn, poll_id)
    if too_few(n, int(cohort.min_group_size)):
        raise Problem(409, "too-few-answers", "Too few answers",
                      f"Only {n} {'person' if n == 1 else 'people'} answered; the results can be shown once at "
                      f"least {cohort.min_group_size} answered, so nobody's answer can be picked out.")
    conn.execute(sa.update(polls).where(polls.c.id == poll_id).values(revealed=True))
    changed(conn, cohort.id)
    return results(conn, _poll(conn, cohort.id, poll_id), int(cohort.min_group_size))


def set_status(conn: sa.Connection, cohort_id: str, poll_id: int, status: str) -> dict[str, Any]:
    row = _poll(conn, cohort_id, poll_id)
    conn.execute(sa.update(polls).where(polls.c.id == row.id).values(status=status))
    changed(conn, cohort_id)
    return describe(_poll(conn, cohort_id, poll_id), answer_count(conn, poll_id))


def record_answer(conn: sa.Connection, cohort_id: str, learner_id: int, poll_id: int, value: Any) -> dict[str, Any]:
    """Store (or change) a learner's answer to an open poll of their own cohort."""
    row = conn.execute(sa.select(polls).where(polls.c.id == poll_id, polls.c.cohort_id == cohort_id)).first()
    if row is None:
        raise Problem(404, "no-such-poll", "No such poll", "Your group has no such poll.")
    if row.status != "open":
        raise Problem(409, "poll-closed", "Poll closed", "This poll is closed: it takes no more answers.")
    try:
        checked = check_answer(row, value)
    except PollRefused as refusal:
        raise Problem(422, "poll-answer-refused", "Answer not taken", str(refusal)) from None
    db.upsert(conn, poll_answers, {"poll_id": poll_id, "learner_id": learner_id, "value": db.dumps(checked),
                                   "answered_at": format_moment(now())}, ("poll_id", "learner_id"),
              replace=("value", "answered_at"))
    changed(conn, cohort_id)
    return {"poll": poll_id, "answer": checked}


def own_answer(conn: sa.Connection, poll_id: int, learner_id: int) -> Any:
    raw = conn.execute(sa.select(poll_answers.c.value).where(
        poll_answers.c.poll_id == poll_id, poll_answers.c.learner_id == learner_id)).scalar()
    return None if raw is None else json.loads(raw)


def list_for_trainer(conn: sa.Connection, cohort: Any) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(polls).where(polls.c.cohort_id == cohort.id).order_by(polls.c.id)).all()
    return [results(conn, row, int(cohort.min_group_size)) for row in rows]


def revealed_for_report(conn: sa.Connection, cohort: Any) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(polls).where(polls.c.cohort_id == cohort.id, polls.c.revealed.is_(True))
                        .order_by(polls.c.id)).all()
    shown = (public_results(conn, row, int(cohort.min_group_size)) for row in rows)
    return [poll for poll in shown if poll is not None]
