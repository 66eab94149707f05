"""Reflections are saved while written, private unless shared one by one, and can be deleted."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from peerkit.widgets._base import front_end
from peerkit.errors import AnswerError
from peerkit.store import LocalStore
from peerkit.widgets.reflection import MAX_CHARS, Reflection, word_count


DEFINITION = {
    "id": "test_reflection",
    "kind": "reflection",
    "title": "Looking back",
    "chapter": "01_what_is_peer_support",
    "instructions": "Write as much or as little as you like.",
    "items": [
        {"id": "R1", "text": "What drew you to peer support?", "placeholder": "A few sentences are plenty."},
        {"id": "R2", "text": "Who supported you when it mattered?"},
    ],
}


@pytest.fixture
def reflection_id(add_exercise: Callable[[dict[str, Any]], str]) -> str:
    return add_exercise(DEFINITION)


def test_shows_one_box_per_prompt(store: LocalStore, reflection_id: str) -> None:
    box = Reflection(reflection_id, store=store)
    assert [item["id"] for item in box.items] == ["R1", "R2"]
    assert box.items[0]["placeholder"] == "A few sentences are plenty."
    assert box.items[1]["placeholder"] == ""
    assert box.answers == {}


def test_text_is_stored_private_by_default(store: LocalStore, reflection_id: str) -> None:
    box = Reflection(reflection_id, store=store)
    box.write("R1", "Someone listened to me <b>once</b>.")
    assert LocalStore(store.path).answers(reflection_id) == {
        "R1": {"text": "Someone listened to me <b>once</b>.", "share": False}
    }


def test_sharing_is_a_separate_explicit_choice_per_reflection(store: LocalStore, reflection_id: str) -> None:
    box = Reflection(reflection_id, store=store)
    box.write("R1", "My sister.")
    box.write("R2", "A friend from the group.")
    box.set_share("R2", True)
    assert store.answers(reflection_id) == {
        "R1": {"text": "My sister.", "share": False},
        "R2": {"text": "A friend from the group.", "share": True},
    }
    box.write("R2", "A friend from the group, and later my GP.")  # editing keeps the choice
    assert store.answers(reflection_id)["R2"]["share"] is True
    box.set_share("R2", False)
    assert store.answers(reflection_id)["R2"]["share"] is False


def test_nothing_to_share_before_anything_is_written(store: LocalStore, reflection_id: str) -> None:
    box = Reflection(reflection_id, store=store)
    with pytest.raises(AnswerError, match="write the reflection first"):
        box.set_share("R1", True)
    box.write("R1", "text")
    with pytest.raises(AnswerError, match="True or False"):
        box.set_share("R1", "yes")  # type: ignore[arg-type]
    assert store.answers(reflection_id) == {"R1": {"text": "text", "share": False}}


def test_a_new_widget_on_the_same_store_shows_the_reflections(store: LocalStore, reflection_id: str) -> None:
    first = Reflection(reflection_id, store=store)
    first.write("R1", "Line one.\nLine two.")
    first.set_share("R1", True)
    again = Reflection(reflection_id, store=LocalStore(store.path))
    assert again.answers == {"R1": {"text": "Line one.\nLine two.", "share": True}}
    assert again.text("R1") == "Line one.\nLine two."
    assert again.text("R2") == ""


def test_clear_and_erasing_both_delete(store: LocalStore, reflection_id: str) -> None:
    box = Reflection(reflection_id, store=store)
    box.write("R1", "first")
    box.write("R2", "second")
    box.clear("R1")
    assert store.answers(reflection_id) == {"R2": {"text": "second", "share": False}}
    box.write("R2", "   \n ")  # the learner erased everything
    assert store.answers(reflection_id) == {}
    assert Reflection(reflection_id, store=store).answers == {}


def test_front_end_shape_is_checked_and_nothing_is_lost(store: LocalStore, reflection_id: str) -> None:
    box = Reflection(reflection_id, store=store)
    box.write("R1", "kept")
    bad_values = [
        {"R2": "just text"},
        {"R2": {"text": "x"}},
        {"R2": {"text": 3, "share": False}},
        {"R2": {"text": "x", "share": "no"}},
        {"R9": {"text": "x", "share": False}},
        {"R2": {"text": "x" * (MAX_CHARS + 1), "share": False}},
    ]
    for bad in bad_values:
        with pytest.raises(AnswerError):
            box.answers = {**box.answers, **bad}
    assert store.answers(reflection_id) == {"R1": {"text": "kept", "share": False}}


def test_too_long_text_names_the_limit(store: LocalStore, reflection_id: str) -> None:
    with pytest.raises(AnswerError, match="the limit is 5,000"):
        Reflection(reflection_id, store=store).write("R1", "x" * (MAX_CHARS + 1))


def test_the_limit_is_the_sharing_limit_so_nothing_shared_is_cut() -> None:
    from peerkit.kinds import kind_of

    assert MAX_CHARS == kind_of("reflection").max_chars  # the reflection kind's one limit, shared as written


def test_word_count() -> None:
    assert word_count("") == 0
    assert word_count("  one two\nthree\tfour  ") == 4


def test_front_end_is_labelled_private_and_never_parses_learner_text() -> None:
    source = front_end("reflection.js")
    assert "label.htmlFor" in source and 'createElement("textarea")' in source
    assert 'model.get("share_label")' in source
    assert "Private by default" in source
    assert "PAUSE_MS = 1000" in source and '"blur"' in source
    assert "Yes, delete it" in source  # Clear asks first
    assert 'data-lm-suppress-shortcuts", "true"' in source
    assert ".innerHTML" not in source
