"""One way to read and write moments in time: ISO 8601, always timezone-aware, always UTC when written.

Every stored or exported time goes through :func:`format_moment` and every time read
back (from a store, a portfolio, a hand-in file, the server) through
:func:`parse_moment`, so ``Z`` and ``+00:00`` mean the same everywhere and a time
without a zone is read as UTC rather than as the reader's local time.

>>> parse_moment("2026-03-01T10:00:00Z")
datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)
>>> format_moment(parse_moment("2026-03-01T11:00:00+01:00"))
'2026-03-01T10:00:00.000000+00:00'
>>> parse_moment("yesterday")
Traceback (most recent call last):
...
ValueError: 'yesterday' is not a date and time in ISO 8601 form (such as 2026-03-01T10:00:00Z).

Files that must say their zone (a portfolio, a hand-in file) ask for it:

>>> parse_moment("2026-03-01T10:00:00", require_zone=True)
Traceback (most recent call last):
...
peerkit.timestamps.MissingZoneError: '2026-03-01T10:00:00' has no time zone; give it in UTC (such as 2026-03-01T10:00:00Z).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def now() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(timezone.utc)


class MissingZoneError(ValueError):
    """A time without a zone where the zone must be given (``parse_moment(..., require_zone=True)``)."""


def parse_moment(text: Any, *, require_zone: bool = False) -> datetime:
    """Read an ISO 8601 date and time, as UTC. Raises ``ValueError`` in plain words.

    A time without a zone is taken as UTC, or refused with :class:`MissingZoneError` when
    ``require_zone`` is true.
    """
    if isinstance(text, datetime):
        moment = text
    elif isinstance(text, str) and text.strip():
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"{text!r} is not a date and time in ISO 8601 form (such as 2026-03-01T10:00:00Z).") from None
    else:
        raise ValueError(f"{text!r} is not a date and time in ISO 8601 form (such as 2026-03-01T10:00:00Z).")
    if moment.tzinfo is None:
        if require_zone:
            shown = text if isinstance(text, str) else moment.isoformat()
            raise MissingZoneError(f"{shown!r} has no time zone; give it in UTC (such as 2026-03-01T10:00:00Z).")
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def format_moment(moment: datetime | None = None) -> str:
    """Write a moment (default now) as ISO 8601 in UTC with microseconds, so text order is time order."""
    moment = now() if moment is None else parse_moment(moment)
    return moment.isoformat(timespec="microseconds")
