"""CohortStore over both backends: cohorts, join codes (hashed), idempotent upserts, withdrawal, reading."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from peerkit.cohort.codes import ALPHABET, new_join_code, normalize_join_code, verify_join_code
from peerkit.cohort.errors import CohortError, CohortUnreachableError, JoinCodeError
from peerkit.cohort.store import COHORT_COLUMNS, CohortStore, cohorts_table


def rows(value: str = "maybe", at: str = "2024-05-01T10:00:00+00:00", items: range = range(1, 28)) -> list[dict]:
    return [{"exercise": "boundaries", "item": f"B{i:02d}", "value": value, "answered_at": at} for i in items]


def test_join_code_is_short_readable_and_random() -> None:
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 7 and code[3] == "-"
        assert set(code.replace("-", "")) <= set(ALPHABET)
    assert normalize_join_code(" k7q 4mx ") == "K7Q4MX"
    with pytest.raises(JoinCodeError, match="never contain 0, O, 1, I or L"):
        normalize_join_code("K7Q-4M0")
    with pytest.raises(JoinCodeError, match="six letters and digits"):
        normalize_join_code("K7Q")


def test_cohort_keeps_only_a_salted_hash_of_the_join_code(cohort) -> None:
    with cohort.store.engine.connect() as conn:
        stored = conn.execute(sa.select(cohorts_table.c.join_code_hash)).scalar()
    raw = cohort.code.replace("-", "")
    assert raw not in stored and cohort.code not in stored
    assert stored.startswith("pbkdf2_sha256$")
    assert verify_join_code(cohort.code, stored)
    # salted: the same code hashed again differs
    from peerkit.cohort.codes import hash_join_code

    assert hash_join_code(cohort.code) != hash_join_code(cohort.code)


def test_find_cohort_by_code_in_any_spelling(cohort) -> None:
    other_id, other_code = cohort.store.create_cohort("Other group")
    assert cohort.store.find_cohort(cohort.code).id == cohort.id
    assert cohort.store.find_cohort(cohort.code.lower().replace("-", " ")).id == cohort.id
    assert cohort.store.find_cohort(other_code).id == other_id
    unused = next(c for c in iter(new_join_code, None) if c not in (cohort.code, other_code))
    assert cohort.store.find_cohort(unused) is None
    assert [c.name for c in cohort.store.cohorts()] == ["Other group", "Test group"]


def test_new_join_code_replaces_the_old_one(cohort) -> None:
    code = cohort.store.new_join_code(cohort.id)
    assert cohort.store.find_cohort(code).id == cohort.id
    assert cohort.store.find_cohort(cohort.code) is None


def test_upsert_is_idempotent_and_newer_answer_wins(cohort) -> None:
    store, cid = cohort.store, cohort.id
    assert store.upsert_responses(cid, "p-a", rows()) == 27
    store.upsert_responses(cid, "p-a", rows())
    frame = store.responses_frame(cid)
    assert len(frame) == 27 and list(frame.columns) == COHORT_COLUMNS
    # an older answer arriving late does not overwrite
    store.upsert_responses(cid, "p-a", rows("never", "2024-05-01T09:00:00+00:00", range(1, 4)))
    assert set(store.responses_frame(cid)["value"]) == {"maybe"}
    # a newer one does
    store.upsert_responses(cid, "p-a", rows("always", "2024-05-01T11:00:00+00:00", range(1, 4)))
    frame = store.responses_frame(cid).set_index("item")
    assert frame.loc["B01", "value"] == "always" and frame.loc["B04", "value"] == "maybe"
    assert frame.loc["B01", "answered_at"] == pd.Timestamp("2024-05-01T11:00:00Z")
    assert (frame["cohort"] == cid).all() and (frame["learner"] == "p-a").all()


def test_values_round_trip_as_json(cohort) -> None:
    value = {"text": "Ça va <b>", "share": True}
    cohort.store.upsert_responses(cohort.id, "p-a", [{"exercise": "welcome_reflection", "item": "R1",
                                                      "value": value, "answered_at": "2024-05-01T10:00:00Z"}])
    assert cohort.store.responses_frame(cohort.id, "welcome_reflection")["value"].tolist() == [value]


def test_sync_member_mirrors_exactly_what_is_shared(cohort) -> None:
    store, cid = cohort.store, cohort.id
    store.upsert_responses(cid, "p-b", rows())
    assert store.sync_member(cid, "p-a", rows()) == (27, 0)
    assert store.sync_member(cid, "p-a", rows(items=range(1, 6))) == (5, 22)
    counts = store.responses_frame(cid).groupby("learner").size().to_dict()
    assert counts == {"p-a": 5, "p-b": 27}  # another pseudonym is never touched
    assert store.members(cid) == 1  # p-b wrote without joining; p-a joined through sync_member


def test_withdraw_removes_one_pseudonym_only(cohort) -> None:
    store, cid = cohort.store, cohort.id
    store.sync_member(cid, "p-a", rows())
    store.sync_member(cid, "p-b", rows())
    assert store.withdraw(cid, "p-a") == 27
    assert set(store.responses_frame(cid)["learner"]) == {"p-b"}
    assert store.members(cid) == 1
    assert store.withdraw(cid, "p-a") == 0


def test_responders_and_revision(cohort) -> None:
    store, cid = cohort.store, cohort.id
    start = store.revision(cid)
    store.upsert_responses(cid, "p-a", rows())
    store.upsert_responses(cid, "p-b", rows(items=range(1, 3)))
    store.upsert_responses(cid, "p-b", [{"exercise": "core_skills", "item": "S01", "value": 3,
                                         "answered_at": "2024-05-01T10:00:00Z"}])
    assert store.revision(cid) == start + 3
    table = store.responders(cid).set_index("exercise")
    assert table.loc["boundaries", "responders"] == 2 and table.loc["boundaries", "answers"] == 29
    assert table.loc["core_skills", "responders"] == 1


def test_writes_to_an_unknown_cohort_change_nothing(cohort) -> None:
    with pytest.raises(CohortError, match="no cohort 'cohort-zzzzzzzz'"):
        cohort.store.upsert_responses("cohort-zzzzzzzz", "p-a", rows())
    with cohort.store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM peerkit_responses")).scalar() == 0


def test_bad_rows_are_refused_before_anything_is_written(cohort) -> None:
    with pytest.raises(ValueError, match="time zone"):
        cohort.store.upsert_responses(cohort.id, "p-a", rows(at="2024-05-01T10:00:00"))
    with pytest.raises(ValueError, match="item id"):
        cohort.store.upsert_responses(cohort.id, "p-a", [{"exercise": "boundaries", "item": "", "value": 1,
                                                          "answered_at": "2024-05-01T10:00:00Z"}])
    assert cohort.store.responses_frame(cohort.id).empty


def test_sqlite_store_is_wal_with_busy_timeout(tmp_path: Path) -> None:
    store = CohortStore(f"sqlite:///{tmp_path / 'c.sqlite'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    store.close()


def test_learner_side_never_creates_a_store_at_a_wrong_path(tmp_path: Path) -> None:
    wrong = tmp_path / "not-mounted" / "cohort.sqlite"
    with pytest.raises(CohortUnreachableError, match="does not exist"):
        CohortStore(f"sqlite:///{wrong}", create=False)
    assert not wrong.exists() and not wrong.parent.exists()


def test_store_without_tables_says_the_trainer_creates_cohorts(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    sqlite3.connect(path).close()
    store = CohortStore(f"sqlite:///{path}", create=False)
    with pytest.raises(CohortError, match="holds no peerkit cohorts yet"):
        store.cohorts()


@pytest.mark.parametrize(("url", "message"), [
    ("", "Give the cohort store as a URL"),
    ("not a url", "is not a database URL"),
    ("mysql://x@localhost/db", "SQLite files or PostgreSQL"),
    ("sqlite://", "must be a file"),
])
def test_bad_urls_say_what_to_use(url: str, message: str) -> None:
    with pytest.raises(CohortError, match=message):
        CohortStore(url)


def test_unreachable_postgresql_is_reported_quickly() -> None:
    from tests.support.postgres import free_port

    with pytest.raises(CohortUnreachableError, match="cannot be reached"):
        CohortStore(f"postgresql+psycopg://peerkit@127.0.0.1:{free_port()}/nothing")


def test_no_environment_variable_names_a_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 peerkit_home: Path) -> None:
    """Learners reach the server; the old PEERKIT_COHORT_URL no longer points anything at a database."""
    import peerkit.cohort.store as cohort_store
    from peerkit.widgets.dashboard import LOCAL_STORE_NAME, default_store_url

    monkeypatch.setenv("PEERKIT_COHORT_URL", f"sqlite:///{tmp_path / 'shared.sqlite'}")
    assert default_store_url() == "sqlite:///" + str(peerkit_home / LOCAL_STORE_NAME)  # the trainer's own file
    assert not hasattr(CohortStore, "from_env") and not hasattr(cohort_store, "URL_ENV")


def test_display_url_hides_the_password() -> None:
    store = CohortStore("postgresql+psycopg://ana:secret@127.0.0.1:1/db", create=False)
    assert "secret" not in store.display_url and "secret" not in repr(store)
