"""Join codes: short, readable, random; the alphabet and the normalising of what a learner types.

A join code such as ``K7Q-4MX`` is what a trainer writes on the board. It is six
characters from an alphabet without look-alikes (no 0/O, 1/I/L), so about 30 bits
of chance: enough that nobody joins the wrong group by a typo or a guess in the
room. The server makes the codes (:func:`new_join_code`) and keeps each only as an
HMAC and a sealed copy for the trainer's screen (:mod:`peerkit.server.cohorts`); it
also limits how fast anyone may guess. The learner's kernel holds no database
address and no credentials but its own learner token, which the server gives at the join.

>>> from peerkit.cohort.codes import new_join_code, normalize_join_code
>>> code = new_join_code()
>>> len(code), code[3]
(7, '-')
>>> normalize_join_code(code.lower().replace("-", " ")) == code.replace("-", "")
True
"""
from __future__ import annotations

import re
import secrets

from .errors import JoinCodeError

#: Letters and digits that cannot be mistaken for one another when read off a projector.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_join_code() -> str:
    """A fresh random join code, formatted ``XXX-XXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:3]}-{raw[3:]}"


def normalize_join_code(code: str) -> str:
    """Upper-case the code and drop spaces and dashes; raise :class:`JoinCodeError` if it cannot be one."""
    if not isinstance(code, str):
        raise JoinCodeError(f"A join code is text like 'K7Q-4MX', not {type(code).__name__}.")
    cleaned = _SEPARATORS.sub("", code.strip()).upper()
    if not cleaned:
        raise JoinCodeError("Type the join code your trainer gave you (six letters and digits, like K7Q-4MX).")
    wrong = sorted({c for c in cleaned if c not in ALPHABET})
    if wrong or len(cleaned) != CODE_LENGTH:
        hint = ""
        if set(wrong) & set("01OIL"):
            hint = " Join codes never contain 0, O, 1, I or L: check for a similar-looking character."
        elif wrong:
            hint = f" It contains {', '.join(repr(c) for c in wrong)}, which join codes never use."
        raise JoinCodeError(
            f"{code.strip()!r} is not a join code: a join code has six letters and digits, like K7Q-4MX.{hint}"
        )
    return cleaned
