"""The same answers give the same package from each source: hand-in files and a cohort store.

The cohort server as a source is tested against the REAL server (``peerkit serve``
on loopback) in ``test_server_export.py``; it replaced a Starlette stand-in here.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerkit.research import export_cohort_store, export_submissions, load

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
    from peerkit.cohort.store import CohortStore

    root = tmp_path_factory.mktemp("sources")
    url = f"sqlite:///{root / 'cohort.sqlite'}"
    store = CohortStore(url)
    folder = root / "hand-ins"
    folder.mkdir()
    cohorts = []
    for number, size in enumerate(SIZES):
        cohort_id, _ = store.create_cohort(f"group {number}")
        cohorts.append(cohort_id)
        for n in range(size):
            pseudonym = f"p-{number:02d}{n:018x}"
            answers = learner_answers(n + 10 * number)
            store.store_submission(cohort_id, pseudonym, "2025-05-03T12:00:00+00:00", answers)
            document = {"format": "peerkit-submission", "format_version": 1, "cohort": cohort_id,
                        "pseudonym": pseudonym, "created_at": "2025-05-03T12:00:00+00:00", "responses": answers}
            (folder / f"{cohort_id}-{n}.json").write_text(json.dumps(document), encoding="utf-8")
    store.close()
    return {"root": root, "url": url, "folder": folder, "cohorts": cohorts}


def package_files(folder: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    descriptor = json.loads(files.pop("datapackage.json"))
    descriptor.pop("sources")
    files["datapackage.json (without sources)"] = json.dumps(descriptor, sort_keys=True).encode()
    return files


@pytest.mark.parametrize("tier", ["aggregate", "microdata"])
def test_the_same_package_from_each_source(sources, tmp_path, tier):
    options = {"tier": tier, "exported_on": "2025-05-31", "min_cell": 5}
    export_submissions(sources["folder"], tmp_path / "files", KEY, **options)
    export_cohort_store(sources["url"], None, tmp_path / "store", KEY, **options)
    packages = {name: package_files(tmp_path / name) for name in ("files", "store")}
    assert packages["files"] == packages["store"]
    titles = {name: json.loads((tmp_path / name / "datapackage.json").read_text())["sources"][0]["title"]
              for name in packages}
    assert "hand-in" in titles["files"] and "store" in titles["store"]
    loaded = load(tmp_path / "store")
    assert loaded.ok, loaded.problems
    if tier == "microdata":
        assert len(loaded.frame) == sum(len(learner_answers(n + 10 * c)) for c, s in enumerate(SIZES)
                                        for n in range(s))
        raw = (tmp_path / "store/data/boundaries_reflection.responses.csv").read_bytes()
        assert b"07700" not in raw and b"[phone]" in raw and b"2025-05-01" in raw
        assert b'2025-05-01:\nring me on [phone]"' in raw  # the learner's CR LF is one LF, inside quotes
