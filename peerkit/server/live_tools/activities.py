"""Activity cards for pair and small-group work, read from ``peerkit/data/activities.json``.

The card text is course content (in our own words), kept as data beside the exercises.

>>> card = activity("boundaries_phone_number")
>>> card.chapter, card.minutes >= 1, len(card.steps) >= 2
('02_boundaries', True, True)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...errors import ContentError
from ...exercises import DATA_DIR

ACTIVITIES_FILE = DATA_DIR / "activities.json"


@dataclass(frozen=True)
class Activity:
    id: str
    chapter: str
    title: str
    grouping: str
    minutes: int
    steps: tuple[str, ...]
    debrief: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "chapter": self.chapter, "title": self.title, "grouping": self.grouping,
                "minutes": self.minutes, "steps": list(self.steps), "debrief": self.debrief}


@lru_cache(maxsize=1)
def activities() -> tuple[Activity, ...]:
    """Every activity card, in the file's order."""
    try:
        raw = json.loads(ACTIVITIES_FILE.read_text(encoding="utf-8"))
        cards = tuple(Activity(a["id"], a["chapter"], a["title"], a["grouping"], int(a["minutes"]),
                               tuple(a["steps"]), a.get("debrief", "")) for a in raw["activities"])
        if len({card.id for card in cards}) != len(cards):
            raise ValueError("two activities share an id")
        for card in cards:
            if not (card.title and card.steps and all(isinstance(s, str) and s for s in card.steps)):
                raise ValueError(f"activity {card.id!r} needs a title and steps")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ContentError(f"The activity cards {ACTIVITIES_FILE} are malformed ({error}).") from error
    return cards


def activity(activity_id: str) -> Activity:
    for card in activities():
        if card.id == activity_id:
            return card
    raise KeyError(activity_id)
