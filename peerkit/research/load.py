"""Load research exports (data packages of one or several cohorts), checking every file whole.

:func:`load` takes package folders (or their ``datapackage.json``, or a folder of
package folders) and returns a :class:`LoadResult`: one tidy frame of every good
package, and a list of :class:`LoadProblem` naming the file (and row) of
everything wrong. A package with any problem is left out as a whole, never
half-loaded; the good ones still load. Each package is read and checked by
:mod:`peerkit.research.package_load`; here they are found and put together.

>>> from peerkit.research import load, synthetic_cohorts
>>> result = load(synthetic_cohorts())
>>> result.problems
[]
>>> sorted(result.frame["cohort"].unique())[:1]
['SYNTHETIC-A']
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ImportFileError
from .exercise_info import ATTRS_KEY
from .package import DESCRIPTOR
from .package_load import ANSWER_COLUMNS, MAX_FILE_BYTES, Bad, load_package

#: The name endings of the three files of an export made by peerkit before data packages
#: (``<stem>.metadata.json``, ``.responses.csv``, ``.counts.csv``): recognised only to say so.
OLD_LAYOUT_SUFFIXES = (".metadata.json", ".responses.csv", ".counts.csv")
OLD_LAYOUT = ("is an export in the old three-file layout of peerkit before data packages, which this peerkit no "
              "longer reads; export the answers again with `peerkit export` (or export_frame) to get a data package")


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



def load(paths: str | Path | Iterable[str | Path], *, max_bytes: int = MAX_FILE_BYTES,
         strict: bool = False) -> LoadResult:
    """Load research exports and check each one.

    Parameters
    ----------
    paths : path or list of paths
        Package folders (holding ``datapackage.json``), ``datapackage.json``
        files, or folders of package folders (every ``*/datapackage.json`` in them).
    max_bytes : int
        Data files larger than this are refused (a problem, not a crash).
    strict : bool
        Raise :class:`~peerkit.errors.ImportFileError` if anything is wrong,
        instead of returning the problems.

    Returns
    -------
    LoadResult
        ``frame`` has the columns cohort, learner, exercise, item, value,
        answered_on; values are decoded (ratings are ints, structured answers
        dicts); an aggregate package adds ``counts`` and ``totals`` instead.
        ``frame.attrs["peerkit_exercises"]`` holds the exercise definitions
        from the packages' metadata.
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

    for descriptor_path in _descriptors(paths, problems):
        key = str(descriptor_path)
        if key in metadata:
            continue
        try:
            meta, frame, count, total = load_package(descriptor_path, max_bytes)
            meta = {**meta, "exercises": {e: _analysis_record(r) for e, r in meta["exercises"].items()}}
            for exercise, record in meta["exercises"].items():
                if exercise in exercises and _comparable(exercises[exercise]) != _comparable(record):
                    raise Bad(f"exercise {exercise!r} is defined differently than in {exercise_source[exercise]} "
                              "(items or scale differ); load these exports separately")
            for cohort in frame["cohort"].unique():
                if cohort in cohort_source:
                    raise Bad(f"cohort {cohort!r} was already loaded from {cohort_source[cohort]}; "
                              "load each cohort's export once")
        except Bad as bad:
            problems.append(LoadProblem(str(bad.path or descriptor_path), str(bad), bad.row))
            continue
        except Exception as error:  # noqa: BLE001 - a damaged export is a problem to report, never a crash
            problems.append(LoadProblem(str(descriptor_path), f"cannot be loaded ({type(error).__name__}: "
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
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ANSWER_COLUMNS})
    frame.attrs[ATTRS_KEY] = exercises
    all_counts = pd.concat(counts, ignore_index=True) if counts else None
    result = LoadResult(frame=frame, problems=problems, metadata=metadata, counts=_typed(all_counts),
                        totals=_typed(pd.concat(totals, ignore_index=True) if totals else None))
    if strict:
        result.raise_for_problems()
    return result


def _descriptors(paths: Iterable[str | Path], problems: list[LoadProblem]) -> list[Path]:
    """The ``datapackage.json`` of every package named; a problem for every path that names none."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if (path / DESCRIPTOR).is_file():
                found.append(path / DESCRIPTOR)
                continue
            inside = sorted(path.glob("*/" + DESCRIPTOR))
            old = _old_layout_exports(path)
            problems.extend(LoadProblem(str(p), OLD_LAYOUT) for p in old)
            if not inside and not old:
                problems.append(LoadProblem(str(path), f"no export here: no {DESCRIPTOR} in this folder or in "
                                                       "the folders inside it"))
            found.extend(inside)
        elif path.name == DESCRIPTOR:
            found.append(path)
        elif path.suffix == ".csv" and (path.parent.parent / DESCRIPTOR).is_file():
            problems.append(LoadProblem(str(path), "is one table of a data package; load the package folder "
                                                   f"{path.parent.parent} (it checks every file together)"))
        elif path.name.endswith(OLD_LAYOUT_SUFFIXES):
            problems.append(LoadProblem(str(path), OLD_LAYOUT))
        else:
            problems.append(LoadProblem(str(path), f"not an export: give a package folder (holding {DESCRIPTOR}), "
                                                   f"its {DESCRIPTOR}, or a folder of package folders"))
    return found


def _old_layout_exports(folder: Path) -> list[Path]:
    """One file of each old three-file export directly in ``folder`` (its metadata file if it is there)."""
    by_stem: dict[str, list[Path]] = {}
    for suffix in OLD_LAYOUT_SUFFIXES:
        for file in sorted(folder.glob("*" + suffix)):
            by_stem.setdefault(file.name.removesuffix(suffix), []).append(file)
    return [files[0] for _stem, files in sorted(by_stem.items())]


def _comparable(record: dict[str, Any]) -> Any:
    return ([i["id"] for i in record["items"]], [o["value"] for o in record["scale"]])


def _analysis_record(record: dict[str, Any]) -> dict[str, Any]:
    """A package's exercise description in the form the analyses read (see exercise_info.from_metadata)."""
    options = {i["id"]: [o["value"] for o in i["options"]] for i in record["items"] if "options" in i}
    return {**record, "items": [{"id": i["id"], "text": i["text"]} for i in record["items"]],
            "scale": record.get("scale", []), "options": options}
