"""Reflections (kind ``reflection``): free text per prompt, private unless the learner shares one.

Stored value: ``{"text": str, "share": bool}``: the text is never blank and at most
:data:`MAX_CHARS` characters; ``share`` is True only when the learner ticked "share"
on that reflection. Only then, and only the text, goes to the group:
``{"text": str}``.

>>> from peerkit.exercises import load_exercise
>>> from peerkit.kinds import kind_of
>>> reflection = kind_of("reflection")
>>> exercise = load_exercise("welcome_reflection")
>>> reflection.shared_value(exercise, "R1", {"text": "I listen.", "share": True})
(True, {'text': 'I listen.'})
>>> reflection.shared_value(exercise, "R1", {"text": "I listen.", "share": False})
(False, None)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import AnswerError
from ._kind import Kind, text_error
from ._texts import text_summary

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

#: Longest reflection kept, in characters (about 800 words); the text box stops there too, and a
#: shared reflection is never cut short.
MAX_CHARS = 5_000


def word_count(text: str) -> int:
    """Words in ``text`` as the widget counts them: runs of non-space characters."""
    return len(text.split())


class Reflection(Kind):
    name = "reflection"
    widget = "peerkit.widgets.reflection:Reflection"
    chart_style = "texts"
    done_with_any_answer = True
    share_per_answer = True
    open_text = True
    text_key = "text"
    max_chars = MAX_CHARS
    share_note = "only reflections you marked “share”"
    share_one = ("Share this reflection with my group. My trainer reads it under my code name, never my name, "
                 "and may show it on the room's screen, without my code name.")
    share_who = ("Only the reflections you mark “share” go, and only their words. Your trainer reads them under "
                 "your code name, never your name, and may show them on the room's screen, without your code name.")

    def check_value(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        if not (isinstance(value, dict) and set(value) == {"text", "share"}):
            raise AnswerError(f'A reflection must be {{"text": text, "share": true or false}}, not {value!r}.')
        if not isinstance(value["share"], bool):
            raise AnswerError(f"Whether reflection {item_id!r} is shared must be True or False, "
                              f"not {value['share']!r}.")
        problem = text_error("reflection", item_id, value["text"], MAX_CHARS)
        if problem:
            raise AnswerError(problem)

    def shared_value(self, exercise: "Exercise", item_id: str, value: Any) -> tuple[bool, Any]:
        if not self.is_valid(exercise, item_id, value) or value["share"] is not True:
            return False, None
        return True, {"text": value["text"]}

    def check_shared(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        self.check_item(exercise, item_id)
        if not (isinstance(value, dict) and set(value) == {"text"}):
            raise AnswerError(f'A shared reflection must be {{"text": "..."}}, not {str(value)[:80]!r}.')
        problem = text_error("reflection", item_id, value["text"], MAX_CHARS)
        if problem:
            raise AnswerError(problem)

    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """One row per shared reflection: ``item, prompt, text, n`` (n = people who shared on that prompt)."""
        return text_summary(exercise, rows, _shared_text)


def _shared_text(value: Any) -> str | None:
    # a group holds shared values ({"text"}); a learner's own store holds {"text", "share"}
    if isinstance(value, dict) and isinstance(value.get("text"), str) and value.get("share", True) is True:
        return value["text"] if value["text"].strip() else None
    return None


KIND = Reflection()
