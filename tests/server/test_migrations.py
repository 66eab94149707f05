"""A newer server opens a store made by the first migration, with its data intact."""
from __future__ import annotations

import sqlalchemy as sa
from tests.support.server import RunningServer, pseudonym

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
