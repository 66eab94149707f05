"""The session report prints to A4 in Chromium with no chart cut across a page (issue 18 part 8).

A cohort of six (boundary matrix, core skills, a knowledge check, a shared text), a revealed poll,
an approved wall post and text and things that must stay out (a waiting post and text, pseudonyms, the join
code). The report is downloaded as the console does, printed with Chromium's ``page.pdf`` (A4), and read page
by page with pypdf: every chart's first and last row are on the same page, and nothing that must stay out is in
the PDF's text.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.support.browser import Server, make_room

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

#: The first and last row of every chart in the report, read from the drawn page.
ROWS = """() => [...document.querySelectorAll('.chart [role=list]')].map(list => {
  const rows = [...list.querySelectorAll('[role=listitem] .pk-label')]
      .map(r => r.innerText.trim()).filter(Boolean);
  return {chart: list.closest('section.exercise, .tally').querySelector('h3, h4').innerText, rows};
}).filter(c => c.rows.length)"""


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_report_prints_to_a4_with_no_chart_cut_across_a_page(browser, server: Server) -> None:
    from pypdf import PdfReader

    room = make_room(server, "Report group", texts=["Listening is a skill", "Mail me at sam.jones@example.org"])
    cohort = room.cohort
    base = f"/api/v1/cohorts/{cohort['id']}"
    for learner in room.learners:
        learner.answer(("peer_support_check", "Q1", ["a"]))
    with server.api(server.trainer_token) as client:
        for text in client.get(base + "/texts").json()["texts"]:
            if "Listening" in text["text"]:
                client.post(base + f"/texts/{text['id']}/approve")
        poll = client.post(base + "/polls", json={"kind": "scale", "question": "How ready do you feel?"}).json()
        for learner, value in zip(room.learners, [3, 4, 4, 5, 2, 4]):
            with server.api(learner.token) as mine:
                mine.put(f"/api/v1/me/polls/{poll['id']}", json={"value": value})
        client.post(base + f"/polls/{poll['id']}/reveal")
        wall = client.post(base + "/wall", json={"prompt": "What helps you listen?"}).json()
        for learner, text in zip(room.learners, ["Putting my phone away", "A waiting post"]):
            with server.api(learner.token) as mine:
                mine.post(f"/api/v1/me/wall/{wall['id']}", json={"text": text})
        for post in client.get(base + "/wall").json()["posts"]:
            if "phone away" in post["text"]:
                client.post(base + f"/wall/posts/{post['id']}/approve")
        report = client.get(base + "/report")
        assert report.status_code == 200
        pseudonyms = [row["pseudonym"] for row in client.get(base + "/responses").json()["responses"]
                      if "pseudonym" in row]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.set_content(report.text)
        page.emulate_media(media="print")
        charts = page.evaluate(ROWS)
        assert len(charts) >= 3, charts  # the split, the ratings' profile, the knowledge check
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "session-report.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [_words(p.extract_text() or "") for p in reader.pages]
    assert all(abs(float(p.mediabox.width) - 595) < 2 and abs(float(p.mediabox.height) - 842) < 2
               for p in reader.pages)  # A4
    everything = " ".join(pages)
    for chart in charts:
        first, last = _words(chart["rows"][0]), _words(chart["rows"][-1])
        holding_first = [n for n, text in enumerate(pages) if first in text]
        holding_last = [n for n, text in enumerate(pages) if last in text]
        assert holding_first and holding_last, (chart["chart"], first, last)
        assert set(holding_first) & set(holding_last), f"{chart['chart']!r} is cut across pages"
    assert "How ready do you feel?" in everything and "Putting my phone away" in everything
    assert "Listening is a skill" in everything
    for never in ["A waiting post", "sam.jones", "[email]", cohort["join_code"], *pseudonyms]:
        assert never not in everything, never
