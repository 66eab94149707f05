"""An intruder with the published aggregate package tries to recover the hidden counts, and fails.

The intruder reads only the published CSV files: every shown count and total,
the knowledge that counts are never negative and that each table's counts add
up to its totals (for several-option questions: that no count exceeds its row
total and a row's counts add up to at least it). With linear programming
(``scipy.optimize.linprog``, written here independently of peerkit's own audit)
it finds the smallest and largest value each hidden number can take. Every
hidden number must keep a range at least k wide: never pinned down, never
narrowed to "fewer than k".
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from peerkit.research import export_frame

from .conftest import KEY, make_frame


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def intruder_ranges(counts: pd.DataFrame, totals: pd.DataFrame, item: str,
                    multiple: bool) -> dict[str, tuple[float, float]]:
    """Smallest and largest value of every hidden number of one item, from the published files alone."""
    cells = counts[counts["item"] == item]
    item_totals = totals[totals["item"] == item]
    names: list[str] = []
    known: dict[str, float] = {}

    def quantity(name: str, n: str, suppressed: str) -> str:
        if suppressed == "true":
            names.append(name)
        else:
            known[name] = float(n)
        return name

    cell_name = {(r.cohort, r.value): quantity(f"cell {r.cohort} {r.value}", r.n, r.suppressed)
                 for r in cells.itertuples()}
    row_name = {r.cohort: quantity(f"row {r.cohort}", r.n, r.suppressed)
                for r in item_totals[item_totals["total_of"] == "cohort"].itertuples()}
    column_name = {r.value: quantity(f"column {r.value}", r.n, r.suppressed)
                   for r in item_totals[item_totals["total_of"] == "value"].itertuples()}
    grand = [quantity("grand", r.n, r.suppressed) for r in item_totals[item_totals["total_of"] == "item"].itertuples()]
    if not names:
        return {}
    index = {name: i for i, name in enumerate(names)}
    equalities, inequalities = [], []

    def constraint(terms: list[tuple[str, float]], target: list, bound: float = 0.0) -> None:
        row = np.zeros(len(names))
        constant = 0.0
        for name, coefficient in terms:
            if name in index:
                row[index[name]] += coefficient
            else:
                constant += coefficient * known[name]
        target.append((row, bound - constant))

    cohorts = sorted(row_name)
    values = sorted(column_name)
    for cohort in cohorts:
        terms = [(cell_name[(cohort, v)], 1.0) for v in values] + [(row_name[cohort], -1.0)]
        if multiple:
            constraint([(n, -c) for n, c in terms], inequalities)  # sum >= row total
            for v in values:
                constraint([(cell_name[(cohort, v)], 1.0), (row_name[cohort], -1.0)], inequalities)
        else:
            constraint(terms, equalities)
    for v in values:
        constraint([(cell_name[(c, v)], 1.0) for c in cohorts] + [(column_name[v], -1.0)], equalities)
    constraint([(row_name[c], 1.0) for c in cohorts] + [(grand[0], -1.0)], equalities)

    def stack(rows):
        return (np.array([r for r, _ in rows]), np.array([b for _, b in rows])) if rows else (None, None)

    a_eq, b_eq = stack(equalities)
    a_ub, b_ub = stack(inequalities)
    ranges = {}
    for name, i in index.items():
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(names))
            objective[i] = sign
            result = linprog(objective, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
            assert result.status in (0, 3), result.message
            bounds.append(sign * result.fun if result.status == 0 else (np.inf if sign < 0 else -np.inf))
        ranges[name] = (bounds[0], bounds[1])
    return ranges


def knowledge_rows(sizes: dict[str, int]) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for cohort, size in sizes.items():
        for n in range(size):
            for item, options, multiple in (("Q1", "abcd", False), ("Q3", "abcd", True)):
                chosen = sorted(rng.choice(list(options), size=1 + int(multiple and rng.random() < 0.5),
                                           replace=False, p=[0.1, 0.5, 0.3, 0.1]).tolist())
                rows.append({"cohort": cohort, "learner": f"learner-{cohort[-1]}{n:011d}",
                             "exercise": "peer_support_check", "item": item, "value": chosen,
                             "answered_at": "2025-03-04T10:00:00Z"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("sizes", [{"cohort-north": 12, "cohort-south": 9},
                                   {"cohort-a": 40, "cohort-b": 6, "cohort-c": 25, "cohort-d": 7}])
def test_no_hidden_count_can_be_worked_out_from_the_totals(tmp_path, sizes):
    frame = pd.concat([make_frame(sizes), knowledge_rows(sizes)], ignore_index=True)
    export_frame(frame, tmp_path / "agg", KEY)
    package = json.loads((tmp_path / "agg/datapackage.json").read_text())
    k = package["peerkit"]["min_cell"]
    attacked = hidden = 0
    for exercise, record in package["peerkit"]["exercises"].items():
        if not (tmp_path / f"agg/data/{exercise}.counts.csv").exists():
            continue
        counts = read(tmp_path / f"agg/data/{exercise}.counts.csv")
        totals = read(tmp_path / f"agg/data/{exercise}.totals.csv")
        for item in record["items"]:
            ranges = intruder_ranges(counts, totals, item["id"], bool(item.get("multiple")))
            hidden += len(ranges)
            for name, (low, high) in ranges.items():
                attacked += 1
                assert high - low >= k - 1e-6, f"{exercise} {item['id']} {name}: only {low:g}..{high:g}"
    assert hidden > 50, "the test must meet hidden cells to mean anything"


def test_primary_suppression_alone_would_give_cells_away(tmp_path):
    """The intruder is not toothless: with only counts under k hidden, it recovers some exactly."""
    frame = make_frame({"cohort-north": 12, "cohort-south": 9})
    export_frame(frame, tmp_path / "agg", KEY)

    answers = frame[frame["exercise"] == "boundaries"]
    recovered = 0
    for item in ("B01", "B02", "B03", "B16"):
        # Every value gets a column, so a value nobody chose counts 0 (not a missing column).
        grid = (answers[answers["item"] == item].groupby(["cohort", "value"]).size().unstack(fill_value=0)
                .reindex(columns=["never", "maybe", "always"], fill_value=0))
        counts = pd.DataFrame([{"cohort": c, "item": item, "value": v, "n": str(int(grid.loc[c, v])),
                                "suppressed": "true" if grid.loc[c, v] < 5 else "false"}
                               for c in grid.index for v in ("never", "maybe", "always")])
        counts.loc[counts["suppressed"] == "true", "n"] = ""
        rows = [{"item": item, "total_of": "cohort", "cohort": c, "value": "", "n": str(int(grid.loc[c].sum())),
                 "suppressed": "false"} for c in grid.index]
        rows += [{"item": item, "total_of": "value", "cohort": "", "value": v, "n": str(int(grid[v].sum())),
                  "suppressed": "false"} for v in ("never", "maybe", "always")]
        rows += [{"item": item, "total_of": "item", "cohort": "", "value": "", "n": str(int(grid.values.sum())),
                  "suppressed": "false"}]
        ranges = intruder_ranges(counts, pd.DataFrame(rows), item, False)
        recovered += sum(1 for low, high in ranges.values() if high - low < 1e-6)
    assert recovered > 0
