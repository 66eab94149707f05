"""Small helpers shared by the analysis functions (not public)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .exercise_info import ExerciseInfo, info_for


def as_list(by: str | list[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def require_columns(data: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} needs a tidy DataFrame (as returned by peerkit.research.load(...).frame), "
                        f"not {type(data).__name__}.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what} needs column(s) {', '.join(missing)}; the data has {', '.join(map(str, data.columns))}.")


def one_exercise(data: pd.DataFrame, exercise: str | None, what: str) -> tuple[pd.DataFrame, str]:
    """Rows of one exercise; ``exercise=None`` is allowed only when the data hold just one."""
    if exercise is None:
        found = data["exercise"].unique()
        if len(found) != 1:
            raise ValueError(f"{what}: the data hold {len(found)} exercises ({', '.join(map(str, found[:8]))}); "
                             "choose one with exercise=.")
        return data, str(found[0])
    part = data[data["exercise"] == exercise]
    if part.empty:
        raise ValueError(f"{what}: no answers to exercise {exercise!r} in the data.")
    return part, exercise


def scale_codes(values: pd.Series, info: ExerciseInfo | None) -> tuple[np.ndarray, list[Any]]:
    """Integer codes of values in scale order (-1 for anything off the scale) and the ordered values."""
    if info is not None and info.scale:
        order = info.scale_values
    else:
        order = sorted(values.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    codes = pd.Categorical(values, categories=order).codes.astype(np.int64)
    return codes, order


def exercise_info(data: pd.DataFrame, exercise: str) -> ExerciseInfo | None:
    return info_for(data, exercise)
