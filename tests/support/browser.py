"""Helpers the browser tests import (``tests/browser/``; their fixtures are in ``tests/browser/conftest.py``).

- the cohort server's own pages (projector, room's screen, console, phone page): :class:`Server` is one
  ``peerkit serve`` with a trainer (``serve_pages``; the folder's ``server`` fixture starts one per test module),
  :func:`make_room` a cohort whose learners answered, :func:`open_projector` signs a page in as a trainer does,
  :func:`phone_page` and :func:`join_on_phone` are a learner's phone;
- axe-core on a page: :func:`axe_violations`, :func:`serious_violations` and :func:`describe_violations`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import RunningServer, add_trainer, launch, pseudonym, sign_in_code

#: axe-core impacts that fail a test.
FAILING_IMPACTS = frozenset({"serious", "critical"})
#: A phone's window (an iPhone 12-14's CSS pixels).
PHONE = {"width": 390, "height": 844}
#: Script and event-handler payloads for learner text: none may ever run on a page.
PAYLOADS = [
    "<script>window.__pwned = 'script'; alert('script')</script>",
    "<img src=x onerror=\"window.__pwned='img'; alert('img')\">",
    "\"><svg onload=\"window.__pwned='svg'; alert('svg')\">",
    "</blockquote><iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
    "<a href=\"javascript:window.__pwned='href'\" id=pwnlink>click</a>{{ 7*7 }}",
]
BOUNDARY_VALUES = ["never", "maybe", "always"]


@dataclass
class Learner:
    server: "Server"
    token: str
    seq: int = 0

    def answer(self, *answers: tuple[str, str, Any]) -> dict[str, Any]:
        """Send ``(exercise, item, value)`` answers as the learner's notebook does; every one must be accepted."""
        batch = []
        for exercise, item, value in answers:
            self.seq += 1
            batch.append({"seq": self.seq, "exercise": exercise, "item": item, "value": value})
        with self.server.api(self.token) as client:
            reply = client.post("/api/v1/me/answers", json={"answers": batch})
        assert reply.status_code == 200, reply.text
        assert not reply.json()["refused"], reply.json()
        return reply.json()


@dataclass
class Server:
    """``peerkit serve`` (SQLite, one worker) for the pages' tests, and a trainer's token."""

    running: RunningServer
    trainer_token: str

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def log(self) -> Path:
        return self.running.log

    def api(self, token: str | None = None) -> httpx.Client:
        return self.running.client(token, timeout=20)

    def cohort(self, name: str) -> dict[str, Any]:
        """A new cohort of the trainer's: ``{"id", "name", "join_code", ...}``."""
        with self.api(self.trainer_token) as client:
            reply = client.post("/api/v1/cohorts", json={"name": name})
        assert reply.status_code == 201, reply.text
        return reply.json()

    def learner(self, code: str) -> Learner:
        """A new learner who joined with ``code`` (over the API, as a notebook does)."""
        with self.api() as client:
            reply = client.post("/api/v1/join", json={"code": code, "pseudonym": pseudonym()})
        assert reply.status_code == 201, reply.text
        return Learner(self, reply.json()["token"])

    def sign_in_code(self) -> str:
        """A single-use sign-in code of the trainer, as the ``peerkit`` command or the console makes one."""
        return sign_in_code(self.running, self.trainer_token)


def serve_pages(folder: Path, env: dict[str, str] | None = None) -> Server:
    """Start ``peerkit serve`` on a new store in ``folder`` (with ``env`` added to its environment) and add a
    trainer; ``server.running.stop()`` stops it."""
    running = launch(f"sqlite:///{folder / 'cohorts.sqlite'}", folder,
                     env={"PEERKIT_HOME": str(folder / "home"), **(env or {})})
    try:
        return Server(running, add_trainer(running, "Pages Trainer"))
    except BaseException:
        running.stop()
        raise


@dataclass
class Room:
    cohort: dict[str, Any]
    learners: list[Learner]


def make_room(server: Server, name: str, texts: list[str] | None = None, size: int = 6) -> Room:
    """A cohort of ``size`` learners who answered the boundaries, the core skills and shared a reflection each
    (``texts`` in turn, or a sentence of their own)."""
    cohort = server.cohort(name)
    learners = [server.learner(cohort["join_code"]) for _ in range(size)]
    for number, learner in enumerate(learners):
        answers = [("boundaries", f"B{i:02d}", BOUNDARY_VALUES[(number + i) % 3]) for i in range(1, 10)]
        answers += [("core_skills", f"C{i:02d}", 1 + (number + i) % 5) for i in range(1, 12)]
        text = texts[number % len(texts)] if texts else f"Learner {number} thinks listening matters."
        answers.append(("welcome_reflection", "R1", {"text": text, "share": True}))
        learner.answer(*answers)
    return Room(cohort, learners)


def approve_all_texts(server: Server, cohort_id: str) -> None:
    """The trainer approves every shared text of the cohort (the room sees only approved ones)."""
    with server.api(server.trainer_token) as client:
        for text in client.get(f"/api/v1/cohorts/{cohort_id}/texts").json()["texts"]:
            if text["status"] != "approved":
                assert client.post(f"/api/v1/cohorts/{cohort_id}/texts/{text['id']}/approve").status_code == 200


def open_projector(page: Any, server: Server, cohort_id: str) -> None:
    """Sign ``page`` in as the trainer does (a single-use code in the link's fragment) and open the cohort's
    room's screen, live."""
    page.goto(f"{server.url}/sign-in#code={server.sign_in_code()}")
    page.wait_for_url(f"{server.url}/projector")
    assert "code=" not in page.url and "token=" not in page.url, page.url
    page.goto(f"{server.url}/projector/{cohort_id}")
    page.get_by_text("Live updates: on").wait_for()


@contextmanager
def phone_page(browser: Any, **options: Any) -> Iterator[Any]:
    """A page in a phone's window (touch, mobile), in a browser context of its own, closed afterwards."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options)
    try:
        yield context.new_page()
    finally:
        context.close()


def join_on_phone(phone: Any, server: Server, code: str) -> None:
    """Join with ``code`` (typed as given) on the phone page, as a learner does, until the page says so."""
    phone.goto(server.url + "/")
    phone.get_by_role("textbox", name=re.compile("Join code")).fill(code)
    phone.get_by_role("button", name="Join").click()
    phone.get_by_role("heading", name=re.compile("You joined")).wait_for()


AXE_RUN = """async (scopes) => {
    const context = scopes ? {include: scopes.map(s => [s])} : document;
    const result = await axe.run(context, {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                  summary: n.failureSummary, html: n.html.slice(0, 200)}))}));
}"""


def axe_violations(page: Any, axe_source: str, scopes: list[str] | None = None) -> list[dict[str, Any]]:
    """Every axe-core violation on ``page`` (within ``scopes``, CSS selectors, if given); axe is injected once.

    The server's pages forbid inline scripts (CSP): their tests open them with ``bypass_csp=True``.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(AXE_RUN, scopes)


def serious_violations(page: Any, axe_source: str, scopes: list[str] | None = None) -> list[dict[str, Any]]:
    """The violations that fail a test (serious or critical)."""
    return [v for v in axe_violations(page, axe_source, scopes) if v["impact"] in FAILING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]], nodes: int = 5) -> str:
    """One paragraph a violation, for a failing test's message: impact, rule, help, where (a few nodes)."""
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n  "
                     + "\n  ".join(f"{n['target']}: {n['html'][:120]}" for n in v["nodes"][:nodes])
                     for v in violations)


def let_the_page_draw(page: Any) -> None:
    """Return once ``page`` has run the tasks its event handlers queued and drawn two frames since.

    For a check that something did NOT happen after an input: the handlers of a click, a key or a
    dispatched event run as it is dispatched, and what they change is on the page by then. A fixed pause
    would only guess at a busy machine's speed.
    """
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done))))")
