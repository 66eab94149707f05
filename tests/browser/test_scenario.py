"""A learner works through chapter 05's practice conversation with the keyboard alone.

Arrow keys move between responses without choosing; "Choose this response" chooses.
After every choice the feedback for it appears and takes the focus (a screen reader
reads it next) and the live region says what happened; Tab then reaches the next turn.
"Go back one step" reopens the last turn with the focus on it, and a different response
there leads to a different end. Every choice reaches the kernel's store (read straight
from the SQLite file), and axe-core finds nothing serious or critical in the widget.
A screenshot at 1366×768 is kept in test-artifacts/screenshots/.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import describe_violations, serious_violations

pytestmark = pytest.mark.browser

CHAPTER = "05_language_and_sharing.ipynb"
EXERCISE = "scenario_bad_week"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"  # as conftest.py keeps them


def _focus(lab) -> dict:
    return lab.page.evaluate("""() => {
        const el = document.activeElement;
        const turn = el.closest('[data-item]');
        return {tag: el.tagName, type: el.type || '', value: el.value || '', text: (el.innerText || '').slice(0, 300),
                cls: el.className || '', turn: el.dataset.turn || (turn ? turn.dataset.item : ''),
                checked: !!el.checked};
    }""")


def _tab_until(lab, wanted, *, limit: int = 12, what: str = "") -> dict:
    stops = []
    for _ in range(limit):
        lab.page.keyboard.press("Tab")
        focus = _focus(lab)
        stops.append(f"{focus['tag'].lower()}.{focus['cls'][:30]}[{focus['turn']}]")
        if wanted(focus):
            return focus
    raise AssertionError(f"Tab never reached {what}; focus went {' > '.join(stops)}")


def test_a_learner_works_through_the_chapter_05_scenario_with_the_keyboard(lab, lab_server, axe_source) -> None:
    from peerkit.exercises import load_exercise

    exercise = load_exercise(EXERCISE)
    if lab_server.store_path.exists():
        lab_server.store().delete(EXERCISE)
    lab.open(CHAPTER)
    lab.run_all()
    assert not lab.cell_failures(), "\n".join(lab.cell_failures())
    widget = lab.notebook.locator(".peerkit-scenario")
    assert widget.count() == 1, f"{CHAPTER}: expected one practice conversation, found {widget.count()}"
    assert "Honestly, this week has been awful" in widget.locator(".peerkit-scenario-situation").inner_text()
    announcer = widget.locator(".peerkit-sr-only[role=status]")
    keyboard = lab.page.keyboard

    def choose(turn: str, presses: list[str], value: str) -> dict:
        """Reach turn's responses with Tab, move with the arrows, choose with Enter; return the focus after."""
        focus = _tab_until(lab, lambda f: f["type"] == "radio" and f["turn"] == turn, what=f"turn {turn}'s responses")
        for key in presses:
            keyboard.press(key)
        focus = _focus(lab)
        assert (focus["value"], focus["checked"]) == (value, True), f"at {turn} the arrows reached {focus}"
        assert turn not in lab_server.store().answers(EXERCISE), "moving between responses must not choose one"
        keyboard.press("Tab")
        focus = _focus(lab)
        assert focus["text"] == "Choose this response", f"Tab from the responses should reach the button: {focus}"
        keyboard.press("Enter")
        # the feedback for this very choice takes the focus once the kernel has answered
        lab.wait_until(lambda: _focus(lab)["turn"] == turn and "peerkit-scenario-feedback" in _focus(lab)["cls"],
                       timeout=10, message=lambda: f"after choosing at {turn} the focus is on {_focus(lab)}")
        feedback = _focus(lab)
        option = next(o for o in exercise.item(turn).details["options"] if o["value"] == value)
        assert option["feedback"][:60] in feedback["text"], f"{turn}: the focused feedback is {feedback['text']!r}"
        assert "Feedback: " in feedback["text"].splitlines()[0], feedback["text"]
        assert announcer.inner_text().startswith("Feedback:"), "the live region said nothing about the choice"
        return feedback

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lab.page.set_viewport_size({"width": 1366, "height": 768})
    widget.locator('fieldset[data-item="T1"]').scroll_into_view_if_needed()
    lab.page.screenshot(path=str(SCREENSHOTS / "scenario-chapter05-turn1-1366x768.png"))
    # Tab starts from the widget's title (a click selects the cell; the title itself is not focusable)
    widget.locator("h3").click()
    feedback = choose("T1", ["ArrowDown"], "advice")                  # a poor response ...
    assert "This gets in the way." in feedback["text"]
    scene = widget.locator('.peerkit-scenario-current[data-item="T1B"] .peerkit-scenario-scene')
    assert scene.inner_text().startswith("Sam shrugs"), "... leads to a turn that shows its effect"
    choose("T1B", ["Space"], "repair")                                 # Tab lands on the first; Space picks it
    choose("T2", ["Space"], "ask_share")
    choose("T3", ["Space"], "summarise")
    ending = widget.locator(".peerkit-scenario-ending")
    assert "Sam felt heard" in ending.inner_text() and "counts as done" in ending.inner_text()
    path = {"T1": "advice", "T1B": "repair", "T2": "ask_share", "T3": "summarise"}
    lab.wait_until(lambda: lab_server.store().answers(EXERCISE) == path, timeout=10,
                   message=lambda: f"the store holds {lab_server.store().answers(EXERCISE)}, not the path {path}")
    save_state = widget.locator(".peerkit-save-state")
    lab.wait_until(lambda: save_state.inner_text() == "Your answers are saved.", timeout=10,
                   message=lambda: f"the save line says {save_state.inner_text()!r}")

    # -- go back one step: the last turn reopens with the focus on it ------------------------------------
    _tab_until(lab, lambda f: f["text"] == "Go back one step", what="Go back one step")
    keyboard.press("Enter")
    lab.wait_until(lambda: _focus(lab)["type"] == "radio" and _focus(lab)["turn"] == "T3", timeout=10,
                   message=lambda: f"after Go back the focus is on {_focus(lab)}")
    assert not ending.is_visible(), "the end still shows after going back"
    lab.wait_until(lambda: "T3" not in lab_server.store().answers(EXERCISE), timeout=10,
                   message="going back did not remove the last choice from the store")
    assert announcer.inner_text().startswith("Back at:")
    # another response there leads to another end
    keyboard.press("ArrowDown")                                        # plan_for_them
    keyboard.press("Tab")
    keyboard.press("Enter")
    lab.wait_until(lambda: "The conversation closed down" in ending.inner_text(), timeout=10,
                   message=lambda: f"another path should end elsewhere; the page shows {ending.inner_text()!r}")
    assert "This gets in the way." in _focus(lab)["text"]
    lab.wait_until(lambda: lab_server.store().answers(EXERCISE) == {**path, "T3": "plan_for_them"}, timeout=10)
    # every turn on the path shows its feedback
    assert widget.locator(".peerkit-scenario-feedback").count() == 4

    # -- axe-core: nothing serious or critical in the widget ----------------------------------------------
    violations = serious_violations(lab.page, axe_source, [".peerkit-scenario"])
    assert not violations, "axe-core found problems in the scenario widget:\n" + describe_violations(violations)

    # -- what a learner sees at 1366×768 -------------------------------------------------------------------
    widget.locator('.peerkit-scenario-turn[data-item="T3"]').scroll_into_view_if_needed()
    lab.page.screenshot(path=str(SCREENSHOTS / "scenario-chapter05-1366x768.png"))
    # the first turn's feedback, higher up, for the person reading the report
    widget.locator('.peerkit-scenario-feedback[data-turn="T1"]').scroll_into_view_if_needed()
    lab.page.screenshot(path=str(SCREENSHOTS / "scenario-chapter05-first-turn-1366x768.png"))
    scroll_width, client_width = widget.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll_width <= client_width, "the widget is wider than its cell at 1366 px"
    errors = lab.real_console_errors()
    assert not errors, "the browser console reported errors:\n" + "\n".join(errors)


def test_the_safety_scenario_has_its_content_note_and_rather_not_ends_it_unsent(lab, lab_server) -> None:
    exercise = "scenario_not_here"
    if lab_server.store_path.exists():
        lab_server.store().delete(exercise)
    # JupyterLab may ask for a kernel later than lab.open looks for the dialog (seen after another test shut its
    # kernel down, on a busy machine): open_and_run takes the default, as a learner would
    lab.open_and_run("06_strengths_risk_and_self_care.ipynb")
    assert not lab.cell_failures(), "\n".join(lab.cell_failures())
    widget = lab.notebook.locator(".peerkit-scenario")
    note = widget.locator(".peerkit-scenario-note")
    assert "Content note." in note.inner_text() and "findahelpline.com" in note.inner_text()
    # the notebook's own content note, before the widget, offers a way past it
    skip = lab.notebook.get_by_role("link", name="skip it")
    assert skip.count() == 1 and skip.get_attribute("href") == "#after-the-safety-practice"
    widget.locator("h3").click()
    _tab_until(lab, lambda f: f["text"] == "I'd rather not go on with this one", what="the rather-not button")
    lab.page.keyboard.press("Enter")
    lab.wait_until(lambda: "peerkit-scenario-feedback" in _focus(lab)["cls"], timeout=10,
                   message=lambda: f"after 'rather not' the focus is on {_focus(lab)}")
    ending = widget.locator(".peerkit-scenario-ending")
    assert "You chose to stop here" in ending.inner_text() and "findahelpline.com" in ending.inner_text()
    assert "Stopping here counts as done" in ending.inner_text()
    lab.wait_until(lambda: lab_server.store().answers(exercise) == {"T1": "rather_not"}, timeout=10,
                   message=lambda: f"the store holds {lab_server.store().answers(exercise)}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lab.page.set_viewport_size({"width": 1366, "height": 768})
    note.scroll_into_view_if_needed()
    lab.page.screenshot(path=str(SCREENSHOTS / "scenario-chapter06-rather-not-1366x768.png"))
    errors = lab.real_console_errors()
    assert not errors, "the browser console reported errors:\n" + "\n".join(errors)
