"""Hostile text on every surface that draws group answers never runs in Chromium.

Each input below is put wherever text from outside reaches the page: learners'
shared reflections, a cohort's name, a group label, the title and item texts of an
exercise file, a reflection or goal in the learner's portfolio, a hand-in file's name,
what the cohort server replies. The generated HTML of ``pk.compare``, the trainer's
live-session panel (against the real cohort server), the portfolio HTML download and the
learner's panels (progress, portfolio, live session banner) is loaded into a plain Chromium page
(``page.set_content``; these surfaces are pure HTML), every link is clicked and every
element hovered, and the page is then
checked: nothing pushed to ``window.__pwned``, no dialog, no element with an
``on…`` handler, no ``javascript:`` link, no iframe, no script but none at all.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

import tests.support.server as server_fixtures  # noqa: E402 - the real cohort server's helpers (fixtures: tests/conftest.py)
from tests.support.browser import let_the_page_draw  # noqa: E402

#: One call that any payload makes if it ever runs.
HIT = "window.__pwned.push"
HOSTILE = [
    f"<script>{HIT}('script')</script>",
    f"<img src=x onerror=\"{HIT}('img onerror')\">",
    f"<a href=\"javascript:{HIT}('javascript link')\">read more</a>",
    f"<svg onload=\"{HIT}('svg onload')\"><circle r=9 /></svg>",
    f"<iframe srcdoc=\"<script>parent.{HIT.removeprefix('window.')}('iframe srcdoc')</script>\"></iframe>",
    f"[click me](javascript:{HIT}('markdown link'))",
    f"\"><script>{HIT}('attribute break-out')</script>",
    f"' onmouseover='{HIT}(\"single-quote attribute\")' x='",
    f"</textarea></style></title><script>{HIT}('end tags')</script>",
    f"<details open ontoggle=\"{HIT}('details ontoggle')\">x</details>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=\"{HIT}('mutation xss')\">",
]
ALL = " ".join(HOSTILE)


def _check_page(browser: Any, html: str, where: str) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.add_init_script("window.__pwned = [];")
        page.set_content("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + html + "</body></html>",
                         wait_until="load")
        page.evaluate("window.__pwned = window.__pwned || []")
        # before anything is clicked (a javascript: link, once clicked, replaces the whole page)
        script_links = page.evaluate("""() => [...document.querySelectorAll('[href], [src], [action], [formaction]')]
            .map(el => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action') || '')
            .filter(v => /^\\s*javascript:/i.test(v))""")
        assert not script_links, f"{where}: javascript: links in the page: {script_links}"
        # a learner or trainer moves over and clicks things; an ordinary link (the progress table's chapter links)
        # would navigate this test page away and leave nothing to read, so only its navigation is cancelled
        page.evaluate("""() => document.addEventListener('click', event => {
            const link = event.target.closest && event.target.closest('a');
            if (link && !/^\\s*javascript:/i.test(link.getAttribute('href') || '')) event.preventDefault();
        }, true)""")
        for link in page.locator("a").all():
            try:
                link.click(timeout=500, no_wait_after=True)
            except Exception:  # noqa: BLE001 - an invisible link cannot be clicked: fine
                pass
        page.evaluate("""() => document.querySelectorAll('*').forEach(el => {
            el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
        })""")
        let_the_page_draw(page)
        found = page.evaluate("""() => ({
            pwned: window.__pwned,
            handlers: [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
                .filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name)),
            links: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
                .map(el => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action') || '')
                .filter(v => /^\\s*javascript:/i.test(v)),
            frames: document.querySelectorAll('iframe, frame, object, embed').length,
            scripts: document.querySelectorAll('script').length,
            svg: document.querySelectorAll('svg').length,
            text: document.body.innerText,
        })""")
    finally:
        page.close()
    assert not found["pwned"] and not dialogs, f"{where}: hostile input ran: {found['pwned']} {dialogs}"
    assert not found["handlers"], f"{where}: event handlers in the page: {found['handlers']}"
    assert not found["links"] and not found["frames"] and not found["scripts"] and not found["svg"], \
        f"{where}: {found}"
    assert "window.__pwned.push('script')" in found["text"], f"{where}: the hostile text is not shown as text"


@pytest.fixture
def hostile_exercise(add_exercise) -> str:
    """A choice exercise whose title and item texts are hostile (a tampered or careless content file)."""
    return add_exercise({
        "id": "hostile_matrix", "kind": "choice_matrix", "title": HOSTILE[0], "chapter": "02_boundaries",
        "instructions": "x", "scale": [{"value": "never", "label": HOSTILE[1]}, {"value": "maybe", "label": "Maybe"},
                                       {"value": "always", "label": HOSTILE[2]}],
        "items": [{"id": f"H{i:02d}", "text": text[:300]} for i, text in enumerate(HOSTILE, 1)],
    })


def _choice_group(exercise: str, people: int = 7) -> pd.DataFrame:
    from peerkit.exercises import load_exercise

    items = load_exercise(exercise).item_ids
    options = ["never", "maybe", "always"]
    return pd.DataFrame([{"learner": f"p{p}", "exercise": exercise, "item": item, "value": options[(p + i) % 3]}
                         for p in range(people) for i, item in enumerate(items)])


def _reflections(people: int = 6) -> pd.DataFrame:
    return pd.DataFrame([{"learner": f"p{p}", "exercise": "welcome_reflection", "item": "R1",
                          "value": {"text": HOSTILE[p % len(HOSTILE)] + " " + ALL}} for p in range(people)])


def test_pk_compare_runs_no_hostile_input(browser, hostile_exercise) -> None:
    from peerkit.widgets.group_comparison import GroupComparison

    comparison = GroupComparison(hostile_exercise, group=_choice_group(hostile_exercise), group_label=ALL,
                                 follow=False)
    _check_page(browser, comparison.view.value, "pk.compare")
    rating = GroupComparison("core_skills", group=pd.DataFrame(
        [{"learner": f"p{p}", "exercise": "core_skills", "item": "C01", "value": 3} for p in range(6)]),
        group_label=ALL, follow=False)
    _check_page(browser, rating.view.value, "pk.compare (rating)")


def test_the_portfolio_html_runs_no_hostile_input(browser, store, tmp_path, hostile_exercise) -> None:
    from peerkit.portfolio_io import write_portfolio

    for n, text in enumerate(HOSTILE):
        store.save("welcome_reflection" if n % 2 else "boundaries_reflection", "R1" if n < 6 else "R2",
                   {"text": text + " " + ALL, "share": False})
    # a choice exercise with hostile title, items and option labels: the answers table of the page
    for i in range(1, len(HOSTILE) + 1):
        store.save(hostile_exercise, f"H{i:02d}", ["never", "maybe", "always"][i % 3])
    # a SMART goal: labelled parts, each with learner text
    store.save("smart_goal", "G-0000abcd", {"action": ALL, "why": HOSTILE[3] + "\n\n" + HOSTILE[4],
                                            "resources": HOSTILE[6], "realistic": True, "start": "2027-01-01",
                                            "end": "2027-02-01", "created": "2026-12-01T10:00:00+00:00"})
    store.save("recovery_language", "L1", HOSTILE[7] + " " + ALL)  # a reframe: one free text
    paths = write_portfolio(tmp_path / "exports", store=store)
    page = paths["html"].read_text(encoding="utf-8")
    assert "<table>" in page and "<dl>" in page and "<blockquote>" in page  # every way an answer is drawn
    _check_page(browser, page, "portfolio HTML")


def _html_values(widget: Any) -> list[str]:
    """The value of every ``widgets.HTML`` inside ``widget`` (what the notebook draws as HTML)."""
    import ipywidgets as widgets

    values = [widget.value] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        values += _html_values(child)
    return values


def test_the_trainers_live_session_panel_runs_no_hostile_input(browser, hostile_exercise, start_server,
                                                                 sqlite_db) -> None:
    from peerkit.widgets.live_session import LiveSession

    server = start_server(sqlite_db)  # the real cohort server, on loopback
    panel = LiveSession(server.url, server_fixtures.add_trainer(server))
    assert panel.client is not None, panel.status
    made = panel.create_cohort(ALL[:200])  # the cohort's name, drawn large with its join code
    assert made, panel.status
    assert "&lt;script&gt;" in panel._code.value
    # hand-in files with hostile names: the status line names the ones that are not JSON
    panel.upload([(ALL[:120] + ".json", b"{"), (HOSTILE[1] + ".json", b"not json")])
    assert "window.__pwned.push" in panel.status
    code_and_status = "".join(_html_values(panel))
    # the counts table names each exercise the server counted: by its title in this kernel's course files
    # (the hostile exercise), or by its id where this kernel does not know it (an id the server sent)
    real = panel.client.cohort_aggregates
    panel.client.cohort_aggregates = lambda cohort: {**real(cohort), "members": 7, "exercises": {
        hostile_exercise: {"respondents": 6}, ALL[:200]: {"respondents": 5}}}
    answer = panel.refresh()
    assert answer and "<table" in panel._counts.value
    _check_page(browser, code_and_status + "".join(_html_values(panel)), "live-session panel")
    panel.close()


def test_the_learners_panels_run_no_hostile_input(browser, store, hostile_exercise) -> None:
    from peerkit.widgets.live_panel import LivePanel
    from peerkit.widgets.portfolio_panel import PortfolioPanel
    from peerkit.widgets.progress_view import ProgressView

    store.save("welcome_reflection", "R1", {"text": ALL, "share": False})
    html = "".join(_html_values(ProgressView(store=store)))  # the hostile exercise's title in the course map
    portfolio = PortfolioPanel(store=store)
    portfolio.download()  # download links name the files
    portfolio.ask_to_delete()
    portfolio.status = ALL  # any message the panel shows
    html += "".join(_html_values(portfolio))
    panel = LivePanel(store, start=False)  # not joined: no server asked
    panel.show({"place": {"title": ALL, "exercise_title": ALL, "notebook": f"javascript:{HIT}('notebook link')"},
                "timer": None, "activity": None, "poll": None, "wall": None})
    html += "".join(_html_values(panel))
    panel.show({"place": {"title": ALL, "exercise_title": None, "notebook": HOSTILE[6]},
                "timer": None, "activity": None, "poll": None, "wall": None})
    html += "".join(_html_values(panel))
    panel.close()
    _check_page(browser, html, "learner panels")


@pytest.mark.parametrize("payload", [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[3], HOSTILE[4]])
def test_the_check_catches_each_payload_left_unescaped(browser, payload) -> None:
    # the check itself can fail: the same payload glued into HTML by hand is caught
    with pytest.raises(AssertionError):
        _check_page(browser, f"<p>{payload}</p><p>{HIT}('script')</p>", "unescaped")
