"""How complete learners' SMART goals are, by cohort."""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..kinds.smart_goal import KIND as SMART_GOAL
from ._frames import as_list, exercise_info, require_columns
from .exercise_info import known_kind

#: Each SMART criterion and the fields of a stored goal that answer it
#: (the shape written by :mod:`peerkit.widgets.smart_goal`).
SMART_CRITERIA: dict[str, tuple[str, ...]] = {
    "specific": ("action",),
    "meaningful": ("why",),
    "achievable": ("resources",),
    "realistic": ("realistic",),
    "time_limited": ("start", "end"),
}


def smart_goal_completeness(data: pd.DataFrame, by: str | list[str] | None = "cohort", *,
                            exercise: str | None = None) -> pd.DataFrame:
    """Share of SMART goals meeting each criterion, and meeting all five.

    A goal is a dict ``{"action", "why", "resources", "realistic", "start",
    "end", ...}``. A text or date field counts when it holds non-blank text, or
    ``True`` (an export keeps only filled / empty for goals nobody opted to
    share); ``realistic`` counts when it is ``True``. Time-limited needs both
    dates, and when both are real dates the end must come after the start.

    Parameters
    ----------
    data : DataFrame
        Tidy answers (``exercise``, ``value`` and the ``by`` columns).
    by : str, list or None
        Group columns (default ``"cohort"``).
    exercise : str, optional
        The SMART goal exercise; by default every exercise of kind ``smart_goal``.

    Returns
    -------
    DataFrame
        One row per group: ``goals`` (number of goals), ``complete`` (share
        meeting all five criteria), ``mean_criteria`` (criteria met, on average)
        and one column per criterion (share meeting it).

    References
    ----------
    Doran, G. T. (1981). *Management Review*, 70(11), 35-36 (the paper that
    introduced S.M.A.R.T. goals).

    Examples
    --------
    >>> import pandas as pd
    >>> from peerkit.research import smart_goal_completeness
    >>> goal = {"action": "walk three mornings a week", "why": "", "resources": "a friend",
    ...         "realistic": True, "start": "2027-03-03", "end": "2027-04-30"}
    >>> data = pd.DataFrame({"cohort": "A", "exercise": "smart_goal", "item": "G-0000abcd", "value": [goal]})
    >>> row = smart_goal_completeness(data).iloc[0]
    >>> int(row["goals"]), float(row["complete"]), float(row["meaningful"]), float(row["time_limited"])
    (1, 0.0, 0.0, 1.0)
    """
    keys = as_list(by)
    require_columns(data, keys + ["exercise", "value"], "smart_goal_completeness")
    if exercise is not None:
        goals = data[data["exercise"] == exercise]
    else:
        wanted = [e for e in data["exercise"].unique() if _is_goal_exercise(data, e)]
        goals = data[data["exercise"].isin(wanted)]
    criteria = list(SMART_CRITERIA)
    columns = keys + ["goals", "complete", "mean_criteria", *criteria]
    if goals.empty:
        return pd.DataFrame(columns=columns)
    met = pd.DataFrame([criteria_met(v) for v in goals["value"]], index=goals.index, columns=criteria)
    table = pd.concat([goals[keys], met], axis=1)
    table["complete"] = met.all(axis=1)
    table["criteria_met"] = met.sum(axis=1)
    grouped = table.groupby(keys, sort=True) if keys else table.groupby(lambda _: "all")
    result = grouped.agg(goals=("complete", "size"), complete=("complete", "mean"),
                         mean_criteria=("criteria_met", "mean"), **{c: (c, "mean") for c in criteria})
    return result.reset_index(drop=not keys)[columns]


def criteria_met(goal: Any) -> dict[str, bool]:
    """Which SMART criteria one stored goal meets."""
    if not isinstance(goal, dict):
        return {criterion: False for criterion in SMART_CRITERIA}
    met = {criterion: all(_filled(goal.get(f)) for f in fields) for criterion, fields in SMART_CRITERIA.items()}
    start, end = goal.get("start"), goal.get("end")
    if met["time_limited"] and isinstance(start, str) and isinstance(end, str):
        try:
            from datetime import date

            met["time_limited"] = date.fromisoformat(end) > date.fromisoformat(start)
        except ValueError:
            met["time_limited"] = False
    return met


def _filled(entry: Any) -> bool:
    if isinstance(entry, bool):
        return entry
    return isinstance(entry, str) and bool(entry.strip())


def _is_goal_exercise(data: pd.DataFrame, exercise: str) -> bool:
    info = exercise_info(data, exercise)
    if info is not None:
        return known_kind(info.kind) is SMART_GOAL
    sample = data.loc[data["exercise"] == exercise, "value"].head(20)
    return all(isinstance(v, dict) and {"action", "why", "resources"} <= set(v) for v in sample)
