"""Errors of the cohort features; each says what happened and what to do."""
from __future__ import annotations

from ..errors import PeerkitError


class CohortError(PeerkitError):
    """A cohort operation cannot be done (unknown cohort, bad join code, store of the wrong kind)."""


class JoinCodeError(CohortError, ValueError):
    """A join code is malformed or matches no cohort."""


class CohortUnreachableError(CohortError):
    """The cohort store cannot be reached right now. Nothing local was lost; try again later."""
