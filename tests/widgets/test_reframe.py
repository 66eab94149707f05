"""Reframes are the learner's own words first; the examples come only after."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from peerkit.widgets._base import SAVED_TEXT, SAVING_TEXT, front_end
from peerkit.errors import AnswerError
from peerkit.store import LocalStore
from peerkit.widgets.reframe import MAX_CHARS, Reframe


DEFINITION = {
    "id": "test_reframe",
    "kind": "reframe",
    "title": "Words that open doors",
    "chapter": "05_language_and_sharing",
    "instructions": "Rewrite each phrase so that it puts the person first.",
    "items": [
        {"id": "P1", "text": "She is a schizophrenic.",
         "examples": ["She lives with schizophrenia.", "She has a diagnosis of schizophrenia."]},
        {"id": "P2", "text": "He refuses to comply with treatment.",
         "examples": ["He has chosen not to take that medication for now."]},
    ],
}


@pytest.fixture
def reframe_id(add_exercise: Callable[[dict[str, Any]], str]) -> str:
    return add_exercise(DEFINITION)


def test_examples_are_not_sent_before_they_are_asked_for(store: LocalStore, reframe_id: str) -> None:
    words = Reframe(reframe_id, store=store)
    assert words.items == [{"id": "P1", "text": "She is a schizophrenic."},
                           {"id": "P2", "text": "He refuses to comply with treatment."}]
    assert words.shown == {}


def test_own_words_first_then_the_examples(store: LocalStore, reframe_id: str) -> None:
    words = Reframe(reframe_id, store=store)
    with pytest.raises(AnswerError, match="Write your own reframe .* first"):
        words.reveal("P1")
    words.write("P1", "   ")
    with pytest.raises(AnswerError, match="first"):
        words.reveal("P1")
    words.write("P1", "A woman living with schizophrenia")
    assert words.reveal("P1") == ["She lives with schizophrenia.", "She has a diagnosis of schizophrenia."]
    assert set(words.shown) == {"P1"}


def test_the_reveal_button_message(store: LocalStore, reframe_id: str) -> None:
    words = Reframe(reframe_id, store=store)
    words._on_front_end_message(words, {"type": "reveal", "item": "P2"}, [])
    assert words.shown == {} and "Write your own reframe" in words.status
    words.write("P2", "He is not taking it at the moment")
    assert words.wait_until_saved() and words.status == "Saved."
    words._on_front_end_message(words, {"type": "reveal", "item": "P2"}, [])
    assert words.shown == {"P2": ["He has chosen not to take that medication for now."]}


def test_reframes_are_stored_at_once_and_come_back(store: LocalStore, reframe_id: str) -> None:
    Reframe(reframe_id, store=store).write("P2", "He has decided against it for now")
    assert LocalStore(store.path).answers(reframe_id) == {"P2": "He has decided against it for now"}
    again = Reframe(reframe_id, store=LocalStore(store.path))
    assert again.answers == {"P2": "He has decided against it for now"}
    assert again.reveal("P2")  # written before the restart counts


def test_clear_and_erasing_delete(store: LocalStore, reframe_id: str) -> None:
    words = Reframe(reframe_id, store=store)
    words.write("P1", "one")
    words.write("P2", "two")
    words.clear("P1")
    assert store.answers(reframe_id) == {"P2": "two"}
    words.write("P2", "")
    assert store.answers(reframe_id) == {}


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [("P1", 3, "must be text"), ("P9", "x", "no item 'P9'"), ("P1", "x" * (MAX_CHARS + 1), "the limit is 5,000")],
)
def test_invalid_values_are_refused_and_nothing_is_lost(
    store: LocalStore, reframe_id: str, item: str, value: Any, message: str
) -> None:
    words = Reframe(reframe_id, store=store)
    words.write("P1", "kept")
    with pytest.raises(AnswerError, match=message):
        words.write(item, value)
    assert store.answers(reframe_id) == {"P1": "kept"}


def test_examples_are_required_by_the_schema(add_exercise: Callable[..., str]) -> None:
    from peerkit.errors import ContentError
    from peerkit.exercises import load_exercise

    broken = {**DEFINITION, "id": "no_examples", "items": [{"id": "P1", "text": "x", "examples": []}]}
    with pytest.raises(ContentError, match="items/0/examples"):
        load_exercise(add_exercise(broken))


def test_front_end_explains_why_the_examples_wait() -> None:
    source = front_end("reframe.js")
    assert "label.htmlFor" in source and 'createElement("textarea")' in source
    assert '"aria-disabled"' in source and "Write your own reframe first" in source
    assert 'data-lm-suppress-shortcuts", "true"' in source
    assert ".innerHTML" not in source


def test_examples_can_be_hidden_again(store: LocalStore, reframe_id: str) -> None:
    words = Reframe(reframe_id, store=store)
    words.write("P2", "He is not taking it at the moment")
    words._on_front_end_message(words, {"type": "reveal", "item": "P2"}, [])
    assert set(words.shown) == {"P2"}
    words._on_front_end_message(words, {"type": "hide", "item": "P2"}, [])
    assert words.shown == {} and words.status == SAVING_TEXT  # hiding leaves the save status as it was
    assert words.wait_until_saved(5) and words.status == SAVED_TEXT
    source = front_end("reframe.js")
    assert "Hide example answers" in source and '"aria-expanded"' in source
