"""URL and page helpers the server's routes share: where the pages live, rendering, who is signed in.

Every page is a Jinja2 template with autoescape on, from the one environment of the
server's templates (:func:`peerkit.templating.server_environment`): learner text,
cohort names and exercise wording are escaped by Jinja2, never glued into HTML by
hand. The only markup inserted as-is is the notebooks' HTML charts
(:mod:`peerkit.charts_html`, which escapes its own text and sees no learner text)
and the QR code segno draws from the server's own address.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import segno
from fastapi import Request
from markupsafe import Markup
from starlette.responses import HTMLResponse

from ..templating import server_environment
from .auth import current_principal
from .problems import Problem
from .same_origin import CSRF_HEADER, from_own_page
from .tokens import Principal

#: The headers every page goes out with: no inline script may run, whatever reached the page; styles
#: inline are the charts'.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    # a page another tab of the same origin opens (a JupyterLab on a hub) gets no handle on it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def render_template(name: str, **context: Any) -> str:
    """The HTML of the server template ``name`` (``peerkit/server/templates/``)."""
    return server_environment().get_template(name).render(**context)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page: the template ``name`` rendered, with :data:`PAGE_HEADERS`."""
    return HTMLResponse(render_template(name, **context), status_code=status, headers=PAGE_HEADERS)


def base_path(request: Request) -> str:
    """The path the pages live under, ending with ``/`` (``/services/peerkit/`` on a hub)."""
    return (request.scope.get("root_path") or "").rstrip("/") + "/"


def learner_address(request: Request) -> str:
    """The address learners type: the configured public URL, else the one this request came to."""
    configured = request.app.state.settings.public_url
    if configured:
        return configured.rstrip("/") + "/"
    return f"{request.url.scheme}://{request.url.netloc}{base_path(request)}"


def only_this_computer(address: str) -> bool:
    """True when ``address`` is a loopback address: nobody but this computer can open it.

    >>> only_this_computer("http://127.0.0.1:8765/"), only_this_computer("http://192.168.1.20:8765/")
    (True, False)
    """
    host = (urlsplit(address).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def qr_svg(address: str) -> Markup:
    """The address as a QR code, an inline SVG (drawn by segno from our own address, not from input)."""
    svg = segno.make(address, error="m").svg_inline(scale=10, border=2, svgclass="qr", lineclass="qr-line",
                                                    title=f"QR code of {address}", omitsize=True)
    return Markup(svg.replace("<svg ", "<svg role=\"img\" aria-label=\"QR code of the address\" ", 1))


async def signed_in_trainer(request: Request) -> Principal | None:
    """The trainer signed in on this browser (cookie), or None."""
    try:
        principal = await current_principal(request)
    except Problem:
        return None
    return principal if principal is not None and principal.role == "trainer" else None


def sign_in_page(request: Request, status: int = 401, message: str = "") -> HTMLResponse:
    """The trainer's sign-in page (also what a page shows a browser that is not signed in)."""
    return render("sign_in.html", status=status, base=base_path(request), message=message,
                  hub=bool(getattr(request.app.state.settings, "hub", False)), address=learner_address(request))


def not_yours_page(request: Request, cohort_id: str) -> HTMLResponse:
    """The page for a cohort this trainer does not have (the same 404 whether it exists or not)."""
    return render("message.html", status=404, base=base_path(request), title="No such cohort",
                  message=f"You have no cohort {cohort_id!r} on this server.")


def check_same_origin(request: Request) -> None:
    """Refuse a cookie-authenticated write that another page could have sent.

    The trainer's session authenticator (:func:`peerkit.server.same_origin.from_own_page`) already refused any
    cookie request without the session's CSRF token; this is the same check again for routes that ask.
    """
    principal = getattr(request.state, "principal", None)
    if request.headers.get("authorization") or principal is None or not principal.csrf:
        return
    from_own_page(request, principal.csrf)
    if request.method not in ("GET", "HEAD") and request.headers.get(CSRF_HEADER) != principal.csrf:
        raise Problem(403, "cross-site", "Not from this page", "Use the buttons on the projector page.")
