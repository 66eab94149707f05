"""The bundled SYNTHETIC multi-cohort dataset (made by ``scripts/make_synthetic_cohorts.py``).

Invented answers for invented cohorts: nobody real is in it. Every file name and
its metadata say SYNTHETIC.
"""
from __future__ import annotations

from pathlib import Path

from ..exercises import DATA_DIR
from .format import METADATA_SUFFIX

SYNTHETIC_DIR = DATA_DIR / "synthetic" / "cohorts"


def synthetic_cohorts() -> list[Path]:
    """Metadata files of the bundled synthetic cohort exports, ready for :func:`peerkit.research.load`."""
    return sorted(SYNTHETIC_DIR.glob("SYNTHETIC-*" + METADATA_SUFFIX))
