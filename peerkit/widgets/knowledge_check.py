"""``KnowledgeCheck``: short questions with feedback in words.

A question with one right answer is a radio group; one with several
(``"multiple": true``) is a group of checkboxes; either way a ``<fieldset>`` whose
``<legend>`` is the question. Each question has a "Check answer" button; the
feedback is text (:func:`peerkit.kinds.knowledge_check.feedback`: "Correct." and why, or
"Not quite.", why the chosen option does not fit, and which one does and why), so it
never depends on colour. The choices are saved the moment they are made; the
right answers stay in the kernel and are not sent to the browser.

Each learner sees each question's options in an order of their own (see
:func:`option_order`): shuffled, so that the right answer's place gives nothing
away, and the same after every restart, because it follows from the learner's
pseudonym and the question, never from chance at run time.

Stored shape: one response per answered question, ``item`` = the question id,
``value`` = the list of chosen option values in the order the options are listed
(a single-choice question stores a list of one). A question with nothing chosen
has no response.

>>> from peerkit.widgets.knowledge_check import KnowledgeCheck
>>> quiz = KnowledgeCheck("some_quiz")          # doctest: +SKIP
>>> quiz.choose("Q1", "b")                       # doctest: +SKIP
>>> quiz.check("Q1")                             # doctest: +SKIP
'Correct. ...'
"""
from __future__ import annotations

import hashlib
import random
from typing import Any

import traitlets

from ..errors import AnswerError, ContentError
from .. import exercises
from ..exercises import Exercise, Item
from ..store import LocalStore
from ._base import ExerciseWidget, front_end
from ..kinds.knowledge_check import feedback
from ._refusals import SendsRefusedValuesBack


def check_definition(exercise: Exercise) -> None:
    """What the schema cannot say: every right answer is one of its question's options."""
    source = exercises.EXERCISES_DIR / f"{exercise.id}.json"
    for item in exercise.items:
        values = [option["value"] for option in item.details["options"]]
        if len(set(values)) != len(values):
            raise ContentError(f"Exercise file {source}: question {item.id!r} repeats an option value ({values}).")
        unknown = [value for value in item.details["correct"] if value not in values]
        if unknown:
            raise ContentError(
                f"Exercise file {source}: question {item.id!r} names {unknown} as correct, but its options are "
                f"{values}. Use option values in 'correct'."
            )


def option_order(learner: str, exercise_id: str, question_id: str, values: list[str]) -> list[str]:
    """The order in which ``learner`` sees a question's option values: shuffled, and always the same for them.

    The shuffle is seeded from the learner's pseudonym, the exercise and the question, so
    it survives restarts and differs between learners and between questions. Without a
    learner (the store could not be opened) the options keep the exercise file's order.

    >>> order = option_order("learner-3f9a0c1b2d4e", "quiz", "Q1", ["a", "b", "c", "d"])
    >>> order == option_order("learner-3f9a0c1b2d4e", "quiz", "Q1", ["a", "b", "c", "d"])
    True
    >>> sorted(option_order("learner-3f9a0c1b2d4e", "quiz", "Q1", ["a", "b", "c", "d"]))
    ['a', 'b', 'c', 'd']
    >>> option_order("", "quiz", "Q1", ["a", "b", "c"])
    ['a', 'b', 'c']
    """
    order = list(values)
    if not learner:
        return order
    seed = hashlib.sha256("\x1f".join((learner, exercise_id, question_id)).encode("utf-8")).digest()
    random.Random(seed).shuffle(order)
    return order


class KnowledgeCheck(SendsRefusedValuesBack, ExerciseWidget):
    """A knowledge check: single- and multiple-choice questions, each checked on request."""

    _esm = front_end("knowledge_check.js")

    #: questions without their answers: [{"id", "text", "multiple", "options": [{"value", "label"}]}]
    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    #: {question id: {"correct": bool | None, "text": str}} for questions checked since their last change
    feedback = traitlets.Dict().tag(sync=True)

    def __init__(self, exercise_id: str, *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        check_definition(self.exercise)
        self._saved = self.stored_answers()
        learner = self._learner()
        super().__init__(
            exercise_id=exercise_id,
            title=self.exercise.title,
            instructions=self.exercise.instructions,
            items=[
                {
                    "id": item.id,
                    "text": item.text,
                    "multiple": bool(item.details.get("multiple", False)),
                    "options": _shuffled(item, learner, exercise_id),
                }
                for item in self.exercise.items
            ],
            answers=self.answers_to_show(),
            **kwargs,
        )
        self.on_msg(self._on_front_end_message)

    def _learner(self) -> str:
        """The learner's pseudonym, which seeds the order of the options ("" if there is no store)."""
        if self.store is None:
            return ""
        try:
            return self.store.learner
        except Exception:  # noqa: BLE001 - an unreadable store shows the options in file order
            return ""

    # -- Python API (the front end does the same through the traits and messages) ----------
    def choose(self, question_id: str, values: str | list[str]) -> None:
        """Choose one option (a value) or several (a list of values); an empty list clears the question."""
        chosen = [values] if isinstance(values, str) else list(values)
        self.answers = {**self.answers, question_id: chosen}

    def check(self, question_id: str) -> str:
        """Give feedback on the stored choice for one question, as the "Check answer" button does."""
        self.exercise.item(question_id)  # names the questions if the id is wrong
        result = feedback(self.exercise, question_id, self.answers.get(question_id, []))
        self.feedback = {**self.feedback, question_id: result}
        return result["text"]

    @property
    def score(self) -> tuple[int, int]:
        """(questions answered correctly, questions)."""
        right = sum(
            1
            for item in self.exercise.items
            if sorted(self.answers.get(item.id, [])) == sorted(item.details["correct"])
        )
        return right, len(self.exercise.items)

    # -- checks and saving -----------------------------------------------------------------
    def _on_front_end_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "check":
            try:
                self.check(str(content.get("question", "")))
            except AnswerError as error:
                self.status = str(error)

    def _check(self, item_id: str, value: Any) -> None:
        question = self.exercise.item(item_id)
        values = [option["value"] for option in question.details["options"]]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerError(
                f"The answer to {self.exercise.id!r} question {item_id!r} must be a list of option values "
                f"(from {values}), not {value!r}."
            )
        unknown = [v for v in value if v not in values]
        if unknown:
            raise AnswerError(
                f"{unknown} {'is' if len(unknown) == 1 else 'are'} not an option of question {item_id!r}. "
                f"Choose from: {', '.join(values)}."
            )
        if len(set(value)) != len(value):
            raise AnswerError(f"The answer to question {item_id!r} lists the same option twice: {value}.")
        if len(value) > 1 and not question.details.get("multiple", False):
            raise AnswerError(f"Question {item_id!r} takes one answer; {value} has {len(value)}. Choose one.")

    @traitlets.validate("answers")
    def _validate_answers(self, proposal: dict[str, Any]) -> dict[str, Any]:
        answers = {}
        for item_id, value in dict(proposal["value"]).items():
            self._check(item_id, value)
            if value:  # nothing chosen: no answer
                order = [o["value"] for o in self.exercise.item(item_id).details["options"]]
                answers[item_id] = sorted(value, key=order.index)
        return answers

    @traitlets.observe("answers")
    def _save_changes(self, change: dict[str, Any]) -> None:
        new = change["new"]
        # feedback belongs to the choice it was given for
        stale = [q for q in self.feedback if new.get(q) != change["old"].get(q)]
        if stale:
            self.feedback = {q: f for q, f in self.feedback.items() if q not in stale}
        self.save_answer_changes(new)


def _shuffled(question: Item, learner: str, exercise_id: str) -> list[dict[str, str]]:
    """A question's options as the front end shows them, in this learner's order."""
    by_value = {option["value"]: option for option in question.details["options"]}
    order = option_order(learner, exercise_id, question.id, list(by_value))
    return [{"value": value, "label": by_value[value]["label"]} for value in order]
