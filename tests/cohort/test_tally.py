"""Room tally: counts of hands are checked against the exercise's scale, and pasted tables are read."""
from __future__ import annotations

import pandas as pd
import pytest

from peerkit.cohort.tally import TallyError, check_counts, parse_tally


def test_counts_come_back_in_the_exercises_order_with_missing_options_as_zero() -> None:
    assert check_counts({"B03": {"never": 8}, "B01": {"always": 1, "never": 2, "maybe": 5}}, exercise="boundaries") == {
        "B01": {"never": 2, "maybe": 5, "always": 1}, "B03": {"never": 8, "maybe": 0, "always": 0}}


@pytest.mark.parametrize(("counts", "message"), [
    ({"B99": {"never": 1}}, "not an item"),
    ({"B01": {"sometimes": 1}}, "not an option"),
    ({"B01": {"never": -1}}, "between 0 and 500"),
    ({"B01": {"never": 2.5}}, "whole number"),
    ({"B01": {"never": True}}, "not a number"),
])
def test_bad_counts_name_the_item_and_option(counts: dict, message: str) -> None:
    with pytest.raises(TallyError, match=message):
        check_counts(counts, exercise="boundaries")


def test_room_size_catches_a_miscount() -> None:
    with pytest.raises(TallyError, match="B01: 9 hands counted, but the room has 8"):
        check_counts({"B01": {"never": 4, "maybe": 5}}, exercise="boundaries", room_size=8)


def test_exercises_without_options_cannot_be_tallied() -> None:
    with pytest.raises(TallyError, match="no options to raise hands for"):
        check_counts({}, exercise="welcome_reflection")


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
    assert check_counts({"C01": {1: 2, 5: 3}}, exercise="core_skills")["C01"] == {1: 2, 2: 0, 3: 0, 4: 0, 5: 3}


def test_a_frame_of_counts_is_read_like_a_mapping() -> None:
    frame = pd.DataFrame({"never": [2], "maybe": [5], "always": [1]}, index=["B01"])
    assert check_counts(frame, exercise="boundaries") == {"B01": {"never": 2, "maybe": 5, "always": 1}}
