"""Both tiers validate with the reference Frictionless implementation, and peerkit never imports it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from peerkit.research import export_frame

from .conftest import KEY, make_frame

if os.environ.get("CI"):
    import frictionless  # the test extra installs it: in CI a missing validator fails, never skips
else:
    frictionless = pytest.importorskip("frictionless")


@pytest.mark.parametrize("tier", ["aggregate", "microdata"])
def test_frictionless_validate_passes(tmp_path, tier):
    export_frame(make_frame({"cohort-a": 30, "cohort-b": 12}), tmp_path / tier, KEY, tier=tier)
    report = frictionless.validate(str(tmp_path / tier / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json",
                           str(tmp_path / tier / "datapackage.json")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_frictionless_catches_an_edited_cell(tmp_path):
    export_frame(make_frame({"cohort-a": 30}), tmp_path / "p", KEY)
    path = tmp_path / "p/data/core_skills.counts.csv"
    lines = path.read_bytes().split(b"\r\n")
    fields = lines[1].split(b",")
    fields[2] = b"9"  # off the 1-5 scale
    lines[1] = b",".join(fields)
    path.write_bytes(b"\r\n".join(lines))
    report = frictionless.validate(str(tmp_path / "p/datapackage.json"))
    assert not report.valid


def test_import_peerkit_does_not_import_frictionless_or_phonenumbers():
    # (pyarrow is left out: pandas 3 imports it by itself when it is installed)
    code = ("import sys, peerkit, peerkit.research; "
            "print(json.dumps(sorted(m for m in ('frictionless', 'phonenumbers', 'scipy.optimize', 'starlette') "
            "if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_bundled_synthetic_package_opens_with_frictionless_as_the_notebook_shows():
    from peerkit.research import synthetic_package

    for tier in ("microdata", "aggregate"):
        report = frictionless.validate(str(synthetic_package(tier) / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    frame = frictionless.Package(synthetic_package() / "datapackage.json").get_resource(
        "boundaries-responses").to_pandas()
    assert len(frame) == 163 * 27 and set(frame["value"]) == {"never", "maybe", "always"}
