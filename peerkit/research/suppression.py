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

from ..privacy import MIN_GROUP_SIZE

#: k: the research name of the one privacy threshold (:data:`peerkit.privacy.MIN_GROUP_SIZE`), the default
#: ``min_cell`` of exports and research charts.
DEFAULT_MIN_CELL = MIN_GROUP_SIZE


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
    system = _system(cells, rows, columns, grand, state, multiple)
    if system is None:
        return {}
    return _LazyRanges(system.index, system.solve)


class _System:
    """The intruder's linear system over the hidden numbers (variables in ``index`` order)."""

    def __init__(self, index: dict[tuple, int], truth: np.ndarray, a_eq, b_eq, a_ub, b_ub) -> None:  # noqa: ANN001
        self.index, self.truth = index, truth
        self.a_eq, self.b_eq, self.a_ub, self.b_ub = a_eq, b_eq, a_ub, b_ub

        self._solver = None

    def _model(self):  # noqa: ANN202
        """One HiGHS model per system, solved again for each objective.

        scipy's ``linprog`` sets the solver up afresh on every call (5-15 ms here), and
        the audit solves hundreds of tiny problems; the HiGHS that scipy bundles, kept
        between objectives, takes under 1 ms. If a scipy release moves it, we fall
        back to ``linprog`` (``self._solver`` False).
        """
        if self._solver is None:
            try:
                from scipy.optimize._highspy import _core as highspy
            except ImportError:
                self._solver = False
                return False
            n = len(self.index)
            blocks = [(a, b, b) for a, b in ((self.a_eq, self.b_eq),) if a is not None]
            blocks += [(a, np.full(len(b), -highspy.kHighsInf), b) for a, b in ((self.a_ub, self.b_ub),)
                       if a is not None]
            matrix = np.vstack([a for a, _, _ in blocks]) if blocks else np.zeros((0, n))
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = n, matrix.shape[0]
            lp.col_cost_ = np.zeros(n)
            lp.col_lower_, lp.col_upper_ = np.zeros(n), np.full(n, highspy.kHighsInf)
            lp.row_lower_ = np.concatenate([lo for _, lo, _ in blocks]) if blocks else np.zeros(0)
            lp.row_upper_ = np.concatenate([hi for _, _, hi in blocks]) if blocks else np.zeros(0)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            starts, indices, values = [0], [], []
            for column in matrix.T:
                rows = np.nonzero(column)[0]
                indices.extend(rows.tolist())
                values.extend(column[rows].tolist())
                starts.append(len(indices))
            lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, indices, values
            solver = highspy._Highs()
            solver.setOptionValue("output_flag", False)
            solver.passModel(lp)
            self._solver = solver
        return self._solver

    def optimum(self, i: int, sign: float) -> tuple[float, np.ndarray | None]:
        """The smallest (sign 1) or largest (sign -1) value of variable i, and a solution reaching it."""
        solver = self._model()
        n = len(self.index)
        objective = np.zeros(n)
        objective[i] = sign
        if solver is False:
            return self._linprog(i, sign, objective)
        from scipy.optimize._highspy import _core as highspy

        solver.changeColsCost(n, np.arange(n, dtype=np.int32), objective)
        solver.run()
        status = solver.getModelStatus()
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return (-np.inf if sign > 0 else np.inf), None
        if status == highspy.HighsModelStatus.kOptimal:
            solution = np.array(solver.getSolution().col_value)
            return float(solution[i]), solution
        return float(self.truth[i]), None  # (cannot happen for a real table) counted as fully known: safe side

    def _linprog(self, i: int, sign: float, objective: np.ndarray) -> tuple[float, np.ndarray | None]:
        from scipy.optimize import linprog

        result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                         bounds=(0, None), method="highs")
        if result.status == 3:
            return (-np.inf if sign > 0 else np.inf), None
        if result.status == 0:
            return float(result.x[i]), result.x
        return float(self.truth[i]), None

    def solve(self, i: int) -> tuple[float, float]:
        return self.optimum(i, 1.0)[0], self.optimum(i, -1.0)[0]


def _system(cells: np.ndarray, rows: np.ndarray, columns: np.ndarray, grand: int, state: Suppression,
            multiple: bool) -> _System | None:
    n_rows, n_cols = cells.shape
    keys: list[tuple] = [("cell", r, c) for r in range(n_rows) for c in range(n_cols) if state.cells[r, c]]
    keys += [("row", r) for r in range(n_rows) if state.row_totals[r]]
    keys += [("column", c) for c in range(n_cols) if state.column_totals[c]]
    keys += [("grand",)] if state.grand_total else []
    if not keys:
        return None
    index = {key: i for i, key in enumerate(keys)}
    known = {("row", r): rows[r] for r in range(n_rows)} | {("column", c): columns[c] for c in range(n_cols)}
    truth = np.array([cells[key[1], key[2]] if key[0] == "cell" else grand if key[0] == "grand" else known[key]
                      for key in keys], dtype=float)

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
    return _System(index, truth, a_eq, b_eq, a_ub, b_ub)


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
    """A hidden number whose range is narrower than k (cells first), or None when all are protected.

    Every solution found on the way is kept as a witness: a number whose values
    across the witnesses (the true table among them) already differ by k needs no
    more solving, which saves most of the work.
    """
    system = _system(cells, rows, columns, grand, state, multiple)
    if system is None:
        return None
    witnesses = [system.truth]
    low, high = system.truth.copy(), system.truth.copy()
    for key, i in system.index.items():
        for sign in (-1.0, 1.0):  # the largest value first: most ranges are wide upwards
            if high[i] - low[i] >= k - 1e-9:
                break
            value, solution = system.optimum(i, sign)
            if solution is not None:
                witnesses.append(solution)
                low, high = np.minimum(low, solution), np.maximum(high, solution)
            if sign < 0:
                high[i] = max(high[i], value)
            else:
                low[i] = min(low[i], value)
        if high[i] - low[i] < k - 1e-9:
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


def suppress_noisy_row(cells: np.ndarray, published: np.ndarray, row_total: int, row_published: int, k: int,
                       noise: int, *, multiple: bool = False) -> tuple[np.ndarray, bool]:
    """Primary and secondary suppression of one cohort's counts of one item when every shown number is noisy.

    ``cells`` are the true counts, ``published`` their perturbed values (within
    ``noise`` of the truth), ``row_total``/``row_published`` the same for the
    people who answered. Every count whose true or published value is under k is
    hidden (so is the total then); then, acting as an intruder who knows the noise
    bound, linear programming finds each hidden count's smallest and largest
    value from the published numbers, and while any range is narrower than k the
    smallest shown count is hidden too (then the total). Returns (hidden cells, total hidden).
    """
    from scipy.optimize import linprog

    cells = np.asarray(cells, dtype=np.int64)
    published = np.asarray(published, dtype=np.int64)
    hidden = (cells < k) | (published < k)
    total_hidden = row_total < k or row_published < k
    size = len(cells)
    while hidden.any():
        # variables: every true count, then the true total; shown ones lie within the noise of what is published
        bounds = [(0, None) if hidden[j] else (max(0, published[j] - noise), published[j] + noise)
                  for j in range(size)]
        bounds.append((0, None) if total_hidden else (max(0, row_published - noise), row_published + noise))
        a_eq = b_eq = a_ub = b_ub = None
        if multiple:  # each person picks at least one: sum >= total; a count is at most the total
            a_ub = np.vstack([np.append(-np.ones(size), 1.0)] +
                             [np.append(np.eye(size)[j], -1.0) for j in range(size)])
            b_ub = np.zeros(size + 1)
        else:
            a_eq, b_eq = np.append(np.ones(size), -1.0)[None, :], np.zeros(1)
        weak = None
        for j in np.flatnonzero(hidden):
            ends = []
            for sign in (1.0, -1.0):
                objective = np.zeros(size + 1)
                objective[j] = sign
                result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                                 method="highs")
                ends.append(sign * result.fun if result.status == 0 else (np.inf if sign < 0 else -np.inf))
            if ends[1] - ends[0] < k - 1e-9:
                weak = j
                break
        if weak is None:
            break
        shown = np.flatnonzero(~hidden)
        if shown.size:
            hidden[shown[np.argmin(cells[shown])]] = True
        elif not total_hidden:
            total_hidden = True
        else:
            break  # everything hidden
    return hidden, bool(total_hidden)
