"""Chromium looks at the drawn charts: the projector, the session report and pk.compare, from a real ``peerkit serve``.

The test makes a cohort through the server's API (six learners answer the boundary
matrix, the core skills and a knowledge check; a seventh answers one more item alone;
the trainer types a room tally too small to show), then opens the projector page and
the session report in Chromium at 1280×720 and, for every item, counts the segments or
bars that are drawn (width > 0), reads the numbers printed on them and compares them
with the answers this test sent. A chart that stops drawing fails here. It also
measures that every rating bar starts at the scale's first value (the grid line at 1),
not half a step below it, and ends at the group's mean.

Screenshots (``PEERKIT_SCREENSHOTS=folder``) of the projector's charts, the report and
pk.compare at 1280×720 are kept for a person to look at.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, add_trainer, join, launch, make_cohort

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

BOUNDARY = ["never", "maybe", "always"]
LABELS = {"never": "Never OK", "maybe": "Maybe OK", "always": "Always OK"}
PEOPLE = 6


def shares(counts: list[int]) -> list[int]:
    """Whole percentages adding up to 100 (largest remainder), worked out here from the answers sent."""
    total = sum(counts)
    exact = [100 * c / total for c in counts]
    whole = [int(x) for x in exact]
    for i in sorted(range(len(counts)), key=lambda i: (-(exact[i] - whole[i]), -counts[i], i))[:100 - sum(whole)]:
        whole[i] += 1
    return whole


def boundary_answer(person: int, item: int) -> str:
    # B01-B03 split 2-2-2, B04-B06 split 4-1-1 (person 0 and 1 apart), B07-B09 all "never" but one
    if item <= 3:
        return BOUNDARY[(person + item) % 3]
    if item <= 6:
        return {0: "maybe", 1: "always"}.get(person, "never")
    return "always" if person == 5 else "never"


def rating_answer(person: int, item: int) -> int:
    return 1 + (person * item) % 5


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("charts-server")
    server = launch(f"sqlite:///{folder / 'cohorts.sqlite'}", folder)
    try:
        trainer = add_trainer(server)
        cohort = make_cohort(server, trainer, name="Thursday group")
        from peerkit.exercises import load_exercise

        check = load_exercise("boundaries_check").item("Q1").details
        right = check["correct"][0]
        wrong = [o["value"] for o in check["options"] if o["value"] != right]
        sent: dict[str, dict[str, Counter]] = {"boundaries": {}, "core_skills": {}, "boundaries_check": {}}
        for person in range(PEOPLE):
            token = join(server, cohort["join_code"])
            answers = [("boundaries", f"B{i:02d}", boundary_answer(person, i)) for i in range(1, 10)]
            answers += [("core_skills", f"C{i:02d}", rating_answer(person, i)) for i in range(1, 12)]
            answers.append(("boundaries_check", "Q1", [right if person < 4 else wrong[person % 2]]))
            with server.client(token) as me:
                reply = me.post("/api/v1/me/answers", json={"answers": [
                    {"seq": n, "exercise": e, "item": i, "value": v} for n, (e, i, v) in enumerate(answers, 1)]})
                assert reply.status_code == 200 and not reply.json()["refused"], reply.text
            for exercise, item, value in answers:
                sent[exercise].setdefault(item, Counter())[value[0] if isinstance(value, list) else value] += 1
        alone = join(server, cohort["join_code"])  # one more learner answers B10 alone: it stays hidden
        with server.client(alone) as me:
            assert me.post("/api/v1/me/answers", json={"answers": [
                {"seq": 1, "exercise": "boundaries", "item": "B10", "value": "always"}]}).status_code == 200
        with server.client(trainer) as client:  # 4 hands on B10: suppressed on its own, never added to the one answer
            assert client.post(f"/api/v1/cohorts/{cohort['id']}/tally", json={
                "exercise": "boundaries", "counts": {"B10": {"never": 2, "maybe": 2}}}).status_code == 200
            report = client.get(f"/api/v1/cohorts/{cohort['id']}/report")
            assert report.status_code == 200, report.text
        yield {"server": server, "trainer": trainer, "cohort": cohort, "sent": sent, "right": right,
               "report": report.text}
    finally:
        server.stop()


def _projector(page: Any, room: dict[str, Any]) -> None:
    server: RunningServer = room["server"]
    from tests.support.server import sign_in_code

    # signed in as a trainer's browser is: a single-use code in the link's fragment, POSTed by the page
    page.goto(f"{server.url}/sign-in#code={sign_in_code(server, room['trainer'])}"
              f"&next=projector/{room['cohort']['id']}")
    page.wait_for_url(f"**/projector/{room['cohort']['id']}")
    page.locator("#live .live-part[data-screen=join]").wait_for()


def _read_on_the_room_screen(page: Any, room: dict[str, Any], exercise: str, reader: str) -> list[dict[str, Any]]:
    """The room's screen shows one chart page at a time: show each page of ``exercise`` (as the console's
    chart buttons and the arrow keys do) and read the drawn rows of every page."""
    server: RunningServer = room["server"]
    rows: list[dict[str, Any]] = []
    base = f"/api/v1/cohorts/{room['cohort']['id']}/session/screen"
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {room['trainer']}"}) as client:
        for number in range(20):
            shown = client.put(base, json={"screen": "chart", "exercise": exercise, "page": number})
            assert shown.is_success, shown.text  # the trainer's console would say why it was refused
            page.locator(f'#live .chart[data-exercise="{exercise}"]').wait_for()
            page.wait_for_function(f"() => document.querySelector('#live .chart').dataset.page === '{number}'"
                                   f" || document.querySelector('#live .pager').textContent.indexOf('page ') < 0")
            rows += page.locator("#live .chart-screen").evaluate(reader)
            pager = page.locator("#live .pager").inner_text()
            if f"page {number + 1} of {number + 1}" in pager or "page " not in pager:
                break
            _screenshot(page, f"projector-{exercise}-{number + 1}")
    return rows


def _report(page: Any, room: dict[str, Any]) -> None:
    page.set_content(room["report"])


def _screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("PEERKIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


READ_SPLIT = """(section) => [...section.querySelectorAll('.peerkit-choice-split [role=listitem]')].map(row => {
  const segs = [...row.querySelectorAll('.pk-seg')].filter(s => s.getBoundingClientRect().width > 0);
  const bar = row.querySelector('.pk-bar');
  const barWidth = bar ? bar.getBoundingClientRect().width : 0;
  return {item: row.dataset.item, text: row.querySelector('.pk-track').innerText,
          n: row.querySelector('.pk-n').innerText.trim(),
          segs: segs.map(s => {
            const share = s.querySelector('.pk-share');
            return {value: s.dataset.value, count: Number(s.dataset.count),
                    width: s.getBoundingClientRect().width, printed: share && share.getBoundingClientRect().width > 0
                      ? share.innerText.trim() : null};
          }),
          track: row.querySelector('.pk-track').getBoundingClientRect().width};
})"""

READ_PROFILE = """(section) => [...section.querySelectorAll('.peerkit-rating-profile [role=listitem]')].map(row => {
  const mean = row.querySelector('.pk-mean');
  const grid = [...row.querySelectorAll('.pk-grid')].map(g => g.getBoundingClientRect().left);
  const box = mean && mean.getBoundingClientRect();
  return {item: row.dataset.item, grid, n: row.querySelector('.pk-n').innerText.trim(),
          left: box ? box.left : null, right: box ? box.right : null,
          mean: mean ? Number(mean.dataset.mean) : null};
})"""

READ_QUIZ = """(section) => [...section.querySelectorAll('.pk-option')].map(row => ({
  value: row.dataset.value, count: Number(row.dataset.count), label: row.querySelector('.pk-label').innerText,
  printed: row.querySelector('.pk-percent').innerText.trim(),
  width: row.querySelector('.pk-option-bar').getBoundingClientRect().width,
  track: row.querySelector('.pk-track').getBoundingClientRect().width}))"""


def _check_split(rows: list[dict[str, Any]], sent: dict[str, Counter]) -> None:
    by_item = {row["item"]: row for row in rows}
    for item, counted in sent.items():
        row = by_item[item]
        expected = [counted[value] for value in BOUNDARY]
        drawn = [seg for seg in row["segs"]]
        assert [seg["value"] for seg in drawn] == [v for v in BOUNDARY if counted[v]], (item, row)
        assert [seg["count"] for seg in drawn] == [c for c in expected if c]
        percent = dict(zip(BOUNDARY, shares(expected)))
        for seg in drawn:
            if seg["printed"] is not None:  # a share too narrow to print is in the table instead
                assert seg["printed"] == f"{percent[seg['value']]}%", (item, seg)
        total = sum(seg["width"] for seg in drawn)
        for seg in drawn:
            assert abs(seg["width"] / total - percent[seg["value"]] / 100) < 0.01, (item, seg)
        assert row["n"] == f"n={PEOPLE}"
    if "B10" in by_item:  # one answer and four hands: nothing drawn, nothing printed (the room's screen leaves it out)
        hidden = by_item["B10"]
        assert not hidden["segs"] and not hidden["n"] and "fewer than 5 answers" in hidden["text"]


def _check_profile(rows: list[dict[str, Any]], sent: dict[str, Counter]) -> None:
    for row in rows:
        counted = sent[row["item"]]
        mean = sum(value * n for value, n in counted.items()) / sum(counted.values())
        assert row["mean"] == pytest.approx(round(mean, 1))
        one, two = row["grid"][0], row["grid"][1]
        # the bar starts at the scale's first value (1), not half a step below it ...
        assert abs(row["left"] - one) <= 1.5, row
        # ... and ends at the group's mean
        assert abs(row["right"] - (one + (mean - 1) * (two - one))) <= 1.5, (row, mean)
        assert row["n"] == f"n={PEOPLE}"


def _check_quiz(rows: list[dict[str, Any]], sent: Counter, right: str) -> None:
    counts = [sent[row["value"]] for row in rows]
    expected = shares(counts)
    assert [row["count"] for row in rows] == counts
    assert [row["printed"] for row in rows] == [f"{p}%" for p in expected]
    for row, p in zip(rows, expected):
        assert abs(row["width"] / row["track"] - p / 100) < 0.01
        assert ("(right answer)" in row["label"]) == (row["value"] == right)


@pytest.mark.parametrize("where", ["projector", "report"])
def test_every_chart_is_drawn_with_the_numbers_the_learners_sent(page: Any, room: dict[str, Any], where: str) -> None:
    (_projector if where == "projector" else _report)(page, room)
    sent = room["sent"]
    if where == "projector":
        read = lambda exercise, reader: _read_on_the_room_screen(page, room, exercise, reader)  # noqa: E731
    else:
        read = lambda exercise, reader: page.locator(  # noqa: E731
            f'section.exercise[data-exercise="{exercise}"]').evaluate(reader)
    split = read("boundaries", READ_SPLIT)
    if where == "projector":  # the room sees the withheld item as a note, never as a row
        assert "B10" not in {row["item"] for row in split}
        assert "1 item is not shown yet" in page.locator("#live").inner_text()
    _check_split(split, sent["boundaries"])
    if where == "projector":
        page.locator('[data-tally="boundaries"]').first.wait_for()
        tally = page.locator('[data-tally="boundaries"]').first.inner_text()
        assert "Not shown" in tally and "50%" not in tally
    profile = read("core_skills", READ_PROFILE)
    assert len(profile) == 11
    _check_profile(profile, sent["core_skills"])
    quiz = read("boundaries_check", READ_QUIZ)
    _check_quiz(quiz, sent["boundaries_check"]["Q1"], room["right"])
    if where == "projector":
        read("boundaries", "() => []")  # back to the split, where its prompts are
    # the most divided items give their split; the 2-2-2 items are ties and say so
    prompt = page.locator('li[data-item="B01"][data-exercise="boundaries"]').first.inner_text()
    assert "Never OK 2 · Maybe OK 2 · Always OK 2" in prompt and "tied" in prompt
    if where == "report":
        tally = page.locator('[data-tally="boundaries"]').first.inner_text()
        assert "Not shown" in tally and "50%" not in tally
    _screenshot(page, where)


def test_pk_compare_draws_the_learners_group_from_the_servers_counts(page: Any, room: dict[str, Any]) -> None:
    """pk.compare's HTML (what the widget shows) for a learner of this cohort, read the same way."""
    from peerkit.client.aggregates import view_from_aggregates
    from peerkit.widgets.group_comparison import GroupComparison

    server: RunningServer = room["server"]
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {room['trainer']}"}) as client:
        answer = client.get(f"/api/v1/cohorts/{room['cohort']['id']}/aggregates").json()
    view = view_from_aggregates(answer, "boundaries")
    comparison = GroupComparison("boundaries", group=view, group_label="group you joined", follow=False)
    page.set_content(f"<main style='max-width:60rem;margin:1rem auto;font-family:sans-serif'>"
                     f"{comparison.view.value}</main>")
    section = page.locator("main")
    _check_split(section.evaluate(READ_SPLIT), room["sent"]["boundaries"])
    assert "matched" not in comparison.summary  # no conformity score (issue 22)
    _screenshot(page, "compare-boundaries")
    ratings = GroupComparison("core_skills", group=view_from_aggregates(answer, "core_skills"),
                              group_label="group you joined", follow=False)
    page.set_content(f"<main style='max-width:60rem;margin:1rem auto;font-family:sans-serif'>"
                     f"{ratings.view.value}</main>")
    _check_profile(page.locator("main").evaluate(READ_PROFILE), room["sent"]["core_skills"])
    assert "Average ratings of the group you joined (n = 6)" in ratings.view.value
    _screenshot(page, "compare-core-skills")
