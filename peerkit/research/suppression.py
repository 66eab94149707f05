"""Small-cell suppression for one item's table of counts, primary and secondary.

One table per item: rows are cohorts, columns the item's answer values, with
published row totals (people in a cohort who answered the item), column totals
(people in all cohorts who chose a value) and a grand total.

* **Primary**: every count under k is hidden (zero included, so a blank never
  says "nobody"), and every total under k.
* **Secondary**: a hidden count must not be recoverable from what is shown. We
  act as the intruder: for every hidden number, linear programming finds the
  smallest and largest value it can take given every shown count and total
  (and that counts are never negative; for a question where several options may
  be chosen, that each count is at most its row total and the row's counts add
  up to at least it). While any hidden number's range is narrower than k, one
  more number is hidden: the smallest shown count in the same row or column,
  else the row's or column's total, else the grand total. Each round hides one
  more number, so it ends (at worst with the whole table hidden).

>>> import numpy as np
>>> result = suppress_table(np.array([[2, 5, 5], [6, 3, 3]]), k=5)
>>> bool(result.cells[0, 0]), int(result.cells.sum()) >= 4
(True, True)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Suppression:
    """Which numbers of one table are hidden (True = hidden)."""

    cells: np.ndarray  # rows x columns
    row_totals: np.ndarray
    column_totals: np.ndarray
    grand_total: bool

    @property
    def hidden(self) -> int:
        return int(self.cells.sum() + self.row_totals.sum() + self.column_totals.sum() + self.grand_total)


def suppress_table(cells: np.ndarray, k: int, *, row_totals: np.ndarray | None = None,
                   multiple: bool = False) -> Suppression:
    """Primary and secondary suppression of one item's counts.

    ``cells`` are counts (rows x columns). ``row_totals`` defaults to the row
    sums; give it when several values may be chosen at once (``multiple=True``),
    where a row's counts add up to more than the people who answered.
    """
    cells = np.asarray(cells, dtype=np.int64)
    rows = cells.sum(axis=1) if row_totals is None else np.asarray(row_totals, dtype=np.int64)
    columns = cells.sum(axis=0)
    grand = int(rows.sum())
    state = Suppression(cells < k, rows < k, columns < k, grand < k)
    if state.cells.any():
        _pair_up(cells, state)
    while state.hidden:
        weak = _weakest(cells, rows, columns, grand, state, k, multiple)
        if weak is None:
            return state
        _hide_one_more(cells, rows, columns, state, weak)
    return state


def feasible_ranges(cells: np.ndarray, rows: np.ndarray, columns: np.ndarray, grand: int,
                    state: Suppression, multiple: bool = False) -> dict[tuple, tuple[float, float]]:
    """What an intruder can learn: the (smallest, largest) value of every hidden number.

    Keys are ``("cell", r, c)``, ``("row", r)``, ``("column", c)`` and ``("grand",)``.
    Only shown numbers are used (the hidden ones in the arrays are ignored).
    """
    from scipy.optimize import linprog

    n_rows, n_cols = cells.shape
    keys: list[tuple] = [("cell", r, c) for r in range(n_rows) for c in range(n_cols) if state.cells[r, c]]
    keys += [("row", r) for r in range(n_rows) if state.row_totals[r]]
    keys += [("column", c) for c in range(n_cols) if state.column_totals[c]]
    keys += [("grand",)] if state.grand_total else []
    if not keys:
        return {}
    index = {key: i for i, key in enumerate(keys)}

    def term(key: tuple, known: float) -> tuple[int | None, float]:
        return (index[key], 0.0) if key in index else (None, float(known))

    equalities: list[tuple[dict[int, float], float]] = []
    inequalities: list[tuple[dict[int, float], float]] = []  # sum(coef * x) <= bound

    def add(parts: list[tuple[tuple, float, float]], kind: str = "eq") -> None:
        coefs: dict[int, float] = {}
        constant = 0.0
        for key, known, sign in parts:
            i, value = term(key, known)
            if i is None:
                constant += sign * value
            else:
                coefs[i] = coefs.get(i, 0.0) + sign
        if coefs:
            (equalities if kind == "eq" else inequalities).append((coefs, -constant))

    for r in range(n_rows):
        parts = [(("cell", r, c), cells[r, c], 1.0) for c in range(n_cols)] + [(("row", r), rows[r], -1.0)]
        if multiple:  # each person picks at least one: sum >= total, i.e. total - sum <= 0
            add([(key, known, -sign) for key, known, sign in parts], "le")
            for c in range(n_cols):  # and a count is at most its row's total
                add([(("cell", r, c), cells[r, c], 1.0), (("row", r), rows[r], -1.0)], "le")
        else:
            add(parts)
    for c in range(n_cols):
        add([(("cell", r, c), cells[r, c], 1.0) for r in range(n_rows)] + [(("column", c), columns[c], -1.0)])
    add([(("row", r), rows[r], 1.0) for r in range(n_rows)] + [(("grand",), grand, -1.0)])

    def matrix(constraints: list[tuple[dict[int, float], float]]) -> tuple[np.ndarray | None, np.ndarray | None]:
        if not constraints:
            return None, None
        a = np.zeros((len(constraints), len(keys)))
        for row, (coefs, _) in enumerate(constraints):
            for i, coef in coefs.items():
                a[row, i] = coef
        return a, np.array([bound for _, bound in constraints])

    a_eq, b_eq = matrix(equalities)
    a_ub, b_ub = matrix(inequalities)

    def solve(i: int) -> tuple[float, float]:
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(keys))
            objective[i] = sign
            result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                             method="highs")
            if result.status == 3:  # unbounded
                bounds.append(-np.inf if sign > 0 else np.inf)
            elif result.status == 0:
                bounds.append(sign * result.fun)
            else:  # infeasible cannot happen for a real table; count it as fully known to stay safe
                bounds.append(0.0)
        return bounds[0], bounds[1]

    return _LazyRanges(index, solve)


class _LazyRanges(dict):
    """Ranges solved on first access, so the audit can stop at the first weak number."""

    def __init__(self, index: dict[tuple, int], solve) -> None:  # noqa: ANN001
        super().__init__()
        self._index, self._solve = index, solve

    def keys(self):  # noqa: ANN201
        return self._index.keys()

    def __getitem__(self, key: tuple) -> tuple[float, float]:
        if not dict.__contains__(self, key):
            dict.__setitem__(self, key, self._solve(self._index[key]))
        return dict.__getitem__(self, key)

    def items(self):  # noqa: ANN201
        return ((key, self[key]) for key in self._index)

    def __iter__(self):  # noqa: ANN204
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _weakest(cells: np.ndarray, rows: np.ndarray, columns: np.ndarray, grand: int, state: Suppression, k: int,
             multiple: bool) -> tuple | None:
    """A hidden number whose range is narrower than k (cells first), or None when all are protected."""
    ranges = feasible_ranges(cells, rows, columns, grand, state, multiple)
    for key in ranges:
        low, high = ranges[key]
        if high - low < k - 1e-9:
            return key
    return None


def _pair_up(cells: np.ndarray, state: Suppression) -> None:
    """Cheap first step: a row or column with one hidden count gets a second (its smallest shown one)."""
    changed = True
    while changed:
        changed = False
        for matrix in (state.cells, state.cells.T):
            values = cells if matrix is state.cells else cells.T
            for line in range(matrix.shape[0]):
                if matrix[line].sum() == 1 and (~matrix[line]).any():
                    shown = np.where(~matrix[line], values[line], np.iinfo(np.int64).max)
                    matrix[line, int(shown.argmin())] = True
                    changed = True


def _hide_one_more(cells: np.ndarray, rows: np.ndarray, columns: np.ndarray, state: Suppression,
                   weak: tuple) -> None:
    n_rows, n_cols = cells.shape
    if weak[0] == "cell":
        lines_r, lines_c = [weak[1]], [weak[2]]
    elif weak[0] == "row":
        lines_r, lines_c = [weak[1]], []
    elif weak[0] == "column":
        lines_r, lines_c = [], [weak[1]]
    else:
        lines_r, lines_c = list(range(n_rows)), []
    candidates = [(cells[r, c], r, c) for r in lines_r for c in range(n_cols) if not state.cells[r, c]]
    candidates += [(cells[r, c], r, c) for c in lines_c for r in range(n_rows) if not state.cells[r, c]]
    if candidates:
        _, r, c = min(candidates)
        state.cells[r, c] = True
        return
    totals = [(rows[r], "row", r) for r in lines_r if not state.row_totals[r]]
    totals += [(columns[c], "column", c) for c in lines_c if not state.column_totals[c]]
    if not totals:  # a hidden total whose lines are all hidden: hide the other totals it adds up with
        totals = [(rows[r], "row", r) for r in range(n_rows) if not state.row_totals[r]]
        totals += [(columns[c], "column", c) for c in range(n_cols) if not state.column_totals[c]]
    if totals:
        _, kind, i = min(totals)
        (state.row_totals if kind == "row" else state.column_totals)[i] = True
        return
    if not state.grand_total:
        state.grand_total = True
        return
    state.cells[:] = True  # cannot happen: with everything hidden every range is unbounded
