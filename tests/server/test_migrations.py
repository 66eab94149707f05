"""A newer server opens a store made by an older layout, with its data intact.

- a store from the first migration opens and takes answers, tallies and joins;
- a store whose trainer hid texts before the room's moderation existed (``answers.hidden``) keeps every one of
  them hidden in the one moderation state (``room_texts.status``, migration ``0010_one_text_state``), and every
  surface (room, report, console, reflections, responses) agrees.
"""
from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from tests.support.server import RunningServer, browser_session, pseudonym, room_live

from peerkit.server import cohorts, db
from peerkit.server.tokens import new_token
from peerkit.server.settings import ServerSettings
from peerkit.timestamps import format_moment, now


def _old_trainer_and_cohort(conn: sa.Connection, secret: bytes, trainer_token: str, cohort_id: str, code: str,
                            stamp: str) -> None:
    """A trainer 'trainer-old' holding ``trainer_token`` and their open cohort, rows as the first layout had them
    (every later layout keeps these columns)."""
    conn.execute(sa.text("INSERT INTO trainers (id, name, created_at) VALUES ('trainer-old', 'Old', :t)"),
                 {"t": stamp})
    conn.execute(sa.text("INSERT INTO trainer_tokens (token_hash, trainer_id, created_at) "
                         "VALUES (:h, 'trainer-old', :t)"), {"h": db.token_hash(trainer_token), "t": stamp})
    conn.execute(sa.text("INSERT INTO cohorts (id, trainer_id, name, code_hmac, code_sealed, status, "
                         "min_group_size, created_at, revision) VALUES (:c, 'trainer-old', 'Old group', :k, :s, "
                         "'open', 5, :t, 3)"),
                 {"c": cohort_id, "k": cohorts.code_hmac(secret, code), "s": cohorts.seal_code(secret, code),
                  "t": stamp})


def test_store_from_the_first_migration_opens_and_upgrades(start_server, server_db: str, server_folder) -> None:
    engine = db.make_engine(server_db)
    db.migrate(engine, "0001")
    assert db.current_revision(engine) == "0001"
    secret = ServerSettings(folder=server_folder).secret_key()
    code, learner_token, trainer_token = "K7Q-4MX", new_token("pkl_"), new_token("pkt_")
    stamp = format_moment(now())
    with engine.begin() as conn:  # rows as the first layout had them (no file_created_at, no tallies table)
        _old_trainer_and_cohort(conn, secret, trainer_token, "cohort-oldoldol", code, stamp)
        conn.execute(sa.text("INSERT INTO learners (cohort_id, pseudonym, token_hash, source, joined_at, last_seq) "
                             "VALUES ('cohort-oldoldol', :p, :h, 'live', :t, 7)"),
                     {"p": pseudonym(), "h": db.token_hash(learner_token), "t": stamp})
    assert "tallies" not in sa.inspect(engine).get_table_names()
    engine.dispose()

    server: RunningServer = start_server(server_db)
    engine = db.make_engine(server_db)
    assert db.current_revision(engine) == db.head_revision() != "0001"
    assert "tallies" in sa.inspect(engine).get_table_names()
    engine.dispose()
    with server.client(learner_token) as me:
        assert me.get("/api/v1/me").json()["last_seq"] == 7
        assert me.post("/api/v1/me/answers", json={"answers": [
            {"seq": 8, "exercise": "boundaries", "item": "B01", "value": "maybe"}]}).json()["accepted"] == [8]
    with server.client(trainer_token) as trainer:
        cohort = trainer.get("/api/v1/cohorts/cohort-oldoldol").json()
        assert cohort["join_code"] == code and cohort["answers"] == 1
        assert trainer.post("/api/v1/cohorts/cohort-oldoldol/tally", json={
            "exercise": "boundaries", "counts": {"B01": {"never": 6}}}).status_code == 200
    with server.client() as anyone:
        assert anyone.post("/api/v1/join", json={"code": "k7q 4mx", "pseudonym": pseudonym()}).status_code == 201


# -- one moderation state for shared texts (0010_one_text_state) -----------------------------------------------

def _old_store(engine: sa.Engine, server_folder, revision: str) -> tuple[str, str, list[int]]:
    """A store at ``revision`` with one trainer, one cohort of three learners and one reflection each; returns the
    trainer token, the cohort id and the answers' ids."""
    db.migrate(engine, revision)
    secret = ServerSettings(folder=server_folder).secret_key()
    trainer_token, stamp = new_token("pkt_"), format_moment(now())
    with engine.begin() as conn:
        _old_trainer_and_cohort(conn, secret, trainer_token, "cohort-texts123", "K7Q-4MX", stamp)
        ids = []
        for text, hidden in [("Hidden long ago", True), ("Fine for the room", False), ("Hidden then withdrawn", True)]:
            learner = conn.execute(sa.text(
                "INSERT INTO learners (cohort_id, pseudonym, token_hash, source, joined_at, last_seq, research_consent)"
                " VALUES ('cohort-texts123', :p, :h, 'live', :t, 1, :yes) RETURNING id"),
                {"p": pseudonym(), "h": db.token_hash(new_token("pkl_")), "t": stamp, "yes": True}).scalar_one()
            ids.append(conn.execute(sa.text(
                "INSERT INTO answers (cohort_id, learner_id, exercise, item, value, seq, received_at, source, hidden) "
                "VALUES ('cohort-texts123', :l, 'welcome_reflection', 'R1', :v, 1, :t, 'live', :hidden) RETURNING id"),
                {"l": learner, "v": db.dumps({"text": text}), "t": stamp, "hidden": hidden}).scalar_one())
    return trainer_token, "cohort-texts123", ids


def test_a_text_hidden_before_the_room_existed_stays_hidden_on_every_surface(
        start_server, server_db: str, server_folder) -> None:
    """A store from before the room's moderation (0006): the trainer had hidden two texts (``answers.hidden``); the
    0007/0008 server then let the trainer approve one of them in the room and a learner re-share the other, while
    the old flag still kept them out of the research export. Upgraded, the one state (``room_texts.status``) holds
    every old hide, the old column is gone, no text is lost in the table rebuild, and the room, the report, the
    console, the reflections list and the responses agree, then follow each hide and approval together."""
    engine = db.make_engine(server_db)
    trainer_token, cohort_id, (long_ago, fine, withdrawn) = _old_store(engine, server_folder, "0006_answer_path")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE answers SET value = NULL, seq = 2 WHERE id = :a"), {"a": withdrawn})
    db.migrate(engine, "0008_scenarios")
    stamp = format_moment(now())
    with engine.begin() as conn:  # what the 0008 server did: approvals on the console, a re-shared text arriving
        conn.execute(sa.text("UPDATE room_texts SET status = 'approved', approved_at = :t WHERE answer_id IN (:a, :b)"),
                     {"t": stamp, "a": long_ago, "b": fine})
        conn.execute(sa.text("UPDATE answers SET value = :v, seq = 3 WHERE id = :a"),
                     {"v": db.dumps({"text": "Shared once more"}), "a": withdrawn})
        conn.execute(sa.text("INSERT INTO room_texts (answer_id, cohort_id, exercise, item, text, status, arrived_at, "
                             "approved_at) VALUES (:a, 'cohort-texts123', 'welcome_reflection', 'R1', "
                             "'Shared once more', 'approved', :t, :t)"), {"a": withdrawn, "t": stamp})
    engine.dispose()

    server: RunningServer = start_server(server_db)
    engine = db.make_engine(server_db)
    assert db.current_revision(engine) == db.head_revision()
    assert "hidden" not in {column["name"] for column in sa.inspect(engine).get_columns("answers")}
    with engine.connect() as conn:  # rebuilding answers (SQLite) keeps every row that points at it
        assert conn.execute(sa.text("SELECT count(*) FROM room_texts")).scalar_one() == 3
        assert conn.execute(sa.text("SELECT count(*) FROM answers")).scalar_one() == 3
    indexes = {index["name"] for index in sa.inspect(engine).get_indexes("answers")}
    assert "answers_by_exercise" in indexes
    engine.dispose()

    def surfaces() -> dict[str, Any]:
        with server.client(trainer_token) as trainer:
            states = {t["id"]: t["status"] for t in trainer.get(f"/api/v1/cohorts/{cohort_id}/texts").json()["texts"]}
            reflections = {t["id"]: (t["hidden"], t["status"])
                           for t in trainer.get(f"/api/v1/cohorts/{cohort_id}/reflections").json()["reflections"]}
            responses = {r["id"]: r["hidden"]
                         for r in trainer.get(f"/api/v1/cohorts/{cohort_id}/responses").json()["responses"]}
            report = trainer.get(f"/api/v1/cohorts/{cohort_id}/report").text
            assert trainer.put(f"/api/v1/cohorts/{cohort_id}/session/screen",
                               json={"screen": "texts"}).status_code == 200
        session = browser_session(server, trainer_token)
        console = httpx.get(f"{server.url}/projector/{cohort_id}/console/live", cookies=session.cookies,
                            headers=session.headers).text
        return {"states": states, "reflections": reflections, "responses": responses, "report": report,
                "room": room_live(server, trainer_token, cohort_id), "console": console}

    seen = surfaces()
    assert seen["states"] == {long_ago: "hidden", fine: "approved", withdrawn: "hidden"}
    assert seen["reflections"] == {long_ago: (True, "hidden"), fine: (False, "approved"), withdrawn: (True, "hidden")}
    assert seen["responses"] == {long_ago: True, fine: False, withdrawn: True}
    for shown in ("room", "report"):
        assert "Fine for the room" in seen[shown]
        assert "Hidden long ago" not in seen[shown] and "Shared once more" not in seen[shown], shown
    hidden_on_console = re.search(rf'<li class="console-post post-hidden" id="text-{long_ago}">', seen["console"])
    assert hidden_on_console, "the console lists the old hidden text as hidden"

    with server.client(trainer_token) as trainer:  # one state: a move in one place is seen in every place
        assert trainer.post(f"/api/v1/cohorts/{cohort_id}/reflections/{long_ago}/show").json() == {
            "id": long_ago, "hidden": False, "status": "approved"}
        assert trainer.post(f"/api/v1/cohorts/{cohort_id}/texts/{fine}/hide").json()["status"] == "hidden"
    seen = surfaces()
    assert seen["states"] == {long_ago: "approved", fine: "hidden", withdrawn: "hidden"}
    assert seen["reflections"] == {long_ago: (False, "approved"), fine: (True, "hidden"), withdrawn: (True, "hidden")}
    assert seen["responses"] == {long_ago: False, fine: True, withdrawn: True}
    for shown in ("room", "report"):
        assert "Hidden long ago" in seen[shown] and "Fine for the room" not in seen[shown], shown


def test_the_export_refuses_a_store_still_holding_the_old_hidden_column(server_db: str, server_folder) -> None:
    """``peerkit export <database>`` reads a store without migrating it: one from before 0010_one_text_state
    still keeps some hides only in ``answers.hidden``, so it is refused (start ``peerkit serve`` on it once)."""
    from peerkit.server.problems import Problem
    from peerkit.server.trainer_data import all_responses

    engine = db.make_engine(server_db)
    _old_store(engine, server_folder, "0008_scenarios")
    engine.dispose()
    with pytest.raises(Problem) as refused:
        list(all_responses(server_db))
    assert refused.value.status == 422 and "peerkit serve" in refused.value.detail


def test_going_back_before_0010_puts_each_hide_on_its_answer_again(server_db: str, server_folder) -> None:
    from alembic import command

    engine = db.make_engine(server_db)
    _, _, (long_ago, fine, withdrawn) = _old_store(engine, server_folder, "0006_answer_path")
    db.migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE room_texts SET status = 'approved' WHERE answer_id = :a"), {"a": long_ago})
        conn.execute(sa.text("UPDATE room_texts SET status = 'hidden' WHERE answer_id = :a"), {"a": fine})
    config = db.alembic_config()
    with engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "0008_scenarios")
    with engine.connect() as conn:
        flags = dict(conn.execute(sa.text("SELECT id, hidden FROM answers")).all())
        assert conn.execute(sa.text("SELECT count(*) FROM room_texts")).scalar_one() == 3
    assert {key: bool(value) for key, value in flags.items()} == {long_ago: False, fine: True, withdrawn: True}
    engine.dispose()


# -- the room's practice-conversation screen renamed (0009_conversation_screen) ------------------------------

def _downgrade(engine: sa.Engine, revision: str) -> None:
    from alembic import command

    config = db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _screen(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT screen FROM session_state WHERE cohort_id = 'cohort-oldoldol'")).scalar()


def test_a_store_showing_the_conversation_under_its_old_screen_name_opens_on_it(start_server, server_db: str,
                                                                              server_folder) -> None:
    """0009 renames the room's practice-conversation screen: a room left on it before still shows it."""
    engine = db.make_engine(server_db)
    db.migrate(engine, "0008_scenarios")
    secret = ServerSettings(folder=server_folder).secret_key()
    code, trainer_token, stamp = "K7Q-4MX", new_token("pkt_"), format_moment(now())
    with engine.begin() as conn:  # a room left on the practice conversation, as 0008 stored it
        _old_trainer_and_cohort(conn, secret, trainer_token, "cohort-oldoldol", code, stamp)
        conn.execute(sa.text("INSERT INTO session_state (cohort_id, screen, screen_page) "
                             "VALUES ('cohort-oldoldol', 'scenario', 0)"))
        conn.execute(sa.text("INSERT INTO scenario_runs (cohort_id, exercise, node, shown, revealed, status, "
                             "started_at) VALUES ('cohort-oldoldol', 'scenario_bad_week', 'T1', '[\"T1\"]', '[]', "
                             "'open', :t)"), {"t": stamp})
    engine.dispose()

    server: RunningServer = start_server(server_db)
    engine = db.make_engine(server_db)
    assert db.current_revision(engine) == db.head_revision()
    assert _screen(engine) == "conversation"
    with server.client(trainer_token) as trainer:
        tools = trainer.get("/api/v1/cohorts/cohort-oldoldol/live-tools").json()
        assert tools["screen"]["screen"] == "conversation"
        assert tools["conversation"]["exercise"] == "scenario_bad_week"
    page = room_live(server, trainer_token, "cohort-oldoldol")
    assert 'data-screen="conversation"' in page and 'data-node="T1"' in page
    server.stop()
    # and back: an older server finds the screen under the name it knows
    _downgrade(engine, "0008_scenarios")
    assert _screen(engine) == "scenario"
    engine.dispose()
