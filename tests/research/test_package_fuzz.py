"""Fuzzing the package loader: whatever the bytes, ``load`` loads the package whole or names a problem.

Cell edits are re-signed in datapackage.json so they reach the cell checks and
are not all stopped by the hash.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerkit.research import export_frame, load

from .conftest import KEY, make_frame

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
CELLS = st.sampled_from(["", "1e30", "-1", "NaN", "inf", "9" * 40, "true", "=1+1", " =1", "\r", "\ufeff", "'",
                         "p-0000000000000000", "2025-13-45", "{}", "[1]", "a|b", "never"]) | st.text(max_size=30)


def tiers() -> dict[str, dict[str, bytes]]:
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for tier in ("aggregate", "microdata"):
            export_frame(make_frame({"cohort-fuzz": 8, "cohort-zzzz": 6}), Path(folder) / tier, KEY, tier=tier)
            out[tier] = {str(p.relative_to(Path(folder) / tier)): p.read_bytes()
                         for p in (Path(folder) / tier).rglob("*") if p.is_file()}
    return out


PACKAGES = tiers()


def load_files(files: dict[str, bytes]):  # noqa: ANN201
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return load(folder)


def check(tier: str, files: dict[str, bytes]) -> None:
    result = load_files(files)
    whole = load_files(PACKAGES[tier])
    if result.problems:
        assert result.frame.empty and result.counts is None, "a bad package must not half-load"
        assert all(p.path and p.message for p in result.problems)
    else:
        assert len(result.frame) == len(whole.frame)


def resign(files: dict[str, bytes], name: str) -> None:
    try:
        descriptor = json.loads(files["datapackage.json"])
        for resource in descriptor["resources"]:
            if resource["path"] == name:
                resource["hash"] = "sha256:" + hashlib.sha256(files[name]).hexdigest()
        files["datapackage.json"] = json.dumps(descriptor).encode()
    except (ValueError, KeyError, TypeError):
        pass


@FUZZ
@given(tier=st.sampled_from(sorted(PACKAGES)), pick=st.integers(0, 100), cut=st.floats(0, 1))
def test_truncated_files(tier, pick, cut):
    files = dict(PACKAGES[tier])
    name = sorted(files)[pick % len(files)]
    files[name] = files[name][: int(len(files[name]) * cut)]
    check(tier, files)


@FUZZ
@given(tier=st.sampled_from(sorted(PACKAGES)), pick=st.integers(0, 100), row=st.integers(1, 10_000),
       column=st.integers(0, 10), cell=CELLS)
def test_re_signed_cell_edits(tier, pick, row, column, cell):
    files = dict(PACKAGES[tier])
    data = sorted(n for n in files if n.endswith(".csv"))
    name = data[pick % len(data)]
    lines = files[name].decode().split("\r\n")
    target = 1 + row % max(1, len(lines) - 2)
    fields = lines[target].split(",")
    fields[column % len(fields)] = cell.replace(",", ";").replace('"', "")
    lines[target] = ",".join(fields)
    files[name] = "\r\n".join(lines).encode()
    resign(files, name)
    check(tier, files)


@FUZZ
@given(tier=st.sampled_from(sorted(PACKAGES)), path=st.lists(st.text(max_size=12), min_size=1, max_size=3),
       value=JSON)
def test_wrong_descriptor_values(tier, path, value):
    files = dict(PACKAGES[tier])
    descriptor = json.loads(files["datapackage.json"])
    keys = ["tier", "min_cell", "time_resolution", "cohorts", "exercises", "rows", "answers", "learners",
            "schema_version", "format"]
    node = descriptor["peerkit"]
    first = keys[len(path[0]) % len(keys)]
    if len(path) == 1:
        node[first] = value
    else:
        node = node.get(first)
        for step in path[1:-1]:
            node = node.get(step, node) if isinstance(node, dict) else node
        if isinstance(node, dict) and node:
            node[sorted(node)[len(path[-1]) % len(node)]] = value
    files["datapackage.json"] = json.dumps(descriptor).encode()
    check(tier, files)


@FUZZ
@given(tier=st.sampled_from(sorted(PACKAGES)), pick=st.integers(0, 100), content=st.binary(max_size=300))
def test_random_bytes(tier, pick, content):
    files = dict(PACKAGES[tier])
    name = sorted(files)[pick % len(files)]
    files[name] = content
    check(tier, files)


@pytest.mark.parametrize("tier", sorted(PACKAGES))
def test_the_fuzz_sources_are_valid(tier):
    result = load_files(PACKAGES[tier])
    assert result.ok, result.problems


HEADER = b"cohort,learner,item,value,value_label,answered_on\r\n"  # of data/boundaries.responses.csv
HOSTILE = [
    b"\x00" * 1000,
    b"\xef\xbb\xbf" + HEADER,
    HEADER + b'"' + b"a" * 200_000,
    HEADER + b"," * 100_000 + b"\r\n",
    HEADER + "\u202eevil,p-0000000000000000,B01,never,Never,2025-01-01\r\n".encode(),
    HEADER + b'=HYPERLINK("http://evil"),p-0000000000000000,B01,never,Never,2025-01-01\r\n',
    b"[" * 100_000,
    b'{"peerkit": {"format": "peerkit-research-package", "schema_version": 1e999}}',
    b'{"peerkit": {"format": "peerkit-research-package", "schema_version": NaN}}',
    b'{"a": 1, "a": 2}',
    b"\xff\xfe\x00c\x00o",
]


@pytest.mark.parametrize("content", HOSTILE)
@pytest.mark.parametrize("name", ["datapackage.json", "data/boundaries.responses.csv"])
def test_hostile_content_is_a_problem_not_a_crash_or_a_hang(name, content):
    files = dict(PACKAGES["microdata"])
    assert files["data/boundaries.responses.csv"].startswith(HEADER)
    files[name] = content
    if name != "datapackage.json":
        resign(files, name)  # so the bytes reach the CSV reader, not only the hash check
    result = load_files(files)
    assert result.problems and result.frame.empty


def test_oversized_files_are_refused():
    files = dict(PACKAGES["microdata"])
    name = "data/boundaries.responses.csv"
    files[name] += files[name].split(b"\r\n", 1)[1] * 50
    resign(files, name)
    with tempfile.TemporaryDirectory() as folder:
        for relative, content in files.items():
            (Path(folder) / relative).parent.mkdir(parents=True, exist_ok=True)
            (Path(folder) / relative).write_bytes(content)
        result = load(folder, max_bytes=len(PACKAGES["microdata"][name]) * 2)
    assert "limit" in result.problems[0].message and result.frame.empty


def test_a_symlink_to_an_endless_file_is_only_read_within_limits(tmp_path):
    for relative, content in PACKAGES["microdata"].items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(content)
    target = tmp_path / "data/boundaries.responses.csv"
    target.unlink()
    target.symlink_to("/dev/zero")
    result = load(tmp_path, max_bytes=10_000)
    assert result.problems and result.frame.empty
