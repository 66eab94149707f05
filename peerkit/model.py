"""The response record: one answer to one item of one exercise.

Every part of peerkit speaks this shape. As a table ("tidy", one row per answer)
its columns are :data:`RESPONSE_COLUMNS`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .timestamps import now

if TYPE_CHECKING:
    import pandas as pd

#: Version of the response record and of the store layout. Raise it when either changes.
SCHEMA_VERSION = 1

#: Columns of a tidy table of responses, in this order.
RESPONSE_COLUMNS = ["learner", "exercise", "item", "value", "answered_at", "schema_version"]


#: The current moment in UTC: :func:`peerkit.timestamps.now`, under the name the store and portfolio use.
utc_now = now


@dataclass(frozen=True)
class Response:
    """One answer: who (a pseudonym, never a name), what, which value, when."""

    learner: str
    exercise: str
    item: str
    value: Any
    answered_at: datetime = field(default_factory=utc_now)
    schema_version: int = SCHEMA_VERSION

    def as_row(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "exercise": self.exercise,
            "item": self.item,
            "value": self.value,
            "answered_at": self.answered_at.isoformat(),
            "schema_version": self.schema_version,
        }


def encode_value(value: Any) -> str:
    """Values are kept as JSON text so that structured answers (a SMART goal) fit too."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def decode_value(text: str) -> Any:
    return json.loads(text)


def responses_frame(responses: list[Response]) -> "pd.DataFrame":
    """A tidy DataFrame (columns :data:`RESPONSE_COLUMNS`) of the given responses."""
    import pandas as pd

    rows = [r.as_row() for r in responses]
    frame = pd.DataFrame(rows, columns=RESPONSE_COLUMNS)
    frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True, format="ISO8601")
    return frame
