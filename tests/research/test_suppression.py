"""Secondary suppression on random tables: every hidden number keeps a range at least k wide."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from peerkit.research import suppression
from peerkit.research.suppression import feasible_ranges, suppress_table

TABLES = st.tuples(st.integers(1, 5), st.integers(2, 5)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(0, 14)))


def protected(cells: np.ndarray, k: int, multiple: bool = False, rows: np.ndarray | None = None) -> bool:
    rows = cells.sum(axis=1) if rows is None else rows
    state = suppress_table(cells, k, row_totals=rows, multiple=multiple)
    assert (state.cells | (cells >= k)).all(), "every count under k is hidden"
    ranges = feasible_ranges(cells, rows, cells.sum(axis=0), int(rows.sum()), state, multiple)
    return all(high - low >= k - 1e-6 for low, high in (ranges[key] for key in ranges))


@settings(max_examples=60, deadline=None)
@given(cells=TABLES, k=st.integers(2, 6))
def test_random_tables_are_protected(cells, k):
    assert protected(cells, k)


@settings(max_examples=30, deadline=None)
@given(cells=TABLES, k=st.integers(2, 6))
def test_several_option_questions_are_protected(cells, k):
    rows = np.maximum(cells.max(axis=1), (cells.sum(axis=1) + 1) // 2)  # people: at least the largest count
    assert protected(cells, k, multiple=True, rows=rows)


def test_the_plain_linprog_fallback_gives_the_same_protection(monkeypatch):
    monkeypatch.setattr(suppression._System, "_model", lambda self: False)
    rng = np.random.default_rng(3)
    for _ in range(10):
        cells = rng.poisson(4, size=(3, 3))
        assert protected(cells, 5)


def test_nothing_small_nothing_hidden():
    state = suppress_table(np.array([[10, 12], [9, 30]]), 5)
    assert state.hidden == 0


@pytest.mark.parametrize("cells", [[[3, 10, 10]], [[1, 20], [20, 20]]])
def test_a_lone_small_count_gets_partners(cells):
    state = suppress_table(np.array(cells), 5)
    assert state.hidden >= 2
