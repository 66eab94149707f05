"""The same answers give the same package from each source: hand-in files, a cohort store, a cohort server.

The cohort server is being written on another branch; here it is a minimal
Starlette stand-in that serves ``GET /api/v1/cohorts/{id}/responses`` in the
shape :mod:`peerkit.research.server_source` documents (paged, with a trainer's
bearer token, problem details on refusal), read from the same cohort store.
The real server's test is the lead's to wire.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from peerkit.research import ExportError, export_cohort_store, export_frame, export_submissions, load
from peerkit.research.export import export_cohort_server

from .conftest import KEY

TOKEN = "pkt_" + "t" * 43
SIZES = (8, 6)
CHOICES = ["never", "maybe", "always"]


def learner_answers(n: int) -> list[dict]:
    day = f"2025-05-0{1 + n % 3}T10:{n % 60:02d}:00+00:00"
    answers = [{"exercise": "boundaries", "item": item, "value": CHOICES[(n + i) % 3], "answered_at": day}
               for i, item in enumerate(["B01", "B02", "B16"])]
    answers += [{"exercise": "core_skills", "item": item, "value": 1 + (n + i) % 5, "answered_at": day}
                for i, item in enumerate(["C01", "C02"])]
    answers.append({"exercise": "peer_support_check", "item": "Q3", "value": ["b", "c"] if n % 2 else ["a"],
                    "answered_at": day})
    if n % 2:
        answers.append({"exercise": "boundaries_reflection", "item": "R1",
                        "value": {"text": f"Session {n} on 2025-05-01:\r\nring me on 07700 900{n:03d}"},
                        "answered_at": day})
    return answers


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    from peerkit.cohort.store import CohortStore

    root = tmp_path_factory.mktemp("sources")
    url = f"sqlite:///{root / 'cohort.sqlite'}"
    store = CohortStore(url)
    folder = root / "hand-ins"
    folder.mkdir()
    cohorts = []
    for number, size in enumerate(SIZES):
        cohort_id, _ = store.create_cohort(f"group {number}")
        cohorts.append(cohort_id)
        for n in range(size):
            pseudonym = f"p-{number:02d}{n:018x}"
            answers = learner_answers(n + 10 * number)
            store.store_submission(cohort_id, pseudonym, "2025-05-03T12:00:00+00:00", answers)
            document = {"format": "peerkit-submission", "format_version": 1, "cohort": cohort_id,
                        "pseudonym": pseudonym, "created_at": "2025-05-03T12:00:00+00:00", "responses": answers}
            (folder / f"{cohort_id}-{n}.json").write_text(json.dumps(document), encoding="utf-8")
    store.close()
    with stand_in_server(url) as base:
        yield {"root": root, "url": url, "folder": folder, "cohorts": cohorts, "server": base}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class stand_in_server:
    """The contract's responses endpoint over a cohort store, on loopback, paged 7 answers at a time."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> str:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from peerkit.cohort.store import CohortStore

        def problem(status: int, detail: str) -> JSONResponse:
            return JSONResponse({"type": "https://peerkit.invalid/problems/refused", "title": "Refused",
                                 "status": status, "detail": detail}, status_code=status,
                                media_type="application/problem+json")

        async def responses(request):
            if request.headers.get("authorization") != f"Bearer {TOKEN}":
                return problem(401, "Sign in with a trainer's token.")
            cohort_id = request.path_params["cohort_id"]
            with CohortStore(self.url, create=False) as store:
                if cohort_id not in {c.id for c in store.cohorts()}:
                    return problem(404, "There is no such cohort.")
                frame = store.responses_frame(cohort_id)
            rows = [{"pseudonym": r.learner, "exercise": r.exercise, "item": r.item, "value": r.value,
                     "answered_at": r.answered_at.isoformat()} for r in frame.itertuples()]
            start = int(request.query_params.get("after", 0))
            page = rows[start:start + 7]
            following = f"?after={start + 7}" if start + 7 < len(rows) else None
            return JSONResponse({"cohort": {"id": cohort_id, "name": "group", "min_group_size": 5},
                                 "responses": page, "next": following})

        app = Starlette(routes=[Route("/api/v1/cohorts/{cohort_id}/responses", responses)])
        port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the stand-in server did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def package_files(folder: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    descriptor = json.loads(files.pop("datapackage.json"))
    descriptor.pop("sources")
    files["datapackage.json (without sources)"] = json.dumps(descriptor, sort_keys=True).encode()
    return files


@pytest.mark.parametrize("tier", ["aggregate", "microdata"])
def test_the_same_package_from_each_source(sources, tmp_path, tier):
    options = {"tier": tier, "exported_on": "2025-05-31", "min_cell": 5}
    export_submissions(sources["folder"], tmp_path / "files", KEY, **options)
    export_cohort_store(sources["url"], None, tmp_path / "store", KEY, **options)
    export_cohort_server(sources["server"], sources["cohorts"], tmp_path / "server", TOKEN, KEY, **options)
    packages = {name: package_files(tmp_path / name) for name in ("files", "store", "server")}
    assert packages["files"] == packages["store"] == packages["server"]
    titles = {name: json.loads((tmp_path / name / "datapackage.json").read_text())["sources"][0]["title"]
              for name in packages}
    assert "hand-in" in titles["files"] and "store" in titles["store"] and "server" in titles["server"]
    loaded = load(tmp_path / "server")
    assert loaded.ok, loaded.problems
    if tier == "microdata":
        assert len(loaded.frame) == sum(len(learner_answers(n + 10 * c)) for c, s in enumerate(SIZES)
                                        for n in range(s))
        raw = (tmp_path / "server/data/boundaries_reflection.responses.csv").read_bytes()
        assert b"07700" not in raw and b"[phone]" in raw and b"2025-05-01" in raw
        assert b'2025-05-01:\nring me on [phone]"' in raw  # the learner's CR LF is one LF, inside quotes


def test_server_refusals_are_told_in_plain_words(sources, tmp_path):
    with pytest.raises(ExportError, match="trainer's token"):
        export_cohort_server(sources["server"], sources["cohorts"], tmp_path / "x", "pkt_wrong", KEY)
    with pytest.raises(ExportError, match="no such cohort"):
        export_cohort_server(sources["server"], ["cohort-zzzzzzzz"], tmp_path / "x", TOKEN, KEY)
    with pytest.raises(ExportError, match="Cannot reach"):
        export_cohort_server(f"http://127.0.0.1:{free_port()}", sources["cohorts"], tmp_path / "x", TOKEN, KEY)
    assert not (tmp_path / "x").exists()
