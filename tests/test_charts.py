"""Group charts: tidy data in, Axes out; small groups suppressed; words for every chart."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from peerkit import charts  # noqa: E402
from peerkit.group_view import GroupView  # noqa: E402
from peerkit.reference import REFERENCE_LABEL, reference_responses  # noqa: E402


pytestmark = pytest.mark.usefixtures("close_figures")


def group_of(n: int, value: str = "maybe") -> pd.DataFrame:
    """n people; from item 3 on each leaves some items blank, so items have uneven numbers of answers."""
    return pd.DataFrame(
        [{"learner": f"p{p}", "exercise": "boundaries", "item": f"B{i:02d}", "value": value}
         for p in range(n) for i in range(1, 28) if i <= 2 or (p + i) % 3]
    )


def test_an_item_fewer_than_five_answered_is_not_drawn_even_in_a_big_group() -> None:
    group = group_of(6, "never")
    counts = group.groupby("item")["learner"].nunique()
    small = [i for i, item in enumerate(f"B{k:02d}" for k in range(1, 28)) if counts.get(item, 0) < 5]
    assert small, "the fixture must give some items fewer than 5 answers"
    ax = charts.plot_choice_split(group, exercise="boundaries")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for row in small:
        assert "(n=" not in labels[row]
        assert not [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - row) < 1e-6 and p.get_width() > 0]
        assert any(t.get_text() == "fewer than 5 answers" and t.get_position()[1] == row for t in ax.texts)
    text = charts.describe_choice_split(group, exercise="boundaries")
    assert "Not shown (fewer than 5 answers)" in text


def test_choice_split_returns_the_axes_with_bars_title_and_n() -> None:
    group = reference_responses("boundaries")
    fig, ax = plt.subplots()
    returned = charts.plot_choice_split(group, exercise="boundaries", own={"B01": "never"}, ax=ax,
                                        group_label=REFERENCE_LABEL)
    assert returned is ax
    assert "n = 40" in ax.get_title() and "synthetic" in ax.get_title()
    assert len(ax.patches) == 27 * 3
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"Never OK", "Maybe OK", "Always OK", "Your answer"}
    # barh labels its BarContainer, not the patches: look the "Never OK" bars up through their container
    (never,) = [c for c in ax.containers if c.get_label() == "Never OK"]
    assert len(never.patches) == 27
    assert all(p.get_hatch() == charts.HATCHES[0] for p in never.patches)
    # the "Never OK" bars start at the left end of each bar and end where "Maybe OK" begins
    (maybe,) = [c for c in ax.containers if c.get_label() == "Maybe OK"]
    for a, b in zip(never.patches, maybe.patches):
        assert a.get_x() + a.get_width() == pytest.approx(b.get_x())


def test_own_answer_is_marked_in_its_segment() -> None:
    group = group_of(6, "never")
    ax = charts.plot_choice_split(group, exercise="boundaries", own={"B02": "never"})
    marks = [line for line in ax.lines if line.get_marker() == "D" and len(line.get_xdata())]
    (mark,) = marks
    assert list(mark.get_ydata()) == [1]  # the second row
    assert mark.get_xdata()[0] < 0  # in the "never" half


@pytest.mark.parametrize("n", [0, 1, 4])
def test_small_groups_are_not_drawn(n: int) -> None:
    ax = charts.plot_choice_split(group_of(n), exercise="boundaries")
    assert not ax.patches
    text = ax.texts[0].get_text().replace("\n", " ")
    assert "fewer than 5 answers" in text and f"only {n}" not in text
    assert f"n = {n}" not in ax.get_title()
    assert "at least 5" in charts.describe_choice_split(group_of(n), exercise="boundaries")


def test_five_people_are_drawn() -> None:
    assert charts.plot_choice_split(group_of(5), exercise="boundaries").patches


def test_description_names_agreement_and_the_divided_split_but_never_scores_conformity() -> None:
    text = charts.describe_choice_split(reference_responses("boundaries"), exercise="boundaries",
                                        own={"B16": "never", "B01": "always"}, group_label=REFERENCE_LABEL)
    assert text.startswith("40 people in the synthetic reference group")
    assert "Most divided: “Handing the person your personal phone number” (Never OK 17 · Maybe OK 17 · Always OK 6)" \
        in text
    # issue 22 part 5: "matched the group's most common answer on 15 of 26" nudged people to conform
    assert "matched" not in text and "most common answer" not in text


def test_shares_and_divided_items() -> None:
    rows = [("a", "never"), ("b", "maybe"), ("c", "maybe"), ("d", "always"), ("e", "always")]
    data = pd.DataFrame([{"learner": l, "item": "B01", "value": v} for l, v in rows]
                        + [{"learner": l, "item": "B02", "value": "never"} for l, _ in rows])
    view = GroupView.from_answers(data, "boundaries")
    assert list(view.shares("B01").values()) == [0.2, 0.4, 0.4]
    assert view.item_n("B01") == 5 and view.item_n("B03") is None
    divided = view.divided()
    assert [row.item for row in divided] == ["B01"]
    assert divided[0].top_share == 0.4 and divided[0].tie


def test_reference_cohort_is_labelled_and_complete() -> None:
    group = reference_responses("boundaries")
    assert group["learner"].nunique() >= 30
    assert set(group["item"]) == {f"B{i:02d}" for i in range(1, 28)}
    assert group["learner"].str.startswith("synthetic-").all()


# -- drawn from counts: count the bars and read the printed numbers against the counts made here --------------

def _counts_view(exercise: str, counts: dict[str, dict]):
    from peerkit.group_view import GroupView

    rows = [(exercise, item, value, n) for item, per in counts.items() for value, n in per.items()]
    return GroupView.from_counts(exercise, rows, {item: sum(per.values()) for item, per in counts.items()})


def test_split_bars_and_their_printed_shares_match_the_counts() -> None:
    counts = {"B01": {"never": 3, "maybe": 2, "always": 2}, "B02": {"never": 6}, "B03": {"maybe": 1, "always": 4},
              "B04": {"never": 2}}
    view = _counts_view("boundaries", counts)
    ax = charts.plot_choice_split(view)
    ax.figure.canvas.draw()
    drawn: dict[int, list] = {}
    for patch in ax.patches:
        if patch.get_width() > 0:
            drawn.setdefault(round(patch.get_y() + patch.get_height() / 2), []).append(patch)
    # one segment per option chosen, none for B04 (2 answers), widths = whole shares adding up to 100 %
    assert {row: len(p) for row, p in drawn.items()} == {0: 3, 1: 1, 2: 2}
    assert [round(100 * p.get_width()) for p in drawn[0]] == [43, 29, 28]
    assert sum(round(100 * p.get_width()) for p in drawn[2]) == 100
    printed = sorted(t.get_text() for t in ax.texts if t.get_text().endswith("%"))
    assert printed == sorted(["43%", "29%", "28%", "100%", "20%", "80%"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].endswith("(n=7)") and labels[1].endswith("(n=6)") and "(n=" not in labels[3]


def test_rating_bars_start_at_the_scales_first_value_and_reach_the_mean() -> None:
    counts = {"C01": {1: 1, 2: 1, 3: 2, 4: 1, 5: 1}, "C02": {5: 5}, "C03": {2: 1}}
    view = _counts_view("core_skills", counts)
    ax = charts.plot_rating_profile(view, own={"C01": 2})
    bars = [p for p in ax.patches if p.get_width() > 0]
    assert len(bars) == 2
    assert all(p.get_x() == 1 for p in bars)  # from 1, not from half a step below it
    assert [p.get_x() + p.get_width() for p in bars] == [pytest.approx(3.0), pytest.approx(5.0)]
    # the middle half: whole steps (2 to 4) for C01, and no line for C02, where all ratings are 5
    (middle,) = [c for c in ax.collections if c.get_label() == "Middle half of the group"]
    assert [tuple(segment[:, 0]) for segment in middle.get_segments()] == [(2.0, 4.0)]
    assert "Average of the group" in {t.get_text() for t in ax.get_legend().get_texts()}
    assert "Average ratings of the group (n = 6), with yours" in ax.get_title()
