"""What a learner's choices let out (no server needed), and the join panel against the real server."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.support.client import my_answers, wait_for

from peerkit.client.sender import SHARED, sender_for
from peerkit.client.membership import credentials, join, membership
from peerkit.client.sharing import check_share, default_share, shared_rows
from peerkit.store import LocalStore


def test_nothing_is_shared_by_default() -> None:
    assert default_share() == []
    assert check_share(None) == []
    with pytest.raises(ValueError, match="no such exercise"):
        check_share(["nonsense"])


def test_reflection_goes_only_with_its_own_opt_in_and_as_text(store: LocalStore) -> None:
    store.save("welcome_reflection", "R1", {"text": "private thought", "share": False})
    store.save("welcome_reflection", "R2", {"text": "I hope to <listen> better", "share": True})
    rows = shared_rows(store, ["welcome_reflection"])
    assert [(r["item"], r["value"]) for r in rows] == [("R2", {"text": "I hope to <listen> better"})]


def test_invalid_local_values_are_never_passed_on(store: LocalStore) -> None:
    store.save("boundaries", "B01", "sometimes")  # not on the scale (an old or damaged answer)
    store.save("boundaries", "B02", "never")
    assert [r["item"] for r in shared_rows(store, ["boundaries"])] == ["B02"]


def test_file_route_needs_no_server(store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERKIT_SERVER", raising=False)
    joined = join(store, "COHORT-ABCDEFGH")
    assert (joined.mode, joined.cohort) == ("file", "cohort-abcdefgh")
    from peerkit.client.sync import sync

    assert sync(store).ok and sync(store).message == ""


def test_join_panel_asks_plainly_and_ticks_nothing(store: LocalStore) -> None:
    from peerkit.widgets.cohort_join import CohortJoin

    panel = CohortJoin(store)
    assert panel.shared_exercises() == [] and not panel.choices.all_shared
    assert "store" not in panel._url.description.lower()
    assert panel._url.description == "Server address (only if your trainer gave you one)"
    boxes = {e["id"]: e for chapter in panel.choices.chapters for e in chapter["exercises"]}
    assert boxes["recovery_dimensions"]["personal"] and "trainer" in boxes["recovery_dimensions"]["who"]
    assert "mark “share”" in boxes["welcome_reflection"]["who"]
    panel.share_all()
    personal = {e for e, box in boxes.items() if box["personal"]}
    assert set(panel.shared_exercises()) == set(boxes) - personal  # never the personal ones
    panel.tick("boundaries", False)
    assert not panel.choices.all_shared and "boundaries" not in panel.shared_exercises()


def test_join_panel_against_the_server(live: Any, learner_store: Any, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from peerkit.widgets.cohort_join import CohortJoin

    ana = learner_store("ana")
    ana.save("boundaries", "B01", "never")
    panel = CohortJoin(ana)
    assert not panel.join("WRONG-CODE", url=live.server.url) and "not a join code" in panel.status
    panel.tick("boundaries")
    assert panel.join(live.cohort["join_code"], url=live.server.url), panel.status
    assert panel.joined and membership(ana).share == ["boundaries"]
    token = str(credentials(ana)["token"])
    wait_for(lambda: my_answers(live.server, token) == 1)
    panel.tick("boundaries", False)  # unticking takes the answers back, in the background
    wait_for(lambda: my_answers(live.server, token) == 0)
    panel.tick("boundaries")
    assert sender_for(ana).wait_until_idle(10)
    assert sender_for(ana).status_for("boundaries") == SHARED
    assert panel.send_now() and "Nothing is waiting" in panel.status
    assert panel.leave() and not panel.joined and "removed" in panel.status
    # a room without a network: the cohort id, then a file to hand in
    monkeypatch.chdir(tmp_path)
    assert panel.join(live.cohort["id"])
    assert panel.mode == "file" and panel.save_file().endswith(f"peerkit-submission-{live.cohort['id']}.json")


def test_a_restored_membership_without_its_sign_in_can_join_again(live: Any, learner_store: Any) -> None:
    """A portfolio carries the membership but never the token: the panel says so and lets the learner re-join."""
    from peerkit.client.membership import CREDENTIALS_SETTING
    from peerkit.widgets.cohort_join import CohortJoin

    ana = learner_store("restored")
    join(ana, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    ana.set_setting(CREDENTIALS_SETTING, None)  # as in a new session restored from a portfolio
    ana.save("boundaries", "B01", "maybe")
    panel = CohortJoin(ana)
    assert "not signed in" in panel.status
    assert not panel._code.disabled
    assert panel.join(live.cohort["join_code"], url=live.server.url), panel.status
    assert sender_for(ana).wait_until_idle(10)
    assert my_answers(live.server, str(credentials(ana)["token"])) == 1
