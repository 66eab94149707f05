"""A learner's pseudonym inside one cohort, as the server and a hand-in file see it.

``p-`` and 20 lower-case hex digits: random at every live join, or (file route) a keyed
hash of the learner's own (:mod:`peerkit.client.pseudonym`). The server checks every
pseudonym with this one pattern, and so does a hand-in file's reader. (Research exports
carry another thing, a re-keyed research pseudonym:
:data:`peerkit.research.pseudonyms.RESEARCH_PSEUDONYM_PATTERN`.)

>>> bool(PSEUDONYM_PATTERN.fullmatch("p-0123456789abcdef0123"))
True
"""
from __future__ import annotations

import re

#: A cohort pseudonym; use with ``fullmatch`` (anchored with ``\\A…\\Z`` too, so ``match`` is as strict).
PSEUDONYM_PATTERN = re.compile(r"\Ap-[0-9a-f]{20}\Z")


def is_pseudonym(text: object) -> bool:
    return isinstance(text, str) and PSEUDONYM_PATTERN.fullmatch(text) is not None
