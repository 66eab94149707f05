"""The server's web pages: the projector page, the trainer's sign-in, and the phone page for learners.

Every page is a Jinja2 template with autoescape on (:data:`TEMPLATES`): learner
text, cohort names and exercise wording are escaped by Jinja2, never glued into
HTML by hand. The only markup inserted as-is is the notebooks' HTML charts
(:mod:`peerkit.charts_html`, which escapes its own text and sees no learner text)
and the QR code segno draws from the server's own address.

- ``GET /sign-in?token=pkt_…`` keeps the trainer token in an HttpOnly,
  SameSite=Strict cookie and redirects (to ``next=projector/<cohort id>`` if given,
  a page of this server only), so the token leaves the address bar and the history.
- ``GET /projector`` lists the trainer's cohorts; ``GET /projector/{id}`` is the
  page for the room: join code and address large, a QR code of the address,
  counts, the most divided items, the charts and the shared texts. It listens to
  ``/api/v1/cohorts/{id}/events`` (server-sent events, the sign-in cookie
  authenticates it) and fetches ``/projector/{id}/live`` on each revision.
- ``POST /projector/{id}/texts/{answer id}/hide`` (and ``/show``) keep a shared
  text off the projector; only with the cookie and a same-origin request.
- ``GET /`` is the phone page: a learner with only a phone joins with the code (the
  page makes the pseudonym) and answers the choice and rating exercises in plain
  HTML forms that post to the learner API.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import APIRouter, Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..exercises import ContentError, exercise_ids, load_exercise
from ..kinds import kind_of
from . import db
from .auth import TRAINER_COOKIE, TRAINER_PREFIX, Principal, current_principal, principal_for_token
from .problems import Problem
from .projector import live_state

HERE = Path(__file__).resolve().parent
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                        trim_blocks=True, lstrip_blocks=True)
#: How long the sign-in cookie lasts (a teaching day).
COOKIE_SECONDS = 12 * 3600

router = APIRouter(include_in_schema=False)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers={
        # no inline script may run, whatever reached the page; styles inline are the charts'
        "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                   "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                   "frame-ancestors 'none'; form-action 'self'",
        "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


def base_path(request: Request) -> str:
    """The path the pages live under, ending with ``/`` (``/services/peerkit/`` on a hub)."""
    return (request.scope.get("root_path") or "").rstrip("/") + "/"


def learner_address(request: Request) -> str:
    """The address learners type: the configured public URL, else the one this request came to."""
    configured = request.app.state.settings.public_url
    if configured:
        return configured.rstrip("/") + "/"
    return f"{request.url.scheme}://{request.url.netloc}{base_path(request)}"


def qr_svg(address: str) -> Markup:
    """The address as a QR code, an inline SVG (drawn by segno from our own address, not from input)."""
    import segno

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


def _sign_in_page(request: Request, status: int = 401, message: str = "") -> HTMLResponse:
    return render("sign_in.html", status=status, base=base_path(request), message=message)


# -- trainer sign-in ------------------------------------------------------------------------

#: Where ``/sign-in?next=`` may lead: a page of this server, never another site.
_NEXT = re.compile(r"^/?projector(/cohort-[a-z0-9]{1,40})?$")


@router.get("/sign-in")
async def sign_in(request: Request, token: str = "", next: str = "") -> Response:  # noqa: A002 - the query name
    if not token.startswith(TRAINER_PREFIX):
        return _sign_in_page(request, 400 if token else 200,
                             "That link holds no trainer token." if token else "")
    principal = await run_in_threadpool(principal_for_token, request.app.state.engine, token)
    if principal is None or principal.role != "trainer":
        return _sign_in_page(request, 401, "That trainer token does not work here (it may belong to another "
                                           "server). Make a new one with `peerkit trainer add NAME`.")
    target = next.lstrip("/") if _NEXT.match(next) else "projector"
    response = RedirectResponse(base_path(request) + target, status_code=303)
    response.set_cookie(TRAINER_COOKIE, token, max_age=COOKIE_SECONDS, path=base_path(request), httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.url.netloc:
        raise Problem(403, "cross-site", "Not from this page", "Sign out from the page itself.")
    response = RedirectResponse(base_path(request) + "sign-in", status_code=303)
    response.delete_cookie(TRAINER_COOKIE, path=base_path(request))
    return response


# -- the projector ---------------------------------------------------------------------------

def _cohort_row(engine: sa.Engine, trainer_id: str, cohort_id: str) -> Any:
    from .cohorts import owned

    with db.reading(engine) as conn:
        return owned(conn, trainer_id, cohort_id)


@router.get("/projector")
async def projector_list(request: Request) -> Response:
    who = await signed_in_trainer(request)
    if who is None:
        return _sign_in_page(request)
    state = request.app.state
    from .cohorts import list_for

    cohorts = await run_in_threadpool(list_for, state.engine, state.secret, who.id)
    return render("cohorts.html", base=base_path(request), trainer=who.name, cohorts=cohorts)


def _live(engine: sa.Engine, trainer_id: str, cohort_id: str) -> dict[str, Any]:
    from .cohorts import owned

    with db.reading(engine) as conn:
        row = owned(conn, trainer_id, cohort_id)
        return {"row": row, **live_state(conn, row)}


def _not_yours(request: Request, cohort_id: str) -> HTMLResponse:
    return render("message.html", status=404, base=base_path(request), title="No such cohort",
                  message=f"You have no cohort {cohort_id!r} on this server.")


@router.get("/projector/{cohort_id}")
async def projector(cohort_id: str, request: Request) -> Response:
    who = await signed_in_trainer(request)
    if who is None:
        return _sign_in_page(request)
    state = request.app.state
    try:
        live = await run_in_threadpool(_live, state.engine, who.id, cohort_id)
    except Problem:
        return _not_yours(request, cohort_id)
    from .cohorts import unseal_code

    row = live.pop("row")
    address = learner_address(request)
    return render("projector.html", base=base_path(request), cohort=row, join_code=unseal_code(state.secret,
                  row.code_sealed), address=address, qr=qr_svg(address), live=live, trainer=who.name)


@router.get("/projector/{cohort_id}/live")
async def projector_live(cohort_id: str, request: Request) -> Response:
    """The live part of the projector page (HTML), fetched on every revision."""
    who = await signed_in_trainer(request)
    if who is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in again with your trainer link.")
    state = request.app.state
    live = await run_in_threadpool(_live, state.engine, who.id, cohort_id)
    row = live.pop("row")
    return render("projector_live.html", base=base_path(request), cohort=row, live=live)


def _same_origin(request: Request) -> None:
    """Refuse a cookie-authenticated write that another site's page could have sent."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.url.netloc:
        raise Problem(403, "cross-site", "Not from this page", "This request did not come from the projector page.")
    if request.headers.get("x-peerkit-page") != "1":
        raise Problem(403, "cross-site", "Not from this page", "Use the buttons on the projector page.")


@router.post("/projector/{cohort_id}/texts/{answer_id}/{action}")
async def hide_or_show(cohort_id: str, answer_id: int, action: str, request: Request) -> dict[str, Any]:
    if action not in ("hide", "show"):
        raise Problem(404, "not-found", "Not found", "Texts can be hidden or shown, nothing else.")
    _same_origin(request)
    who = await signed_in_trainer(request)
    if who is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in again with your trainer link.")
    from .trainer_data import set_hidden  # the API's own rule (POST /api/v1/cohorts/{id}/reflections/{rid}/hide)

    return await run_in_threadpool(set_hidden, request.app.state.engine, who.id, cohort_id, answer_id,
                                   action == "hide")


# -- the phone page --------------------------------------------------------------------------

def phone_exercises() -> list[Any]:
    """The exercises a phone can answer in plain forms, in course order.

    A plain form is one choice per listed item: from the exercise's scale, or from
    the item's own options (:attr:`peerkit.kinds.Kind.options_per_item`). Free text
    and learner-made items (goals) need the notebook.
    """
    chosen = []
    for exercise in exercise_ids():
        try:
            definition = load_exercise(exercise)
        except ContentError:
            continue
        kind = kind_of(definition)
        if not kind.open_text and not kind.learner_items and (definition.scale or kind.options_per_item):
            chosen.append(definition)
    return sorted(chosen, key=lambda d: (d.chapter, d.id))


@router.get("/")
async def phone(request: Request) -> Response:
    exercises = phone_exercises()
    return render("phone.html", base=base_path(request), exercises=exercises, address=learner_address(request),
                  options_per_item={e.id for e in exercises if kind_of(e).options_per_item})


def install(app: Any) -> None:
    """Serve the pages' scripts and styles (``/static``)."""
    from starlette.staticfiles import StaticFiles

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="peerkit-static")
