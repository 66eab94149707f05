"""The outbox and its sender when the server goes away: nothing waits, nothing is lost."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.client import my_answers, run_python, wait_for
from tests.support.threads import in_a_plain_thread

from peerkit.client import outbox, sender as sender_module
from peerkit.client.sender import SHARED, WAITING, sender_for
from peerkit.client.membership import credentials, join
from peerkit.widgets._base import SAVING_TEXT


def _token(store: Any) -> str:
    return str(credentials(store)["token"])


def test_server_down_widget_returns_at_once_then_sends_without_a_click(live: Any, learner_store: Any) -> None:
    from peerkit.widgets.boundary_matrix import BoundaryMatrix

    store = learner_store("offline")
    join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
    token = _token(store)
    live.server.kill()

    matrix = BoundaryMatrix("boundaries", store=store)
    matrix.answer("B01", "maybe")
    matrix.answer("B02", "never")
    # the observer returned before the worker wrote (that it never waits on the network is the stalled
    # server's test below: a server that is down refuses at once, so no stopwatch here could tell)
    assert matrix.status == SAVING_TEXT
    assert matrix.wait_until_saved(5)
    assert store.answers("boundaries") == {"B01": "maybe", "B02": "never"}  # saved here
    assert matrix.status == WAITING
    sender = sender_for(store)
    tries = sender.attempts
    wait_for(lambda: sender.attempts >= tries + 2, timeout=10)  # several tries fail meanwhile
    matrix.wait_until_saved(0)  # shows any later word the sender gave (no kernel here to hand it over)
    assert matrix.status == WAITING and outbox.pending_count(store) == 2

    server = live.restart()  # same store, same address; nobody clicks anything
    wait_for(lambda: matrix.wait_until_saved(0) and matrix.status == SHARED, timeout=15)
    assert outbox.pending_count(store) == 0
    assert my_answers(server, token) == 2


def test_a_new_kernel_resends_what_an_old_one_left_in_the_outbox(live: Any, tmp_path: Path) -> None:
    home = tmp_path / "restart-home"
    code, url = live.cohort["join_code"], live.server.url
    run_python("from peerkit.store import LocalStore\n"
               "from peerkit.client.membership import join\n"
               f"join(LocalStore(), {code!r}, url={url!r}, share=['boundaries'])\n", home)
    live.server.kill()
    out = run_python(
        "from peerkit.widgets.boundary_matrix import BoundaryMatrix\n"
        "from peerkit.client import outbox\n"
        "m = BoundaryMatrix('boundaries')\n"
        "for item in ('B01', 'B02', 'B03'): m.answer(item, 'always')\n"
        "print('AT ONCE', outbox.pending_count(m.store))\n", home)  # it ends at once, the server down
    assert "AT ONCE" in out  # the clicks returned before the saver wrote; the exit waits for it
    out = run_python(  # no widget, so nothing is sent: what the first kernel left behind
        "from peerkit.store import LocalStore\n"
        "from peerkit.client import outbox\n"
        "store = LocalStore()\n"
        "print('SAVED', len(store.answers('boundaries')), 'WAITING', outbox.pending_count(store))\n", home)
    assert "SAVED 3 WAITING 3" in out, out
    server = live.restart()
    out = run_python(  # a new kernel: opening any exercise resumes the sender, no answer given
        "import time\n"
        "import peerkit as pk\n"
        "from peerkit.client import outbox\n"
        "m = pk.exercise('core_skills')\n"
        "deadline = time.monotonic() + 20\n"
        "while outbox.pending_count(m.store) and time.monotonic() < deadline: time.sleep(0.05)\n"
        "from peerkit.client.membership import credentials\n"
        "print('LEFT', outbox.pending_count(m.store), 'TOKEN', credentials(m.store)['token'])\n", home)
    assert "LEFT 0" in out
    token = out.split("TOKEN ")[1].split()[0]
    assert my_answers(server, token) == 3


def test_server_killed_mid_burst_every_unacknowledged_answer_is_resent(
        live: Any, learner_store: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(sender_module, "MAX_BATCH", 4)  # many small requests, so the kill lands mid-burst
    from peerkit.exercises import load_exercise

    store = learner_store("burst")
    join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries", "core_skills"])
    token = _token(store)
    boundaries, skills = load_exercise("boundaries"), load_exercise("core_skills")
    answers = [("boundaries", item, "maybe") for item in boundaries.item_ids]
    answers += [("core_skills", item, 3) for item in skills.item_ids]
    sender = sender_for(store)
    from peerkit.client.sync import sync

    for exercise, item, value in answers:
        store.save(exercise, item, value)
    sync(store)
    total = len(answers)
    wait_for(lambda: outbox.pending_count(store) < total - 4, timeout=10, every=0.005)
    live.server.kill()
    left = outbox.pending_count(store)
    assert 0 < left < total, left  # some acknowledged, some not
    tries = sender.attempts
    wait_for(lambda: sender.attempts >= tries + 2, timeout=30)  # the sender tries the server that is away
    assert outbox.pending_count(store) == left  # nothing dropped while the server is away
    server = live.restart()
    assert sender.wait_until_idle(20)
    assert my_answers(server, token) == total  # every answer is there exactly once
    assert outbox.refusals(store) == {}


def test_in_a_real_kernel_the_status_turns_shared_on_the_kernels_own_thread(live: Any, tmp_path: Path,
                                                                            monkeypatch: Any) -> None:
    """In Jupyter the sender's word reaches the widget through the kernel's event loop, between cells."""
    import os

    import nbclient
    import nbformat

    from tests.support.client import ROOT

    monkeypatch.setenv("PEERKIT_HOME", str(tmp_path / "kernel-home"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code, url = live.cohort["join_code"], live.server.url
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(
            "import threading, peerkit as pk\n"
            "panel = pk.join_cohort()\n"
            "panel.tick('boundaries')\n"
            f"assert panel.join({code!r}, url={url!r}), panel.status\n"
            "matrix = pk.exercise('boundaries')\n"
            "seen = []\n"
            "matrix.observe(lambda c: seen.append((c['new'], threading.current_thread().name)), names='status')\n"
            "matrix.answer('B01', 'maybe')\n"
            "print('FIRST', matrix.status)"),
        nbformat.v4.new_code_cell(  # awaiting lets the kernel's loop run the sender's word over to the widget
            "import asyncio, time\n"
            "deadline = time.monotonic() + 20\n"
            f"while matrix.status != {SHARED!r} and time.monotonic() < deadline: await asyncio.sleep(0.05)"),
        nbformat.v4.new_code_cell("print('LATER', matrix.status, seen[-1][1])"),
    ])
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = "".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))
    assert "FIRST " + SAVING_TEXT in outputs, outputs  # the cell went on before the answer was written
    assert "LATER " + SHARED + " MainThread" in outputs, outputs


def test_a_server_that_stalls_never_holds_a_chart_once_the_sender_knows(live: Any, learner_store: Any) -> None:
    """A server that takes connections but never answers: the sender waits for it, the learner's cells do not."""
    import socket

    from peerkit.client.aggregates import group_view_or_reason
    from peerkit.client.membership import CREDENTIALS_SETTING

    stalled = socket.socket()
    stalled.bind(("127.0.0.1", 0))
    stalled.listen(50)  # connections wait in the backlog; nothing ever answers
    try:
        store = learner_store("stalled")
        join(store, live.cohort["join_code"], url=live.server.url, share=["boundaries"])
        signed_in = credentials(store)
        store.set_setting(CREDENTIALS_SETTING, {**signed_in,
                                                "server": f"http://127.0.0.1:{stalled.getsockname()[1]}"})
        from peerkit.widgets.boundary_matrix import BoundaryMatrix

        matrix = BoundaryMatrix("boundaries", store=store)
        sender = sender_for(store)
        matrix.answer("B01", "maybe")
        # a try at the stalled server ends only when the client's timeout runs out: the answer returned before
        # any try did (and before the worker wrote)
        assert not sender.server_seems_away() and matrix.status == SAVING_TEXT
        assert matrix.wait_until_saved(5) and matrix.status == WAITING
        wait_for(sender.server_seems_away, timeout=30)
        # once the sender knows, a chart does not ask the server at all: asked, it would wait an hour here
        frame, reason = in_a_plain_thread(lambda: group_view_or_reason(store, "boundaries", timeout=3600), timeout=60)
        assert frame is None and "could not be reached" in reason
        assert outbox.pending_count(store) == 1
    finally:
        stalled.close()
