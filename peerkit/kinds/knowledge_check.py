"""Knowledge checks (kind ``knowledge_check``): questions answered by picking options, never marked.

A stored answer is the list of chosen option values: one for a single-choice
question, one or more (each once) for a question that allows several.

Every option carries its own explanation, right or wrong; :func:`feedback` is the one
place that turns a choice into words (the notebook widget and the phone page both
use it): why the chosen option fits or not, and after a wrong try, which option is
right and why.

>>> from peerkit.exercises import load_exercise
>>> from peerkit.kinds import kind_of
>>> kind_of("knowledge_check").is_valid(load_exercise("boundaries_check"), "Q1", ["b"])
True
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import AnswerError
from ._kind import Kind, answer_rows

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

SUMMARY_COLUMNS = ["item", "text", "value", "label", "correct", "count", "n", "share"]


def options_of(exercise: "Exercise", item_id: str) -> list[str]:
    """The option values of one question, in file order."""
    return [option["value"] for option in exercise.item(item_id).details.get("options", [])]


def _quoted(labels: list[str]) -> str:
    quoted = [f"“{label.rstrip('.')}”" for label in labels]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def feedback(exercise: "Exercise", item_id: str, chosen: list[str]) -> dict[str, Any]:
    """``{"correct": bool | None, "text": words}`` for a choice of options on one question.

    Right: "Correct." and why. Wrong: why each chosen option does not fit, then the right
    option(s) named, with why. A question's own ``explanation`` (the key idea), where it has
    one, closes the text either way.

    >>> from peerkit.exercises import load_exercise
    >>> check = load_exercise("boundaries_check")
    >>> feedback(check, "Q1", ["b"])["correct"]
    True
    >>> text = feedback(check, "Q1", ["a"])["text"]
    >>> text.startswith("Not quite."), "The answer that fits best is “At the start, and again" in text
    (True, True)
    """
    question = exercise.item(item_id)
    options = {option["value"]: option for option in question.details["options"]}
    order = list(options)
    chosen = sorted(set(chosen) & set(options), key=order.index)  # values that are not options count for nothing
    if not chosen:
        return {"correct": None, "text": "Choose an answer first, then check it."}
    correct = [value for value in order if value in question.details["correct"]]
    closing = question.details.get("explanation", "")

    def why(value: str) -> str:
        return options[value].get("explanation", "")

    parts: list[str]
    if chosen == correct:
        parts = ["Correct."] + [why(value) for value in chosen]
        if closing:
            parts.append(closing)
        return {"correct": True, "text": " ".join(part for part in parts if part)}
    if question.details.get("multiple", False):
        found = [value for value in chosen if value in correct]
        wrong = [value for value in chosen if value not in correct]
        parts = [f"Not quite: you found {len(found)} of the {len(correct)} right answers"
                 + (f", and {len(wrong)} of your choices {'is' if len(wrong) == 1 else 'are'} not one of them."
                    if wrong else ".")]
        parts += [f"{_quoted([options[value]['label']])}: {why(value)}" for value in wrong]
        parts.append(f"The right answers are {_quoted([options[value]['label'] for value in correct])}.")
        parts += [f"{_quoted([options[value]['label']])}: {why(value)}" for value in correct if value not in found]
    else:
        parts = ["Not quite."]
        parts += [f"You chose {_quoted([options[value]['label']])}: {why(value)}" for value in chosen]
        parts += [f"The answer that fits best is {_quoted([options[value]['label']])}: {why(value)}"
                  for value in correct]
    if closing:
        parts.append(closing)
    return {"correct": False, "text": " ".join(part for part in parts if part)}


class KnowledgeCheck(Kind):
    name = "knowledge_check"
    widget = "peerkit.widgets.knowledge_check:KnowledgeCheck"
    chart_style = "options"
    scored = True
    options_per_item = True

    def check_value(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        question = exercise.item(item_id)
        options = options_of(exercise, item_id)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise AnswerError(f"An answer to question {item_id!r} must be a list of chosen options, not {value!r}.")
        unknown = [v for v in value if v not in options]
        if unknown:
            raise AnswerError(f"{unknown} not an option of question {item_id!r} (options: {', '.join(options)}).")
        if len(set(value)) != len(value):
            raise AnswerError(f"{value} is not a valid choice for question {item_id!r}: it picks an option twice.")
        if len(value) > 1 and not question.details.get("multiple", False):
            raise AnswerError(f"Question {item_id!r} takes one answer, so {value} is not a valid choice.")

    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """Per question and option: how many people chose it, of ``n`` who answered the question."""
        import pandas as pd

        data = answer_rows(rows)
        data = data[[self.is_valid(exercise, item, value) for item, value in zip(data["item"], data["value"])]]
        data = data.drop_duplicates(["learner", "item"], keep="last")
        out = []
        for item in exercise.items:
            answers = data.loc[data["item"] == item.id, "value"]
            n = int(answers.size)
            correct = set(item.details.get("correct", []))
            for option in item.details.get("options", []):
                count = int(sum(option["value"] in chosen for chosen in answers))
                out.append({"item": item.id, "text": item.text, "value": option["value"], "label": option["label"],
                            "correct": option["value"] in correct, "count": count, "n": n,
                            "share": count / n if n else float("nan")})
        return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


KIND = KnowledgeCheck()
