"""De-identified research exports: from a tidy frame, a folder of submissions, or a cohort store.

What leaves the trainer's hands (see :mod:`peerkit.research.format` for the files):

* learner pseudonyms re-keyed with the researcher's key (HMAC-SHA256,
  :mod:`peerkit.research.pseudonyms`); the key is never written out;
* times coarsened to the day (or week, or month);
* only the columns cohort, learner, exercise, item, value, answered_on: names,
  logins, emails or cohort join codes in the input are dropped, never copied;
* free text only where the learner chose to share it (a reflection saved as
  ``{"text": ..., "share": true}``), with emails, phone numbers and web
  addresses replaced by placeholders. Other open answers (a SMART goal) keep
  only whether each field was filled in, unless shared;
* cohorts with fewer than k learners are left out (their rows would single
  people out), and in the counts table every count under k is blanked and
  flagged, plus one more count in a group where a single blank could be worked
  out from the others;
* no text cell can start a spreadsheet formula; numbers stay numbers.

>>> report = export_frame(frame, "export/", key=open("research.key", "rb").read())  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..model import SCHEMA_VERSION as RESPONSE_SCHEMA_VERSION
from .errors import ExportError
from .exercise_info import ExerciseInfo, from_definition
from .format import (
    COUNT_COLUMNS,
    DEFAULT_MIN_CELL,
    EXPORT_SCHEMA_VERSION,
    FORMAT_NAME,
    RESPONSE_COLUMNS,
    STEM_PATTERN,
    TIME_RESOLUTIONS,
    coarsen_times,
    encode_cell,
    encoding_for,
    export_files,
)
from .pseudonyms import check_key, read_key, rekey
from .scrub import scrub_text
from .spreadsheet_safe import escape_cell
from .submissions import Reject, read_submissions

INPUT_COLUMNS = ["cohort", "learner", "exercise", "item", "value", "answered_at"]
MAX_COHORT_LENGTH = 100


@dataclass
class ExportReport:
    """What an export wrote, and everything it left out and why."""

    files: dict[str, Path]
    rows: int
    learners: int
    cohorts: list[str]
    exercises: list[str]
    suppressed_cells: int
    left_out: Counter = field(default_factory=Counter)
    dropped_columns: list[str] = field(default_factory=list)
    rejected_files: list[Reject] = field(default_factory=list)
    skipped_rows: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Exported {self.rows} answers from {self.learners} learners in {len(self.cohorts)} cohort(s) "
            f"({', '.join(self.cohorts) or 'none'}); {self.suppressed_cells} small count(s) suppressed.",
            *(f"  wrote {path}" for path in self.files.values()),
        ]
        if self.dropped_columns:
            lines.append(f"  not exported (identifying or unknown columns): {', '.join(self.dropped_columns)}")
        lines += [f"  left out: {count} {reason}" for reason, count in sorted(self.left_out.items())]
        lines += [f"  rejected file {reject}" for reject in self.rejected_files]
        lines += [f"  skipped {row}" for row in self.skipped_rows[:20]]
        return "\n".join(lines)


def export_frame(
    frame: pd.DataFrame,
    out_dir: str | Path,
    key: bytes | str | None = None,
    *,
    stem: str = "peerkit-export",
    cohort: str | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    time_resolution: str = "day",
    on_invalid: str = "raise",
    label: str = "",
    synthetic: bool = False,
    exported_on: str | None = None,
    overwrite: bool = False,
    shared_by_learners: bool = False,
) -> ExportReport:
    """Write a de-identified export of a tidy frame of responses.

    Parameters
    ----------
    frame : DataFrame
        Columns learner, exercise, item, value, answered_at and cohort (or give
        ``cohort=``). Any other column is dropped and named in the report.
    out_dir : path
        Folder for the three export files (created if missing).
    key : bytes or str, optional
        The researcher's pseudonymisation key (at least 16 bytes). Without it
        ``$PEERKIT_RESEARCH_KEY`` is used; with neither the export is refused.
    stem : str
        File name stem: ``<stem>.responses.csv``, ``.counts.csv``, ``.metadata.json``.
    min_cell : int
        k: counts under k are suppressed and cohorts under k learners left out.
    time_resolution : {"day", "week", "month"}
    on_invalid : {"raise", "skip"}
        What to do with rows that are not valid answers: refuse the whole export
        (default) or leave them out and list them in the report.
    label, synthetic, exported_on
        Stored in the metadata (``exported_on`` defaults to today).
    overwrite : bool
        Replace existing export files with the same stem (refused by default).
    shared_by_learners : bool
        True when every row has already passed the learners' own sharing
        choices (a cohort store, submission files): a reflection arrives there
        as ``{"text": ...}`` only when its ``share`` was true, so it counts as
        shared. Otherwise a reflection needs ``"share": true`` in its value.

    Returns
    -------
    ExportReport
    """
    key = check_key(key) if key is not None else read_key()
    _check_options(stem, min_cell, time_resolution, on_invalid)
    frame = pd.DataFrame(frame).copy()
    if cohort is not None:
        frame["cohort"] = cohort
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ExportError(
            f"The frame lacks column(s) {', '.join(missing)}; it needs {', '.join(INPUT_COLUMNS)} "
            "(give cohort= if every row is from one cohort)."
        )
    dropped_columns = [str(c) for c in frame.columns if c not in INPUT_COLUMNS]
    frame = frame[INPUT_COLUMNS].reset_index(drop=True)

    left_out: Counter = Counter()
    frame, infos, skipped = _valid_rows(frame, on_invalid)
    frame = _open_answers(frame, infos, left_out, shared_by_learners)

    # a learner who answered twice (two submissions, a changed mind): keep the latest answer
    frame = frame.sort_values("answered_at", kind="stable")
    before = len(frame)
    frame = frame.drop_duplicates(["cohort", "learner", "exercise", "item"], keep="last")
    if before > len(frame):
        left_out["earlier answers replaced by a later one"] += before - len(frame)

    sizes = frame.groupby("cohort")["learner"].nunique()
    small = sorted(sizes[sizes < min_cell].index)
    if small:
        gone = frame["cohort"].isin(small)
        left_out[f"answers from {len(small)} cohort(s) with fewer than {min_cell} learners"] += int(gone.sum())
        frame = frame[~gone]
    if frame.empty:
        raise ExportError(
            "Nothing left to export: " + ("; ".join(f"{n} {r}" for r, n in left_out.items()) or "no rows were given")
            + ". No files were written."
        )

    encodings = {
        exercise: encoding_for(infos[exercise].scale_values, list(group["value"]))
        for exercise, group in frame.groupby("exercise")
    }
    pseudonyms = rekey(frame["learner"], key)
    responses = pd.DataFrame({
        "cohort": frame["cohort"].map(escape_cell),
        "learner": frame["learner"].map(pseudonyms),
        "exercise": frame["exercise"],
        "item": frame["item"],
        "value": [encode_cell(v, encodings[e]) for v, e in zip(frame["value"], frame["exercise"])],
        "answered_on": coarsen_times(frame["answered_at"], time_resolution),
    })[RESPONSE_COLUMNS]
    # sorted by content, so the row order says nothing about who submitted when
    responses = responses.sort_values(["cohort", "exercise", "item", "learner"], kind="stable").reset_index(drop=True)
    counts = count_table(frame, infos, min_cell)
    counts["cohort"] = counts["cohort"].map(escape_cell)

    files = export_files(stem)
    metadata = {
        "format": FORMAT_NAME,
        "schema_version": EXPORT_SCHEMA_VERSION,
        "response_schema_version": RESPONSE_SCHEMA_VERSION,
        "label": label,
        "synthetic": bool(synthetic),
        "exported_on": exported_on or date.today().isoformat(),
        "peerkit_version": __version__,
        "min_cell": int(min_cell),
        "time_resolution": time_resolution,
        "pseudonyms": "HMAC-SHA256 of the learner's cohort pseudonym under a key held by the researcher "
                      "(not in this export), first 64 bits, prefixed 'p-'.",
        "files": {"responses": files["responses"], "counts": files["counts"]},
        "columns": {"responses": RESPONSE_COLUMNS, "counts": COUNT_COLUMNS},
        "exercises": {e: infos[e].as_metadata(encodings[e]) for e in sorted(encodings)},
        "cohorts": sorted(frame["cohort"].unique().tolist()),
        "row_counts": {
            "responses": len(responses),
            "counts": len(counts),
            "suppressed_counts": int(counts["suppressed"].sum()),
            "by_exercise": {e: int(n) for e, n in responses["exercise"].value_counts().sort_index().items()},
        },
        "left_out": dict(sorted(left_out.items())),
    }
    written = _write_all(Path(out_dir), files, responses, counts, metadata, overwrite)
    return ExportReport(
        files=written,
        rows=len(responses),
        learners=int(responses["learner"].nunique()),
        cohorts=metadata["cohorts"],
        exercises=sorted(encodings),
        suppressed_cells=int(counts["suppressed"].sum()),
        left_out=left_out,
        dropped_columns=dropped_columns,
        skipped_rows=skipped,
    )


def export_submissions(folder: str | Path, out_dir: str | Path, key: bytes | str | None = None,
                       **options: Any) -> ExportReport:
    """Export every valid submission file in ``folder``; rejected files are listed in the report.

    Options are those of :func:`export_frame`.
    """
    frame, rejects = read_submissions(folder)
    if frame.empty:
        reasons = "; ".join(str(r) for r in rejects[:5]) or f"no *.json files in {folder}"
        raise ExportError(f"No valid submission files to export ({reasons}). No files were written.")
    options.setdefault("shared_by_learners", True)
    report = export_frame(frame, out_dir, key, **options)
    report.rejected_files = rejects
    return report


def export_cohort_store(url: str, cohorts: str | list[str] | None, out_dir: str | Path,
                        key: bytes | str | None = None, *, exercise: str | None = None,
                        **options: Any) -> ExportReport:
    """Export cohorts from a trainer's cohort store (:class:`peerkit.cohort.store.CohortStore`).

    ``cohorts`` is a cohort id, a list of ids, or None for every cohort in the
    store. Options are those of :func:`export_frame`.
    """
    key = check_key(key) if key is not None else read_key()  # refuse before touching the store
    try:
        from ..cohort.store import CohortStore
    except ImportError as error:
        raise ExportError(f"This peerkit cannot open cohort stores ({error}); export from submission files "
                          "instead, or install peerkit's cohort extras.") from error
    store = CohortStore(url, create=False)  # a mistyped path must not create an empty store
    try:
        if cohorts is None:
            cohorts = [info.id for info in store.cohorts()]
        elif isinstance(cohorts, str):
            cohorts = [cohorts]
        frames = []
        for cohort_id in cohorts:
            store.cohort(cohort_id)  # an unknown cohort is an error, not an empty export
            frames.append(store.responses_frame(cohort_id, exercise=exercise).assign(cohort=cohort_id))
    finally:
        store.close()
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INPUT_COLUMNS)
    if frame.empty:
        raise ExportError(f"The cohort store has no shared answers for {', '.join(cohorts) or 'any cohort'}"
                          + (f" and exercise {exercise!r}" if exercise else "") + ". No files were written.")
    options.setdefault("shared_by_learners", True)
    return export_frame(frame, out_dir, key, **options)


def count_table(frame: pd.DataFrame, infos: dict[str, ExerciseInfo], min_cell: int) -> pd.DataFrame:
    """Counts per cohort x exercise x item x scale value, with small counts suppressed.

    Only exercises answered on a scale are counted. Every scale value appears (a
    zero is a count too), so a missing row never hints at a small number.
    """
    parts = []
    for exercise, group in frame.groupby("exercise"):
        info = infos[exercise]
        if not info.scale:
            continue
        values = [str(v) for v in info.scale_values]
        grid = pd.MultiIndex.from_product([sorted(group["cohort"].unique()), info.item_ids, values],
                                          names=["cohort", "item", "value"])
        n = (group.assign(value=group["value"].astype(str)).groupby(["cohort", "item", "value"]).size()
             .reindex(grid, fill_value=0).rename("n").reset_index())
        n.insert(1, "exercise", exercise)
        parts.append(n)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COUNT_COLUMNS})
    table = pd.concat(parts, ignore_index=True)
    table["suppressed"] = suppress_small(table, min_cell)
    table["n"] = table["n"].astype("Int64").mask(table["suppressed"])
    table["value"] = [escape_cell(v) for v in table["value"]]
    return table[COUNT_COLUMNS]


def suppress_small(table: pd.DataFrame, min_cell: int) -> pd.Series:
    """Which counts to blank: every count under k, plus the next smallest in a group with just one.

    With a single blank in a cohort's answers to an item, the blank could be worked
    out from the item's total; blanking a second count stops that.
    """
    primary = table["n"] < min_cell
    keys = ["cohort", "exercise", "item"]
    suppressed = primary.copy()
    single = primary.groupby([table[k] for k in keys]).transform("sum") == 1
    for _, group in table[single & ~primary].groupby(keys):
        suppressed.loc[group["n"].idxmin()] = True
    return suppressed


# --------------------------------------------------------------------------- helpers

def _check_options(stem: str, min_cell: int, time_resolution: str, on_invalid: str) -> None:
    if not isinstance(stem, str) or not STEM_PATTERN.match(stem):
        raise ExportError(f"File name stem {stem!r} must be letters, digits, '.', '_' or '-' (at most 101 characters).")
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ExportError(f"The suppression threshold k must be a whole number of at least 1, not {min_cell!r}.")
    if time_resolution not in TIME_RESOLUTIONS:
        raise ExportError(f"Time resolution {time_resolution!r} is not one of: {', '.join(TIME_RESOLUTIONS)}.")
    if on_invalid not in ("raise", "skip"):
        raise ExportError(f"on_invalid must be 'raise' or 'skip', not {on_invalid!r}.")


def _valid_rows(frame: pd.DataFrame, on_invalid: str) -> tuple[pd.DataFrame, dict[str, ExerciseInfo], list[str]]:
    infos: dict[str, ExerciseInfo] = {}
    unknown: dict[Any, str] = {}
    for exercise in {e for e in frame["exercise"] if isinstance(e, str)}:
        try:
            infos[exercise] = from_definition(str(exercise))
        except Exception as error:  # noqa: BLE001 - reported per row below
            unknown[exercise] = str(error)
    times = pd.to_datetime(frame["answered_at"], utc=True, errors="coerce", format="ISO8601") \
        if not pd.api.types.is_datetime64_any_dtype(frame["answered_at"]) else frame["answered_at"]
    if getattr(times.dt, "tz", None) is None:
        times = times.dt.tz_localize("UTC")
    frame = frame.assign(answered_at=times)

    problems: list[tuple[int, str]] = []
    for row in frame.itertuples():
        problem = _row_problem(row, infos, unknown)
        if problem:
            problems.append((row.Index, problem))
    if problems and on_invalid == "raise":
        shown = "; ".join(f"row {i}: {p}" for i, p in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ExportError(f"{len(problems)} row(s) are not valid answers: {shown}{more}. Fix them, or pass "
                          "on_invalid='skip' to leave them out. No files were written.")
    bad = [i for i, _ in problems]
    return frame.drop(index=bad), infos, [f"row {i}: {p}" for i, p in problems]


def _row_problem(row: Any, infos: dict[str, ExerciseInfo], unknown: dict[Any, str]) -> str | None:
    for name in ("cohort", "learner"):
        value = getattr(row, name)
        if not isinstance(value, str) or not value.strip():
            return f"{name} must be a non-empty text"
    if len(row.cohort) > MAX_COHORT_LENGTH or any(ord(ch) < 32 for ch in row.cohort):
        return f"cohort {row.cohort[:40]!r} is too long or holds control characters"
    if pd.isna(row.answered_at):
        return "answered_at is not a time"
    info = infos.get(row.exercise) if isinstance(row.exercise, str) else None
    if info is None:
        reason = unknown.get(row.exercise, "not text") if isinstance(row.exercise, str) else "not text"
        return f"exercise {str(row.exercise)[:60]!r} is unknown ({reason})"
    if not info.item_ok(row.item):
        return f"exercise {info.id!r} has no item {str(row.item)[:60]!r}"
    if info.kind == "reflection":
        return None  # free text: checked by _open_answers
    if not info.value_ok(row.item, row.value):
        return f"{str(row.value)[:60]!r} is not an answer to {info.id!r} item {row.item!r}"
    try:
        json.dumps(row.value, allow_nan=False)
    except (TypeError, ValueError):
        return f"the value of {info.id!r} item {row.item!r} cannot be stored as JSON"
    return None


def _open_answers(frame: pd.DataFrame, infos: dict[str, ExerciseInfo], left_out: Counter,
                  shared_by_learners: bool) -> pd.DataFrame:
    """Apply the consent rule to free text; closed answers pass unchanged."""
    keep, values = [], []
    for value, exercise in zip(frame["value"], frame["exercise"]):
        info = infos[exercise]
        if info.closed:
            keep.append(True)
            values.append(value)
            continue
        shared = isinstance(value, dict) and value.get("share") is True
        if info.kind == "reflection":
            if shared_by_learners and isinstance(value, dict) and "share" not in value:
                shared = True  # the sharing rules let a reflection out only when the learner shared it
            text = value.get("text") if isinstance(value, dict) else None
            if not shared:
                left_out["reflections not shared by the learner"] += 1
            elif not isinstance(text, str) or not text.strip():
                left_out["shared reflections with no text"] += 1
                shared = False
            keep.append(shared)
            values.append(scrub_text(text) if shared else None)
            continue
        if isinstance(value, str):
            left_out[f"open text answers ({info.kind}) with no sharing consent"] += 1
            keep.append(False)
            values.append(None)
            continue
        if not shared and _has_text(value):
            left_out[f"open answers ({info.kind}) reduced to filled/empty per field"] += 1
        keep.append(True)
        values.append(_redact(value, shared))
    frame = frame.assign(value=values)
    return frame[keep]


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, dict):
        return any(_has_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_text(v) for v in value)
    return False


def _redact(value: Any, shared: bool) -> Any:
    """Shared: text scrubbed of contact details. Not shared: each text becomes True (filled) or False."""
    if isinstance(value, str):
        return scrub_text(value) if shared else bool(value.strip())
    if isinstance(value, dict):
        return {str(k): _redact(v, shared) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, shared) for v in value]
    return value


def _write_all(out_dir: Path, files: dict[str, str], responses: pd.DataFrame, counts: pd.DataFrame,
               metadata: dict[str, Any], overwrite: bool) -> dict[str, Path]:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"Cannot create the export folder {out_dir}: {error.strerror or error}.") from error
    targets = {kind: out_dir / name for kind, name in files.items()}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not overwrite:
        raise ExportError(f"{', '.join(existing)} already exist(s); choose another folder or stem, or pass "
                          "overwrite=True (--overwrite). Nothing was written.")
    payloads = {
        "responses": responses.to_csv(index=False, lineterminator="\n"),
        "counts": counts.to_csv(index=False, lineterminator="\n"),
        "metadata": json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
    }
    temporary: list[tuple[str, Path]] = []
    try:
        # all three written to temporary files first: an export is complete or absent
        for kind, text in payloads.items():
            handle, name = tempfile.mkstemp(dir=out_dir, prefix=".peerkit-export-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            temporary.append((name, targets[kind]))
        for name, target in temporary:
            os.replace(name, target)
    except OSError as error:
        for name, _ in temporary:
            Path(name).unlink(missing_ok=True)
        raise ExportError(f"Cannot write the export into {out_dir}: {error.strerror or error}.") from error
    return targets
