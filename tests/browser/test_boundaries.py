"""The boundaries chapter used as a learner uses it: mouse, keyboard alone, restart, chart.

Answers given in the page must reach the kernel's store (read here straight from the
SQLite file in the server's PEERKIT_HOME), come back checked after the kernel is
restarted and every cell run again, and show in the comparison's text summary.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CHAPTER = "02_boundaries.ipynb"
EXERCISE = "boundaries"


def _row(lab, item: str):
    return lab.notebook.locator(f'.peerkit-matrix fieldset[data-item="{item}"]')


def _focused(lab) -> dict:
    return lab.page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName, type: el.type || '', value: el.value || '', checked: !!el.checked,
                item: (el.closest('fieldset[data-item]') || {dataset: {}}).dataset.item || ''};
    }""")


def _checked(lab) -> dict[str, str]:
    return lab.notebook.locator(".peerkit-matrix").first.evaluate("""root => Object.fromEntries(
        [...root.querySelectorAll('input[type=radio]:checked')].map(i => [i.dataset.item, i.value]))""")


def _summary(lab) -> str:
    return lab.notebook.locator(".peerkit-comparison .peerkit-summary").first.inner_text()


def _marked(lab) -> dict[str, str]:
    """The learner's answers as the group chart marks them: ``{item: value}`` of each segment holding a diamond.

    (The summary no longer counts how often the learner "matched" the group: issue 22 removed that
    nudge to conform, so the chart's own marks say whether it follows the learner's answers.)
    """
    return lab.notebook.locator(".peerkit-comparison .peerkit-choice-split").first.evaluate(
        """(chart) => Object.fromEntries([...chart.querySelectorAll('.pk-seg')]
             .filter(seg => seg.querySelector('.pk-own'))
             .map(seg => [seg.closest('[data-item]').dataset.item, seg.dataset.value]))""")


def test_answers_by_mouse_and_keyboard_survive_a_restart(lab, lab_server) -> None:
    if lab_server.store_path.exists():
        lab_server.store().delete(EXERCISE)  # other tests may have answered; start from none
    lab.open(CHAPTER)
    lab.run_all()
    matrix = lab.notebook.locator(".peerkit-matrix")
    assert matrix.count() == 1, f"{CHAPTER}: expected one boundary matrix, found {matrix.count()}"
    assert _checked(lab) == {}, "the matrix starts with answers although the store was emptied"

    # -- the keyboard alone: Tab into the first group, Space, arrows -------------------------
    # The click only sets where Tab starts from: it selects the cell (the title itself is not
    # focusable). From there Tab passes the cell's own toolbar buttons, then enters the matrix.
    matrix.locator(".peerkit-matrix-title").click()
    keyboard = lab.page.keyboard
    stops = []
    for _ in range(8):
        keyboard.press("Tab")
        focus = _focused(lab)
        stops.append(focus["tag"].lower() + (f"[{focus['item']}]" if focus["item"] else ""))
        if focus["item"]:
            break
    assert (focus["type"], focus["item"], focus["value"]) == ("radio", "B01", "never"), (
        f"Tab from the matrix title should reach the first option of row 1; focus went {' > '.join(stops)} "
        f"and is on {focus}")
    keyboard.press("Space")            # B01: never
    keyboard.press("ArrowRight")       # B01: maybe (arrows move and select inside a radio group)
    keyboard.press("Tab")              # into row 2
    focus = _focused(lab)
    assert focus["item"] == "B02", f"Tab should move from row 1 to row 2; focus is on {focus}"
    keyboard.press("ArrowDown")        # B02: maybe
    keyboard.press("ArrowDown")        # B02: always
    keyboard.press("Tab")              # into row 3
    keyboard.press("Space")            # B03: never
    focus = _focused(lab)
    assert focus == {"tag": "INPUT", "type": "radio", "value": "never", "checked": True, "item": "B03"}, (
        f"Space should select the focused option of row 3; focus is on {focus}")

    # -- the mouse: click the option's visible label ------------------------------------------
    _row(lab, "B05").get_by_text("Always OK", exact=True).click()
    _row(lab, "B10").get_by_text("Maybe OK", exact=True).click()
    _row(lab, "B10").get_by_text("Never OK", exact=True).click()   # a change of mind

    expected = {"B01": "maybe", "B02": "always", "B03": "never", "B05": "always", "B10": "never"}
    assert _checked(lab) == expected, "the page does not show the answers just given"
    lab.wait_until(lambda: lab_server.store().answers(EXERCISE) == expected, timeout=10,
                   message=f"the kernel's store never held exactly {expected}; "
                           f"it holds {lab_server.store().answers(EXERCISE)}")
    # the count shows only answers the kernel confirmed, which it reports just after writing them
    progress = lab.notebook.locator(".peerkit-matrix .peerkit-progress")
    lab.wait_until(lambda: progress.inner_text().startswith("Answered 5 of 27"), timeout=10,
                   message=lambda: f"after the store held all five, the matrix says {progress.inner_text()!r}")

    # -- the chart follows on Refresh ---------------------------------------------------------
    lab.notebook.locator(".peerkit-comparison").get_by_role("button", name="Refresh chart").click()
    lab.wait_until(lambda: _marked(lab) == expected, timeout=15,
                   message=lambda: f"after Refresh the chart marks {_marked(lab)} instead of {expected}")

    # -- restart the kernel and run everything again: the answers come back from the store -----
    old_view = matrix.get_attribute("aria-labelledby")
    lab.restart_and_run_all()
    assert matrix.count() == 1 and matrix.get_attribute("aria-labelledby") != old_view, (
        "the matrix was not drawn again after the restart")
    assert not lab.cell_failures(), "\n".join(lab.cell_failures())
    assert _checked(lab) == expected, (
        f"after a restart the matrix shows {_checked(lab)} instead of the stored answers {expected}")
    assert lab.notebook.locator(".peerkit-matrix .peerkit-progress").inner_text().startswith("Answered 5 of 27")
    assert lab_server.store().answers(EXERCISE) == expected, "restarting changed the stored answers"

    # -- and the chart, drawn by the new kernel, shows them ------------------------------------
    assert _marked(lab) == expected, f"after the restart the chart marks {_marked(lab)} instead of {expected}"
    summary = _summary(lab)
    assert "40 people in the synthetic reference group" in summary and "matched" not in summary, summary
    divided = lab.notebook.locator(".peerkit-comparison ol li", has_text="personal phone number")
    if divided.count():  # B03 is among the most divided items of the reference group
        assert "You answered Never OK." in divided.first.inner_text()
    chart = lab.notebook.locator(".peerkit-comparison .peerkit-html-chart")
    assert chart.locator("[role=listitem]").count() == 27, "the chart should have a row per item"
    # the learner's own answers are marked in the chart itself, in words for screen readers too
    assert chart.get_by_text("(your answer)").count() == len(expected), "the chart should mark each answer given"
    errors = lab.real_console_errors()
    assert not errors, "the browser console reported errors:\n" + "\n".join(errors)
