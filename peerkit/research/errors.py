"""Errors of the research tools (all are :class:`~peerkit.errors.PeerkitError`)."""
from __future__ import annotations

from ..errors import PeerkitError


class ExportError(PeerkitError):
    """An export cannot be made as asked (bad options, invalid input rows, files in the way)."""


class ResearchKeyError(ExportError):
    """No usable pseudonymisation key was given."""


class AlphaUndefinedWarning(UserWarning):
    """Krippendorff's alpha is 0/0 for these data (no variation, or no pairable values)."""
