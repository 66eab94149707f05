"""Portfolio: export, restore (validated, merged, all or nothing) and delete."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

from peerkit.errors import ImportFileError, StoreError
from peerkit.model import encode_value
from peerkit.portfolio_io import (
    MAX_BYTES,
    RestoreReport,
    delete_my_answers,
    export_json,
    markdown_escape,
    render_html,
    render_markdown,
    restore,
    write_portfolio,
)
from peerkit.store import LocalStore
from tests.support.exercises import CHECK, RATING, REFLECTION, REFRAME, SMART

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

GOAL_ID = "G-0123abcd"
GOAL = {  # the shape SmartGoalBuilder stores
    "action": "walk to the park three mornings a week",
    "why": "it clears my head",
    "resources": "my neighbour, who walks too",
    "realistic": True,
    "start": "2025-03-03",
    "end": "2025-04-30",
    "created": "2025-03-01T09:00:00+00:00",
}


@pytest.fixture
def course(add_exercise: Callable[[dict[str, Any]], str]) -> None:
    for definition in (REFLECTION, RATING, SMART, CHECK, REFRAME):
        add_exercise(definition)


def answer_several(store: LocalStore) -> None:
    store.save("boundaries", "B01", "maybe", answered_at=T0)
    store.save("boundaries", "B02", "never", answered_at=T0 + timedelta(minutes=1))
    store.save("boundaries", "B27", "always", answered_at=T0 + timedelta(minutes=2))
    store.save("test_rating", "A", 3, answered_at=T0 + timedelta(hours=1))
    store.save("test_reflection", "R1", {"text": "I noticed\nmany things.", "share": False},
               answered_at=datetime(2025, 3, 2, 10, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))))
    store.save("test_reflection", "R2", {"text": "Keep going", "share": True}, answered_at=T0 + timedelta(days=2))
    store.save("test_smart", GOAL_ID, GOAL, answered_at=T0 + timedelta(days=3))
    store.save("test_check", "Q1", ["b"], answered_at=T0 + timedelta(days=4))
    store.save("test_reframe", "L1", "He lives with depression, and he paints.", answered_at=T0 + timedelta(days=5))


def snapshot(store: LocalStore) -> set[tuple[str, str, str, datetime, int]]:
    return {(r.exercise, r.item, encode_value(r.value), r.answered_at, r.schema_version) for r in store.responses()}


def fresh_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "other-home") -> LocalStore:
    """A new learner session: another PEERKIT_HOME, as on a new Binder."""
    monkeypatch.setenv("PEERKIT_HOME", str(tmp_path / name))
    return LocalStore()


def as_bytes(portfolio: dict[str, Any]) -> bytes:
    return json.dumps(portfolio).encode("utf-8")


# -- export ----------------------------------------------------------------------------------
def test_export_json_has_the_documented_shape(course: None, store: LocalStore) -> None:
    answer_several(store)
    portfolio = export_json(store)
    assert portfolio["format"] == "peerkit-portfolio"
    assert portfolio["format_version"] == 2
    assert portfolio["learner"] == store.learner
    assert isinstance(portfolio["peerkit_version"], str)
    exported = datetime.fromisoformat(portfolio["exported_at"])
    assert exported.utcoffset() == timedelta(0)
    assert len(portfolio["responses"]) == 9
    assert set(portfolio["responses"][0]) == {"exercise", "item", "value", "answered_at", "schema_version"}
    goal = next(r for r in portfolio["responses"] if r["exercise"] == "test_smart")
    assert goal["value"] == GOAL
    json.dumps(portfolio)  # JSON-able as it is


def test_write_portfolio_writes_three_files_under_peerkit_home(course: None, store: LocalStore, peerkit_home: Path) -> None:
    answer_several(store)
    paths = write_portfolio(store=store)
    assert set(paths) == {"json", "markdown", "html"}
    for key, suffix in (("json", ".json"), ("markdown", ".md"), ("html", ".html")):
        assert paths[key].parent == peerkit_home / "exports"
        assert paths[key].name.startswith("peerkit-portfolio-") and paths[key].suffix == suffix
        assert paths[key].is_file()
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["learner"] == store.learner
    assert not list((peerkit_home / "exports").glob(".peerkit-*"))  # no temporary files left behind


def test_readable_documents_use_the_course_wording(course: None, store: LocalStore) -> None:
    answer_several(store)
    portfolio = export_json(store)
    for document in (render_markdown(portfolio), render_html(portfolio)):
        assert "Chapter 2: Boundaries" in document          # chapter title from chapters.json
        assert "Where are your limits?" in document         # exercise title
        assert "Giving the person a hug" in document        # item text
        assert "Maybe OK" in document and "Always OK" in document  # scale labels, not values
        assert "3 high" in document
        assert "Specific" in document and "walk to the park three mornings a week" in document
        assert "Time-limited" in document and "From 3 March 2025 to 30 April 2025" in document
        assert "I will walk to the park three mornings a week because it clears my head." in document
        assert "Goal started 2025-03-01" in document
        assert "Which one?" in document and "Option B" in document      # knowledge check: option label
        assert "He is a depressive." in document and "He lives with depression, and he paints." in document
        assert "Private: not shared." in document and "Shared with your group." in document
        # chapters in course order
        assert document.index("Welcome") < document.index("Boundaries") < document.index("A test goal")
    markdown = render_markdown(portfolio)
    assert "| Giving the person a hug | Maybe OK | 2025-03-01 |" in markdown
    assert "> I noticed\n> many things." in markdown


def test_unknown_value_shapes_are_shown_as_text(course: None, store: LocalStore) -> None:
    portfolio = export_json(store)
    portfolio["responses"] = [
        {"exercise": "test_reflection", "item": "R1", "value": [1, {"x": None}], "answered_at": T0.isoformat(),
         "schema_version": 1},
        {"exercise": "gone_exercise", "item": "Z", "value": 42, "answered_at": T0.isoformat(), "schema_version": 1},
    ]
    for document in (render_markdown(portfolio), render_html(portfolio)):
        assert "gone_exercise" in document and "42" in document
        assert "Other answers" in document


def test_html_escapes_learner_text(course: None, store: LocalStore) -> None:
    store.save("test_reflection", "R1", {"text": "<script>alert('x')</script> & <b>bold</b>", "share": False})
    store.save("test_smart", "G<1>", {"SPECIFIC": "<img src=x onerror=alert(1)>", "<key>": "<v>"})
    page = render_html(export_json(store))
    assert "<script>" not in page and "<img" not in page and "<b>bold" not in page and "<key>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page


def test_markdown_escape_neutralises_markup() -> None:
    assert markdown_escape("# heading") == "\\# heading"
    assert markdown_escape("- item\n+ item\n> quote\n1. first\n2) second") == (
        "\\- item\n\\+ item\n\\> quote\n1\\. first\n2\\) second"
    )
    assert markdown_escape("<script>x</script>") == "\\<script\\>x\\</script\\>"
    assert markdown_escape("a *b* _c_ [d](e) `f` |g|") == "a \\*b\\* \\_c\\_ \\[d\\](e) \\`f\\` \\|g\\|"
    assert markdown_escape("    code?") == "code?"
    assert markdown_escape("plain words, kept as they are.") == "plain words, kept as they are."
    assert markdown_escape("===") == "\\==="


def test_markdown_table_cells_cannot_break_the_table(course: None, store: LocalStore, add_exercise) -> None:
    add_exercise({**RATING, "id": "pipe_rating", "items": [{"id": "A", "text": "one | two\nthree"}]})
    store.save("pipe_rating", "A", 1)
    markdown = render_markdown(export_json(store))
    assert "| one \\| two three | 1 low |" in markdown


# -- restore: round trip and merge -------------------------------------------------------------
def test_round_trip_into_a_fresh_store(course: None, store: LocalStore, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    answer_several(store)
    before = snapshot(store)
    path = write_portfolio(tmp_path / "downloads", store)["json"]

    other = fresh_store(tmp_path, monkeypatch)
    assert other.path != store.path and other.learner != store.learner
    report = restore(path, other)
    assert (report.added, report.updated, report.kept, report.skipped) == (9, 0, 0, 0)
    assert snapshot(other) == before
    assert other.learner == store.learner          # the pseudonym came back too
    assert report.adopted_learner and "again" in str(report)
    assert store.learner not in str(report)  # plain words, never the pseudonym itself
    assert LocalStore().learner == store.learner   # and it is stored, not just remembered


def test_restoring_twice_changes_nothing(course: None, store: LocalStore, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    answer_several(store)
    data = as_bytes(export_json(store))
    other = fresh_store(tmp_path, monkeypatch)
    restore(data, other)
    first = snapshot(other)
    second = restore(data, other)
    assert (second.added, second.updated, second.kept, second.skipped) == (0, 0, 0, 9)
    assert not second.changed and "already here" in str(second)
    assert snapshot(other) == first
    # restoring into the store the file came from changes nothing either
    assert restore(data, store).changed == 0


def test_merge_keeps_the_newer_answer_and_the_store_wins_ties(course: None, store: LocalStore) -> None:
    store.save("boundaries", "B01", "never", answered_at=T0)                          # file is newer
    store.save("boundaries", "B02", "always", answered_at=T0 + timedelta(days=5))     # store is newer
    store.save("boundaries", "B03", "maybe", answered_at=T0)                          # tie, values differ
    store.save("boundaries", "B04", "maybe", answered_at=T0)                          # identical
    learner = store.learner
    portfolio = export_json(store)
    portfolio["learner"] = "learner-000000000000"
    portfolio["responses"] = [
        {"exercise": "boundaries", "item": "B01", "value": "always",
         "answered_at": (T0 + timedelta(days=1)).isoformat(), "schema_version": 1},
        {"exercise": "boundaries", "item": "B02", "value": "never",
         "answered_at": (T0 + timedelta(days=1)).isoformat(), "schema_version": 1},
        {"exercise": "boundaries", "item": "B03", "value": "never", "answered_at": T0.isoformat(), "schema_version": 1},
        {"exercise": "boundaries", "item": "B04", "value": "maybe", "answered_at": T0.isoformat(), "schema_version": 1},
        {"exercise": "boundaries", "item": "B05", "value": "never", "answered_at": T0.isoformat(), "schema_version": 1},
    ]
    report = restore(as_bytes(portfolio), store, name="mine.json")
    assert isinstance(report, RestoreReport)
    assert (report.added, report.updated, report.kept, report.skipped) == (1, 1, 2, 1)
    assert store.answers("boundaries") == {"B01": "always", "B02": "always", "B03": "maybe", "B04": "maybe",
                                           "B05": "never"}
    by_item = {r.item: r for r in store.responses("boundaries")}
    assert by_item["B01"].answered_at == T0 + timedelta(days=1)
    assert by_item["B02"].answered_at == T0 + timedelta(days=5)
    assert len(store.responses()) == 5                     # no duplicates
    # a store with answers keeps its own pseudonym; restored answers are filed under it
    assert store.learner == learner and not report.adopted_learner
    assert {r.learner for r in store.responses()} == {learner}
    assert "mine.json" in str(report)


def test_timestamps_with_other_offsets_compare_as_instants(course: None, store: LocalStore) -> None:
    store.save("boundaries", "B01", "never", answered_at=T0)
    portfolio = export_json(store)
    # 10:30 at +02:00 is 08:30 UTC: older than the stored 09:00 UTC, so the store keeps its answer
    portfolio["responses"][0].update(value="always", answered_at="2025-03-01T10:30:00+02:00")
    assert restore(as_bytes(portfolio), store).kept == 1
    assert store.answers("boundaries") == {"B01": "never"}


def test_failed_write_leaves_an_empty_store_as_it_was(course: None, store: LocalStore, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    answer_several(store)
    data = as_bytes(export_json(store))
    other = fresh_store(tmp_path, monkeypatch)
    own_learner = other.learner

    def broken(responses: list) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(other, "save_many", broken)
    with pytest.raises(StoreError, match="disk full"):
        restore(data, other)
    assert other.responses() == [] and LocalStore().learner == own_learner


# -- restore: bad files change nothing ----------------------------------------------------------
def _entry(**changes: Any) -> dict[str, Any]:
    entry = {"exercise": "boundaries", "item": "B10", "value": "maybe", "answered_at": T0.isoformat(),
             "schema_version": 1}
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not _DROP}


_DROP = object()


def _with(*, top: dict[str, Any] | None = None, bad: Any = None) -> Callable[[dict[str, Any]], bytes]:
    """Build a file from a valid portfolio: change top-level keys, or append one bad entry after good ones."""

    def build(portfolio: dict[str, Any]) -> bytes:
        portfolio = dict(portfolio)
        for key, value in (top or {}).items():
            if value is _DROP:
                portfolio.pop(key, None)
            else:
                portfolio[key] = value
        if bad is not None:
            portfolio["responses"] = [_entry(item="B20"), _entry(item="B21"), bad]
        return json.dumps(portfolio).encode("utf-8")

    return build


def _replaced(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, "the test must really change the file"
    return data.replace(old, new)


MALFORMED = {
    "not JSON": (lambda p: b'{"format": "peerkit-portfolio", ', "not valid JSON"),
    "not UTF-8": (lambda p: b"\xff\xfe\x00garbage", "not a text file"),
    "JSON but a list": (lambda p: b"[1, 2]", "top level must be a JSON object"),
    "wrong format tag": (_with(top={"format": "peerkit-submission"}), "submission"),
    "no format tag": (_with(top={"format": _DROP}), "not a peerkit portfolio"),
    "newer version": (_with(top={"format_version": 3}), "newer peerkit"),
    "unknown version": (_with(top={"format_version": 0}), "format_version"),
    "version as text": (_with(top={"format_version": "1"}), "whole number"),
    "not a pseudonym": (_with(top={"learner": "Jane Smith"}), "'learner'"),
    "bad exported_at": (_with(top={"exported_at": "yesterday"}), "'exported_at'"),
    "responses not a list": (_with(top={"responses": {"a": 1}}), "'responses' must be a list"),
    "entry not an object": (_with(bad=["boundaries", "B01"]), "entry 3 of 3: an answer must be a JSON object"),
    "unknown exercise": (_with(bad=_entry(exercise="no_such_exercise")), "entry 3 of 3 (exercise 'no_such_exercise'"),
    "unknown item": (_with(bad=_entry(item="B99")), "no item 'B99'"),
    "bad value": (_with(bad=_entry(value="sometimes")), "'sometimes' is not an answer"),
    "null value": (_with(bad=_entry(value=None)), "no 'value'"),
    "missing value": (_with(bad=_entry(value=_DROP)), "no 'value'"),
    "item not text": (_with(bad=_entry(item=7)), "'item' must be non-empty text"),
    "time not text": (_with(bad=_entry(answered_at=1700000000)), "'answered_at' must be non-empty text"),
    "time not a time": (_with(bad=_entry(answered_at="last Tuesday")), "'answered_at' must be an ISO-8601"),
    "time without zone": (_with(bad=_entry(answered_at="2025-03-01T09:00:00")), "with a time zone"),
    "time in the future": (_with(bad=_entry(answered_at="2999-01-01T00:00:00+00:00")), "in the future"),
    "schema version as text": (_with(bad=_entry(schema_version="1")), "'schema_version'"),
    "newer schema version": (_with(bad=_entry(schema_version=99)), "newer peerkit"),
    "duplicate entry": (_with(bad=_entry(item="B20")), "already appears in entry 1"),
    "reflection not a dict": (_with(bad=_entry(exercise="test_reflection", item="R1", value="text")),
                              "A reflection must be"),
    "blank reflection": (_with(bad=_entry(exercise="test_reflection", item="R1",
                                          value={"text": "  ", "share": False})), "must hold words"),
    "goal under a non-goal id": (_with(bad=_entry(exercise="test_smart", item="B10", value=GOAL)), "not a goal id"),
    "goal of the wrong shape": (_with(bad=_entry(exercise="test_smart", item=GOAL_ID, value={"SPECIFIC": "x"})),
                                "A goal must be a dict"),
    "check: unknown option": (_with(bad=_entry(exercise="test_check", item="Q1", value=["z"])), "not an option"),
    "check: two for a single choice": (_with(bad=_entry(exercise="test_check", item="Q1", value=["a", "b"])),
                                       "not a valid choice"),
    "check: not a list": (_with(bad=_entry(exercise="test_check", item="Q1", value="a")), "must be a list"),
    "reframe not text": (_with(bad=_entry(exercise="test_reframe", item="L1", value=["x"])),
                         "A reframe must be text"),
    "NaN value": (lambda p: _replaced(as_bytes(p), b'"value": "always"', b'"value": NaN'), "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_files_are_refused_and_change_nothing(case: str, course: None, store: LocalStore) -> None:
    build, expected = MALFORMED[case]
    store.save("boundaries", "B01", "never", answered_at=T0)
    valid = export_json(store)
    valid["responses"][0]["value"] = "always"
    valid["responses"][0]["answered_at"] = (T0 + timedelta(days=1)).isoformat()
    before, learner = snapshot(store), store.learner
    with pytest.raises(ImportFileError) as caught:
        restore(build(valid), store, name="broken-portfolio.json")
    message = str(caught.value)
    assert "broken-portfolio.json" in message
    assert expected in message
    assert "Nothing was changed" in message
    assert snapshot(store) == before and store.learner == learner


def test_bad_entries_in_a_fresh_store_write_nothing_at_all(course: None, store: LocalStore, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    answer_several(store)
    portfolio = export_json(store)
    portfolio["responses"].append(_entry(item="B99"))
    other = fresh_store(tmp_path, monkeypatch)
    learner = other.learner
    with pytest.raises(ImportFileError, match="entry 10 of 10"):
        restore(as_bytes(portfolio), other)
    assert other.responses() == [] and other.learner == learner


def test_many_problems_are_counted(course: None, store: LocalStore) -> None:
    portfolio = export_json(store)
    portfolio["responses"] = [_entry(item=f"X{n}") for n in range(6)]
    with pytest.raises(ImportFileError, match=r"and 3 more problems"):
        restore(as_bytes(portfolio), store)


def test_huge_files_are_refused_before_reading(store: LocalStore, tmp_path: Path) -> None:
    huge = b" " * (MAX_BYTES + 1)
    with pytest.raises(ImportFileError, match="more than a portfolio can be"):
        restore(huge, store, name="huge.json")
    path = tmp_path / "huge.json"
    with path.open("wb") as file:  # sparse: the size check must not need the content
        file.truncate(MAX_BYTES + 1)
    with pytest.raises(ImportFileError, match=r"huge\.json.*more than a portfolio can be"):
        restore(path, store)
    assert store.responses() == []


def test_missing_file_is_named(store: LocalStore, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        restore(tmp_path / "nope.json", store)
    with pytest.raises(ImportFileError, match="folder"):
        restore(tmp_path, store)


def test_restore_uses_the_default_store(course: None, store: LocalStore) -> None:
    store.save("boundaries", "B01", "never", answered_at=T0)
    data = as_bytes(export_json(store))
    store.delete_everything()
    assert restore(data).added == 1
    assert LocalStore().answers("boundaries") == {"B01": "never"}


# -- delete ----------------------------------------------------------------------------------
def test_delete_needs_confirmation(course: None, store: LocalStore) -> None:
    answer_several(store)
    with pytest.raises(ValueError, match=r"every answer you have stored \(9 answers\).*confirm=True"):
        delete_my_answers(store)
    with pytest.raises(ValueError):
        delete_my_answers(store, confirm="yes")  # type: ignore[arg-type]
    assert len(store.responses()) == 9
    report = delete_my_answers(store, confirm=True)
    assert report.answers == 9 and "Deleted 9 answers" in str(report)
    assert not store.path.exists()
    assert store.responses() == []  # the next use begins a new, empty store


def test_group_membership_comes_back_by_name_only(tmp_path, monkeypatch) -> None:
    """A Binder learner who restores in a new session learns which group they were in, as whom; nothing is sent."""
    import json

    from peerkit.client.membership import membership
    from peerkit.client.pseudonym import pseudonym_for
    from peerkit.portfolio_io import export_json, restore
    from peerkit.store import LocalStore

    old = LocalStore(tmp_path / "old" / "answers.sqlite")
    old.save("boundaries", "B01", "maybe")
    old.set_setting("cohort", {"cohort": "cohort-1a2b3c4d", "name": "Tuesday group", "pseudonym": "p-" + "a" * 20,
                               "mode": "live", "share": ["boundaries"], "url": "postgresql://u:secret@db/x",
                               "joined_at": "2026-11-23T10:00:00+00:00"})
    before = pseudonym_for(old, "cohort-1a2b3c4d")
    document = export_json(old)
    text = json.dumps(document)
    assert "secret@db" not in text and "cohort-1a2b3c4d" not in text  # no address, no cohort id
    assert document["settings"]["former_cohort"] == {"name": "Tuesday group", "pseudonym": "p-" + "a" * 20,
                                                     "share": ["boundaries"]}

    path = tmp_path / "portfolio.json"
    path.write_text(text)
    new = LocalStore(tmp_path / "new" / "answers.sqlite")
    report = restore(path, new)
    assert new.learner == old.learner
    assert membership(new) is None and new.get_setting("cohort") is None  # rejoin with the code to send anything
    assert new.get_setting("former_cohort")["name"] == "Tuesday group"
    assert "Tuesday group" in str(report) and "join again with the code" in str(report)
    assert "p-" + "a" * 20 not in str(report) and "pk.join_cohort" not in str(report)  # no code name, no code
    assert pseudonym_for(new, "cohort-1a2b3c4d") == before  # rejoining gives the same pseudonym


def test_a_crafted_file_cannot_redirect_later_shares(tmp_path) -> None:
    """A format-1 file naming a store address restores no membership and no address."""
    import json

    from peerkit.portfolio_io import export_json, restore
    from peerkit.store import LocalStore

    old = LocalStore(tmp_path / "old" / "answers.sqlite")
    old.save("boundaries", "B01", "maybe")
    document = export_json(old)
    document["format_version"] = 1
    document["settings"] = {"cohort": {"cohort": "cohort-evil0000", "name": "Tuesday group",
                                       "pseudonym": "p-" + "b" * 20, "mode": "live", "share": ["boundaries"],
                                       "url": "postgresql://attacker.example/steal"}}
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(document))
    new = LocalStore(tmp_path / "new" / "answers.sqlite")
    restore(path, new)
    assert new.get_setting("cohort") is None
    stored = json.dumps({key: new.get_setting(key) for key in ("cohort", "former_cohort", "cohort_outbox")})
    assert "attacker" not in stored and "cohort-evil0000" not in stored
    assert new.get_setting("former_cohort") == {"name": "Tuesday group", "pseudonym": "p-" + "b" * 20,
                                                "share": ["boundaries"]}
    document["settings"] = {"former_cohort": {"name": "x", "pseudonym": "p-" + "b" * 20, "url": "http://evil"}}
    path.write_text(json.dumps({**document, "format_version": 2}))
    with pytest.raises(ImportFileError, match="not a group membership"):
        restore(path, LocalStore(tmp_path / "third" / "answers.sqlite"))


def test_settings_are_not_given_to_another_learner(tmp_path) -> None:
    import json

    from peerkit.portfolio_io import export_json, restore
    from peerkit.store import LocalStore

    old = LocalStore(tmp_path / "old" / "answers.sqlite")
    old.save("boundaries", "B01", "maybe")
    old.set_setting("cohort_secret", "b" * 64)
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps(export_json(old)))
    someone_else = LocalStore(tmp_path / "other" / "answers.sqlite")
    someone_else.save("boundaries", "B02", "never")
    restore(path, someone_else)
    assert someone_else.get_setting("cohort_secret") is None


@pytest.mark.parametrize("settings, message", [
    ([], "'settings' must be a JSON object"),
    ({"password": "x"}, "a portfolio never carries"),
    ({"cohort_secret": "xyz"}, "64 lowercase hexadecimal"),
    ({"former_cohort": {"name": "c", "pseudonym": "p-" + "0" * 20, "share": 5}}, "not a group membership"),
    ({"cohort": {"cohort": "c", "pseudonym": "p", "url": "http://elsewhere"}}, "a portfolio never carries"),
])
def test_bad_settings_are_refused_and_nothing_changes(tmp_path, settings, message) -> None:
    import json

    from peerkit.errors import ImportFileError
    from peerkit.portfolio_io import export_json, restore
    from peerkit.store import LocalStore

    old = LocalStore(tmp_path / "old" / "answers.sqlite")
    old.save("boundaries", "B01", "maybe")
    document = export_json(old)
    document["settings"] = settings
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps(document))
    new = LocalStore(tmp_path / "new" / "answers.sqlite")
    with pytest.raises(ImportFileError, match=message):
        restore(path, new)
    assert new.responses() == [] and new.get_setting("cohort_secret") is None


def test_true_is_not_a_rating(tmp_path) -> None:
    from peerkit.answers import is_valid_answer
    from peerkit.exercises import load_exercise

    skills = load_exercise("core_skills")
    assert is_valid_answer(skills, "C01", 1)
    assert not is_valid_answer(skills, "C01", True)  # True == 1 in Python
