"""The incrementally kept counts always equal a recount, whatever mix of changes reaches the server."""
from __future__ import annotations

import random

from tests.support.server import RunningServer, join, pseudonym, recount_matches

OPTIONS = {"boundaries": ["never", "maybe", "always"], "core_skills": [1, 2, 3, 4, 5]}


def test_counts_equal_a_recount_after_random_changes(server: RunningServer, cohort: dict,
                                                     trainer_token: str) -> None:
    rng = random.Random(10)
    learners = {join(server, cohort["join_code"]): 0 for _ in range(6)}
    for step in range(120):
        token = rng.choice(list(learners))
        with server.client(token) as me:
            roll = rng.random()
            if roll < 0.7:  # a batch, sometimes with an old seq or a withdrawal
                entries = []
                for _ in range(rng.randint(1, 4)):
                    exercise = rng.choice(list(OPTIONS))
                    item = rng.choice(["B01", "B02", "B03"] if exercise == "boundaries" else ["C01", "C02"])
                    learners[token] += 1
                    seq = learners[token] - (rng.randint(1, 3) if rng.random() < 0.2 else 0)
                    value = None if rng.random() < 0.15 else rng.choice(OPTIONS[exercise])
                    entries.append({"seq": max(seq, 1), "exercise": exercise, "item": item, "value": value})
                assert me.post("/api/v1/me/answers", json={"answers": entries}).status_code == 200
            elif roll < 0.8:
                me.delete("/api/v1/me/answers", params={"exercise": rng.choice(list(OPTIONS))})
            elif roll < 0.85 and len(learners) > 2:
                assert me.delete("/api/v1/me").status_code == 200
                learners.pop(token)
                learners[join(server, cohort["join_code"])] = 0
            else:
                with server.client(trainer_token) as trainer:
                    trainer.post(f"/api/v1/cohorts/{cohort['id']}/submissions", json={"submissions": [{
                        "format": "peerkit-submission", "format_version": 1, "cohort": cohort["id"],
                        "pseudonym": pseudonym(), "created_at": "2026-01-05T10:00:00+00:00",
                        "responses": [{"exercise": "boundaries", "item": "B01", "value": "maybe",
                                       "answered_at": "2026-01-05T09:00:00+00:00"}]}]})
        if step % 40 == 39:
            recount_matches(server.db_url)
    recount_matches(server.db_url)
