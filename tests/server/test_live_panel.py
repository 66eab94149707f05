"""``pk.live_panel()`` (the learner's notebook panel) against the real server: it shows the poll, the wall,
the timer and the trainer's place, sends answers and posts in the background, and never blocks the kernel."""
from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest

from tests.support.client import wait_for
from tests.support.server import join
from tests.support.threads import in_a_plain_thread
from peerkit.client.http import ServerClient
from peerkit.widgets.live_panel import LivePanel

pytestmark = pytest.mark.timeout(180)


def test_the_panel_follows_the_trainer_and_answers_in_the_background(live: Any) -> None:
    server, trainer, cohort = live.server, live.trainer, live.cohort  # peerkit serve, a trainer and a cohort
    token = join(server, cohort["join_code"])
    panel = in_a_plain_thread(lambda: LivePanel(client=ServerClient(server.url, token), start=False))
    assert panel.fetch()["poll"] is None
    assert panel._poll_box.layout.display == "none" and panel._banner.value == ""
    with server.client(trainer) as client:
        base = f"/api/v1/cohorts/{cohort['id']}"
        poll = client.post(base + "/polls", json={"kind": "single", "question": "<i>Ready</i>?",
                                                  "options": ["Yes", "Not yet"]}).json()
        client.put(base + "/session/place", json={"chapter": "02_boundaries", "exercise": "boundaries"})
        client.post(base + "/session/timer", json={"seconds": 300, "activity": "boundaries_gift"})
        wall = client.post(base + "/wall", json={"prompt": "One thing you would say"}).json()
    panel.fetch()
    assert panel._question.value == "Poll: <i>Ready</i>?"  # a Label shows text, never HTML
    assert 'href="02_boundaries.ipynb"' in panel._banner.value and "Where are your limits?" in panel._banner.value
    assert "gift" in panel._timer.value and "5 min left" in panel._timer.value
    panel._choice.value = "Not yet"
    panel.send_answer()
    wait_for(lambda: panel._poll_status.value.startswith("Your answer is in"))
    panel._wall_text.value = "Mail me: someone@example.org"
    panel.post_to_wall()
    wait_for(lambda: panel._wall_status.value.startswith("Posted"))
    with server.client(trainer) as client:
        assert client.get(base + "/polls").json()["polls"][0]["answers"] == 1
        posts = client.get(base + "/wall").json()["posts"]
    assert [p["text"] for p in posts] == ["Mail me: [email]"] and posts[0]["wall"] == wall["id"]
    panel.fetch()
    assert panel.state["poll"]["your_answer"] == "Not yet" and panel.state["poll"]["id"] == poll["id"]
    # a refused answer says why, in the server's words
    panel._choice = type("Fake", (), {"value": "Maybe"})()
    panel.send_answer()
    wait_for(lambda: "Choose one of the poll's options" in panel._poll_status.value)
    panel.close()


def test_the_panel_never_waits_on_a_stalled_server() -> None:
    with socket.socket() as stalled:  # takes connections and never answers
        stalled.bind(("127.0.0.1", 0))
        stalled.listen(5)
        # a request waited on would hang for the client's hour-long timeout; being made and answering
        # must not wait on one at all, which a generous deadline tells apart on a busy machine too
        client = ServerClient(f"http://127.0.0.1:{stalled.getsockname()[1]}", "pkl_x" * 9, timeout=3600)

        def make_and_answer() -> LivePanel:
            panel = LivePanel(client=client, interval=0.2)
            panel.send_answer()  # nothing on show: returns at once
            return panel

        in_a_plain_thread(make_and_answer, timeout=60).close()


def test_without_joining_the_panel_says_what_to_do(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PEERKIT_HOME", str(tmp_path))
    from peerkit.store import LocalStore

    panel = LivePanel(LocalStore(tmp_path / "answers.sqlite"))
    assert "“Join your group” panel of the welcome chapter" in panel._status.value
    assert "pk." not in panel._status.value  # plain words, no code


def test_on_the_kernels_thread_a_fetch_shows_at_once_and_replies_come_back_on_its_loop(
        live: Any) -> None:
    """As in a kernel: the panel is made while a loop runs; fetch() from a cell updates the widgets
    before it returns, and a background reply reaches them through that loop."""
    server, trainer, cohort = live.server, live.trainer, live.cohort  # peerkit serve, a trainer and a cohort
    token = join(server, cohort["join_code"])
    with server.client(trainer) as client:
        client.post(f"/api/v1/cohorts/{cohort['id']}/polls",
                    json={"kind": "single", "question": "Ready?", "options": ["Yes", "Not yet"]})

    async def cell() -> tuple[str, str]:
        panel = LivePanel(client=ServerClient(server.url, token), start=False)
        panel.fetch()  # called on the loop's own thread, as from a notebook cell
        shown = panel._question.value
        panel._choice.value = "Yes"
        panel.send_answer()
        deadline = time.monotonic() + 60
        while not panel._poll_status.value.startswith("Your answer is in") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # the reply arrives while the loop turns
        status = panel._poll_status.value
        panel.close()
        return shown, status

    shown, status = in_a_plain_thread(lambda: asyncio.run(cell()))
    assert shown == "Poll: Ready?"
    assert status.startswith("Your answer is in")


def test_a_practice_conversation_in_the_room_opens_in_the_panel(live: Any, tmp_path,
                                                                monkeypatch) -> None:
    monkeypatch.setenv("PEERKIT_HOME", str(tmp_path))
    from peerkit.store import LocalStore
    from peerkit.widgets.scenario import ScenarioWidget

    server, trainer, cohort = live.server, live.trainer, live.cohort  # peerkit serve, a trainer and a cohort
    token = join(server, cohort["join_code"])
    store = LocalStore(tmp_path / "answers.sqlite")
    panel = in_a_plain_thread(lambda: LivePanel(store, client=ServerClient(server.url, token), start=False))
    panel.fetch()
    assert panel._scenario_box.layout.display == "none" and panel.open_scenario() is None
    with server.client(trainer) as client:
        assert client.post(f"/api/v1/cohorts/{cohort['id']}/conversation",
                           json={"exercise": "scenario_bad_week"}).status_code == 201
    panel.fetch()
    assert panel._scenario_box.layout.display == ""
    assert "Your trainer started a practice conversation" in panel._scenario_banner.value
    assert "a bad week" in panel._scenario_banner.value and "turn 1" in panel._scenario_banner.value
    widget = panel.open_scenario()
    assert isinstance(widget, ScenarioWidget) and widget.exercise.id == "scenario_bad_week"
    assert panel._scenario_area.children == (widget,) and panel._scenario_button.layout.display == "none"
    assert panel.open_scenario() is widget  # opened once
    with server.client(trainer) as client:
        client.post(f"/api/v1/cohorts/{cohort['id']}/conversation/next")
        panel.fetch()
        assert "turn 2" in panel._scenario_banner.value and panel._scenario_area.children == (widget,)
        client.post(f"/api/v1/cohorts/{cohort['id']}/conversation/end")
    panel.fetch()
    assert panel._scenario_box.layout.display == "none" and panel._scenario_area.children == ()
    panel.close()
def test_a_panel_made_before_joining_notices_the_join_and_the_leave(live: Any, tmp_path,
                                                                    monkeypatch) -> None:
    """Chapter 00 run top to bottom: the panel is made before the learner joins, and never run again."""
    from peerkit.client.membership import join as join_live, leave
    from peerkit.store import LocalStore

    monkeypatch.setenv("PEERKIT_HOME", str(tmp_path))
    server, trainer, cohort = live.server, live.trainer, live.cohort  # peerkit serve, a trainer and a cohort
    with server.client(trainer) as client:
        client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json={"kind": "scale", "question": "How ready?"})
    store = LocalStore(tmp_path / "answers.sqlite")
    panel = in_a_plain_thread(lambda: LivePanel(store, interval=0.1))
    try:
        assert "Join your group first" in panel._status.value and panel._poll_box.layout.display == "none"
        join_live(store, cohort["join_code"], url=server.url)
        wait_for(lambda: panel._question.value == "Poll: How ready?")  # no cell run again
        assert panel._poll_box.layout.display == "" and "Join your group first" not in panel._status.value
        leave(store, withdraw=True)
        wait_for(lambda: "Join your group first" in panel._status.value)
        assert panel._poll_box.layout.display == "none" and panel.client is None
    finally:
        panel.close()
