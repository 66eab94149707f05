"""The learner's side against the REAL cohort server on loopback: join, answer, aggregates, refusals."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.support.client import cohort_counts, my_answers, run_python, wait_for

from peerkit.client import outbox
from peerkit.client.aggregates import group_view, group_view_or_reason
from peerkit.client.http import ServerClient
from peerkit.client.sender import SHARED, WAITING, sender_for
from peerkit.client.membership import credentials, join, leave, membership, set_sharing
from peerkit.client.sync import sync
from peerkit.widgets._base import SAVING_TEXT


def _token(store: Any) -> str:
    return str(credentials(store)["token"])


def test_join_answer_and_appear_in_aggregates(live: Any, learner_store: Any) -> None:
    stores = [learner_store(f"l{i}") for i in range(5)]
    for number, store in enumerate(stores):
        joined = join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
        assert joined.mode == "live" and joined.cohort == live.cohort["id"]
        assert joined.pseudonym.startswith("p-")
        store.save("boundaries", "B01", "maybe" if number < 3 else "never")
        if number < 4:
            store.save("boundaries", "B02", "always")
        result = sync(store, exercise="boundaries")
        assert result.message in (WAITING, SHARED)
    for store in stores:
        assert sender_for(store).wait_until_idle(15)
        assert sender_for(store).status_for("boundaries") == SHARED
    items = cohort_counts(live, "boundaries")
    assert items["B01"]["counts"] == {"maybe": 3, "never": 2}
    assert items["B02"].get("suppressed") is True  # four people: hidden

    view = group_view(stores[0], "boundaries")
    assert view is not None and view.label == "group you joined"
    assert view.counts("B01") == {"never": 2, "maybe": 3, "always": 0} and view.item_n("B01") == 5
    assert view.shown_items == ["B01"] and "B02" in view.hidden_items and view.counts("B02") is None
    assert view.n == 5 and view.split("B01") == "Never OK 2 · Maybe OK 3"


def test_sharing_is_opt_in_and_unsharing_withdraws(live: Any, learner_store: Any) -> None:
    store = learner_store("opt-in")
    store.save("boundaries", "B01", "maybe")
    joined = join(store, live.cohort["join_code"], url=live.server.url)
    assert joined.share == []  # nothing ticked in advance
    assert sync(store, exercise="boundaries").message == ""
    assert sender_for(store).wait_until_idle(10)
    assert my_answers(live.server, _token(store)) == 0

    set_sharing(store, ["boundaries"])
    assert sender_for(store).wait_until_idle(10)
    assert my_answers(live.server, _token(store)) == 1
    set_sharing(store, [])
    assert sender_for(store).wait_until_idle(10)
    assert my_answers(live.server, _token(store)) == 0


def test_leaving_withdraws_everything_on_the_server(live: Any, learner_store: Any) -> None:
    store = learner_store("leaver")
    join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    for item in ("B01", "B02", "B03"):
        store.save("boundaries", item, "maybe")
    sync(store)
    assert sender_for(store).wait_until_idle(10)
    token = _token(store)
    assert my_answers(live.server, token) == 3
    message = leave(store)
    assert "(3 answers)" in message and "removed" in message
    assert membership(store) is None and credentials(store) is None
    with live.server.client(token) as client:
        assert client.get("/api/v1/me").status_code in (401, 403)
    assert outbox.pending_count(store) == 0


def test_an_older_resend_never_overwrites_a_newer_answer(live: Any, learner_store: Any) -> None:
    store = learner_store("ordered")
    join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    client = ServerClient(live.server.url, _token(store))
    newer = client.send_answers([{"seq": 20, "exercise": "boundaries", "item": "B01", "value": "always"}])
    assert newer["accepted"] == [20]
    older = client.send_answers([{"seq": 19, "exercise": "boundaries", "item": "B01", "value": "never"}])
    assert older["stale"] == [19] and older["accepted"] == []
    again = client.send_answers([{"seq": 20, "exercise": "boundaries", "item": "B01", "value": "always"}])
    assert 20 not in again.get("refused", [])  # a resend of the same seq changes nothing
    assert client.me()["last_seq"] == 20

    # the outbox starts above what the server holds, so the learner's next answer wins
    store.save("boundaries", "B01", "maybe")
    sync(store, exercise="boundaries")
    assert sender_for(store).wait_until_idle(10)
    assert sender_for(store).status_for("boundaries") == SHARED
    assert client.me()["last_seq"] > 20
    with live.server.client(live.trainer) as trainer:
        reply = trainer.get(f"/api/v1/cohorts/{live.cohort['id']}/responses")
    assert reply.status_code == 200, reply.text
    rows = [r for r in reply.json()["responses"] if r["item"] == "B01"]
    assert [r["value"] for r in rows] == ["maybe"]


def test_a_refused_answer_shows_the_servers_words(live: Any, learner_store: Any) -> None:
    store = learner_store("refused")
    join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    # a value no widget would store, queued as if it had been (the server checks every write)
    outbox.queue_changes(store, [{"exercise": "boundaries", "item": "B01", "value": "sometimes"},
                                 {"exercise": "boundaries", "item": "B02", "value": "maybe"}])
    sender_for(store).wake()
    assert sender_for(store).wait_until_idle(10)
    refused = outbox.refusals(store, "boundaries")
    assert list(refused) == [("boundaries", "B01")]
    detail = refused[("boundaries", "B01")]
    assert detail.strip()
    status = sender_for(store).status_for("boundaries")
    assert status.startswith("Saved here. Not shared with your group") and detail in status
    assert my_answers(live.server, _token(store)) == 1  # the other answer of the batch was stored

    # a refused value is not sent again and again; a good answer to the same item clears the refusal
    assert outbox.queue_changes(store, [{"exercise": "boundaries", "item": "B01", "value": "sometimes"},
                                        {"exercise": "boundaries", "item": "B02", "value": "maybe"}]) == []
    store.save("boundaries", "B01", "never")
    store.save("boundaries", "B02", "maybe")
    sync(store, exercise="boundaries")
    assert sender_for(store).wait_until_idle(10)
    assert outbox.refusals(store) == {}
    assert sender_for(store).status_for("boundaries") == SHARED


def test_a_closed_cohort_is_said_in_the_servers_words(live: Any, learner_store: Any) -> None:
    store = learner_store("closed")
    join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    with live.server.client(live.trainer) as trainer:
        assert trainer.post(f"/api/v1/cohorts/{live.cohort['id']}/close").status_code == 200
    store.save("boundaries", "B01", "maybe")
    sync(store, exercise="boundaries")
    sender = sender_for(store)
    wait_for(lambda: sender.problem, timeout=10)
    status = sender.status_for("boundaries")
    assert status.startswith("Saved here; not sent to your group:") and sender.problem in status
    assert outbox.pending_count(store) == 1  # kept here, nothing lost


def test_join_refusals_are_plain_words(live: Any, learner_store: Any) -> None:
    from peerkit.cohort.errors import CohortError, CohortUnreachableError, JoinCodeError

    store = learner_store("wrong")
    with pytest.raises(JoinCodeError, match="Nothing was shared"):
        join(store, "ABC-DEF", url=live.server.url)
    with pytest.raises(CohortError, match="address of your group's server"):
        join(store, live.cohort["join_code"])
    port = live.server.port
    live.server.kill()
    with pytest.raises(CohortUnreachableError, match="Could not reach your group's server"):
        join(store, live.cohort["join_code"], url=f"127.0.0.1:{port}")
    assert membership(store) is None


def test_group_view_says_why_there_is_none(live: Any, learner_store: Any) -> None:
    store = learner_store("none")
    assert group_view_or_reason(store, "boundaries") == (None, "You have not joined a group.")
    join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    live.server.kill()
    frame, reason = group_view_or_reason(store, "boundaries", timeout=1)
    assert frame is None and "could not be reached" in reason


def test_binder_learner_with_only_address_and_code(live: Any, tmp_path: Path) -> None:
    """A fresh PEERKIT_HOME, nothing configured: the learner types the code and the address, answers."""
    home = tmp_path / "binder-home"
    out = run_python(
        "import peerkit as pk\n"
        f"panel = pk.join_cohort()\n"
        f"panel.tick('boundaries')\n"
        f"assert panel.join({live.cohort['join_code'].lower().replace('-', ' ')!r}, url={live.server.url!r}), "
        "panel.status\n"
        "matrix = pk.exercise('boundaries')\n"
        "matrix.answer('B01', 'maybe')\n"
        "print('STATUS1', matrix.status)\n"
        "assert matrix.wait_until_saved(10), matrix.status\n"
        "from peerkit.client.sender import sender_for\n"
        "assert sender_for(matrix.store).wait_until_idle(15)\n"
        "import time\n"
        "deadline = time.monotonic() + 10  # the sender's word reaches the widget just after it is idle\n"
        f"while not (matrix.wait_until_saved(0) and matrix.status == {SHARED!r}) and time.monotonic() < deadline:\n"
        "    time.sleep(0.02)\n"
        "print('STATUS2', matrix.status)\n",
        home)
    assert "STATUS1 " + SAVING_TEXT in out  # the click returned before the answer was written
    assert "STATUS2 " + SHARED in out
    assert cohort_counts(live, "boundaries")["B01"].get("suppressed") is True  # one person: hidden
    with live.server.client(live.trainer) as trainer:
        info = trainer.get(f"/api/v1/cohorts/{live.cohort['id']}").json()
    assert info["members"] == 1 and info["answers"] == 1
    # the token stays in the learner's store, never in a portfolio file
    portfolio = run_python("from peerkit.portfolio_io import portable_settings\n"
                           "from peerkit.store import LocalStore\n"
                           "print(portable_settings(LocalStore()))\n", home)
    assert "pkl_" not in portfolio and "127.0.0.1" not in portfolio


def test_compare_shows_the_learners_own_cohort_from_the_server(live: Any, learner_store: Any) -> None:
    from peerkit.widgets.group_comparison import GroupComparison

    stores = [learner_store(f"c{i}") for i in range(6)]
    for number, store in enumerate(stores):
        join(store, live.cohort["join_code"], url=live.server.url, share=["core_skills"])
        store.save("core_skills", "C01", 2 + number % 3)
        sync(store)
    for store in stores:
        assert sender_for(store).wait_until_idle(15)
    chart = GroupComparison("core_skills", store=stores[0])
    assert chart.group_label == "group you joined"
    view = chart.view.value
    # the six ratings of C01 (2, 3, 4, 2, 3, 4) are drawn: n in the row's own column, the average,
    # and the learner's own rating (2); no other item was rated, so none is drawn
    assert 'data-item="C01"' in view and "could not be read" not in view, "the group's counts were not drawn"
    row = view.split('data-item="C01"')[1].split('data-item="C02"')[0]
    assert '<span class="pk-n">n=6</span>' in row
    assert "group average 3.0" in row and "your rating 2" in row
    table_row = view.split("<tbody>")[1].split("</tr>")[0]
    assert [cell for cell in re.findall(r"<td>([^<]*)</td>", table_row)] == ["3.0", "2 to 4", "6", "2"]  # whole steps of the 1-5 scale (issue 22)
    assert "6 people in the group you joined answered" in chart.summary
    assert "could not be read" not in view and "could not be reached" not in view
    live.server.kill()
    chart.refresh()  # the server away: the reference group, and it says so
    assert chart.group_label != "group you joined" and "could not be reached" in chart.view.value
