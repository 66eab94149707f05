"""Loading packages: everything the files say is checked; a bad export never half-loads.

Edits below re-sign the file in datapackage.json (its SHA-256 and size), as a
careful forger would, so each check is met on its own and not only the hash.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from peerkit.errors import ImportFileError
from peerkit.research import export_frame, load, synthetic_cohorts

from .conftest import KEY, make_frame

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


def old_layout_export(folder: Path, stem: str = "study") -> Path:
    """The three files of an export made by peerkit before data packages (their content does not matter)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.metadata.json").write_text('{"format": "peerkit-research-export", "schema_version": 1}')
    (folder / f"{stem}.responses.csv").write_text("cohort,learner,exercise,item,value,answered_on\n")
    (folder / f"{stem}.counts.csv").write_text("cohort,exercise,item,value,n,suppressed\n")
    return folder


@pytest.mark.parametrize("given", ["", "study.metadata.json", "study.responses.csv", "study.counts.csv"])
def test_an_old_three_file_export_is_named_and_not_read(tmp_path, given):
    folder = old_layout_export(tmp_path / "old")
    message = only_problem(load(folder / given if given else folder))
    assert "old three-file layout" in message and "peerkit export" in message
    assert "Error" not in message  # said in words, not a crash


def test_old_exports_beside_packages_are_named_and_the_packages_load(tmp_path):
    package(tmp_path / "all", "microdata", {"cohort-aaaa": 30}, name="new")
    old_layout_export(tmp_path / "all", "one")
    old_layout_export(tmp_path / "all", "two")
    result = load(tmp_path / "all")
    assert set(result.frame["cohort"]) == {"cohort-aaaa"}
    assert [Path(p.path).name for p in result.problems] == ["one.metadata.json", "two.metadata.json"]
    assert all("old three-file layout" in p.message for p in result.problems)


def test_one_table_of_a_package_points_to_the_package(tmp_path):
    folder = package(tmp_path, "microdata", {"cohort-aaaa": 30})
    message = only_problem(load(folder / "data/core_skills.responses.csv"))
    assert "one table of a data package" in message and str(folder) in message


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
