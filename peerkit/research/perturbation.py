"""Cell-key perturbation of the aggregate tier: noise that is the same for the same people in every release.

This is the cell key method that national statistics offices use for census
tables (the ONS publishes it as the PyPI package ``cell-key-perturbation``;
the Australian Bureau of Statistics' TableBuilder works the same way), written
here for peerkit's tables:

1. every learner in a block gets a **record key**, a whole number from 0 to
   ``KEY_RANGE - 1``: HMAC-SHA256 under the researcher's key of the block's
   fingerprint and the learner's pseudonym (:func:`record_keys`);
2. every published number (a count, a cohort's total for an item, a cohort's
   number of learners) gets a **cell key**: the sum of the record keys of the
   people it counts, modulo ``KEY_RANGE`` (as ``create_perturbed_table`` does);
3. the **p-table** maps (true count, cell key) to the noise added (:func:`noise`, all of it :func:`ptable`):
   zero three times in eight, at most ``MAX_NOISE`` either way, unbiased for
   counts above ``MAX_NOISE``.

Why not the ``cell-key-perturbation`` package itself (3.1.0 was read): it tabulates one row per
person and one value per row, while a peerkit item may have several options chosen by one person
and its totals count people, not rows; its record keys come from an ONS id or a fixed random
seed, not from a secret key; its only shipped p-table (the "10-5 rule") ignores the cell key and
rounds every count to a multiple of 5, deterministic rounding that a one-person difference between
releases can still cross; and it prints to standard output. The method here is the same (record
keys, cell key = sum mod range, p-table lookup by count and cell key), with a p-table whose noise
does depend on the cell key.

A *block* is one cohort's answers to one exercise (and, for the number of
learners, one cohort's whole data). Its fingerprint is a hash of every answer in
it, so the same people with the same answers give exactly the same numbers in
every release, in a one-cohort release and in an all-cohorts one alike; when a
learner joins, withdraws or changes an answer, every number of that block gets
new noise, not only the numbers the change touched (with record keys alone, the
numbers a newcomer did not touch would keep their exact value, and the ones that
moved would point at the newcomer's answers). peerkit publishes no number over
several cohorts (no pooled totals), so no difference of two overlapping
selections of cohorts says anything a single cohort's block does not.

What it does to a reader's arithmetic: every shown count and total is within
``MAX_NOISE`` of the truth, the noise has mean 0 and variance
:data:`NOISE_VARIANCE`, and the numbers no longer add up exactly (counts to
their totals, cohorts to an overall figure).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

import numpy as np

#: Record keys and cell keys run from 0 to KEY_RANGE - 1 (the ONS package's default p-table uses 256;
#: a wider range lets the largest noise be rarer).
KEY_RANGE = 4096
#: The largest change made to any number.
MAX_NOISE = 3
#: How many of the KEY_RANGE cell keys give each noise (symmetric, so the mean is 0).
NOISE_WEIGHTS = {0: 1638, 1: 1024, -1: 1024, 2: 204, -2: 204, 3: 1, -3: 1}
assert sum(NOISE_WEIGHTS.values()) == KEY_RANGE
NOISE_VARIANCE = sum(w * p * p for p, w in NOISE_WEIGHTS.items()) / KEY_RANGE
METHOD = "cell key perturbation (ONS / ABS method)"
_DOMAIN = b"peerkit cell key v1\x00"


def _noise_by_key() -> np.ndarray:
    """The noise for each cell key of a count above MAX_NOISE: a fixed shuffle of the weights."""
    noises = np.concatenate([np.full(w, p, dtype=np.int64) for p, w in sorted(NOISE_WEIGHTS.items())])
    order = np.argsort([hashlib.sha256(_DOMAIN + i.to_bytes(4, "big")).digest() for i in range(KEY_RANGE)],
                       kind="stable")
    return noises[order]


_NOISE = _noise_by_key()


def noise(count: int, cell_key: int) -> int:
    """The p-table: what is added to a true ``count`` whose cell key is ``cell_key``.

    A zero stays zero (nobody is in it, so there is no key). A count of MAX_NOISE or
    less is never made zero or negative: its noise is raised to ``1 - count`` at
    least (so such small counts, shown only when k <= MAX_NOISE, lean upwards).
    """
    if count <= 0:
        return 0
    return max(int(_NOISE[cell_key % KEY_RANGE]), 1 - count)


#: The p-table as rows (pcv, ckey, pvalue), in the layout of the ONS package, for counts 1 to 750.
def ptable(max_count: int = 750) -> list[tuple[int, int, int]]:
    return [(n, c, noise(n, c)) for n in range(1, max_count + 1) for c in range(KEY_RANGE)]


def fingerprint(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """A block's fingerprint: SHA-256 of its answers in a fixed order (so row order does not matter)."""
    digest = hashlib.sha256()
    for row in sorted(json.dumps(list(r), sort_keys=True, ensure_ascii=False, default=str) for r in rows):
        digest.update(row.encode("utf-8") + b"\n")
    return digest.digest()


def record_keys(key: bytes, block: bytes, learners: Iterable[str]) -> dict[str, int]:
    """Each learner's record key in one block: HMAC-SHA256(key, block fingerprint, pseudonym) mod KEY_RANGE."""
    out = {}
    for learner in learners:
        mac = hmac.new(key, _DOMAIN + block + b"\x00" + str(learner).encode("utf-8"), hashlib.sha256).digest()
        out[learner] = int.from_bytes(mac[:8], "big") % KEY_RANGE
    return out


def cell_key(keys: Iterable[int]) -> int:
    return int(sum(keys)) % KEY_RANGE


def perturb(count: int, keys: Iterable[int]) -> int:
    """The published value of a number counting the people whose record keys are ``keys``."""
    return int(count) + noise(int(count), cell_key(keys))


def description(k: int) -> dict[str, Any]:
    """The method and its parameters, as datapackage.json states them."""
    return {
        "method": METHOD,
        "reference": "Office for National Statistics, cell-key-perturbation (PyPI); Fraser, B., & Wooton, J. (2005). "
                     "A proposed method for confidentialising tabular output to protect against differencing. "
                     "UNECE Work Session on Statistical Data Confidentiality.",
        "record_keys": "HMAC-SHA256 under the researcher's key of the block (one cohort's answers to one exercise) "
                       f"and the learner's pseudonym, modulo {KEY_RANGE}",
        "cell_key": f"sum of the record keys of the people counted, modulo {KEY_RANGE}",
        "key_range": KEY_RANGE,
        "max_noise": MAX_NOISE,
        "noise_variance": round(NOISE_VARIANCE, 4),
        "noise_distribution": {str(p): round(w / KEY_RANGE, 6) for p, w in sorted(NOISE_WEIGHTS.items())},
        "threshold": k,
        "applies_to": ["counts.n", "totals.n", "learners"],
        "not_published": ["totals over several cohorts", "the number of answers", "how many answers were left out"],
        "arithmetic": f"Every shown number is within {MAX_NOISE} of the true one; counts no longer add up exactly to "
                      "their totals; a count whose true or perturbed value is below k is hidden, so every shown count is at "
                      "least k; shares are n / the cohort's total as published (at most 1).",
    }
