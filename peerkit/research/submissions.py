"""A folder of learner submission files as one tidy frame.

Each file is checked whole by the trainer's reader
(:func:`peerkit.cohort.handin.load_submissions`: size, encoding, format
version, known exercises and items, values on the scale; a newer file from the
same pseudonym replaces an older one). Rejected files are reported by name with
the reason; the others are used.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import ExportError

COLUMNS = ["cohort", "learner", "exercise", "item", "value", "answered_at", "research_consent"]


@dataclass(frozen=True)
class Reject:
    """A submission file that was not used, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def read_submissions(folder: str | Path) -> tuple[pd.DataFrame, list[Reject]]:
    """All valid submissions in ``folder`` (``*.json``) as one frame, plus the rejected files.

    The frame has columns cohort, learner (the cohort pseudonym), exercise,
    item, value, answered_at, research_consent (the file's ``research_consent``;
    a file without it did not agree).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder of submission files; give the folder that holds the *.json files.")
    try:
        from ..cohort.handin import load_submissions
    except ImportError as error:
        raise ExportError(f"This peerkit cannot read submission files ({error}).") from error
    paths = sorted(folder.glob("*.json"))
    accepted, rejected = load_submissions(paths)
    rows = [
        {"cohort": s.cohort, "learner": s.pseudonym, **response,
         "research_consent": getattr(s, "research_consent", False) is True}
        for s in accepted
        for response in s.responses
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True, format="ISO8601")
    return frame, [Reject(str(folder / r.name) if not Path(r.name).is_absolute() else r.name, r.reason)
                   for r in rejected]
