"""``ServerClient``: the cohort server's HTTP API (``docs/server-api.md``), with the standard library only.

Every call has a short timeout and raises one of two errors, so callers can tell
"try again later" from "the server said no":

- :class:`ServerUnreachable` – no answer (refused, timed out, a 5xx, a broken reply):
  nothing changed on our side, send again later;
- :class:`ServerRefused` – the server answered with a problem (RFC 9457); its
  ``detail`` is plain words for the learner and is shown as it is.

We use :mod:`urllib.request` rather than an HTTP library so that a learner's kernel
loads nothing extra (the calls are few and small).

>>> client = ServerClient("http://127.0.0.1:8765")                      # doctest: +SKIP
>>> joined = client.join("K7Q-4MX", "p-0123456789abcdef0123")          # doctest: +SKIP
>>> client.with_token(joined["token"]).send_answers([{"seq": 1, "exercise": "boundaries",
...                                                    "item": "B01", "value": "maybe"}])  # doctest: +SKIP
{'accepted': [1], 'stale': [], 'refused': [], 'last_seq': 1}
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from ..errors import PeerkitError

#: Seconds a call waits for the server. A learner's kernel never waits on it (see the sender),
#: but the sender should notice a dead server quickly and try again later.
DEFAULT_TIMEOUT = 5.0
#: Most answers in one request (the contract's limit).
MAX_BATCH = 500
USER_AGENT = "peerkit-client/1"


class ServerError(PeerkitError):
    """A call to the cohort server did not do what was asked."""


class ServerUnreachable(ServerError):
    """The server could not be reached or did not answer properly. Nothing was lost; try again later."""


@dataclass
class ServerRefused(ServerError):
    """The server answered with a problem: ``detail`` is meant for the person, as it is."""

    status: int
    detail: str
    title: str = ""
    slug: str = ""
    retry_after: float | None = None
    errors: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    def __str__(self) -> str:
        return self.detail


def normalize_address(address: str) -> str:
    """``host:port`` or ``http://host:port/prefix/`` -> ``http://host:port/prefix`` (no trailing slash).

    Raises :class:`ValueError` with plain words for something that cannot be an address.
    """
    text = (address or "").strip()
    if not text:
        raise ValueError("The server address is empty. Type the address your trainer gave you, "
                         "for example http://192.168.1.20:8765")
    if "://" not in text:
        text = "http://" + text
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{address.strip()!r} is not a web address. It looks like http://192.168.1.20:8765")
    if parts.query or parts.fragment:
        raise ValueError(f"{address.strip()!r} should be only the server's address, without '?' or '#' parts.")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class ServerClient:
    """One server address and, once known, one bearer token (learner ``pkl_…`` or trainer ``pkt_…``).

    ``auth_header`` overrides the ``Authorization`` header (a JupyterHub kernel sends
    ``token <JUPYTERHUB_API_TOKEN>`` to join).
    """

    def __init__(self, address: str, token: str | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 auth_header: str | None = None) -> None:
        self.address = normalize_address(address)
        self.token = token
        self.timeout = timeout
        self.auth_header = auth_header

    def __repr__(self) -> str:  # never the token
        return f"ServerClient({self.address!r})"

    def with_token(self, token: str) -> "ServerClient":
        return ServerClient(self.address, token, timeout=self.timeout)

    # -- the one place requests are made ------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, *, query: dict[str, Any] | None = None,
                timeout: float | None = None) -> Any:
        """Send one request; the decoded JSON answer (``None`` for an empty one)."""
        url = self.address + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.auth_header:
            headers["Authorization"] = self.auth_header
        elif self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as reply:
                raw = reply.read()
        except urllib.error.HTTPError as error:
            raise self._problem(error) from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ServerUnreachable(f"The server at {self.address} could not be reached ({reason}).") from None
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ServerUnreachable(f"The server at {self.address} sent an answer that is not JSON.") from None

    def _problem(self, error: urllib.error.HTTPError) -> ServerError:
        try:
            raw = error.read()
        except OSError:
            raw = b""
        try:
            problem = json.loads(raw) if raw else {}
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        if error.code >= 500 and error.code != 501:
            # the server is there but unwell (restarting, database away): like no answer at all
            raise ServerUnreachable(f"The server at {self.address} had a problem ({error.code}); "
                                    "it will be tried again.")
        retry = error.headers.get("Retry-After") if error.headers else None
        try:
            retry_after = float(retry) if retry is not None else None
        except ValueError:
            retry_after = None
        detail = problem.get("detail")
        if not isinstance(detail, str) or not detail.strip():
            detail = {401: "The server did not recognise this computer's sign-in. Join the group again.",
                      403: "The server does not allow this.", 404: "The server has no such thing.",
                      429: "Too many tries. Wait a minute and try again."}.get(
                error.code, f"The server refused this ({error.code}).")
        type_ = str(problem.get("type") or "")
        errors = problem.get("errors") if isinstance(problem.get("errors"), list) else []
        return ServerRefused(error.code, detail, str(problem.get("title") or ""), type_.rsplit("/", 1)[-1],
                             retry_after, errors)

    # -- learners ----------------------------------------------------------------------------
    def join(self, code: str, pseudonym: str) -> dict[str, Any]:
        """``POST /join``: ``{"token", "cohort": {...}, "pseudonym"}``."""
        return self.request("POST", "/api/v1/join", {"code": code, "pseudonym": pseudonym})

    def me(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/me")

    def send_answers(self, answers: list[dict[str, Any]]) -> dict[str, Any]:
        """``POST /me/answers`` (at most :data:`MAX_BATCH`): ``{"accepted", "stale", "refused", "last_seq"}``."""
        if len(answers) > MAX_BATCH:
            raise ValueError(f"At most {MAX_BATCH} answers go in one request, not {len(answers)}.")
        return self.request("POST", "/api/v1/me/answers", {"answers": answers})

    def withdraw(self, exercise: str | None = None) -> int:
        answer = self.request("DELETE", "/api/v1/me/answers", query={"exercise": exercise})
        return int((answer or {}).get("removed", 0))

    def leave(self) -> Any:
        return self.request("DELETE", "/api/v1/me")

    def set_research_consent(self, agreed: bool) -> dict[str, Any]:
        """``PUT /me/research-consent``: ``{"research_consent": agreed}``."""
        return self.request("PUT", "/api/v1/me/research-consent", {"agreed": bool(agreed)})

    def my_aggregates(self, exercise: str) -> dict[str, Any]:
        return self.request("GET", "/api/v1/me/aggregates", query={"exercise": exercise})

    def my_session(self) -> dict[str, Any]:
        return self.request("GET", "/api/v1/me/session")

    # -- trainers ----------------------------------------------------------------------------
    def cohorts(self) -> list[dict[str, Any]]:
        answer = self.request("GET", "/api/v1/cohorts")
        if isinstance(answer, dict):  # tolerate {"cohorts": [...]}
            answer = answer.get("cohorts", [])
        return list(answer or [])

    def create_cohort(self, name: str, min_group_size: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        if min_group_size is not None:
            body["min_group_size"] = min_group_size
        return self.request("POST", "/api/v1/cohorts", body)

    def cohort(self, cohort_id: str) -> dict[str, Any]:
        return self.request("GET", f"/api/v1/cohorts/{_segment(cohort_id)}")

    def close_cohort(self, cohort_id: str) -> Any:
        return self.request("POST", f"/api/v1/cohorts/{_segment(cohort_id)}/close")

    def new_join_code(self, cohort_id: str) -> dict[str, Any]:
        return self.request("POST", f"/api/v1/cohorts/{_segment(cohort_id)}/join-code")

    def lock_joining(self, cohort_id: str, locked: bool) -> dict[str, Any]:
        return self.request("PUT", f"/api/v1/cohorts/{_segment(cohort_id)}/joining", {"locked": bool(locked)})

    def members(self, cohort_id: str) -> list[dict[str, Any]]:
        return list(self.request("GET", f"/api/v1/cohorts/{_segment(cohort_id)}/members").get("members", []))

    def remove_member(self, cohort_id: str, pseudonym: str) -> dict[str, Any]:
        return self.request("DELETE", f"/api/v1/cohorts/{_segment(cohort_id)}/members/{_segment(pseudonym)}")

    def sign_in_code(self) -> dict[str, Any]:
        """A single-use sign-in code and its link (``{"code", "expires_in", "sign_in"}``) for a browser."""
        return self.request("POST", "/api/v1/sign-in-codes")

    def cohort_aggregates(self, cohort_id: str, exercise: str | None = None) -> dict[str, Any]:
        return self.request("GET", f"/api/v1/cohorts/{_segment(cohort_id)}/aggregates",
                            query={"exercise": exercise})

    def upload_submissions(self, cohort_id: str, documents: list[Any]) -> dict[str, Any]:
        return self.request("POST", f"/api/v1/cohorts/{_segment(cohort_id)}/submissions",
                            {"submissions": documents}, timeout=max(self.timeout, 30.0))

    def send_tally(self, cohort_id: str, exercise: str, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
        """``POST /tally``: a room's show of hands for one exercise, replacing its earlier tally."""
        return self.request("POST", f"/api/v1/cohorts/{_segment(cohort_id)}/tally",
                            {"exercise": exercise, "counts": {item: {str(value): hands for value, hands in row.items()}
                                                              for item, row in counts.items()}})


def _segment(text: str) -> str:
    return urllib.parse.quote(str(text), safe="")
