"""Text that is what it looks like (issue 19 part 5, the pages' half), in Chromium.

A right-to-left override (U+202E) in a learner's word must not reorder what stands
beside it: the word is isolated (``<bdi>``), so its count stays after it and the next
word keeps its place. The pages are the server's own templates, rendered as the server
renders them, so this holds whatever the scrubber lets through.
"""
from __future__ import annotations

from typing import Any

import pytest

from peerkit.server.web import render_template

RLO = "\u202e"


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 900, "height": 700})
    page = context.new_page()
    yield page
    context.close()


def boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(selector, "els => els.map(e => { const r = e.getBoundingClientRect(); "
                                               "return {x: r.x, right: r.right, y: r.y}; })")


def test_a_right_to_left_override_in_a_poll_word_stays_inside_the_word(page: Any) -> None:
    poll = {"kind": "word", "question": "One word for today?", "answers": 7,
            "words": [{"word": RLO + "calm", "n": 4}, {"word": "kind", "n": 3}]}
    page.set_content(f"<!doctype html><html lang='en'><body>{render_template('live_tools/poll_results.html', poll=poll)}"
                     "</body></html>")
    words, counts = boxes(page, ".word-list .word"), boxes(page, ".word-list .word-n")
    first_word, first_count = words[0], counts[0]
    assert first_count["x"] >= first_word["right"] - 0.5, "the count of the overridden word moved before it"
    assert words[1]["x"] < counts[1]["x"] and words[1]["y"] > first_word["y"]
    assert page.inner_text(".word-list li:nth-child(1)").strip().endswith("(4)")


def test_a_cohort_name_with_an_override_leaves_its_details_in_place(page: Any) -> None:
    html = render_template("cohorts.html", base="/", trainer="Tess", csrf="x" * 32, cohorts=[
        {"id": "cohort-k7q4mxab", "name": RLO + "Tuesday", "status": "open", "members": 3}])
    page.set_content(html)
    name, = boxes(page, ".cohort-list a")
    details = page.evaluate("""() => { const li = document.querySelector('.cohort-list li');
        const range = document.createRange(); const text = li.lastChild; range.selectNodeContents(text);
        const r = range.getBoundingClientRect(); return {x: r.x}; }""")
    assert details["x"] >= name["right"] - 0.5, "the cohort's details moved before its name"
