"""Research pseudonyms: learner pseudonyms re-keyed with a key only the researcher holds.

``HMAC-SHA256(key, learner)`` gives the same research pseudonym for the same
learner every time the same key is used (so two exports of one cohort can be
joined), and unrelated pseudonyms under another key. Without the key nobody can
go back from a research pseudonym to the learner's pseudonym in the cohort store.
The key is never written into an export.

Make a key once and keep it outside the export folder::

    python -c "import secrets; print(secrets.token_hex(32))" > research.key
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import ResearchKeyError

#: Environment variable that may hold the key itself.
KEY_ENV = "PEERKIT_RESEARCH_KEY"
#: Shortest key we accept: a shorter one could be guessed by trying keys against known pseudonyms.
MIN_KEY_BYTES = 16
#: Research pseudonyms look like ``p-`` and 16 hex digits (64 bits).
RESEARCH_PSEUDONYM_PATTERN = re.compile(r"^p-[0-9a-f]{16}$")

_HOW_TO_MAKE_A_KEY = (
    "Make one with: python -c \"import secrets; print(secrets.token_hex(32))\" > research.key "
    f"and pass --key-file research.key (or set {KEY_ENV}). Keep the key out of the export folder."
)


def read_key(key_file: str | Path | None = None, environ: Mapping[str, str] | None = None) -> bytes:
    """The researcher's key: from ``key_file`` if given, else from ``$PEERKIT_RESEARCH_KEY``.

    Raises :class:`~peerkit.research.errors.ResearchKeyError` when there is none,
    the file cannot be read, or the key is shorter than 16 bytes.
    """
    environ = os.environ if environ is None else environ
    if key_file is not None:
        path = Path(key_file)
        try:
            key = path.read_bytes().strip()
        except OSError as error:
            raise ResearchKeyError(f"Cannot read the key file {path}: {error.strerror or error}. {_HOW_TO_MAKE_A_KEY}") from error
        source = f"key file {path}"
    else:
        key = environ.get(KEY_ENV, "").strip().encode("utf-8")
        source = f"${KEY_ENV}"
        if not key:
            raise ResearchKeyError(f"No pseudonymisation key: give --key-file or set {KEY_ENV}. {_HOW_TO_MAKE_A_KEY}")
    return check_key(key, source)


def check_key(key: bytes | str, source: str = "the key") -> bytes:
    """Return ``key`` as bytes, or raise if it is missing or too short."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes | bytearray):
        raise ResearchKeyError(f"The key must be bytes or text, not {type(key).__name__}.")
    key = bytes(key).strip()
    if len(key) < MIN_KEY_BYTES:
        raise ResearchKeyError(
            f"{source} is {len(key)} bytes long; use at least {MIN_KEY_BYTES} random bytes. {_HOW_TO_MAKE_A_KEY}"
        )
    return key


def research_pseudonym(learner: str, key: bytes) -> str:
    """The research pseudonym of one learner pseudonym under ``key``."""
    digest = hmac.new(key, learner.encode("utf-8"), hashlib.sha256).hexdigest()
    return "p-" + digest[:16]


def rekey(learners: Iterable[str], key: bytes) -> dict[str, str]:
    """Map each distinct learner pseudonym to its research pseudonym."""
    return {learner: research_pseudonym(learner, key) for learner in set(learners)}
