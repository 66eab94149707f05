"""A learner's pseudonym for the file route: a keyed hash only the learner's own store can link back.

``HMAC-SHA256(key = a random secret kept in the learner's local store,
msg = learner id + ":" + cohort id)``, truncated to 80 bits (the shape is
:data:`peerkit.cohort.pseudonym.PSEUDONYM_PATTERN`). The server and the trainer see
only this value. Without the secret nobody (the trainer, a researcher, another
learner) can tell which learner id it belongs to, nor link the same learner across
two cohorts; with it, the learner gets the same pseudonym every time they join
the same cohort, so a later hand-in file replaces their earlier one, and a live join after
handing in files takes the files' answers over. (A live join otherwise draws a random
pseudonym: :func:`new_pseudonym`.)

>>> cohort_pseudonym("learner-0123456789ab", "cohort-abcdefgh", "00" * 32)
'p-807aee19d40704c27728'
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from .state import SECRET_SETTING

if TYPE_CHECKING:
    from ..store import LocalStore


def new_pseudonym() -> str:
    """A random pseudonym for one live membership: it links to nothing, not even the learner's other groups."""
    return "p-" + secrets.token_hex(10)


def cohort_pseudonym(learner: str, cohort_id: str, secret_hex: str) -> str:
    """The pseudonym of ``learner`` in ``cohort_id`` under the learner's secret."""
    mac = hmac.new(bytes.fromhex(secret_hex), f"{learner}:{cohort_id}".encode(), hashlib.sha256)
    return "p-" + mac.hexdigest()[:20]


def learner_secret(store: "LocalStore") -> str:
    """The learner's pseudonym key, made (once) and kept in the local store's private settings."""
    secret = store.get_setting(SECRET_SETTING)
    if not isinstance(secret, str) or len(secret) != 64:
        secret = secrets.token_hex(32)
        store.set_setting(SECRET_SETTING, secret)
    return secret


def pseudonym_for(store: "LocalStore", cohort_id: str) -> str:
    """This store's learner's pseudonym in ``cohort_id``."""
    return cohort_pseudonym(store.learner, cohort_id, learner_secret(store))
