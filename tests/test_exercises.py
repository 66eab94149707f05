"""Exercise definitions load, validate, and name the file and problem when broken."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerkit.errors import AnswerError, ContentError
from peerkit.exercises import exercise_ids, load_exercise, load_exercise_file


def test_boundaries_has_27_items_with_stable_ids_and_three_options() -> None:
    boundaries = load_exercise("boundaries")
    assert boundaries.kind == "choice_matrix"
    assert boundaries.item_ids == [f"B{n:02d}" for n in range(1, 28)]
    assert [o.value for o in boundaries.scale] == ["never", "maybe", "always"]
    assert [o.label for o in boundaries.scale] == ["Never OK", "Maybe OK", "Always OK"]
    assert all(item.text.strip() for item in boundaries.items)
    assert boundaries.instructions


def test_every_shipped_exercise_loads() -> None:
    assert "boundaries" in exercise_ids()
    for exercise_id in exercise_ids():
        assert load_exercise(exercise_id).id == exercise_id


def test_check_value_names_the_allowed_answers() -> None:
    boundaries = load_exercise("boundaries")
    boundaries.check_value("B01", "maybe")
    with pytest.raises(AnswerError, match="'never', 'maybe', 'always'"):
        boundaries.check_value("B01", "sometimes")
    with pytest.raises(AnswerError, match="no item 'B99'"):
        boundaries.check_value("B99", "never")


def test_unknown_exercise_lists_the_known_ones() -> None:
    with pytest.raises(ContentError, match="boundaries"):
        load_exercise("no_such_exercise")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _boundaries_raw() -> dict:
    return json.loads(load_exercise_file.__globals__["EXERCISES_DIR"].joinpath("boundaries.json").read_text())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("items"), "the file must contain ['items'] properties"),
        (lambda d: d.update(kind="quiz"), "'kind' is 'quiz'"),
        (lambda d: d["items"].append({"id": "B01", "text": "again"}), "item id 'B01' appears more than once"),
        (lambda d: d["items"][3].update(id="b4"), "at items/3/id: the value must match pattern"),
        (lambda d: d["scale"].pop(), None),  # two options is still a valid scale
        (lambda d: d["scale"].append({"value": "never", "label": "x"}), "scale value 'never' appears more than once"),
        (lambda d: d.update(surprise=True), "must not contain {'surprise'} properties"),
    ],
)
def test_malformed_definitions_name_the_file_and_problem(tmp_path: Path, mutate, message) -> None:
    raw = _boundaries_raw()
    mutate(raw)
    path = _write(tmp_path, "boundaries.json", json.dumps(raw))
    if message is None:
        load_exercise_file(path)
        return
    with pytest.raises(ContentError) as caught:
        load_exercise_file(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "boundaries.json", '{"id": "boundaries",\n "kind": }')
    with pytest.raises(ContentError, match=r"not valid JSON: .* line 2, column 10"):
        load_exercise_file(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "other.json", json.dumps(_boundaries_raw()))
    with pytest.raises(ContentError, match="must match the file name"):
        load_exercise_file(path)
