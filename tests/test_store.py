"""The learner's local store: round trip, reopen, damage, permissions, concurrency."""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from peerkit.errors import StoreCorruptError, StoreError, StoreLockedError, StoreVersionError
from peerkit.model import RESPONSE_COLUMNS, SCHEMA_VERSION
from peerkit.paths import default_store_path
from peerkit.store import LocalStore


def test_default_store_lives_in_peerkit_home(peerkit_home: Path) -> None:
    assert LocalStore().path == peerkit_home / "answers.sqlite" == default_store_path()


def test_round_trip_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    store = LocalStore(path)
    saved = store.save("boundaries", "B01", "maybe")
    store.save("smart_goal", "G-1", {"specific": "walk", "start": "2027-01-01"})
    reopened = LocalStore(path)
    assert reopened.learner == store.learner
    assert reopened.answers("boundaries") == {"B01": "maybe"}
    assert reopened.answers("smart_goal") == {"G-1": {"specific": "walk", "start": "2027-01-01"}}
    (response,) = reopened.responses("boundaries")
    assert response.answered_at == saved.answered_at
    assert response.schema_version == SCHEMA_VERSION


def test_changing_an_answer_replaces_it(store: LocalStore) -> None:
    store.save("boundaries", "B01", "maybe")
    store.save("boundaries", "B01", "never")
    assert store.answers("boundaries") == {"B01": "never"}
    assert len(store.responses()) == 1


def test_frame_is_tidy(store: LocalStore) -> None:
    store.save("boundaries", "B02", "always")
    frame = store.frame("boundaries")
    assert list(frame.columns) == RESPONSE_COLUMNS
    assert frame.loc[0, "value"] == "always"
    assert str(frame["answered_at"].dt.tz) == "UTC"


def test_learner_is_a_random_pseudonym_not_the_login(tmp_path: Path) -> None:
    first, second = LocalStore(tmp_path / "a.sqlite"), LocalStore(tmp_path / "b.sqlite")
    assert first.learner != second.learner
    assert first.learner.startswith("learner-")
    login = os.environ.get("USER") or os.environ.get("LOGNAME") or "root"
    assert login not in first.learner.removeprefix("learner-")


def test_delete(store: LocalStore) -> None:
    store.save("boundaries", "B01", "maybe")
    store.save("boundaries", "B02", "never")
    assert store.delete("boundaries", "B01") == 1
    assert store.answers("boundaries") == {"B02": "never"}
    assert store.delete_everything() == 1
    assert store.responses() == []


def test_settings_are_private_json(store: LocalStore) -> None:
    assert store.get_setting("cohort") is None
    store.set_setting("cohort", {"id": "c1", "share": ["boundaries"]})
    assert LocalStore(store.path).get_setting("cohort") == {"id": "c1", "share": ["boundaries"]}
    store.set_setting("cohort", None)
    assert store.get_setting("cohort", "none") == "none"


def test_corrupt_file_is_named_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    garbage = b"this is not a database, it is a shopping list\n" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreCorruptError) as caught:
        LocalStore(path)
    message = str(caught.value)
    assert str(path) in message and "Move it aside" in message
    assert path.read_bytes() == garbage


def test_truncated_store_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    store = LocalStore(path)
    for n in range(1, 28):
        store.save("boundaries", f"B{n:02d}", "maybe")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = path.read_bytes()
    with pytest.raises(StoreError):
        LocalStore(path).answers("boundaries")
    assert path.read_bytes() == before


def test_foreign_sqlite_file_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(StoreCorruptError, match="not a peerkit store"):
        LocalStore(path)
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["recipes"]


def test_newer_schema_is_refused_without_change(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    LocalStore(path).save("boundaries", "B01", "maybe")
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreVersionError, match="newer version of peerkit"):
        LocalStore(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM responses").fetchone()[0] == '"maybe"'


def _drop_privileges_if_root() -> None:
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)


def _try_write(path: str, queue: multiprocessing.Queue) -> None:
    _drop_privileges_if_root()
    try:
        LocalStore(Path(path)).save("boundaries", "B02", "never")
        queue.put(("ok", ""))
    except StoreError as error:
        queue.put((type(error).__name__, str(error)))


def _in_child(target, *args):
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=target, args=(*args, queue))
    process.start()
    process.join(60)
    return queue.get(timeout=5)


@pytest.fixture
def open_tmp():
    """A temporary folder an unprivileged user can reach (pytest's own is private to root)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="peerkit-perm-"))
    os.chmod(folder, 0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def test_read_only_folder_gives_a_clear_error_and_keeps_answers(open_tmp: Path) -> None:
    tmp_path = open_tmp
    folder = tmp_path / "home"
    folder.mkdir()
    path = folder / "answers.sqlite"
    LocalStore(path).save("boundaries", "B01", "maybe")
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    os.chmod(tmp_path, 0o755)
    try:
        kind, message = _in_child(_try_write, str(path))  # as an unprivileged user, even when run as root
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)
    assert kind == "StoreReadOnlyError", message
    assert str(path) in message and "PEERKIT_HOME" in message
    assert LocalStore(path).answers("boundaries") == {"B01": "maybe"}


def _try_create(folder: str, queue: multiprocessing.Queue) -> None:
    _drop_privileges_if_root()
    try:
        LocalStore(Path(folder) / "sub" / "answers.sqlite")
        queue.put(("ok", ""))
    except StoreError as error:
        queue.put((type(error).__name__, str(error)))


def test_unwritable_home_folder_names_the_fix(open_tmp: Path) -> None:
    tmp_path = open_tmp
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o555)
    os.chmod(tmp_path, 0o755)
    try:
        kind, message = _in_child(_try_create, str(folder))
    finally:
        os.chmod(folder, 0o755)
    assert kind == "StoreReadOnlyError"
    assert "PEERKIT_HOME" in message


def test_locked_store_says_so_and_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import peerkit.store as store_module

    path = tmp_path / "answers.sqlite"
    store = LocalStore(path)
    store.save("boundaries", "B01", "maybe")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_SECONDS", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLockedError, match="Your earlier answers are safe"):
            store.save("boundaries", "B02", "never")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.save("boundaries", "B02", "never")
    assert store.answers("boundaries") == {"B01": "maybe", "B02": "never"}


def _answer_everything(path: str, worker: int, start: multiprocessing.Event) -> None:
    store = LocalStore(Path(path))
    start.wait()
    for round_ in range(5):
        for n in range(1, 28):
            store.save(f"exercise_{worker}", f"B{n:02d}", f"{round_}")


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    LocalStore(path)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_answer_everything, args=(str(path), w, start)) for w in (1, 2)]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(120)
        assert process.exitcode == 0
    store = LocalStore(path)
    for worker in (1, 2):
        answers = store.answers(f"exercise_{worker}")
        assert answers == {f"B{n:02d}": "4" for n in range(1, 28)}


def test_timestamps_are_utc(store: LocalStore) -> None:
    response = store.save("boundaries", "B01", "maybe", answered_at=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc))
    assert store.responses()[0].answered_at == response.answered_at
