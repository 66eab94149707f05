"""Errors as RFC 9457 problem details: ``application/problem+json`` with a plain-words ``detail``.

A route raises :class:`Problem`; the handlers installed by :func:`install` turn it (and
FastAPI's own validation errors and 404/405s) into the same JSON shape, so a client
can always show ``detail`` to a learner as it is.

>>> Problem(404, "no-such-cohort", "No such cohort", "There is no cohort with this id.").body()["type"]
'https://peerkit.invalid/problems/no-such-cohort'
"""
from __future__ import annotations

import inspect
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://peerkit.invalid/problems/"
MEDIA_TYPE = "application/problem+json"

_GENERIC = {
    400: ("bad-request", "Bad request"),
    401: ("not-signed-in", "Not signed in"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Send JSON"),
    422: ("invalid", "Invalid request"),
    429: ("too-many-requests", "Too many requests"),
}


class Problem(Exception):
    """An error reply: ``raise Problem(403, "learner-only", "Learners only", "plain words")``."""

    def __init__(self, status: int, slug: str, title: str, detail: str, *, errors: list[Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": PROBLEM_BASE + self.slug, "title": self.title, "status": self.status,
                                "detail": self.detail}
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers, media_type=MEDIA_TYPE)


def generic(status: int, detail: str, headers: dict[str, str] | None = None) -> Problem:
    slug, title = _GENERIC.get(status, ("error", "Error"))
    return Problem(status, slug, title, detail, headers=headers)


def _where(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path")]
    return ".".join(parts) or "the request"


def validation_slug(error: RequestValidationError) -> str:
    """The problem's slug: a model's own (hyphenated, such as ``invalid-pseudonym``) for its first error, else
    ``invalid`` (pydantic's own error types are words with underscores)."""
    first = next(iter(error.errors()), {})
    kind = str(first.get("type", ""))
    return kind if re.fullmatch(r"[a-z]+(-[a-z]+)+", kind) else "invalid"


def validation_detail(error: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    """Plain words for pydantic's errors (never echoing a huge value back)."""
    errors = []
    for item in error.errors():
        where = _where(tuple(item.get("loc", ())))
        message = str(item.get("msg", "is not valid"))
        if item.get("type") == "value_error":  # a validator's own words, without pydantic's prefix
            message = message.removeprefix("Value error, ")
        if item.get("type") == "json_invalid":
            message = "The request body is not valid JSON."
            where = "the request"
        errors.append({"field": where, "detail": f"{where}: {message}"})
    first = errors[0]["detail"] if errors else "The request is not valid."
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return first + more, errors


async def authenticate_first(request: Request) -> None:
    """Run the route's own dependencies that ask who is calling (those that take only the request), so a
    request FastAPI could not read (a body that is not JSON) still gets ``401``/``403`` before ``422``.

    FastAPI reads the JSON body before it solves a route's dependencies, so a route's
    ``Depends(learner)`` alone would answer a broken body with ``422`` to anybody.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    for sub in getattr(dependant, "dependencies", ()):
        if (sub.call is not None and sub.request_param_name and not sub.dependencies and not sub.path_params
                and not sub.query_params and not sub.header_params and not sub.cookie_params
                and not sub.body_params):
            outcome = sub.call(request)
            if inspect.isawaitable(outcome):
                await outcome


def install(app: FastAPI) -> None:
    """Make every error of ``app`` a problem detail."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return problem.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        try:  # who is asking comes first: an outsider learns nothing of what a route takes
            await authenticate_first(request)
        except Problem as refusal:
            return refusal.response()
        detail, errors = validation_detail(error)
        return Problem(422, validation_slug(error), "Invalid request", detail, errors=errors).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) and error.detail not in ("Not Found",) else None
        words = {404: "There is nothing at this address.", 405: "This address does not take that method."}
        return generic(error.status_code, detail or words.get(error.status_code, "The request failed."),
                       headers=getattr(error, "headers", None)).response()

    @app.exception_handler(Exception)
    async def _crash(_request: Request, _error: Exception) -> JSONResponse:
        return Problem(500, "server-error", "Server error",
                       "Something went wrong on the server; nothing was changed by this request. "
                       "Try again in a moment.").response()
