"""Text that is what it looks like (issue 19 part 5, the pages' half), in Chromium.

A right-to-left override (U+202E) in a learner's word must not reorder what stands
beside it: the word is isolated (``<bdi>``), so its count stays after it and the next
word keeps its place. The pages are the server's own templates, rendered as the server
renders them, so this holds whatever the scrubber lets through. On the room's screen (every
screen showing typed text, the large poll results too) and the trainer console, every text
someone typed is inside a ``<bdi>`` (or a ``dir="auto"`` cell).
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


# -- the room's screen and the trainer console: every text someone typed is isolated --------------------------------

def _room(screen: str, **shown: Any) -> dict[str, Any]:
    """The room's screen's context (:func:`peerkit.server.room.screen_context`'s fields) with ``screen`` shown."""
    return {"screen": screen, "revision": 1, "min_group_size": 5, "suppressed_message": "fewer than 5 answered",
            "screens": [], "members": 3, "panel": None, "position": 0, "pages": 0, "waiting_panels": 0, "chart": "",
            "page": 0, "page_count": 0, "poll": None, "wall": None, "texts": [], "timer": None, "activity": None,
            "conversation": None, "place": None, **shown}


def _poll(**fields: Any) -> dict[str, Any]:
    return {"id": 1, "kind": "single", "question": RLO + "How are you?", "options": [RLO + "well", "tired"],
            "status": "open", "revealed": False, "answers": 7, "waiting_for": 0, "suppressed": False,
            "results": None, "counts": [], "words": [], **fields}


WORDS = _poll(kind="word", options=[], words=[{"word": RLO + "calm", "n": 4}, {"word": "kind", "n": 3}])
CHOICES = _poll(counts=[{"option": RLO + "well", "n": 4}, {"option": "tired", "n": 3}])
COHORT = {"id": "cohort-k7q4mxab", "name": RLO + "Tuesday", "status": "open", "revision": 4, "joining_locked": False}


def _room_page(room: dict[str, Any]) -> str:
    return render_template("room_screen.html", base="/", cohort=COHORT, room=room, address="http://10.0.0.2:8000/",
                           join_code="K7Q-4MX", qr="", only_here=False)


def _console() -> str:
    """The whole console page: a poll with results, the wall with a post, a shared text, all with an override."""
    tools = {"screen": {"screen": "texts", "exercise": None, "page": 0}, "screen_names": {"texts": "Shared texts"},
             "screens": [(5, "texts", "Shared texts")], "chart_now": "", "charts": [], "min_group_size": 5,
             "place": None, "timer": None, "activity": None, "suppressed_message": "fewer than 5 answered",
             "conversation": None, "conversations": [],
             "polls": [CHOICES, {**WORDS, "id": 2}],
             "wall": {"id": 1, "prompt": RLO + "What helps?", "status": "open"},
             "wall_posts": [{"id": 1, "text": RLO + "a walk", "status": "pending"}],
             "texts": [{"id": 1, "label": "What brings you here?", "text": RLO + "I came to listen",
                        "status": "pending"}],
             "texts_waiting": 1, "chapters": [], "activities": []}
    return render_template("live_tools/console.html", base="/", cohort=COHORT, tools=tools, csrf="x" * 32)


#: What each page shows that someone typed, every one starting with a right-to-left override.
PAGES = {
    "room-join": (lambda: _room_page(_room("join")), 1),  # the cohort's name
    "room-poll": (lambda: _room_page(_room("poll", poll={**_poll(), "waiting_for": 2})), 2),  # question, option
    "room-poll-words": (lambda: _room_page(_room("poll", poll={**WORDS, "results": WORDS})), 2),  # question, word
    "room-poll-bars": (lambda: _room_page(_room("poll", poll={**CHOICES, "results": CHOICES})), 2),
    "room-wall": (lambda: _room_page(_room("wall", wall={"prompt": RLO + "What helps?",
                                                          "approved": [RLO + "a walk", "tea"]})), 2),
    "room-texts": (lambda: _room_page(_room("texts", texts=[{"label": "What brings you here?",
                                                             "text": RLO + "I came to listen"}])), 1),
    # the name; the choice poll's question (shown, in its two buttons' hidden words, its table's caption) and an
    # option; the word poll's question (shown, two buttons) and a word; the wall's prompt and post; a shared text
    "console": (_console, 1 + 4 + 1 + 3 + 1 + 2 + 1),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_typed_text_on_the_rooms_screen_and_the_console_is_isolated(page: Any, name: str) -> None:
    html, expected = PAGES[name]
    page.set_content(html())
    loose = page.evaluate("""() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const found = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!node.data.includes('\\u202e')) continue;
          found.push(node.parentElement.closest('bdi, [dir=auto]') ? '' : node.parentElement.outerHTML);
        }
        return found;
    }""")
    assert len(loose) == expected, loose  # every typed text reached the page (the check is not vacuous)
    assert [html for html in loose if html] == [], "typed text outside a <bdi>"


def test_a_right_to_left_override_in_a_word_on_the_rooms_screen_stays_inside_the_word(page: Any) -> None:
    page.set_content(f"<!doctype html><html lang='en'><body>{render_template('live_tools/poll_big.html', poll=WORDS)}"
                     "</body></html>")
    words, counts = boxes(page, ".word-cloud .word"), boxes(page, ".word-cloud .word-n")
    assert counts[0]["x"] >= words[0]["right"] - 0.5, "the count of the overridden word moved before it"
    assert words[1]["x"] < counts[1]["x"]


def test_a_poll_question_with_an_override_leaves_the_consoles_details_in_place(page: Any) -> None:
    page.set_content(_console())
    question, = boxes(page, "#poll-1 > p:first-child strong")
    details = page.evaluate("""() => { const p = document.querySelector('#poll-1 > p:first-child');
        const range = document.createRange(); range.selectNodeContents(p.lastChild);
        return {x: range.getBoundingClientRect().x}; }""")
    assert details["x"] >= question["right"] - 0.5, "the poll's details moved before its question"
