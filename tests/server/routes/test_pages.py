"""The phone page's words and the knowledge-check feedback route (peerkit/server/routes/pages.py), on a real server."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from peerkit.exercises import load_exercise
from peerkit.kinds import knowledge_check
from tests.support.server import RunningServer


@pytest.fixture
def running(sqlite_db: str, start_server: Callable[..., RunningServer]) -> RunningServer:
    return start_server(sqlite_db)


def test_the_phone_page_says_what_is_true_of_a_phone(running: RunningServer) -> None:
    with running.client() as client:
        page = client.get("/").text
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for untrue in ("Nothing is marked or sent anywhere", "stay on this computer", "Your pseudonym"):
        assert untrue not in words
    assert 'id="pseudonym"' not in page
    assert "never your name" in words and "at least 5 people" in words  # the server's min_group_size
    # content note and help line right before the boundary matrix and the personal check-in
    for exercise in ("boundaries", "recovery_dimensions"):
        before = page[:page.index(f'data-exercise="{exercise}"')]
        note = before[before.rindex('<aside class="content-note"'):]
        assert "</form>" not in note and "findahelpline.com" in note and "emergency number" in note
    # leaving comes after every exercise, and asks first
    assert page.index('id="leave-section"') > page.rindex('class="exercise-form"')
    assert page.index('id="leave-start"') < page.index('id="leave-confirm"')
    assert re.search(r'id="leave-confirm" class="confirm" hidden', page)


def _question(exercise_id: str = "boundaries_check") -> tuple[str, str, str]:
    question = load_exercise(exercise_id).items[0]
    right = question.details["correct"][0]
    wrong = next(o["value"] for o in question.details["options"] if o["value"] not in question.details["correct"])
    return question.id, right, wrong


def test_feedback_is_the_kinds_own_words(running: RunningServer) -> None:
    item, right, wrong = _question()
    exercise = load_exercise("boundaries_check")
    with running.client() as client:
        good = client.get(f"/feedback/boundaries_check/{item}", params={"chosen": right}).json()
        bad = client.get(f"/feedback/boundaries_check/{item}", params={"chosen": wrong}).json()
        none = client.get(f"/feedback/boundaries_check/{item}").json()
    assert good["correct"] is True and bad["correct"] is False and none["correct"] is None
    label = next(o["label"] for o in exercise.item(item).details["options"] if o["value"] == right)
    assert label.rstrip(".") in bad["text"], "a wrong try names the answer that fits best"
    if hasattr(knowledge_check, "feedback"):
        assert bad == knowledge_check.feedback(exercise, item, [wrong])
    else:
        assert exercise.item(item).details["explanation"] in bad["text"]


def test_feedback_of_several_options_at_once(running: RunningServer) -> None:
    exercise = load_exercise("peer_support_check")
    question = next(q for q in exercise.items if q.details.get("multiple"))
    chosen = list(question.details["correct"])
    with running.client() as client:
        reply = client.get(f"/feedback/peer_support_check/{question.id}", params=[("chosen", v) for v in chosen])
    assert reply.status_code == 200 and reply.json()["correct"] is True


@pytest.mark.parametrize("path", ["/feedback/no_such_check/Q1", "/feedback/boundaries_check/Q99",
                                  "/feedback/boundaries/B01", "/feedback/..%2F..%2Fetc/Q1"])
def test_feedback_only_for_a_real_question(running: RunningServer, path: str) -> None:
    with running.client() as client:
        assert client.get(path, params={"chosen": "a"}).status_code == 404


def test_feedback_refuses_a_flood_of_options(running: RunningServer) -> None:
    with running.client() as client:
        reply = client.get("/feedback/boundaries_check/Q1", params=[("chosen", "a")] * 50)
    assert reply.status_code == 422
