"""``peerkit export <server>`` against the REAL cohort server: the same answers give the same package as hand-in files.

The server is ``peerkit serve`` on loopback (started as ``tests/support/server.py``
does, with its helpers). Seven learners join over HTTP and answer a choice matrix, a
rating, a knowledge check, reflections (with CR LF and lone CR line breaks) and
shared SMART goals. The same answers, written as hand-in files, are exported from
the folder; both packages (both tiers) must be byte for byte the same, apart from
the ``sources`` line, and must pass ``frictionless validate``.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from peerkit.research import ExportError
from peerkit.research.export import export_cohort_server
from peerkit.research.server_source import fetch_cohort_responses

from .conftest import KEY, package_files

import tests.support.server as server_fixtures  # noqa: E402 - the real cohort server's helpers

ROOT = Path(__file__).resolve().parents[2]

LEARNERS = 9
AGREED = 7  # learners 0-6 agreed to research use; 7 and 8 did not
CHOICES = ["never", "maybe", "always"]


def answers_of(n: int) -> list[dict[str, Any]]:
    """What learner ``n`` shares, in the form it is shared in (as the client sends it and files hold it)."""
    answers = [{"exercise": "boundaries", "item": item, "value": CHOICES[(n + i) % 3]}
               for i, item in enumerate(["B01", "B02", "B16"])]
    answers += [{"exercise": "core_skills", "item": item, "value": 1 + (n + i) % 5}
                for i, item in enumerate(["C01", "C02"])]
    answers.append({"exercise": "peer_support_check", "item": "Q3", "value": ["b", "c"] if n % 2 else ["a"]})
    marker = "NOT-AGREED" if n >= AGREED else "Week"
    answers.append({"exercise": "welcome_reflection", "item": "R1",
                    "value": {"text": f"{marker} {n}:\r\nI listen first.\rThen I ask."}})
    if n % 2:
        answers.append({"exercise": "smart_goal", "item": f"G-{n:08x}",
                        "value": {"text": f"I will call a friend {n} times a week",
                                  "criteria": ["SPECIFIC", "TIME_LIMITED"]}})
    return answers


@pytest.fixture(scope="module")
def cohort_on_server(tmp_path_factory):
    """A real server with one cohort of nine learners who answered over HTTP (seven agreed to research use,
    one reflection hidden by the trainer), and the same answers as hand-in files."""
    root = tmp_path_factory.mktemp("server-export")
    folder = root / "server"
    server = server_fixtures.launch(f"sqlite:///{folder / 'cohorts.sqlite'}", folder)
    try:
        token = server_fixtures.add_trainer(server, "Researcher")
        cohort = server_fixtures.make_cohort(server, token, "Export group")
        hand_ins = root / "hand-ins"
        hand_ins.mkdir()
        for n in range(LEARNERS):
            pseudonym = server_fixtures.pseudonym()
            learner = server_fixtures.join(server, cohort["join_code"], pseudonym)
            answers = answers_of(n)
            with server.client(learner) as me:
                reply = me.post("/api/v1/me/answers", json={"answers": [
                    {"seq": seq, **answer} for seq, answer in enumerate(answers, start=1)]})
                assert reply.status_code == 200 and reply.json()["refused"] == [], reply.text
                if n < AGREED:
                    agreed = me.put("/api/v1/me/research-consent", json={"agreed": True})
                    assert agreed.status_code == 200 and agreed.json() == {"research_consent": True}
            stamp = datetime.now(timezone.utc).isoformat(timespec="microseconds")
            document = {"format": "peerkit-submission", "format_version": 1, "cohort": cohort["id"],
                        "pseudonym": pseudonym, "created_at": stamp, "research_consent": n < AGREED,
                        "responses": [{**answer, "answered_at": stamp} for answer in answers]}
            (hand_ins / f"learner-{n}.json").write_text(json.dumps(document), encoding="utf-8")
        with server.client(token) as trainer:  # the trainer hides one agreed learner's reflection
            texts = trainer.get(f"/api/v1/cohorts/{cohort['id']}/reflections").json()["reflections"]
            hidden = next(t for t in texts if str(t["text"]).startswith("Week 3"))
            assert trainer.post(f"/api/v1/cohorts/{cohort['id']}/reflections/{hidden['id']}/hide").status_code == 200
        (root / "trainer.token").write_text(token + "\n", encoding="utf-8")
        (root / "research.key").write_bytes(KEY)
        yield {"server": server, "cohort": cohort, "token": token, "root": root, "hand_ins": hand_ins,
               "database": folder / "cohorts.sqlite"}
    finally:
        server.stop()


def peerkit_export(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "peerkit.cli", "export", *args], capture_output=True, text=True,
                          timeout=180, cwd=ROOT)


def validate(folder: Path) -> None:
    frictionless = shutil.which("frictionless", path=str(Path(sys.executable).parent)) or shutil.which("frictionless")
    assert frictionless, "frictionless (the test extra) is not installed"
    checked = subprocess.run([frictionless, "validate", str(folder / "datapackage.json")],
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("tier", ["aggregate", "microdata"])
def test_server_export_equals_the_hand_in_files_export(cohort_on_server, tier):
    setup, root = cohort_on_server, cohort_on_server["root"]
    key_file = str(root / "research.key")
    from_files, from_server = root / f"files-{tier}", root / f"server-{tier}"
    done = peerkit_export(str(setup["hand_ins"]), "--out", str(from_files), "--key-file", key_file, "--tier", tier)
    assert done.returncode == 0, done.stderr
    done = peerkit_export(setup["server"].url, "--cohort", setup["cohort"]["id"], "--token-file",
                          str(root / "trainer.token"), "--key-file", key_file, "--tier", tier,
                          "--out", str(from_server))
    assert done.returncode == 0, done.stderr
    server_package, files_package = package_files(from_server), package_files(from_files)
    assert server_package == files_package
    assert "server" in json.loads((from_server / "datapackage.json").read_text())["sources"][0]["title"]
    validate(from_server)


@pytest.mark.parametrize("tier", ["aggregate", "microdata"])
def test_export_from_the_servers_database_file_equals_the_live_server(cohort_on_server, tier):
    setup, root = cohort_on_server, cohort_on_server["root"]
    key_file = str(root / "research.key")
    texts = ["--include-texts"] if tier == "microdata" else []
    live, stored = root / f"live-{tier}", root / f"database-{tier}"
    done = peerkit_export(setup["server"].url, "--cohort", setup["cohort"]["id"], "--token-file",
                          str(root / "trainer.token"), "--key-file", key_file, "--tier", tier, *texts,
                          "--out", str(live))
    assert done.returncode == 0, done.stderr
    done = peerkit_export(str(setup["database"]), "--key-file", key_file, "--tier", tier, *texts,
                          "--out", str(stored))
    assert done.returncode == 0, done.stderr
    assert package_files(stored) == package_files(live)
    assert "database" in json.loads((stored / "datapackage.json").read_text())["sources"][0]["title"]
    validate(stored)
    if tier == "microdata":  # the learners' CR LF and lone CR arrive as LF (rows end in CR LF, as CSV does)
        raw = (stored / "data/welcome_reflection.responses.csv").read_bytes()
        assert raw.count(b":\nI listen first.\nThen I ask.") == AGREED - 1  # one was hidden by the trainer
        assert b"\r" not in raw.replace(b"\r\n", b"")


def test_learners_who_did_not_agree_and_hidden_texts_are_in_no_export(cohort_on_server):
    setup, root = cohort_on_server, cohort_on_server["root"]
    key_file = str(root / "research.key")
    for n, source in enumerate([[str(setup["database"])],
                                [setup["server"].url, "--cohort", setup["cohort"]["id"], "--token-file",
                                 str(root / "trainer.token")]]):
        out = root / f"consent-{n}"
        done = peerkit_export(*source, "--key-file", key_file, "--tier", "microdata", "--include-texts",
                              "--out", str(out))
        assert done.returncode == 0, done.stderr
        everything = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())
        assert "NOT-AGREED" not in everything and "Week 3" not in everything and "Week 2" in everything
        meta = json.loads((out / "datapackage.json").read_text())["peerkit"]
        assert meta["learners"] == AGREED
        assert meta["left_out"]["answers of learners who did not agree to research use"] == \
            sum(len(answers_of(n)) for n in range(AGREED, LEARNERS))
        assert meta["left_out"]["texts the trainer hid"] == 1
    with setup["server"].client(setup["token"]) as trainer:
        rows = trainer.get(f"/api/v1/cohorts/{setup['cohort']['id']}/responses").json()["responses"]
    assert sum(1 for r in rows if r["research_consent"]) == sum(len(answers_of(n)) for n in range(AGREED))
    assert sum(1 for r in rows if r["hidden"]) == 1


def test_a_database_that_is_not_a_servers_store_is_refused(tmp_path):
    (tmp_path / "key").write_bytes(KEY)
    (tmp_path / "empty.sqlite").write_bytes(b"")
    done = peerkit_export(str(tmp_path / "empty.sqlite"), "--key-file", str(tmp_path / "key"), "--out",
                          str(tmp_path / "out"))
    assert done.returncode == 1 and "peerkit" in done.stderr and not (tmp_path / "out").exists()
    done = peerkit_export(f"sqlite:///{tmp_path / 'missing.sqlite'}", "--key-file", str(tmp_path / "key"),
                          "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and not (tmp_path / "missing.sqlite").exists()


def test_pages_of_the_responses_give_every_answer_once(cohort_on_server):
    setup = cohort_on_server
    whole = fetch_cohort_responses(setup["server"].url, setup["cohort"]["id"], setup["token"])
    paged = fetch_cohort_responses(setup["server"].url, setup["cohort"]["id"], setup["token"], page_size=4)
    expected = sum(len(answers_of(n)) for n in range(LEARNERS))  # the rows carry consent; the export filters
    assert len(whole) == expected and whole["learner"].nunique() == LEARNERS
    assert paged.to_dict("records") == whole.to_dict("records")
    assert not whole.duplicated(["learner", "exercise", "item"]).any()


def test_server_refusals_are_told_in_plain_words(cohort_on_server, tmp_path):
    setup = cohort_on_server
    with pytest.raises(ExportError, match=r"refused \(401\)"):
        export_cohort_server(setup["server"].url, [setup["cohort"]["id"]], tmp_path / "x", "pkt_" + "w" * 43, KEY)
    with pytest.raises(ExportError, match=r"refused \(404\)"):
        export_cohort_server(setup["server"].url, ["cohort-zzzzzzzz"], tmp_path / "x", setup["token"], KEY)
    with pytest.raises(ExportError, match="Cannot reach"):
        export_cohort_server(f"http://127.0.0.1:{server_fixtures.free_port()}", [setup["cohort"]["id"]],
                             tmp_path / "x", setup["token"], KEY)
    assert not (tmp_path / "x").exists()
