"""Course notebooks never gain outputs on disk: the save hook, through a real Jupyter server.

The server is started as ``make lab`` and Binder start it (the repository's folder on
``JUPYTER_CONFIG_PATH``, so ``jupyter_server_config.py`` is read), on a copy of the
course. A notebook full of outputs and widget state is saved through the contents API,
as JupyterLab's save and autosave do, and the file on disk is read back.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import nbformat
import pytest

from peerkit.jupyter_hooks import is_course_notebook, strip_notebook

REPO = Path(__file__).resolve().parents[1]


def _with_outputs(path: Path) -> dict[str, Any]:
    """The notebook at ``path`` as JupyterLab would send it after a run: outputs, counts, widget state."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
        cell["metadata"]["execution"] = {"iopub.status.idle": "2025-01-01T00:00:00Z"}
        cell["outputs"] = [
            {"output_type": "display_data", "metadata": {},
             "data": {"application/vnd.jupyter.widget-view+json": {"model_id": f"m{number}", "version_major": 2,
                                                                    "version_minor": 0},
                      "text/plain": "Matrix(...)"}},
            {"output_type": "stream", "name": "stdout", "text": "I would rather keep this to myself\n"},
        ]
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"m0": {"model_name": "HTMLModel", "state": {"value": "my answer"}}}, "version_major": 2,
        "version_minor": 0}}
    return notebook


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, url: str, token: str, root: Path) -> None:
        self.url, self.token, self.root = url, token, root

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def save(self, path: str, notebook: dict[str, Any]) -> Any:
        """Save as JupyterLab does: PUT /api/contents/<path> with the whole notebook model."""
        return self.call("PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": notebook})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("jupyter-save")
    root = base / "course"
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ)
    env.update({
        # what `make lab` and binder/start do: the repository's settings beside the learner's own
        "JUPYTER_CONFIG_PATH": str(REPO),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
    })
    log = base / "server.log"
    command = [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    running = Server(f"http://127.0.0.1:{port}", token, root)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"jupyter server exited:\n{log.read_text()[-3000:]}"
            try:
                running.call("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, f"jupyter server did not answer:\n{log.read_text()[-3000:]}"
                time.sleep(0.2)
        yield running
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        assert "Pre-save hook failed" not in log.read_text(), log.read_text()[-3000:]


CHAPTERS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("name", [CHAPTERS[0], CHAPTERS[-1], "trainer/live_session.ipynb"])
def test_a_course_notebook_saved_with_outputs_is_clean_on_disk(server: Server, name: str) -> None:
    path = f"notebooks/{name}"
    sent = _with_outputs(server.root / path)
    assert any(c.get("outputs") for c in sent["cells"])
    server.save(path, sent)

    on_disk = nbformat.read(server.root / path, as_version=4)
    nbformat.validate(on_disk)
    assert "widgets" not in on_disk.metadata, "saved widget state would bring back 'Error displaying widget'"
    for cell in on_disk.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell
            assert "execution" not in cell.metadata
    # the text itself is saved as sent
    assert [c.source for c in on_disk.cells] == [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                                                for c in sent["cells"]]


def test_a_learners_own_notebook_keeps_its_outputs(server: Server) -> None:
    mine = _with_outputs(server.root / "notebooks" / CHAPTERS[0])
    server.save("my_notes.ipynb", mine)
    on_disk = nbformat.read(server.root / "my_notes.ipynb", as_version=4)
    assert "widgets" in on_disk.metadata
    assert any(cell.get("outputs") for cell in on_disk.cells)


@pytest.mark.parametrize("path, course", [
    ("notebooks/00_welcome.ipynb", True), ("00_welcome.ipynb", True), ("notebooks/trainer/live_session.ipynb", True),
    ("notebooks/research/cohort_analysis.ipynb", True), ("notebooks/.ipynb_checkpoints/00_welcome.ipynb", False),
    ("my_notes.ipynb", False), ("notebooks/00_welcome.txt", False), ("", False),
])
def test_which_notebooks_are_the_courses(path: str, course: bool) -> None:
    assert is_course_notebook(path) is course


def test_strip_keeps_sources_and_markdown() -> None:
    notebook = _with_outputs(REPO / "notebooks" / CHAPTERS[0])
    sources = [c["source"] for c in notebook["cells"]]
    strip_notebook(notebook)
    assert [c["source"] for c in notebook["cells"]] == sources
    assert all(c.get("outputs", []) == [] for c in notebook["cells"])
