"""Knowledge checks teach: every option of every shipped check explains itself, a wrong try names the
right answer, and the right option is not the one to spot by its length."""
from __future__ import annotations

import itertools

import pytest

from peerkit.exercises import exercise_ids, load_exercise
from peerkit.kinds import kind_of
from peerkit.kinds.knowledge_check import feedback

CHECKS = [e for e in exercise_ids() if kind_of(load_exercise(e)).name == "knowledge_check"]
QUESTIONS = [(e, item.id) for e in CHECKS for item in load_exercise(e).items]


def test_chapters_03_and_06_have_a_check() -> None:
    chapters = {load_exercise(e).chapter for e in CHECKS}
    assert {"03_empowerment_and_recovery", "06_strengths_risk_and_self_care"} <= chapters


@pytest.mark.parametrize("exercise_id, question", QUESTIONS)
def test_every_option_has_its_own_explanation(exercise_id: str, question: str) -> None:
    options = load_exercise(exercise_id).item(question).details["options"]
    explanations = [option.get("explanation", "").strip() for option in options]
    assert all(len(text.split()) >= 5 for text in explanations), options
    assert len(set(explanations)) == len(explanations), "two options share one explanation"


@pytest.mark.parametrize("exercise_id, question", QUESTIONS)
def test_every_choice_gets_feedback_that_names_the_right_answer(exercise_id: str, question: str) -> None:
    item = load_exercise(exercise_id).item(question)
    options = {o["value"]: o for o in item.details["options"]}
    correct = item.details["correct"]
    sizes = range(1, len(options) + 1) if item.details.get("multiple") else [1]
    for size in sizes:
        for chosen in itertools.combinations(options, size):
            result = feedback(load_exercise(exercise_id), question, list(chosen))
            if sorted(chosen) == sorted(correct):
                assert result["correct"] is True and result["text"].startswith("Correct.")
                assert all(options[value]["explanation"] in result["text"] for value in chosen)
                continue
            assert result["correct"] is False and result["text"].startswith("Not quite")
            for value in correct:  # the right answer named, and why
                assert f"“{options[value]['label'].rstrip('.')}”" in result["text"], (chosen, result["text"])
            for value in set(chosen) - set(correct):  # why this choice does not fit
                assert options[value]["explanation"] in result["text"]


def test_the_right_option_is_not_the_longest_as_a_rule() -> None:
    """Labels of different lengths (not the one-word principle names): the right one is longest in few."""
    counted = longest = 0
    for exercise_id, question in QUESTIONS:
        options = load_exercise(exercise_id).item(question).details["options"]
        if max(len(o["label"].split()) for o in options) <= 2:
            continue
        counted += 1
        top = max(len(o["label"]) for o in options)
        right = load_exercise(exercise_id).item(question).details["correct"]
        longest += any(len(o["label"]) == top for o in options if o["value"] in right)
    assert counted >= 15 and longest <= counted // 4, f"the right option is the longest in {longest} of {counted}"
