"""The API fuzzed against its own contract (schemathesis on ``/api/v1/openapi.json``), issue 19 part 3.

On the real server, SQLite and PostgreSQL, as a learner, as a trainer and with no
token: every operation gets :data:`EXAMPLES` requests that fit the schema and as
many that do not (derandomized, so a run is the same every time), and every answer
must be no server error, have a status the document lists, the media type it lists,
and a body that fits the schema of that status. The trainer's requests name the
trainer's own cohort, so they reach the rules and the store, not only the 404.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.server import Classroom, join

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance, response_schema_conformance, status_code_conformance)

#: Requests per operation and generation mode (fits the schema / does not).
EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: What would end the session for the rest of the run: sent without the fixed token or cohort (so a 404/401).
ENDS_THE_RUN = {("DELETE", "/api/v1/me"), ("DELETE", "/api/v1/cohorts/{cohort_id}"),
                ("POST", "/api/v1/cohorts/{cohort_id}/close")}


@pytest.fixture(scope="module")
def learner_token(classroom: Classroom) -> str:
    """A learner of the classroom's cohort of its own (joined before any fuzzed join can brake this address)."""
    return join(classroom.server, classroom.cohort["join_code"])


def fuzz(classroom: Classroom, token: str | None, cohort_id: str | None) -> list[str]:
    """Every failed check, as ``METHOD path: what`` lines."""
    url = classroom.server.url
    schema = schemathesis.openapi.from_url(url + "/api/v1/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        method, path = operation.method.upper(), operation.path
        if path.endswith("/events") and token is not None and cohort_id is not None:
            continue  # the trainer's stream of their own cohort never ends (tests/server/routes cover it)
        ends = (method, "/api/v1" + path if not path.startswith("/api") else path) in ENDS_THE_RUN
        headers = {"Authorization": f"Bearer {token}"} if token and not ends else {}
        fixed = {"cohort_id": cohort_id} if cohort_id and not ends and "{cohort_id}" in path else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def run(case: Any) -> None:
                response = case.call(base_url=url, headers=headers, timeout=30)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as error:  # every failure is collected, reported together
                    words = " ".join(str(error).split())[:400]
                    failures.append(f"{method} {path} ({mode.value}) -> {response.status_code}: {words}")

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, (method, path)  # nothing in it can be made wrong
    return failures


@pytest.mark.timeout(900)
@pytest.mark.parametrize("who", ["nobody", "learner", "trainer"])
def test_fuzzed_requests_get_no_server_error_and_answers_that_fit_the_schema(
        classroom: Classroom, learner_token: str, who: str) -> None:
    token = {"nobody": None, "learner": learner_token, "trainer": classroom.trainer}[who]
    cohort_id = classroom.cohort["id"] if who == "trainer" else None
    failures = fuzz(classroom, token, cohort_id)
    assert failures == [], "\n".join(sorted(set(failures))[:40])
    assert "Traceback" not in classroom.server.output()
