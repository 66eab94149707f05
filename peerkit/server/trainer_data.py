"""What a trainer reads and does inside one of their own cohorts: aggregates, shared texts, hand-in files,
room tallies, row-level responses. Every function first finds the cohort *owned by this trainer*
(:func:`.cohorts.owned`): another trainer's cohort is a 404, exactly like a cohort that does not exist.

Hand-in files (``peerkit.cohort.handin`` format) are checked with that module's
rules and then with the server's own answer rule (:func:`.checking.check_shared`).
A file from a pseudonym that joined through the server is not used: the live
learner's answers are never overwritten. A newer file from the same pseudonym
replaces the older one as a whole. Answers from files are counted
(``from_files`` in the aggregates).
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote, urlencode
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..cohort.handin import load_submissions
from ..cohort.tally import TallyError, check_counts
from ..timestamps import format_moment, now, parse_moment
from . import aggregates, db
from .checking import AnswerRefused, check_shared, exercise_for
from .cohorts import owned
from .live_tools import texts  # issue 18: shared texts scrubbed and moderated like the wall
from .problems import Problem
from .revisions import changed

#: Most hand-in files in one upload.
MAX_FILES = 500
#: Answers per page of ``GET /cohorts/{id}/responses`` unless the caller asks for fewer (or up to the most).
RESPONSES_PAGE = 1000
RESPONSES_PAGE_MAX = 5000


def _open(row: sa.Row, what: str) -> None:
    if row.status != "open":
        raise Problem(410, "cohort-closed", "Cohort closed", f"The cohort {row.name!r} is closed: {what}.")


def cohort_aggregates(engine: sa.Engine, trainer_id: str, cohort_id: str, exercise: str | None) -> dict[str, Any]:
    with db.reading(engine) as conn:
        row = owned(conn, trainer_id, cohort_id)
        try:
            return aggregates.read(conn, row, exercise)
        except AnswerRefused as error:
            raise Problem(404, "no-such-exercise", "No such exercise", str(error)) from None


def shared_texts(engine: sa.Engine, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    """The shared reflections, reframes and goals (no pseudonyms: a text is not linked to its writer here).

    One entry per shared text the room's moderation holds (:mod:`.live_tools.texts`, the one state): ``text`` the
    learner's text as stored, line breaks kept (the trainer reads it whole; the room reads it on one line,
    scrubbed), ``status`` its state, ``hidden`` true unless it is approved (not on the room's screen), ``value``
    the answer as stored.
    """
    with db.reading(engine) as conn:
        owned(conn, trainer_id, cohort_id)
        held = texts.room_texts
        rows = conn.execute(sa.select(db.answers.c.id, db.answers.c.exercise, db.answers.c.item,
                                      db.answers.c.value, db.answers.c.received_at, db.answers.c.source,
                                      held.c.text, held.c.status)
                            .join(held, held.c.answer_id == db.answers.c.id)
                            .where(held.c.cohort_id == cohort_id, db.answers.c.value.is_not(None))
                            .order_by(db.answers.c.received_at, db.answers.c.id)).all()
    found = []
    for row in rows:
        value = json.loads(row.value)
        text = value.get("text") if isinstance(value, dict) else value if isinstance(value, str) else None
        found.append({"id": row.id, "exercise": row.exercise, "item": row.item,
                      "text": text if isinstance(text, str) else row.text, "value": value,
                      "hidden": not texts.on_screen(row.status), "status": row.status,
                      "received_at": row.received_at, "source": row.source})
    return {"reflections": found}


def set_hidden(engine: sa.Engine, trainer_id: str, cohort_id: str, text_id: int, hidden: bool) -> dict[str, Any]:
    """Hide a shared text from the room, or approve it for the room: the console's own moderation
    (:func:`.live_tools.texts.moderate`), so every surface follows it."""
    def work(conn: sa.Connection) -> dict[str, Any]:
        owned(conn, trainer_id, cohort_id, lock=True)
        shown = texts.moderate(conn, cohort_id, text_id, "hidden" if hidden else "approved")
        return {"id": text_id, "hidden": not texts.on_screen(shown["status"]), "status": shown["status"]}

    return db.write(engine, work)


# -- hand-in files ----------------------------------------------------------------------------

def _as_bytes(document: Any) -> bytes:
    if isinstance(document, str):
        return document.encode("utf-8")
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _checked_responses(responses: list[dict[str, Any]]) -> dict[tuple[str, str], str | None]:
    checked = {}
    for response in responses:
        try:
            checked[(response["exercise"], response["item"])] = check_shared(
                response["exercise"], response["item"], response["value"])
        except AnswerRefused as error:
            raise AnswerRefused(f"{response['exercise']}/{str(response['item'])[:40]}: {error}") from None
    return checked


def upload_submissions(engine: sa.Engine, trainer_id: str, cohort_id: str, documents: Any) -> dict[str, Any]:
    """Load hand-in files into the cohort: ``{"stored", "rejected", "answers", "summary"}``."""
    if not isinstance(documents, list) or not documents:
        raise Problem(422, "no-files", "No files", "Send the hand-in files as a list: {\"submissions\": [...]}.")
    if len(documents) > MAX_FILES:
        raise Problem(413, "too-many-files", "Too many files", f"Send at most {MAX_FILES} files at a time.")
    with db.reading(engine) as conn:
        _open(owned(conn, trainer_id, cohort_id), "it takes no more answers, from files either")
    files = []
    for position, document in enumerate(documents, start=1):
        name = f"file {position}"
        if isinstance(document, dict) and isinstance(document.get("name"), str) and "content" in document:
            name, document = document["name"][:200], document["content"]
        files.append((name, _as_bytes(document)))
    accepted, rejected_files = load_submissions(files, cohort=cohort_id)
    rejected = [{"name": r.name, "reason": r.reason} for r in rejected_files]
    checked = []
    for submission in accepted:
        try:
            checked.append((submission, _checked_responses(submission.responses)))
        except AnswerRefused as error:
            rejected.append({"name": submission.name, "reason": str(error)})

    def work(conn: sa.Connection) -> dict[str, Any]:
        _open(owned(conn, trainer_id, cohort_id, lock=True), "it takes no more answers")
        stored, refused_now, answers = [], [], 0
        for submission, values in checked:
            outcome = _store_file(conn, cohort_id, submission.pseudonym, submission.created_at, values,
                                  submission.research_consent)
            if outcome is None:
                stored.append(submission.name)
                answers += sum(1 for v in values.values() if v is not None)
            else:
                refused_now.append({"name": submission.name, "reason": outcome})
        if stored:
            changed(conn, cohort_id)
        return {"stored": stored, "rejected": refused_now, "answers": answers}

    result = db.write(engine, work)
    result["rejected"] = rejected + result["rejected"]
    result["summary"] = (f"Loaded {len(result['stored'])} file(s) ({result['answers']} answers)."
                         + (f" {len(result['rejected'])} not used (see the list)." if result["rejected"] else ""))
    return result


def _store_file(conn: sa.Connection, cohort_id: str, pseudonym: str, created_at: datetime,
                values: dict[tuple[str, str], str | None], research_consent: bool = False) -> str | None:
    """Store one file's answers for ``pseudonym``; returns why not, or None when stored."""
    learner = conn.execute(sa.select(db.learners).where(db.learners.c.cohort_id == cohort_id,
                                                        db.learners.c.pseudonym == pseudonym)).first()
    created = format_moment(created_at)
    if learner is not None and learner.source == "live":
        return ("this person joined through the server, so their own answers are kept and the file is not "
                "used.")
    if learner is not None and learner.file_created_at and parse_moment(learner.file_created_at) >= created_at:
        return "a newer (or the same) file from this person is already loaded."
    stamp = format_moment(now())
    if learner is None:
        learner_id = conn.execute(sa.insert(db.learners).values(
            cohort_id=cohort_id, pseudonym=pseudonym, token_hash=None, source="file", joined_at=stamp,
            last_seq=0, file_created_at=created, research_consent=research_consent,
            research_consent_at=stamp).returning(db.learners.c.id)).scalar_one()
    else:
        learner_id = learner.id
        conn.execute(sa.update(db.learners).where(db.learners.c.id == learner_id)
                     .values(file_created_at=created, research_consent=research_consent,
                             research_consent_at=stamp))  # the newer file's choice
    old = {(r.exercise, r.item): r for r in conn.execute(sa.select(db.answers).where(
        db.answers.c.learner_id == learner_id))}
    changes = aggregates.CountChanges(cohort_id, {k: (r.value, r.source) for k, r in old.items()})
    shared = []  # the file's texts, kept in room_texts together (the one moderation state)
    for key in sorted(set(old) | set(values)):  # the new file replaces the old one as a whole
        before, after = old.get(key), values.get(key)
        changes.change(key[0], key[1], after, "file")
        if after is None:
            if before is not None:
                conn.execute(sa.delete(db.answers).where(db.answers.c.id == before.id))
        elif before is None:
            answer_id = conn.execute(sa.insert(db.answers).values(
                cohort_id=cohort_id, learner_id=learner_id, exercise=key[0], item=key[1], value=after, seq=0,
                received_at=stamp, source="file").returning(db.answers.c.id)).scalar_one()
            shared.append((cohort_id, answer_id, key[0], key[1], after))
        else:
            conn.execute(sa.update(db.answers).where(db.answers.c.id == before.id).values(
                value=after, received_at=stamp, source="file"))
            shared.append((cohort_id, before.id, key[0], key[1], after))
    texts.arrived_many(conn, shared)
    changes.flush(conn)
    return None


# -- room tally -------------------------------------------------------------------------------

def record_tally(engine: sa.Engine, trainer_id: str, cohort_id: str, exercise: Any, counts: Any) -> dict[str, Any]:
    """Replace the room tally of one exercise: ``counts`` is ``{item: {option: hands}}``."""
    try:
        exercise_for(exercise)
        if not isinstance(counts, Mapping) or not all(isinstance(v, Mapping) for v in counts.values()):
            raise TallyError("Send the hands as {item: {option: number of hands}}.")
        checked = check_counts(counts, exercise=exercise)
    except (TallyError, AnswerRefused) as error:
        raise Problem(422, "invalid-tally", "Tally not used", str(error)) from None

    def work(conn: sa.Connection) -> dict[str, Any]:
        _open(owned(conn, trainer_id, cohort_id, lock=True), "it takes no more answers")
        conn.execute(sa.delete(db.tallies).where(db.tallies.c.cohort_id == cohort_id,
                                                 db.tallies.c.exercise == exercise))
        stamp = format_moment(now())
        for item, per_option in checked.items():
            for value, hands in per_option.items():
                if hands:
                    conn.execute(sa.insert(db.tallies).values(cohort_id=cohort_id, exercise=exercise, item=item,
                                                              value_key=db.dumps(value), n=hands,
                                                              recorded_at=stamp))
        changed(conn, cohort_id)
        return {"exercise": exercise, "items": len(checked),
                "hands": sum(sum(row.values()) for row in checked.values())}

    return db.write(engine, work)


# -- research export --------------------------------------------------------------------------

def _responses_query(cohort_id: str, exercise: str | None, after: int) -> sa.Select:
    query = (sa.select(db.answers.c.id, db.learners.c.pseudonym, db.answers.c.exercise, db.answers.c.item,
                       db.answers.c.value, db.answers.c.received_at, db.answers.c.source,
                       # hidden by the trainer in the one moderation state of shared texts (issue 18)
                       texts.hid_by_trainer().label("hidden"),
                       db.learners.c.research_consent)
             .join(db.learners, db.learners.c.id == db.answers.c.learner_id)
             .outerjoin(texts.room_texts, texts.room_texts.c.answer_id == db.answers.c.id)
             .where(db.answers.c.cohort_id == cohort_id, db.answers.c.value.is_not(None), db.answers.c.id > after))
    if exercise is not None:
        query = query.where(db.answers.c.exercise == exercise)
    return query.order_by(db.answers.c.id)


def _response(row: sa.Row) -> dict[str, Any]:
    return {"id": row.id, "pseudonym": row.pseudonym, "exercise": row.exercise, "item": row.item,
            "value": json.loads(row.value), "received_at": row.received_at, "source": row.source,
            "hidden": bool(row.hidden), "research_consent": bool(row.research_consent)}


def _cohort_facts(cohort: sa.Row) -> dict[str, Any]:
    return {"id": cohort.id, "name": cohort.name, "min_group_size": cohort.min_group_size}


def responses(engine: sa.Engine, trainer_id: str, cohort_id: str, exercise: str | None, *, after: int = 0,
              limit: int = RESPONSES_PAGE) -> dict[str, Any]:
    """One page of row-level pseudonymous answers (withdrawn ones left out), for ``peerkit export``.

    Pages run in the order answers were first stored (their row id, an index
    lookup): ``after`` is the last ``id`` of the page before, and ``next`` the path
    of the following page (``None`` on the last). An answer changed while pages are
    read keeps its place, so every answer comes exactly once. Each answer says
    whether the trainer hid it (``hidden``) and whether its learner agreed to
    research use (``research_consent``): the export leaves out both kinds.
    """
    with db.reading(engine) as conn:
        cohort = owned(conn, trainer_id, cohort_id)
        rows = conn.execute(_responses_query(cohort_id, exercise, after).limit(limit + 1)).all()
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        query_string = urlencode({**({"exercise": exercise} if exercise is not None else {}),
                                  "after": rows[-1].id, "limit": limit})
        following = f"/api/v1/cohorts/{quote(cohort.id, safe='')}/responses?{query_string}"
    return {"cohort": _cohort_facts(cohort), "responses": [_response(r) for r in rows], "next": following}


def all_responses(url: str, cohort_ids: list[str] | None = None, exercise: str | None = None
                  ) -> Iterator[dict[str, Any]]:
    """For whoever holds the server's database (``peerkit export <database>``): per cohort, the body
    ``GET /api/v1/cohorts/{id}/responses`` gives, all pages joined: ``{"cohort": {...}, "responses": [...]}``.

    ``url`` is the server's database (a SQLite path or URL, or a PostgreSQL URL); it is
    opened read-only in spirit (nothing is written, no migration is run) and must already
    be a peerkit server's store. ``cohort_ids`` None: every cohort.
    """
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
        raise Problem(404, "no-database", "No database",
                      f"{parsed.database} is not a peerkit server's database file (cohorts.sqlite).")
    engine = db.make_engine(url)
    try:
        try:
            with db.reading(engine) as conn:
                known = {row.id: row for row in conn.execute(sa.select(db.cohorts).order_by(db.cohorts.c.id))}
                conn.execute(sa.select(db.learners.c.research_consent).limit(1)).all()
                conn.execute(sa.select(texts.room_texts.c.status).limit(1)).all()
                # before 0010_one_text_state some hides were kept on the answers only: reading them here
                # unmigrated would let those texts out
                old_hides = "hidden" in {column["name"] for column in sa.inspect(conn).get_columns("answers")}
        except sa.exc.SQLAlchemyError as error:
            raise Problem(422, "not-a-store", "Not a peerkit store",
                          "The database does not hold a peerkit server's cohorts of this version (start "
                          f"`peerkit serve` on it once to bring it up to date) ({type(error).__name__}).") from None
        if old_hides:
            raise Problem(422, "not-a-store", "Store of an older version",
                          "The database is a peerkit server's store of an older version, whose texts hidden by "
                          "the trainer are not all where this version reads them: start `peerkit serve` on it "
                          "once to bring it up to date, then export.")
        wanted = list(known) if cohort_ids is None else list(cohort_ids)
        for cohort_id in wanted:
            if cohort_id not in known:
                raise Problem(404, "no-cohort", "No such cohort", f"The database holds no cohort {cohort_id!r}.")
            answers: list[dict[str, Any]] = []
            after = 0
            while True:
                with db.reading(engine) as conn:
                    rows = conn.execute(_responses_query(cohort_id, exercise, after).limit(RESPONSES_PAGE)).all()
                answers += [_response(r) for r in rows]
                if len(rows) < RESPONSES_PAGE:
                    break
                after = rows[-1].id
            yield {"cohort": _cohort_facts(known[cohort_id]), "responses": answers}
    finally:
        engine.dispose()
