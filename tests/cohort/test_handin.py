"""The Binder route: submission files written by learners, validated and loaded by the trainer."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from peerkit.client.membership import join, leave, write_submission
from peerkit.cohort.handin import FORMAT, MAX_BYTES, load_submissions


#: Validation needs no store: a cohort id is enough.
COHORT = SimpleNamespace(id="cohort-abcdefgh")


@pytest.fixture
def cohort():
    return COHORT


@pytest.fixture
def file_learner(tmp_path: Path):
    """A learner on Binder: joined with the cohort id, no server reachable."""
    from peerkit.store import LocalStore

    def make(name: str):
        learner = LocalStore(tmp_path / "learners" / name / "answers.sqlite")
        join(learner, COHORT.id, share=["boundaries", "welcome_reflection"])  # sharing is opt-in
        return learner

    return make


def valid(cohort_id: str, **changes) -> dict:
    document = {
        "format": FORMAT, "format_version": 1, "cohort": cohort_id, "pseudonym": "p-" + "a" * 20,
        "created_at": "2024-05-01T10:00:00+00:00",
        "responses": [{"exercise": "boundaries", "item": "B01", "value": "never",
                       "answered_at": "2024-05-01T09:00:00+00:00"}],
    }
    document.update(changes)
    return document


def as_file(document: dict, name: str = "f.json") -> tuple[str, bytes]:
    return name, json.dumps(document).encode()


def test_written_file_holds_only_what_is_shared(file_learner, cohort, tmp_path: Path) -> None:
    ana = file_learner("ana")
    ana.save("boundaries", "B01", "never")
    ana.save("welcome_reflection", "R1", {"text": "kept private", "share": False})
    ana.save("welcome_reflection", "R2", {"text": "shared", "share": True})
    path = write_submission(ana, tmp_path / "out.json")
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT and document["format_version"] == 1
    assert document["cohort"] == cohort.id and document["pseudonym"].startswith("p-")
    assert ana.learner not in path.read_text()
    assert [(r["exercise"], r["item"]) for r in document["responses"]] == [
        ("boundaries", "B01"), ("welcome_reflection", "R2")]
    assert document["responses"][1]["value"] == {"text": "shared"}
    accepted, rejected = load_submissions([path], cohort=cohort.id)
    assert rejected == [] and len(accepted[0].responses) == 2


def test_default_path_is_the_working_folder(file_learner, cohort, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_submission(file_learner("ana"))
    assert path == tmp_path / f"peerkit-submission-{cohort.id}.json"


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: b"\xff\xfe not text", "is not text"),
    (lambda d: b'{"format": "peerkit-submission", ', "is not valid JSON"),
    (lambda d: json.dumps([1, 2]).encode(), "is not a peerkit submission"),
    (lambda d: {**d, "format": "something-else"}, "is not a peerkit submission"),
    (lambda d: {**d, "format_version": 2}, "newer peerkit"),
    (lambda d: {**d, "format_version": "1"}, "format_version '1'"),
    (lambda d: {**d, "extra": 1}, "fields a submission does not have: extra"),
    (lambda d: {k: v for k, v in d.items() if k != "pseudonym"}, "lacks pseudonym"),
    (lambda d: {**d, "pseudonym": "learner-0123456789ab"}, "not a cohort pseudonym"),
    (lambda d: {**d, "cohort": "cohort-zzzzzzzz"}, "is for the cohort cohort-zzzzzzzz, not this one"),
    (lambda d: {**d, "created_at": "yesterday"}, "not an ISO-8601 time"),
    (lambda d: {**d, "created_at": "2024-05-01T10:00:00"}, "no time zone"),
    (lambda d: {**d, "created_at": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()}, "in the future"),
    (lambda d: {**d, "responses": {}}, "not a list"),
    (lambda d: {**d, "responses": [{"exercise": "boundaries"}]}, r"responses\[0\] must have exactly"),
    (lambda d: {**d, "responses": [{**d["responses"][0], "exercise": "nope"}]}, "no exercise 'nope'"),
    (lambda d: {**d, "responses": [{**d["responses"][0], "item": "B99"}]}, "has no item 'B99'"),
    (lambda d: {**d, "responses": [{**d["responses"][0], "value": "sometimes"}]}, "not an answer"),
    (lambda d: {**d, "responses": [{**d["responses"][0], "exercise": "core_skills", "item": "C01", "value": True}]},
     "not on the scale"),
    (lambda d: {**d, "responses": [{**d["responses"][0], "exercise": "core_skills", "item": "C01", "value": 9}]},
     "not an answer"),
    (lambda d: {**d, "responses": [d["responses"][0], d["responses"][0]]}, "answered twice"),
    (lambda d: {**d, "responses": [{"exercise": "welcome_reflection", "item": "R1",
                                    "value": {"text": "x", "share": False}, "answered_at": "2024-05-01T09:00:00Z"}]},
     "marked not to be shared"),
    (lambda d: {**d, "responses": [{"exercise": "welcome_reflection", "item": "R1", "value": "bare text",
                                    "answered_at": "2024-05-01T09:00:00Z"}]}, "must be"),
    (lambda d: {**d, "responses": [{**d["responses"][0], "answered_at": 5}]}, "answered_at must be"),
])
def test_each_bad_file_is_listed_with_its_reason(change, reason: str) -> None:
    cohort = COHORT
    produced = change(valid(cohort.id))
    content = produced if isinstance(produced, bytes) else json.dumps(produced).encode()
    accepted, rejected = load_submissions([("bad.json", content), as_file(valid(cohort.id, pseudonym="p-" + "b" * 20),
                                                                          "good.json")], cohort=cohort.id)
    assert [s.name for s in accepted] == ["good.json"]
    assert len(rejected) == 1 and rejected[0].name == "bad.json"
    assert re.search(reason, rejected[0].reason), rejected[0].reason


def test_oversized_and_unreadable_files(tmp_path: Path) -> None:
    cohort = COHORT
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_BYTES + 1))
    accepted, rejected = load_submissions([big, tmp_path / "missing.json", 42], cohort=cohort.id)
    reasons = {r.name: r.reason for r in rejected}
    assert accepted == []
    assert "at most 1 MB" in reasons["big.json"]
    assert "cannot be read" in reasons["missing.json"]
    assert "not a file" in reasons["file 3"]


def test_newest_file_from_one_pseudonym_wins_within_an_upload() -> None:
    cohort = COHORT
    old = valid(cohort.id, created_at="2024-05-01T10:00:00+00:00")
    new = valid(cohort.id, created_at="2024-05-01T11:00:00+00:00",
                responses=[{"exercise": "boundaries", "item": "B02", "value": "always",
                            "answered_at": "2024-05-01T10:30:00+00:00"}])
    accepted, rejected = load_submissions([as_file(new, "new.json"), as_file(old, "old.json")])
    assert [s.name for s in accepted] == ["new.json"]
    assert rejected[0].name == "old.json" and "replaced by new.json" in rejected[0].reason


def test_leaving_on_the_file_route_writes_a_withdrawal(file_learner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    ana = file_learner("ana")
    ana.save("boundaries", "B01", "never")
    handed_in = write_submission(ana)
    accepted, _ = load_submissions([handed_in], cohort=COHORT.id)
    assert len(accepted[0].responses) == 1
    message = leave(ana)
    assert "replaces your earlier answers with none" in message
    accepted, _ = load_submissions([handed_in], cohort=COHORT.id)  # same path, now the withdrawal
    assert accepted[0].responses == []


def test_file_upload_widget_values_are_accepted() -> None:
    cohort = COHORT
    entry = {"name": "up.json", "type": "application/json", "size": 10, "last_modified": 0,
             "content": memoryview(json.dumps(valid(cohort.id)).encode())}
    accepted, rejected = load_submissions((entry,), cohort=cohort.id)
    assert [s.name for s in accepted] == ["up.json"] and rejected == []
