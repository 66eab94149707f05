"""The group view of SMART goals: per criterion, how many shared goals meet it, and the goals' words.

``pk.compare("smart_goal")`` shows this (chart style ``"goals"`` of
:mod:`peerkit.kinds.smart_goal`). Only goals their writers ticked "share" reach a
group; the view is hidden while fewer than :data:`peerkit.privacy.MIN_GROUP_SIZE`
people have shared a goal. HTML comes from a Jinja2 template with autoescape, so a
goal's text is shown as text, never as markup.

>>> html = goal_summary_html(group, exercise="smart_goal")   # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .exercises import DATA_DIR, load_exercise
from .kinds import kind_of
from .kinds.smart_goal import criteria_met
from .privacy import MIN_GROUP_SIZE, suppressed_message, too_few

if TYPE_CHECKING:
    import jinja2
    import pandas as pd

TEMPLATES_DIR = DATA_DIR / "templates"


@lru_cache(maxsize=1)
def _environment() -> "jinja2.Environment":
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def goal_summary(data: "pd.DataFrame", *, exercise: str, own: dict[str, Any] | None = None,
                 min_group_size: int = MIN_GROUP_SIZE) -> dict[str, Any]:
    """What the view shows, as plain data: ``rows`` per criterion, the shared ``texts``, sizes, ``hidden``.

    ``hidden`` is the sentence shown instead of counts while too few people shared a goal ("" otherwise).
    """
    definition = load_exercise(exercise)
    kind = kind_of(definition)
    rows = data[data["exercise"] == exercise] if "exercise" in data.columns else data
    summary = kind.summarise(definition, rows)
    learners = int(summary["learners"].iloc[0]) if len(summary) else 0
    goals = int(summary["goals"].iloc[0]) if len(summary) else 0
    mine = [value for item, value in (own or {}).items() if kind.is_valid(definition, item, value)]
    own_met = [set(criteria_met(goal)) for goal in mine]
    texts = []
    for item, value in sorted(zip(rows.get("item", []), rows.get("value", [])), key=lambda pair: str(pair[0])):
        try:
            kind.check_shared(definition, item, value)
        except Exception:  # noqa: BLE001 - a row that is not a shared goal is not shown
            continue
        texts.append(value["text"])
    hidden = ""
    if too_few(learners, min_group_size):
        hidden = (f"Not shown yet: {suppressed_message(min_group_size)}. Group results appear once at least "
                  f"{min_group_size} people have shared a goal, so that no one's goal can be picked out.")
        texts = []
    return {
        "title": definition.title,
        "goals": goals,
        "learners": learners,
        "hidden": hidden,
        "texts": texts,
        "rows": [
            {"text": row.text, "met": int(row.met), "goals": int(row.goals),
             "percent": round(100 * row.met / row.goals) if row.goals else 0,
             "own": f"{sum(row.item in met for met in own_met)} of {len(own_met)}"}
            for row in summary.itertuples()
        ],
        "own": bool(own_met),
    }


def goal_summary_html(data: "pd.DataFrame", *, exercise: str, own: dict[str, Any] | None = None,
                      group_label: str = "group", min_group_size: int = MIN_GROUP_SIZE, font_size: str = "1rem") -> str:
    """The group's shared goals as HTML: a table of criteria with bars, then the goals' sentences."""
    view = goal_summary(data, exercise=exercise, own=own, min_group_size=min_group_size)
    return _environment().get_template("goal_summary.html.j2").render(
        **view, group_label=group_label, font_size=font_size)


def describe_goal_summary(data: "pd.DataFrame", *, exercise: str, own: dict[str, Any] | None = None,
                          group_label: str = "group", min_group_size: int = MIN_GROUP_SIZE) -> str:
    """The same view in words, for screen readers and anyone who prefers text."""
    view = goal_summary(data, exercise=exercise, own=own, min_group_size=min_group_size)
    if view["hidden"]:
        return f"{view['title']}: {view['hidden']}"
    counts = "; ".join(f"{row['text']}: {row['met']} of {row['goals']}" for row in view["rows"])
    return (f"{view['title']}: {view['goals']} goals shared by {view['learners']} people in the {group_label}. "
            f"Shared goals that meet each criterion: {counts}.")
