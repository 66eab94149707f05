"""Research exports as Frictionless data packages, in two tiers, from three kinds of source.

* ``tier="aggregate"`` (the default): counts and shares per cohort, item and
  value, with their totals; every number under k hidden and enough others that
  none can be worked out from the rest (:mod:`peerkit.research.suppression`).
  Safe to publish.
* ``tier="microdata"``: pseudonymous rows for a research team under a data-use
  agreement (a DATA-USE.md notice goes in the package), times coarsened until
  every cohort x period holds at least k learners.

Both: learner pseudonyms re-keyed with the researcher's key (HMAC-SHA256, never
written out); cohorts with fewer than k learners left out; only the columns
cohort, learner, exercise, item, value, answered_at read from the input (names,
logins, join codes are dropped and named in the report); free text only where
the learner shared it, scrubbed of contact details; no cell can start a formula.

Sources: a tidy frame (:func:`export_frame`), a folder of hand-in files
(:func:`export_submissions`) or a cohort server (:func:`export_cohort_server`). The same answers give the same
package from each (only ``sources`` in datapackage.json differs).

This module decides which answers may go out; :mod:`peerkit.research.package_write`
turns them into the package's files and writes them.

>>> report = export_frame(frame, "export/", key=open("research.key", "rb").read())  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .cleaning import INPUT_COLUMNS, open_answers, valid_rows
from .errors import ExportError
from .instruments import instrument
from .package import DESCRIPTOR, TIERS
from .package_write import package_files, write_package
from .pseudonyms import check_key, read_key, rekey
from .submissions import Reject, read_submissions
from .suppression import DEFAULT_MIN_CELL
from .tables import TIME_LEVELS

#: Time resolutions one may ask for; the microdata tier may coarsen further.
TIME_RESOLUTIONS = TIME_LEVELS[:-1]
#: Columns a source adds for the consent rules; read, never exported, never reported as dropped.
CONSENT_COLUMNS = ("research_consent", "personal", "hidden")
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,100}$"


@dataclass
class ExportReport:
    """What an export wrote, and everything it left out and why."""

    tier: str
    folder: Path
    files: dict[str, Path]
    rows: int
    learners: int
    cohorts: list[str]
    exercises: list[str]
    suppressed_cells: int
    time_resolution: str
    min_cell: int
    left_out: Counter = field(default_factory=Counter)
    dropped_columns: list[str] = field(default_factory=list)
    rejected_files: list[Reject] = field(default_factory=list)
    skipped_rows: list[str] = field(default_factory=list)

    def summary(self) -> str:
        what = ("AGGREGATE tier (counts and shares only, safe to publish)" if self.tier == "aggregate" else
                "MICRODATA tier (pseudonymous rows: only under a data-use agreement, never publish)")
        lines = [
            f"{what}, k = {self.min_cell}.",
            f"Exported {self.rows} answers from {self.learners} learners in {len(self.cohorts)} cohort(s) "
            f"({', '.join(self.cohorts) or 'none'}); times coarsened to the {self.time_resolution}"
            + (f"; {self.suppressed_cells} number(s) suppressed." if self.tier == "aggregate" else "."),
            f"  wrote the data package {self.folder / DESCRIPTOR} and {len(self.files) - 1} other file(s)",
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
    tier: str = "aggregate",
    cohort: str | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    time_resolution: str = "day",
    on_invalid: str = "raise",
    title: str = "",
    name: str = "peerkit-export",
    synthetic: bool = False,
    exported_on: str | None = None,
    overwrite: bool = False,
    shared_by_learners: bool = False,
    sources: list[dict[str, str]] | None = None,
    licence: dict[str, str] | None = None,
    author: str = "The course's trainers",
    parquet: bool = False,
    cohort_min_cells: dict[str, int] | None = None,
    filters: dict[str, Any] | None = None,
    include_texts: bool = False,
) -> ExportReport:
    """Write a de-identified data package of a tidy frame of responses.

    Parameters
    ----------
    frame : DataFrame
        Columns learner, exercise, item, value, answered_at and cohort (or give
        ``cohort=``). Any other column is dropped and named in the report.
    out_dir : path
        Folder for the package (created if missing; refused if it holds a package, unless ``overwrite``).
    key : bytes or str, optional
        The researcher's pseudonymisation key (at least 16 bytes); else ``$PEERKIT_RESEARCH_KEY``.
    tier : {"aggregate", "microdata"}
    min_cell : int
        k: numbers under k are suppressed, cohorts under k learners left out, and
        (microdata) times coarsened until every cohort x period holds k learners.
    time_resolution : {"day", "week", "month", "year"}
        The finest time the package may show.
    on_invalid : {"raise", "skip"}
        Refuse the whole export when a row is not a valid answer (default), or leave it out and list it.
    title, name, synthetic, exported_on, author, licence, sources
        Package metadata (``exported_on`` defaults to today; ``licence`` of the data
        defaults to CC BY 4.0 for aggregate, restricted for microdata).
    shared_by_learners : bool
        True when every row already passed the learners' sharing choices (a cohort
        store, a server, hand-in files): a reflection there counts as shared.
    parquet : bool
        Also write each table as Parquet beside its CSV (needs pyarrow: ``pip install 'peerkit[parquet]'``).
    cohort_min_cells : dict, optional
        Each cohort's own threshold (the ``min_group_size`` its trainer set); a cohort
        is exported with the larger of it and ``min_cell``.
    include_texts : bool
        Microdata only: also export the free text learners shared (scrubbed of contact
        details; only from learners who agreed to research use). Off by default.
    filters : dict, optional
        The selection that made this frame (e.g. ``{"exercise": "boundaries"}``), recorded in the package.

    Consent: when the frame has a ``research_consent`` column (every source peerkit
    reads gives it), only rows where it is True are exported; a ``personal`` column
    or an exercise whose data file says ``"personal": true`` is never exported; a
    ``hidden`` column marks texts the trainer hid, which are never exported.
    """
    key = check_key(key) if key is not None else read_key()
    _check_options(tier, name, min_cell, time_resolution, on_invalid)
    frame = pd.DataFrame(frame).copy()
    if cohort is not None:
        frame["cohort"] = cohort
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ExportError(f"The frame lacks column(s) {', '.join(missing)}; it needs {', '.join(INPUT_COLUMNS)} "
                          "(give cohort= if every row is from one cohort).")
    left_out: Counter = Counter()
    frame = _consented(frame, left_out, include_texts and tier == "microdata")
    if frame.empty:
        raise ExportError("Nothing to export: " + ("; ".join(f"{n} {r}" for r, n in left_out.items())
                                                   or "no rows were given") + ". No files were written.")
    dropped_columns = [str(c) for c in frame.columns if c not in INPUT_COLUMNS and c not in CONSENT_COLUMNS]
    frame = frame[INPUT_COLUMNS].reset_index(drop=True)
    frame, infos, skipped = valid_rows(frame, on_invalid)
    frame = open_answers(frame, infos, left_out, shared_by_learners, include_texts and tier == "microdata")
    # a learner who answered twice (two submissions, a changed mind): keep the latest answer
    frame = frame.sort_values("answered_at", kind="stable")
    before = len(frame)
    frame = frame.drop_duplicates(["cohort", "learner", "exercise", "item"], keep="last")
    if before > len(frame):
        left_out["earlier answers replaced by a later one"] += before - len(frame)
    k_of = {c: max(int(min_cell), int((cohort_min_cells or {}).get(c, 0) or 0)) for c in frame["cohort"].unique()}
    sizes = frame.groupby("cohort")["learner"].nunique()
    small = sorted(c for c, size in sizes.items() if size < k_of[c])
    for k in sorted({k_of[c] for c in small}):
        these = [c for c in small if k_of[c] == k]
        gone = frame["cohort"].isin(these)
        left_out[f"answers from {len(these)} cohort(s) with fewer than {k} learners"] += int(gone.sum())
        frame = frame[~gone]
    if frame.empty:
        raise ExportError("Nothing left to export: " + ("; ".join(f"{n} {r}" for r, n in left_out.items())
                                                       or "no rows were given") + ". No files were written.")
    pseudonyms = rekey(frame["learner"].unique(), key)
    frame = frame.assign(learner=frame["learner"].map(pseudonyms))
    records = {e: instrument(e) for e in sorted(frame["exercise"].unique())}
    cohorts = sorted(frame["cohort"].unique().tolist())
    built = package_files(frame, records, cohorts, k_of, key, left_out, tier=tier, min_cell=min_cell,
                          time_resolution=time_resolution, title=title, name=name, synthetic=synthetic,
                          exported_on=exported_on, sources=sources, licence=licence, author=author,
                          parquet=parquet, filters=filters, include_texts=include_texts)
    out = Path(out_dir)
    written = write_package(out, built.files, overwrite)
    return ExportReport(tier=tier, folder=out, files=written, rows=built.rows,
                        learners=int(frame["learner"].nunique()), cohorts=cohorts, exercises=sorted(records),
                        suppressed_cells=built.suppressed, time_resolution=built.time_resolution, min_cell=min_cell,
                        left_out=left_out, dropped_columns=dropped_columns, skipped_rows=skipped)


def export_submissions(folder: str | Path, out_dir: str | Path, key: bytes | str | None = None,
                       **options: Any) -> ExportReport:
    """Export every valid hand-in file in ``folder``; rejected files are listed in the report."""
    frame, rejects = read_submissions(folder)
    if frame.empty:
        reasons = "; ".join(str(r) for r in rejects[:5]) or f"no *.json files in {folder}"
        raise ExportError(f"No valid submission files to export ({reasons}). No files were written.")
    options.setdefault("shared_by_learners", True)
    options.setdefault("sources", [{"title": f"peerkit hand-in files ({len(set(frame['learner']))} learners)"}])
    report = export_frame(frame, out_dir, key, **options)
    report.rejected_files = rejects
    return report


def export_responses(bodies: Iterable[dict[str, Any]], out_dir: str | Path, key: bytes | str | None = None, *,
                     exercise: str | None = None, source: str = "a peerkit cohort server",
                     **options: Any) -> ExportReport:
    """Export the bodies of ``GET /api/v1/cohorts/{id}/responses`` (one per cohort, all pages joined).

    They come from a live server (:func:`export_cohort_server`) or from the server's
    database (``peerkit export <database>``, which passes
    :func:`peerkit.server.trainer_data.all_responses`): the same answers give the same
    package. Each cohort keeps its own ``min_group_size`` as its k when larger than ``min_cell``;
    only learners who agreed to research use, and no text the trainer hid, are exported.
    """
    from .server_source import frame_from_bodies

    key = check_key(key) if key is not None else read_key()
    frame, sizes = frame_from_bodies(bodies)
    cohorts = sorted(frame["cohort"].unique()) if len(frame) else sorted(sizes)
    if exercise is not None:
        frame = frame[frame["exercise"] == exercise]
    if frame.empty:
        raise ExportError(f"The cohort server has no shared answers for {', '.join(cohorts) or 'any cohort'}"
                          + (f" and exercise {exercise!r}" if exercise else "") + ". No files were written.")
    options.setdefault("shared_by_learners", True)
    options.setdefault("sources", [{"title": source}])
    options.setdefault("cohort_min_cells", sizes)
    options.setdefault("filters", {"exercise": exercise})
    return export_frame(frame, out_dir, key, **options)


def export_cohort_server(base_url: str, cohorts: str | list[str], out_dir: str | Path, token: str,
                         key: bytes | str | None = None, *, exercise: str | None = None,
                         **options: Any) -> ExportReport:
    """Export cohorts from a cohort server (``GET /api/v1/cohorts/{id}/responses`` with a trainer's token)."""
    from .server_source import fetch_cohort_body

    key = check_key(key) if key is not None else read_key()
    cohorts = [cohorts] if isinstance(cohorts, str) else list(cohorts)
    if not cohorts:
        raise ExportError("Name the cohort(s) to export from the server (--cohort).")
    bodies = [fetch_cohort_body(base_url, c, token) for c in cohorts]
    return export_responses(bodies, out_dir, key, exercise=exercise, source="a peerkit cohort server", **options)


# --------------------------------------------------------------------------- helpers

def _personal(exercise: Any) -> bool:
    from ..exercises import load_exercise

    try:
        return bool(load_exercise(str(exercise)).personal)
    except Exception:  # noqa: BLE001 - an unknown exercise is refused row by row later
        return False


def _consented(frame: pd.DataFrame, left_out: Counter, include_texts: bool) -> pd.DataFrame:
    """Only what may go into research: agreed learners, no personal exercise, no text the trainer hid."""
    keep = pd.Series(True, index=frame.index)
    if "research_consent" in frame.columns:
        agreed = frame["research_consent"].map(lambda v: v is True or v == 1)
        if (~agreed).any():
            left_out["answers of learners who did not agree to research use"] += int((~agreed).sum())
        keep &= agreed
    known: dict[str, bool] = {}
    personal = frame["exercise"].map(lambda e: known.setdefault(e, _personal(e)) if isinstance(e, str) else False)
    personal = personal.astype(bool)
    if "personal" in frame.columns:
        personal |= frame["personal"].map(lambda v: v is True)
    if (keep & personal).any():
        left_out["answers to personal check-ins (never exported)"] += int((keep & personal).sum())
    keep &= ~personal
    if "hidden" in frame.columns and include_texts:  # without texts a hidden text goes out as filled/empty at most
        hidden = frame["hidden"].map(lambda v: v is True or v == 1)
        if (keep & hidden).any():
            left_out["texts the trainer hid"] += int((keep & hidden).sum())
        keep &= ~hidden
    return frame[keep]


def _check_options(tier: str, name: str, min_cell: int, time_resolution: str, on_invalid: str) -> None:
    import re

    if tier not in TIERS:
        raise ExportError(f"The tier must be 'aggregate' (counts only, safe to publish) or 'microdata' "
                          f"(pseudonymous rows under a data-use agreement), not {tier!r}.")
    if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
        raise ExportError(f"Package name {name!r} must be lower-case letters, digits, '.', '_' or '-'.")
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ExportError(f"The suppression threshold k must be a whole number of at least 1, not {min_cell!r}.")
    if time_resolution not in TIME_RESOLUTIONS:
        raise ExportError(f"Time resolution {time_resolution!r} is not one of: {', '.join(TIME_RESOLUTIONS)}.")
    if on_invalid not in ("raise", "skip"):
        raise ExportError(f"on_invalid must be 'raise' or 'skip', not {on_invalid!r}.")
