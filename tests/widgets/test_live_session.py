"""The trainer notebook's panel (pk.live_session()) against the real server: a token, never a database."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.support.client import wait_for

from peerkit.client.sender import sender_for
from peerkit.client.membership import join
from peerkit.widgets.live_session import LiveSession, parse_sign_in


def test_sign_in_link_gives_address_and_token() -> None:
    assert parse_sign_in("http://10.0.0.5:8765/sign-in?token=pkt_x") == ("http://10.0.0.5:8765", "pkt_x")
    assert parse_sign_in("https://hub.example.org/services/peerkit/sign-in?token=pkt_y") == \
        ("https://hub.example.org/services/peerkit", "pkt_y")


def test_trainer_panel_manages_cohorts_and_counts(live: Any, learner_store: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_TRAINER_TOKEN", f"{live.server.url}/sign-in?token={live.trainer}")
    panel = LiveSession()
    assert panel.client is not None, panel.status
    assert panel._token.value == ""  # the token is not left in a widget a saved notebook could keep
    assert panel.cohort == live.cohort["id"]
    assert live.cohort["join_code"] in panel._code.value and "/projector/" in panel._code.value

    made = panel.create_cohort("Thursday <b>group</b>")
    assert made and panel.cohort == made["id"]
    assert "Thursday &lt;b&gt;group&lt;/b&gt;" in panel._code.value  # escaped
    old_code = made["join_code"]
    new_code = panel.new_join_code()
    assert new_code and new_code != old_code and new_code in panel._code.value

    learner = learner_store("ana")
    join(learner, new_code, url=live.server.url, share=["boundaries"])
    learner.save("boundaries", "B01", "maybe")
    from peerkit.client.sync import sync

    sync(learner)
    assert sender_for(learner).wait_until_idle(10)
    answer = panel.refresh()
    from peerkit.exercises import load_exercise

    assert answer["members"] == 1 and "1 person joined" in panel._counts.value
    assert f"<td>{load_exercise('boundaries').title}</td><td>1</td>" in panel._counts.value

    document = {"format": "peerkit-submission", "format_version": 1, "cohort": made["id"],
                "pseudonym": "p-" + "b" * 20, "created_at": "2026-05-01T10:00:00+00:00",
                "responses": [{"exercise": "boundaries", "item": "B02", "value": "never",
                               "answered_at": "2026-05-01T09:00:00+00:00"}]}
    reply = panel.upload([("ben.json", json.dumps(document).encode()), ("bad.json", b"{")])
    assert reply is not None, panel.status
    assert "Loaded" in panel.status and "bad.json" in panel.status
    wait_for(lambda: (panel.refresh() or {}).get("from_files", 0) >= 1, timeout=5)

    assert panel.close_cohort() and "Closed" in panel.status


def test_a_wrong_token_is_refused_in_plain_words(live: Any) -> None:
    panel = LiveSession(live.server.url, "pkt_" + "x" * 43)
    assert panel.client is None and panel.status


def test_a_hand_in_file_never_overwrites_a_learner_who_sent_live(live: Any, learner_store: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from peerkit.client.state import membership
    from peerkit.client.sync import sync

    monkeypatch.setenv("PEERKIT_TRAINER_TOKEN", f"{live.server.url}/sign-in?token={live.trainer}")
    panel = LiveSession()
    ana = learner_store("ana")
    join(ana, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    ana.save("boundaries", "B01", "maybe")
    sync(ana)
    assert sender_for(ana).wait_until_idle(10)
    forged = {"format": "peerkit-submission", "format_version": 1, "cohort": live.cohort["id"],
              "pseudonym": membership(ana).pseudonym, "created_at": "2026-05-01T10:00:00+00:00",
              "responses": [{"exercise": "boundaries", "item": "B01", "value": "never",
                             "answered_at": "2026-05-01T09:00:00+00:00"}]}
    reply = panel.upload([("ana-as-a-file.json", json.dumps(forged).encode())])
    assert reply is not None, panel.status
    rows = panel.client.request("GET", f"/api/v1/cohorts/{live.cohort['id']}/responses",
                                query={"exercise": "boundaries"})
    values = [(row["item"], row["value"]) for row in rows["responses"]]
    assert values == [("B01", "maybe")]  # the live answer stays; the file changed nothing


def test_the_room_tally_form_sends_the_hands_to_the_server(live: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_TRAINER_TOKEN", f"{live.server.url}/sign-in?token={live.trainer}")
    panel = LiveSession()
    choices = [value for _, value in panel._tally_exercise.options]
    assert "boundaries" in choices and "core_skills" in choices
    assert "welcome_reflection" not in choices  # no options to raise hands for
    panel._tally_exercise.value = "boundaries"
    assert "Never OK, Maybe OK, Always OK" in panel._tally_intro.value

    panel._tally_text.value = "B01 2 5"  # one count short
    panel._tally_send.click()
    assert "not sent" in panel.status and "expected 3" in panel.status
    tally = panel.client.cohort_aggregates(live.cohort["id"], "boundaries")["exercises"].get("boundaries", {})
    assert not tally.get("tally")

    panel._tally_text.value = "item\tNever OK\tMaybe OK\tAlways OK\nB01\t2\t3\t1\n2\t0\t4\t4\n"
    panel._tally_send.click()
    assert "Room tally for" in panel.status and "2 item(s), 14 hands in all" in panel.status, panel.status
    tally = panel.client.cohort_aggregates(live.cohort["id"], "boundaries")["exercises"]["boundaries"]["tally"]
    assert tally["B01"] == {"n": 6, "counts": {"never": 2, "maybe": 3, "always": 1}}
    assert tally["B02"] == {"n": 8, "counts": {"maybe": 4, "always": 4}}


def test_trainer_panel_draws_the_charts_from_the_servers_counts() -> None:
    """The panel's charts come from the same group view as the projector: counts in, small items out,
    the room tally on its own."""
    import re

    from peerkit.widgets.live_session import group_charts

    answer = {"cohort": {"id": "cohort-x", "name": "Tuesday", "min_group_size": 5}, "members": 7, "exercises": {
        "boundaries": {"kind": "choice_matrix", "respondents": 7, "items": {
            "B01": {"n": 7, "counts": {"never": 3, "maybe": 2, "always": 2}}, "B02": {"suppressed": True}},
            "tally": {"B01": {"suppressed": True}}},
        "core_skills": {"kind": "rating", "respondents": 6, "items": {"C01": {"n": 6, "counts": {"2": 3, "4": 3}}}}}}
    html = group_charts(answer)
    b01 = re.search(r'data-item="B01">(.*?)<span class="pk-n">', html, re.S).group(1)
    assert re.findall(r'data-value="(\w+)" data-count="(\d+)"', b01) == [("never", "3"), ("maybe", "2"), ("always", "2")]
    assert re.findall(r'"pk-share" aria-hidden="true">(\d+)%', b01) == ["43", "29", "28"]
    b02 = re.search(r'data-item="B02">(.*?)<span class="pk-n">', html, re.S).group(1)
    assert "pk-seg" not in b02 and "fewer than 5 answers" in b02
    assert 'data-mean="3.0"' in html
    # the tally: held back on its own hands, never added to the 7 answers
    assert "How the room (hands counted) answered (fewer than 5 answers)" in html


def test_the_trainer_runs_a_practice_conversation_from_the_notebook(live: Any, learner_store: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Pushed from pk.live_session(); the room counts only the learners who share the scenario."""
    from peerkit.client.sync import sync

    monkeypatch.setenv("PEERKIT_TRAINER_TOKEN", f"{live.server.url}/sign-in?token={live.trainer}")
    panel = LiveSession()
    assert panel.cohort == live.cohort["id"]
    assert "scenario_bad_week" in [value for _, value in panel._scenario_choice.options]
    done = panel.push_scenario("scenario_bad_week")
    assert done and done["conversation"]["node"]["id"] == "T1", panel.status
    assert "turn 1" in panel._scenario_state.value and "hidden until enough" in panel._scenario_state.value
    learners = []
    for number, value in enumerate(["reflect", "reflect", "advice", "question", "reflect", "at_least"]):
        store = learner_store(f"learner{number}")
        # the last one does not share this conversation: their choice stays on their computer
        join(store, live.cohort["join_code"], url=live.server.url,
             share=["scenario_bad_week"] if number < 5 else ["boundaries"])
        store.save("scenario_bad_week", "T1", value)
        sync(store)
        learners.append(store)
    for store in learners:
        assert sender_for(store).wait_until_idle(10)
    state = panel._scenario("read", "/reveal")
    node = state["conversation"]["node"]
    assert node["shown"] and node["n"] == 5  # not 6: one did not share
    assert {o["value"]: o["n"] for o in node["options"]} == {"reflect": 3, "advice": 1, "at_least": 0,
                                                             "question": 1}
    assert "5 people chose: A 3 · B 1 · C 0 · D 1" in panel._scenario_state.value
    assert node["revealed"] and all(o["feedback"] for o in node["options"])
    assert panel.next_turn()["conversation"]["node"]["id"] == "T2"
    assert panel.next_turn("NOWHERE") is None and "Could not move on" in panel.status
    assert panel.end_scenario() == {"conversation": None}
    assert "No practice conversation" in panel._scenario_state.value
def test_on_a_hub_the_panel_signs_in_with_the_kernels_hub_identity(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No token typed, shown or kept: the kernel's JUPYTERHUB_API_TOKEN goes to the hub's peerkit service only,
    and appears nowhere in the panel's widget state (what a saved notebook could keep)."""
    import http.server
    import threading

    seen: list[str] = []

    class Service(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            seen.append(f"{self.path} {self.headers.get('Authorization')}")
            body = json.dumps({"cohorts": [{"id": "cohort-hubhubhu", "name": "Hub group", "status": "open"}]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    service = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Service)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    hub_token = "hubtoken-" + "x" * 24
    try:
        monkeypatch.delenv("PEERKIT_TRAINER_TOKEN", raising=False)
        monkeypatch.delenv("PEERKIT_SERVER", raising=False)
        monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub_token)
        monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/")
        monkeypatch.setenv("JUPYTERHUB_PUBLIC_HUB_URL", f"http://127.0.0.1:{service.server_address[1]}/hub/")
        panel = LiveSession()
        assert panel.client is not None, panel.status
        assert "Signed in with your hub account" in panel.status
        assert seen[0] == f"/services/peerkit/api/v1/cohorts token {hub_token}"
        assert all(line.startswith("/services/peerkit/") and line.endswith(f"token {hub_token}") for line in seen)
        assert [value for _, value in panel._chooser.options] == ["cohort-hubhubhu"]
        states = json.dumps([w.get_state() for w in panel.children] + [panel._token.get_state(),
                                                                       panel._server.get_state()], default=str)
        assert hub_token not in states and "pkt_" not in states
    finally:
        service.shutdown()
def test_the_panel_locks_joining_removes_a_member_and_makes_a_projector_link(live: Any,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19: the room is in (lock joining), a stranger goes (remove), the projector's browser gets a one-use link."""
    import httpx

    monkeypatch.setenv("PEERKIT_TRAINER_TOKEN", live.trainer)
    monkeypatch.setenv("PEERKIT_SERVER", live.server.url)
    panel = LiveSession()
    made = panel.create_cohort("Locked room")
    stranger = "p-" + "c" * 20
    joined = httpx.post(f"{live.server.url}/api/v1/join", json={"code": made["join_code"], "pseudonym": stranger})
    assert joined.status_code == 201
    assert panel.lock_joining(True) is True and panel._lock.description == "Open joining"
    refused = httpx.post(f"{live.server.url}/api/v1/join", json={"code": made["join_code"], "pseudonym": "p-" + "d" * 20})
    assert refused.status_code == 403
    assert panel.remove_member(stranger) and stranger in panel.status
    assert httpx.get(f"{live.server.url}/api/v1/me",
                     headers={"Authorization": f"Bearer {joined.json()['token']}"}).status_code == 401
    link = panel.projector_link()
    assert link and "#code=pkc_" in link and live.trainer not in link
    assert link.replace("&", "&amp;") in panel._link.value  # escaped in the page, the same link
    assert f"next=projector/{made['id']}" in link
