"""pk.compare: follows the learner's answers; personal check-ins are never ranked against a group."""
from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta

import pandas as pd
import pytest

from peerkit.widgets.group_comparison import GroupComparison
from tests.support.threads import in_a_plain_thread


def test_the_recovery_check_in_is_never_ranked_against_a_group(store) -> None:
    from peerkit.exercises import load_exercise

    items = load_exercise("recovery_dimensions").item_ids
    for item in items:
        store.save("recovery_dimensions", item, 1)  # a hard time: the lowest rating everywhere
    comparison = GroupComparison("recovery_dimensions", store=store, follow=False)
    words = comparison.summary + comparison.view.value
    assert "below the group" not in words and "above the group" not in words
    assert "average" not in words.lower() and "synthetic" not in words and "n = " not in words
    assert "only you see this" in comparison.view.value
    assert comparison.show_group not in comparison.children  # no group offered: the learner joined none


def test_a_later_check_in_is_shown_beside_the_first(store) -> None:
    from peerkit.exercises import load_exercise
    from peerkit.timestamps import format_moment, now

    first_item, *_ = items = load_exercise("recovery_dimensions").item_ids
    for item in items:
        store.save("recovery_dimensions", item, 2)
    GroupComparison("recovery_dimensions", store=store, follow=False)
    history = store.get_setting("checkins:recovery_dimensions")
    assert len(history) == 1
    # that check-in was two days ago; today the learner answers again
    history[0]["at"] = format_moment(now() - timedelta(days=2))
    store.set_setting("checkins:recovery_dimensions", history)
    store.save("recovery_dimensions", first_item, 4)
    comparison = GroupComparison("recovery_dimensions", store=store, follow=False)
    assert "First check-in" in comparison.view.value and "pk-first-mark" in comparison.view.value
    text = load_exercise("recovery_dimensions").item(first_item).text
    assert f"Since your first check-in: “{text}” from 2 to 4." in comparison.summary
    # a change the same day completes today's check-in rather than starting a third
    store.save("recovery_dimensions", first_item, 5)
    comparison.refresh()
    assert len(store.get_setting("checkins:recovery_dimensions")) == 2
    assert "from 2 to 5" in comparison.summary


def test_a_real_group_appears_only_when_the_learner_asks(store, monkeypatch) -> None:
    from peerkit.client import aggregates
    from peerkit.exercises import load_exercise

    items = load_exercise("recovery_dimensions").item_ids
    # what the cohort server sends (docs/server-api.md): six people rated every item 3
    answer = {"cohort": {"id": "c-1", "name": "Tuesday group", "min_group_size": 5}, "revision": 1, "members": 6,
              "exercises": {"recovery_dimensions": {"kind": "rating", "respondents": 6,
                                                    "items": {item: {"n": 6, "counts": {"3": 6}} for item in items}}}}
    asked: list[str] = []

    def from_the_server(store, exercise_id, **_):
        asked.append(exercise_id)
        return aggregates.view_from_aggregates(answer, exercise_id), ""

    # GroupComparison reads the learner's cohort through this one function (the server's suppressed counts)
    monkeypatch.setattr(aggregates, "group_view_or_reason", from_the_server)
    store.set_setting("cohort", {"cohort_id": "c-1", "name": "Tuesday group"})
    for item in items:
        store.save("recovery_dimensions", item, 1)
    comparison = GroupComparison("recovery_dimensions", store=store, follow=False)
    assert comparison.show_group in comparison.children and not comparison.show_group.value
    assert "group average" not in comparison.view.value and not asked  # not until asked
    comparison.show_group.value = True
    assert asked == ["recovery_dimensions"]
    assert "could not be read" not in comparison.view.value  # the server's counts are all readable rows
    assert "group average" in comparison.view.value and "group you joined" in comparison.view.value
    assert "below the group" not in comparison.summary  # shown beside, never ranked


def test_a_comparison_redraws_when_the_learners_answer_changes(store) -> None:
    store.save("boundaries", "B01", "never")

    def marked(html: str) -> str:
        row = html.split('data-item="B01"')[1].split('data-item="B02"')[0]
        return re.search(r"(\w+ OK) \d+% \(your answer\)", row).group(1)

    async def scenario():
        comparison = GroupComparison("boundaries", store=store)
        before = comparison.view.value
        assert "follows your answers" in before
        store.save("boundaries", "B01", "always")  # answered in the exercise widget above
        # the loop turns (the follow timer looks every FOLLOW_SECONDS) until the chart marks the new answer
        deadline = time.monotonic() + 60
        while marked(comparison.view.value) != "Always OK" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        after = comparison.view.value
        comparison.close()
        return before, after

    before, after = in_a_plain_thread(lambda: asyncio.run(scenario()))
    assert marked(before) == "Never OK" and marked(after) == "Always OK"


def test_without_a_running_loop_it_says_the_chart_is_as_drawn(store) -> None:
    def draw() -> str:
        with pytest.raises(RuntimeError):
            asyncio.get_running_loop()  # the premise: nothing would ever run the follow timer
        return GroupComparison("boundaries", store=store).view.value

    view = in_a_plain_thread(draw)
    assert "as they were when it was drawn" in view and "Refresh chart" in view
    assert "follows your answers" not in view


@pytest.mark.parametrize("exercise", ["core_skills", "boundaries"])
def test_other_comparisons_still_show_the_group(store, exercise) -> None:
    comparison = GroupComparison(exercise, store=store, follow=False)
    assert "synthetic reference group" in comparison.view.value and "n = 40" in comparison.view.value


def test_deleting_the_answers_deletes_the_earlier_check_ins(store) -> None:
    from peerkit.exercises import load_exercise

    for item in load_exercise("recovery_dimensions").item_ids:
        store.save("recovery_dimensions", item, 2)
    comparison = GroupComparison("recovery_dimensions", store=store, follow=False)
    assert store.get_setting("checkins:recovery_dimensions")
    store.delete_everything()
    comparison.refresh()
    assert store.get_setting("checkins:recovery_dimensions") is None


def _texts(markup: str) -> tuple[str, str]:
    """(what the eye sees, what a screen reader reads) of the comparison's HTML."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[tuple[bool, bool]] = []  # (hidden from the eye, hidden from a reader)
            self.seen: list[str] = []
            self.read: list[str] = []

        def handle_starttag(self, tag, attrs) -> None:
            attrs = dict(attrs)
            eye, reader = self.stack[-1] if self.stack else (False, False)
            eye = eye or "clip:rect(0 0 0 0)" in (attrs.get("style") or "")
            reader = reader or attrs.get("aria-hidden") == "true"
            if tag not in ("br", "img", "input", "meta"):
                self.stack.append((eye, reader))

        def handle_endtag(self, tag) -> None:
            if self.stack and tag not in ("br", "img", "input", "meta"):
                self.stack.pop()

        def handle_data(self, data) -> None:
            eye, reader = self.stack[-1] if self.stack else (False, False)
            if not eye and not reader:
                self.seen.append(data)
            elif not eye:
                self.seen.append(data)
            if not reader:
                self.read.append(data)

    parser = Reader()
    parser.feed(markup)
    return " ".join(parser.seen), " ".join(parser.read)


@pytest.mark.parametrize("exercise,value", [("boundaries", "maybe"), ("core_skills", 3)])
def test_a_small_group_is_said_once_to_the_eye_and_once_to_a_screen_reader(store, exercise, value) -> None:
    from peerkit.charts import suppression_message
    from peerkit.exercises import load_exercise

    items = load_exercise(exercise).item_ids
    group = pd.DataFrame([{"learner": f"p{p}", "exercise": exercise, "item": item, "value": value}
                          for p in range(3) for item in items])  # three people: too few for any chart
    comparison = GroupComparison(exercise, store=store, group=group, follow=False)
    message = suppression_message()
    assert message in comparison.summary  # the text summary stays complete
    seen, read = _texts(comparison.view.value)
    assert seen.count(message) == 1, seen
    assert read.count(message) == 1, read
    assert load_exercise(exercise).title in read  # a reader also hears which chart is held back
