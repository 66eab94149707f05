"""Fuzzing the loader on the older three-file export: truncated, wrongly typed, wrong-schema, oversized, hostile.

The files are a fixed export written by peerkit before data packages
(``tests/research/data/legacy``), renamed to the stem ``f``.

Whatever the bytes, ``load`` either loads the export whole or reports a problem
naming the file: never an exception, a hang or part of a file.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerkit.errors import ImportFileError
from peerkit.research import load

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


LEGACY = Path(__file__).parent / "data" / "legacy"


@pytest.fixture(scope="module")
def export() -> dict[str, bytes]:
    return {p.name.replace("legacy-study.", "f."): p.read_bytes().replace(b"legacy-study.", b"f.")
            for p in LEGACY.iterdir()}


_FULL: dict[str, "pd.DataFrame"] = {}


def load_variant(export: dict[str, bytes], change: Callable[[dict[str, bytes]], None], *,
                 changed_rows: int = 0, **options) -> tuple:
    """Write the export with ``change`` applied, load it, and check the all-or-nothing rule.

    A variant that loads without problems must load *whole*: the very same frame as the
    untouched export, cell for cell, except for at most ``changed_rows`` rows the change
    rewrote on purpose (a row count alone would let a wrong or shifted cell through).
    """
    files = dict(export)
    change(files)
    if "full" not in _FULL:
        _FULL["full"] = load_in(export)[0].frame
    full = _FULL["full"]
    result, _ = load_in(files, **options)
    if result.problems:
        assert result.frame.empty, "a bad file must not be half-loaded"
        for problem in result.problems:
            assert problem.path and problem.message and isinstance(str(problem), str)
    else:
        got = result.frame.reset_index(drop=True)
        expected = full.reset_index(drop=True)
        assert len(got) == len(expected), "a good file loads whole"
        assert list(got.columns) == list(expected.columns)
        differs = [i for i in range(len(got)) if got.iloc[i].map(repr).tolist() != expected.iloc[i].map(repr).tolist()]
        assert len(differs) <= changed_rows, f"a good file loads exactly what it holds; rows {differs} differ"
        if not changed_rows:
            pd.testing.assert_frame_equal(got, expected)
    return result


def load_in(files: dict[str, bytes], **options) -> tuple:
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            (Path(folder) / name).write_bytes(content)
        result = load(Path(folder) / "f.metadata.json", **options)
        try:
            load(Path(folder) / "f.metadata.json", strict=True, **options)
        except ImportFileError:
            assert result.problems
        return result, folder


@FUZZ
@given(name=st.sampled_from(["f.responses.csv", "f.metadata.json", "f.counts.csv"]), cut=st.floats(0, 1))
def test_truncated_files(export, name, cut):
    def truncate(files):
        files[name] = files[name][: int(len(files[name]) * cut)]

    load_variant(export, truncate)


@FUZZ
@given(row=st.integers(0, 10_000), column=st.integers(0, 5), junk=st.text(max_size=30))
def test_wrongly_typed_cells(export, row, column, junk):
    def mutate(files):
        import csv
        import io

        rows = list(csv.reader(io.StringIO(files["f.responses.csv"].decode())))
        target = rows[1 + row % (len(rows) - 1)]
        target[column] = junk
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        files["f.responses.csv"] = out.getvalue().encode()

    load_variant(export, mutate, changed_rows=1)


@FUZZ
@given(path=st.lists(st.text(max_size=12), min_size=1, max_size=3), value=JSON)
def test_wrong_schema_metadata(export, path, value):
    def mutate(files):
        meta = json.loads(files["f.metadata.json"])
        keys = ["exercises", "files", "columns", "row_counts", "schema_version", "min_cell", "time_resolution"]
        node = meta
        for step in [keys[len(path[0]) % len(keys)], *path[1:-1]]:
            node = node.setdefault(step, {}) if isinstance(node, dict) else node
        if isinstance(node, dict):
            node[path[-1] if len(path) > 1 else keys[len(path[0]) % len(keys)]] = value
        files["f.metadata.json"] = json.dumps(meta).encode()

    load_variant(export, mutate)


@FUZZ
@given(item=st.sampled_from(["exercises", "scale", "items", "value_encoding", "options", "item_pattern"]),
       value=JSON)
def test_wrong_exercise_definitions(export, item, value):
    def mutate(files):
        meta = json.loads(files["f.metadata.json"])
        exercise = sorted(meta["exercises"])[len(str(value)) % len(meta["exercises"])]
        if item == "exercises":
            meta["exercises"] = value
        else:
            meta["exercises"][exercise][item] = value
        files["f.metadata.json"] = json.dumps(meta).encode()

    load_variant(export, mutate)


@FUZZ
@given(name=st.sampled_from(["f.responses.csv", "f.metadata.json", "f.counts.csv"]), content=st.binary(max_size=400))
def test_random_bytes(export, name, content):
    def replace(files):
        files[name] = content

    load_variant(export, replace)


HOSTILE = [
    b"\x00" * 1000,
    b"\xef\xbb\xbf" + b"cohort,learner,exercise,item,value,answered_on\n",
    b"cohort,learner,exercise,item,value,answered_on\r\n" + b'"' + b"a" * 200_000,
    b"cohort,learner,exercise,item,value,answered_on\n" + b"," * 100_000 + b"\n",
    b"cohort,learner,exercise,item,value,answered_on\n" + b'=HYPERLINK("http://evil"),p-0000000000000000,'
    b"boundaries,B01,never,2025-01-01\n",
    "cohort,learner,exercise,item,value,answered_on\n\u202eevil,p-0000000000000000,boundaries,B01,never,"
    "2025-01-01\n".encode(),
    b"[" * 100_000,
    b'{"format": "peerkit-research-export", "schema_version": 1e999}',
    b'{"format": "peerkit-research-export", "schema_version": NaN}',
    b'{"a": 1, "a": 2}',
    b"\xff\xfe\x00c\x00o",
]


@pytest.mark.parametrize("content", HOSTILE)
@pytest.mark.parametrize("name", ["f.responses.csv", "f.metadata.json", "f.counts.csv"])
def test_hostile_content(export, name, content):
    def replace(files):
        files[name] = content

    result = load_variant(export, replace)
    assert result.problems


def test_oversized_files_are_refused(export):
    def grow(files):
        files["f.responses.csv"] += files["f.responses.csv"].split(b"\n", 1)[1] * 50

    result = load_variant(export, grow, max_bytes=len(export["f.responses.csv"]) * 2)
    assert "limit" in result.problems[0].message


def test_a_symlink_to_another_file_is_only_read_within_limits(export, tmp_path):
    for name, content in export.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "f.responses.csv").unlink()
    (tmp_path / "f.responses.csv").symlink_to("/dev/zero")
    result = load(tmp_path, max_bytes=10_000)
    assert result.problems and result.frame.empty


def test_fuzz_source_is_valid(export):
    result, _ = load_in(export)
    assert result.ok and len(result.frame) > 0
