"""Whether a request came from the server's own pages: the CSRF token and the browser's origin headers.

A request signed in by the trainer's session cookie is taken only from the server's own
pages (:func:`from_own_page`): it must carry the session's CSRF token in
``X-Peerkit-CSRF`` (:data:`CSRF_HEADER`), except a page the browser navigates to
(``Sec-Fetch-Mode: navigate``) and the same-origin event stream, which change nothing.
"""
from __future__ import annotations

import hmac

from fastapi import Request

from .problems import Problem

#: The header the pages send the session's CSRF token in.
CSRF_HEADER = "x-peerkit-csrf"


def _cross_site(detail: str) -> Problem:
    return Problem(403, "cross-site", "Not from this page", detail)


def own_origin(request: Request) -> str:
    """This server's origin as the request reached it (``scheme://host:port``)."""
    return f"{request.url.scheme}://{request.url.netloc}"


def from_another_site(request: Request) -> bool:
    """True when the browser says the request was made by another origin's page.

    ``Sec-Fetch-Site`` (set by the browser, never by a page's script) is believed when present; an older
    browser's ``Origin`` is compared with ours instead (pages of ours send no referrer, so a form of ours may say
    ``Origin: null``, which only counts where ``Sec-Fetch-Site`` is missing).
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site != "same-origin"
    origin = request.headers.get("origin")
    return origin is not None and origin != own_origin(request)


def from_own_page(request: Request, csrf: str) -> None:
    """Refuse a cookie-signed request that the server's own pages did not send (403, before anything is read
    or changed).

    Accepted: a request carrying the session's CSRF token (``X-Peerkit-CSRF``; only our pages know it), not from
    another origin (:func:`from_another_site`); a page the browser itself navigates to (``GET``,
    ``Sec-Fetch-Mode: navigate``, or a browser too old to say; not the pages' live parts), which another page
    cannot read; the cohort's
    event stream from this origin (an ``EventSource`` cannot send a header; it carries revision numbers only).
    """
    api = "/api/v1/" in request.url.path
    # the pages' live parts are only ever fetched by the pages' scripts, never navigated to
    part = request.url.path.endswith(("/live", "/tools"))
    if request.method in ("GET", "HEAD") and not api and not part \
            and request.headers.get("sec-fetch-mode") in (None, "navigate"):
        return
    if from_another_site(request):
        raise _cross_site("This request came from another site's page, not from the projector page.")
    sent = request.headers.get(CSRF_HEADER, "")
    if sent and hmac.compare_digest(sent.encode(), csrf.encode()):
        return
    if request.method in ("GET", "HEAD") and api and request.url.path.endswith("/events"):
        return
    raise _cross_site("Use the buttons on the projector page (this request did not carry the page's token).")
