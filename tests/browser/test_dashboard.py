"""The trainer notebook in a real browser: sign in to the REAL cohort server, see the cohort and its counts.

The test process starts ``peerkit serve`` on loopback (server-core's fixtures), makes a trainer
and a cohort, and stands in for the learners' kernels over HTTP. The trainer pastes the sign-in
link into the notebook's panel (``pk.live_session()``); the panel shows the join code, the
projector page's link, and the counts after "Refresh counts". No database address anywhere.
"""
from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest

import tests.support.server as server_fixtures

pytestmark = pytest.mark.browser

NOTEBOOK = "trainer/live_session.ipynb"
ROOT = Path(__file__).resolve().parents[2]


def _server_fixtures():
    return server_fixtures


def test_trainer_signs_in_and_sees_the_cohort_and_its_counts(lab, tmp_path: Path) -> None:
    from peerkit.exercises import load_exercise

    fixtures = _server_fixtures()
    server = fixtures.launch(f"sqlite:///{tmp_path / 'cohorts.sqlite'}", tmp_path / "server")
    try:
        trainer = fixtures.add_trainer(server)
        cohort = fixtures.make_cohort(server, trainer, f"Browser test group {secrets.token_hex(3)}")

        lab.open(NOTEBOOK)
        lab.run_all()
        assert not lab.cell_failures(), "\n".join(lab.cell_failures())
        panel = lab.notebook.locator(".peerkit-live-session")
        assert panel.count() == 1, f"{NOTEBOOK}: expected one live-session panel, found {panel.count()}"
        panel.get_by_label("Server address").fill(server.url)
        panel.get_by_label("Sign-in link or trainer token").fill(f"{server.url}/sign-in?token={trainer}")
        panel.get_by_role("button", name="Sign in").click()
        lab.wait_until(lambda: cohort["join_code"] in panel.inner_text(), timeout=15,
                       message=f"the panel does not show the cohort's join code: {panel.inner_text()[:500]!r}")
        link = panel.get_by_role("link", name="Open the projector page")
        assert link.get_attribute("href") == f"{server.url}/projector/{cohort['id']}"
        assert trainer not in lab.notebook.inner_html()  # the token is never left in the page

        # six learners answer from "other kernels" (this process, over HTTP)
        for number in range(6):
            with httpx.Client(base_url=server.url, timeout=30) as client:
                token = client.post("/api/v1/join", json={"code": cohort["join_code"],
                                                          "pseudonym": fixtures.pseudonym()}).json()["token"]
                reply = client.post("/api/v1/me/answers", headers={"Authorization": f"Bearer {token}"},
                                    json={"answers": [{"seq": 1, "exercise": "boundaries", "item": "B01",
                                                       "value": ["never", "maybe", "always"][number % 3]}]})
                assert reply.status_code == 200, reply.text
        panel.get_by_role("button", name="Refresh counts").click()
        title = load_exercise("boundaries").title
        lab.wait_until(lambda: "6 people joined" in panel.inner_text() and title in panel.inner_text(),
                       timeout=15, message=f"the counts were not shown: {panel.inner_text()[:600]!r}")
        errors = lab.real_console_errors()
        assert not errors, "the browser console reported errors:\n" + "\n".join(errors)
    finally:
        server.stop()
