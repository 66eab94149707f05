"""``pk.live_panel()`` in a real JupyterLab page: a learner's notebook shows the trainer's quick poll, answers
it with a click (the kernel stays free), and shows the banner with a link when the trainer moves the session.

The cohort server is the real ``peerkit serve`` (server-core's fixtures); the test writes a
two-cell notebook into the Lab's temporary copy of the notebooks (never into notebooks/).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import tests.support.server as server_fixtures

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _server_fixtures():
    return server_fixtures


def _notebook(path: Path, url: str, token: str) -> None:
    cells = [f"from peerkit.client.http import ServerClient\nfrom peerkit.widgets.live_panel import LivePanel\n"
             f"panel = LivePanel(client=ServerClient({url!r}, {token!r}), interval=1.0)\npanel",
             "print('the kernel is free')"]
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
                  for source in cells],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


def test_a_notebook_answers_the_trainers_poll_and_follows_the_trainer(lab, tmp_path: Path) -> None:
    fixtures = _server_fixtures()
    server = fixtures.launch(f"sqlite:///{tmp_path / 'cohorts.sqlite'}", tmp_path / "server")
    try:
        trainer = fixtures.add_trainer(server)
        cohort = fixtures.make_cohort(server, trainer, "Notebook poll group")
        token = fixtures.join(server, cohort["join_code"])
        with server.client(trainer) as client:
            client.post(f"/api/v1/cohorts/{cohort['id']}/polls", json={
                "kind": "single", "question": "Ready for the role-play?", "options": ["Yes", "Not yet"]})
        _notebook(lab.server.root / "live_panel_check.ipynb", server.url, token)
        lab.open("live_panel_check.ipynb")
        lab.run_all()
        assert not lab.cell_failures(), "\n".join(lab.cell_failures())
        panel = lab.notebook.locator(".peerkit-live-panel")
        panel.get_by_text("Poll: Ready for the role-play?").wait_for(timeout=15_000)
        assert "the kernel is free" in lab.notebook.inner_text()  # the panel's cell did not wait on the server
        panel.get_by_role("radio", name="Not yet").click()
        panel.get_by_role("button", name="Send my answer").click()
        panel.get_by_text("Your answer is in; you can change it.").wait_for(timeout=15_000)
        with server.client(trainer) as client:
            lab.wait_until(lambda: client.get(f"/api/v1/cohorts/{cohort['id']}/polls").json()["polls"][0]["answers"] == 1,
                           timeout=10, message="the notebook's answer did not reach the server")
            client.put(f"/api/v1/cohorts/{cohort['id']}/session/place",
                       json={"chapter": "02_boundaries", "exercise": "boundaries"})
        link = panel.get_by_role("link", name="Open 02_boundaries.ipynb")
        link.wait_for(timeout=15_000)
        assert link.get_attribute("href").endswith("02_boundaries.ipynb")
        assert "Where are your limits?" in panel.inner_text()
        with server.client(token) as client:
            assert client.get("/api/v1/me/session").json()["poll"]["your_answer"] == "Not yet"
        errors = lab.real_console_errors()
        assert not errors, "the browser console reported errors:\n" + "\n".join(errors)
    finally:
        server.stop()
