"""The group view from counts: per-item suppression inside, shares that add up to 100, splits, ties, ranks.

The property test builds uneven cohorts as counts (items nobody answered, items 1 to 4
people answered, items many answered, a room tally of its own) and checks that nothing
the view gives out, and nothing any chart draws or says from it, belongs to an item
under the threshold.
"""
from __future__ import annotations

import re
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from peerkit import charts, charts_html  # noqa: E402
from peerkit.exercises import load_exercise  # noqa: E402
from peerkit.group_view import GroupView, largest_remainder  # noqa: E402
from peerkit.privacy import MIN_GROUP_SIZE  # noqa: E402

# no shrinking: each example draws several 27-row charts, and a failing example is printed whole anyway
PROPERTY = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])
SCALES = {"boundaries": ["never", "maybe", "always"], "core_skills": [1, 2, 3, 4, 5]}


pytestmark = pytest.mark.usefixtures("close_figures")


def view_of(exercise: str, counts: dict[str, dict[Any, int]], **options: Any) -> GroupView:
    rows = [(exercise, item, value, n) for item, per in counts.items() for value, n in per.items()]
    return GroupView.from_counts(exercise, rows, {item: sum(per.values()) for item, per in counts.items()},
                                 **options)


def test_shares_add_up_to_100_by_largest_remainder() -> None:
    assert largest_remainder([1, 1, 1]) == [34, 33, 33]
    assert largest_remainder([2, 2, 2, 1]) == [29, 29, 28, 14]
    assert largest_remainder([0, 0]) == [0, 0]
    view = view_of("boundaries", {"B01": {"never": 1, "maybe": 1, "always": 1, }, "B02": {"never": 3, "maybe": 3,
                                                                                          "always": 1}},
                   min_group_size=3)
    assert view.percentages("B01") == {"never": 34, "maybe": 33, "always": 33}
    assert sum(view.percentages("B02").values()) == 100


@given(st.lists(st.integers(0, 40), min_size=1, max_size=7))
def test_largest_remainder_always_adds_up_and_stays_within_one_point(counts: list[int]) -> None:
    whole = largest_remainder(counts)
    if sum(counts):
        assert sum(whole) == 100
        assert all(abs(w - 100 * c / sum(counts)) < 1 for w, c in zip(whole, counts))
    else:
        assert whole == [0] * len(counts)


def test_an_item_under_the_threshold_gives_nothing_away() -> None:
    view = view_of("boundaries", {"B01": {"never": 3, "maybe": 2, "always": 2}, "B02": {"never": 4}})
    assert view.shown_items == ["B01"] and view.hidden_items == ["B02"]
    for read in (view.counts, view.percentages, view.shares, view.item_n, view.rating, view.option_results):
        assert read("B02") is None
    assert view.most_common("B02") == [] and view.split("B02") == "fewer than 5 answers"
    assert [d.item for d in view.divided()] == ["B01"]


def test_a_cohorts_own_threshold_is_the_one_used() -> None:
    counts = {"B01": {"never": 3, "maybe": 3}}
    assert view_of("boundaries", counts).shown_items == ["B01"]
    assert view_of("boundaries", counts, min_group_size=7).shown_items == []
    assert view_of("boundaries", counts, min_group_size=7).n is None


def test_the_split_and_a_tie_are_said_as_they_are() -> None:
    view = view_of("boundaries", {"B01": {"never": 3, "maybe": 2, "always": 2},
                                  "B02": {"never": 2, "maybe": 2, "always": 1}})
    (first, second) = view.divided()
    assert first.item == "B02" and first.tie and first.split == "Never OK 2 · Maybe OK 2 · Always OK 1"
    assert first.top_words == "tied: Never OK and Maybe OK (40% each)"
    assert second.split == "Never OK 3 · Maybe OK 2 · Always OK 2" and not second.tie
    assert second.top_words == "most common: Never OK (43%)"
    text = charts.describe_choice_split(view)
    assert "tied: Never OK and Maybe OK, 40% each" in text


def test_the_middle_half_of_ratings_is_in_whole_steps() -> None:
    view = view_of("core_skills", {"C01": {1: 1, 2: 1, 3: 2, 4: 1, 5: 1}, "C02": {3: 6}})
    rating = view.rating("C01")
    assert rating.mean == pytest.approx(3.0) and (rating.low_quartile, rating.high_quartile) == (2, 4)
    assert view.rating("C02").middle_words == "middle half all at 3"


def test_values_arrive_as_the_server_keeps_them() -> None:
    # the server's count keys are canonical JSON; a rating's key "4" is the rating 4
    view = GroupView.from_counts("core_skills", [("core_skills", "C01", "4", 5), ("core_skills", "C01", '"x"', 9),
                                                 ("other", "C01", "4", 9)], {"C01": 5})
    assert view.counts("C01") == {1: 0, 2: 0, 3: 0, 4: 5, 5: 0}


def test_knowledge_check_results_mark_the_right_option() -> None:
    exercise = load_exercise("boundaries_check")
    right = exercise.item("Q1").details["correct"][0]
    wrong = next(o["value"] for o in exercise.item("Q1").details["options"] if o["value"] != right)
    view = GroupView.from_counts(exercise, [("boundaries_check", "Q1", right, 4), ("boundaries_check", "Q1", wrong, 2),
                                            ("boundaries_check", "Q2", right, 2)], {"Q1": 6, "Q2": 2})
    results = {r.value: r for r in view.option_results("Q1")}
    assert results[right].correct and results[right].percent == 67 and results[wrong].percent == 33
    assert sum(r.percent for r in results.values()) == 100
    assert view.option_results("Q2") is None
    ax = charts.plot_knowledge_check(view)
    assert [t.get_text() for t in ax.texts if "answers" in t.get_text()] == ["fewer than 5 answers", "no answers yet"]
    bars = [p for p in ax.patches if p.get_width() > 0]
    assert sorted(round(p.get_width() * 100) for p in bars) == [33, 67]
    html = charts_html.knowledge_check_html(view)
    assert re.search(r'data-value="%s" data-count="4">.*?\(right answer\).*?>67%%<' % right, html, re.S)
    assert html.count('class="pk-row pk-option') == len(exercise.item("Q1").details["options"])


# -- the property: no item under the threshold is ever shown ---------------------------------------------------

@st.composite
def uneven_counts(draw: Any, exercise: str) -> tuple[dict[str, dict[Any, int]], dict[str, dict[Any, int]], int]:
    """Answers' counts and a room tally's counts, each item answered by 0, 1-4 or many; and the threshold."""
    definition = load_exercise(exercise)
    values = SCALES[exercise]
    threshold = draw(st.sampled_from([MIN_GROUP_SIZE, 3, 8]))

    def one_item() -> dict[Any, int]:
        people = draw(st.sampled_from([0, draw(st.integers(1, threshold - 1)), draw(st.integers(threshold, 30))]))
        split = draw(st.lists(st.sampled_from(values), min_size=people, max_size=people))
        return {value: split.count(value) for value in values if split.count(value)}

    answers = {item: one_item() for item in definition.item_ids}
    tally = {item: one_item() for item in definition.item_ids if draw(st.booleans())}
    # at least one item big enough, so the chart as a whole is drawn and the per-item rule is what is tested
    answers[definition.item_ids[0]] = {values[0]: threshold}
    return answers, tally, threshold


NUMBER = re.compile(r"\d+\s*%|n\s*=\s*\d|\(n=\d")


def _chart_rows(ax: Any) -> dict[int, list[str]]:
    """Every text matplotlib draws in the plot, by the row where it is drawn (read after drawing: a bar
    label is an annotation placed relative to its bar)."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    rows: dict[int, list[str]] = {}
    for text in ax.texts:
        if text.get_text():
            box = text.get_window_extent(renderer)
            y = to_data.transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))[1]
            rows.setdefault(round(y), []).append(text.get_text())
    return rows


@pytest.mark.parametrize("exercise", list(SCALES))
@PROPERTY
@given(data=st.data())
def test_no_item_under_the_threshold_is_ever_shown(exercise: str, data: st.DataObject) -> None:
    answers, tally, threshold = data.draw(uneven_counts(exercise))
    definition = load_exercise(exercise)
    for counts in (answers, tally):
        if not counts:
            continue
        view = view_of(exercise, counts, min_group_size=threshold)
        small = [item for item, per in counts.items() if 0 < sum(per.values()) < threshold]
        for item in definition.item_ids:
            people = sum(counts.get(item, {}).values())
            assert view.is_shown(item) == (people >= threshold and view.shown)
        for item in small:
            assert view.counts(item) is None and view.item_n(item) is None and view.rating(item) is None
            assert item not in [d.item for d in view.divided()]
            assert item not in [a[0] for a in view.agreed(99)]
        if not view.shown:
            continue
        choice = exercise == "boundaries"
        plot = charts.plot_choice_split if choice else charts.plot_rating_profile
        describe = charts.describe_choice_split if choice else charts.describe_rating_profile
        draw = charts_html.choice_split_html if choice else charts_html.rating_profile_html
        ax = plot(view)
        labels = [t.get_text() for t in ax.get_yticklabels()]
        drawn = _chart_rows(ax) if small else {}
        text = describe(view)
        for item in small:
            row = definition.item_ids.index(item)
            assert "(n=" not in labels[row]
            assert not [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - row) < 1e-6
                        and p.get_width() > 0]
            assert not [t for t in drawn.get(row, []) if NUMBER.search(t)]
            assert f"“{definition.item(item).text}” (" not in text.replace("Not shown", "")
        html = draw(view)
        for item in small:
            row_html = re.search(r'data-item="%s">(.*?)</div>' % item, html, re.S).group(1)
            assert not NUMBER.search(re.sub(r"<[^>]+>", " ", row_html)), row_html
            assert "pk-seg" not in row_html and "pk-mean" not in row_html
        plt.close("all")
