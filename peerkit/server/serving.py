"""How uvicorn runs the server: limits on connections, headers and idle time; trusted proxies; a log with no
secrets.

The defaults (every one is in ``docs/server-api.md``, "Limits"):

- :data:`LIMIT_CONCURRENCY` connections at once per worker; past that uvicorn answers 503 and closes, so a
  flood of connections cannot take every file descriptor (the usual ``ulimit -n`` is 1024).
- :data:`HEADER_SECONDS` for a request's headers to arrive (:class:`TimedH11Protocol`; uvicorn has no such
  timeout of its own), :data:`KEEP_ALIVE_SECONDS` for an idle kept-alive connection, and
  ``ServerSettings.body_seconds`` for a body (:class:`peerkit.server.app.BodyLimit`).
- :data:`MAX_HEADER_BYTES` of headers (h11's incomplete-event limit).
- Trusted proxies are explicit: ``X-Forwarded-For`` is read only from the addresses given
  (``peerkit serve --forwarded-allow-ips``); none by default, so a client on the server's own machine cannot
  pose as someone else.

On an open network put a reverse proxy in front (nginx, Caddy: ``docs/trainers.md``); these limits keep one
careless or hostile client from stopping a class, they are not a defence against a determined flood.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

LIMIT_CONCURRENCY = 500
HEADER_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
MAX_HEADER_BYTES = 16 * 1024


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (a slow client is cut off)."""

    header_seconds = HEADER_SECONDS

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        if getattr(self, "_header_timer", None) is None:
            self._header_timer = self.loop.call_later(self.header_seconds, self._header_timeout)

    def _disarm_header_timer(self) -> None:
        if getattr(self, "_header_timer", None) is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        waiting = self._waiting_for_headers()
        super().data_received(data)
        if waiting and not self._waiting_for_headers():
            self._disarm_header_timer()  # this request's headers are in
        elif self._waiting_for_headers():
            self._arm_header_timer()

    def on_response_complete(self) -> None:
        self._disarm_header_timer()  # the keep-alive timeout takes over until the next request's first bytes
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)


def uvicorn_options(forwarded_allow_ips: str = "") -> dict[str, Any]:
    """The options every ``uvicorn.run`` of ours takes: the limits above and the trusted proxies."""
    trusted = ",".join(part.strip() for part in forwarded_allow_ips.split(",") if part.strip())
    return {"http": TimedH11Protocol, "limit_concurrency": LIMIT_CONCURRENCY, "timeout_keep_alive": KEEP_ALIVE_SECONDS,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES, "proxy_headers": bool(trusted),
            "forwarded_allow_ips": trusted or None, "server_header": False}


class NoQueryStrings(logging.Filter):
    """Drops the query string from uvicorn's access log lines (a link's secret never reaches a log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def quiet_access_log() -> None:
    """Install :class:`NoQueryStrings` on uvicorn's access log (once per process)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryStrings) for f in access.filters):
        access.addFilter(NoQueryStrings())
