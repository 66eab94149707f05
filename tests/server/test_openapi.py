"""``/api/v1/openapi.json`` is the API's contract and ``docs/server-api.md`` explains it: the two agree.

The document is read from the real server (SQLite is enough: it does not depend on the store).
"""
from __future__ import annotations

import re
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import RunningServer

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "server-api.md"
METHODS = ("get", "post", "put", "delete", "patch")
#: A route as the docs name it: ``METHOD /api/v1/…`` in backticks (a query after ``?`` is left off).
DOCUMENTED = re.compile(r"`(GET|POST|PUT|DELETE|PATCH) (/api/v1/[^`?\s]*)")
#: The document itself and its browsable view: named in the docs, not routes of the API.
ITSELF = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")}


def shape(path: str) -> str:
    """The path with every parameter made ``{}`` (the docs call ``{cohort_id}`` ``{id}``)."""
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.support.server import launch

    folder = tmp_path_factory.mktemp("openapi")
    server: RunningServer = launch(f"sqlite:///{folder / 'cohorts.sqlite'}", folder)
    try:
        with server.client() as client:
            reply = client.get("/api/v1/openapi.json")
    finally:
        server.stop()
    assert reply.status_code == 200
    return reply.json()


def operations(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (METHOD, path shape) of the document; a parameter with a few fixed values (``{action}``: hide or
    show) stands for a route per value, as the docs name them."""
    found = set()
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            fixed = {p["name"]: p["schema"]["enum"] for p in operation.get("parameters", [])
                     if p["in"] == "path" and "enum" in p.get("schema", {})}
            for values in product(*fixed.values()):
                concrete = path
                for name, value in zip(fixed, values):
                    concrete = concrete.replace("{" + name + "}", value)
                found.add((method.upper(), shape(concrete)))
    return found


def documented() -> set[tuple[str, str]]:
    named = {(method, shape(path)) for method, path in DOCUMENTED.findall(DOCS.read_text(encoding="utf-8"))}
    return named - ITSELF


def test_every_documented_route_is_in_openapi_with_its_method(openapi: dict[str, Any]) -> None:
    missing = sorted(documented() - operations(openapi))
    assert missing == [], f"docs/server-api.md names routes the server does not have: {missing}"


def test_every_api_route_in_openapi_is_documented(openapi: dict[str, Any]) -> None:
    undocumented = sorted(operations(openapi) - documented())
    assert undocumented == [], f"routes missing from docs/server-api.md: {undocumented}"
    assert len(operations(openapi)) >= 40


def test_every_operation_states_its_body_answer_and_errors(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    assert {"Problem", "Cohort", "Aggregates", "Session", "ResponsesPage", "JoinRequest"} <= set(schemas)
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            body = operation.get("requestBody")
            if body is not None:
                assert body["content"]["application/json"]["schema"]["$ref"].startswith("#/components/"), where
            answers = operation["responses"]
            good = [status for status in answers if status.startswith("2")]
            assert good, where
            for status in good:
                if status == "204":
                    continue
                content = answers[status]["content"]
                schema = next(iter(content.values()))["schema"]
                assert schema.get("$ref") or schema.get("type") == "string", (where, status, schema)
            if path != "/api/v1/health":
                errors = [status for status in answers if status.startswith("4")]
                assert errors, where
                for status in errors:
                    problem = answers[status]["content"]["application/problem+json"]["schema"]
                    assert problem == {"$ref": "#/components/schemas/Problem"}, (where, status)


def test_the_pseudonym_and_ids_are_bounded_in_the_document(openapi: dict[str, Any]) -> None:
    join = openapi["components"]["schemas"]["JoinRequest"]["properties"]
    assert join["pseudonym"]["pattern"] == "^p-[0-9a-f]{20}$"
    poll = openapi["paths"]["/api/v1/me/polls/{poll_id}"]["put"]["parameters"]
    poll_id = next(p for p in poll if p["name"] == "poll_id")["schema"]
    assert poll_id["minimum"] == 1 and poll_id["maximum"] == 2 ** 31 - 1
