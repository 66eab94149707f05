"""Accessibility of peerkit's widgets in every chapter, as the browser exposes them.

axe-core (installed from npm by ``make setup``, injected from node_modules, never
fetched) checks the widget outputs after the chapter has run; any serious or critical
violation inside them fails. Independently of axe, every control a learner operates
must have a non-empty accessible name, as Chromium computes it for a screen reader.
"""
from __future__ import annotations

import json

import pytest

from tests.support.browser import FAILING_IMPACTS

pytestmark = pytest.mark.browser

CONTROLS = ("input[type=radio], input[type=checkbox], input[type=text], input[type=date], input[type=number], "
            "input:not([type]), textarea, select, button")


def _unnamed_controls(lab) -> list[str]:
    """Each widget control whose accessible name (Chromium's, via the ARIA snapshot) is empty."""
    unnamed = []
    controls = lab.notebook.locator(f".jp-OutputArea-output :is({CONTROLS})")
    for index in range(controls.count()):
        control = controls.nth(index)
        if not control.is_visible():
            continue  # not exposed to a screen reader either
        snapshot = control.aria_snapshot().strip()
        # One line "- role \"name\" [states]"; a control without a name has no quoted part.
        first = snapshot.splitlines()[0] if snapshot else ""
        if '"' not in first.split(":")[0]:
            html = control.evaluate("el => el.outerHTML.slice(0, 160)")
            unnamed.append(f"{first or '(not in the accessibility tree)'}  <- {html}")
    return unnamed


def test_widgets_have_no_serious_accessibility_violations(chapter_run, axe_source: str) -> None:
    lab = chapter_run
    assert lab.run_error is None, f"{lab.name} could not be run: {lab.run_error}"
    violations = [v for v in lab.axe_violations(axe_source) if v["impact"] in FAILING_IMPACTS]
    report = [
        f"{v['impact'].upper()} {v['id']}: {v['help']} ({v['helpUrl']})\n"
        + "\n".join(f"    at {n['target']}: {n['html']}\n      {n['summary']}" for n in v["nodes"][:8])
        for v in violations
    ]
    assert not violations, f"{lab.name}: axe-core found problems in peerkit's widgets:\n" + "\n".join(report)


def test_every_control_has_an_accessible_name(chapter_run) -> None:
    lab = chapter_run
    assert lab.run_error is None, f"{lab.name} could not be run: {lab.run_error}"
    unnamed = _unnamed_controls(lab)
    assert not unnamed, (f"{lab.name}: {len(unnamed)} controls have no accessible name "
                         "(a screen reader would say only their role):\n" + "\n".join(unnamed[:20]))


def test_axe_reports_a_missing_name(lab, axe_source: str) -> None:
    """The check itself works: a radio stripped of its label inside a widget is reported."""
    lab.page.set_content(
        '<div class="jp-NotebookPanel"><div class="jp-OutputArea-output lm-Panel">'
        '<fieldset><legend>Row</legend><input type="radio" name="x" value="a"></fieldset></div></div>')
    lab.name = "synthetic page"
    found = lab.axe_violations(axe_source)
    assert any(v["id"] == "label" for v in found), json.dumps(found, indent=1)[:2000]
    assert _unnamed_controls(lab), "the unnamed radio was not reported"
