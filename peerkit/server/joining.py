"""Joining a cohort with its code and a pseudonym, with brakes on guessing and on scripted joins.

- A cohort is found by one indexed lookup of the code's HMAC (:func:`.cohorts.code_hmac`).
- Wrong codes are counted per client address in a fixed window
  (``ServerSettings.join_failures_per_client`` per ``join_window_seconds``): past the
  limit every join from that address is refused with 429 and ``Retry-After`` until
  the window ends, right code or not, so a guesser learns nothing more.
- Every join, right code or wrong, is counted per client too (``joins_per_client``
  per window, a classroom's worth), *before* the cohort's count: one client's
  flood is stopped at its own brake and never fills the cohort's.
- Joins are counted per cohort too (``joins_per_cohort`` per window): a script
  cannot mint members by the thousand to outvote a small group's privacy threshold.
- The client is the address the connection comes from (a proxy's ``X-Forwarded-For``
  only from the trusted proxies, ``--forwarded-allow-ips``); on a hub it is the hub
  user, and a hub user has one membership per cohort (``learners.hub_key``, an HMAC
  of the hub name: the store keeps no hub names of learners).
- The trainer can lock joining (``cohorts.joining_locked``) once the room is in.
- The counters live in the store (``join_attempts``), so every worker sees them.

A pseudonym that already joined live gets 409 (its token is in that learner's own
store); one known only from a hand-in file is taken over by the live learner, whose
answers from then on replace the file's.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import sqlalchemy as sa

from ..cohort.codes import normalize_join_code
from ..cohort.errors import JoinCodeError
from ..cohort.pseudonym import PSEUDONYM_PATTERN
from ..timestamps import format_moment, now
from . import db
from .tokens import LEARNER_PREFIX, new_token
from .cohorts import code_hmac
from .revisions import changed
from .problems import Problem
from .settings import ServerSettings


def check_pseudonym(pseudonym: Any) -> str:
    if not isinstance(pseudonym, str) or not PSEUDONYM_PATTERN.fullmatch(pseudonym):
        raise Problem(422, "invalid-pseudonym", "Not a pseudonym",
                      "Join with your pseudonym (p- and 20 hex digits, made by peerkit from your own secret), "
                      "never with a name.")
    return pseudonym


def _window_count(conn: sa.Connection, bucket: str) -> tuple[int, int]:
    row = conn.execute(sa.select(db.join_attempts).where(db.join_attempts.c.bucket == bucket)).first()
    return (int(row.window_start), int(row.n)) if row else (0, 0)


def _retry_after(window_start: int, window: int) -> str:
    return str(max(1, window_start + window - int(time.time())))


def _count(conn: sa.Connection, bucket: str, window: int) -> None:
    moment = int(time.time())
    start, n = _window_count(conn, bucket)
    if moment - start >= window:
        db.upsert(conn, db.join_attempts, {"bucket": bucket, "window_start": moment, "n": 1}, ("bucket",),
                  replace=("window_start", "n"))
    else:
        conn.execute(sa.update(db.join_attempts).where(db.join_attempts.c.bucket == bucket)
                     .values(n=db.join_attempts.c.n + 1))


def _over(conn: sa.Connection, bucket: str, limit: int, window: int) -> str | None:
    """``Retry-After`` seconds when ``bucket`` is at its limit in the current window, else None."""
    start, n = _window_count(conn, bucket)
    if time.time() - start < window and n >= limit:
        return _retry_after(start, window)
    return None


def _too_many(retry_after: str, detail: str) -> Problem:
    return Problem(429, "too-many-joins", "Too many tries", detail, headers={"Retry-After": retry_after})


def hub_key(secret: bytes, hub_user: str) -> str:
    """What the store keeps of a learner's hub name: an HMAC under the server's secret."""
    return hmac.new(secret, b"hub-user:" + hub_user.encode("utf-8"), hashlib.sha256).hexdigest()


def join(engine: sa.Engine, secret: bytes, settings: ServerSettings, code: Any, pseudonym: Any,
         client: str, hub_user: str | None = None) -> dict[str, Any]:
    """Join and return ``{"token", "cohort", "pseudonym"}``; a :class:`Problem` says why not.

    ``hub_user``: on a hub, the hub name the join's hub token belongs to (then the brakes count per hub user
    and the hub user may hold one membership per cohort).
    """
    pseudonym = check_pseudonym(pseudonym)
    window = settings.join_window_seconds
    person = hub_key(secret, hub_user) if hub_user is not None else None
    who = f"hub:{person[:40]}" if person else client
    client_bucket = f"client:{who}"[:160]
    joins_bucket = f"joins:{who}"[:160]
    with db.reading(engine) as conn:
        wait = _over(conn, client_bucket, settings.join_failures_per_client, window)
        too_often = _over(conn, joins_bucket, settings.joins_per_client, window)
    if wait:
        raise _too_many(wait, f"Too many wrong join codes from this address. Wait {wait} seconds, then type "
                              "the code again carefully.")
    if too_often:
        raise _too_many(too_often, f"Too many joins from this address in the last few minutes. Wait {too_often} "
                                   "seconds. (A whole class behind one address? Your trainer can raise the limit.)")
    db.write(engine, lambda conn: _count(conn, joins_bucket, window))
    try:
        key = code_hmac(secret, code)
    except JoinCodeError as error:
        db.write(engine, lambda conn: _count(conn, client_bucket, window))
        raise Problem(422, "invalid-join-code", "Not a join code", str(error)) from None
    with db.reading(engine) as conn:
        cohort_id = conn.execute(sa.select(db.cohorts.c.id).where(db.cohorts.c.code_hmac == key)).scalar()
    if cohort_id is None:
        db.write(engine, lambda conn: _count(conn, client_bucket, window))
        raise Problem(404, "no-such-join-code", "Wrong join code",
                      f"No open group has the join code {normalize_join_code(code)[:3]}-"
                      f"{normalize_join_code(code)[3:]}. Check it with your trainer (it may have been changed).")
    token = new_token(LEARNER_PREFIX)

    def work(conn: sa.Connection) -> dict[str, Any]:
        cohort = db.lock_cohort(conn, cohort_id)
        if cohort is None or cohort.code_hmac != key:  # deleted or code rotated in the meantime
            raise Problem(404, "no-such-join-code", "Wrong join code",
                          "This join code no longer works. Ask your trainer for the current one.")
        if cohort.status != "open":
            raise Problem(410, "cohort-closed", "Group closed",
                          f"The group {cohort.name!r} is closed: it takes no new members or answers.")
        if cohort.joining_locked:
            raise Problem(403, "joining-locked", "Joining is locked",
                          "Your trainer has locked joining for this group: the room is in. Ask them to open it.")
        if person is not None and conn.execute(sa.select(db.learners.c.id).where(
                db.learners.c.cohort_id == cohort_id, db.learners.c.hub_key == person)).first():
            raise Problem(409, "already-joined", "Already joined",
                          "Your hub account is already a member of this group (each person joins once). "
                          "Your notebook keeps your membership; to start afresh, leave the group first.")
        cohort_bucket = f"cohort:{cohort_id}"
        wait = _over(conn, cohort_bucket, settings.joins_per_cohort, window)
        if wait:
            raise _too_many(wait, f"Too many people joined this group in the last few minutes. Try again in "
                                  f"{wait} seconds.")
        existing = conn.execute(sa.select(db.learners).where(db.learners.c.cohort_id == cohort_id,
                                                             db.learners.c.pseudonym == pseudonym)).first()
        if existing is not None and existing.source == "live":
            raise Problem(409, "already-joined", "Already joined",
                          "You have already joined this group, and the course remembers it. To start afresh, "
                          "leave the group first.")
        if existing is not None:  # known from a hand-in file: the live learner takes it over
            conn.execute(sa.update(db.learners).where(db.learners.c.id == existing.id)
                         .values(token_hash=db.token_hash(token), source="live", hub_key=person))
        else:
            conn.execute(sa.insert(db.learners).values(cohort_id=cohort_id, pseudonym=pseudonym,
                                                       token_hash=db.token_hash(token), source="live",
                                                       joined_at=format_moment(now()), last_seq=0, hub_key=person))
        _count(conn, cohort_bucket, window)
        changed(conn, cohort_id)
        return {"token": token, "pseudonym": pseudonym,
                "cohort": {"id": cohort.id, "name": cohort.name, "min_group_size": cohort.min_group_size}}

    return db.write(engine, work)
