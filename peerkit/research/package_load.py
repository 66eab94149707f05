"""Read one data package written by :mod:`peerkit.research.export`, checking everything it says.

* ``datapackage.json``: format, version, tier, k; every resource is one peerkit
  writes for these exercises, with exactly the schema peerkit writes (so a loosened
  schema cannot let bad cells through); every file's size and SHA-256 match.
* every cell against its field: type, range, enum, pattern, required, no formula;
* row counts, cohorts, exercises and answer counts against the metadata;
* aggregate: counts against totals (no shown count under k, counts add up to
  their totals, shares are n / total).

Every file is read whole and bounded (a size limit, no byte-order mark, no NUL,
UTF-8, a CSV parser that runs in linear time). Every failure raises ``Bad``
naming the file, the row (data rows from 1) and the field.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .instruments import CHOICE_SEPARATOR, counted
from .package import (
    PACKAGE_FORMAT,
    TIERS,
    cell_text,
    counts_schema,
    resource_name,
    resource_path,
    responses_schema,
    totals_schema,
)
from .spreadsheet_safe import is_safe_cell, unescape_cell
from .tables import TIME_LEVELS

KNOWN_PACKAGE_VERSIONS = (3,)
MAX_DESCRIPTOR_BYTES = 20_000_000
#: Largest data file read by default (about 5 million answers).
MAX_FILE_BYTES = 500_000_000
#: The columns of a loaded frame of answers (``LoadResult.frame``), one row per answer.
ANSWER_COLUMNS = ["cohort", "learner", "exercise", "item", "value", "answered_on"]
_INTEGER = re.compile(r"-?\d{1,15}")
_NUMBER = re.compile(r"-?\d{1,15}(?:\.\d{1,12})?(?:[eE]-?\d{1,2})?")


class Bad(Exception):
    def __init__(self, message: str, row: int | None = None, path: Path | None = None) -> None:
        super().__init__(message)
        self.row, self.path = row, path


def load_package(descriptor_path: Path, max_bytes: int = MAX_FILE_BYTES
                 ) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(peerkit metadata, answers frame, counts, totals) of one package; raises :class:`Bad`."""
    text = read_text(descriptor_path, MAX_DESCRIPTOR_BYTES)
    try:
        descriptor = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise Bad(f"is not valid JSON ({error}); the file may be cut short", path=descriptor_path) from error
    meta = _check_descriptor(descriptor, descriptor_path)
    folder = descriptor_path.parent
    frames, counts, totals = [], [], []
    for spec in descriptor["resources"]:
        path = folder / spec["path"]
        raw_text = read_text(path, max_bytes)
        digest = "sha256:" + hashlib.sha256(raw_text.encode("utf-8")).hexdigest()
        if digest != spec.get("hash"):
            raise Bad("the file's content differs from the one exported (its SHA-256 does not match "
                      "datapackage.json); it was edited or damaged", path=path)
        columns = [f["name"] for f in spec["schema"]["fields"]]
        table = parse_csv(raw_text, columns, path)
        expected = meta["rows"].get(spec["path"])
        if len(table) != expected:
            raise Bad(f"has {len(table)} rows but datapackage.json says {expected}", path=path)
        typed = check_cells(table, spec["schema"], path)
        exercise, part = spec["path"].removeprefix("data/").removesuffix(".csv").rsplit(".", 1)
        typed.insert(1, "exercise", exercise)
        {"responses": frames, "counts": counts, "totals": totals}[part].append((typed, path))
    if meta["tier"] == "microdata":
        frame = _answers(frames, meta)
    else:
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ANSWER_COLUMNS})
        _check_aggregate(counts, totals, meta)
    _check_cohorts(meta, [t for t, _ in frames + counts + totals], descriptor_path)
    count_frame = pd.concat([t for t, _ in counts], ignore_index=True) if counts else None
    total_frame = pd.concat([t for t, _ in totals], ignore_index=True) if totals else None
    return meta, frame, count_frame, total_frame


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _check_descriptor(descriptor: Any, path: Path) -> dict[str, Any]:
    def bad(message: str) -> Bad:
        return Bad(message, path=path)

    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("peerkit"), dict):
        raise bad("is not a peerkit data package (no 'peerkit' section)")
    meta = descriptor["peerkit"]
    if meta.get("format") != PACKAGE_FORMAT:
        raise bad(f"'peerkit.format' must be {PACKAGE_FORMAT!r}")
    version = meta.get("schema_version")
    if isinstance(version, bool) or version not in KNOWN_PACKAGE_VERSIONS:
        raise bad(f"package schema version {version!r} is not one this peerkit reads; update peerkit")
    if meta.get("tier") not in TIERS:
        raise bad(f"'peerkit.tier' must be one of {', '.join(TIERS)}")
    k = meta.get("min_cell")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 1000:
        raise bad("'peerkit.min_cell' (k) must be a whole number from 1 to 1000")
    if meta.get("time_resolution") not in TIME_LEVELS:
        raise bad(f"'peerkit.time_resolution' must be one of {', '.join(TIME_LEVELS)}")
    cohorts = meta.get("cohorts")
    if not isinstance(cohorts, list) or not cohorts or not all(isinstance(c, str) and c for c in cohorts) \
            or len(set(cohorts)) != len(cohorts):
        raise bad("'peerkit.cohorts' must list the cohorts' ids once each")
    exercises = meta.get("exercises")
    if not isinstance(exercises, dict) or not exercises:
        raise bad("'peerkit.exercises' must describe the exercises")
    rows = meta.get("rows")
    if not isinstance(rows, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**9
                                             for v in rows.values()):
        raise bad("'peerkit.rows' must give each file's number of rows")
    for name in (("answers", "learners") if meta.get("tier") == "microdata" else ("learners",)):
        value = meta.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**10:
            raise bad(f"'peerkit.{name}' must be a whole number")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise bad("'resources' must be a list of files")
    cohort_cells = [cell_text(c) for c in cohorts]
    expected: dict[str, dict[str, Any]] = {}
    try:
        for exercise, record in exercises.items():
            if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", str(exercise)) or not isinstance(record, dict):
                raise bad(f"exercise {str(exercise)[:40]!r} in 'peerkit.exercises' is not a valid description")
            if meta["tier"] == "microdata":
                expected[resource_path(exercise, "responses")] = responses_schema(record, cohort_cells,
                                                                                   meta["time_resolution"])
            elif counted(record):
                expected[resource_path(exercise, "counts")] = counts_schema(record, cohort_cells)
                expected[resource_path(exercise, "totals")] = totals_schema(record, cohort_cells)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise bad(f"'peerkit.exercises' is malformed ({type(error).__name__}: {str(error)[:80]})") from error
    found = [r.get("path") for r in resources]
    if sorted(map(str, found)) != sorted(expected):
        missing = sorted(set(expected) - set(map(str, found)))
        extra = sorted(set(map(str, found)) - set(expected))
        raise bad("the files listed do not fit the exercises described"
                  + (f"; missing: {', '.join(missing)}" if missing else "")
                  + (f"; not expected: {', '.join(extra)[:200]}" if extra else ""))
    for spec in resources:
        exercise, part = spec["path"].removeprefix("data/").removesuffix(".csv").rsplit(".", 1)
        if spec.get("name") != resource_name(exercise, part):
            raise bad(f"resource {spec['path']!r} is misnamed")
        if spec.get("schema") != expected[spec["path"]]:
            raise bad(f"the table schema of {spec['path']} is not the one peerkit writes for exercise "
                      f"{exercise!r}; the package was edited")
        if set(rows) != set(expected):
            raise bad("'peerkit.rows' must give the number of rows of every file, and only those")
    return meta


# --------------------------------------------------------------------------- cells

def check_cells(table: pd.DataFrame, schema: dict[str, Any], path: Path) -> pd.DataFrame:
    """Every cell of ``table`` (all text) against its field; returns typed columns (missing -> None)."""
    out = {}
    for field in schema["fields"]:
        name = field["name"]
        cells = table[name]
        out[name] = _check_column(cells, field, path)
    typed = pd.DataFrame(out)
    key = schema.get("primaryKey")
    if key:
        row = _first(typed.duplicated(key))
        if row:
            raise Bad(f"fields {', '.join(key)}: the same {', '.join(key)} appears twice", row=row, path=path)
    return typed


def _first(mask: pd.Series) -> int | None:
    hits = mask.to_numpy().nonzero()[0]
    return int(hits[0]) + 1 if len(hits) else None


def _check_column(cells: pd.Series, field: dict[str, Any], path: Path) -> pd.Series:
    name, kind = field["name"], field["type"]
    constraints = field.get("constraints", {})
    empty = cells == ""

    def fail(mask: pd.Series, message: str) -> None:
        row = _first(mask)
        if row is not None:
            shown = cells.iloc[row - 1]
            shown = repr(shown[:40] + ("…" if len(shown) > 40 else ""))
            raise Bad(f"field {name!r}: {shown} {message}", row=row, path=path)

    if constraints.get("required"):
        fail(empty, "is empty, but the field is required")
    present = ~empty
    if kind == "integer":
        fail(present & ~cells.str.fullmatch(_INTEGER.pattern), "is not a whole number within ±10^15")
        values = pd.Series([int(c) if c else None for c in cells], index=cells.index, dtype=object)
    elif kind == "number":
        fail(present & ~cells.str.fullmatch(_NUMBER.pattern), "is not a decimal number in range")
        values = pd.Series([float(c) if c else None for c in cells], index=cells.index, dtype=object)
        fail(present & ~values.map(lambda v: v is None or math.isfinite(v)), "is not a finite number")
    elif kind == "boolean":
        fail(present & ~cells.isin(["true", "false"]), "is not true or false")
        values = cells.map({"true": True, "false": False, "": None})
    elif kind == "date":
        fail(present & ~cells.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), "is not a date (YYYY-MM-DD)")
        parsed = pd.to_datetime(cells.where(present), format="%Y-%m-%d", errors="coerce")
        fail(present & parsed.isna(), "is not a real date")
        values = cells.where(present, None)
    elif kind == "object":
        decoded = []
        for position, cell in enumerate(cells):
            if not cell:
                decoded.append(None)
                continue
            try:
                value = json.loads(unescape_cell(cell), parse_constant=_no_constant)
            except (ValueError, RecursionError):
                value = None
            if not isinstance(value, dict):
                raise Bad(f"field {name!r}: the cell is not a JSON object", row=position + 1, path=path)
            decoded.append(value)
        values = pd.Series(decoded, index=cells.index, dtype=object)
    else:
        values = cells.where(present, None)
    if kind in ("string", "object"):
        fail(present & ~cells.map(is_safe_cell), "could start a spreadsheet formula; the file was edited")
    if "maxLength" in constraints:
        fail(present & (cells.str.len() > constraints["maxLength"]), f"is longer than {constraints['maxLength']}")
    if "pattern" in constraints:
        fail(present & ~cells.str.fullmatch(constraints["pattern"]), "does not have the form the schema gives")
    if "enum" in constraints:
        allowed = set(constraints["enum"])
        fail(present & ~values.map(lambda v: v in allowed), "is not one of the values the schema allows")
    if "minimum" in constraints:
        fail(present & values.map(lambda v: v is not None and v < constraints["minimum"]),
             f"is below the minimum {constraints['minimum']}")
    if "maximum" in constraints:
        fail(present & values.map(lambda v: v is not None and v > constraints["maximum"]),
             f"is above the maximum {constraints['maximum']}")
    if kind == "string":
        values = values.map(lambda v: None if v is None else unescape_cell(v))
    return values


# --------------------------------------------------------------------------- across files

def _answers(frames: list[tuple[pd.DataFrame, Path]], meta: dict[str, Any]) -> pd.DataFrame:
    parts = []
    for typed, _path in frames:
        exercise = typed["exercise"].iloc[0] if len(typed) else None
        record = meta["exercises"].get(exercise, {})
        value = typed["value"]
        if record.get("kind") == "knowledge_check":
            value = value.map(lambda v: v.split(CHOICE_SEPARATOR))
        parts.append(pd.DataFrame({"cohort": typed["cohort"], "learner": typed["learner"], "exercise": exercise,
                                   "item": typed["item"], "value": value,
                                   "answered_on": typed["answered_on"].fillna("")}))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ANSWER_COLUMNS)
    if len(frame) != meta["answers"]:
        raise Bad(f"the files hold {len(frame)} answers but datapackage.json says {meta['answers']}")
    learners = int(frame["learner"].nunique())
    if learners != meta["learners"]:
        raise Bad(f"the files hold answers of {learners} learners but datapackage.json says {meta['learners']}")
    return frame


def _check_cohorts(meta: dict[str, Any], tables: list[pd.DataFrame], path: Path) -> None:
    seen = set()
    for table in tables:
        seen |= {c for c in table["cohort"] if c is not None}
    missing = sorted(set(meta["cohorts"]) - seen)
    if missing:
        raise Bad(f"'peerkit.cohorts' names cohort(s) {', '.join(missing)[:200]} that no file holds", path=path)


def _check_aggregate(counts: list[tuple[pd.DataFrame, Path]], totals: list[tuple[pd.DataFrame, Path]],
                     meta: dict[str, Any]) -> None:
    """Counts against their totals, allowing for the cell-key noise (``peerkit.perturbation``)."""
    k = meta["min_cell"]
    noise = _max_noise(meta)
    by_exercise = {t["exercise"].iloc[0]: (t, p) for t, p in totals if len(t)}
    for table, path in counts:
        if not len(table):
            continue
        exercise = table["exercise"].iloc[0]
        shown = ~table["suppressed"].astype(bool)
        row = _first(shown & table["n"].isna())
        if row:
            raise Bad("field 'n': a count not marked suppressed is empty", row=row, path=path)
        row = _first(~shown & table["n"].notna())
        if row:
            raise Bad("field 'n': a suppressed count must be empty", row=row, path=path)
        row = _first(shown & table["n"].map(lambda v: v is not None and v < k))
        if row:
            raise Bad(f"field 'n': a shown count is under k = {k}", row=row, path=path)
        total_table, _ = by_exercise.get(exercise, (None, path))
        if total_table is None:
            raise Bad(f"exercise {exercise!r} has counts but no totals", path=path)
        row_totals = total_table[total_table["total_of"] == "cohort"].set_index(["item", "cohort"])["n"]
        for position, (item, cohort, n, share) in enumerate(zip(table["item"], table["cohort"], table["n"],
                                                                table["share"]), start=1):
            total = row_totals.get((item, cohort))
            if n is not None and total is not None and n > total + 2 * noise:
                raise Bad(f"field 'n': {n} is more than the cohort's total {total} for item {item}", row=position,
                          path=path)
            if share is not None and (n is None or not total or abs(share - min(1.0, n / total)) > 1e-3):
                raise Bad(f"field 'share': {share} is not n / the cohort's total for item {item}", row=position,
                          path=path)


def _max_noise(meta: dict[str, Any]) -> int:
    value = (meta.get("perturbation") or {}).get("max_noise", 0) if isinstance(meta.get("perturbation"), dict) else 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise Bad("'peerkit.perturbation.max_noise' must be a whole number from 0 to 100")
    return value


# --------------------------------------------------------------------------- files

def read_text(path: Path, limit: int) -> str:
    """A whole file as UTF-8 text, refused (``Bad``) if over ``limit`` bytes, with a BOM or a NUL, or unreadable."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise Bad("the file is missing; copy the whole package folder", path=path) from error
    except OSError as error:
        raise Bad(f"cannot be read ({error.strerror or error})", path=path) from error
    if size > limit:
        raise Bad(f"the file is {size:,} bytes, over the limit of {limit:,}; pass a larger max_bytes if it is "
                  "genuine", path=path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(limit + 1)  # a special file (/dev/zero) reports size 0: read no more than the limit
    except OSError as error:
        raise Bad(f"cannot be read ({error.strerror or error})", path=path) from error
    if len(raw) > limit:
        raise Bad(f"the file is larger than the limit of {limit:,} bytes", path=path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise Bad("the file starts with a byte-order mark (BOM), as Excel's 'CSV UTF-8' and some editors write: "
                  "peerkit files have none, so this copy was re-saved by another program; use the file as exported",
                  path=path)
    if b"\x00" in raw:
        raise Bad("the file contains NUL bytes, so it is not a text export (damaged or not an export)", path=path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Bad(f"is not UTF-8 text (byte {error.start}); it may be damaged or saved in another encoding",
                  path=path) from error


def parse_csv(text: str, columns: list[str], path: Path) -> pd.DataFrame:
    """Parse with the csv module: linear time whatever the content, and every row must have every field.

    (pandas' fast parser takes minutes on a row of 100,000 commas and pads short
    rows silently, so a hostile or damaged file could hang or half-load.)
    """
    if not text.strip():
        raise Bad("the file is empty; the export may have been cut short", path=path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        if header != columns:
            raise Bad(f"the columns must be exactly {','.join(columns)}; found {','.join(header)[:120]!r}", path=path)
        rows = []
        for number, row in enumerate(reader, start=1):
            if len(row) != len(columns):
                raise Bad(f"has {len(row)} fields instead of {len(columns)}; the file is damaged or was edited",
                          row=number, path=path)
            rows.append(row)
    except csv.Error as error:
        raise Bad(f"is not a well-formed CSV file ({error})", row=reader.line_num - 1 or None, path=path) from error
    except Bad:
        raise
    except Exception as error:  # noqa: BLE001 - never an uncaught exception from a damaged file
        raise Bad(f"cannot be read as CSV ({type(error).__name__})", path=path) from error
    return pd.DataFrame(rows, columns=columns, dtype=object)
