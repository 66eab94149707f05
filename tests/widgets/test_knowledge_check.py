"""Knowledge checks store the chosen options and give feedback in words."""
from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from peerkit.widgets._base import front_end
from peerkit.errors import AnswerError, ContentError
from peerkit.store import LocalStore
from peerkit.widgets.knowledge_check import KnowledgeCheck


DEFINITION = {
    "id": "test_quiz",
    "kind": "knowledge_check",
    "title": "Check your understanding",
    "chapter": "01_what_is_peer_support",
    "instructions": "Choose, then check.",
    "items": [
        {
            "id": "Q1",
            "text": "Peer support rests mostly on…",
            "options": [
                {"value": "diagnosis", "label": "a shared diagnosis",
                 "explanation": "Peers may share a diagnosis, but it is not what the support rests on."},
                {"value": "experience", "label": "shared lived experience",
                 "explanation": "Having been through something similar is what connects peers."},
                {"value": "training", "label": "clinical training",
                 "explanation": "Training helps, but peer support is not built on clinical expertise."},
            ],
            "correct": ["experience"],
            "explanation": "What connects peers is having been through something similar.",
        },
        {
            "id": "Q2",
            "text": "Which of these can a peer supporter do?",
            "multiple": True,
            "options": [
                {"value": "listen", "label": "Listen without judging",
                 "explanation": "Listening is at the heart of the role."},
                {"value": "prescribe", "label": "Prescribe medication",
                 "explanation": "Prescribing belongs to doctors, not to peer supporters."},
                {"value": "share", "label": "Share their own story when it helps",
                 "explanation": "Careful sharing of your own story is part of the role."},
            ],
            "correct": ["listen", "share"],
            "explanation": "Listening and careful self-disclosure are part of the role; prescribing is not.",
        },
    ],
}


@pytest.fixture
def quiz_id(add_exercise: Callable[[dict[str, Any]], str]) -> str:
    return add_exercise(DEFINITION)


def test_questions_reach_the_front_end_without_their_answers(store: LocalStore, quiz_id: str) -> None:
    quiz = KnowledgeCheck(quiz_id, store=store)
    assert [q["multiple"] for q in quiz.items] == [False, True]
    assert all(set(q) == {"id", "text", "multiple", "options"} for q in quiz.items)


def test_choices_are_stored_at_once_as_lists(store: LocalStore, quiz_id: str) -> None:
    quiz = KnowledgeCheck(quiz_id, store=store)
    quiz.choose("Q1", "diagnosis")
    quiz.choose("Q2", ["share", "listen"])
    # kept in the order of the options, whatever order they were ticked in
    assert LocalStore(store.path).answers(quiz_id) == {"Q1": ["diagnosis"], "Q2": ["listen", "share"]}


def test_feedback_is_text_and_names_the_result(store: LocalStore, quiz_id: str) -> None:
    quiz = KnowledgeCheck(quiz_id, store=store)
    assert quiz.check("Q1") == "Choose an answer first, then check it."
    quiz.choose("Q1", "diagnosis")
    # a wrong try: why the chosen option does not fit, then the right one named, with why
    assert quiz.check("Q1") == (
        "Not quite. You chose “a shared diagnosis”: Peers may share a diagnosis, but it is not what the support "
        "rests on. The answer that fits best is “shared lived experience”: Having been through something similar "
        "is what connects peers. What connects peers is having been through something similar.")
    assert quiz.feedback["Q1"]["correct"] is False
    quiz.choose("Q1", "experience")
    assert "Q1" not in quiz.feedback  # feedback on an old choice is withdrawn
    assert quiz.check("Q1") == ("Correct. Having been through something similar is what connects peers. "
                                "What connects peers is having been through something similar.")
    quiz.choose("Q2", ["listen", "prescribe"])
    text = quiz.check("Q2")
    assert text.startswith("Not quite: you found 1 of the 2 right answers, and 1 of your choices is not one of them.")
    assert "“Prescribe medication”: Prescribing belongs to doctors" in text
    assert "The right answers are “Listen without judging” and “Share their own story when it helps”." in text
    assert "“Share their own story when it helps”: Careful sharing" in text
    quiz.choose("Q2", ["listen", "share"])
    assert quiz.check("Q2").startswith("Correct.")
    assert quiz.score == (2, 2)


def test_the_check_button_message_gives_feedback(store: LocalStore, quiz_id: str) -> None:
    quiz = KnowledgeCheck(quiz_id, store=store)
    quiz.choose("Q1", "experience")
    quiz._on_front_end_message(quiz, {"type": "check", "question": "Q1"}, [])
    assert quiz.feedback["Q1"] == {"correct": True, "text": quiz.check("Q1")}
    quiz._on_front_end_message(quiz, {"type": "check", "question": "Q7"}, [])
    assert "no item 'Q7'" in quiz.status


def test_a_new_widget_on_the_same_store_shows_the_choices(store: LocalStore, quiz_id: str) -> None:
    KnowledgeCheck(quiz_id, store=store).choose("Q2", ["share"])
    again = KnowledgeCheck(quiz_id, store=LocalStore(store.path))
    assert again.answers == {"Q2": ["share"]}
    assert again.feedback == {}


def test_unchecking_everything_deletes_the_answer(store: LocalStore, quiz_id: str) -> None:
    quiz = KnowledgeCheck(quiz_id, store=store)
    quiz.choose("Q2", ["listen"])
    quiz.choose("Q2", [])
    assert store.answers(quiz_id) == {}


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("Q1", ["maybe"], "not an option of question 'Q1'"),
        ("Q1", ["diagnosis", "training"], "takes one answer"),
        ("Q2", ["listen", "listen"], "same option twice"),
        ("Q2", "listen, share", "not an option"),
        ("Q9", ["listen"], "no item 'Q9'"),
    ],
)
def test_invalid_choices_are_refused_and_nothing_is_lost(
    store: LocalStore, quiz_id: str, question: str, value: Any, message: str
) -> None:
    quiz = KnowledgeCheck(quiz_id, store=store)
    quiz.choose("Q1", "training")
    with pytest.raises(AnswerError, match=message):
        quiz.choose(question, value)
    with pytest.raises(AnswerError, match="must be a list"):
        quiz.answers = {"Q1": "training"}
    assert store.answers(quiz_id) == {"Q1": ["training"]}


def test_a_single_choice_question_may_not_have_two_right_answers(add_exercise: Callable[..., str]) -> None:
    from peerkit.exercises import load_exercise

    broken = copy.deepcopy(DEFINITION) | {"id": "broken_quiz"}
    broken["items"][0]["correct"] = ["experience", "training"]
    with pytest.raises(ContentError, match=r"items/0/correct: the value must contain less than or equal to 1 items"):
        load_exercise(add_exercise(broken))


def test_right_answers_must_be_options(store: LocalStore, add_exercise: Callable[..., str]) -> None:
    broken = copy.deepcopy(DEFINITION) | {"id": "typo_quiz"}
    broken["items"][1]["correct"] = ["listen", "shared"]
    with pytest.raises(ContentError, match=r"typo_quiz\.json.*'Q2'.*\['shared'\]"):
        KnowledgeCheck(add_exercise(broken), store=store)


def test_front_end_uses_fieldsets_and_text_feedback() -> None:
    source = front_end("knowledge_check.js")
    assert 'createElement("fieldset")' in source and 'createElement("legend")' in source
    assert '"checkbox" : "radio"' in source
    assert "Check answer" in source and '"aria-live", "polite"' in source
    assert 'data-lm-suppress-shortcuts", "true"' in source
    assert ".innerHTML" not in source


# -- the right answer's place gives nothing away (issue 14.6) -----------------------------
def _shown_order(quiz: KnowledgeCheck) -> dict[str, list[str]]:
    return {q["id"]: [o["value"] for o in q["options"]] for q in quiz.items}


def test_each_learner_sees_the_options_in_an_order_of_their_own(store: LocalStore, quiz_id: str) -> None:
    from peerkit.widgets.knowledge_check import option_order

    quiz = KnowledgeCheck(quiz_id, store=store)
    shown = _shown_order(quiz)
    # every option is there, with its own label, whatever the order
    for question in quiz.exercise.items:
        values = [o["value"] for o in question.details["options"]]
        assert sorted(shown[question.id]) == sorted(values)
        labels = {o["value"]: o["label"] for o in question.details["options"]}
        assert all(o["label"] == labels[o["value"]] for q in quiz.items if q["id"] == question.id for o in q["options"])
        assert shown[question.id] == option_order(store.learner, quiz_id, question.id, values)
    # the same learner after a restart (a new widget on the same store): the same order
    assert _shown_order(KnowledgeCheck(quiz_id, store=LocalStore(store.path))) == shown
    # and the stored answer keeps the file's order of options, whatever order they are shown in
    quiz.choose("Q2", ["share", "listen"])
    assert LocalStore(store.path).answers(quiz_id) == {"Q2": ["listen", "share"]}


def test_the_order_differs_between_learners_and_questions() -> None:
    from peerkit.widgets.knowledge_check import option_order

    values = ["a", "b", "c", "d"]
    learners = [f"learner-{n:012x}" for n in range(200)]
    orders = {tuple(option_order(learner, "quiz", "Q1", values)) for learner in learners}
    assert len(orders) > 12, f"200 learners share only {len(orders)} orders of 4 options"
    first = [option_order(learner, "quiz", "Q1", values).index("b") for learner in learners]
    # the option "b" lands in each place for roughly a quarter of the learners
    assert all(25 <= first.count(place) <= 75 for place in range(4)), [first.count(p) for p in range(4)]
    per_question = {tuple(option_order(learners[0], "quiz", q, values)) for q in ("Q1", "Q2", "Q3", "Q4", "Q5")}
    assert len(per_question) > 1, "one learner sees every question's options in the same order"


def test_the_course_bank_spreads_the_right_answers_over_the_places() -> None:
    """In the exercise files themselves, no place holds most right answers (it was B in 7 of 10)."""
    from collections import Counter

    from peerkit.exercises import load_exercise

    places: Counter[int] = Counter()
    questions = 0
    for exercise_id in ("boundaries_check", "peer_support_check", "sharing_check"):
        for item in load_exercise(exercise_id).items:
            values = [o["value"] for o in item.details["options"]]
            places.update(values.index(value) for value in item.details["correct"])
            questions += 1
    assert questions == 10
    assert max(places.values()) <= 4 and len(places) == 4, places
    # chapter 04: the scenarios no longer follow the order of the principles list
    scenarios = load_exercise("trauma_principles_scenarios").items
    positions = [[o["value"] for o in item.details["options"]].index(item.details["correct"][0]) for item in scenarios]
    assert positions != sorted(positions), positions
