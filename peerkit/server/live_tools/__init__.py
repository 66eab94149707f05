"""The trainer's live-session tools (issue 13) on the cohort server.

- :mod:`.polls` quick polls (single, several choices, 1-5 scale, one word), results
  hidden below the cohort's minimum group size and until the trainer reveals them;
- :mod:`.wall` the anonymous wall: scrubbed, pending until approved, hideable again;
- :mod:`.session_state` follow the trainer (chapter and exercise), the timer and
  activity cards (:mod:`.activities`, text in ``peerkit/data/activities.json``), and
  what learners, the projector and the trainer each may see;
- :mod:`.report` the downloadable session report;
- :mod:`.routes` the HTTP routes (see ``docs/server-api.md``, "Live-session tools").

The app loads this package like its other route modules (``router``, ``install``).
"""
from __future__ import annotations

from typing import Any

from . import tables  # noqa: F401 - registers the tables on the server's metadata
from .routes import router

__all__ = ["router", "install"]


def install(app: Any) -> None:
    """Nothing to start: the tools live in the store and ride on the cohort's revision events."""
