"""Research charts: titled, with n, colour-blind-safe cues, and no small cell drawn."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from peerkit.research import (  # noqa: E402
    describe_diverging_by_cohort,
    describe_item_heatmap,
    plot_diverging_by_cohort,
    plot_item_heatmap,
)

from .conftest import choices  # noqa: E402


pytestmark = pytest.mark.usefixtures("close_figures")


def segment_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_text()]


def test_diverging_bars_one_per_cohort_with_n_and_hatching():
    data = pd.concat([choices("A", "B01", 10, 10, 10), choices("B", "B01", 20, 5, 5)])
    ax = plot_diverging_by_cohort(data, exercise="boundaries", item="B01")
    assert "Giving the person a hug" in ax.get_title() and "n = 60" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A (n=30)", "B (n=30)"]
    hatches = {patch.get_hatch() for patch in ax.patches}
    assert len(hatches) == 3  # every option has its own pattern, not only its own colour
    assert "67%" in segment_labels(ax)
    assert "A (30 learners): 33% Never OK" in ax.peerkit_summary


def test_small_answer_groups_are_merged_or_the_bar_left_out():
    data = pd.concat([
        choices("A", "B01", 20, 8, 2),   # 2 "always" -> merged into "maybe"
        choices("B", "B01", 26, 3, 1),   # small "maybe" even after merging -> joins "never" (all one segment): left out
        choices("C", "B01", 2, 1, 1),    # a group under 5
    ])
    ax = plot_diverging_by_cohort(data, exercise="boundaries", item="B01")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A (n=30)"]
    assert "33%*" in segment_labels(ax)
    assert "B, C" in ax.get_xlabel() and "merged" in ax.get_xlabel()
    text = describe_diverging_by_cohort(data, exercise="boundaries", item="B01")
    assert "33% Maybe OK or Always OK" in text and "Not shown" in text
    for label in segment_labels(ax):
        assert label not in {"7%", "3%", "10%"}


def test_everything_suppressed_shows_a_message():
    ax = plot_diverging_by_cohort(choices("A", "B01", 2, 1, 1), exercise="boundaries", item="B01")
    assert "Not shown" in " ".join(t.get_text() for t in ax.texts)


def test_pooled_bars_and_own_axes():
    _, given = plt.subplots()
    data = pd.concat([choices("A", item, 10, 10, 10) for item in ("B01", "B02")])
    assert plot_diverging_by_cohort(data, exercise="boundaries", ax=given) is given
    assert "all 27 items" in given.get_title()


def test_heatmap_marks_small_cells_and_floors():
    data = pd.concat([choices("A", "B01", 10, 10, 10), choices("A", "B02", 2, 14, 14),
                      choices("A", "B03", 27, 3, 0), choices("B", "B01", 6, 6, 6)])
    ax = plot_item_heatmap(data, exercise="boundaries", value="never")
    texts = [t.get_text() for t in ax.texts]
    assert "<5" in texts                    # 2 "never" on B02
    assert "≥87%" in texts and "90%" not in texts  # 3 others on B03: only a floor is shown
    assert "33%" in texts
    assert "Never OK" in ax.get_title() and "n = 48" in ax.get_title()
    assert ax.images[0].get_cmap().name == "cividis"
    summary = describe_item_heatmap(data, exercise="boundaries", value="never")
    assert "not shown" in summary and "at least 87%" in summary


def test_heatmap_of_mean_ratings():
    data = pd.DataFrame({"cohort": "A", "learner": [f"l{i}" for i in range(6)], "exercise": "core_skills",
                         "item": "C01", "value": [1, 2, 3, 4, 5, 3]})
    ax = plot_item_heatmap(data, exercise="core_skills")
    assert "mean rating" in ax.get_title() and "3.0" in [t.get_text() for t in ax.texts]


def test_charts_refuse_unsuitable_exercises():
    with pytest.raises(ValueError, match="scale"):
        plot_diverging_by_cohort(pd.DataFrame(columns=["cohort", "learner", "exercise", "item", "value"]),
                                 exercise="smart_goal")
    with pytest.raises(ValueError, match="not on the scale"):
        plot_item_heatmap(choices("A", "B01", 5, 5, 5), exercise="boundaries", value="sometimes")


def test_bad_rows_are_skipped_and_counted_and_a_small_cohort_has_no_n():
    good = pd.concat([choices("A", "B01", 10, 10, 10), choices("C", "B01", 2, 1, 1)])
    bad = pd.DataFrame({"cohort": "A", "learner": ["Ax", "Ay", "Az"], "exercise": "boundaries", "item": "B01",
                        "value": [{"choice": "never"}, "sometimes", True]})
    data = pd.concat([good, bad], ignore_index=True)
    ax = plot_item_heatmap(data, exercise="boundaries", value="never")
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "A\n(n=30)" in ticks and not any("n=4" in t for t in ticks)
    assert "3 answers could not be read" in ax.get_xlabel()
    text = describe_item_heatmap(data, exercise="boundaries", value="never")
    assert "3 answers could not be read" in text and "4 learners" not in text
    ax = plot_diverging_by_cohort(data, exercise="boundaries", item="B01")
    assert "3 answers could not be read" in ax.get_xlabel()
