"""Property: no surface ever shows a count or share for an item fewer than MIN_GROUP_SIZE people answered.

Hypothesis generates cohorts with uneven answers: learners who skip items, items nobody
answered, items answered by 1 to 4 people, and others by many. Every surface that draws
group answers is then read back the way a person would see it (matplotlib artists'
texts and bar widths, the HTML's visible text, the text summaries):

- matplotlib: :func:`peerkit.charts.plot_choice_split`, :func:`peerkit.charts.plot_rating_profile`;
- HTML: :mod:`peerkit.charts_html` and ``pk.compare`` (:class:`peerkit.widgets.group_comparison.GroupComparison`);
- research: :func:`peerkit.research.plot_item_heatmap`, :func:`peerkit.research.plot_diverging_by_cohort`.

The checks read rows by their order (the n-th list item is the n-th item of the
exercise), so they apply to any markup, including the code before per-item suppression.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from peerkit import charts, charts_html  # noqa: E402
from peerkit.exercises import load_exercise  # noqa: E402
from peerkit.privacy import MIN_GROUP_SIZE, suppressed_message  # noqa: E402

EXERCISES = {"boundaries": ["never", "maybe", "always"], "core_skills": [1, 2, 3, 4, 5]}
PROPERTY = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NUMBER = re.compile(r"\d+(\.\d+)?\s*%|n\s*=\s*\d|average \d|\(\d+\)")


@st.composite
def uneven_cohorts(draw: Any, exercise: str) -> pd.DataFrame:
    """A cohort of 5-12 learners where each item has its own number of answerers (0, 1-4 or more)."""
    definition = load_exercise(exercise)
    values = EXERCISES[exercise]
    size = draw(st.integers(MIN_GROUP_SIZE, 12))
    learners = [f"learner-{n:02d}" for n in range(size)]
    rows = []
    for item in definition.item_ids[:draw(st.integers(4, len(definition.item_ids)))]:
        answered = draw(st.sampled_from(["none", "few", "many"]))
        count = {"none": 0, "few": draw(st.integers(1, MIN_GROUP_SIZE - 1)),
                 "many": draw(st.integers(MIN_GROUP_SIZE, size))}[answered]
        who = draw(st.permutations(learners))[:count]
        for learner in who:
            rows.append({"learner": learner, "exercise": exercise, "item": item,
                         "value": draw(st.sampled_from(values))})
    # every learner answered something, so the group is at least MIN_GROUP_SIZE people
    first = definition.item_ids[0]
    have = {r["learner"] for r in rows}
    for learner in learners:
        if learner not in have:
            rows.append({"learner": learner, "exercise": exercise, "item": first, "value": values[0]})
    frame = pd.DataFrame(rows, columns=["learner", "exercise", "item", "value"])
    return frame.drop_duplicates(["learner", "item"]).reset_index(drop=True)


def few(frame: pd.DataFrame, exercise: str) -> list[int]:
    """Positions (0-based, in the exercise's order) of items answered by 1 to MIN_GROUP_SIZE-1 people."""
    counts = frame.groupby("item")["learner"].nunique()
    ids = load_exercise(exercise).item_ids
    return [i for i, item in enumerate(ids) if 0 < counts.get(item, 0) < MIN_GROUP_SIZE]


class ListItems(HTMLParser):
    """The visible text of every ``role=listitem`` element (text hidden for screen readers included)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self._depth: list[int] = []
        self._level = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "hr", "meta", "link"):
            return
        self._level += 1
        if tag == "style":
            self._in_style = True
        if dict(attrs).get("role") == "listitem":
            self._depth.append(self._level)
            self.items.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if self._depth and self._depth[-1] == self._level:
            self._depth.pop()
        self._level -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and not self._in_style:
            self.items[-1] += data


def html_rows(html: str) -> list[str]:
    parser = ListItems()
    parser.feed(html)
    return parser.items


def check_html(html: str, frame: pd.DataFrame, exercise: str, where: str) -> None:
    rows = html_rows(html)
    definition = load_exercise(exercise)
    assert len(rows) == len(definition.items), f"{where}: one row per item"
    for position in few(frame, exercise):
        text = rows[position]
        assert not NUMBER.search(text), f"{where}: item {position + 1} (answered by fewer than " \
                                        f"{MIN_GROUP_SIZE}) shows {NUMBER.search(text).group()!r} in {text!r}"
        assert suppressed_message() in text, f"{where}: item {position + 1} does not say why it is empty"
    # the "every value" table, if any, carries no group number for those items either (the learner's own may stay)
    head = re.search(r"<thead><tr>(.*?)</tr></thead>", html)
    columns = re.findall(r"<th scope=\"col\">(.*?)</th>", head.group(1))[1:] if head else []
    for position in few(frame, exercise):
        label = f"{position + 1}. {definition.items[position].text}"
        for line in re.findall(r"<tr><th scope=\"row\">" + re.escape(label.replace("'", "&#39;")) + r"</th>(.*?)</tr>",
                               html):
            cells = re.findall(r"<td>(.*?)</td>", line)
            group = [c for c, name in zip(cells, columns) if not name.startswith("Your")]
            assert not any(re.search(r"\d", c.replace(suppressed_message(), "")) for c in group), \
                f"{where}: the table gives a number for item {position + 1}: {line}"


def check_words(text: str, frame: pd.DataFrame, exercise: str, where: str) -> None:
    definition = load_exercise(exercise)
    for position in few(frame, exercise):
        quoted = f"“{definition.items[position].text}”"
        for match in re.finditer(re.escape(quoted) + r"\s*(\([^)]*\)|\d[\d.]*)", text):
            pytest.fail(f"{where}: the summary gives {match.group()!r} for an item answered by fewer than "
                        f"{MIN_GROUP_SIZE}")


def check_axes(ax: Any, frame: pd.DataFrame, exercise: str, where: str) -> None:
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for position in few(frame, exercise):
        assert "n=" not in labels[position], f"{where}: row label {labels[position]!r} gives the small n"
        for patch in ax.patches:
            middle = patch.get_y() + patch.get_height() / 2
            if abs(middle - position) < 1e-6 and abs(patch.get_width()) > 1e-9:
                # a bar for this row: a rating bar's width is measured from the axis' left end
                pytest.fail(f"{where}: row {position + 1} has a bar of width {patch.get_width():.3f}")
        for collection in ax.collections:  # the "middle half" lines
            for segment in collection.get_segments():
                if len(segment) and abs(segment[0][1] - position) < 1e-6 and not pd.isna(segment[0][0]):
                    pytest.fail(f"{where}: row {position + 1} has a middle-half line")
        for text in ax.texts:  # bar labels are Annotations placed at their bar's centre
            content = text.get_text()
            if hasattr(text, "xy") and re.search(r"\d", content) and abs(text.xy[1] - position) < 0.5:
                pytest.fail(f"{where}: row {position + 1} is labelled {content!r}")


pytestmark = pytest.mark.usefixtures("close_figures")


@PROPERTY
@given(st.sampled_from(list(EXERCISES)).flatmap(lambda e: st.tuples(st.just(e), uneven_cohorts(e))))
def test_charts_text_and_html_never_show_a_small_item(case: tuple[str, pd.DataFrame]) -> None:
    exercise, frame = case
    choice = exercise == "boundaries"
    plot = charts.plot_choice_split if choice else charts.plot_rating_profile
    describe = charts.describe_choice_split if choice else charts.describe_rating_profile
    draw = charts_html.choice_split_html if choice else charts_html.rating_profile_html
    own = {load_exercise(exercise).item_ids[0]: EXERCISES[exercise][0]}

    check_axes(plot(frame, exercise=exercise, own=own), frame, exercise, "matplotlib")
    plt.close("all")
    check_words(describe(frame, exercise=exercise, own=own), frame, exercise, "text summary")
    check_html(draw(frame, exercise=exercise, own=own), frame, exercise, "HTML chart")

    from peerkit.widgets.group_comparison import GroupComparison

    comparison = GroupComparison(exercise, group=frame, group_label="test group")
    check_html(comparison.view.value, frame, exercise, "pk.compare")
    check_words(comparison.summary, frame, exercise, "pk.compare summary")


@PROPERTY
@given(north=uneven_cohorts("boundaries"), south=uneven_cohorts("boundaries"))
def test_research_charts_never_show_a_small_cell(north: pd.DataFrame, south: pd.DataFrame) -> None:
    from peerkit.research import describe_item_heatmap, plot_diverging_by_cohort, plot_item_heatmap

    data = pd.concat([north.assign(cohort="north"),
                      south.assign(cohort="south", learner=south["learner"] + "-s")], ignore_index=True)
    counts = data.groupby(["item", "cohort"])["learner"].nunique()
    ax = plot_item_heatmap(data, exercise="boundaries", value="never")
    order = [i for i in load_exercise("boundaries").item_ids if i in set(data["item"])]
    for text in ax.texts:
        column, row = (round(v) for v in text.get_position())
        item, cohort = order[row], ["north", "south"][column]
        if counts.get((item, cohort), 0) < MIN_GROUP_SIZE:
            assert not re.search(r"\d+%", text.get_text()), f"heatmap cell {item}/{cohort}: {text.get_text()!r}"
    text = describe_item_heatmap(data, exercise="boundaries", value="never")
    # per cohort: "north (12 learners): highest “…” (40%), lowest …"
    for cohort, sentence in re.findall(r"(north|south) \((.*?)(?=(?:north|south) \(|\d+ cell\(s\)|$)", text):
        check_words(sentence, data[data["cohort"] == cohort], "boundaries", f"heatmap summary for {cohort}")
    for item in order:
        ax = plot_diverging_by_cohort(data, exercise="boundaries", item=item)
        for label in (ax.get_yticklabels() if ax.patches else []):  # no bars: matplotlib's own number ticks
            cohort = label.get_text().split(" (")[0]
            assert counts.get((item, cohort), 0) >= MIN_GROUP_SIZE, f"diverging bar for {item}/{cohort}"
        plt.close("all")
