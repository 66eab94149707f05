"""A newer server opens a store made by the first migration, with its data intact."""
from __future__ import annotations

import sqlalchemy as sa
from tests.support.server import RunningServer, pseudonym, room_live

from peerkit.server import cohorts, db
from peerkit.server.auth import new_token
from peerkit.server.settings import ServerSettings
from peerkit.timestamps import format_moment, now


def test_store_from_the_first_migration_opens_and_upgrades(start_server, server_db: str, server_folder) -> None:
    engine = db.make_engine(server_db)
    db.migrate(engine, "0001")
    assert db.current_revision(engine) == "0001"
    secret = ServerSettings(folder=server_folder).secret_key()
    code, learner_token, trainer_token = "K7Q-4MX", new_token("pkl_"), new_token("pkt_")
    stamp = format_moment(now())
    with engine.begin() as conn:  # rows as the first layout had them (no file_created_at, no tallies table)
        conn.execute(sa.text("INSERT INTO trainers (id, name, created_at) VALUES ('trainer-old', 'Old', :t)"),
                     {"t": stamp})
        conn.execute(sa.text("INSERT INTO trainer_tokens (token_hash, trainer_id, created_at) "
                             "VALUES (:h, 'trainer-old', :t)"), {"h": db.token_hash(trainer_token), "t": stamp})
        conn.execute(sa.text("INSERT INTO cohorts (id, trainer_id, name, code_hmac, code_sealed, status, "
                             "min_group_size, created_at, revision) VALUES ('cohort-oldoldol', 'trainer-old', "
                             "'Old group', :k, :s, 'open', 5, :t, 3)"),
                     {"k": cohorts.code_hmac(secret, code), "s": cohorts.seal_code(secret, code), "t": stamp})
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
        conn.execute(sa.text("INSERT INTO trainers (id, name, created_at) VALUES ('trainer-old', 'Old', :t)"),
                     {"t": stamp})
        conn.execute(sa.text("INSERT INTO trainer_tokens (token_hash, trainer_id, created_at) "
                             "VALUES (:h, 'trainer-old', :t)"), {"h": db.token_hash(trainer_token), "t": stamp})
        conn.execute(sa.text("INSERT INTO cohorts (id, trainer_id, name, code_hmac, code_sealed, status, "
                             "min_group_size, created_at, revision) VALUES ('cohort-oldoldol', 'trainer-old', "
                             "'Old group', :k, :s, 'open', 5, :t, 3)"),
                     {"k": cohorts.code_hmac(secret, code), "s": cohorts.seal_code(secret, code), "t": stamp})
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
