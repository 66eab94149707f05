"""De-identified export: no identifiers, no small cells, no formulas, the key stays out."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from peerkit.research import ExportError, ResearchKeyError, export_frame, load
from peerkit.research.export import suppress_small
from peerkit.research.spreadsheet_safe import FORMULA_STARTS

from .conftest import KEY, OTHER_KEY, make_frame, read_cells


def all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


def test_export_writes_three_files_and_reports(exported):
    report, out = exported
    assert sorted(p.name for p in out.iterdir()) == ["study.counts.csv", "study.metadata.json", "study.responses.csv"]
    assert report.cohorts == ["cohort-north", "cohort-south"]
    assert report.learners == 21
    assert set(report.dropped_columns) == {"name", "login", "join_code"}
    assert "reflections not shared by the learner" in report.left_out
    assert "study.responses.csv" in report.summary()


def test_no_identifier_reaches_the_files(exported, frame):
    _, out = exported
    text = all_text(out)
    for learner in frame["learner"].unique():
        assert learner not in text
    for needle in ("Real Name", "user0@", "JOIN-SECRET", "@mail.example", "07700", "neighbour Sam", "evil.example",
                   "T09:30", "2025-03-10"):
        assert needle not in text, needle
    responses = pd.read_csv(out / "study.responses.csv", dtype=str)
    assert list(responses.columns) == ["cohort", "learner", "exercise", "item", "value", "answered_on"]
    assert responses["learner"].str.fullmatch(r"p-[0-9a-f]{16}").all()
    assert responses["answered_on"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_the_key_is_never_written(exported):
    _, out = exported
    text = all_text(out)
    assert KEY.decode() not in text
    assert KEY.hex() not in text


def test_shared_reflections_are_scrubbed_and_unshared_left_out(exported):
    _, out = exported
    result = load(out)
    reflections = result.frame[result.frame["exercise"] == "boundaries_reflection"]
    # learners 0, 2, 4... shared: 6 of 12 in the north, 5 of 9 in the south
    assert len(reflections) == 11
    text = reflections["value"].iloc[0]
    assert "[email]" in text and "[phone]" in text and "[url]" in text
    assert text.startswith("Email me at [email]")


def test_unshared_smart_goals_keep_only_filled_flags(exported):
    _, out = exported
    goals = load(out).frame.query("exercise == 'smart_goal'")
    value = goals["value"].iloc[0]
    assert value == {"action": True, "why": False, "resources": True, "realistic": True, "start": True,
                     "end": True, "created": True}


def test_same_key_same_pseudonyms_other_key_different(frame, tmp_path):
    first = export_frame(frame, tmp_path / "a", KEY)
    second = export_frame(frame, tmp_path / "b", KEY)
    third = export_frame(frame, tmp_path / "c", OTHER_KEY)
    read = lambda report: set(pd.read_csv(report.files["responses"], dtype=str)["learner"])  # noqa: E731
    assert read(first) == read(second)
    assert not read(first) & read(third)


def test_counts_suppress_every_cell_under_k(exported):
    _, out = exported
    counts = pd.read_csv(out / "study.counts.csv", dtype=str, keep_default_na=False)
    assert list(counts.columns) == ["cohort", "exercise", "item", "value", "n", "suppressed"]
    shown = counts[counts["suppressed"] == "False"]
    assert (shown["n"].astype(int) >= 5).all()
    assert (counts.loc[counts["suppressed"] == "True", "n"] == "").all()
    assert (counts["suppressed"] == "True").any()
    assert set(counts["exercise"]) == {"boundaries", "core_skills"}  # open answers are not counted


def test_a_single_suppressed_count_gets_a_partner():
    table = pd.DataFrame({"cohort": "A", "exercise": "e", "item": "I", "value": ["x", "y", "z"], "n": [20, 9, 2]})
    assert suppress_small(table, 5).tolist() == [False, True, True]


def test_min_cell_is_configurable(frame, tmp_path):
    report = export_frame(frame, tmp_path / "k3", KEY, min_cell=3)
    meta = json.loads(report.files["metadata"].read_text())
    assert meta["min_cell"] == 3
    counts = pd.read_csv(report.files["counts"], keep_default_na=False, dtype=str)
    assert (counts.loc[counts["suppressed"] == "False", "n"].astype(int) >= 3).all()


def test_cohorts_smaller_than_k_are_left_out(tmp_path):
    report = export_frame(make_frame({"cohort-big": 8, "cohort-tiny": 3}), tmp_path / "x", KEY)
    assert report.cohorts == ["cohort-big"]
    assert any("fewer than 5 learners" in reason for reason in report.left_out)
    assert "cohort-tiny" not in all_text(tmp_path / "x")


def test_no_cell_starts_a_formula_and_numbers_stay_numbers(add_exercise, tmp_path):
    add_exercise({
        "id": "mood_shift", "kind": "rating", "title": "Mood shift", "chapter": "06_strengths_risk_and_self_care",
        "instructions": "Rate the change.", "scale": [{"value": v, "label": str(v)} for v in (-2, -1, 0, 1, 2)],
        "items": [{"id": "M1", "text": "Change"}],
    })
    frame = make_frame({"=cmd|' /C calc'!A0": 6, "+cohort": 6})
    extra = frame.drop_duplicates("learner").assign(exercise="mood_shift", item="M1", value=-2)
    report = export_frame(pd.concat([frame, extra]), tmp_path / "f", KEY)
    for kind in ("responses", "counts"):
        rows = read_cells(report.files[kind])
        for row in rows:
            for cell in row:
                if re.fullmatch(r"-?\d+", cell):
                    continue  # a real number
                assert not cell.startswith(FORMULA_STARTS), (kind, cell)
    lines = report.files["responses"].read_text().splitlines()
    assert any(line.endswith(",mood_shift,M1,-2,2025-03-04") for line in lines)  # unquoted, unprefixed
    assert any(line.startswith("'=cmd") for line in lines)
    loaded = load(tmp_path / "f")
    assert loaded.ok, loaded.problems
    assert set(loaded.frame["cohort"]) == {"=cmd|' /C calc'!A0", "+cohort"}  # the prefix is undone on load
    assert loaded.frame.query("exercise == 'mood_shift'")["value"].tolist() == [-2] * 12


@pytest.mark.parametrize(("resolution", "pattern"), [("week", r"\d{4}-W\d{2}"), ("month", r"\d{4}-\d{2}")])
def test_time_resolution(frame, tmp_path, resolution, pattern):
    report = export_frame(frame, tmp_path / resolution, KEY, time_resolution=resolution)
    days = pd.read_csv(report.files["responses"], dtype=str)["answered_on"]
    assert days.str.fullmatch(pattern).all()
    assert load(tmp_path / resolution).ok


def test_refuses_without_a_key(frame, tmp_path, monkeypatch):
    monkeypatch.delenv("PEERKIT_RESEARCH_KEY", raising=False)
    with pytest.raises(ResearchKeyError, match="key-file"):
        export_frame(frame, tmp_path / "nokey")
    with pytest.raises(ResearchKeyError, match="at least 16"):
        export_frame(frame, tmp_path / "nokey", "short")
    assert not (tmp_path / "nokey").exists()


def test_key_from_the_environment(frame, tmp_path, monkeypatch):
    monkeypatch.setenv("PEERKIT_RESEARCH_KEY", KEY.decode())
    env = export_frame(frame, tmp_path / "env")
    given = export_frame(frame, tmp_path / "given", KEY)
    assert env.files["responses"].read_text() == given.files["responses"].read_text()


def test_does_not_overwrite_unless_asked(exported, frame):
    report, out = exported
    before = report.files["responses"].read_text()
    with pytest.raises(ExportError, match="already exist"):
        export_frame(frame.head(0 + 60), out, OTHER_KEY, stem="study")
    assert report.files["responses"].read_text() == before
    export_frame(frame, out, OTHER_KEY, stem="study", overwrite=True)
    assert report.files["responses"].read_text() != before


def test_invalid_rows_refuse_the_export_or_are_skipped(frame, tmp_path):
    bad = pd.concat([frame, frame.head(1).assign(value="sometimes"), frame.head(1).assign(item="B99")])
    with pytest.raises(ExportError, match="2 row"):
        export_frame(bad, tmp_path / "bad", KEY)
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())
    report = export_frame(bad, tmp_path / "skip", KEY, on_invalid="skip")
    assert len(report.skipped_rows) == 2 and "sometimes" in report.skipped_rows[0]


def test_missing_columns_named(tmp_path):
    with pytest.raises(ExportError, match="cohort"):
        export_frame(make_frame().drop(columns="cohort"), tmp_path / "x", KEY)
    report = export_frame(make_frame().drop(columns="cohort"), tmp_path / "y", KEY, cohort="cohort-one")
    assert report.cohorts == ["cohort-one"]


def test_a_later_answer_replaces_an_earlier_one(frame, tmp_path):
    later = frame[frame["exercise"] == "boundaries"].head(1).copy()
    later["answered_at"] = later["answered_at"] + pd.Timedelta(days=1)
    later["value"] = "always" if frame.iloc[0]["value"] != "always" else "never"
    report = export_frame(pd.concat([frame, later]), tmp_path / "x", KEY)
    assert report.left_out["earlier answers replaced by a later one"] == 1


def test_odd_types_in_the_input_are_named_not_crashed_on(frame, tmp_path):
    odd = frame.head(3).copy()
    odd["exercise"] = [{"x": 1}, None, 42]
    with pytest.raises(ExportError, match="3 row"):
        export_frame(pd.concat([frame, odd]), tmp_path / "odd", KEY)
