"""Room tally: counts of hands become the same tidy rows, so the same charts draw them."""
from __future__ import annotations

import pandas as pd
import pytest

from peerkit.agreement import choice_shares, divided_items
from peerkit.charts import describe_choice_split, plot_choice_split
from peerkit.cohort.panels import exercise_panel
from peerkit.cohort.tally import TallyError, parse_tally, tally_frame
from peerkit.exercises import load_exercise

COUNTS = {"B01": {"never": 2, "maybe": 5, "always": 1}, "B02": {"never": 0, "maybe": 4, "always": 4},
          "B03": {"never": 8}}


def equivalent_answers(counts: dict) -> pd.DataFrame:
    """The answers eight real learners would have given to produce these counts."""
    rows = []
    for item, per in counts.items():
        learner = 0
        for value, hands in per.items():
            for _ in range(hands):
                learner += 1
                rows.append({"learner": f"p-{learner:020x}", "exercise": "boundaries", "item": item,
                             "value": value})
    return pd.DataFrame(rows)


def test_tally_rows_have_the_shape_of_shared_answers() -> None:
    frame = tally_frame(COUNTS, exercise="boundaries")
    assert list(frame.columns) == ["learner", "cohort", "exercise", "item", "value", "answered_at"]
    assert len(frame) == 24 and frame["learner"].nunique() == 8
    assert frame["learner"].str.match(r"^tally-\d+$").all()
    assert frame.groupby("item").size().to_dict() == {"B01": 8, "B02": 8, "B03": 8}


def test_tally_draws_the_same_chart_as_the_same_answers() -> None:
    tally, real = tally_frame(COUNTS, exercise="boundaries"), equivalent_answers(COUNTS)
    pd.testing.assert_frame_equal(choice_shares(tally, exercise="boundaries"),
                                  choice_shares(real, exercise="boundaries"))
    pd.testing.assert_frame_equal(divided_items(tally, exercise="boundaries"),
                                  divided_items(real, exercise="boundaries"))
    assert describe_choice_split(tally, exercise="boundaries") == describe_choice_split(real, exercise="boundaries")
    ax = plot_choice_split(tally, exercise="boundaries")
    other = plot_choice_split(real, exercise="boundaries")
    widths = lambda axes: [round(p.get_width(), 6) for p in axes.patches]  # noqa: E731
    assert widths(ax) == widths(other) and ax.get_title() == other.get_title()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_small_room_is_suppressed() -> None:
    html = exercise_panel(tally_frame({"B01": {"never": 2, "maybe": 2}}, exercise="boundaries"), "boundaries")
    assert "fewer than 5 answers" in html and "listitem" not in html and "4 people" not in html


@pytest.mark.parametrize(("counts", "message"), [
    ({"B99": {"never": 1}}, "not an item"),
    ({"B01": {"sometimes": 1}}, "not an option"),
    ({"B01": {"never": -1}}, "between 0 and 500"),
    ({"B01": {"never": 2.5}}, "whole number"),
    ({"B01": {"never": True}}, "not a number"),
])
def test_bad_counts_name_the_item_and_option(counts: dict, message: str) -> None:
    with pytest.raises(TallyError, match=message):
        tally_frame(counts, exercise="boundaries")


def test_room_size_catches_a_miscount() -> None:
    with pytest.raises(TallyError, match="B01: 9 hands counted, but the room has 8"):
        tally_frame({"B01": {"never": 4, "maybe": 5}}, exercise="boundaries", room_size=8)


def test_exercises_without_options_cannot_be_tallied() -> None:
    with pytest.raises(TallyError, match="no options to raise hands for"):
        tally_frame({}, exercise="welcome_reflection")


def test_pasted_tables_in_several_shapes() -> None:
    spreadsheet = "item\tNever OK\tMaybe OK\tAlways OK\nB01\t2\t5\t1\n2\t0\t4\t4\n"
    assert parse_tally(spreadsheet, exercise="boundaries") == {
        "B01": {"never": 2, "maybe": 5, "always": 1}, "B02": {"never": 0, "maybe": 4, "always": 4}}
    reordered = "item, always, never, maybe\nb03, 1, 2, 3"
    assert parse_tally(reordered, exercise="boundaries") == {"B03": {"always": 1, "never": 2, "maybe": 3}}
    assert parse_tally("# counts\n27 1 1 1", exercise="boundaries") == {"B27": {"never": 1, "maybe": 1, "always": 1}}
    with pytest.raises(TallyError, match="Line 1 .* has 2 counts; expected 3"):
        parse_tally("B01 1 2", exercise="boundaries")
    with pytest.raises(TallyError, match="appears twice"):
        parse_tally("B01 1 2 3\n1 1 1 1", exercise="boundaries")
    with pytest.raises(TallyError, match="empty"):
        parse_tally("  \n", exercise="boundaries")


def test_rating_exercises_can_be_tallied_too() -> None:
    frame = tally_frame({"C01": {1: 2, 5: 3}}, exercise="core_skills")
    assert sorted(frame["value"].tolist()) == [1, 1, 5, 5, 5]


def test_tally_form_fields_are_labelled_and_draw_the_chart() -> None:
    from peerkit.cohort.tally_form import TallyForm

    form = TallyForm("boundaries")
    labels = [field.description for field in form._fields.values()]
    assert len(labels) == 27 * 3 and labels[0] == "1. Never OK" and labels[-1] == "27. Always OK"
    form._paste.value = "B01 2 5 1\nB02 0 4 4"
    assert form.use_pasted()
    assert form.counts() == {"B01": {"never": 2, "maybe": 5, "always": 1}, "B02": {"never": 0, "maybe": 4, "always": 4}}
    assert form.show_chart()
    assert "peerkit-html-chart" in form._result.value and "n = 8" in form._result.value
    form._paste.value = "B01 2 5"
    assert not form.use_pasted() and "expected 3" in form.status
    form.exercise = "core_skills"
    assert len(form._fields) == len(load_exercise("core_skills").items) * 5
