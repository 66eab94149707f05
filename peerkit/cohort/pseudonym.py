"""A learner's pseudonym inside one cohort: a keyed hash only the learner's own store can link back.

``HMAC-SHA256(key = a random secret kept in the learner's local store,
msg = learner id + ":" + cohort id)``, truncated to 80 bits. The cohort store sees
only this value. Without the secret nobody (the trainer, a researcher, another
learner) can tell which learner id it belongs to, nor link the same learner across
two cohorts; with it, the learner gets the same pseudonym every time they join
the same cohort, so a re-join or a re-submission replaces their earlier answers.

>>> cohort_pseudonym("learner-0123456789ab", "cohort-abcdefgh", "00" * 32)
'p-807aee19d40704c27728'
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import LocalStore

#: Local-store setting holding the learner's pseudonym key (hex). Never sent anywhere.
SECRET_SETTING = "cohort_secret"
PSEUDONYM_PATTERN = re.compile(r"^p-[0-9a-f]{20}$")


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
