"""The one check that a text sent to the server is text: valid Unicode, no NUL.

JSON can carry what no store can hold: ``"\\ud800"`` decodes to a lone surrogate,
which cannot be written as UTF-8 (SQLite, the reply itself), and ``"\\u0000"`` to a
NUL, which PostgreSQL refuses in any text column. Every text is checked here before
it is used: by the request models (:mod:`peerkit.server.models`) for every field,
path and query parameter, and by the answer rule (:func:`peerkit.server.checking.check_shared`)
for every text inside an answer or a hand-in file.

>>> text_problem("calm"), text_problem("a\\ud800") is not None, text_problem("a\\x00") is not None
(None, True, True)
>>> value_problem({"text": ["fine", "no\\x00"]})
'holds a NUL character (U+0000), which no text may hold'
"""
from __future__ import annotations

from typing import Any

_NUL = "holds a NUL character (U+0000), which no text may hold"
_SURROGATE = "is not valid Unicode (it holds half of a character, a lone surrogate such as \\ud800)"
#: Deepest nesting walked (the answer rule refuses anything deeper than 4 long before).
MAX_DEPTH = 32


def text_problem(text: str) -> str | None:
    """What is wrong with ``text`` as text (plain words, to follow the field's name), or ``None``."""
    if "\x00" in text:
        return _NUL
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE
    return None


def check_text(text: str) -> str:
    """``text`` itself, or :class:`ValueError` with :func:`text_problem`'s words (for a pydantic validator)."""
    problem = text_problem(text)
    if problem:
        raise ValueError(f"This text {problem}.")
    return text


def value_problem(value: Any, depth: int = 0) -> str | None:
    """:func:`text_problem` of the first bad text anywhere in a JSON value (keys too), or ``None``."""
    if isinstance(value, str):
        return text_problem(value)
    if depth > MAX_DEPTH:
        return "is nested too deeply"
    if isinstance(value, dict):
        for key, inner in value.items():
            problem = value_problem(key, depth + 1) if isinstance(key, str) else None
            problem = problem or value_problem(inner, depth + 1)
            if problem:
                return problem
    elif isinstance(value, (list, tuple)):
        for inner in value:
            problem = value_problem(inner, depth + 1)
            if problem:
                return problem
    return None


def check_value(value: Any) -> Any:
    """``value`` itself, or :class:`ValueError` when any text in it is not text."""
    problem = value_problem(value)
    if problem:
        raise ValueError(f"A text in this value {problem}.")
    return value
