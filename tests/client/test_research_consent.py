"""The learner's research-consent choice (issue 21) against the REAL server: kept here, sent there, in files."""
from __future__ import annotations

import json
from typing import Any

from peerkit.client.http import ServerClient
from peerkit.client.membership import (
    RESEARCH_USE,
    credentials,
    join,
    leave,
    research_consent,
    set_research_consent,
    write_submission,
)


def _server_says(live: Any, store: Any) -> bool:
    found = credentials(store)
    return ServerClient(live.server.url, str(found["token"])).me()["research_consent"]


def test_off_by_default_then_agreed_withdrawn_and_forgotten_on_leaving(live: Any, learner_store: Any) -> None:
    store = learner_store("consent")
    join(store, live.cohort["join_code"], url=live.server.url)
    assert research_consent(store) is False and _server_says(live, store) is False
    said = set_research_consent(True, store)
    assert "researcher" in said and research_consent(store) is True and _server_says(live, store) is True
    set_research_consent(False, store)
    assert research_consent(store) is False and _server_says(live, store) is False
    set_research_consent(True, store)
    leave(store)
    assert research_consent(store) is False  # a new group asks again


def test_a_tick_before_joining_is_sent_when_joining(live: Any, learner_store: Any) -> None:
    store = learner_store("early")
    set_research_consent(True, store)
    join(store, live.cohort["join_code"], url=live.server.url)
    assert _server_says(live, store) is True


def test_a_hand_in_file_carries_the_choice(live: Any, learner_store: Any, tmp_path) -> None:
    store = learner_store("file")
    join(store, live.cohort["id"])  # the file route: the cohort id, no server
    path = write_submission(store, tmp_path / "mine.json")
    assert json.loads(path.read_text())["research_consent"] is False
    set_research_consent(True, store)
    path = write_submission(store, tmp_path / "mine.json")
    assert json.loads(path.read_text())["research_consent"] is True
    assert "never your name" in RESEARCH_USE and "untick" in RESEARCH_USE
