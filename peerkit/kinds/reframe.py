"""Reframes (kind ``reframe``): the learner's rewrite of each phrase in recovery language.

Stored value: the learner's text (never blank, at most :data:`MAX_CHARS` characters).
A reframe is a practice answer, not a personal story: when the learner shares the
exercise, each reframe goes out as its text.

>>> from peerkit.exercises import load_exercise
>>> from peerkit.kinds import kind_of
>>> kind_of("reframe").is_valid(load_exercise("recovery_language"), "L1", "She lives with schizophrenia.")
True
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import AnswerError
from ._kind import Kind, text_error
from ._texts import text_summary

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

#: Longest reframe kept, in characters.
MAX_CHARS = 5_000


class Reframe(Kind):
    name = "reframe"
    share_who = ("Your rewrites go as you wrote them. Your trainer reads them under your code name, never your "
                 "name, and may show them on the room's screen, without your code name.")
    widget = "peerkit.widgets.reframe:Reframe"
    chart_style = "texts"
    done_with_any_answer = True
    open_text = True
    max_chars = MAX_CHARS

    def check_value(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        problem = text_error("reframe", item_id, value, MAX_CHARS)
        if problem:
            raise AnswerError(problem)

    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """One row per reframe: ``item, prompt, text, n`` (n = people who reframed that phrase)."""
        return text_summary(exercise, rows, lambda v: v if isinstance(v, str) and v.strip() else None)


KIND = Reframe()
