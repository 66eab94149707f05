"""Text cells that every reader sees as the same text, and that no spreadsheet runs as a formula.

Two dangers, both met at the boundary where learner text enters an export:

* **Line breaks.** A bare carriage return inside a field is not quoted by
  ``to_csv`` or Python's csv writer with a ``"\\n"`` line end, so a spreadsheet
  splits the row there. :func:`normalise_text` turns CR LF and lone CR into LF and
  drops other control characters (keeping tab and LF); the CSV files are then
  written with CR LF line ends (RFC 4180), so the writer quotes every field that
  holds CR, LF, a quote or the delimiter.
* **Formulas.** Excel, LibreOffice and Google Sheets run a cell that starts with
  ``=``, ``+``, ``-`` or ``@`` (and some strip leading spaces or control
  characters first: ``" =1+1"``, ``"\\r=cmd|..."``). :func:`escape_cell` puts a
  single quote in front of any text whose first character after leading
  whitespace and control characters starts a formula, or whose very first
  character is whitespace or a control character followed by one (OWASP's
  advice). Text that already starts with quotes followed by such a start gets one
  more, so :func:`unescape_cell` gives back exactly the original text.

Only text is escaped: numbers in numeric columns (a rating of ``-2``) stay numbers.

>>> escape_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> escape_cell("  =1+1")
"'  =1+1"
>>> unescape_cell(escape_cell("'=1+1")) == "'=1+1"
True
>>> normalise_text("one\\r\\ntwo\\rthree\\x00")
'one\\ntwo\\nthree'
"""
from __future__ import annotations

import re

#: Characters that make a spreadsheet read a cell as a formula (after any leading whitespace).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA_CHARS = "=+-@"
# whitespace and control characters a reader may skip before it looks for a formula
_LEADING = re.compile(r"^[\s\x00-\x1f\x7f\u00a0\u2000-\u200b\u2028\u2029\u3000\ufeff]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_text(text: str) -> str:
    """Line breaks as LF only, other control characters (except tab) removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text)


def needs_escape(text: str) -> bool:
    """True when ``text`` (ignoring escape quotes already in front) could start a formula."""
    body = text.lstrip("'")
    if not body:
        return False
    lead = _LEADING.match(body).group(0)
    rest = body[len(lead):]
    if lead and lead != " " * len(lead):
        return True  # a tab, CR, LF or other control character in front: some readers start a formula there
    return bool(rest) and rest[0] in _FORMULA_CHARS


def escape_cell(text: str) -> str:
    """``text`` made safe to open in a spreadsheet (a leading ``'`` when needed)."""
    return "'" + text if needs_escape(text) else text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell`."""
    return text[1:] if text.startswith("'") and needs_escape(text[1:]) else text


def is_safe_cell(text: str) -> bool:
    """True when the cell cannot start a formula in any reader we know."""
    return not text or text.startswith("'") or not needs_escape(text)
