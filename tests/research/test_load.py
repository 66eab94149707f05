"""Loading packages (and older exports): everything the files say is checked; a bad export never half-loads.

Edits below re-sign the file in datapackage.json (its SHA-256 and size), as a
careful forger would, so each check is met on its own and not only the hash.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from peerkit.errors import ImportFileError
from peerkit.research import export_frame, load, synthetic_cohorts

from .conftest import KEY, make_frame

LEGACY = Path(__file__).parent / "data" / "legacy"


def package(tmp_path: Path, tier: str, sizes: dict[str, int] | None = None, name: str = "p") -> Path:
    folder = tmp_path / name
    frame = make_frame(sizes or {"cohort-aaaa": 30, "cohort-bbbb": 12})
    frame["answered_at"] = frame["answered_at"].iloc[0]  # one day: every file keeps days
    export_frame(frame, folder, KEY, tier=tier)
    return folder


def edit(folder: Path, relative: str, change) -> None:  # noqa: ANN001
    """Change one data file and re-sign it in datapackage.json."""
    path = folder / relative
    path.write_bytes(change(path.read_bytes()))
    descriptor = json.loads((folder / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["path"] == relative:
            resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
            resource["bytes"] = path.stat().st_size
    (folder / "datapackage.json").write_text(json.dumps(descriptor))


def edit_descriptor(folder: Path, change) -> None:  # noqa: ANN001
    descriptor = json.loads((folder / "datapackage.json").read_text())
    change(descriptor)
    (folder / "datapackage.json").write_text(json.dumps(descriptor))


def set_cell(row: int, column: str, value: str):  # noqa: ANN201
    def change(content: bytes) -> bytes:
        lines = content.decode().split("\r\n")
        header = lines[0].split(",")
        fields = lines[row].split(",")
        fields[header.index(column)] = value
        lines[row] = ",".join(fields)
        return "\r\n".join(lines).encode()
    return change


def only_problem(result) -> str:  # noqa: ANN001
    assert len(result.problems) == 1, result.problems
    assert result.frame.empty and result.counts is None
    return str(result.problems[0])


def test_both_tiers_round_trip(tmp_path):
    micro = load(package(tmp_path, "microdata", name="m"))
    assert micro.ok, micro.problems
    assert micro.frame.query("exercise == 'core_skills'")["value"].map(type).eq(int).all()
    assert set(micro.frame.query("exercise == 'boundaries'")["value"]) <= {"never", "maybe", "always"}
    assert micro.frame.query("exercise == 'smart_goal'")["value"].map(type).eq(dict).all()
    agg = load(package(tmp_path, "aggregate", name="a"))
    assert agg.ok, agg.problems
    assert agg.frame.empty and len(agg.counts) and len(agg.totals)
    assert agg.counts.loc[~agg.counts["suppressed"].astype(bool), "n"].min() >= 5


def test_a_count_of_1e30_is_named_not_crashed_on(tmp_path):
    folder = package(tmp_path, "aggregate")
    edit(folder, "data/core_skills.counts.csv", set_cell(1, "n", "1e30"))
    message = only_problem(load(folder))
    assert "core_skills.counts.csv, row 1" in message and "field 'n'" in message and "1e30" in message


def test_counts_contradicting_their_totals(tmp_path):
    folder = package(tmp_path, "aggregate", {"cohort-aaaa": 40, "cohort-bbbb": 30})
    counts = pd.read_csv(folder / "data/core_skills.counts.csv", dtype=str, keep_default_na=False)
    row = int(counts.index[counts["suppressed"] == "false"][0]) + 1
    n = int(counts.iloc[row - 1]["n"])
    edit(folder, "data/core_skills.counts.csv", set_cell(row, "n", str(n + 7)))
    message = only_problem(load(folder))
    assert "core_skills.counts.csv" in message and ("add up" in message or "share" in message)


def test_wrong_metadata_cohorts_and_answer_counts(tmp_path):
    folder = package(tmp_path, "microdata")
    original = (folder / "datapackage.json").read_text()
    edit_descriptor(folder, lambda d: d["peerkit"].update(answers=d["peerkit"]["answers"] + 1))
    assert "answers but datapackage.json says" in only_problem(load(folder))
    (folder / "datapackage.json").write_text(original)
    edit_descriptor(folder, lambda d: d["peerkit"]["cohorts"].append("cohort-ghost"))
    assert "table schema" in only_problem(load(folder))  # the cohort list is the schemas' enum
    (folder / "datapackage.json").write_text(original)
    edit_descriptor(folder, lambda d: d["peerkit"]["rows"].update({"data/core_skills.responses.csv": 3}))
    assert "datapackage.json says 3" in only_problem(load(folder))


def test_a_byte_order_mark_is_named(tmp_path):
    folder = package(tmp_path, "microdata")
    edit(folder, "data/boundaries.responses.csv", lambda content: b"\xef\xbb\xbf" + content)
    message = only_problem(load(folder))
    assert "byte-order mark" in message and "boundaries.responses.csv" in message
    legacy = tmp_path / "legacy"
    shutil.copytree(LEGACY, legacy)
    path = legacy / "legacy-study.responses.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "byte-order mark" in only_problem(load(legacy))


@pytest.mark.parametrize(("column", "value", "words"), [
    ("value", "7", "not one of the values"),
    ("learner", "learner-3f9a0c1b2d4e", "form the schema gives"),
    ("item", "C99", "not one of the values"),
    ("answered_on", "2025-02-30", "not a real date"),
    ("cohort", "=1+1", "spreadsheet formula"),
    ("cohort", "cohort-zzzz", "not one of the values"),
    ("value", "", "required"),
])
def test_every_cell_is_checked_against_its_field(tmp_path, column, value, words):
    folder = package(tmp_path, "microdata", {"cohort-aaaa": 30})
    edit(folder, "data/core_skills.responses.csv", set_cell(4, column, value))
    message = only_problem(load(folder))
    assert "core_skills.responses.csv, row 4" in message and f"field {column!r}" in message and words in message


def test_an_unsigned_edit_or_a_loosened_schema_is_refused(tmp_path):
    folder = package(tmp_path, "microdata", {"cohort-aaaa": 30})
    path = folder / "data/core_skills.responses.csv"
    path.write_bytes(path.read_bytes().replace(b",3,", b",4,", 1))
    assert "SHA-256" in only_problem(load(folder))
    folder = package(tmp_path, "microdata", {"cohort-aaaa": 30}, name="q")
    edit_descriptor(folder, lambda d: d["resources"][0]["schema"]["fields"][3].pop("constraints"))
    assert "table schema" in only_problem(load(folder))


def test_a_bad_package_is_reported_and_the_good_one_still_loads(tmp_path):
    good = package(tmp_path, "microdata", {"cohort-aaaa": 30}, name="good")
    bad = package(tmp_path, "microdata", {"cohort-bbbb": 30}, name="bad")
    edit(bad, "data/boundaries.responses.csv", set_cell(2, "value", "sometimes"))
    result = load([good, bad])
    assert len(result.problems) == 1 and result.problems[0].row == 2
    assert set(result.frame["cohort"]) == {"cohort-aaaa"}
    with pytest.raises(ImportFileError, match="boundaries.responses.csv, row 2"):
        load([good, bad], strict=True)


def _change_a_shown_count(legacy: Path, change: Callable[[str], str]) -> int:
    """Change the ``n`` of the first count the older export shows (not suppressed); the row's number."""
    counts = legacy / "legacy-study.counts.csv"
    lines = counts.read_text().split("\n")
    row = next(i for i, line in enumerate(lines) if line.endswith(",False"))
    fields = lines[row].split(",")
    fields[4] = change(fields[4])
    lines[row] = ",".join(fields)
    counts.write_text("\n".join(lines))
    return row


def test_the_older_export_still_loads_and_is_checked(tmp_path):
    result = load(LEGACY)
    assert result.ok, result.problems
    assert len(result.frame) == 158 and result.counts is not None
    legacy = tmp_path / "legacy"
    shutil.copytree(LEGACY, legacy)
    row = _change_a_shown_count(legacy, lambda n: "1e30")
    message = only_problem(load(legacy))
    assert "field 'n'" in message and "1e30" in message and f"row {row}" in message


def test_older_export_counts_contradicting_responses_and_wrong_metadata(tmp_path):
    legacy = tmp_path / "legacy"
    shutil.copytree(LEGACY, legacy)
    counts = legacy / "legacy-study.counts.csv"
    original = counts.read_text()
    _change_a_shown_count(legacy, lambda n: str(int(n) + 1))
    assert "the responses file holds" in only_problem(load(legacy))
    counts.write_text(original)
    meta_path = legacy / "legacy-study.metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["cohorts"] = meta["cohorts"] + ["cohort-ghost"]
    meta_path.write_text(json.dumps(meta))
    assert "cohort-ghost" in only_problem(load(legacy))
    meta["cohorts"] = meta["cohorts"][:-1]
    meta["row_counts"]["by_exercise"]["boundaries"] += 1
    meta_path.write_text(json.dumps(meta))
    assert "by_exercise" in only_problem(load(legacy))


def test_not_an_export(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = load([tmp_path / "notes.txt", tmp_path])
    assert len(result.problems) == 2


def test_bundled_synthetic_cohorts_load_cleanly():
    paths = synthetic_cohorts()
    result = load(paths)
    assert result.ok, result.problems
    assert all(meta["synthetic"] is True for meta in result.metadata.values())
    sizes = result.frame.groupby("cohort")["learner"].nunique()
    assert len(sizes) == 4 and sizes.between(25, 60).all()
