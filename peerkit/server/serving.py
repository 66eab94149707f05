"""How uvicorn runs the server: limits on connections, headers and idle time; trusted proxies; a log with no
secrets.

The defaults (every one is in ``docs/server-api.md``, "Limits"):

- :data:`LIMIT_CONCURRENCY` connections at once per worker; past that uvicorn answers 503 and closes, so a
  flood of connections cannot take every file descriptor (the usual ``ulimit -n`` is 1024).
- :data:`HEADER_SECONDS` for a request's headers to arrive (:class:`TimedHttpToolsProtocol`; uvicorn has no
  such timeout of its own), :data:`KEEP_ALIVE_SECONDS` for an idle kept-alive connection, and
  ``ServerSettings.body_seconds`` for a body (:class:`peerkit.server.app.BodyLimit`).
- :data:`MAX_HEADER_BYTES` of headers (:class:`TimedHttpToolsProtocol`), then 400 and the connection closed.
- Trusted proxies are explicit: ``X-Forwarded-For`` is read only from the addresses given
  (``peerkit serve --forwarded-allow-ips``); none by default, so a client on the server's own machine cannot
  pose as someone else.

On an open network put a reverse proxy in front (nginx, Caddy: ``docs/trainers.md``); these limits keep one
careless or hostile client from stopping a class, they are not a defence against a determined flood.
"""
from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

LIMIT_CONCURRENCY = 500
HEADER_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
MAX_HEADER_BYTES = 16 * 1024


class HeaderError(httptools.HttpParserError):
    """A request's headers are over :data:`MAX_HEADER_BYTES` (uvicorn answers 400 and closes the connection)."""


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for each request's headers.

    httptools (llhttp, in C) rather than h11: under a lecture's load h11's pure-Python parsing and
    response writing took about 40 % of the event loop's time (py-spy under wrk, the answer path).
    uvicorn has neither limit for httptools, so both are here: the timer cuts off a client whose headers
    do not arrive within :data:`HEADER_SECONDS`; the headers parsed are counted (an oversized request
    gets 400), and so are the raw bytes of a head that never ends (llhttp would keep them in memory).
    """

    header_seconds = HEADER_SECONDS
    max_header_bytes = MAX_HEADER_BYTES

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._reading_head = True  # until a request's headers are complete
        self._head_bytes = 0  # raw bytes received while a head was being read
        self._header_bytes = 0  # bytes of this request's parsed URL and headers
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        if getattr(self, "_header_timer", None) is None:
            self._header_timer = self.loop.call_later(self.header_seconds, self._header_timeout)

    def _disarm_header_timer(self) -> None:
        if getattr(self, "_header_timer", None) is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self._reading_head and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if not self._reading_head or self.transport.is_closing():
            return
        if self._head_bytes > self.max_header_bytes + 2 * len(data):
            self.send_400_response("Request headers too large.")  # a head that never ends: not kept in memory
        else:
            self._arm_header_timer()  # part of a head is in: the rest must follow in time

    def on_message_begin(self) -> None:
        self._reading_head, self._header_bytes = True, 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count_header_bytes(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_header_bytes(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count_header_bytes(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self.max_header_bytes:
            raise HeaderError("Request headers too large.")

    def on_headers_complete(self) -> None:
        self._reading_head, self._head_bytes = False, 0
        self._disarm_header_timer()  # this request's headers are in
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_head = True  # the next request's head, when its first bytes come (keep-alive until then)
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)


def uvicorn_options(forwarded_allow_ips: str = "") -> dict[str, Any]:
    """The options every ``uvicorn.run`` of ours takes: the limits above and the trusted proxies."""
    trusted = ",".join(part.strip() for part in forwarded_allow_ips.split(",") if part.strip())
    return {"http": TimedHttpToolsProtocol, "limit_concurrency": LIMIT_CONCURRENCY,
            "timeout_keep_alive": KEEP_ALIVE_SECONDS, "proxy_headers": bool(trusted),
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


def settle_heap() -> None:
    """Put what a worker made while starting (modules, the app, the kinds' rules, the templates) out of the
    cyclic garbage collector's sight: ``gc.collect()`` then ``gc.freeze()``, once, in each serving process.

    Why: those objects live as long as the process, yet every full collection walked all of them,
    with the event loop and the answer writer stopped: about 100 ms each, a dozen times a minute under
    a lecture's load, and the request p99 was those pauses (``benchmarks/bench_server.py``, SQLite,
    50 clients: p99 120-160 ms before, 33-49 ms after). Objects made later are collected as ever.
    Called for uvicorn's workers only (:func:`peerkit.server.app.app_from_env`), never in a process
    that builds apps for tests.
    """
    gc.collect()
    gc.freeze()
