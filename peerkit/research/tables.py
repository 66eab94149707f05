"""The two tiers' tables, built from a cleaned frame of answers (one table per exercise).

* :func:`microdata_tables`: pseudonymous rows, times coarsened until every
  cohort x period holds at least k learners.
* :func:`aggregate_tables`: counts and shares per cohort, item and value, and
  their totals, with primary and secondary suppression
  (:mod:`peerkit.research.suppression`).

The cleaned frame has the columns cohort, learner (research pseudonym),
exercise, item, value (a Python value) and answered_at (UTC timestamps).
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from .instruments import CHOICE_SEPARATOR, counted, has_labels_kind, is_correct, is_scored, item_values, label_of
from .perturbation import MAX_NOISE, fingerprint, perturb, record_keys
from .suppression import suppress_noisy_row

#: From finest to coarsest; "none" leaves answered_on empty.
TIME_LEVELS = ("day", "week", "month", "year", "none")
TIME_PATTERNS = {
    "day": r"^\d{4}-\d{2}-\d{2}$",
    "week": r"^\d{4}-W\d{2}$",
    "month": r"^\d{4}-\d{2}$",
    "year": r"^\d{4}$",
}
COUNT_FIELDS = ["cohort", "item", "value", "value_label", "n", "share", "suppressed"]
TOTAL_FIELDS = ["item", "total_of", "cohort", "value", "value_label", "n", "suppressed"]
#: Only per-cohort totals are published: a total over several cohorts would let overlapping releases be
#: differenced.
TOTAL_KINDS = ("cohort",)


def periods(times: pd.Series, level: str) -> pd.Series:
    """UTC timestamps as ISO day, week (``2025-W10``), month, year strings, or empty ("none")."""
    stamps = pd.to_datetime(times, utc=True)
    if level == "day":
        return stamps.dt.strftime("%Y-%m-%d")
    if level == "month":
        return stamps.dt.strftime("%Y-%m")
    if level == "year":
        return stamps.dt.strftime("%Y")
    if level == "week":
        iso = stamps.dt.isocalendar()
        return iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)
    return pd.Series([""] * len(stamps), index=stamps.index, dtype=object)


def coarsest_needed(frame: pd.DataFrame, k: int | dict[str, int], start: str = "day") -> str:
    """The finest time level from ``start`` at which, in every exported file (one per exercise), every
    cohort x period holds at least k learners (``k`` may be given per cohort)."""
    for level in TIME_LEVELS[TIME_LEVELS.index(start):]:
        if level == "none":
            return level
        learners = frame.assign(period=periods(frame["answered_at"], level)) \
            .groupby(["exercise", "cohort", "period"])["learner"].nunique()
        needed = (learners.index.get_level_values("cohort").map(k).to_numpy() if isinstance(k, dict)
                  else np.full(len(learners), k))
        if (learners.to_numpy() >= needed).all():
            return level
    return "none"


def encode_value(record: dict[str, Any], value: Any) -> Any:
    """One answer as it goes into the exercise's ``value`` column (its table-schema type)."""
    if record["value_type"] == "integer":
        return int(value)
    if record["value_type"] == "object":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):  # a knowledge check: the chosen options
        return CHOICE_SEPARATOR.join(sorted(str(v) for v in value))
    if isinstance(value, dict):  # a shared reflection
        return str(value.get("text", ""))
    return str(value)


def microdata_tables(frame: pd.DataFrame, records: dict[str, dict[str, Any]],
                     level: str) -> dict[str, pd.DataFrame]:
    """One pseudonymous table per exercise, sorted by content (row order says nothing about time)."""
    frame = frame.assign(answered_on=periods(frame["answered_at"], level))
    tables = {}
    for exercise, part in frame.groupby("exercise", sort=True):
        record = records[exercise]
        items = part["item"].to_numpy(dtype=object)
        values = part["value"].to_numpy(dtype=object)
        table = pd.DataFrame({
            "cohort": part["cohort"].to_numpy(dtype=object),
            "learner": part["learner"].to_numpy(dtype=object),
            "item": items,
            "value": [encode_value(record, v) for v in values],
        })
        if has_labels_kind(record):
            table["value_label"] = _per_distinct(items, values, lambda i, v: label_of(record, i, v))
        if is_scored(record):
            table["correct"] = _per_distinct(items, values, lambda i, v: is_correct(record, i, v))
        table["answered_on"] = part["answered_on"].to_numpy()
        tables[exercise] = table.sort_values(["cohort", "item", "learner"], kind="stable").reset_index(drop=True)
    return tables


def _per_distinct(items: Any, values: Any, work: Any) -> list[Any]:
    """``work(item, value)`` for each row, computed once per distinct (item, value)."""
    cache: dict[Any, Any] = {}
    out = []
    for item, value in zip(items, values):
        key = (item, tuple(value) if isinstance(value, list) else value)
        if key not in cache:
            cache[key] = work(item, value)
        out.append(cache[key])
    return out


def aggregate_tables(frame: pd.DataFrame, records: dict[str, dict[str, Any]], k_of: dict[str, int],
                     cohorts: list[str], key: bytes) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Per counted exercise: (counts, totals), one block per cohort.

    In each cohort's block every number under the cohort's k is hidden, and enough
    others that none can be worked out from the cohort's totals; every shown number
    is perturbed (:mod:`peerkit.research.perturbation`). No number spans cohorts.
    """
    out = {}
    for exercise in sorted(frame["exercise"].unique()):
        record = records[exercise]
        if not counted(record):
            continue
        part = frame[frame["exercise"] == exercise]
        count_rows: list[dict[str, Any]] = []
        total_rows: list[dict[str, Any]] = []
        for cohort in cohorts:
            answers = part[part["cohort"] == cohort]
            block = fingerprint(zip(answers["learner"], answers["item"],
                                    answers["value"].map(lambda v: sorted(v) if isinstance(v, list) else v)))
            keys = record_keys(key, block, answers["learner"].unique())
            for item in record["items"]:
                _item_block(answers[answers["item"] == item["id"]], record, item, k_of[cohort], cohort, keys,
                            count_rows, total_rows)
        out[exercise] = (pd.DataFrame(count_rows, columns=COUNT_FIELDS, dtype=object),
                         pd.DataFrame(total_rows, columns=TOTAL_FIELDS, dtype=object))
    return out


def learner_counts(frame: pd.DataFrame, cohorts: list[str], key: bytes) -> dict[str, int]:
    """Each cohort's number of learners, perturbed with the cohort's whole data as the block."""
    out = {}
    for cohort in cohorts:
        rows = frame[frame["cohort"] == cohort]
        block = fingerprint(zip(rows["exercise"], rows["learner"], rows["item"],
                                rows["value"].map(lambda v: json.dumps(v, sort_keys=True, default=str))))
        learners = rows["learner"].unique()
        keys = record_keys(key, b"learners\x00" + block, learners)
        out[cohort] = perturb(len(learners), keys.values())
    return out


def _item_block(answers: pd.DataFrame, record: dict[str, Any], item: dict[str, Any], k: int, cohort: str,
                keys: dict[str, int], count_rows: list[dict[str, Any]], total_rows: list[dict[str, Any]]) -> None:
    values = item_values(record, item["id"])
    codes = [v for v, _ in values]
    position = {v: i for i, v in enumerate(codes)}
    cells = np.zeros((1, len(codes)), dtype=np.int64)
    cell_keys = np.zeros(len(codes), dtype=np.int64)
    learners = answers["learner"].to_numpy(dtype=object)
    for learner, value in zip(learners, answers["value"].to_numpy(dtype=object)):
        for chosen in (value if isinstance(value, list) else [value]):
            cells[0, position[chosen]] += 1
            cell_keys[position[chosen]] += keys[learner]
    answered = len(learners)
    total = perturb(answered, (keys[learner] for learner in learners))
    published = np.array([perturb(int(cells[0, c]), [int(cell_keys[c])]) for c in range(len(codes))])
    # as the ONS does, a number whose true or perturbed value is under k is hidden; further ones are hidden
    # until the published numbers, read within the noise, pin no hidden count closer than k
    hidden, row_hidden = suppress_noisy_row(cells[0], published, answered, total, k, MAX_NOISE,
                                            multiple=bool(item.get("multiple")))
    total = None if row_hidden else total
    for c, (value, label) in enumerate(values):
        shown = not hidden[c]
        n = int(published[c]) if shown else None
        share = round(min(1.0, n / total), 4) if shown and total else None
        count_rows.append({"cohort": cohort, "item": item["id"], "value": value, "value_label": label,
                           "n": n, "share": share, "suppressed": not shown})
    total_rows.append({"item": item["id"], "total_of": "cohort", "cohort": cohort, "value": None,
                       "value_label": None, "n": total, "suppressed": row_hidden})
