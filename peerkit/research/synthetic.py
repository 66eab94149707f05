"""The bundled SYNTHETIC multi-cohort dataset (made by ``scripts/make_synthetic_cohorts.py``).

Invented answers for four invented cohorts: nobody real is in them. The same
answers come as two data packages, one per tier; every cohort id starts
``SYNTHETIC-`` and each package says ``"synthetic": true``.

>>> synthetic_package("aggregate").name
'aggregate'
"""
from __future__ import annotations

from pathlib import Path

from ..exercises import DATA_DIR
from .package import DESCRIPTOR, TIERS

SYNTHETIC_DIR = DATA_DIR / "synthetic"


def synthetic_package(tier: str = "microdata") -> Path:
    """The folder of the bundled synthetic package of one tier ("microdata" or "aggregate")."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}, not {tier!r}")
    return SYNTHETIC_DIR / tier


def synthetic_cohorts() -> list[Path]:
    """The synthetic microdata package (its datapackage.json), ready for :func:`peerkit.research.load`."""
    return [synthetic_package("microdata") / DESCRIPTOR]
