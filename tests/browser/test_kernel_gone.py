"""A widget whose kernel restarted says so and takes no more answers (issue 14.1).

After Kernel > Restart, the Python object behind every widget on the page is gone: a
click can no longer be saved. The widget must say so in words, stop taking answers
(controls disabled and aria-disabled), and never show a click as chosen. The store is
read straight from the SQLite file in the server's PEERKIT_HOME.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import FAILING_IMPACTS, let_the_page_draw

pytestmark = pytest.mark.browser

CHAPTER = "02_boundaries.ipynb"
EXERCISE = "boundaries"
GONE = "Your answers can't be saved from here any more"


def _checked(matrix) -> dict[str, str]:
    return matrix.evaluate("""root => Object.fromEntries(
        [...root.querySelectorAll('input[type=radio]:checked')].map(i => [i.dataset.item, i.value]))""")


def _restart_only(lab, lab_server) -> None:
    """Kernel > Restart Kernel…, confirmed, without running any cell again; wait for the new kernel."""
    before = _kernel_pid(lab_server)
    lab._menu("Kernel", "kernelmenu:restart")
    dialog = lab.page.locator(".jp-Dialog")
    dialog.wait_for(timeout=10_000)
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    dialog.wait_for(state="detached", timeout=10_000)
    # the page says "restarting" before the server has a new kernel process, and "idle" once it answers
    lab.wait_until(lambda: _kernel_pid(lab_server, missing_ok=True) not in (None, before), timeout=60,
                   message="the kernel was not restarted (no new kernel process)")
    lab.wait_kernel_idle()


def test_matrix_refuses_answers_after_a_restart(lab, lab_server, axe_source: str) -> None:
    if lab_server.store_path.exists():
        lab_server.store().delete(EXERCISE)
        lab_server.store().delete("boundaries_check")
    lab.open_and_run(CHAPTER)
    matrix = lab.notebook.locator(".peerkit-matrix").first
    row = matrix.locator('fieldset[data-item="B01"]')

    # Before the restart a click is saved, and shown as chosen once the kernel confirms it.
    row.get_by_text("Maybe OK", exact=True).click()
    lab.wait_until(lambda: lab_server.store().answers(EXERCISE) == {"B01": "maybe"}, timeout=10,
                   message=f"the click was never saved: the store holds {lab_server.store().answers(EXERCISE)}")
    assert GONE not in matrix.inner_text()

    _restart_only(lab, lab_server)

    # The widget says, in a live region, that it cannot save any more, and why.
    notice = matrix.locator(".peerkit-gone")
    lab.wait_until(lambda: notice.count() and GONE in notice.inner_text(), timeout=10,
                   message=f"after the restart the matrix does not say it can no longer save: "
                           f"{matrix.inner_text()[:400]!r}")
    text = notice.inner_text()
    assert "kernel restarted" in text and "Run this cell again" in text, text
    assert notice.get_attribute("aria-live") or notice.get_attribute("role") in ("alert", "status")

    # Every control is disabled, for the mouse and for a screen reader.
    radios = matrix.locator("input[type=radio]")
    states = radios.evaluate_all("els => els.map(e => [e.disabled, e.getAttribute('aria-disabled')])")
    assert states and all(state == [True, "true"] for state in states), (
        f"after the restart some matrix controls still take answers: {sorted(set(map(tuple, states)))}")

    # Every other peerkit exercise on the page says the same and is off too (the reflection's
    # text stays, read-only, to be copied).
    roots = lab.notebook.locator("section.peerkit-widget, section.peerkit-matrix")
    assert roots.count() >= 3, f"expected the matrix, a reflection and a knowledge check; found {roots.count()}"
    lab.wait_until(lambda: all(GONE in roots.nth(i).locator(".peerkit-gone").inner_text()
                               for i in range(roots.count())), timeout=10,
                   message="after the restart not every widget on the page says it can no longer save")
    live = lab.notebook.locator("section.peerkit-widget :is(input, button):not([disabled]), "
                                "section.peerkit-widget textarea:not([readonly])")
    assert live.count() == 0, f"{live.count()} controls still take answers, e.g. {live.first.evaluate('e => e.outerHTML')}"
    quiz = lab.notebook.locator("section.peerkit-quiz").first
    quiz.locator("label.peerkit-choice").first.click(force=True)
    assert quiz.locator("input:checked").count() == 0, "the knowledge check took a click after the restart"

    # The refusing widgets pass axe-core too (no serious or critical violation).
    serious = [v for v in lab.axe_violations(axe_source) if v["impact"] in FAILING_IMPACTS]
    assert not serious, "axe-core, after the restart: " + "; ".join(
        f"{v['id']} at {[n['target'] for n in v['nodes'][:3]]}" for v in serious)

    # A click on another option changes nothing: not on the page, not in the store.
    row.get_by_text("Always OK", exact=True).click(force=True)  # force: a learner clicks whatever it looks like
    matrix.locator('fieldset[data-item="B02"]').get_by_text("Never OK", exact=True).click(force=True)
    let_the_page_draw(lab.page)
    assert _checked(matrix) == {"B01": "maybe"}, (
        f"after the restart the matrix shows {_checked(matrix)} as chosen, though nothing can be saved")
    assert lab_server.store().answers(EXERCISE) == {"B01": "maybe"}, "the store changed after the restart"
    assert lab_server.store().answers("boundaries_check") == {}, "the knowledge check saved a click after the restart"

    # Running the cell again gives a widget that works.
    lab.run_all()
    fresh = lab.notebook.locator(".peerkit-matrix").first
    assert GONE not in fresh.inner_text()
    fresh.locator('fieldset[data-item="B02"]').get_by_text("Never OK", exact=True).click()
    lab.wait_until(lambda: lab_server.store().answers(EXERCISE) == {"B01": "maybe", "B02": "never"}, timeout=10,
                   message=f"the re-run matrix does not save: {lab_server.store().answers(EXERCISE)}")


def _kernel_pid(lab_server, *, missing_ok: bool = False) -> int | None:
    """The process of the one kernel the test server runs (its command line names its connection file);
    with ``missing_ok``, None while there is none (between a restart's old process and its new one)."""
    sessions = lab_server.api("GET", "/api/sessions")
    assert len(sessions) == 1, f"expected one kernel session, found {len(sessions)}"
    kernel_id = sessions[0]["kernel"]["id"]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "ipykernel" in command and f"kernel-{kernel_id}.json" in command:
            return int(entry.name)
    if missing_ok:
        return None
    raise AssertionError(f"no process found for kernel {kernel_id}")


def test_a_rating_says_so_when_its_kernel_dies(lab, lab_server) -> None:
    """A crash (the kernel process killed; the server starts a new one by itself), not a restart asked for."""
    import os
    import signal

    if lab_server.store_path.exists():
        lab_server.store().delete("core_skills")
    lab.open_and_run("01_what_is_peer_support.ipynb")
    rating = lab.notebook.locator(".peerkit-rating").first
    os.kill(_kernel_pid(lab_server), signal.SIGKILL)
    lab.wait_until(lambda: GONE in rating.locator(".peerkit-gone").inner_text(), timeout=30,
                   message=f"after the kernel died the rating does not say it can no longer save: "
                           f"{rating.inner_text()[:300]!r}")
    first = rating.locator("fieldset").first
    first.locator("label.peerkit-choice").nth(2).click(force=True)
    let_the_page_draw(lab.page)
    assert first.locator("input:checked").count() == 0, "the rating took a click after its kernel died"
    assert lab_server.store().answers("core_skills") == {}, "something was saved after the kernel died"
