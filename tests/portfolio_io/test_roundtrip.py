"""A portfolio gives back the same store, whichever way it was saved; restore is all or nothing; delete deletes.

"The same store" is compared whole: every row of the store's two tables (answers,
and the private settings with the pseudonym), not a count.
"""
from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerkit.errors import StoreError
from peerkit.exercises import exercise_ids, load_exercise
from peerkit.model import Response
from peerkit.portfolio_io import delete_my_answers, export_json, restore, write_portfolio
from peerkit.store import LocalStore

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60).filter(
    lambda t: bool(t.strip())
)
HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "[link](javascript:alert(1))", "-->", "<!--",
    "<!-- peerkit-portfolio:base64:e30= -->", "line one\n\nline two", "  leading spaces", "émoji 🌱 text",
])
LEARNER_TEXT = st.one_of(TEXT, HOSTILE)


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a store holds, row by row."""
    conn = sqlite3.connect(path)
    try:
        return {
            "meta": conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall(),
            "responses": conn.execute("SELECT * FROM responses ORDER BY exercise, item").fetchall(),
            "version": conn.execute("PRAGMA user_version").fetchall(),
        }
    finally:
        conn.close()


@st.composite
def answer_for(draw: st.DrawFn, exercise_id: str) -> tuple[str, Any]:
    exercise = load_exercise(exercise_id)
    if exercise.kind == "smart_goal":
        item = "G-" + draw(st.text("0123456789abcdef", min_size=8, max_size=8))
        start = EPOCH.date() + timedelta(days=draw(st.integers(0, 300)))
        goal = {
            "action": draw(LEARNER_TEXT), "why": draw(LEARNER_TEXT), "resources": draw(st.one_of(st.just(""), TEXT)),
            "realistic": draw(st.booleans()), "start": start.isoformat(),
            "end": (start + timedelta(days=draw(st.integers(1, 90)))).isoformat(),
            "created": (EPOCH + timedelta(seconds=draw(st.integers(0, 10**7)))).isoformat(),
        }
        return item, goal
    item = draw(st.sampled_from(exercise.items))
    if exercise.scale:
        return item.id, draw(st.sampled_from([option.value for option in exercise.scale]))
    if exercise.kind == "reflection":
        return item.id, {"text": draw(LEARNER_TEXT), "share": draw(st.booleans())}
    if exercise.kind == "reframe":
        return item.id, draw(LEARNER_TEXT)
    if exercise.kind == "knowledge_check":
        options = [option["value"] for option in item.details["options"]]
        if item.details.get("multiple", False):
            return item.id, draw(st.lists(st.sampled_from(options), min_size=1, unique=True))
        return item.id, [draw(st.sampled_from(options))]
    if exercise.kind == "scenario":  # a response of the turn; "rather not" too where the scenario is sensitive
        values = [option["value"] for option in item.details["options"]]
        return item.id, draw(st.sampled_from(values + (["rather_not"] if exercise.details.get("sensitive") else [])))
    raise AssertionError(f"no generator for {exercise.kind}")


@st.composite
def store_contents(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[tuple[str, str], tuple[Any, datetime]] = {}
    for exercise_id in draw(st.lists(st.sampled_from(exercise_ids()), max_size=8)):
        item, value = draw(answer_for(exercise_id))
        moment = EPOCH + timedelta(microseconds=draw(st.integers(0, 9 * 10**13)))
        answers[(exercise_id, item)] = (value, moment)
    contents: dict[str, Any] = {
        "learner": "learner-" + draw(st.text("0123456789abcdef", min_size=12, max_size=12)),
        "answers": answers,
        "settings": {},
    }
    if draw(st.booleans()):
        contents["settings"]["cohort_secret"] = draw(st.text("0123456789abcdef", min_size=64, max_size=64))
    if draw(st.booleans()):
        contents["settings"]["former_cohort"] = {
            "name": draw(LEARNER_TEXT),
            "pseudonym": "p-" + draw(st.text("0123456789abcdef", min_size=20, max_size=20)),
            "share": draw(st.lists(st.sampled_from(exercise_ids()), unique=True, max_size=5)),
        }
    return contents


def make_store(path: Path, contents: dict[str, Any]) -> LocalStore:
    store = LocalStore(path)
    store.adopt_learner(contents["learner"])
    store.save_many([
        Response(store.learner, exercise, item, value, moment)
        for (exercise, item), (value, moment) in contents["answers"].items()
    ])
    for key, value in contents["settings"].items():
        store.set_setting(key, value)
    return store


WAYS = ("export_json", "write_portfolio json", "write_portfolio markdown", "write_portfolio html")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(contents=store_contents())
def test_download_then_restore_gives_the_same_store_every_way(tmp_path_factory, contents) -> None:
    folder = tmp_path_factory.mktemp("roundtrip")
    original = make_store(folder / "original" / "answers.sqlite", contents)
    expected = dump(original.path)
    files = write_portfolio(folder / "exports", original)
    sources: dict[str, bytes] = {
        "export_json": json.dumps(export_json(original)).encode(),
        "write_portfolio json": files["json"].read_bytes(),
        "write_portfolio markdown": files["markdown"].read_bytes(),
        "write_portfolio html": files["html"].read_bytes(),
    }
    assert set(sources) == set(WAYS)
    for way, data in sources.items():
        again = LocalStore(folder / way.replace(" ", "_") / "answers.sqlite")
        report = restore(data, again, name=way)
        assert report.added == len(contents["answers"]), way
        assert dump(again.path) == expected, way
        assert restore(data, again, name=way).changed == 0  # twice changes nothing


def test_a_portfolio_never_carries_an_address(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "answers.sqlite")
    store.save("boundaries", "B01", "never")
    store.set_setting("cohort", {"cohort": "cohort-1a2b3c4d", "name": "Tuesday", "pseudonym": "p-" + "c" * 20,
                                 "mode": "live", "share": ["boundaries"], "url": "https://cohort.example/api"})
    files = write_portfolio(tmp_path / "exports", store)
    for path in files.values():
        text = path.read_text(encoding="utf-8")
        assert "cohort.example" not in text and "cohort-1a2b3c4d" not in text
        carried = json.dumps(export_json(store))
        assert "cohort.example" not in carried


# -- one transaction --------------------------------------------------------------------------------
def _portfolio_for(tmp_path: Path) -> bytes:
    source = LocalStore(tmp_path / "source" / "answers.sqlite")
    source.save("boundaries", "B01", "never", answered_at=EPOCH + timedelta(days=30))
    source.save("boundaries", "B02", "always", answered_at=EPOCH)
    source.set_setting("cohort_secret", "d" * 64)
    source.set_setting("former_cohort", {"name": "Tuesday", "pseudonym": "p-" + "e" * 20, "share": []})
    return json.dumps(export_json(source)).encode()


@pytest.mark.parametrize("fail_in", ["save_many", "set_setting"])
def test_a_fault_half_way_leaves_an_empty_store_exactly_as_it_was(tmp_path, monkeypatch, fail_in) -> None:
    data = _portfolio_for(tmp_path)
    target = LocalStore(tmp_path / "target" / "answers.sqlite")
    before = dump(target.path)
    original = getattr(LocalStore, fail_in)

    def half_then_fail(self: LocalStore, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)  # the change is made ... then the next step fails
        raise StoreError("the disk is full (injected)")

    monkeypatch.setattr(LocalStore, fail_in, half_then_fail)
    with pytest.raises(StoreError, match="injected"):
        restore(data, target)
    monkeypatch.undo()
    assert dump(target.path) == before
    assert LocalStore(target.path).learner == target.learner  # the pseudonym was not taken over either


def test_a_fault_half_way_leaves_a_store_with_answers_as_it_was(tmp_path, monkeypatch) -> None:
    data = _portfolio_for(tmp_path)
    target = LocalStore(tmp_path / "target" / "answers.sqlite")
    target.save("boundaries", "B01", "maybe", answered_at=EPOCH)  # older: the file's answer would replace it
    target.save("core_skills", "C01", 3)
    before = dump(target.path)
    original = LocalStore.save_many

    def half_then_fail(self: LocalStore, responses: list[Response]) -> None:
        original(self, responses[:1])
        raise StoreError("power cut (injected)")

    monkeypatch.setattr(LocalStore, "save_many", half_then_fail)
    with pytest.raises(StoreError, match="injected"):
        restore(data, target)
    monkeypatch.undo()
    assert dump(target.path) == before


# -- delete means delete ------------------------------------------------------------------------------
def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def test_after_delete_no_file_of_the_learners_remains(peerkit_home: Path) -> None:
    from peerkit.widgets._base import DELETED_TEXT
    from peerkit.widgets.boundary_matrix import BoundaryMatrix
    from peerkit.widgets.portfolio_panel import PortfolioPanel

    store = LocalStore()
    store.set_setting("cohort", {"cohort": "cohort-1a2b3c4d", "name": "Tuesday group",
                                 "pseudonym": "p-" + "f" * 20, "mode": "file", "share": ["boundaries"]})
    matrix = BoundaryMatrix(store=store)
    matrix.answer("B01", "never")
    assert matrix.wait_until_saved()
    panel = PortfolioPanel(store=store)
    assert panel.download() is not None
    (peerkit_home / "outbox").mkdir()
    (peerkit_home / "outbox" / "0001.json").write_text("{}")  # a send still waiting
    (peerkit_home / "peerkit-submission-cohort-1a2b3c4d.json").write_text("{}")  # a hand-in file
    assert len(_files_under(peerkit_home)) >= 6

    panel.ask_to_delete()
    assert "Tuesday group" in panel.confirm_text.value  # told before deleting what a group holds
    assert "Leave" in panel.confirm_text.value  # and how to withdraw it first
    assert panel.delete() == 1
    assert _files_under(peerkit_home) == []
    assert matrix.answers == {} and matrix.status == DELETED_TEXT  # the widget on the page cleared
    assert "Tuesday group" in panel.status and "ask your trainer" in panel.status  # what stays, who can remove it
    assert _files_under(peerkit_home) == []  # and nothing came back afterwards


def test_a_change_waiting_to_be_saved_does_not_come_back_after_delete(store: LocalStore) -> None:
    from peerkit.widgets.boundary_matrix import BoundaryMatrix

    matrix = BoundaryMatrix(store=store)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    matrix.answer("B01", "never")  # waits in memory: the store is locked
    other.execute("ROLLBACK")
    other.close()
    delete_my_answers(store, confirm=True)
    matrix.wait_until_saved()
    assert not store.path.exists() or LocalStore(store.path).responses() == []
    assert matrix.answers == {}


# -- readable by the learner alone ----------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_journal_and_exports_are_the_learners_alone(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    store = LocalStore(home / "answers.sqlite")
    assert _mode(home) == 0o700 and _mode(store.path) == 0o600
    writer = sqlite3.connect(store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    journal = store.path.with_name("answers.sqlite-journal")
    assert journal.exists() and _mode(journal) == 0o600  # SQLite gives its journal the store's mode
    writer.execute("ROLLBACK")
    writer.close()
    files = write_portfolio(home / "exports", store)
    assert _mode(home / "exports") == 0o700
    assert {_mode(path) for path in files.values()} == {0o600}


def test_an_older_store_readable_by_others_is_closed_to_them(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    LocalStore(path)
    os.chmod(path, 0o644)
    LocalStore(path)
    assert _mode(path) == 0o600
