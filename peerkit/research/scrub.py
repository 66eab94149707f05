"""Take contact details out of free text a learner agreed to share.

Emails, phone numbers and web addresses are replaced by ``[email]``, ``[phone]``
and ``[url]``. Names and other details cannot be found reliably by a program, so
shared text still needs a human read before it is published.

>>> scrub_text("Mail me at sam.p@example.org or call +44 7700 900123, see www.example.org/x")
'Mail me at [email] or call [phone], see [url]'
"""
from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)\S+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|co|uk|de|fr|nl|info|me|app|ly|be|ie|au|ca)\b(?:/\S*)?",
    re.IGNORECASE,
)
# 7 or more digits with the usual separators, optionally a leading + or (0)
PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s().-]*\d){6,}(?![\w])")

# trailing punctuation a sentence puts after an address is not part of it
_TRAILING = ".,;:!?)]}'\""


def _url(match: re.Match[str]) -> str:
    text = match.group(0)
    stripped = text.rstrip(_TRAILING)
    return "[url]" + text[len(stripped):]


def scrub_text(text: str) -> str:
    """``text`` with emails, web addresses and phone numbers replaced by placeholders."""
    text = EMAIL.sub("[email]", text)
    text = URL.sub(_url, text)
    return PHONE.sub("[phone]", text)
