"""The research export format: file names, columns, metadata and how values are written.

An export is three files sharing a name stem, in one folder:

``<stem>.responses.csv``
    Tidy long table, one row per answer: :data:`RESPONSE_COLUMNS`.
``<stem>.counts.csv``
    Counts per cohort x exercise x item x value (:data:`COUNT_COLUMNS`), every
    count under the threshold k left blank and flagged ``suppressed``.
``<stem>.metadata.json``
    Format and schema version, export date, k, time resolution, peerkit version,
    exercise definitions with item texts, row counts.

Each exercise's values are written in one *encoding* recorded in the metadata:
``text`` (a scale label such as ``never``, or shared free text), ``integer``
(a rating, written as a plain number) or ``json`` (a structured answer such as a
SMART goal, written as JSON text). Text cells are made spreadsheet-safe
(:mod:`peerkit.research.spreadsheet_safe`).
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import pandas as pd

from ..privacy import MIN_GROUP_SIZE
from .spreadsheet_safe import escape_cell, unescape_cell

FORMAT_NAME = "peerkit-research-export"
#: Version of this export format. Raise it when the files change shape.
EXPORT_SCHEMA_VERSION = 1
KNOWN_SCHEMA_VERSIONS = (1,)

RESPONSE_COLUMNS = ["cohort", "learner", "exercise", "item", "value", "answered_on"]
COUNT_COLUMNS = ["cohort", "exercise", "item", "value", "n", "suppressed"]

RESPONSES_SUFFIX = ".responses.csv"
COUNTS_SUFFIX = ".counts.csv"
METADATA_SUFFIX = ".metadata.json"

DEFAULT_MIN_CELL = MIN_GROUP_SIZE  # the one threshold, peerkit.privacy
TIME_RESOLUTIONS = ("day", "week", "month")
TIME_PATTERNS = {
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "week": re.compile(r"^\d{4}-W\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
}
ENCODINGS = ("text", "integer", "json")
STEM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


def coarsen_times(times: pd.Series, resolution: str) -> pd.Series:
    """UTC timestamps as ISO day (``2025-03-04``), week (``2025-W10``) or month (``2025-03``) strings."""
    if resolution not in TIME_RESOLUTIONS:
        raise ValueError(f"time resolution {resolution!r} is not one of: {', '.join(TIME_RESOLUTIONS)}.")
    stamps = pd.to_datetime(times, utc=True, format="ISO8601")
    if resolution == "day":
        return stamps.dt.strftime("%Y-%m-%d")
    if resolution == "month":
        return stamps.dt.strftime("%Y-%m")
    iso = stamps.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)


def encoding_for(scale: list[Any], values: list[Any]) -> str:
    """Pick the encoding of one exercise's values: from its scale if it has one, else from the values."""
    sample = scale if scale else values
    if sample and all(isinstance(v, int) and not isinstance(v, bool) for v in sample):
        return "integer"
    if sample and all(isinstance(v, str) for v in sample):
        return "text"
    return "json"


def encode_cell(value: Any, encoding: str) -> Any:
    """One value as it goes into the CSV (integers stay numbers, text is made safe)."""
    if encoding == "integer":
        return int(value)
    if encoding == "text":
        return escape_cell(str(value))
    return escape_cell(json.dumps(value, ensure_ascii=False, sort_keys=True))


def decode_cell(cell: str, encoding: str) -> Any:
    """Inverse of :func:`encode_cell` for a cell read as text; raises ``ValueError`` on a bad cell."""
    if encoding == "integer":
        if not re.fullmatch(r"-?\d{1,18}", cell):
            raise ValueError(f"{_show(cell)} is not a whole number")
        return int(cell)
    if encoding == "text":
        return unescape_cell(cell)
    if encoding == "json":
        try:
            return json.loads(unescape_cell(cell))
        except (json.JSONDecodeError, RecursionError) as error:
            raise ValueError(f"{_show(cell)} is not valid JSON") from error
    raise ValueError(f"unknown value encoding {encoding!r}")


def today() -> str:
    return date.today().isoformat()


def _show(text: str, limit: int = 40) -> str:
    """A short, printable rendering of untrusted text for an error message."""
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def export_files(stem: str) -> dict[str, str]:
    return {"responses": stem + RESPONSES_SUFFIX, "counts": stem + COUNTS_SUFFIX, "metadata": stem + METADATA_SUFFIX}


