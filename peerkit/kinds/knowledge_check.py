"""Knowledge checks (kind ``knowledge_check``): questions answered by picking options, never marked.

A stored answer is the list of chosen option values: one for a single-choice
question, one or more (each once) for a question that allows several.

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
