"""The trainer's live-session tools (issue 13) on the cohort server.

- :mod:`.polls` quick polls (single, several choices, 1-5 scale, one word), results
  hidden below the cohort's minimum group size and until the trainer reveals them;
- :mod:`.wall` the anonymous wall: scrubbed, pending until approved, hideable again;
- :mod:`.session_state` follow the trainer (chapter and exercise), the timer and
  activity cards (:mod:`.activities`, text in ``peerkit/data/activities.json``), and
  what learners, the projector and the trainer each may see;
- :mod:`.report` the downloadable session report;
- :mod:`.scenario_room` a practice conversation run together in the room, turn by turn;

Their HTTP routes are in :mod:`peerkit.server.routes.live_tools` (see ``docs/server-api.md``,
"Live-session tools").
"""
from __future__ import annotations

from . import scenario_room, tables  # noqa: F401 - registers the tables on the server's metadata
