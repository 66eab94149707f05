"""Join codes: short, readable, random; kept in the cohort store only as a salted hash.

A join code such as ``K7Q-4MX`` is what a trainer writes on the board. It is six
characters from an alphabet without look-alikes (no 0/O, 1/I/L), so about 30 bits
of chance: enough that nobody joins the wrong group by a typo or a guess in the
room. The cohort store keeps only a salted PBKDF2 hash of it, so a copy of the
store file does not hand out the codes of every group.

The join code picks a group; it is not a password against someone who already
holds the cohort store's address and credentials (a learner's kernel needs those
to send answers at all).

>>> from peerkit.cohort.codes import new_join_code, hash_join_code, verify_join_code
>>> code = new_join_code()
>>> len(code), code[3]
(7, '-')
>>> verify_join_code(code.lower().replace("-", " "), hash_join_code(code))
True
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from .errors import JoinCodeError

#: Letters and digits that cannot be mistaken for one another when read off a projector.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: PBKDF2 rounds: slows guessing from a stolen store without making a join feel slow.
ITERATIONS = 60_000
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


def hash_join_code(code: str, *, salt: str | None = None, iterations: int | None = None) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<hash>`` of the normalized code (default :data:`ITERATIONS` rounds)."""
    salt = salt or secrets.token_hex(16)
    iterations = iterations or ITERATIONS
    digest = hashlib.pbkdf2_hmac("sha256", normalize_join_code(code).encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


def verify_join_code(code: str, stored: str) -> bool:
    """Does ``code`` match the stored hash? (constant-time comparison)"""
    try:
        scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hash_join_code(code, salt=salt, iterations=int(iterations)).split("$")[3]
    return hmac.compare_digest(candidate, expected)
