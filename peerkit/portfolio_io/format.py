"""The portfolio file format: its version, what it carries, and how it rides inside the Markdown and HTML copies.

Format 2 (written now)::

    {"format": "peerkit-portfolio", "format_version": 2, "peerkit_version": "0.1.0",
     "learner": "learner-…", "exported_at": "<ISO-8601 UTC>",
     "settings": {"cohort_secret": "<64 hex>",                      # the pseudonym key (optional)
                  "former_cohort": {"name": "Tuesday group",         # the group, by name only (optional)
                                    "pseudonym": "p-…", "share": ["boundaries", …]}},
     "responses": [{"exercise": "boundaries", "item": "B01", "value": "maybe",
                    "answered_at": "<ISO-8601>", "schema_version": 1}, …]}

A portfolio carries answers, never addresses: no store or server address, no cohort
id, no join code. Group membership comes back as the group's name, the learner's
pseudonym there and their sharing choices, for them to read; to send anything again
the learner joins with the code their trainer gives, so a crafted file cannot
redirect where later shares go. Format 1 files (``settings.cohort`` held the whole
membership) are still read, keeping only those three facts.
"""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..client.state import SECRET_SETTING, membership

if TYPE_CHECKING:
    from ..model import Response
    from ..store import LocalStore

FORMAT = "peerkit-portfolio"
FORMAT_VERSION = 2
#: Versions this peerkit reads.
READABLE_VERSIONS = (1, 2)
#: A portfolio holds text answers only; anything bigger is not one of ours.
MAX_BYTES = 20 * 1024 * 1024
#: How far in the future an answer's time may lie (clock differences) before the file is refused.
CLOCK_TOLERANCE = timedelta(days=1)

#: Private settings a portfolio carries. Never an address: see the module text.
PORTABLE_SETTINGS = (SECRET_SETTING, "former_cohort")
#: Local-store setting: the group the learner was in when the portfolio was made (name, pseudonym, share).
FORMER_COHORT_SETTING = "former_cohort"
FORMER_COHORT_KEYS = frozenset({"name", "pseudonym", "share"})

PSEUDONYM = re.compile(r"^learner-[A-Za-z0-9_-]{1,56}$")
FIX = (
    "Choose a portfolio file saved with “Download my answers” (peerkit-portfolio-<date>.json), "
    "unchanged; if you edited it, undo the edit."
)

#: Start of the comment that carries the portfolio inside the Markdown and HTML copies.
EMBED_MARK = "peerkit-portfolio:base64:"
_EMBEDDED = re.compile(rb"<!--\s*peerkit-portfolio:base64:([A-Za-z0-9+/=\s]+?)\s*-->")


def count_answers(number: int) -> str:
    return f"{number} answer{'' if number == 1 else 's'}"


def former_cohort(store: "LocalStore") -> dict[str, Any] | None:
    """The learner's group as a portfolio carries it: name, pseudonym and sharing choices, nothing else."""
    current = membership(store)
    if current is not None:
        return {"name": current.name, "pseudonym": current.pseudonym, "share": list(current.share)}
    kept = store.get_setting(FORMER_COHORT_SETTING)
    return dict(kept) if isinstance(kept, dict) else None


def portable_settings(store: "LocalStore") -> dict[str, Any]:
    """The store's settings that a portfolio carries (see :data:`PORTABLE_SETTINGS`)."""
    settings = {SECRET_SETTING: store.get_setting(SECRET_SETTING), FORMER_COHORT_SETTING: former_cohort(store)}
    return {key: value for key, value in settings.items() if value is not None}


def build_document(
    learner: str, responses: "list[Response]", exported_at: datetime, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The portfolio document (the JSON that :func:`peerkit.restore` reads)."""
    from .. import __version__

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "peerkit_version": __version__,
        "learner": learner,
        "exported_at": exported_at.isoformat(),
        "settings": settings or {},
        "responses": [
            {
                "exercise": r.exercise,
                "item": r.item,
                "value": r.value,
                "answered_at": r.answered_at.isoformat(),
                "schema_version": r.schema_version,
            }
            for r in responses
        ],
    }


def embedded_data(portfolio: dict[str, Any]) -> str:
    """The portfolio as base64 JSON (letters, digits, ``+``, ``/``, ``=``: nothing in it can be markup)."""
    data = json.dumps(portfolio, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return base64.b64encode(data).decode("ascii")


def embedded_comment(portfolio: dict[str, Any]) -> str:
    """The portfolio as a comment for the end of the Markdown or HTML copy (see :func:`embedded_data`)."""
    return f"<!-- {EMBED_MARK}{embedded_data(portfolio)} -->"


def embedded_portfolio(data: bytes) -> bytes | None:
    """The portfolio JSON carried by a Markdown or HTML copy, or None if ``data`` carries none."""
    found = _EMBEDDED.findall(data)
    if len(found) != 1:
        return None
    try:
        return base64.b64decode(b"".join(found[0].split()), validate=True)
    except ValueError:
        return None
