"""Issue 22 in Chromium at 1366×768: every consent text in the join panel read whole, "share all"
leaving the personal exercises unticked, a wrong knowledge-check answer naming the right one, and
"I'd rather not answer" reached from the keyboard. Measured on the drawn page; the store is read
straight from the server's PEERKIT_HOME."""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# Computed here, not imported (see test_widget_layout.py): the same folder as the conftest's SCREENSHOTS.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WELCOME = "00_welcome.ipynb"
BOUNDARIES = "02_boundaries.ipynb"
SIZE = {"width": 1366, "height": 768}


def _open(lab, name: str) -> None:
    lab.page.set_viewport_size(SIZE)
    lab.open_and_run(name)


def test_every_consent_label_is_shown_whole_and_share_all_skips_the_personal_ones(lab, lab_server) -> None:
    from peerkit.exercises import exercise_ids, load_exercise

    _open(lab, WELCOME)
    panel = lab.notebook.locator(".peerkit-sharing").first
    panel.wait_for(timeout=30_000)
    labels = panel.locator("label.peerkit-consent")
    # one per exercise, "share all" (the research tick only where this peerkit can record it)
    assert labels.count() >= len(exercise_ids()) + 1, f"only {labels.count()} consent labels"
    cut = labels.evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight"
        " || [...e.querySelectorAll('span')].some(s => s.scrollWidth > s.clientWidth))"
        ".map(e => [e.scrollWidth, e.clientWidth, e.textContent.slice(0, 60)])")
    assert not cut, f"consent texts cut off (scroll width > client width): {cut}"
    clipped = labels.evaluate_all(
        "els => els.filter(e => getComputedStyle(e).textOverflow === 'ellipsis' || "
        "getComputedStyle(e).whiteSpace === 'nowrap').length")
    assert clipped == 0, f"{clipped} consent labels are one-line (nowrap or ellipsis)"
    # grouped by chapter, in course order
    legends = panel.locator("fieldset[data-chapter] > legend").all_inner_texts()
    assert legends[:3] == ["Chapter 0: Welcome", "Chapter 1: What is peer support?", "Chapter 2: Boundaries"]

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    panel.locator("h4").scroll_into_view_if_needed()
    lab.page.screenshot(path=str(SCREENSHOTS / "join-panel-1366.png"))  # what a learner sees first
    with lab.whole_notebook_in_view():
        panel.screenshot(path=str(SCREENSHOTS / "join-panel-whole.png"))

    # "share all" from the keyboard: every box but the personal ones
    everything = panel.locator("label.peerkit-consent-all input")
    everything.focus()
    lab.page.keyboard.press("Space")
    personal = [e for e in exercise_ids() if load_exercise(e).personal]
    lab.wait_until(lambda: panel.locator("input[data-exercise]:checked").count() == len(exercise_ids()) - len(personal),
                   timeout=10, message="“share all” did not tick every exercise but the personal ones")
    for exercise in personal:
        box = panel.locator(f'input[data-exercise="{exercise}"]')
        assert not box.is_checked(), f"“share all” ticked the personal exercise {exercise}"
        note = panel.locator(f'label[data-personal="true"]:has(input[data-exercise="{exercise}"])').inner_text()
        assert "never ticked by “share all”" in note, note
    lab.page.keyboard.press("Space")  # and off again: unticking "share all" leaves every box as it was
    assert panel.locator("input[data-exercise]:checked").count() == len(exercise_ids()) - len(personal)


def test_a_wrong_answer_names_the_right_one_and_rather_not_is_reached_by_keyboard(lab, lab_server) -> None:
    for exercise in ("boundaries", "boundaries_check"):
        if lab_server.store_path.exists():
            lab_server.store().delete(exercise)
    _open(lab, BOUNDARIES)

    quiz = lab.notebook.locator(".peerkit-quiz").first
    question = quiz.locator('fieldset[data-item="Q1"]')
    question.locator("label.peerkit-choice", has_text="Once something has gone wrong").click()
    lab.wait_until(lambda: lab_server.store().answers("boundaries_check") == {"Q1": ["a"]}, timeout=10,
                   message="the choice never reached the store")
    question.get_by_role("button", name="Check answer").click()
    feedback = question.locator(".peerkit-feedback")
    lab.wait_until(lambda: "fits best" in feedback.inner_text(), timeout=10,
                   message=f"no feedback after a wrong try: {feedback.inner_text()!r}")
    text = feedback.inner_text()
    assert text.startswith("Not quite.") and "You chose “Once something has gone wrong" in text, text
    assert "The answer that fits best is “At the start, and again from time to time”" in text, text
    question.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lab.page.screenshot(path=str(SCREENSHOTS / "knowledge-check-wrong-1366.png"))
    question.screenshot(path=str(SCREENSHOTS / "knowledge-check-wrong.png"))

    # "I'd rather not answer": the last radio of the row's group, reached with an arrow key
    matrix = lab.notebook.locator(".peerkit-matrix").first
    row = matrix.locator('fieldset[data-item="B26"]')
    rather_not = row.locator("input[data-rather-not]")
    assert row.locator(".peerkit-rather-not").inner_text().strip() == "I'd rather not answer"
    debrief = matrix.locator('.peerkit-debriefs .peerkit-debrief[data-item="B26"]')
    assert debrief.is_hidden(), "the debrief shows before the row is answered"
    row.locator("input[value=always]").focus()
    lab.page.keyboard.press("ArrowDown")
    lab.wait_until(lambda: lab_server.store().answers("boundaries").get("B26") == "rather_not", timeout=10,
                   message=f"the arrow key did not reach “I'd rather not answer”: {lab_server.store().answers('boundaries')}")
    lab.wait_until(lambda: row.get_attribute("data-save-state") == "saved", timeout=10, message="never saved")
    assert rather_not.is_checked() and debrief.is_hidden(), "after “rather not” the debrief must stay hidden"
    row.locator("label.peerkit-choice", has_text="Never OK").click()
    lab.wait_until(lambda: debrief.is_visible(), timeout=10, message="the debrief never showed after an answer")
    assert "limits of confidentiality" in debrief.inner_text()
    matrix.locator(".peerkit-debriefs").screenshot(path=str(SCREENSHOTS / "matrix-debriefs.png"))
