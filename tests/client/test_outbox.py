"""The outbox on its own (no server): what is queued, in which order, and what leaves it."""
from __future__ import annotations

from typing import Any

from peerkit.client import outbox
from peerkit.client.address import hub_service_address, server_address
from peerkit.store import LocalStore


def rows(**answers: Any) -> list[dict[str, Any]]:
    return [{"exercise": "boundaries", "item": item, "value": value} for item, value in answers.items()]


def test_only_changes_are_queued_and_a_newer_change_replaces_an_older_one(store: LocalStore) -> None:
    assert outbox.queue_changes(store, rows(B01="maybe", B02="never")) == [1, 2]
    assert outbox.queue_changes(store, rows(B01="maybe", B02="never")) == []  # nothing changed
    assert outbox.queue_changes(store, rows(B01="always", B02="never")) == [3]
    waiting = outbox.pending(store)
    assert [(p.seq, p.item, p.value) for p in waiting] == [(2, "B02", "never"), (3, "B01", "always")]
    # B02 no longer shared: a withdrawal replaces its queued answer
    assert outbox.queue_changes(store, rows(B01="always")) == [4]
    assert [p.as_answer() for p in outbox.pending(store)] == [
        {"seq": 3, "exercise": "boundaries", "item": "B01", "value": "always"},
        {"seq": 4, "exercise": "boundaries", "item": "B02", "value": None}]


def test_sequence_numbers_grow_across_restarts_and_resets(store: LocalStore) -> None:
    outbox.queue_changes(store, rows(B01="maybe"))
    again = LocalStore(store.path)  # a new kernel opens the same store
    assert outbox.queue_changes(again, rows(B01="never")) == [2]
    outbox.reset(again)  # a new membership: nothing queued, numbers never reused
    assert outbox.pending_count(again) == 0
    assert outbox.queue_changes(again, rows(B01="never")) == [3]


def test_only_the_acknowledged_seq_leaves(store: LocalStore) -> None:
    outbox.queue_changes(store, rows(B01="maybe", B02="never"))
    outbox.queue_changes(store, rows(B01="always", B02="never"))  # B01 is now seq 3
    outbox.acknowledge(store, accepted=[1], stale=[], refused=[])  # a late reply about the old B01
    assert [p.seq for p in outbox.pending(store)] == [2, 3]
    outbox.acknowledge(store, accepted=[3], stale=[2], refused=[])
    assert outbox.pending(store) == []
    assert outbox.shared_count(store, "boundaries") == 2


def test_floor_renumbers_in_order_above_the_servers_last_seq(store: LocalStore) -> None:
    outbox.queue_changes(store, rows(B01="maybe", B02="never", B03="always"))
    outbox.raise_floor(store, 40)
    assert [(p.seq, p.item) for p in outbox.pending(store)] == [(41, "B01"), (42, "B02"), (43, "B03")]
    assert outbox.queue_changes(store, rows(B01="never", B02="never", B03="always")) == [44]
    outbox.raise_floor(store, 10)  # below: nothing changes
    assert [p.seq for p in outbox.pending(store)] == [42, 43, 44]


def test_forget_removes_the_tables_and_the_store_still_opens(store: LocalStore) -> None:
    outbox.queue_changes(store, rows(B01="maybe"))
    outbox.forget(store)
    import sqlite3

    names = {r[0] for r in sqlite3.connect(store.path).execute("SELECT name FROM sqlite_master")}
    assert not names & {"cohort_outbox", "cohort_shared", "cohort_refused", "cohort_outbox_state"}
    LocalStore(store.path)


def test_server_address_order() -> None:
    assert server_address(" 10.0.0.5:8765/ ", environ={"PEERKIT_SERVER": "http://x"}).url == "http://10.0.0.5:8765"
    assert server_address(None, environ={"PEERKIT_SERVER": "https://p.example.org/"}).url == "https://p.example.org"
    hub = {"JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api", "JUPYTERHUB_BASE_URL": "/",
           "JUPYTERHUB_PUBLIC_HUB_URL": "https://hub.example.org/hub/", "JUPYTERHUB_API_TOKEN": "abc"}
    found = server_address(None, environ=hub)
    assert found.url == "https://hub.example.org/services/peerkit" and found.via_hub
    assert found.hub_auth_header(hub) == "token abc"
    assert server_address("10.0.0.5", environ=hub).hub_auth_header(hub) is None  # never to a typed address
    assert hub_service_address({**hub, "JUPYTERHUB_BASE_URL": "/jh/"}) == "https://hub.example.org/jh/services/peerkit"
    assert hub_service_address({**hub, "JUPYTERHUB_PUBLIC_HUB_URL": ""}) is None  # never a guess
    assert server_address(None, environ={}) is None
