"""Take contact details out of free text a learner agreed to share, and keep its meaning.

Used on every path where learner text leaves the learner: the wall, shared texts,
poll words and the research export.

First the text is made what it looks like: Unicode NFKC (full-width ``＠`` and
``．`` become ``@`` and ``.``, ligatures and styled letters become plain ones) and
every format character is removed (Unicode category Cf: zero-width spaces and
joiners, the byte-order mark, soft hyphens, bidi embeddings, overrides and
isolates), so ``sam@<zero-width space>example.org`` is matched like
``sam@example.org`` and a right-to-left override cannot turn a word around.

Removed, each replaced by a placeholder:

* e-mail addresses, also spaced (``sam @ example . com``) or written out (``sam at
  example dot com``, ``sam [at] example [dot] org``) -> ``[email]``;
* web addresses with or without a scheme (``https://x.org/a``, ``www.x.org``,
  ``example.co.uk/page``) -> ``[url]``;
* phone numbers -> ``[phone]``: national and international formats found by
  Google's libphonenumber rules (``phonenumbers.PhoneNumberMatcher``, numbers that
  are *valid* in one of several regions), any ``+`` or ``00`` international number
  of 8 to 15 digits, any run of 7 to 15 digits with spaces, dots, dashes or
  brackets between them (``555 0134``), and the same spelled out (``five five five
  oh one three four``);
* social media handles, with ``@`` (``@sam_p``) or after a platform's name
  (``snap: sammyp99``, ``my insta is sam.p``, ``discord sammy#1234``) -> ``[handle]``.

Kept: dates (``2025-03-04``, ``4.3.2025``), times, scores (``8/10``, ``4 out of 5``),
session and chapter numbers, years, ordinary numbers of up to six digits.

**Not** removed, because no program finds them reliably: people's names ("my
neighbour Sam Price"), street addresses and places ("12 Mill Lane"), workplaces,
descriptions that identify someone, contact details in a form not listed above
(a number split by words, a handle on a platform not named). Shared text still
needs a human read before it is quoted or published.

>>> scrub_text("Mail sam.p@example.org or sam at example dot com, call +44 7700 900123, see www.example.org/x")
'Mail [email] or [email], call [phone], see [url]'
>>> scrub_text("Session 3 on 2025-03-04: I scored 8/10, follow me @sam_p")
'Session 3 on 2025-03-04: I scored 8/10, follow me [handle]'
>>> scrub_text("sam\u200b@example\u200b.org, snap: sammyp99, ring five five five oh one three four")
'[email], snap: [handle], ring [phone]'
"""
from __future__ import annotations

import re
import unicodedata

#: Regions whose national formats are tried (international numbers with + are found in any region).
PHONE_REGIONS = ("GB", "IE", "US", "CA", "AU", "NZ", "DE", "AT", "CH", "FR", "BE", "NL", "ES", "IT", "PT",
                 "SE", "NO", "DK", "FI", "PL", "IN", "ZA")

_AT = r"(?:\s*@\s*|\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_SPACED_DOT = r"\s*\.\s*"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_TLDS = ("com|org|net|edu|gov|int|info|biz|io|co|uk|us|ca|au|nz|ie|de|at|ch|fr|be|nl|es|it|pt|se|no|dk|fi|pl|"
         "eu|me|app|dev|ly|tv|xyz|online|site|club|social|health|in|za|jp|cn|ru|br|mx")
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# written-out addresses: a dot spelled out (or in brackets) at least once, ending in a known domain
SPOKEN_EMAIL = re.compile(
    rf"[\w.+-]+{_AT}[\w-]+(?:(?:{_DOT}|{_SPACED_DOT})[\w-]+)*(?:{_DOT}|{_SPACED_DOT})(?:{_TLDS})\b", re.IGNORECASE
)
# "sam @ example" followed by a dot and any word (an unknown domain written with spaces)
SPACED_EMAIL = re.compile(r"[\w.+-]+\s*@\s*[\w-]+(?:\s*\.\s*[A-Za-z]{2,24})+\b")
URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)\S+"
    rf"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:[/?#]\S*)?",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,29}[A-Za-z0-9_])?")
# any international number: + or 00, then 8 to 15 digits with the usual separators
INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|\b00)\s?\d(?:[\s().-]{0,2}\d){7,14}(?!\w)")
# any run of 7 to 15 digits with the usual separators between them (a local number: 555 0134)
DIGIT_RUN = re.compile(r"(?<![\w.,/:-])\d(?:[ \t().-]{0,2}\d){6,14}(?![\w/:]|[.,-]\d)")
_DIGIT_WORDS = ("zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|double|triple")
SPELLED_DIGITS = re.compile(rf"\b(?:(?:{_DIGIT_WORDS}|\d)[\s,.-]{{1,3}}){{6,20}}(?:{_DIGIT_WORDS}|\d)\b",
                            re.IGNORECASE)
_PLATFORMS = ("snap|snapchat|insta|instagram|ig|tiktok|tik tok|twitter|fb|facebook|discord|telegram|whatsapp|kik|"
              "threads|bluesky|bsky|mastodon|reddit|youtube|twitch|signal|skype|linkedin|wechat|line|viber|"
              "pinterest|tumblr|handle|username|user name|gamertag")
# a platform's name, then ":" / "-" / "is" / "me on ... as", then something that looks like a handle
NAMED_HANDLE = re.compile(
    rf"\b(?P<platform>{_PLATFORMS})(?P<sep>\s*[:=\-–—]\s*|\s+(?:is|id|name|handle|me|at|=)\s*[:\-]?\s*"
    rf"|\s+)(?P<handle>@?[A-Za-z0-9_][A-Za-z0-9_.#-]{{1,31}})",
    re.IGNORECASE,
)
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


def normalise(text: str) -> str:
    """NFKC, then without format characters (zero-width, bidi controls, soft hyphen, BOM): text as it looks."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


_COMMON_WORDS = frozenset("""a an the i me my you your we is am are was be been to of in on at for and or but so if
    it this that with from as by not no yes too very just really feel felt think thought go went get got have had
    do did can could will would should about more much some any all here there when what who how why where""".split())


def _named_handle(match: re.Match[str]) -> str:
    handle, sep = match.group("handle"), match.group("sep")
    plain = handle.lstrip("@")
    looks_made = any(ch.isdigit() or ch in "_.#" for ch in plain) or handle.startswith("@")
    marked = bool(re.search(r"[:=\-–—]|\bis\b|\bid\b|\bname\b|\bhandle\b", sep))
    if plain.lower() in _COMMON_WORDS or not (looks_made or (marked and len(plain) >= 3)):
        return match.group(0)
    return match.group(0)[: match.start("handle") - match.start()] + "[handle]"


def _digit_run(match: re.Match[str]) -> str:
    return match.group(0) if KEEP.fullmatch(match.group(0)) else "[phone]"


def scrub_text(text: str) -> str:
    """``text`` normalised (:func:`normalise`), with e-mails, web addresses, phone numbers and social handles
    replaced by placeholders."""
    text = normalise(text)
    text = EMAIL.sub("[email]", text)
    text = SPOKEN_EMAIL.sub("[email]", text)
    text = SPACED_EMAIL.sub("[email]", text)
    text = URL.sub(_url, text)
    text = HANDLE.sub("[handle]", text)
    text = NAMED_HANDLE.sub(_named_handle, text)
    text = SPELLED_DIGITS.sub(lambda m: "[phone]" if _spelled_digits(m.group(0)) >= 7 else m.group(0), text)
    text = _phones(text)
    return _mask_keep(text, lambda masked: DIGIT_RUN.sub(_digit_run, masked))


def _spelled_digits(text: str) -> int:
    """How many digits a spelled-out run stands for (double five = 2)."""
    count, repeat = 0, 1
    for word in re.findall(r"[A-Za-z]+|\d", text.lower()):
        if word in ("double", "triple"):
            repeat = 2 if word == "double" else 3
            continue
        count += repeat
        repeat = 1
    return count


def _mask_keep(text: str, work) -> str:  # noqa: ANN001
    """``work`` applied to ``text`` with dates, times and scores hidden from it."""
    kept: list[str] = []

    def hide(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], work(KEEP.sub(hide, text)))
