"""De-identified data packages: two tiers said plainly, no identifiers, no small cells, the key stays out."""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from peerkit.research import ExportError, ResearchKeyError, export_frame, load

from .conftest import KEY, OTHER_KEY, all_text, make_frame


def descriptor(folder):
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_each_tier_writes_a_package_and_says_which_it_is(exported):
    for tier, (report, folder) in exported.items():
        package = descriptor(folder)
        assert package["peerkit"]["tier"] == tier and tier in package["keywords"]
        assert tier.upper() in report.summary()
        assert f"Tier: {tier}" in (folder / "README.md").read_text()
        assert f"Tier: **{tier}**" in (folder / "codebook.md").read_text()
        assert package["peerkit"]["min_cell"] == 5
        assert {license["name"] for license in package["licenses"]} >= {"CC-BY-4.0"}
        assert package["citation"] and package["sources"]
        for resource in package["resources"]:
            assert (folder / resource["path"]).is_file() and resource["schema"]["fields"]
    aggregate, microdata = exported["aggregate"][1], exported["microdata"][1]
    assert not (aggregate / "DATA-USE.md").exists() and (microdata / "DATA-USE.md").exists()
    assert not list(aggregate.rglob("*.responses.csv")), "the aggregate tier holds no rows"
    assert not list(microdata.rglob("*.counts.csv"))
    assert descriptor(microdata)["licenses"][0]["name"] == "other-closed"


def test_no_identifier_reaches_the_files(exported, frame):
    for _, folder in exported.values():
        text = all_text(folder)
        for secret in ("Real Name", "uni.example", "JOIN-SECRET-42", "learner-cohort", "mail.example", "07700"):
            assert secret not in text, secret
        assert KEY.decode() not in text


def test_shared_reflections_are_scrubbed_and_unshared_left_out(exported):
    report, folder = exported["microdata"]
    table = pd.read_csv(folder / "data/boundaries_reflection.responses.csv", dtype=str, keep_default_na=False)
    assert len(table) == 11  # every other learner of 21 shared
    assert table["value"].str.contains(r"\[email\]").all() and table["value"].str.contains(r"\[phone\]").all()
    assert report.left_out["reflections not shared by the learner"] == 10


def test_unshared_smart_goals_keep_only_filled_flags(exported):
    _, folder = exported["microdata"]
    table = pd.read_csv(folder / "data/smart_goal.responses.csv", dtype=str, keep_default_na=False)
    value = json.loads(table["value"].iloc[0])
    assert value["action"] is True and value["why"] is False and "Sam" not in table["value"].str.cat()


def test_same_key_same_pseudonyms_other_key_different(frame, tmp_path):
    a = export_frame(frame, tmp_path / "a", KEY, tier="microdata")
    b = export_frame(frame, tmp_path / "b", KEY, tier="microdata")
    c = export_frame(frame, tmp_path / "c", OTHER_KEY, tier="microdata")
    learners = {name: set(pd.read_csv(r.folder / "data/boundaries.responses.csv")["learner"])
                for name, r in (("a", a), ("b", b), ("c", c))}
    assert learners["a"] == learners["b"] and not learners["a"] & learners["c"]


def test_aggregate_counts_hide_every_number_under_k(exported):
    _, folder = exported["aggregate"]
    for path in (folder / "data").glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        shown = table[table["suppressed"] == "false"]
        assert (shown["n"].astype(int) >= 5).all(), path
        assert (table.loc[table["suppressed"] == "true", "n"] == "").all()


def test_min_cell_is_configurable_and_stated(frame, tmp_path):
    report = export_frame(frame, tmp_path / "k3", KEY, min_cell=3)
    assert descriptor(tmp_path / "k3")["peerkit"]["min_cell"] == 3 and "k = 3" in report.summary()
    counts = pd.read_csv(tmp_path / "k3/data/boundaries.counts.csv", dtype=str, keep_default_na=False)
    assert (counts.loc[counts["suppressed"] == "false", "n"].astype(int) >= 3).all()
    assert (counts["suppressed"] == "false").any()


def test_cohorts_smaller_than_k_are_left_out(tmp_path):
    for tier in ("aggregate", "microdata"):
        report = export_frame(make_frame({"cohort-big": 8, "cohort-tiny": 3}), tmp_path / tier, KEY, tier=tier)
        assert report.cohorts == ["cohort-big"]
        assert any("fewer than 5 learners" in reason for reason in report.left_out)
        assert "cohort-tiny" not in all_text(tmp_path / tier)


def test_microdata_times_coarsen_until_every_cohort_and_period_holds_k(tmp_path):
    frame = make_frame({"cohort-north": 12, "cohort-south": 9})
    report = export_frame(frame, tmp_path / "m", KEY, tier="microdata")
    # learners answer over three days: 4 and 3 a day are too few, a week holds everyone
    assert report.time_resolution == "week"
    meta = descriptor(tmp_path / "m")["peerkit"]
    assert meta["time_resolution"] == "week" and meta["requested_time_resolution"] == "day"
    for path in (tmp_path / "m/data").glob("*.responses.csv"):  # every file on its own
        table = pd.read_csv(path, dtype=str)
        assert (table.groupby(["cohort", "answered_on"])["learner"].nunique() >= 5).all(), path
    wide = export_frame(frame, tmp_path / "k1", KEY, tier="microdata", min_cell=1)
    assert wide.time_resolution == "day"


def test_microdata_period_is_checked_in_each_file_not_over_the_package(tmp_path):
    """One learner wrote the reflection on another day: alone in that file's cohort x day, so days go."""
    frame = make_frame({"cohort-north": 12})
    frame["answered_at"] = pd.Timestamp("2025-03-04T10:00:00Z")
    late = (frame["exercise"] == "boundaries_reflection") & (frame["learner"] == frame["learner"].iloc[0])
    frame.loc[late, "answered_at"] = pd.Timestamp("2025-03-06T20:00:00Z")
    # over the whole package that day is full: six others did the boundary matrix on it
    others = (frame["exercise"] == "boundaries") & frame["learner"].isin(frame["learner"].unique()[1:7])
    frame.loc[others, "answered_at"] = pd.Timestamp("2025-03-06T09:00:00Z")
    frame.loc[frame["exercise"] == "boundaries_reflection", "value"] = [
        {"text": "I listened.", "share": True}] * int((frame["exercise"] == "boundaries_reflection").sum())
    report = export_frame(frame, tmp_path / "m", KEY, tier="microdata", include_texts=True)
    assert report.time_resolution == "week"
    table = pd.read_csv(tmp_path / "m/data/boundaries_reflection.responses.csv", dtype=str)
    assert table["answered_on"].nunique() == 1


def test_refuses_a_bad_tier_and_without_a_key(frame, tmp_path, monkeypatch):
    with pytest.raises(ExportError, match="aggregate"):
        export_frame(frame, tmp_path / "x", KEY, tier="everything")
    monkeypatch.delenv("PEERKIT_RESEARCH_KEY", raising=False)
    with pytest.raises(ResearchKeyError, match="key-file"):
        export_frame(frame, tmp_path / "nokey")
    with pytest.raises(ResearchKeyError, match="at least 16"):
        export_frame(frame, tmp_path / "nokey", "short")
    assert not (tmp_path / "nokey").exists() and not (tmp_path / "x").exists()


def test_does_not_overwrite_unless_asked(exported, frame):
    report, folder = exported["microdata"]
    before = (folder / "datapackage.json").read_text()
    with pytest.raises(ExportError, match="already exists"):
        export_frame(frame, folder, OTHER_KEY, tier="microdata")
    assert (folder / "datapackage.json").read_text() == before
    export_frame(frame, folder, OTHER_KEY, tier="microdata", overwrite=True)
    assert (folder / "datapackage.json").read_text() != before
    assert load(folder).ok


def test_invalid_rows_refuse_the_export_or_are_skipped(frame, tmp_path):
    bad = pd.concat([frame, frame.head(1).assign(value="sometimes"), frame.head(1).assign(item="B99")])
    with pytest.raises(ExportError, match="2 row"):
        export_frame(bad, tmp_path / "bad", KEY)
    assert not (tmp_path / "bad").exists()
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


def test_knowledge_checks_can_be_scored_from_the_package(tmp_path):
    rows = [{"cohort": "c-one", "learner": f"learner-{n:012d}", "exercise": "peer_support_check", "item": item,
             "value": value, "answered_at": "2025-03-04T10:00:00Z"}
            for n in range(6) for item, value in (("Q1", ["c"] if n % 2 else ["a"]), ("Q3", ["c", "b"]))]
    export_frame(pd.DataFrame(rows), tmp_path / "m", KEY, tier="microdata")
    table = pd.read_csv(tmp_path / "m/data/peer_support_check.responses.csv", dtype=str, keep_default_na=False)
    assert set(table.loc[table["item"] == "Q3", "value"]) == {"b|c"}
    assert set(table.loc[table["item"] == "Q3", "correct"]) == {"true"}
    assert sorted(table.loc[table["item"] == "Q1", "correct"]) == ["false"] * 3 + ["true"] * 3
    codebook = (tmp_path / "m/codebook.md").read_text()
    from peerkit.exercises import load_exercise

    details = load_exercise("peer_support_check").item("Q1").details
    right = [o["label"] for o in details["options"] if o["value"] in details["correct"]]
    assert right and all(f"{label} | yes |" in codebook for label in right)  # the right options are marked
    assert "Chapter: What is peer support?" in codebook
    loaded = load(tmp_path / "m")
    assert loaded.ok, loaded.problems
    assert loaded.frame.query("item == 'Q3'")["value"].iloc[0] == ["b", "c"]
    export_frame(pd.DataFrame(rows), tmp_path / "a", KEY)
    counts = pd.read_csv(tmp_path / "a/data/peer_support_check.counts.csv", dtype=str, keep_default_na=False)
    q3 = counts[counts["item"] == "Q3"].set_index("value")
    totals = pd.read_csv(tmp_path / "a/data/peer_support_check.totals.csv", dtype=str, keep_default_na=False)
    q3_total = totals[totals["item"] == "Q3"]["n"].iloc[0]
    # all six chose b: the count and the total count the same people, so they get the same noise
    assert q3.loc["b", "n"] == q3_total and abs(int(q3_total) - 6) <= 3 and q3.loc["b", "share"] == "1.0"


def test_codebook_and_schemas_carry_every_item_scale_and_label(exported):
    _, folder = exported["aggregate"]
    package = descriptor(folder)
    codebook = (folder / "codebook.md").read_text()
    from peerkit.exercises import load_exercise

    boundaries = load_exercise("boundaries")
    for item in boundaries.items:
        assert f"| `{item.id}` |" in codebook
    schema = next(r for r in package["resources"] if r["name"] == "boundaries-counts")["schema"]
    value = next(f for f in schema["fields"] if f["name"] == "value")
    assert value["constraints"]["enum"] == ["never", "maybe", "always"]
    assert [c["label"] for c in value["categories"]] == [o.label for o in boundaries.scale]
    assert schema["missingValues"] == [""]
    rating = next(r for r in package["resources"] if r["name"] == "core_skills-counts")["schema"]
    assert next(f for f in rating["fields"] if f["name"] == "value")["type"] == "integer"


def test_parquet_beside_the_csvs(frame, tmp_path):
    if not os.environ.get("CI"):
        pytest.importorskip("pyarrow")  # the test extra installs it; in CI a missing pyarrow fails
    export_frame(frame, tmp_path / "p", KEY, tier="microdata", parquet=True)
    csv = pd.read_csv(tmp_path / "p/data/core_skills.responses.csv")
    parquet = pd.read_parquet(tmp_path / "p/data/core_skills.responses.parquet")
    assert len(csv) == len(parquet) and list(csv.columns) == list(parquet.columns)


def test_each_cohort_keeps_its_own_threshold(tmp_path):
    """The issue: a cohort whose trainer set min_group_size 10 was exported with k = 5."""
    frame = make_frame({"cohort-north": 30, "cohort-south": 30})
    export_frame(frame, tmp_path / "a", KEY, cohort_min_cells={"cohort-north": 10, "cohort-south": 3})
    counts = pd.read_csv(tmp_path / "a/data/boundaries.counts.csv", dtype=str, keep_default_na=False)
    shown = counts[counts["suppressed"] == "false"]
    north, south = shown[shown["cohort"] == "cohort-north"], shown[shown["cohort"] == "cohort-south"]
    assert len(north) and (north["n"].astype(int) >= 10).all()
    assert (south["n"].astype(int) >= 5).all() and (south["n"].astype(int) < 10).any()  # never below --min-cell
    meta = descriptor(tmp_path / "a")["peerkit"]
    assert meta["cohort_min_cell"] == {"cohort-north": 10, "cohort-south": 5}
    small = export_frame(make_frame({"cohort-north": 8, "cohort-south": 12}), tmp_path / "b", KEY,
                         cohort_min_cells={"cohort-south": 13})
    assert small.cohorts == ["cohort-north"]  # 12 learners are fewer than the cohort's own 13


def test_personal_check_ins_never_leave_and_unagreed_learners_neither(tmp_path):
    frame = make_frame({"cohort-north": 12})
    frame["research_consent"] = frame["learner"] != frame["learner"].iloc[0]
    personal = pd.DataFrame([{"cohort": "cohort-north", "learner": learner, "exercise": "recovery_dimensions",
                              "item": "HEALTH", "value": 3, "answered_at": pd.Timestamp("2025-03-04T10:00:00Z"),
                              "research_consent": True} for learner in frame["learner"].unique()])
    frame = pd.concat([frame, personal], ignore_index=True)
    for tier in ("aggregate", "microdata"):
        report = export_frame(frame, tmp_path / tier, KEY, tier=tier, include_texts=tier == "microdata")
        assert "recovery_dimensions" not in report.exercises
        assert report.left_out["answers to personal check-ins (never exported)"] == 12
        assert report.left_out["answers of learners who did not agree to research use"] > 0
        assert not list((tmp_path / tier / "data").glob("recovery_dimensions*"))
    micro = load(tmp_path / "microdata", strict=True).frame
    assert micro["learner"].nunique() == 11
