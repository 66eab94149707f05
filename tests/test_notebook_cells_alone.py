"""A restart can never lead to a ``NameError``: every code cell of every chapter runs on its own.

After a kernel restart the banner asks the learner to run the exercise again, and a
learner re-runs the one cell in front of them, not the chapter from the top. So each
code cell imports what it uses (``import peerkit as pk``) and is run here alone, in a
kernel that has run nothing else (restarted before each cell).
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _run(client, code: str, timeout: float = 120) -> list[dict]:
    """Run ``code``; every error output (an exception or text on stderr) it gives."""
    msg_id = client.execute(code, store_history=False)
    errors = []
    while True:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "error":
            errors.append(f"{content['ename']}: {content['evalue']}")
        elif kind == "stream" and content["name"] == "stderr" and "Error" in content["text"]:
            errors.append(content["text"])
        elif kind == "status" and content["execution_state"] == "idle":
            return errors


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_code_cell_runs_alone_in_a_fresh_kernel(path: Path) -> None:
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code" and c.source.strip()]
    assert cells
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    try:
        failures = []
        for number, source in enumerate(cells, start=1):
            if number > 1:
                manager.restart_kernel(now=True)
                client.wait_for_ready(timeout=60)
            errors = _run(client, source)
            if errors:
                failures.append(f"code cell {number} ({source!r}) alone in a fresh kernel: {errors}")
        assert not failures, "\n".join(failures)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
