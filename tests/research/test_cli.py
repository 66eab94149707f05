"""``peerkit export`` end to end: hand-in files and a cohort store, both tiers, as a researcher would run it."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from peerkit.cli import main
from peerkit.research import load

from .conftest import KEY, all_text

COHORTS = {"cohort-abcdefgh": 8, "cohort-stuvwxyz": 6}


def pseudonym(cohort: str, n: int) -> str:
    return "p-" + f"{abs(hash((cohort, n))) % 16**20:020x}"


def write_submissions(folder: Path) -> None:
    folder.mkdir()
    for cohort, size in COHORTS.items():
        for n in range(size):
            responses = [{"exercise": "boundaries", "item": item, "value": ["never", "maybe", "always"][(n + i) % 3],
                          "answered_at": f"2025-05-0{1 + n % 3}T10:1{n % 10}:00+00:00"}
                         for i, item in enumerate(["B01", "B02", "B16"])]
            if n % 2:
                responses.append({"exercise": "boundaries_reflection", "item": "R1",
                                  "value": {"text": "Call me on +44 7700 900123 to talk"},
                                  "answered_at": "2025-05-01T11:00:00+00:00"})
            document = {"format": "peerkit-submission", "format_version": 1, "cohort": cohort,
                        "pseudonym": pseudonym(cohort, n), "created_at": "2025-05-03T12:00:00+00:00", "research_consent": True,
                        "responses": responses}
            (folder / f"{cohort}-{n}.json").write_text(json.dumps(document))
    (folder / "truncated.json").write_text('{"format": "peerkit-submission", "format_ver')
    (folder / "wrong.json").write_text(json.dumps({"format": "peerkit-submission", "format_version": 1,
                                                   "cohort": "cohort-abcdefgh", "pseudonym": pseudonym("x", 1),
                                                   "created_at": "2025-05-03T12:00:00+00:00",
                                                   "responses": [{"exercise": "boundaries", "item": "B01",
                                                                  "value": "sometimes",
                                                                  "answered_at": "2025-05-01T10:00:00+00:00"}]}))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret" / "research.key"
    path.parent.mkdir()
    path.write_bytes(KEY + b"\n")
    return path


def test_export_from_submission_files_end_to_end(tmp_path, key_file):
    write_submissions(tmp_path / "in")
    code, out, err = run("export", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--key-file", str(key_file))
    assert code == 0, err
    assert out.startswith("Tier: AGGREGATE") and "safe to publish" in out
    assert "14 learners in 2 cohort(s)" in out
    assert "truncated.json" in out and "wrong.json" in out and "2 submission file(s) not used" in err
    result = load(tmp_path / "out")
    assert result.ok, result.problems
    counts = result.counts
    assert (counts.loc[~counts["suppressed"].astype(bool), "n"] >= 5).all()
    assert result.frame.empty  # no rows in the aggregate tier

    code, out, err = run("export", str(tmp_path / "in"), "--out", str(tmp_path / "micro"), "--key-file",
                         str(key_file), "--tier", "microdata", "--include-texts", "--author", "Study team", "--licence", "CC0-1.0")
    assert code == 0, err
    package = json.loads((tmp_path / "micro/datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC0-1.0" and "Study team" in package["citation"]
    assert out.startswith("Tier: MICRODATA") and "never publish" in out
    assert (tmp_path / "micro/DATA-USE.md").exists()
    result = load(tmp_path / "micro")
    assert result.ok, result.problems
    assert sorted(result.frame["cohort"].unique()) == sorted(COHORTS)
    for folder in ("out", "micro"):
        text = all_text(tmp_path / folder)
        assert KEY.decode() not in text and "7700" not in text
        assert not any(pseudonym(c, n) in text for c, size in COHORTS.items() for n in range(size))
    assert "[phone]" in all_text(tmp_path / "micro")


def test_two_exports_load_together(tmp_path, key_file):
    write_submissions(tmp_path / "in")
    for cohort in COHORTS:
        folder = tmp_path / f"in-{cohort}"
        folder.mkdir()
        for path in (tmp_path / "in").glob(f"{cohort}-*.json"):
            path.rename(folder / path.name)
        code, _, err = run("export", str(folder), "--out", str(tmp_path / "exports" / cohort), "--name", cohort,
                           "--key-file", str(key_file), "--time-resolution", "week", "--min-cell", "3",
                           "--tier", "microdata")
        assert code == 0, err
    result = load(tmp_path / "exports")
    assert result.ok, result.problems
    assert result.frame["cohort"].nunique() == 2
    assert all(m["min_cell"] == 3 and m["time_resolution"] == "week" for m in result.metadata.values())


def test_refuses_without_a_key_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("PEERKIT_RESEARCH_KEY", raising=False)
    write_submissions(tmp_path / "in")
    code, out, err = run("export", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert code == 1 and "No pseudonymisation key" in err and "secrets.token_hex" in err
    assert not (tmp_path / "out").exists()


def test_key_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERKIT_RESEARCH_KEY", KEY.decode())
    write_submissions(tmp_path / "in")
    code, _, err = run("export", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert code == 0, err


def test_usage_errors(tmp_path, key_file):
    assert run("export")[0] == 2
    assert run("export", str(tmp_path), "--out", str(tmp_path / "o"), "--time-resolution", "hour")[0] == 2
    code, _, err = run("export", str(tmp_path / "missing"), "--out", str(tmp_path / "o"), "--key-file", str(key_file))
    assert code == 2 and "neither a folder" in err
    code, _, err = run("export", str(tmp_path), "--out", str(tmp_path / "o"), "--key-file", str(key_file))
    assert code == 1 and "No valid submission files" in err
    assert run("export", str(tmp_path), "--out", str(tmp_path / "o"), "--tier", "everything")[0] == 2
    code, _, err = run("export", "https://cohorts.example", "--out", str(tmp_path / "o"), "--key-file",
                       str(key_file))
    assert code == 2 and "token" in err
    assert run("--help")[0] == 0


def test_a_missing_server_database_is_refused_and_not_made(tmp_path, key_file):
    # a server's database is a source (tests/research/test_server_export.py); a mistyped one is never created
    code, _, err = run("export", f"sqlite:///{tmp_path / 'nothing.sqlite'}", "--out", str(tmp_path / "o3"),
                       "--key-file", str(key_file))
    assert code == 1 and "not a peerkit server's database" in err
    assert not (tmp_path / "nothing.sqlite").exists()
    code, _, err = run("export", str(tmp_path / "no-such-folder"), "--out", str(tmp_path / "o3"),
                       "--key-file", str(key_file))
    assert code == 2 and "neither a folder of hand-in files" in err


def test_hand_in_files_without_consent_give_nothing(tmp_path, key_file):
    folder = tmp_path / "no-consent"
    folder.mkdir()
    for n in range(6):
        document = {"format": "peerkit-submission", "format_version": 1, "cohort": "cohort-abcdefgh",
                    "pseudonym": pseudonym("n", n), "created_at": "2025-05-03T12:00:00+00:00",
                    "responses": [{"exercise": "boundaries", "item": "B01", "value": "never",
                                   "answered_at": "2025-05-03T11:00:00+00:00"}]}
        (folder / f"{n}.json").write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run("export", str(folder), "--out", str(tmp_path / "o4"), "--key-file", str(key_file))
    assert code == 1 and "did not agree to research use" in err and not (tmp_path / "o4").exists()


def test_export_frame_python_api_accepts_any_tidy_frame(tmp_path):
    from peerkit.research import export_frame

    frame = pd.DataFrame({"learner": [f"l{i}" for i in range(6)], "exercise": "boundaries", "item": "B01",
                          "value": "never", "answered_at": "2025-01-01T10:00:00Z"})
    report = export_frame(frame, tmp_path, KEY, cohort="pilot", tier="microdata")
    assert report.rows == 6 and load(tmp_path).ok
