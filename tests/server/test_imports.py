"""The server's imports: no cycle among its modules (deferred imports counted), and no learner runtime loaded.

The server stands beside the learner's stack and reaches it only over HTTP; it may use the shared
rules (exercises, kinds, the bottom-layer cohort rules) but never the learner's store, saving, client,
widgets or research code. Importing one of those by way of a shared module (as reading a hand-in file
once did, through the learner's membership module and the old store) is caught by serving every
route in a fresh interpreter, so that other tests' imports cannot hide a load.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.imports import ROOT, import_statements, module_name, strongly_connected

SERVER = ROOT / "peerkit" / "server"
#: Modules of the learner's runtime: none of them may be loaded by a server that served every route.
LEARNER_RUNTIME = ("peerkit.store", "peerkit.saving", "peerkit.client", "peerkit.widgets", "peerkit.portfolio_io",
                   "peerkit.research", "peerkit.course", "peerkit.cohort.membership", "peerkit.cohort.sync",
                   "peerkit.cohort.sharing", "peerkit.cohort.store", "peerkit.cohort.submission")


def server_import_graph() -> dict[str, set[str]]:
    """``{server module: server modules it imports}``, every import in the file (in functions too)."""
    modules = {module_name(p): p for p in SERVER.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _, module, imported in import_statements(path):
            # ``from a import b``: ``a`` is loaded, and ``a.b`` too when it is a module
            targets = [module] if imported is None else [module, f"{module}.{imported}"]
            graph[name].update(target for target in targets if target in modules and target != name)
    # a package's import of its submodule is part of the package, not an edge back into it
    return graph


def _without_package_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # ``from . import x`` in a module of a package names the package too; a package's own
    # ``__init__`` importing its submodules is no cycle with them
    return {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_server_modules_import_one_another_without_a_cycle() -> None:
    graph = _without_package_edges(server_import_graph())
    assert "peerkit.server.routes.pages" in graph and graph["peerkit.server.app"], "the graph was not read"
    assert strongly_connected(graph) == []


SERVE_EVERY_ROUTE = r"""
import json, sys
from fastapi.testclient import TestClient
from peerkit.server import db
from peerkit.server.app import ROUTERS, create_app
from peerkit.server.tokens import new_trainer
from peerkit.server.settings import ServerSettings

app = create_app(ServerSettings(folder=sys.argv[1], min_group_size=1))
_, trainer_token = db.write(app.state.engine, lambda conn: new_trainer(conn, "Tess"))
trainer = {"Authorization": "Bearer " + trainer_token}
served = []
with TestClient(app, raise_server_exceptions=False) as client:
    def ask(method, path, headers, **kwargs):
        response = client.request(method, path, headers=headers, **kwargs)
        served.append((method, path, response.status_code))
        return response

    cohort = ask("POST", "/api/v1/cohorts", trainer, json={"name": "Room 1"}).json()
    joined = ask("POST", "/api/v1/join", {}, json={"code": cohort["join_code"],
                                                  "pseudonym": "p-" + "a" * 20}).json()
    learner = {"Authorization": "Bearer " + joined["token"]}
    # the routes that read something a learner or a trainer sends, with bodies they take
    ask("POST", "/api/v1/me/answers", learner, json={"answers": [
        {"exercise": "boundaries", "item": "B01", "value": "yes", "seq": 1}]})
    handin = {"format": "peerkit-submission", "format_version": 1, "cohort": cohort["id"],
              "pseudonym": "p-" + "b" * 20, "created_at": "2024-05-01T09:30:00.000000+00:00",
              "responses": [{"exercise": "boundaries", "item": "B01", "value": "no",
                             "answered_at": "2024-05-01T09:12:00.000000+00:00"}]}
    ask("POST", f"/api/v1/cohorts/{cohort['id']}/submissions", trainer,
        json={"submissions": [{"name": "one.json", "content": json.dumps(handin)}]})
    ask("POST", f"/api/v1/cohorts/{cohort['id']}/tally", trainer,
        json={"exercise": "boundaries", "counts": {"B01": {"never": 2, "maybe": 5}}})
    ask("GET", "/sign-in", {})
    ask("POST", "/sign-in", {}, data={"code": trainer_token}, follow_redirects=False)
    ask("GET", f"/projector/{cohort['id']}", {})
    ask("GET", f"/projector/{cohort['id']}/report", {})
    ask("GET", "/static/projector.js", {})
    # then every route, as the trainer and as the learner
    routes = [(prefix + route.path, route) for router, prefix in ROUTERS for route in router.routes]
    for path, route in routes:
        for name in route.param_convertors:
            value = cohort["id"] if name == "cohort_id" else "hide" if name == "action" else "1"
            path = path.replace("{" + name + "}", value)
        for method in sorted(route.methods - {"HEAD"}):
            if path.endswith("/events") or (method == "DELETE" and path in (
                    "/api/v1/me", f"/api/v1/cohorts/{cohort['id']}")):
                continue  # a stream; leaving and deleting come last
            for headers in (trainer, learner):
                ask(method, path, headers, json={})
    ask("DELETE", "/api/v1/me", learner)
    ask("DELETE", f"/api/v1/cohorts/{cohort['id']}", trainer)
loaded = sorted(name for name in sys.modules if name.startswith("peerkit"))
print(json.dumps({"served": served, "loaded": loaded}))
"""


def test_serving_every_route_loads_no_learner_runtime(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", SERVE_EVERY_ROUTE, str(tmp_path)], capture_output=True,
                            text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(report["served"]) > 60, report["served"]
    ok = {path for _, path, status in report["served"] if status < 300}
    assert any(path.endswith("/submissions") for path in ok) and any(path.endswith("/tally") for path in ok), \
        report["served"][:12]
    assert all(status < 500 for _, _, status in report["served"]), [s for s in report["served"] if s[2] >= 500]
    learner_side = [name for name in report["loaded"]
                    if any(name == banned or name.startswith(banned + ".") for banned in LEARNER_RUNTIME)]
    assert learner_side == []
