"""Text cells that no spreadsheet will run as a formula ("CSV injection").

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula. We put a single quote in
front of such text (OWASP's advice). To keep the change reversible, text that
already starts with a quote followed by such a start is quoted once more, so
:func:`unescape_cell` gives back exactly the original text.

Only text is escaped: numbers in numeric columns (a rating of ``-2``) are written
as numbers.

>>> escape_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> unescape_cell(escape_cell("'=1+1")) == "'=1+1"
True
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def needs_escape(text: str) -> bool:
    """True when ``text`` would start a formula, or looks like text we escaped."""
    i = 0
    while i < len(text) and text[i] == "'":
        i += 1
    return i < len(text) and text[i] in FORMULA_STARTS


def escape_cell(text: str) -> str:
    """``text`` made safe to open in a spreadsheet (a leading ``'`` when needed)."""
    return "'" + text if needs_escape(text) else text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell`."""
    return text[1:] if text.startswith("'") and needs_escape(text[1:]) else text


def is_safe_cell(text: str) -> bool:
    """True when the cell cannot start a formula."""
    return not text.startswith(FORMULA_STARTS)
