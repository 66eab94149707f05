"""Hand-in files: the format, written and read here, for a room where learners cannot reach the server.

A learner writes one JSON file holding only what they chose to share
(:func:`peerkit.client.membership.write_submission`) and hands it in (upload, e-mail,
a shared drive). The trainer uploads many at once in ``pk.live_session()``; the
server checks each with :func:`load_submissions`. Format (version 1)::

    {"format": "peerkit-submission", "format_version": 1,
     "cohort": "cohort-xxxxxxxx", "pseudonym": "p-<20 hex>",
     "created_at": "2024-05-01T09:30:00.000000+00:00",
     "research_consent": false,
     "responses": [{"exercise": "boundaries", "item": "B01", "value": "maybe",
                    "answered_at": "2024-05-01T09:12:00.000000+00:00"}, ...]}

:func:`load_submissions` checks every file on its own (size, encoding, format and
version, types, known exercises and items, values on the exercise's scale; line
breaks in texts made LF, from CR LF or a lone CR). A bad
file is listed with its reason and changes nothing. Of several files from one
pseudonym in an upload the newest (``created_at``) is used, so a learner who changes
their mind, or withdraws (a file with no responses), hands in a new file. The server
has the one rule for storing them: a later file replaces that pseudonym's earlier file,
and a file never overwrites a learner who sent answers live.

>>> accepted, rejected = load_submissions([path], cohort="cohort-abcdefgh")      # doctest: +SKIP
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..answers import check_shared_answer, normalise_line_breaks
from ..errors import AnswerError, ContentError, ImportFileError
from ..exercises import Exercise, load_exercise
from ..files import write_atomic
from ..kinds import kind_of
from ..timestamps import MissingZoneError, format_moment, parse_moment
from .ids import is_cohort_id
from .pseudonym import is_pseudonym

FORMAT = "peerkit-submission"
FORMAT_VERSION = 1
#: Largest file accepted: a full course of answers is far below this.
MAX_BYTES = 1_000_000
MAX_RESPONSES = 5000
#: Clock skew tolerated for a created_at in the future.
FUTURE_SLACK = timedelta(days=1)
#: Longest answer accepted, as JSON: a shared SMART goal sentence with its criteria and escapes.
MAX_SHARED_JSON = 20_000
_TOP_KEYS = {"format", "format_version", "cohort", "pseudonym", "created_at", "responses"}
#: Optional: whether the learner agreed to research use of these answers (absent: not agreed).
_OPTIONAL_KEYS = {"research_consent"}
_RESPONSE_KEYS = {"exercise", "item", "value", "answered_at"}


@dataclass(frozen=True)
class Submission:
    """One valid submission file."""

    name: str
    cohort: str
    pseudonym: str
    created_at: datetime
    responses: list[dict[str, Any]] = field(default_factory=list)
    research_consent: bool = False


@dataclass(frozen=True)
class Rejected:
    """A file that was not used, and why (a sentence naming the problem and the fix)."""

    name: str
    reason: str


def default_submission_path(cohort: str) -> Path:
    """Where a learner's hand-in file goes by default: the current folder (the one the file browser shows)."""
    return Path.cwd() / f"peerkit-submission-{cohort}.json"


def write_submission_file(path: str | Path, *, cohort: str, pseudonym: str,
                          responses: list[dict[str, Any]], research_consent: bool = False) -> Path:
    """Write one hand-in file (all at once or not at all); returns its path. No responses: a withdrawal."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "cohort": cohort,
        "pseudonym": pseudonym,
        "created_at": format_moment(),
        "research_consent": bool(research_consent),
        "responses": responses,
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # all at once or not at all: a crash never leaves half a file under the real name
    return write_atomic(target, json.dumps(document, ensure_ascii=False, indent=1))


# -- reading ------------------------------------------------------------------------------------------
def _named_bytes(entry: Any, position: int) -> tuple[str, bytes | None, str]:
    """``(name, content or None, problem)`` for a path, ``(name, bytes)``, bytes or a FileUpload value."""
    if isinstance(entry, (str, Path)):
        path = Path(entry)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                return path.name, None, _too_big(size)
            return path.name, path.read_bytes(), ""
        except OSError as error:
            return path.name, None, f"cannot be read ({error.strerror or error}). Check the path."
    if isinstance(entry, dict) and "content" in entry:  # ipywidgets 8 FileUpload value
        return str(entry.get("name") or f"file {position}"), bytes(entry["content"]), ""
    if isinstance(entry, tuple) and len(entry) == 2:
        return str(entry[0]), bytes(entry[1]), ""
    if isinstance(entry, (bytes, bytearray, memoryview)):
        return f"file {position}", bytes(entry), ""
    return f"file {position}", None, f"is a {type(entry).__name__}, not a file, a path or bytes."


def _too_big(size: int) -> str:
    return (f"is {size / 1e6:.1f} MB; a submission is at most {MAX_BYTES / 1e6:.0f} MB, so this is probably "
            "not a peerkit submission. Ask the learner for the file their “Join your group” panel saved.")


def _time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise ImportFileError(f"{what} must be an ISO-8601 time as text, not {type(value).__name__}.")
    try:
        moment = parse_moment(value, require_zone=True)
    except MissingZoneError:
        raise ImportFileError(f"{what} {value[:40]!r} has no time zone (UTC expected).") from None
    except ValueError:
        raise ImportFileError(f"{what} {value[:40]!r} is not an ISO-8601 time.") from None
    if moment > datetime.now(timezone.utc) + FUTURE_SLACK:
        raise ImportFileError(f"{what} {value[:40]!r} is in the future; check the learner's clock.")
    return moment


def _check_value(definition: Exercise, item: str, value: Any, where: str) -> Any:
    """The answer to keep (its line breaks made LF); :class:`ImportFileError` unless it is a shared answer."""
    # a submission holds answers in the form they are shared in; the kind says what that form is
    value = normalise_line_breaks(value)
    per_answer = kind_of(definition).share_per_answer
    if isinstance(value, dict) and "share" in value and per_answer and value["share"] is not True:
        raise ImportFileError(f"{where}: this answer is marked not to be shared, so it cannot be loaded.")
    checked = value
    if isinstance(value, dict) and value.get("share") is True and per_answer:
        checked = {k: v for k, v in value.items() if k != "share"}  # files from before the flag was dropped
    try:
        check_shared_answer(definition, item, checked)
    except AnswerError as error:
        raise ImportFileError(f"{where}: {error}") from None
    if len(json.dumps(checked)) > MAX_SHARED_JSON:
        raise ImportFileError(f"{where}: the answer is longer than {MAX_SHARED_JSON} characters.")
    return value


def parse_submission(content: bytes, name: str = "submission", cohort: str | None = None) -> Submission:
    """Validate one file's content; raise :class:`ImportFileError` naming the first problem."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_too_big(len(content)))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("is not text (UTF-8), so it is not a peerkit submission.") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
                              "it may be damaged or cut short. Ask for the file again.") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise ImportFileError(f"is not a peerkit submission (format {found!r}, expected {FORMAT!r}).")
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportFileError(f"has format_version {version!r}; expected {FORMAT_VERSION}.")
    if version > FORMAT_VERSION:
        raise ImportFileError(f"was made by a newer peerkit (format version {version}; this one reads "
                              f"{FORMAT_VERSION}). Upgrade peerkit to load it.")
    missing, extra = _TOP_KEYS - set(raw), set(raw) - _TOP_KEYS - _OPTIONAL_KEYS
    if missing:
        raise ImportFileError(f"lacks {', '.join(sorted(missing))}.")
    if extra:
        raise ImportFileError(f"has fields a submission does not have: {', '.join(sorted(map(str, extra)))}.")
    if not is_cohort_id(raw["cohort"]):
        raise ImportFileError(f"names the cohort {str(raw['cohort'])[:40]!r}, which is not a cohort id.")
    if cohort is not None and raw["cohort"] != cohort:
        raise ImportFileError(f"is for the cohort {raw['cohort']}, not this one ({cohort}). "
                              "Upload it to that cohort.")
    if not is_pseudonym(raw["pseudonym"]):
        raise ImportFileError(f"has the pseudonym {str(raw['pseudonym'])[:40]!r}, which is not a cohort pseudonym.")
    created = _time(raw["created_at"], "created_at")
    consent = raw.get("research_consent", False)
    if not isinstance(consent, bool):
        raise ImportFileError("has a 'research_consent' that is not true or false.")
    responses = raw["responses"]
    if not isinstance(responses, list):
        raise ImportFileError("has 'responses' that are not a list.")
    if len(responses) > MAX_RESPONSES:
        raise ImportFileError(f"has {len(responses)} responses; at most {MAX_RESPONSES} are accepted.")
    seen: set[tuple[str, str]] = set()
    definitions: dict[str, Exercise] = {}
    checked = []
    for index, response in enumerate(responses):
        where = f"responses[{index}]"
        if not isinstance(response, dict) or set(response) != _RESPONSE_KEYS:
            raise ImportFileError(f"{where} must have exactly the fields {', '.join(sorted(_RESPONSE_KEYS))}.")
        exercise, item = response["exercise"], response["item"]
        if not isinstance(exercise, str) or not isinstance(item, str):
            raise ImportFileError(f"{where}: exercise and item must be text.")
        if exercise not in definitions:
            try:
                definitions[exercise] = load_exercise(exercise)
            except ContentError:
                raise ImportFileError(f"{where}: there is no exercise {exercise[:40]!r} in this course.") from None
        if (exercise, item) in seen:
            raise ImportFileError(f"{where}: {exercise}/{item} is answered twice.")
        seen.add((exercise, item))
        value = _check_value(definitions[exercise], item, response["value"], where)
        _time(response["answered_at"], f"{where}: answered_at")
        checked.append({"exercise": exercise, "item": item, "value": value, "answered_at": response["answered_at"]})
    return Submission(name=name, cohort=raw["cohort"], pseudonym=raw["pseudonym"], created_at=created,
                      responses=checked, research_consent=consent)


def load_submissions(
    files: Iterable[Any], *, cohort: str | None = None
) -> tuple[list[Submission], list[Rejected]]:
    """Validate many submission files; returns ``(accepted, rejected)``.

    ``files`` are paths, ``(name, bytes)`` pairs, bytes, or the value of an
    ``ipywidgets.FileUpload``. With ``cohort``, files for another cohort are
    rejected. Of several files from one pseudonym only the newest is accepted; the
    others are listed as replaced.
    """
    newest: dict[tuple[str, str], Submission] = {}
    rejected: list[Rejected] = []
    for position, entry in enumerate(files, start=1):
        name, content, problem = _named_bytes(entry, position)
        if content is None:
            rejected.append(Rejected(name, problem))
            continue
        try:
            submission = parse_submission(content, name, cohort)
        except ImportFileError as error:
            rejected.append(Rejected(name, str(error)))
            continue
        key = (submission.cohort, submission.pseudonym)
        earlier = newest.get(key)
        if earlier is None or submission.created_at > earlier.created_at:
            newest[key] = submission
            if earlier is not None:
                rejected.append(Rejected(earlier.name, _replaced(submission)))
        else:
            rejected.append(Rejected(name, _replaced(earlier)))
    return list(newest.values()), rejected


def _replaced(by: Submission) -> str:
    return (f"replaced by {by.name}, a newer file from the same person "
            f"(made {by.created_at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC).")
