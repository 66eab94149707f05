"""Faults: the server SIGKILLed in the middle of a burst of answers loses nothing it acknowledged.

Learners send answers as fast as they can (each with a growing seq) while the
server process (all its workers) is killed with SIGKILL. After a restart on the
same store, every acknowledged answer is there (or a newer one of the same
learner), nothing that was never sent appears, and the incrementally kept counts
still equal a recount of the answers.
"""
from __future__ import annotations

import json
import threading
import time

import httpx
import sqlalchemy as sa
from tests.support.server import add_trainer, join, make_cohort, recount_matches

from peerkit.server import db

ITEMS = ["B01", "B02", "B03", "B04"]
OPTIONS = ["never", "maybe", "always"]


def burst(url: str, tokens: list[str], stop: threading.Event) -> tuple[dict, dict]:
    """Each learner sends one answer at a time until ``stop``; returns (acknowledged, sent) per learner."""
    acknowledged: dict[str, dict[str, tuple[int, str]]] = {t: {} for t in tokens}
    sent: dict[str, int] = {t: 0 for t in tokens}

    def learner(token: str) -> None:
        seq = 0
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=5) as client:
            while not stop.is_set():
                seq += 1
                item, value = ITEMS[seq % len(ITEMS)], OPTIONS[(seq * 7 + len(token)) % len(OPTIONS)]
                sent[token] = seq
                try:
                    reply = client.post("/api/v1/me/answers", json={"answers": [
                        {"seq": seq, "exercise": "boundaries", "item": item, "value": value}]})
                except httpx.HTTPError:
                    return  # the server is gone: this answer was never acknowledged
                if reply.status_code != 200 or seq not in reply.json()["accepted"]:
                    return
                acknowledged[token][item] = (seq, value)

    threads = [threading.Thread(target=learner, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    return acknowledged, sent, threads  # type: ignore[return-value]


def test_sigkill_mid_burst_loses_no_acknowledged_answer(start_server, server_db: str) -> None:
    kill_mid_burst(start_server, server_db, workers=1)


def test_sigkill_mid_burst_with_several_postgresql_workers(start_server, postgres_db: str) -> None:
    kill_mid_burst(start_server, postgres_db, workers=2)


def kill_mid_burst(start_server, server_db: str, workers: int) -> None:
    server = start_server(server_db, workers=workers)
    trainer = add_trainer(server)
    cohort = make_cohort(server, trainer)
    tokens = [join(server, cohort["join_code"]) for _ in range(12)]
    stop = threading.Event()
    acknowledged, sent, threads = burst(server.url, tokens, stop)
    deadline = time.monotonic() + 60  # under way: a few answers acknowledged per learner (bounded, no fixed sleep)
    while sum(len(v) for v in acknowledged.values()) < 3 * len(tokens) and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # SIGKILL to every process of the server, mid-burst
    stop.set()
    for thread in threads:
        thread.join(10)
    total = sum(len(v) for v in acknowledged.values())
    assert total >= len(tokens), "the burst did not get going before the kill"
    print(f"{total} answers acknowledged before the kill ({workers} worker(s))")

    again = start_server(server_db, workers=workers)
    engine = sa.create_engine(server_db)
    with engine.connect() as conn:
        stored = {(r.token_hash, r.item): (r.seq, json.loads(r.value) if r.value else None) for r in conn.execute(
            sa.select(db.learners.c.token_hash, db.answers.c.item, db.answers.c.seq, db.answers.c.value)
            .join(db.learners, db.learners.c.id == db.answers.c.learner_id))}
    engine.dispose()
    lost = []
    for token, items in acknowledged.items():
        for item, (seq, value) in items.items():
            have = stored.get((db.token_hash(token), item))
            if have is None or have[0] < seq or (have[0] == seq and have[1] != value):
                lost.append((item, seq, value, have))
    assert lost == [], f"{len(lost)} acknowledged answers lost of {total}"
    for (token_hash, _item), (seq, _value) in stored.items():
        token = next(t for t in tokens if db.token_hash(t) == token_hash)
        assert seq <= sent[token]  # nothing the learner never sent
    recount_matches(server_db)
    # the restarted server serves the same store: learners carry on with their tokens
    with again.client(tokens[0]) as me:
        reply = me.post("/api/v1/me/answers", json={"answers": [
            {"seq": sent[tokens[0]] + 1, "exercise": "boundaries", "item": "B01", "value": "never"}]})
        assert reply.json()["accepted"] == [sent[tokens[0]] + 1]
