"""The small things of issue 14.6, measured in Chromium: what a learner would see go wrong.

Chapter 2 holds a boundary matrix, a reflection and a knowledge check; chapter 5 a reframe.
Each check measures the drawn page (boxes, lines, text), not the source, and reads the
kernel's store straight from the SQLite file in the server's PEERKIT_HOME.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# Computed here, not imported: tests/ has no packages, so "conftest" may name another folder's
# conftest (the one pytest loaded last). Same folder as tests/browser/conftest.py's SCREENSHOTS.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

BOUNDARIES = "02_boundaries.ipynb"
LANGUAGE = "05_language_and_sharing.ipynb"


def _clear_with_the_keyboard(lab, box, what: str, where: str, *, start: str, stored: Callable[[], dict],
                             cleared: Callable[[dict], bool]) -> None:
    """``box`` (a row, an item) has a "Clear this <what>" button, described by its legend, reached with Shift+Tab
    from the option ``start`` and pressed with Enter: the store is ``cleared``, nothing in ``box`` is chosen,
    the focus stays in it and the button hides."""
    clear = box.get_by_role("button", name=f"Clear this {what}")
    assert clear.is_visible(), f"an answered {where} shows no Clear button"
    described = clear.evaluate("b => document.getElementById(b.getAttribute('aria-describedby')).textContent")
    assert described == box.locator("legend").inner_text(), f"the Clear button is described as {described!r}"
    box.locator(start).focus()
    lab.page.keyboard.press("Shift+Tab")
    assert clear.evaluate("b => b === document.activeElement"), "Shift+Tab from the options does not reach Clear"
    lab.page.keyboard.press("Enter")
    lab.wait_until(lambda: cleared(stored()), timeout=10,
                   message=lambda: f"Clear did not delete the {what}: the store holds {stored()}")
    assert box.locator("input:checked").count() == 0, f"the cleared {where} still shows a {what}"
    assert box.evaluate("r => r.contains(document.activeElement)"), f"after Clear the focus left the {where}"
    assert not clear.is_visible(), f"a blank {where} still offers Clear"


def _boxes(locator) -> list[dict]:
    return locator.evaluate_all("els => els.map(e => { const b = e.getBoundingClientRect(); "
                                "return {x: b.x, y: b.y, w: b.width, h: b.height}; })")


def _boxes_in(locator, frame) -> list[dict]:
    """Boxes relative to ``frame``'s box, so that scrolling does not count as moving."""
    origin = _boxes(frame)[0]
    return [{**b, "x": round(b["x"] - origin["x"], 1), "y": round(b["y"] - origin["y"], 1),
             "w": round(b["w"], 1), "h": round(b["h"], 1)} for b in _boxes(locator)]


def test_matrix_rows_can_be_cleared_and_choosing_moves_nothing(lab, lab_server) -> None:
    for exercise in ("boundaries", "boundaries_reflection", "boundaries_check"):
        if lab_server.store_path.exists():
            lab_server.store().delete(exercise)
    lab.open_and_run(BOUNDARIES)
    matrix = lab.notebook.locator(".peerkit-matrix").first
    row = matrix.locator('fieldset[data-item="B04"]')
    labels = row.locator("label.peerkit-choice")
    before = _boxes_in(labels, row)
    row_height = _boxes(row)[0]["h"]

    # Choosing: "Saving…" until the kernel has it, then marked; no option moves or changes size.
    labels.nth(1).click()
    lab.wait_until(lambda: lab_server.store().answers("boundaries") == {"B04": "maybe"}, timeout=10,
                   message="the choice never reached the store")
    lab.wait_until(lambda: row.get_attribute("data-save-state") == "saved", timeout=10,
                   message="the row never showed the choice as saved")
    after = _boxes_in(labels, row)
    assert after == before, f"choosing an option moved the options: {before} -> {after}"
    assert _boxes(row)[0]["h"] == row_height, "choosing an option changed the row's height"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    row.screenshot(path=str(SCREENSHOTS / "matrix-row-answered.png"))  # for a person to look at

    # The row has a labelled Clear button, reached with Tab and pressed with Enter.
    _clear_with_the_keyboard(lab, row, "answer", "row", start="input[value=maybe]",
                             stored=lambda: lab_server.store().answers("boundaries"), cleared=lambda answers: answers == {})


def test_radios_keep_their_size_when_text_wraps(lab, lab_server) -> None:
    lab.open_and_run(BOUNDARIES)
    lab.page.set_viewport_size({"width": 700, "height": 900})  # long quiz options wrap
    quiz = lab.notebook.locator(".peerkit-quiz").first
    radios = quiz.locator("input[type=radio]")
    sizes = {(round(b["w"]), round(b["h"])) for b in _boxes(radios)}
    wrapped = quiz.locator("label.peerkit-choice").evaluate_all(
        "els => els.filter(e => e.getBoundingClientRect().height > 40).length")
    assert wrapped, "no option wraps at 700 px: the check would prove nothing"
    assert len(sizes) == 1, f"radio buttons differ in size when their text wraps: {sizes}"


def test_reflection_count_and_saved_stand_apart_and_share_has_room(lab, lab_server) -> None:
    lab.open_and_run(BOUNDARIES)
    reflection = lab.notebook.locator(".peerkit-reflection").first
    box = reflection.locator("textarea").first
    box.fill("I noticed that I say yes too fast.")
    box.blur()
    meta = reflection.locator(".peerkit-meta").first
    lab.wait_until(lambda: "Saved." in meta.inner_text(), timeout=10,
                   message=f"the reflection never said Saved.: {meta.inner_text()!r}")
    count, saved = _boxes(meta.locator("span"))[:2]
    assert saved["x"] - (count["x"] + count["w"]) >= 12, f"word count and 'Saved.' touch: {count} {saved}"

    share = reflection.locator("label.peerkit-check").first
    clear = reflection.get_by_role("button", name="Clear this reflection").first
    share_box, clear_box = _boxes(share)[0], _boxes(clear)[0]
    apart = clear_box["y"] - (share_box["y"] + share_box["h"])
    assert apart >= 4, f"the share box sits against the Clear button: {share_box} {clear_box}"


def test_example_answers_can_be_hidden_again(lab, lab_server) -> None:
    if lab_server.store_path.exists():
        lab_server.store().delete("recovery_language")
    lab.open_and_run(LANGUAGE)
    reframe = lab.notebook.locator(".peerkit-reframe").first
    first = reframe.locator("fieldset").first
    first.locator("textarea").fill("A person living with schizophrenia")
    first.locator("textarea").blur()
    show = first.get_by_role("button", name="Show example answers")
    show.click()
    hide = first.get_by_role("button", name="Hide example answers")
    lab.wait_until(lambda: hide.count() == 1, timeout=10,
                   message=f"after showing the examples the button reads {first.locator('button').all_inner_texts()}")
    assert hide.get_attribute("aria-expanded") == "true"
    assert first.locator(".peerkit-examples li").count() >= 1
    hide.click()
    lab.wait_until(lambda: first.locator(".peerkit-examples li").count() == 0, timeout=10,
                   message="Hide example answers did not hide them")
    assert show.get_attribute("aria-expanded") == "false"


def test_a_finished_smart_goal_is_shown_once(lab, lab_server) -> None:
    from datetime import date, timedelta

    if lab_server.store_path.exists():
        lab_server.store().delete("smart_goal")
    lab.open_and_run("03_empowerment_and_recovery.ipynb")
    builder = lab.notebook.locator(".peerkit-smart-goal")
    builder.get_by_role("button", name="Start a new goal").click()
    for label, text in (("What exactly will you do?", "walk to the park three mornings a week"),
                        ("Why does this goal matter to you?", "it clears my head")):
        builder.get_by_label(label).fill(text)
        builder.get_by_label(label).blur()
    builder.locator("textarea[data-field=resources]").fill("my neighbour, who walks too")
    builder.locator("textarea[data-field=resources]").blur()
    builder.get_by_role("checkbox", name="I have thought it over").check()
    builder.get_by_label("Start date").fill((date.today() + timedelta(days=1)).isoformat())
    builder.get_by_label("End date").fill((date.today() + timedelta(days=60)).isoformat())
    feedback = builder.locator(".peerkit-goal-feedback")
    lab.wait_until(lambda: "All five parts are in place" in feedback.inner_text(), timeout=15,
                   message=f"the goal never became complete: {feedback.inner_text()!r}")
    statement = feedback.locator(".peerkit-goal-statement").inner_text()
    def seen() -> str:
        """The builder's text as drawn on the screen (not the screen-reader-only announcement)."""
        return builder.evaluate("""root => {
            const quiet = [...root.querySelectorAll('.peerkit-sr-only')];
            quiet.forEach(e => { e.dataset.display = e.style.display; e.style.display = 'none'; });
            const text = root.innerText;
            quiet.forEach(e => { e.style.display = e.dataset.display; });
            return text; }""")

    save_line = builder.locator(".peerkit-save-state")  # the shared "Saving…" / saved line (common.js)
    lab.wait_until(lambda: save_line.inner_text() == "Your answers are saved.", timeout=10,
                   message=f"the builder's save line reads {save_line.inner_text()!r}")
    shown = seen().count(statement)
    assert shown == 1, f"the finished goal is shown {shown} times while it is open in the editor"
    builder.get_by_role("button", name="Done with this goal").click()
    lab.wait_until(lambda: seen().count(statement) == 1 and not feedback.count(), timeout=10,
                   message=f"after Done the goal is shown {seen().count(statement)} times")


def test_ratings_can_be_cleared_from_the_keyboard(lab, lab_server) -> None:
    if lab_server.store_path.exists():
        lab_server.store().delete("core_skills")
    lab.open_and_run("01_what_is_peer_support.ipynb")
    rating = lab.notebook.locator(".peerkit-rating").first
    item = rating.locator('fieldset[data-item="C01"]')
    assert item.locator("button.peerkit-clear").count() == 1
    assert not item.locator("button.peerkit-clear").is_visible(), "an unrated item offers Clear"
    item.locator("label.peerkit-choice").nth(2).click()
    lab.wait_until(lambda: "C01" in lab_server.store().answers("core_skills"), timeout=10,
                   message="the rating never reached the store")
    lab.wait_until(lambda: item.get_attribute("data-save-state") == "saved", timeout=10,
                   message="the item never showed the rating as saved")
    _clear_with_the_keyboard(lab, item, "rating", "item", start="input[type=radio]:checked",
                             stored=lambda: lab_server.store().answers("core_skills"),
                             cleared=lambda answers: "C01" not in answers)


def test_restore_is_a_labelled_file_input_without_a_count(lab, lab_server, tmp_path) -> None:
    import json

    from peerkit.portfolio_io import export_json

    store = lab_server.store()
    store.save("boundaries", "B05", "maybe")
    portfolio = tmp_path / "peerkit-portfolio-mine.json"
    portfolio.write_text(json.dumps(export_json(store)), encoding="utf-8")
    lab.open_and_run("07_review_and_portfolio.ipynb")
    panel = lab.notebook.locator(".peerkit-portfolio").first
    assert "(0)" not in panel.inner_text(), f"the panel still shows a count: {panel.inner_text()!r}"
    chooser = panel.get_by_label("Restore from a file")
    assert chooser.evaluate("e => e.tagName === 'INPUT' && e.type === 'file'"), "not a file input"
    assert ".json" in (chooser.get_attribute("accept") or "")
    hint = chooser.evaluate("e => document.getElementById(e.getAttribute('aria-describedby')).textContent")
    assert "Download my answers" in hint, hint  # the hint names the button that made the file
    panel.get_by_role("button", name="Download my answers").focus()
    lab.page.keyboard.press("Tab")
    assert chooser.evaluate("e => e === document.activeElement"), "Tab from Download does not reach the file input"
    chooser.set_input_files(str(portfolio))
    status = panel.locator("[role=status]").last
    lab.wait_until(lambda: portfolio.name in status.inner_text(), timeout=15,
                   message=f"restoring said {status.inner_text()!r}")
    assert chooser.input_value() == "", "the input keeps the file, so the same file cannot be chosen again"
