"""Cohort ids: the one rule for what a cohort id looks like, on the server and on the learner's side.

The server makes every id (``cohort-`` and eight characters of the join-code alphabet, lower
case: no 0/o, 1/i/l, so an id read off a projector is typed right). A learner joining in file mode
types the id the trainer shows; a hand-in file names it; both are checked with :func:`is_cohort_id`.

>>> is_cohort_id("cohort-k7q4mxab"), is_cohort_id("cohort-0000")
(True, False)
"""
from __future__ import annotations

import re
import secrets

from .codes import ALPHABET

PREFIX = "cohort-"
LENGTH = 8
#: The lower-case join-code alphabet: letters and digits that cannot be mistaken for one another.
ID_ALPHABET = ALPHABET.lower()
#: Use with ``fullmatch`` (anchored with ``\\A…\\Z`` too, so ``match`` is as strict).
COHORT_ID_PATTERN = re.compile(r"\A" + PREFIX + "[" + re.escape(ID_ALPHABET) + "]{" + str(LENGTH) + r"}\Z")


def new_cohort_id() -> str:
    """A fresh random cohort id."""
    return PREFIX + "".join(secrets.choice(ID_ALPHABET) for _ in range(LENGTH))


def is_cohort_id(text: object) -> bool:
    """Is ``text`` a cohort id as the server makes them?"""
    return isinstance(text, str) and COHORT_ID_PATTERN.fullmatch(text) is not None
