"""The cohort server as an export source: row-level answers over HTTP (a trainer's token), or the same bodies
read from the server's database by :func:`peerkit.server.trainer_data.all_responses` (the command line
passes them in; research never imports the server).

Written against the contract in ``docs/server-api.md``::

    GET /api/v1/cohorts/{id}/responses      Authorization: Bearer pkt_...

The body is the contract's (``docs/server-api.md``, "Row-level answers"); this
client reads these fields and nothing else::

    {"cohort": {"id": "cohort-...", "name": "...", "min_group_size": 5},
     "responses": [{"id": 17, "pseudonym": "p-3f9a0c1b2d4e5f6a7b8c", "exercise": "boundaries", "item": "B01",
                    "value": "maybe", "received_at": "2025-03-04T09:30:00.000000+00:00", "source": "live"}, ...],
     "next": "/api/v1/cohorts/cohort-.../responses?after=17&limit=1000"}

``next``, when not null, is the path (or full URL on the same server) of the
next page. The server knows when an answer reached it, not when it was typed:
``received_at`` becomes the export's ``answered_at`` (a live answer is sent as it
is saved; one from a hand-in file carries the upload's time), and the export
coarsens it to the day or coarser anyway. Errors are RFC 9457 problem details;
their ``detail`` is shown as it is.
Only the standard library is used, so exporting needs no HTTP package.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .errors import ExportError

COLUMNS = ["cohort", "learner", "exercise", "item", "value", "answered_at", "research_consent", "hidden"]
#: The fields of one answer this client reads.
REQUIRED = frozenset({"pseudonym", "exercise", "item", "value", "received_at"})
MAX_PAGES = 10_000
MAX_BODY_BYTES = 200_000_000


def frame_from_bodies(bodies: Iterable[dict[str, Any]]) -> tuple[pd.DataFrame, dict[str, int]]:
    """The answers of responses bodies (``{"cohort": {...}, "responses": [...]}``, one per cohort) as one
    tidy frame (:data:`COLUMNS`), and each cohort's own ``min_group_size``.

    An answer without ``research_consent`` (a server older than this client) counts as not agreed.
    """
    rows: list[dict[str, Any]] = []
    sizes: dict[str, int] = {}
    for body in bodies:
        cohort = body.get("cohort") if isinstance(body, dict) else None
        if not isinstance(cohort, dict) or not isinstance(cohort.get("id"), str):
            raise ExportError("The cohort server's answer names no cohort; is this a peerkit cohort server of the "
                              "same version?")
        cohort_id = cohort["id"]
        size = cohort.get("min_group_size")
        if isinstance(size, int) and not isinstance(size, bool):
            sizes[cohort_id] = size
        for number, entry in enumerate(body.get("responses") or []):
            if not isinstance(entry, dict) or not REQUIRED <= set(entry):
                raise ExportError(f"Answer {number} from the cohort server lacks {', '.join(sorted(REQUIRED))}; "
                                  "is this a peerkit cohort server of the same version?")
            rows.append({"cohort": cohort_id, "learner": entry["pseudonym"], "exercise": entry["exercise"],
                         "item": entry["item"], "value": entry["value"], "answered_at": entry["received_at"],
                         "research_consent": entry.get("research_consent") is True,
                         "hidden": entry.get("hidden") is True})
    return pd.DataFrame(rows, columns=COLUMNS), sizes


def fetch_cohort_body(base_url: str, cohort_id: str, token: str, *, timeout: float = 30.0,
                      page_size: int | None = None) -> dict[str, Any]:
    """Every page of ``GET /api/v1/cohorts/{id}/responses`` joined: ``{"cohort": {...}, "responses": [...]}``."""
    base = base_url.rstrip("/")
    origin = urllib.parse.urlsplit(base)
    if origin.scheme not in ("http", "https") or not origin.netloc:
        raise ExportError(f"{base_url!r} is not a cohort server address (http:// or https://).")
    url = f"{base}/api/v1/cohorts/{urllib.parse.quote(cohort_id, safe='')}/responses"
    if page_size is not None:
        url += f"?limit={int(page_size)}"
    answers: list[Any] = []
    cohort: Any = {"id": cohort_id}
    for _ in range(MAX_PAGES):
        body = _get_json(url, token, timeout)
        page = body.get("responses") if isinstance(body, dict) else None
        if not isinstance(page, list):
            raise ExportError(f"The cohort server's answer for cohort {cohort_id!r} has no 'responses' list; "
                              "is this a peerkit cohort server of the same version?")
        if isinstance(body.get("cohort"), dict):
            cohort = {**body["cohort"], "id": cohort_id}
        answers += page
        following = body.get("next")
        if not following:
            break
        url = urllib.parse.urljoin(url, str(following))
        if urllib.parse.urlsplit(url).netloc != origin.netloc:
            raise ExportError("The cohort server pointed the next page at another server; refused.")
    else:
        raise ExportError(f"The cohort server sent more than {MAX_PAGES} pages for cohort {cohort_id!r}.")
    return {"cohort": cohort, "responses": answers}


def fetch_cohort_responses(base_url: str, cohort_id: str, token: str, *, timeout: float = 30.0,
                           page_size: int | None = None) -> pd.DataFrame:
    """Every shared answer of one cohort from a cohort server, as a tidy frame (:data:`COLUMNS`).

    ``page_size`` asks for that many answers per page (the server's default when None).
    """
    body = fetch_cohort_body(base_url, cohort_id, token, timeout=timeout, page_size=page_size)
    return frame_from_bodies([body])[0]


def _get_json(url: str, token: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - http(s) checked above
            raw = answer.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ExportError(f"The cohort server refused ({error.code}): {_problem_detail(error)}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ExportError(f"Cannot reach the cohort server at {url.split('/api/')[0]}: {reason}.") from error
    if len(raw) > MAX_BODY_BYTES:
        raise ExportError("The cohort server's answer is too large for one page.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ExportError("The cohort server's answer is not JSON; is the address right?") from error


def _problem_detail(error: urllib.error.HTTPError) -> str:
    try:
        problem = json.loads(error.read(100_000).decode("utf-8"))
        return str(problem.get("detail") or problem.get("title") or error.reason)
    except (ValueError, UnicodeDecodeError, AttributeError, OSError):
        return str(error.reason)
