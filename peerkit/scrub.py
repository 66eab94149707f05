"""Take contact details out of free text a learner agreed to share, and keep its meaning.

Removed, each replaced by a placeholder:

* e-mail addresses, also written out (``sam at example dot com``,
  ``sam [at] example [dot] org``) -> ``[email]``;
* web addresses with or without a scheme (``https://x.org/a``, ``www.x.org``,
  ``example.co.uk/page``) -> ``[url]``;
* phone numbers in national and international formats -> ``[phone]``, found by
  Google's libphonenumber rules (``phonenumbers.PhoneNumberMatcher``, numbers that
  are *valid* in one of several regions), plus any ``+`` or ``00`` international
  number of 8 to 15 digits;
* social media handles (``@sam_p``) -> ``[handle]``.

Kept: dates (``2025-03-04``, ``4.3.2025``), times, scores (``8/10``, ``4 out of 5``),
session and chapter numbers, ordinary numbers. Names and other details cannot be
found reliably by a program, so shared text still needs a human read before it is
published.

>>> scrub_text("Mail sam.p@example.org or sam at example dot com, call +44 7700 900123, see www.example.org/x")
'Mail [email] or [email], call [phone], see [url]'
>>> scrub_text("Session 3 on 2025-03-04: I scored 8/10, follow me @sam_p")
'Session 3 on 2025-03-04: I scored 8/10, follow me [handle]'
"""
from __future__ import annotations

import re

#: Regions whose national formats are tried (international numbers with + are found in any region).
PHONE_REGIONS = ("GB", "IE", "US", "CA", "AU", "NZ", "DE", "AT", "CH", "FR", "BE", "NL", "ES", "IT", "PT",
                 "SE", "NO", "DK", "FI", "PL", "IN", "ZA")

_AT = r"(?:\s*@\s*|\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_TLDS = ("com|org|net|edu|gov|int|info|biz|io|co|uk|us|ca|au|nz|ie|de|at|ch|fr|be|nl|es|it|pt|se|no|dk|fi|pl|"
         "eu|me|app|dev|ly|tv|xyz|online|site|club|social|health|in|za|jp|cn|ru|br|mx")
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# written-out addresses: a dot spelled out (or in brackets) at least once, ending in a known domain
SPOKEN_EMAIL = re.compile(
    rf"[\w.+-]+{_AT}[\w-]+(?:(?:{_DOT}|\.)[\w-]+)*(?:{_DOT}|\.)(?:{_TLDS})\b", re.IGNORECASE
)
URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)\S+"
    rf"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:[/?#]\S*)?",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,29}[A-Za-z0-9_])?")
# any international number: + or 00, then 8 to 15 digits with the usual separators
INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|\b00)\s?\d(?:[\s().-]{0,2}\d){7,14}(?!\w)")
# what must survive: dates, times and scores look like numbers to a phone matcher
KEEP = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b"
    r"|\b\d{1,3}\s?/\s?\d{1,3}\b"
)

# trailing punctuation a sentence puts after an address is not part of it
_TRAILING = ".,;:!?)]}'\""


def _url(match: re.Match[str]) -> str:
    text = match.group(0)
    stripped = text.rstrip(_TRAILING)
    return "[url]" + text[len(stripped):]


def _phones(text: str) -> str:
    """Replace phone numbers, leaving dates, times and scores (hidden behind markers) untouched."""
    import phonenumbers  # imported here: its metadata is large and only exports need it

    kept: list[str] = []

    def hide(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    masked = KEEP.sub(hide, text)
    spans: list[tuple[int, int]] = [m.span() for m in INTERNATIONAL.finditer(masked)]
    if sum(ch.isdigit() for ch in masked) >= 6:
        for region in PHONE_REGIONS:
            for found in phonenumbers.PhoneNumberMatcher(masked, region, leniency=phonenumbers.Leniency.VALID):
                spans.append((found.start, found.end))
    for start, end in sorted(_merge(spans), reverse=True):
        masked = masked[:start] + "[phone]" + masked[end:]
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], masked)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def scrub_text(text: str) -> str:
    """``text`` with e-mails, web addresses, phone numbers and social handles replaced by placeholders."""
    text = EMAIL.sub("[email]", text)
    text = SPOKEN_EMAIL.sub("[email]", text)
    text = URL.sub(_url, text)
    text = HANDLE.sub("[handle]", text)
    return _phones(text)
