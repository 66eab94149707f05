"""A chapter page the learner leaves stops its kernel; a page or notebook still open keeps its own (issue 22).

Voilà starts a kernel for each chapter page. Its own "stop my kernel" request on unload is refused on a page the
learner landed on directly (no ``_xsrf`` cookie: voila-dashboards/voila#1458), and a closed tab sends nothing, so the
server's idle culling (``MappingKernelManager`` settings in ``jupyter_server_config.py``) stops kernels that nothing
is connected to. Here a learner lands on chapter 00's page (a browser of its own, that never opened JupyterLab,
as after ``make lab`` or the Binder link), clicks through to chapter 01's page, then closes the tab: each page's kernel
must go, while a page and a notebook left open, idle for longer, keep theirs.

The server reads the repository's ``jupyter_server_config.py`` as ``make lab`` and Binder do. Only the cull clock is
shortened, on the server's command line (which wins over the file): the timeout to :data:`TEST_TIMEOUT` seconds and
the check to every second, and only when the shipped file switches culling on. With no culling shipped, nothing is
added and the left pages' kernels stay, so the test fails.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
#: A drawn peerkit widget's element (as in test_no_code).
PEERKIT_ROOTS = "[class^='peerkit-'], [class*=' peerkit-']"
#: Long enough for a page's kernel, idle once the page is drawn, to be connected to by the page on a busy machine.
TEST_TIMEOUT = 15
#: How long a left page's kernel may take to go: the timeout, a check, and a busy machine's delays.
WAIT = TEST_TIMEOUT + 75
NOTEBOOK = "03_empowerment_and_recovery.ipynb"


def short_cull_clock() -> tuple[str, ...]:
    """The command-line settings that shorten the shipped cull timeout (none when nothing is culled)."""
    shipped = PyFileConfigLoader("jupyter_server_config.py", path=str(REPO)).load_config().MappingKernelManager
    if int(shipped.get("cull_idle_timeout", 0)) <= 0:
        return ()
    return (f"--MappingKernelManager.cull_idle_timeout={min(int(shipped.cull_idle_timeout), TEST_TIMEOUT)}",
            "--MappingKernelManager.cull_interval=1")


def kernels(server) -> dict[str, dict]:
    return {kernel["id"]: kernel for kernel in server.api("GET", "/api/kernels")}


def open_page(lab, name: str) -> str:
    """Go to chapter ``name``'s page; wait until its exercises are drawn and the page is connected to its kernel."""
    page = lab.page
    page.goto(f"{lab.server.url}/voila/render/{name}", wait_until="domcontentloaded")
    page.locator(PEERKIT_ROOTS).first.wait_for(timeout=120_000)
    kernel_id = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    lab.wait_until(lambda: kernels(lab.server).get(kernel_id, {}).get("connections", 0) >= 1, timeout=60,
                   message=lambda: f"{name}: the page never connected to its kernel {kernel_id}: "
                                   f"{kernels(lab.server).get(kernel_id)}")
    return kernel_id


def notebook_kernel(server, path: str) -> str | None:
    """The kernel of ``path``'s notebook view, once that view is connected to it."""
    for session in server.api("GET", "/api/sessions"):
        if session["path"] == path and session["kernel"]["connections"] >= 1:
            return session["kernel"]["id"]
    return None


def activity(kernel: dict) -> datetime:
    return datetime.fromisoformat(kernel["last_activity"].replace("Z", "+00:00"))


def test_a_page_left_stops_its_kernel_and_an_open_page_or_notebook_keeps_its(start_lab_server, new_lab) -> None:
    server = start_lab_server(*short_cull_clock())

    reader = new_lab(server)  # a learner reading chapter 02's page, without a click, all along
    read = open_page(reader, "02_boundaries.ipynb")
    notebook = new_lab(server)  # chapter 03 in JupyterLab's notebook view, open all along
    notebook.open(NOTEBOOK)
    working = notebook.wait_until(lambda: notebook_kernel(server, NOTEBOOK), timeout=60,
                                  message=lambda: f"{NOTEBOOK}: no connected kernel: {kernels(server)}")

    learner = new_lab(server)  # lands on the first page, as make lab and the Binder link do
    first = open_page(learner, "00_welcome.ipynb")
    second = open_page(learner, "01_what_is_peer_support.ipynb")  # clicks through to the next chapter
    seen = {}

    def first_gone() -> bool:
        now = kernels(server)
        if first in now:
            seen.update(now)
        return first not in now

    learner.wait_until(first_gone, timeout=WAIT,
                       message=lambda: f"chapter 00's page was left but its kernel still runs after {WAIT} s: "
                                       f"{json.dumps(kernels(server))}\n{server.log_tail(30)}")
    now = kernels(server)
    assert {read, working, second} <= set(now), f"a kernel still in use was stopped: {json.dumps(now)}"
    # The open page's and the notebook's kernels were idle for longer than the one culled (no activity since):
    # only their connection kept them.
    for kept in (read, working):
        assert activity(now[kept]) <= activity(seen[first]), (kept, now[kept], seen[first])

    learner.page.context.close()  # the learner closes the tab
    learner.wait_until(lambda: second not in kernels(server), timeout=WAIT,
                       message=lambda: f"chapter 01's tab was closed but its kernel still runs after {WAIT} s: "
                                       f"{json.dumps(kernels(server))}\n{server.log_tail(30)}")
    assert set(kernels(server)) == {read, working}

    # Nothing was saved into the course's notebooks on the way (pages and culling never write them).
    for copy in sorted(server.root.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in copy.parts:
            continue  # JupyterLab's copy of the notebook as it was opened
        original = REPO / "notebooks" / copy.relative_to(server.root)
        assert copy.read_bytes() == original.read_bytes(), f"{copy.relative_to(server.root)} was written"
