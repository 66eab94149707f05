"""A package from hand-in files (the same package from a server's database file comes with the research work).

The cohort server as a source is tested against the REAL server (``peerkit serve``
on loopback) in ``test_server_export.py``; it replaced a Starlette stand-in here.
"""
from __future__ import annotations

import json

import pytest

from peerkit.research import export_submissions, load

from .conftest import KEY

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
    root = tmp_path_factory.mktemp("sources")
    folder = root / "hand-ins"
    folder.mkdir()
    cohorts = []
    for number, size in enumerate(SIZES):
        cohort_id = f"cohort-abcdefg{'hj'[number]}"
        cohorts.append(cohort_id)
        for n in range(size):
            pseudonym = f"p-{number:02d}{n:018x}"
            answers = learner_answers(n + 10 * number)
            document = {"format": "peerkit-submission", "format_version": 1, "cohort": cohort_id,
                        "pseudonym": pseudonym, "created_at": "2025-05-03T12:00:00+00:00", "research_consent": True,
                        "responses": answers}
            (folder / f"{cohort_id}-{n}.json").write_text(json.dumps(document), encoding="utf-8")
    return {"root": root, "folder": folder, "cohorts": cohorts}


@pytest.mark.parametrize("tier", ["aggregate", "microdata"])
def test_a_package_from_hand_in_files(sources, tmp_path, tier):
    # the same package from a server's database file is the research helper's test (issue 17)
    options = {"tier": tier, "exported_on": "2025-05-31", "min_cell": 5, "include_texts": tier == "microdata"}
    export_submissions(sources["folder"], tmp_path / "files", KEY, **options)
    title = json.loads((tmp_path / "files" / "datapackage.json").read_text())["sources"][0]["title"]
    assert "hand-in" in title
    loaded = load(tmp_path / "files")
    assert loaded.ok, loaded.problems
    if tier == "microdata":
        assert len(loaded.frame) == sum(len(learner_answers(n + 10 * c)) for c, s in enumerate(SIZES)
                                        for n in range(s))
        raw = (tmp_path / "files/data/boundaries_reflection.responses.csv").read_bytes()
        assert b"07700" not in raw and b"[phone]" in raw and b"2025-05-01" in raw
        assert b'2025-05-01:\nring me on [phone]"' in raw  # the learner's CR LF is one LF, inside quotes
