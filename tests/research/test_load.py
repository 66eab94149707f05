"""Loading exports: every problem names its file (and row); a bad file never half-loads."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from peerkit.errors import ImportFileError
from peerkit.research import export_frame, load, synthetic_cohorts

from .conftest import KEY, make_frame


def two_exports(tmp_path: Path) -> tuple[Path, Path]:
    a = export_frame(make_frame({"cohort-aaaa": 7}), tmp_path / "a", KEY, stem="a").files["metadata"]
    b = export_frame(make_frame({"cohort-bbbb": 6}, seed=9), tmp_path / "b", KEY, stem="b").files["metadata"]
    return a, b


def test_round_trip_decodes_values(tmp_path):
    a, b = two_exports(tmp_path)
    result = load([a, b])
    assert result.ok and result.problems == []
    frame = result.frame
    assert list(frame.columns) == ["cohort", "learner", "exercise", "item", "value", "answered_on"]
    assert sorted(frame["cohort"].unique()) == ["cohort-aaaa", "cohort-bbbb"]
    ratings = frame.query("exercise == 'core_skills'")["value"]
    assert all(type(v) is int for v in ratings)
    assert set(frame.query("exercise == 'boundaries'")["value"]) <= {"never", "maybe", "always"}
    assert "boundaries" in result.exercises and result.exercises["boundaries"]["items"][0]["text"]
    assert result.counts is not None and set(result.counts["cohort"]) == {"cohort-aaaa", "cohort-bbbb"}


def test_folder_and_responses_paths_work_too(tmp_path):
    a, _ = two_exports(tmp_path)
    assert load(a.parent).ok
    assert load(a.with_name("a.responses.csv")).ok


def test_a_bad_file_is_reported_with_its_row_and_the_good_file_still_loads(tmp_path):
    a, b = two_exports(tmp_path)
    responses = b.with_name("b.responses.csv")
    lines = responses.read_text().splitlines()
    lines[3] = lines[3].replace(",boundaries,B01,", ",boundaries,B99,") if ",B01," in lines[3] else \
        lines[3].rsplit(",", 3)[0] + ",B99," + ",".join(lines[3].rsplit(",", 2)[1:])
    responses.write_text("\n".join(lines) + "\n")
    result = load([a, b])
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.path.endswith("b.responses.csv") and problem.row == 3
    assert "B99" in problem.message
    assert set(result.frame["cohort"]) == {"cohort-aaaa"}  # nothing of b
    with pytest.raises(ImportFileError, match="b.responses.csv, row 3"):
        load([a, b], strict=True)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.update(schema_version=99), "schema version 99"),
        (lambda m: m.pop("exercises"), "'exercises'"),
        (lambda m: m.update(format="something-else"), "not a peerkit research export"),
        (lambda m: m["files"].update(responses="../../etc/passwd.responses.csv"), "plain file name"),
        (lambda m: m["row_counts"].update(responses=1), "metadata says 1"),
        (lambda m: m["exercises"]["boundaries"]["scale"].pop(), "not on the scale"),
    ],
)
def test_metadata_problems(tmp_path, change, expected):
    a, _ = two_exports(tmp_path)
    meta = json.loads(a.read_text())
    change(meta)
    a.write_text(json.dumps(meta))
    result = load(a)
    assert not result.ok and expected in str(result.problems[0])
    assert result.frame.empty


def test_missing_metadata_and_wrong_columns(tmp_path):
    a, b = two_exports(tmp_path)
    a.unlink()
    csv = b.with_name("b.responses.csv")
    csv.write_text(csv.read_text().replace("answered_on", "answered_at", 1))
    result = load([a.with_name("a.responses.csv"), b])
    messages = [str(p) for p in result.problems]
    assert any("a.metadata.json" in m and "missing" in m for m in messages)
    assert any("columns must be exactly" in m for m in messages)


def test_the_same_cohort_twice_is_refused(tmp_path):
    a, _ = two_exports(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(a.parent, copy)
    result = load([a, copy / a.name])
    assert len(result.problems) == 1 and "already loaded" in result.problems[0].message
    assert len(result.frame) == len(load(a).frame)


def test_a_formula_cell_is_refused(tmp_path):
    a, _ = two_exports(tmp_path)
    csv = a.with_name("a.responses.csv")
    lines = csv.read_text().splitlines()
    lines[1] = "=1+1" + lines[1][lines[1].index(","):]
    csv.write_text("\n".join(lines) + "\n")
    result = load(a)
    assert result.problems[0].row == 1 and "formula" in result.problems[0].message


def test_oversized_file_is_refused_without_reading(tmp_path):
    a, _ = two_exports(tmp_path)
    result = load(a, max_bytes=100)
    assert "over the limit" in result.problems[0].message


def test_not_an_export(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = load([tmp_path / "notes.txt", tmp_path])
    assert len(result.problems) == 2


def test_bundled_synthetic_cohorts_load_cleanly():
    paths = synthetic_cohorts()
    assert len(paths) == 4 and all("SYNTHETIC" in p.name for p in paths)
    result = load(paths)
    assert result.ok, result.problems
    assert all(meta["synthetic"] is True and "SYNTHETIC" in meta["label"] for meta in result.metadata.values())
    sizes = result.frame.groupby("cohort")["learner"].nunique()
    assert len(sizes) == 4 and sizes.between(25, 60).all()
    assert isinstance(result.frame, pd.DataFrame)
