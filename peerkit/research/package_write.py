"""Write one research data package: its tables, datapackage.json, README, codebook, notice, files.

:mod:`peerkit.research.export` decides which answers may go out (consent, valid rows,
cohorts of at least k learners, re-keyed pseudonyms); this module turns those
answers into the package of one tier (:func:`package_files`) and puts the files on
disk complete or not at all (:func:`write_package`). The layout and the table
schemas are :mod:`peerkit.research.package`.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..files import fsync_folder
from ..model import SCHEMA_VERSION as RESPONSE_SCHEMA_VERSION
from . import perturbation
from .codebook import CITATION, codebook, data_use_notice, readme
from .errors import ExportError
from .package import (
    AGGREGATE_LICENCE,
    COURSE_LICENCE,
    DESCRIPTOR,
    FORMULA_GUARD,
    MICRODATA_LICENCE,
    PACKAGE_FORMAT,
    PACKAGE_PROFILE,
    PACKAGE_SCHEMA_VERSION,
    cell_text,
    counts_schema,
    csv_bytes,
    descriptor_bytes,
    resource,
    resource_name,
    resource_path,
    responses_schema,
    totals_schema,
)
from .tables import (
    COUNT_FIELDS,
    TOTAL_FIELDS,
    aggregate_tables,
    coarsest_needed,
    learner_counts,
    microdata_tables,
    periods,
)

_PART_TITLES = {"counts": "counts and shares per cohort, item and value",
                "totals": "totals per cohort, per value and per item"}


@dataclass
class PackageFiles:
    """The bytes of every file of one package (by path inside it), and what they hold."""

    files: dict[str, bytes]
    rows: int
    suppressed: int
    time_resolution: str


def package_files(frame: pd.DataFrame, records: dict[str, dict[str, Any]], cohorts: list[str],
                  k_of: dict[str, int], key: bytes, left_out: Counter, *, tier: str, min_cell: int,
                  time_resolution: str, title: str, name: str, synthetic: bool, exported_on: str | None,
                  sources: list[dict[str, str]] | None, licence: dict[str, str] | None, author: str,
                  parquet: bool, filters: dict[str, Any] | None, include_texts: bool) -> PackageFiles:
    """The files of one package of ``frame`` (answers already chosen, learners already re-keyed).

    ``records`` are the exercises' instruments, ``k_of`` each cohort's k; the other
    arguments are those of :func:`peerkit.research.export.export_frame`.
    """
    cohort_cells = [cell_text(c) for c in cohorts]
    files: dict[str, bytes] = {}
    resources: list[dict[str, Any]] = []
    tables: dict[str, pd.DataFrame] = {}
    suppressed = 0
    if tier == "aggregate":
        level = time_resolution
        for exercise, (counts, totals) in aggregate_tables(frame, records, k_of, cohorts, key).items():
            for part, table, schema, columns in (
                ("counts", counts, counts_schema(records[exercise], cohort_cells), COUNT_FIELDS),
                ("totals", totals, totals_schema(records[exercise], cohort_cells), TOTAL_FIELDS),
            ):
                content = csv_bytes(table, columns)
                path = resource_path(exercise, part)
                files[path] = content
                tables[path] = table
                resources.append(resource(resource_name(exercise, part), path, schema, content,
                                          f"{records[exercise]['title']}: {_PART_TITLES[part]}"))
                suppressed += int(table["suppressed"].sum())
        if not resources:
            raise ExportError("Nothing to count: the aggregate tier counts answers picked from a list (ratings, the "
                              "boundary matrix, knowledge checks), and these data hold none. Use --tier microdata "
                              "under a data-use agreement for free text. No files were written.")
    else:
        level = coarsest_needed(frame, {c: k_of[c] for c in cohorts}, time_resolution)
        for exercise, table in microdata_tables(frame, records, level).items():
            content = csv_bytes(table, list(table.columns))
            path = resource_path(exercise, "responses")
            files[path] = content
            tables[path] = table
            resources.append(resource(resource_name(exercise, "responses"), path,
                                      responses_schema(records[exercise], cohort_cells, level), content,
                                      f"{records[exercise]['title']}: one row per answer"))
    rows_exported = int(len(frame))

    exported_on = exported_on or date.today().isoformat()
    title = title or f"peerkit cohort answers ({tier})"
    data_licence = licence or (AGGREGATE_LICENCE if tier == "aggregate" else MICRODATA_LICENCE)
    content_hash = hashlib.sha256(b"".join(hashlib.sha256(files[p]).digest() for p in sorted(files))).hexdigest()
    version = f"{int(exported_on[:4])}.{int(exported_on[5:7])}.{int(exported_on[8:10])}+{content_hash[:12]}"
    citation = CITATION.format(author=author, year=exported_on[:4], title=title, tier=tier, version=__version__,
                               date=exported_on)
    stamps = pd.to_datetime(frame["answered_at"], utc=True)
    collected = {"from": periods(pd.Series([stamps.min()]), level)[0] if level != "none" else "",
                 "to": periods(pd.Series([stamps.max()]), level)[0] if level != "none" else "",
                 "resolution": level}
    if tier == "aggregate":
        collected = {"from": stamps.min().strftime("%Y-%m"), "to": stamps.max().strftime("%Y-%m"),
                     "resolution": "month"}
    meta = {
        "format": PACKAGE_FORMAT, "schema_version": PACKAGE_SCHEMA_VERSION, "tier": tier,
        "response_schema_version": RESPONSE_SCHEMA_VERSION, "title": title, "synthetic": bool(synthetic),
        "exported_on": exported_on, "peerkit_version": __version__, "min_cell": int(min_cell),
        "cohort_min_cell": {c: k_of[c] for c in cohorts},
        "time_resolution": level, "requested_time_resolution": time_resolution,
        "collection_period": collected,
        "filters": {"cohorts": cohorts, "exercise": None, "min_cell": int(min_cell),
                    "time_resolution": time_resolution, "include_texts": bool(include_texts and tier == "microdata"),
                    **(filters or {})},
        "consent": "Only answers of learners who agreed to research use (a separate choice, off by default, that "
                   "they can withdraw); personal check-ins never; texts the trainer hid never.",
        "pseudonyms": "HMAC-SHA256 of the learner's cohort pseudonym under a key held by the researcher "
                      "(not in this package), first 64 bits, prefixed 'p-'; re-keyed for every export.",
        "cohorts": cohorts, "exercises": records,
        "rows": {r["path"]: int(len(tables[r["path"]])) for r in resources},
        "suppressed": suppressed, "licence": data_licence, "course_licence": COURSE_LICENCE, "citation": citation,
        "text_cells": FORMULA_GUARD,
    }
    if tier == "aggregate":
        per_cohort = learner_counts(frame, cohorts, key)
        meta["learners"] = int(sum(per_cohort.values()))
        meta["cohort_learners"] = per_cohort
        meta["perturbation"] = perturbation.description(int(min_cell))
        meta["left_out"] = sorted(left_out)  # the reasons only: their numbers would be exact
    else:
        meta["answers"] = rows_exported
        meta["learners"] = int(frame["learner"].nunique())
        meta["left_out"] = dict(sorted(left_out.items()))
        meta["data_use"] = "DATA-USE.md"
    descriptor = {
        "$schema": PACKAGE_PROFILE,
        "id": f"urn:peerkit:{name}:{content_hash[:32]}",
        "name": name, "title": title, "version": version, "created": f"{exported_on}T00:00:00Z",
        "description": ("Counts and shares of peerkit course answers per cohort: small cells suppressed and every "
                        "shown number perturbed by cell-key noise (at most "
                        f"{perturbation.MAX_NOISE} either way), so numbers do not add up exactly "
                        "(aggregate tier)."
                        if tier == "aggregate" else
                        "Pseudonymous peerkit course answers (microdata tier): data-use agreement required."),
        "keywords": ["peer support", "training", "peerkit", tier] + (["SYNTHETIC"] if synthetic else []),
        "licenses": [data_licence, COURSE_LICENCE],
        "sources": sources or [{"title": "a tidy frame of peerkit answers"}],
        "contributors": [{"title": author, "roles": ["author"]}],
        "citation": citation,
        "resources": resources,
        "peerkit": meta,
    }
    files["README.md"] = readme(meta, resources).encode("utf-8")
    files["codebook.md"] = codebook(records, meta).encode("utf-8")
    if tier == "microdata":
        files["DATA-USE.md"] = data_use_notice(meta).encode("utf-8")
    if parquet:
        files.update(_parquet_files(tables))
    files[DESCRIPTOR] = descriptor_bytes(descriptor)
    return PackageFiles(files=files, rows=rows_exported, suppressed=suppressed, time_resolution=level)


def _parquet_files(tables: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ExportError("Parquet files need pyarrow: pip install 'peerkit[parquet]'. No files were written.") \
            from error
    out = {}
    for path, table in tables.items():
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(table.astype(object).where(table.notna(), None), preserve_index=False),
                       buffer)
        out[path.removesuffix(".csv") + ".parquet"] = buffer.getvalue()
    return out


def write_package(out: Path, files: dict[str, bytes], overwrite: bool) -> dict[str, Path]:
    """Write every file into a fresh folder beside ``out``, then move them in: complete or absent."""
    if (out / DESCRIPTOR).exists() and not overwrite:
        raise ExportError(f"{out / DESCRIPTOR} already exists; choose another folder or pass overwrite=True "
                          "(--overwrite). Nothing was written.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=out, prefix=".peerkit-export-"))
    except OSError as error:
        raise ExportError(f"Cannot create the export folder {out}: {error.strerror or error}.") from error
    try:
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
        if overwrite and (out / "data").is_dir():
            shutil.rmtree(out / "data")
        for relative in sorted(files, key=lambda p: p == DESCRIPTOR):  # the descriptor last: it marks completion
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
        for folder in sorted({(out / relative).parent for relative in files},
                             key=lambda folder: len(folder.parts), reverse=True):
            fsync_folder(folder)  # the renames themselves survive a power cut (as peerkit.files.write_atomic)
    except OSError as error:
        raise ExportError(f"Cannot write the export into {out}: {error.strerror or error}.") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {relative: out / relative for relative in files}
