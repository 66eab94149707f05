"""The server takes its per-kind facts from the kinds registry, and learner text enters with LF line breaks only.

- :func:`peerkit.server.checking.check_shared` applies each kind's rule for the shared
  form (a shared SMART goal is ``{"text", "criteria"}``; the server refused it before);
- no module, template or script of ``peerkit/server`` names an exercise kind: what it
  needs comes from kind attributes (``open_text``, ``chart_style``, ``options_per_item``);
- CR LF and lone CR become LF in the server's check, in hand-in files, and on the
  trainer's and projector's surfaces of the real server.
"""
from __future__ import annotations

import io
import json
import re
import tokenize
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.support.server import RunningServer, join, pseudonym

from peerkit.cohort.handin import parse_submission
from peerkit.kinds import kind_names
from peerkit.server.checking import AnswerRefused, check_shared

SERVER = Path(__file__).resolve().parents[2] / "peerkit" / "server"
GOAL = {"text": "I will call a friend twice a week", "criteria": ["SPECIFIC", "TIME_LIMITED"]}
PRIVATE_GOAL = {"action": "call a friend twice a week", "why": "I feel less alone", "resources": "my phone",
                "realistic": True, "start": "2026-01-05", "end": "2026-03-01",
                "created": "2026-01-04T10:00:00+00:00"}


def test_a_shared_goal_is_taken_in_its_shared_form() -> None:
    assert json.loads(check_shared("smart_goal", "G-0123abcd", GOAL)) == GOAL


def test_a_goal_reaches_the_group_only_as_its_shared_form() -> None:
    with pytest.raises(AnswerRefused):
        check_shared("smart_goal", "G-0123abcd", PRIVATE_GOAL)  # private fields, no "share" tick
    shared = json.loads(check_shared("smart_goal", "G-0123abcd", {**PRIVATE_GOAL, "share": True}))
    assert set(shared) == {"text", "criteria"} and "friend" in shared["text"]
    assert check_shared("smart_goal", "G-0123abcd", {**PRIVATE_GOAL, "share": False}) is None  # a withdrawal
    with pytest.raises(AnswerRefused):
        check_shared("smart_goal", "G-0123abcd", {**GOAL, "action": "leaked private field"})


@pytest.mark.parametrize("sent", [{"text": "one\r\ntwo\rthree"}, {"text": "one\r\ntwo\rthree", "share": True}])
def test_line_breaks_become_lf_in_the_servers_check(sent) -> None:
    assert json.loads(check_shared("welcome_reflection", "R1", sent)) == {"text": "one\ntwo\nthree"}
    goal = json.loads(check_shared("smart_goal", "G-0123abcd", {**GOAL, "text": "call\r\na friend"}))
    assert goal["text"] == "call\na friend"


def test_line_breaks_become_lf_in_hand_in_files() -> None:
    stamp = datetime.now(timezone.utc).isoformat()
    document = {"format": "peerkit-submission", "format_version": 1, "cohort": "cohort-abcdefgh",
                "pseudonym": pseudonym(), "created_at": stamp, "responses": [
                    {"exercise": "welcome_reflection", "item": "R1", "value": {"text": "a\r\nb\rc"},
                     "answered_at": stamp},
                    {"exercise": "smart_goal", "item": "G-0123abcd", "value": {**GOAL, "text": "x\ry"},
                     "answered_at": stamp}]}
    values = [r["value"] for r in parse_submission(json.dumps(document).encode()).responses]
    assert values == [{"text": "a\nb\nc"}, {**GOAL, "text": "x\ny"}]


def _kind_names_in(path: Path) -> list[str]:
    names = set(kind_names())
    if path.suffix == ".py":
        found = []
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if token.type == tokenize.STRING:
                try:
                    literal = eval(token.string, {})  # noqa: S307 - a string literal from our own source
                except Exception:  # an f-string part or the like
                    continue
                if literal in names:
                    found.append(f"{path.name}:{token.start[0]} {literal!r}")
        return found
    text = path.read_text(encoding="utf-8")
    return [f"{path.name} {m.group(0)}" for m in re.finditer(r"""["'](%s)["']""" % "|".join(names), text)]


def test_no_per_kind_table_in_the_server() -> None:
    files = [p for p in SERVER.rglob("*") if p.suffix in {".py", ".html", ".js"}]
    assert len(files) > 20
    found = [hit for path in sorted(files) for hit in _kind_names_in(path)]
    assert found == [], "the server names exercise kinds; ask peerkit.kinds for the fact instead: " + ", ".join(found)


def test_texts_reach_the_trainer_and_the_projector_with_lf(server: RunningServer, cohort: dict,
                                                             trainer_token: str) -> None:
    tokens = [join(server, cohort["join_code"]) for _ in range(5)]
    for n, token in enumerate(tokens):
        with server.client(token) as me:
            reply = me.post("/api/v1/me/answers", json={"answers": [
                {"seq": 1, "exercise": "welcome_reflection", "item": "R1",
                 "value": {"text": f"Person {n}:\r\nI listen.\rI ask."}},
                {"seq": 2, "exercise": "smart_goal", "item": f"G-{n:08x}", "value": GOAL}]})
        assert reply.status_code == 200 and reply.json()["refused"] == [], reply.text
    with server.client(trainer_token) as trainer:
        texts = trainer.get(f"/api/v1/cohorts/{cohort['id']}/reflections").json()["reflections"]
        aggregates = trainer.get(f"/api/v1/cohorts/{cohort['id']}/aggregates").json()
        # the room sees a shared text only once the trainer approved it, on the texts screen (issue 18)
        for text in texts:
            assert trainer.post(f"/api/v1/cohorts/{cohort['id']}/reflections/{text['id']}/show").status_code == 200
        assert trainer.put(f"/api/v1/cohorts/{cohort['id']}/session/screen", json={"screen": "texts"}).status_code == 200
        page = trainer.get(f"/projector/{cohort['id']}/live")
    reflections = sorted(t["text"] for t in texts if t["exercise"] == "welcome_reflection")
    assert reflections == [f"Person {n}:\nI listen.\nI ask." for n in range(5)]
    assert sum(t["exercise"] == "smart_goal" for t in texts) == 5
    assert aggregates["exercises"]["smart_goal"]["respondents"] == 5
    assert all("counts" not in entry for entry in aggregates["exercises"]["welcome_reflection"]["items"].values())
    assert page.status_code == 200, page.text
    # the room's screen shows each approved text on one line (its line breaks read as spaces), never a CR
    assert "Person 0: I listen. I ask." in page.text and "\r" not in page.text
