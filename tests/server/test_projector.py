"""The projector's state and the session report, drawn from a real store's counts.

The store is a real server store (SQLite, migrated to the newest layout); answers reach
its counts through the server's own :class:`peerkit.server.aggregates.CountChanges`, a
room tally through the ``tallies`` table the tally route writes. Then
:func:`peerkit.server.projector.live_state` and the report's HTML are read back:

- every exercise with a chart is drawn (split bars, rating profile, knowledge-check
  results), with the numbers the counts give;
- the property: no item fewer than the cohort's minimum answered is ever shown, in the
  state or in the report's HTML, over uneven cohorts with room tallies; a tally is
  suppressed on its own and never added to the answers to pass the threshold.
"""
from __future__ import annotations

import itertools
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from peerkit.exercises import load_exercise
from peerkit.server import db
from peerkit.server.aggregates import CountChanges, read
from peerkit.server.live_tools.report import render_report
from peerkit.server.projector import PanelCache, live_state

SCALES = {"boundaries": ["never", "maybe", "always"], "core_skills": [1, 2, 3, 4, 5]}
NOW = "2026-12-07T10:00:00+00:00"
_ids = itertools.count()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    folder: Path = tmp_path_factory.mktemp("projector-store")
    engine = db.make_engine(f"sqlite:///{folder / 'cohorts.sqlite'}")
    db.migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(db.trainers).values(id="t-1", name="Trainer", created_at=NOW))
    return engine


def new_cohort(engine: sa.Engine, min_group_size: int = 5) -> str:
    cohort_id = f"cohort-{next(_ids):04d}{secrets.token_hex(3)}"
    with engine.begin() as conn:
        conn.execute(sa.insert(db.cohorts).values(
            id=cohort_id, trainer_id="t-1", name="Tuesday group", code_hmac=secrets.token_hex(32),
            code_sealed=secrets.token_hex(16), status="open", min_group_size=min_group_size, created_at=NOW))
    return cohort_id


def send(engine: sa.Engine, cohort_id: str, answers: list[dict[tuple[str, str], Any]]) -> None:
    """Each learner's answers ``{(exercise, item): value}`` counted as the server counts a stored answer."""
    with engine.begin() as conn:
        for learner in answers:
            changes = CountChanges(cohort_id, {})
            for (exercise, item), value in learner.items():
                changes.change(exercise, item, db.dumps(value), "live")
            changes.flush(conn)


def tally(engine: sa.Engine, cohort_id: str, exercise: str, hands: dict[str, dict[Any, int]]) -> None:
    with engine.begin() as conn:
        for item, per in hands.items():
            for value, n in per.items():
                if n:
                    conn.execute(sa.insert(db.tallies).values(cohort_id=cohort_id, exercise=exercise, item=item,
                                                              value_key=db.dumps(value), n=n, recorded_at=NOW))


def cohort_row(engine: sa.Engine, cohort_id: str) -> sa.Row:
    with engine.connect() as conn:
        return conn.execute(sa.select(db.cohorts).where(db.cohorts.c.id == cohort_id)).one()


def state(engine: sa.Engine, cohort_id: str) -> dict[str, Any]:
    with db.reading(engine) as conn:
        return live_state(conn, cohort_row(engine, cohort_id), cache=PanelCache())


def report(engine: sa.Engine, cohort_id: str) -> str:
    return render_report(engine, lambda conn: conn.execute(
        sa.select(db.cohorts).where(db.cohorts.c.id == cohort_id)).one())


# -- charts are drawn, with the numbers of the counts -----------------------------------------------------------

def test_every_exercise_with_a_chart_is_drawn_from_the_counts(engine: sa.Engine) -> None:
    cohort = new_cohort(engine)
    check = load_exercise("boundaries_check")
    right = check.item("Q1").details["correct"][0]
    wrong = next(o["value"] for o in check.item("Q1").details["options"] if o["value"] != right)
    learners = []
    for number in range(6):
        answers: dict[tuple[str, str], Any] = {("boundaries", f"B{i:02d}"): SCALES["boundaries"][(number + i) % 3]
                                               for i in range(1, 10)}
        answers |= {("core_skills", f"C{i:02d}"): 1 + (number + i) % 5 for i in range(1, 12)}
        answers[("boundaries_check", "Q1")] = [right if number < 4 else wrong]
        learners.append(answers)
    send(engine, cohort, learners)
    live = state(engine, cohort)
    panels = {panel.exercise: panel for panel in live["panels"]}
    assert set(panels) == {"boundaries", "core_skills", "boundaries_check"}
    assert all(panel.chart_html and not panel.suppressed for panel in panels.values())
    assert "could not be read" not in "".join(p.chart_html for p in panels.values())
    # B01: learners 0-5 answered (number + 1) % 3 -> maybe, always, never, maybe, always, never: 2 each
    b01 = re.search(r'data-item="B01">(.*?)</span>\s*<span class="pk-n">', panels["boundaries"].chart_html, re.S)
    segments = re.findall(r'class="pk-seg" data-value="(\w+)" data-count="(\d+)"', b01.group(1))
    assert segments == [("never", "2"), ("maybe", "2"), ("always", "2")]
    shares = re.findall(r'<span class="pk-share" aria-hidden="true">(\d+)%</span>', b01.group(1))
    assert sorted(map(int, shares)) == [33, 33, 34]
    quiz = panels["boundaries_check"].chart_html
    assert re.search(r'data-value="%s" data-count="4">.*?\(right answer\).*?>67%%<' % right, quiz, re.S)
    assert re.search(r'data-value="%s" data-count="2">.*?>33%%<' % wrong, quiz, re.S)
    # all nine boundary items are split 2-2-2: every one is a tie, said as a tie, with its split
    prompt = live["prompts"][0]
    assert prompt["tie"] and prompt["split"] == "Never OK 2 · Maybe OK 2 · Always OK 2"
    html = report(engine, cohort)
    assert html.count('class="pk-seg"') == panels["boundaries"].chart_html.count('class="pk-seg"') > 0
    assert "Texts are not part of this report" not in html
    assert "tied: Never OK, Maybe OK and Always OK (33% each)" in html


def test_a_room_tally_never_unhides_an_item(engine: sa.Engine) -> None:
    """Issue 18: one online answer plus a tally of 2 "never" and 2 "maybe" hands printed "n = 5"."""
    cohort = new_cohort(engine)
    send(engine, cohort, [{("boundaries", "B01"): "always"}])
    tally(engine, cohort, "boundaries", {"B01": {"never": 2, "maybe": 2}})
    live = state(engine, cohort)
    (panel,) = live["panels"]
    assert panel.suppressed and not panel.chart_html and not panel.prompts
    assert panel.tally_suppressed and not panel.tally_html and panel.tally_hands == 4
    assert not live["prompts"]
    for html in (report(engine, cohort), "".join([panel.chart_html, panel.tally_html, panel.summary])):
        assert "n = 5" not in html and "40%" not in html and "Always OK" not in html
    with db.reading(engine) as conn:  # the API says the same
        answer = read(conn, cohort_row(engine, cohort))
    assert answer["exercises"]["boundaries"]["items"]["B01"] == {"suppressed": True}
    assert answer["exercises"]["boundaries"]["tally"]["B01"] == {"suppressed": True}


def test_a_big_enough_tally_is_its_own_chart(engine: sa.Engine) -> None:
    cohort = new_cohort(engine)
    tally(engine, cohort, "boundaries", {"B01": {"never": 4, "maybe": 3}, "B02": {"never": 2}})
    (panel,) = state(engine, cohort)["panels"]
    assert panel.respondents == 0 and panel.suppressed and not panel.chart_html
    assert panel.tally_html and not panel.tally_suppressed
    b01 = re.search(r'data-item="B01">(.*?)<span class="pk-n">', panel.tally_html, re.S).group(1)
    assert re.findall(r'data-value="(\w+)" data-count="(\d+)"', b01) == [("never", "4"), ("maybe", "3")]
    b02 = re.search(r'data-item="B02">(.*?)<span class="pk-n">', panel.tally_html, re.S).group(1)
    assert "pk-seg" not in b02 and "fewer than 5 answers" in b02


# -- shared texts: one moderation state (room_texts.status) ----------------------------------------------------

def share_texts(engine: sa.Engine, cohort_id: str, words: list[str]) -> list[int]:
    """One learner per text, each sharing a welcome reflection as the answer path stores it; the answers' ids."""
    from peerkit.server.live_tools import texts

    ids = []
    with engine.begin() as conn:
        for number, text in enumerate(words):
            learner = conn.execute(sa.insert(db.learners).values(
                cohort_id=cohort_id, pseudonym=f"p-{secrets.token_hex(10)}", source="live", joined_at=NOW,
                last_seq=1).returning(db.learners.c.id)).scalar_one()
            stored = db.dumps({"text": text})
            answer = conn.execute(sa.insert(db.answers).values(
                cohort_id=cohort_id, learner_id=learner, exercise="welcome_reflection", item="R1", value=stored,
                seq=1, received_at=NOW, source="live").returning(db.answers.c.id)).scalar_one()
            texts.arrived(conn, cohort_id, answer, "welcome_reflection", "R1", stored)
            changes = CountChanges(cohort_id, {})
            changes.change("welcome_reflection", "R1", stored, "live")
            changes.flush(conn)
            ids.append(answer)
    return ids


def test_the_projector_state_holds_no_text_and_the_report_only_approved_ones(engine: sa.Engine) -> None:
    """The room's texts come from the one moderation state only: the projector's state (which every room screen,
    the console and the report start from) holds no shared text of its own, so none waiting or hidden can leak
    through it; the report holds exactly the approved ones."""
    from peerkit.server.live_tools import texts

    cohort = new_cohort(engine)
    words = ["Waiting for the trainer", "Approved for the room", "Hidden by the trainer", "Also waiting",
             "Still waiting", "Waiting too"]
    ids = share_texts(engine, cohort, words)
    with engine.begin() as conn:
        texts.moderate(conn, cohort, ids[1], "approved")
        texts.moderate(conn, cohort, ids[2], "approved")
        texts.moderate(conn, cohort, ids[2], "hidden")
    live = repr(state(engine, cohort))
    for text in words:
        assert text not in live, text
    page = report(engine, cohort)
    assert "Approved for the room" in page
    for text in words[:1] + words[2:]:
        assert text not in page, text


# -- the property, on the real projector state and the report ------------------------------------------------------

# no shrinking: each example is a store and two pages, and a failing example is printed whole anyway
PROPERTY = settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NUMBER = re.compile(r"\d+\s*%|n\s*=\s*\d|n=\d|data-count")


@st.composite
def uneven_rooms(draw: Any) -> tuple[int, list[dict[tuple[str, str], Any]], dict[str, dict[str, dict[Any, int]]]]:
    threshold = draw(st.sampled_from([5, 3, 7]))
    size = draw(st.integers(threshold, threshold + 6))
    learners: list[dict[tuple[str, str], Any]] = [{} for _ in range(size)]
    tallies: dict[str, dict[str, dict[Any, int]]] = {}
    for exercise, values in SCALES.items():
        for item in load_exercise(exercise).item_ids[:8]:
            people = draw(st.sampled_from([0, draw(st.integers(1, threshold - 1)), draw(st.integers(threshold, size))]))
            for learner in draw(st.permutations(range(size)))[:people]:
                learners[learner][(exercise, item)] = draw(st.sampled_from(values))
            if draw(st.booleans()):
                hands = draw(st.integers(1, threshold + 3))
                split = [draw(st.sampled_from(values)) for _ in range(hands)]
                tallies.setdefault(exercise, {})[item] = {v: split.count(v) for v in values if split.count(v)}
    first = load_exercise("boundaries").item_ids[0]
    for learner in learners:  # everyone answered something: the group as a whole is big enough
        learner.setdefault(("boundaries", first), "never")
    return threshold, learners, tallies


@PROPERTY
@given(room=uneven_rooms())
def test_no_item_under_the_threshold_is_ever_shown_on_the_projector_or_in_the_report(
        engine: sa.Engine, room: Any) -> None:
    threshold, learners, tallies = room
    cohort = new_cohort(engine, threshold)
    send(engine, cohort, learners)
    for exercise, hands in tallies.items():
        tally(engine, cohort, exercise, hands)
    live = state(engine, cohort)
    page = report(engine, cohort)
    for exercise in SCALES:
        definition = load_exercise(exercise)
        answered = {item: sum(1 for learner in learners if (exercise, item) in learner) for item in definition.item_ids}
        hands = {item: sum(per.values()) for item, per in tallies.get(exercise, {}).items()}
        panel = next((p for p in live["panels"] if p.exercise == exercise), None)
        if panel is None:
            assert not any(answered.values()) and not hands
            continue
        for html, summary, people in ((panel.chart_html, panel.summary, answered),
                                      (panel.tally_html, panel.tally_summary, hands)):
            for item, n in people.items():
                rows = re.findall(r'data-item="%s">(.*?)<span class="pk-n">(.*?)</span>' % item, html, re.S)
                if 0 < n < threshold:
                    for row, count in rows:
                        assert not NUMBER.search(re.sub(r"<[^>]+>", " ", row)) and "pk-seg" not in row
                        assert "pk-mean" not in row and "data-count" not in row and not count.strip()
                    assert f"“{definition.item(item).text}” (" not in summary
        for prompt in live["prompts"]:
            if prompt["exercise"] == exercise:
                assert answered[prompt["item"]] >= threshold and prompt["n"] == answered[prompt["item"]]
        # the report holds the projector's own charts: the same rows, and no other
        for html in (panel.chart_html, panel.tally_html):
            if html:
                body = html.split("<figcaption>")[1]
                assert body in page
    # the table of every value must not give a small item away either
    for row in re.findall(r'<tr><th scope="row">(.*?)</tr>', page, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row)
        if cells and cells[0] == f"fewer than {threshold} answers":
            assert not any(cell.strip() for cell in cells[1:])
