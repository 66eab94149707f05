"""A research export as a Frictionless data package: table schemas, licence, sources, citation, files.

Layout of a package folder::

    datapackage.json     every file's table schema, licences, sources, citation, and peerkit's own
                         metadata under "peerkit" (tier, k, time resolution, exercises, cohorts, row counts)
    README.md            what the package is, its tier, how to open it
    codebook.md          every item's wording, scale or options with labels, correct answers, chapter
    DATA-USE.md          (microdata only) the data-use notice
    data/<exercise>.responses.csv                    microdata: one row per answer
    data/<exercise>.counts.csv, <exercise>.totals.csv  aggregate: counts, shares and their totals

Every CSV is UTF-8 without a byte-order mark, comma separated, CR LF line ends
(so every field holding CR, LF, a quote or a comma is quoted), text cells
guarded against formulas (:mod:`peerkit.research.spreadsheet_safe`), and an empty
field is a missing value.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from typing import Any

import pandas as pd

from .instruments import CHOICE_SEPARATOR, has_labels_kind, is_scored
from .pseudonyms import RESEARCH_PSEUDONYM_PATTERN
from .spreadsheet_safe import escape_cell, normalise_text
from .tables import TIME_PATTERNS, TOTAL_KINDS

PACKAGE_FORMAT = "peerkit-research-package"
#: 3: Data Package v2, cell-key perturbation, per-cohort totals only, ordered categories.
PACKAGE_SCHEMA_VERSION = 3
PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
#: What every reader must know about text cells (said in each text field's description too).
FORMULA_GUARD = ("A text cell that would start with =, +, - or @ (after any leading spaces or control characters), "
                 "or that starts with a quote followed by one of these, has one more single quote (') put in front "
                 "so that no spreadsheet runs it as a formula. Remove one leading ' from such a cell to get the "
                 "original text (peerkit.research.load does).")
DESCRIPTOR = "datapackage.json"
DATA_DIR = "data"
TIERS = ("aggregate", "microdata")
MAX_COHORT_LENGTH = 100
DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": True, "header": True}
COURSE_LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 (the course text: item wording "
                  "and labels in the codebook and schemas)", "path": "https://creativecommons.org/licenses/by/4.0/"}
AGGREGATE_LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 (the aggregate counts)",
                     "path": "https://creativecommons.org/licenses/by/4.0/"}
MICRODATA_LICENCE = {"name": "other-closed", "title": "Restricted: for the research team named in the data-use "
                     "agreement only; see DATA-USE.md. Not for publication or sharing."}


def resource_name(exercise: str, part: str) -> str:
    return f"{exercise.lower()}-{part}"


def resource_path(exercise: str, part: str) -> str:
    return f"{DATA_DIR}/{exercise}.{part}.csv"


# --------------------------------------------------------------------------- schemas

def value_field(record: dict[str, Any], item_ids: list[str], *, single_option: bool = False) -> dict[str, Any]:
    """The ``value`` field of one exercise: its type, and the scale or options as enum and labelled categories."""
    field: dict[str, Any] = {"name": "value", "title": "Answer", "type": record["value_type"]}
    if record["scale"]:
        values = [o["value"] for o in record["scale"]]
        field["constraints"] = {"enum": values}
        field["categories"] = [{"value": o["value"], "label": str(o["label"])} for o in record["scale"]]
        field["categoriesOrdered"] = True
        field["description"] = ("The chosen point of the scale, in the scale's order (categoriesOrdered); labels in "
                                "categories and the codebook.")
    elif is_scored(record):
        options = sorted({str(o["value"]) for i in record["items"] for o in i.get("options", [])})
        choice = "(?:" + "|".join(re.escape(o) for o in options) + ")"
        if single_option:
            field["constraints"] = {"enum": options}
            field["categories"] = options
            field["categoriesOrdered"] = False
            field["description"] = "One option of the question (see the codebook for its label)."
        else:
            field["constraints"] = {"pattern": f"{choice}(?:{re.escape(CHOICE_SEPARATOR)}{choice})*"}
            field["description"] = (f"The chosen option(s), in alphabetical order, joined by '{CHOICE_SEPARATOR}'; "
                                    "option labels and the correct answer are in the codebook.")
    elif record["value_type"] == "object":
        field["description"] = ("A JSON object: each field of the answer; text fields are true/false (filled in or "
                                "not) unless the learner shared the text. " + FORMULA_GUARD)
    else:
        field["description"] = ("Text the learner chose to share, with contact details replaced by [email], "
                                "[phone], [url] or [handle] (see README.md for what is and is not removed). "
                                + FORMULA_GUARD)
    return field


def _item_field(record: dict[str, Any], required: bool = True) -> dict[str, Any]:
    ids = [i["id"] for i in record["items"]]
    constraints: dict[str, Any] = {"required": required}
    if record.get("item_pattern"):
        constraints["pattern"] = record["item_pattern"].strip("^$")
    else:
        constraints["enum"] = ids
    return {"name": "item", "title": "Item id", "type": "string", "constraints": constraints,
            "description": "The item's id; its wording is in the codebook."}


def _cohort_field(cohorts: list[str], required: bool = True) -> dict[str, Any]:
    return {"name": "cohort", "title": "Cohort", "type": "string",
            "constraints": {"required": required, "enum": cohorts, "maxLength": MAX_COHORT_LENGTH + 1},
            "description": "The cohort's id. " + FORMULA_GUARD}


def responses_schema(record: dict[str, Any], cohorts: list[str], level: str) -> dict[str, Any]:
    fields = [
        _cohort_field(cohorts),
        {"name": "learner", "title": "Research pseudonym", "type": "string",
         "constraints": {"required": True, "pattern": RESEARCH_PSEUDONYM_PATTERN.pattern.strip("^$")},
         "description": "Re-keyed for this export with the researcher's key (HMAC-SHA256); not the learner's name "
                        "or course pseudonym."},
        _item_field(record),
        _required(value_field(record, [])),
    ]
    if has_labels_kind(record):
        fields.append({"name": "value_label", "title": "Answer label", "type": "string",
                       "description": "The label of the chosen value (several options: labels joined by ' | '). "
                                      + FORMULA_GUARD})
    if is_scored(record):
        fields.append({"name": "correct", "title": "Correct", "type": "boolean", "trueValues": ["true"],
                       "falseValues": ["false"], "constraints": {"required": True},
                       "description": "Whether the chosen options are exactly the correct ones."})
    fields.append(_time_field(level))
    return {"$schema": SCHEMA_PROFILE, "fields": fields, "missingValues": [""],
            "primaryKey": ["cohort", "learner", "item"]}


def _required(field: dict[str, Any]) -> dict[str, Any]:
    return {**field, "constraints": {**field.get("constraints", {}), "required": True}}


def _time_field(level: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": "answered_on", "title": "Answered in", "type": "string",
                             "description": f"When the answer was given, coarsened to the {level} (UTC) so that "
                                            "every cohort and period holds at least k learners."}
    if level == "day":
        field.update(type="date", format="default", constraints={"required": True})
    elif level == "none":
        field["description"] = "Left empty: no period held at least k learners of every cohort."
        field["constraints"] = {"maxLength": 0}
    else:
        field["constraints"] = {"required": True, "pattern": TIME_PATTERNS[level].strip("^$")}
    return field


def counts_schema(record: dict[str, Any], cohorts: list[str]) -> dict[str, Any]:
    value = _required(value_field(record, [], single_option=True))
    return {"$schema": SCHEMA_PROFILE, "fields": [
        _cohort_field(cohorts), _item_field(record), value,
        {"name": "value_label", "title": "Answer label", "type": "string", "description": FORMULA_GUARD},
        {"name": "n", "title": "People", "type": "integer", "constraints": {"minimum": 0},
         "description": "How many learners of the cohort chose this value, with cell-key noise added (within 3 of "
                        "the true count; see peerkit.perturbation in datapackage.json); empty when suppressed."},
        {"name": "share", "title": "Share", "type": "number", "constraints": {"minimum": 0, "maximum": 1},
         "description": "n divided by the cohort's published total for the item (totals file), at most 1; empty "
                        "when either is hidden."},
        {"name": "suppressed", "title": "Suppressed", "type": "boolean", "trueValues": ["true"],
         "falseValues": ["false"], "constraints": {"required": True},
         "description": "True when n is hidden: under the cohort's k, or hidden so that no other hidden count can "
                        "be worked out."},
    ], "missingValues": [""], "primaryKey": ["cohort", "item", "value"]}


def totals_schema(record: dict[str, Any], cohorts: list[str]) -> dict[str, Any]:
    value = value_field(record, [], single_option=True)
    return {"$schema": SCHEMA_PROFILE, "fields": [
        _item_field(record),
        {"name": "total_of", "title": "Total of", "type": "string",
         "constraints": {"required": True, "enum": list(TOTAL_KINDS)},
         "description": "cohort: people in one cohort who answered the item. No total over several cohorts is "
                        "published (two overlapping releases could be differenced)."},
        _cohort_field(cohorts, required=False), value,
        {"name": "value_label", "title": "Answer label", "type": "string", "description": FORMULA_GUARD},
        {"name": "n", "title": "People", "type": "integer", "constraints": {"minimum": 0},
         "description": "The total, with cell-key noise added (within 3 of the true total); empty when "
                        "suppressed."},
        {"name": "suppressed", "title": "Suppressed", "type": "boolean", "trueValues": ["true"],
         "falseValues": ["false"], "constraints": {"required": True}},
    ], "missingValues": [""]}


# --------------------------------------------------------------------------- writing cells

def cell_text(value: Any) -> str:
    """One value as CSV text: missing -> empty, booleans true/false, text normalised and guarded."""
    if value is None or value is pd.NA:
        return ""
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(float(round(value, 6)))
    return escape_cell(normalise_text(str(value)))


def csv_bytes(table: pd.DataFrame, columns: list[str]) -> bytes:
    """A table as RFC 4180 CSV bytes (CR LF rows; fields with CR, LF, quotes or commas quoted)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(zip(*(_column_text(table[c].to_numpy(dtype=object)) for c in columns)))
    return buffer.getvalue().encode("utf-8")


def _column_text(values: Any) -> list[str]:
    """:func:`cell_text` of a column, computed once per distinct value (columns repeat a few values)."""
    cache: dict[tuple[type, Any], str] = {}
    out = []
    for value in values:
        key = (type(value), value)
        text = cache.get(key)
        if text is None:
            text = cache[key] = cell_text(value)
        out.append(text)
    return out


def file_facts(content: bytes) -> dict[str, Any]:
    return {"bytes": len(content), "hash": "sha256:" + hashlib.sha256(content).hexdigest()}


def resource(name: str, path: str, schema: dict[str, Any], content: bytes, title: str) -> dict[str, Any]:
    return {"$schema": RESOURCE_PROFILE, "name": name, "type": "table", "path": path, "title": title,
            "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "dialect": DIALECT, "schema": schema,
            **file_facts(content)}


def descriptor_bytes(descriptor: dict[str, Any]) -> bytes:
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
