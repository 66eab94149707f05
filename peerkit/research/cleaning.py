"""What may leave the trainer's hands: valid answers only, and free text only with the learner's consent.

Rows that are not valid answers are refused (or skipped and listed); a reflection
leaves only when the learner shared it, with its text normalised (line breaks as
LF, no control characters) and scrubbed of contact details; other open answers
keep only whether each field was filled in, unless shared.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pandas as pd

from .errors import ExportError
from .exercise_info import ExerciseInfo, from_definition
from ..scrub import scrub_text
from .spreadsheet_safe import normalise_text

INPUT_COLUMNS = ["cohort", "learner", "exercise", "item", "value", "answered_at"]
MAX_COHORT_LENGTH = 100


def clean_text(text: str) -> str:
    """Shared text as it enters an export: normalised line breaks, contact details removed."""
    return scrub_text(normalise_text(text))


def valid_rows(frame: pd.DataFrame, on_invalid: str) -> tuple[pd.DataFrame, dict[str, ExerciseInfo], list[str]]:
    infos: dict[str, ExerciseInfo] = {}
    unknown: dict[Any, str] = {}
    for exercise in {e for e in frame["exercise"].to_numpy(dtype=object) if isinstance(e, str)}:
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
    # most rows repeat a few (cohort, exercise, item, value) combinations: check each distinct one once
    seen: dict[tuple, str | None] = {}
    columns = [frame[c].to_numpy(dtype=object) for c in ("cohort", "learner", "exercise", "item", "value")]
    learner_ok: dict[Any, bool] = {}
    for index, cohort, learner, exercise, item, value, when in zip(frame.index, *columns, times.isna().to_numpy()):
        ok = learner_ok.get(learner) if isinstance(learner, str) else False
        if ok is None:
            ok = learner_ok[learner] = bool(learner.strip())
        try:
            key = (cohort, exercise, item, type(value), value, bool(when))
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in seen:
            problem = seen[key]
        else:
            problem = _row_problem(_Row(cohort, learner if ok else "x", exercise, item, value, when), infos, unknown)
            if key is not None:
                seen[key] = problem
        if not ok:
            problem = "learner must be a non-empty text"
        if problem:
            problems.append((index, problem))
    if problems and on_invalid == "raise":
        shown = "; ".join(f"row {i}: {p}" for i, p in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ExportError(f"{len(problems)} row(s) are not valid answers: {shown}{more}. Fix them, or pass "
                          "on_invalid='skip' to leave them out. No files were written.")
    bad = [i for i, _ in problems]
    return frame.drop(index=bad), infos, [f"row {i}: {p}" for i, p in problems]


class _Row:
    __slots__ = ("cohort", "learner", "exercise", "item", "value", "answered_at")

    def __init__(self, cohort: Any, learner: Any, exercise: Any, item: Any, value: Any, missing_time: bool) -> None:
        self.cohort, self.learner, self.exercise, self.item, self.value = cohort, learner, exercise, item, value
        self.answered_at = pd.NaT if missing_time else 0


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
    if info.text_key:
        return None  # free text: checked by _open_answers
    if not info.value_ok(row.item, row.value):
        return f"{str(row.value)[:60]!r} is not an answer to {info.id!r} item {row.item!r}"
    try:
        json.dumps(row.value, allow_nan=False)
    except (TypeError, ValueError):
        return f"the value of {info.id!r} item {row.item!r} cannot be stored as JSON"
    return None


def open_answers(frame: pd.DataFrame, infos: dict[str, ExerciseInfo], left_out: Counter,
                  shared_by_learners: bool, include_texts: bool = True) -> pd.DataFrame:
    """Apply the consent rule to free text; closed answers pass unchanged.

    Without ``include_texts`` no learner text leaves at all: reflections are left
    out and every text field of a structured answer becomes filled/empty.
    """
    keep, values = [], []
    for value, exercise in zip(frame["value"].to_numpy(dtype=object), frame["exercise"].to_numpy(dtype=object)):
        info = infos[exercise]
        if info.closed:
            keep.append(True)
            values.append(value)
            continue
        shared = isinstance(value, dict) and value.get("share") is True
        if info.text_key and not include_texts:
            left_out["free-text answers (exported only with --include-texts)"] += 1
            keep.append(False)
            values.append(None)
            continue
        if info.text_key:
            if shared_by_learners and isinstance(value, dict) and "share" not in value:
                shared = True  # the sharing rules let a reflection out only when the learner shared it
            text = value.get(info.text_key) if isinstance(value, dict) else None
            if not shared:
                left_out["reflections not shared by the learner"] += 1
            elif not isinstance(text, str) or not text.strip():
                left_out["shared reflections with no text"] += 1
                shared = False
            keep.append(shared)
            values.append(clean_text(text) if shared else None)
            continue
        if isinstance(value, str):
            left_out[f"open text answers ({info.kind}) with no sharing consent"] += 1
            keep.append(False)
            values.append(None)
            continue
        shared = shared and include_texts
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
        return clean_text(value) if shared else bool(value.strip())
    if isinstance(value, dict):
        return {str(k): _redact(v, shared) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, shared) for v in value]
    return value


