"""Reading a portfolio file back: the whole file is checked before anything is written.

A JSON portfolio, or the Markdown or HTML copy (which carry the same portfolio in a
comment at their end). Any problem raises :class:`~peerkit.errors.ImportFileError`
naming the file, the entry and the problem.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..cohort.pseudonym import is_pseudonym
from ..answers import check_answer
from ..errors import AnswerError, ImportFileError
from ..exercises import exercise_ids, load_exercise
from ..model import SCHEMA_VERSION, utc_now
from ..timestamps import parse_moment
from .format import (
    CLOCK_TOLERANCE,
    FIX as _FIX,
    FORMAT,
    FORMAT_VERSION,
    FORMER_COHORT_KEYS,
    FORMER_COHORT_SETTING,
    MAX_BYTES,
    PORTABLE_SETTINGS,
    PSEUDONYM as _PSEUDONYM,
    READABLE_VERSIONS,
    embedded_portfolio,
)

#: The longest group name a portfolio may bring back (a trainer's label, shown as text).
MAX_GROUP_NAME = 200


@dataclass(frozen=True)
class Entry:
    """One checked answer from a portfolio file."""

    exercise: str
    item: str
    value: Any
    answered_at: datetime
    schema_version: int


_Entry = Entry


def read_source(source: str | Path | bytes | bytearray | memoryview, name: str | None) -> tuple[str, bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "the uploaded file"
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        label = str(path)
        if not path.is_file():
            problem = "it is a folder" if path.is_dir() else "there is no such file"
            raise ImportFileError(f"Cannot restore from {label}: {problem}. Nothing was changed. Check the path.")
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ImportFileError(too_big(label, path.stat().st_size))
            data = path.read_bytes()
        except OSError as error:
            raise ImportFileError(
                f"Cannot restore from {label}: it cannot be read ({error.strerror or error}). Nothing was changed."
            ) from error
    else:
        raise TypeError(f"restore() needs a file path or the file's bytes, not {type(source).__name__}.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(too_big(label, len(data)))
    return label, data


def too_big(label: str, size: int) -> str:
    return (
        f"Cannot restore from {label}: it is {size / 1024 / 1024:.1f} MB, more than a portfolio can be "
        f"({MAX_BYTES // 1024 // 1024} MB). Nothing was changed. {_FIX}"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _check_former_cohort(value: Any, fail: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - FORMER_COHORT_KEYS or not {"name", "pseudonym"} <= set(value):
        raise fail("'settings.former_cohort' is not a group membership peerkit wrote (only a name, a pseudonym "
                   "and the exercises shared)")
    name, pseudonym, share = value["name"], value["pseudonym"], value.get("share", [])
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_GROUP_NAME:
        raise fail(f"'settings.former_cohort.name' must be a group name (text, at most {MAX_GROUP_NAME} characters)")
    if not is_pseudonym(pseudonym):
        raise fail("'settings.former_cohort.pseudonym' must be a group pseudonym such as 'p-0123456789abcdef0123'")
    known = set(exercise_ids())
    if not isinstance(share, list) or not all(isinstance(e, str) and e in known for e in share) \
            or len(set(share)) != len(share):
        raise fail("'settings.former_cohort.share' is not a group membership peerkit wrote (a list of exercises)")
    return {"name": name, "pseudonym": pseudonym, "share": list(share)}


def _from_version_1(settings: dict[str, Any], fail: Any) -> dict[str, Any]:
    """Format 1 kept the whole membership (with the cohort id, and sometimes an address): keep three facts."""
    settings = dict(settings)
    cohort = settings.pop("cohort", None)
    if cohort is not None:
        if not isinstance(cohort, dict) or not all(isinstance(v, (str, list, type(None))) for v in cohort.values()):
            raise fail("'settings.cohort' is not a group membership peerkit wrote")
        facts = {"name": cohort.get("name") or cohort.get("cohort"), "pseudonym": cohort.get("pseudonym"),
                 "share": cohort.get("share") or []}
        settings[FORMER_COHORT_SETTING] = facts
    return settings


def check_settings(settings: Any, fail: Any, version: int = FORMAT_VERSION) -> dict[str, Any]:
    """The portable settings of a portfolio, checked (see :data:`~.format.PORTABLE_SETTINGS`)."""
    if not isinstance(settings, dict):
        raise fail(f"'settings' must be a JSON object, found {type(settings).__name__}")
    if version == 1:
        settings = _from_version_1(settings, fail)
    unknown = sorted(set(settings) - set(PORTABLE_SETTINGS))
    if unknown:
        raise fail(f"'settings' holds {', '.join(map(repr, unknown))}, which a portfolio never carries")
    checked: dict[str, Any] = {}
    secret = settings.get("cohort_secret")
    if secret is not None:
        if not (isinstance(secret, str) and re.fullmatch(r"[0-9a-f]{64}", secret)):
            raise fail("'settings.cohort_secret' must be 64 lowercase hexadecimal characters")
        checked["cohort_secret"] = secret
    if settings.get(FORMER_COHORT_SETTING) is not None:
        checked[FORMER_COHORT_SETTING] = _check_former_cohort(settings[FORMER_COHORT_SETTING], fail)
    return checked


def parse_portfolio(data: bytes, label: str = "the file") -> tuple[dict[str, Any], list[_Entry]]:
    """Check a portfolio file completely; return it and its entries, or raise :class:`ImportFileError`."""

    def fail(problem: str) -> ImportFileError:
        return ImportFileError(f"Cannot restore from {label}: {problem}. Nothing was changed. {_FIX}")

    carried = embedded_portfolio(data) if not data.lstrip()[:1] in (b"{", b"\xef") else None
    if carried is not None:  # the Markdown or HTML copy: the portfolio rides in a comment at its end
        data = carried
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise fail(f"it is not a text file (byte {error.start} is not UTF-8)") from error
    try:
        portfolio = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise fail(f"it is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from error
    except (ValueError, RecursionError) as error:
        raise fail(f"it is not valid JSON ({error})") from error

    if not isinstance(portfolio, dict):
        raise fail("it is not a peerkit portfolio (the top level must be a JSON object)")
    if portfolio.get("format") != FORMAT:
        found = portfolio.get("format")
        hint = " (a submission file goes to your trainer; it cannot be restored)" if found == "peerkit-submission" else ""
        raise fail(f"it is not a peerkit portfolio: 'format' is {found!r}, expected {FORMAT!r}{hint}")
    version = portfolio.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise fail(f"'format_version' must be a whole number, found {version!r}")
    if version > FORMAT_VERSION:
        raise ImportFileError(
            f"Cannot restore from {label}: it was saved by a newer peerkit (portfolio format {version}; "
            f"this one reads format {FORMAT_VERSION}). Nothing was changed. Upgrade peerkit "
            "(pip install -U peerkit), then restore it again."
        )
    if version not in READABLE_VERSIONS:
        raise fail(f"'format_version' {version} is not one peerkit ever wrote (expected {FORMAT_VERSION})")
    learner = portfolio.get("learner")
    if not isinstance(learner, str) or not _PSEUDONYM.match(learner):
        raise fail(f"'learner' must be a peerkit pseudonym such as 'learner-1a2b3c4d5e6f', found {learner!r}")
    if not isinstance(portfolio.get("exported_at"), str) or _aware_time(portfolio["exported_at"]) is None:
        raise fail(f"'exported_at' must be an ISO-8601 time with a time zone, found {portfolio.get('exported_at')!r}")
    if not isinstance(portfolio.get("peerkit_version", ""), str):
        raise fail("'peerkit_version' must be text")
    portfolio = {**portfolio, "settings": check_settings(portfolio.get("settings", {}), fail, version)}
    responses = portfolio.get("responses")
    if not isinstance(responses, list):
        raise fail(f"'responses' must be a list of answers, found {type(responses).__name__}")

    known = set(exercise_ids())
    latest = utc_now() + CLOCK_TOLERANCE
    problems: list[str] = []
    entries: list[_Entry] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(responses, start=1):
        where = f"entry {number} of {len(responses)}"
        try:
            entry = _check_entry(raw, known, latest)
        except _EntryProblem as problem:
            problems.append(f"{where}{problem.where}: {problem}")
            continue
        key = (entry.exercise, entry.item)
        if key in seen:
            problems.append(f"{where} (exercise {entry.exercise!r}, item {entry.item!r}): the same item "
                            f"already appears in entry {seen[key]}")
            continue
        seen[key] = number
        entries.append(entry)
    if problems:
        more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
        raise fail("; ".join(problems[:3]) + more)
    return portfolio, entries


class _EntryProblem(ValueError):
    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where


def _aware_time(text: str) -> datetime | None:
    try:
        return parse_moment(text, require_zone=True)
    except ValueError:
        return None


def _check_entry(raw: Any, known: set[str], latest: datetime) -> _Entry:
    if not isinstance(raw, dict):
        raise _EntryProblem(f"an answer must be a JSON object, found {type(raw).__name__}")
    for key, kind in (("exercise", str), ("item", str), ("answered_at", str)):
        if not isinstance(raw.get(key), kind) or not raw[key]:
            raise _EntryProblem(f"'{key}' must be non-empty text, found {raw.get(key)!r}")
    exercise_id, item_id = raw["exercise"], raw["item"]
    where = f" (exercise {exercise_id!r}, item {item_id!r})"
    if exercise_id not in known:
        raise _EntryProblem("this course has no such exercise", where)
    if "value" not in raw or raw["value"] is None:
        raise _EntryProblem("the answer has no 'value'", where)
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise _EntryProblem(
            f"'schema_version' must be a whole number from 1 to {SCHEMA_VERSION}, found {version!r}"
            + (" (saved by a newer peerkit: upgrade peerkit first)" if isinstance(version, int) and version > SCHEMA_VERSION else ""),
            where,
        )
    answered_at = _aware_time(raw["answered_at"])
    if answered_at is None:
        raise _EntryProblem(
            f"'answered_at' must be an ISO-8601 time with a time zone, such as 2025-01-31T09:30:00+00:00, "
            f"found {raw['answered_at']!r}",
            where,
        )
    if answered_at > latest:
        raise _EntryProblem(f"'answered_at' {raw['answered_at']} lies in the future", where)
    try:
        check_answer(load_exercise(exercise_id), item_id, raw["value"])
    except AnswerError as error:
        raise _EntryProblem(str(error).rstrip("."), where) from error
    return _Entry(exercise_id, item_id, raw["value"], answered_at, version)
