"""Load research exports (many files, several cohorts), checking every file whole.

:func:`load` takes export folders or files and returns a :class:`LoadResult`: one
tidy frame of every good export, and a list of :class:`LoadProblem` naming the
file (and row) of everything wrong. A file with any problem is left out as a
whole, never half-loaded; the good files still load.

>>> from peerkit.research import load, synthetic_cohorts
>>> result = load(synthetic_cohorts())
>>> result.problems
[]
>>> sorted(result.frame["cohort"].unique())[:1]
['SYNTHETIC-A']
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ImportFileError
from .exercise_info import ATTRS_KEY, learner_item_patterns
from .format import (
    COUNT_COLUMNS,
    COUNTS_SUFFIX,
    ENCODINGS,
    FORMAT_NAME,
    KNOWN_SCHEMA_VERSIONS,
    METADATA_SUFFIX,
    RESPONSE_COLUMNS,
    RESPONSES_SUFFIX,
    TIME_PATTERNS,
    decode_cell,
)
from .package import DESCRIPTOR
from .package_load import Bad, load_package
from .pseudonyms import RESEARCH_PSEUDONYM_PATTERN
from .spreadsheet_safe import FORMULA_STARTS, unescape_cell

#: Largest responses file read by default (about 5 million answers).
MAX_RESPONSES_BYTES = 500_000_000
MAX_METADATA_BYTES = 2_000_000
_ID = r"[A-Za-z0-9_]{1,64}"
FORMULA_START = "[" + "".join("\\" + c if c in "-" else c for c in FORMULA_STARTS) + "]"


@dataclass(frozen=True)
class LoadProblem:
    """Something wrong with one export file; ``row`` counts data rows from 1 (the header is not a row)."""

    path: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}, row {self.row}" if self.row is not None else self.path
        return f"{where}: {self.message}"


@dataclass
class LoadResult:
    """The loaded answers, the problems found, and each loaded export's metadata."""

    frame: pd.DataFrame
    problems: list[LoadProblem] = field(default_factory=list)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: pd.DataFrame | None = None
    totals: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise :class:`~peerkit.errors.ImportFileError` listing every problem, if there is any."""
        if self.problems:
            listing = "\n".join(f"  - {p}" for p in self.problems)
            raise ImportFileError(f"{len(self.problems)} problem(s) while loading exports:\n{listing}")

    @property
    def exercises(self) -> dict[str, dict[str, Any]]:
        return self.frame.attrs.get(ATTRS_KEY, {})

    def answers(self, exercise: str) -> pd.DataFrame:
        """One exercise's answers (microdata) with ``value`` as an ordered categorical in the scale's order
        (an exercise without a scale keeps its values as they are)."""
        part = self.frame[self.frame["exercise"] == exercise].reset_index(drop=True)
        return _with_categories(part, self.exercises.get(exercise, {}))

    def counts_of(self, exercise: str) -> pd.DataFrame:
        """One exercise's counts (aggregate) with ``value`` as a categorical in the scale's (or options') order."""
        if self.counts is None:
            return pd.DataFrame(columns=COUNT_TYPES)
        part = self.counts[self.counts["exercise"] == exercise].reset_index(drop=True)
        return _with_categories(part, self.exercises.get(exercise, {}))


#: The dtypes of ``LoadResult.counts`` and ``.totals``: nullable integers, booleans and text.
COUNT_TYPES = {"cohort": "string", "exercise": "string", "item": "string", "value_label": "string",
               "total_of": "string", "n": "Int64", "share": "Float64", "suppressed": "boolean"}


def _typed(table: pd.DataFrame | None) -> pd.DataFrame | None:
    if table is None:
        return None
    return table.astype({c: t for c, t in COUNT_TYPES.items() if c in table.columns})


def _with_categories(part: pd.DataFrame, record: dict[str, Any]) -> pd.DataFrame:
    scale = [o["value"] for o in record.get("scale", [])]
    if scale:
        part = part.assign(value=pd.Categorical(part["value"], categories=scale, ordered=True))
    elif record.get("items") and all("options" in i for i in record["items"]) and \
            not any(i.get("multiple") for i in record["items"]) and "learner" not in part.columns:
        options = sorted({str(o["value"]) for i in record["items"] for o in i["options"]})
        part = part.assign(value=pd.Categorical(part["value"], categories=options, ordered=False))
    return part


_Bad = Bad


def load(paths: str | Path | Iterable[str | Path], *, max_bytes: int = MAX_RESPONSES_BYTES,
         strict: bool = False) -> LoadResult:
    """Load research exports and check each one.

    Parameters
    ----------
    paths : path or list of paths
        Export folders (every ``*.metadata.json`` in them), metadata files, or
        responses CSV files (their metadata is found by name).
    max_bytes : int
        Responses files larger than this are refused (a problem, not a crash).
    strict : bool
        Raise :class:`~peerkit.errors.ImportFileError` if anything is wrong,
        instead of returning the problems.

    Returns
    -------
    LoadResult
        ``frame`` has the columns cohort, learner, exercise, item, value,
        answered_on; values are decoded (ratings are ints, structured answers
        dicts). ``frame.attrs["peerkit_exercises"]`` holds the exercise
        definitions from the metadata.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    problems: list[LoadProblem] = []
    frames: list[pd.DataFrame] = []
    counts: list[pd.DataFrame] = []
    totals: list[pd.DataFrame] = []
    metadata: dict[str, dict[str, Any]] = {}
    exercises: dict[str, dict[str, Any]] = {}
    exercise_source: dict[str, str] = {}
    cohort_source: dict[str, str] = {}

    for metadata_path in _metadata_files(paths, problems):
        key = str(metadata_path)
        if key in metadata:
            continue
        try:
            meta, frame, count, total = _load_any(metadata_path, max_bytes)
            for exercise, record in meta["exercises"].items():
                if exercise in exercises and _comparable(exercises[exercise]) != _comparable(record):
                    raise _Bad(f"exercise {exercise!r} is defined differently than in {exercise_source[exercise]} "
                               "(items or scale differ); load these exports separately")
            for cohort in frame["cohort"].unique():
                if cohort in cohort_source:
                    raise _Bad(f"cohort {cohort!r} was already loaded from {cohort_source[cohort]}; "
                               "load each cohort's export once")
        except _Bad as bad:
            problems.append(LoadProblem(str(bad.path or metadata_path), str(bad), bad.row))
            continue
        except Exception as error:  # noqa: BLE001 - a damaged export is a problem to report, never a crash
            problems.append(LoadProblem(str(metadata_path), f"cannot be loaded ({type(error).__name__}: "
                                                            f"{str(error)[:120]}); the export is damaged"))
            continue
        metadata[key] = meta
        for exercise, record in meta["exercises"].items():
            exercises.setdefault(exercise, record)
            exercise_source.setdefault(exercise, key)
        for cohort in frame["cohort"].unique():
            cohort_source[cohort] = key
        frames.append(frame)
        if count is not None:
            counts.append(count)
        if total is not None:
            totals.append(total)

    if frames:
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in RESPONSE_COLUMNS})
    frame.attrs[ATTRS_KEY] = exercises
    all_counts = pd.concat(counts, ignore_index=True) if counts else None
    result = LoadResult(frame=frame, problems=problems, metadata=metadata, counts=_typed(all_counts),
                        totals=_typed(pd.concat(totals, ignore_index=True) if totals else None))
    if strict:
        result.raise_for_problems()
    return result


def _metadata_files(paths: Iterable[str | Path], problems: list[LoadProblem]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if (path / DESCRIPTOR).is_file():
                found.append(path / DESCRIPTOR)
                continue
            inside = sorted(path.glob("*" + METADATA_SUFFIX)) + sorted(path.glob("*/" + DESCRIPTOR))
            if not inside:
                problems.append(LoadProblem(str(path), f"no export here (no {DESCRIPTOR} or *{METADATA_SUFFIX})"))
            found.extend(inside)
        elif path.name == DESCRIPTOR:
            found.append(path)
        elif path.name.endswith(METADATA_SUFFIX):
            found.append(path)
        elif path.name.endswith(RESPONSES_SUFFIX) or path.name.endswith(COUNTS_SUFFIX):
            stem = path.name.removesuffix(RESPONSES_SUFFIX).removesuffix(COUNTS_SUFFIX)
            found.append(path.with_name(stem + METADATA_SUFFIX))
        else:
            problems.append(LoadProblem(str(path), f"not an export: give a folder, a *{METADATA_SUFFIX} "
                                                   f"or a *{RESPONSES_SUFFIX} file"))
    return found


def _comparable(record: dict[str, Any]) -> Any:
    return ([i["id"] for i in record["items"]], [o["value"] for o in record["scale"]])


def _load_any(path: Path, max_bytes: int) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame | None,
                                                   pd.DataFrame | None]:
    if path.name == DESCRIPTOR:
        meta, frame, counts, totals = load_package(path, _read_text, _read_csv, max_bytes)
        meta = {**meta, "exercises": {e: _analysis_record(r) for e, r in meta["exercises"].items()}}
        return meta, frame, counts, totals
    meta, frame, counts = _load_export(path, max_bytes)
    return meta, frame, counts, None


def _analysis_record(record: dict[str, Any]) -> dict[str, Any]:
    """A package's exercise description in the form the analyses read (see exercise_info.from_metadata)."""
    options = {i["id"]: [o["value"] for o in i["options"]] for i in record["items"] if "options" in i}
    return {**record, "items": [{"id": i["id"], "text": i["text"]} for i in record["items"]],
            "scale": record.get("scale", []), "options": options}


# --------------------------------------------------------------------------- one export

def _load_export(metadata_path: Path, max_bytes: int) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """An export in the older three-file layout (peerkit before data packages)."""
    meta = _read_metadata(metadata_path)
    folder = metadata_path.parent
    responses_path = folder / meta["files"]["responses"]
    counts_path = folder / meta["files"]["counts"]
    frame = _read_responses(responses_path, meta, max_bytes)
    counts = _read_counts(counts_path, meta)
    _check_legacy_agreement(meta, frame, counts, responses_path, counts_path, metadata_path)
    return meta, frame, counts


def _check_legacy_agreement(meta: dict[str, Any], frame: pd.DataFrame, counts: pd.DataFrame, responses_path: Path,
                            counts_path: Path, metadata_path: Path) -> None:
    """The three files must tell one story: metadata cohorts and exercise counts, counts against responses."""
    cohorts = sorted(frame["cohort"].unique().tolist())
    listed = meta.get("cohorts")
    if listed is not None and sorted(map(str, listed)) != cohorts:
        raise _Bad(f"'cohorts' lists {', '.join(map(str, listed))[:120]} but the responses hold "
                   f"{', '.join(cohorts)[:120]}", path=metadata_path)
    by_exercise = (meta.get("row_counts") or {}).get("by_exercise")
    if by_exercise is not None:
        actual = {str(e): int(n) for e, n in frame["exercise"].value_counts().items()}
        if not isinstance(by_exercise, dict) or {str(e): n for e, n in by_exercise.items()} != actual:
            wrong = sorted(set(actual) ^ set(by_exercise if isinstance(by_exercise, dict) else {})
                           | {e for e in actual if isinstance(by_exercise, dict) and by_exercise.get(e) != actual[e]})
            raise _Bad(f"'row_counts.by_exercise' does not match the responses (exercise(s) "
                       f"{', '.join(wrong)[:120]})", path=metadata_path)
    recount = frame.assign(value=frame["value"].astype(str)).groupby(
        ["cohort", "exercise", "item", "value"]).size()
    shown = counts[~counts["suppressed"]]
    for position, (cohort, exercise, item, value, n) in enumerate(
            zip(shown["cohort"], shown["exercise"], shown["item"], shown["value"], shown["n"])):
        actual = int(recount.get((cohort, exercise, item, str(value)), 0))
        if actual != int(n):
            raise _Bad(f"field 'n': {int(n)} answers of {exercise} {item} = {value!r} in cohort {cohort}, but the "
                       f"responses file holds {actual}", row=int(shown.index[position]) + 1, path=counts_path)


def _read_text(path: Path, limit: int) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise _Bad("the file is missing; copy the whole export (all three files)", path=path) from error
    except OSError as error:
        raise _Bad(f"cannot be read ({error.strerror or error})", path=path) from error
    if size > limit:
        raise _Bad(f"the file is {size:,} bytes, over the limit of {limit:,}; pass a larger max_bytes if it is "
                   "genuine", path=path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as error:
        raise _Bad(f"cannot be read ({error.strerror or error})", path=path) from error
    if len(raw) > limit:
        raise _Bad(f"the file is larger than the limit of {limit:,} bytes", path=path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise _Bad("the file starts with a byte-order mark (BOM), as Excel's 'CSV UTF-8' and some editors write: "
                   "peerkit files have none, so this copy was re-saved by another program; use the file as exported",
                   path=path)
    if b"\x00" in raw:
        raise _Bad("the file contains NUL bytes, so it is not a text export (damaged or not an export)", path=path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Bad(f"is not UTF-8 text (byte {error.start}); it may be damaged or saved in another encoding",
                   path=path) from error


def _read_metadata(path: Path) -> dict[str, Any]:
    text = _read_text(path, MAX_METADATA_BYTES)
    try:
        meta = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise _Bad(f"is not valid JSON ({error.msg} at line {error.lineno}); the file may be cut short") from error
    except (RecursionError, ValueError) as error:
        raise _Bad(f"is not a usable metadata file ({error})") from error
    if not isinstance(meta, dict):
        raise _Bad("metadata must be a JSON object")
    if meta.get("format") != FORMAT_NAME:
        raise _Bad(f"'format' must be {FORMAT_NAME!r}; this is not a peerkit research export")
    version = meta.get("schema_version")
    if isinstance(version, bool) or version not in KNOWN_SCHEMA_VERSIONS:
        raise _Bad(f"export schema version {version!r} is not one this peerkit reads "
                   f"({', '.join(map(str, KNOWN_SCHEMA_VERSIONS))}); update peerkit")
    k = meta.get("min_cell")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise _Bad("'min_cell' must be a whole number of at least 1")
    if meta.get("time_resolution") not in TIME_PATTERNS:
        raise _Bad(f"'time_resolution' must be one of {', '.join(TIME_PATTERNS)}")
    files = meta.get("files")
    if not isinstance(files, dict):
        raise _Bad("'files' must name the responses and counts files")
    for kind, suffix in (("responses", RESPONSES_SUFFIX), ("counts", COUNTS_SUFFIX)):
        name = files.get(kind)
        # a plain file name next to the metadata: no folders, so a file cannot point elsewhere
        if not isinstance(name, str) or not name.endswith(suffix) or Path(name).name != name or name.startswith("."):
            raise _Bad(f"'files.{kind}' must be a plain file name ending in {suffix}")
    if meta.get("columns") != {"responses": RESPONSE_COLUMNS, "counts": COUNT_COLUMNS}:
        raise _Bad(f"'columns' must be responses {RESPONSE_COLUMNS} and counts {COUNT_COLUMNS}")
    rows = meta.get("row_counts")
    if not isinstance(rows, dict) or not all(
        isinstance(rows.get(k), int) and not isinstance(rows.get(k), bool) and rows[k] >= 0
        for k in ("responses", "counts")
    ):
        raise _Bad("'row_counts' must give whole numbers for responses and counts")
    exercises = meta.get("exercises")
    if not isinstance(exercises, dict) or not exercises:
        raise _Bad("'exercises' must map exercise ids to their definitions")
    for exercise, record in exercises.items():
        _check_exercise(exercise, record)
    return meta


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in an export")


def _check_exercise(exercise: str, record: Any) -> None:
    import re

    where = f"exercise {exercise[:60]!r} in the metadata"
    if not re.fullmatch(_ID, exercise):
        raise _Bad(f"{where}: the id must be letters, digits or '_'")
    if not isinstance(record, dict):
        raise _Bad(f"{where} must be an object")
    for key in ("kind", "title"):
        if not isinstance(record.get(key), str):
            raise _Bad(f"{where}: {key!r} must be text")
    items = record.get("items")
    if not isinstance(items, list) or not items or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) and re.fullmatch(_ID, i["id"])
        and isinstance(i.get("text"), str) for i in items
    ):
        raise _Bad(f"{where}: 'items' must be a list of {{'id', 'text'}}")
    if len({i["id"] for i in items}) != len(items):
        raise _Bad(f"{where}: item ids repeat")
    scale = record.get("scale")
    if not isinstance(scale, list) or not all(
        isinstance(o, dict) and isinstance(o.get("label"), str)
        and (isinstance(o.get("value"), str) or (isinstance(o.get("value"), int) and not isinstance(o["value"], bool)))
        for o in scale
    ):
        raise _Bad(f"{where}: 'scale' must be a list of {{'value', 'label'}} with text or whole-number values")
    encoding = record.get("value_encoding")
    if encoding not in ENCODINGS:
        raise _Bad(f"{where}: 'value_encoding' must be one of {', '.join(ENCODINGS)}")
    if scale and encoding != ("integer" if isinstance(scale[0]["value"], int) else "text"):
        raise _Bad(f"{where}: 'value_encoding' {encoding!r} does not fit its scale")
    pattern = record.get("item_pattern")
    if pattern is not None and pattern not in learner_item_patterns():
        raise _Bad(f"{where}: 'item_pattern' is not one peerkit uses")
    options = record.get("options", {})
    if not isinstance(options, dict) or not all(isinstance(v, list) for v in options.values()):
        raise _Bad(f"{where}: 'options' must map item ids to lists of values")


def _read_csv(path: Path, max_bytes: int, columns: list[str], text: str | None = None) -> pd.DataFrame:
    """Parse with the csv module: linear time whatever the content, and every row must have every field.

    (pandas' fast parser takes minutes on a row of 100,000 commas and pads short
    rows silently, so a hostile or damaged file could hang or half-load.)
    """
    import csv
    import io

    text = _read_text(path, max_bytes) if text is None else text
    if not text.strip():
        raise _Bad("the file is empty; the export may have been cut short", path=path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        if header != columns:
            raise _Bad(f"the columns must be exactly {','.join(columns)}; found {','.join(header)[:120]!r}", path=path)
        rows = []
        for number, row in enumerate(reader, start=1):
            if len(row) != len(columns):
                raise _Bad(f"has {len(row)} fields instead of {len(columns)}; the file is damaged or was edited",
                           row=number, path=path)
            rows.append(row)
    except csv.Error as error:
        raise _Bad(f"is not a well-formed CSV file ({error})", row=reader.line_num - 1 or None, path=path) from error
    except _Bad:
        raise
    except Exception as error:  # noqa: BLE001 - never an uncaught exception from a damaged file
        raise _Bad(f"cannot be read as CSV ({type(error).__name__})", path=path) from error
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _first_bad(mask: pd.Series) -> int | None:
    """1-based data row of the first True in ``mask``, or None."""
    hits = mask.to_numpy().nonzero()[0]
    return int(hits[0]) + 1 if len(hits) else None


def _read_responses(path: Path, meta: dict[str, Any], max_bytes: int) -> pd.DataFrame:
    frame = _read_csv(path, max_bytes, RESPONSE_COLUMNS)
    expected = meta["row_counts"]["responses"]
    if len(frame) != expected:
        raise _Bad(f"has {len(frame)} rows but the metadata says {expected}; the file is incomplete or was changed",
                   path=path)

    def check(mask: pd.Series, message: str) -> None:
        row = _first_bad(mask)
        if row is not None:
            cell = frame.iloc[row - 1]
            for column in RESPONSE_COLUMNS:
                message_ = message.replace("{" + column + "}", repr(str(cell[column])[:40]))
                message = message_
            raise _Bad(message, row=row, path=path)

    for column in RESPONSE_COLUMNS:
        check(frame[column].isna(), f"the row has too few fields ({column} is missing)")
        if column != "value":
            check(frame[column] == "", f"{column} is empty")
        if column != "value":  # values are checked per exercise: a rating of -2 is a number, not a formula
            check(frame[column].str.match(FORMULA_START).astype(bool),
                  f"{column} starts a spreadsheet formula; the file was not made by peerkit or was edited")
    check(~frame["learner"].str.fullmatch(RESEARCH_PSEUDONYM_PATTERN.pattern), "learner {learner} is not a research pseudonym")
    check(~frame["answered_on"].str.fullmatch(TIME_PATTERNS[meta["time_resolution"]].pattern),
          "answered_on {answered_on} is not a " + meta["time_resolution"] + " (the metadata's time resolution)")
    check(frame["cohort"].str.len() > 100, "cohort {cohort} is longer than 100 characters")
    exercises = meta["exercises"]
    check(~frame["exercise"].isin(list(exercises)), "exercise {exercise} is not described in the metadata")

    item_keys = {f"{e}\x1f{i['id']}" for e, r in exercises.items() for i in r["items"]}
    known_item = (frame["exercise"] + "\x1f" + frame["item"]).isin(item_keys)
    for exercise, record in exercises.items():
        if record.get("item_pattern"):  # items made by the learner (SMART goals)
            rows = frame["exercise"] == exercise
            known_item[rows] = frame.loc[rows, "item"].str.fullmatch(record["item_pattern"]).astype(bool)
    check(~known_item, "item {item} is not an item of exercise {exercise}")

    values = pd.Series([None] * len(frame), dtype=object, index=frame.index)
    for exercise, positions in frame.groupby("exercise").indices.items():
        values.iloc[positions] = _decode(frame.iloc[positions], exercises[exercise], path)
    frame["value"] = values
    frame["cohort"] = frame["cohort"].map(unescape_cell)
    check(frame.duplicated(["cohort", "learner", "exercise", "item"]),
          "learner {learner} answered {exercise} item {item} twice")
    return frame


def _decode(part: pd.DataFrame, record: dict[str, Any], path: Path) -> list[Any]:
    """The values of one exercise's rows, decoded and checked (vectorised for scale answers)."""
    encoding = record["value_encoding"]
    scale = [o["value"] for o in record["scale"]]
    cells = part["value"]

    def fail(mask: pd.Series, message: str) -> None:
        row = _first_bad(mask)
        if row is not None:
            position = row - 1
            text = message.replace("{item}", repr(part["item"].iloc[position]))
            raise _Bad(text.replace("{cell}", repr(cells.iloc[position][:40])),
                       row=int(part.index[position]) + 1, path=path)

    name = part["exercise"].iloc[0]
    if encoding != "integer":
        fail(cells.str.match(FORMULA_START).astype(bool),
             "value {cell} starts a spreadsheet formula; the file was not made by peerkit or was edited")
    if encoding == "integer":
        fail(~cells.str.fullmatch(r"-?\d{1,18}"), "value {cell} is not a whole number (exercise " + repr(name)
             + " has whole-number answers)")
        numbers = cells.astype("int64")
        if scale:
            fail(~numbers.isin(scale), "value {cell} is not on the scale of " + repr(name))
        return numbers.tolist()
    if encoding == "text":
        texts = cells.where(~cells.str.startswith("'"), cells.map(unescape_cell))
        if scale:
            fail(~texts.isin(scale), "value {cell} is not on the scale of " + repr(name) + " ("
                 + ", ".join(scale)[:200].replace("{", "(").replace("}", ")") + ")")
        _check_options(texts, part, record, fail)
        return texts.tolist()
    out: list[Any] = []
    for position, cell in enumerate(cells):
        try:
            out.append(decode_cell(cell, encoding))
        except ValueError as error:
            raise _Bad(f"value: {error} (exercise {name!r} has JSON answers)",
                       row=int(part.index[position]) + 1, path=path) from error
        if _has_bad_number(out[-1]):
            raise _Bad("value holds a number that is not finite", row=int(part.index[position]) + 1, path=path)
    _check_options(pd.Series(out, index=part.index, dtype=object), part, record, fail)
    return out


def _check_options(values: pd.Series, part: pd.DataFrame, record: dict[str, Any], fail: Any) -> None:
    options = record.get("options", {})
    if record["scale"] or not options:
        return
    def ok(item: str, value: Any) -> bool:
        if item not in options:
            return True
        chosen = value if isinstance(value, list) else [value]
        return bool(chosen) and all(isinstance(v, str | int) and v in options[item] for v in chosen)
    fail(pd.Series([not ok(i, v) for i, v in zip(part["item"], values)], index=part.index),
         "value {cell} is not an option of item {item}")


def _has_bad_number(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_bad_number(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_bad_number(v) for v in value)
    return False


def _read_counts(path: Path, meta: dict[str, Any]) -> pd.DataFrame:
    frame = _read_csv(path, MAX_RESPONSES_BYTES, COUNT_COLUMNS)
    if len(frame) != meta["row_counts"]["counts"]:
        raise _Bad(f"has {len(frame)} rows but the metadata says {meta['row_counts']['counts']}; the file is "
                   "incomplete or was changed", path=path)
    k = meta["min_cell"]
    flag = frame["suppressed"]
    bad_flag = _first_bad(~flag.isin(["True", "False"]))
    if bad_flag:
        raise _Bad("suppressed must be True or False", row=bad_flag, path=path)
    shown = flag == "False"
    numbers = pd.to_numeric(frame["n"].where(shown), errors="coerce")
    row = _first_bad(shown & (numbers.isna() | (numbers < k) | (numbers % 1 != 0) | (numbers > 10**9)))
    if row:
        raise _Bad(f"field 'n': {frame['n'].iloc[row - 1][:30]!r} is not a count (a whole number from k={k} to "
                   "10^9)", row=row, path=path)
    row = _first_bad(~shown & (frame["n"] != ""))
    if row:
        raise _Bad("a suppressed count must be blank", row=row, path=path)
    frame["n"] = numbers.astype("Int64")
    frame["suppressed"] = ~shown
    frame["cohort"] = frame["cohort"].map(unescape_cell)
    return frame
