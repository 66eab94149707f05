"""Each exercise as a research instrument: items, wording, scale or options with labels, correct answers.

Built from the course's exercise definitions at export time and written into the
package (``datapackage.json`` under ``peerkit.exercises``, and the codebook), so
a package stays readable when the course changes.

>>> record = instrument("peer_support_check")
>>> record["items"][0]["correct"], record["value_type"]
(['c'], 'string')
"""
from __future__ import annotations

from typing import Any

from .exercise_info import kind_says, learner_item_pattern

#: Separator of several chosen options in one knowledge-check answer (``b|c``).
CHOICE_SEPARATOR = "|"
#: What an option may say beyond its label, kept in the codebook: a scenario response's feedback, how helpful the
#: course judges it, and the turn or end it leads to.
OPTION_FACTS = ("quality", "next", "feedback")


def instrument(exercise_id: str) -> dict[str, Any]:
    """The research description of one course exercise (raises ContentError if it is unknown)."""
    from ..exercises import load_exercise

    definition = load_exercise(exercise_id)
    items = []
    for item in definition.items:
        record: dict[str, Any] = {"id": item.id, "text": item.text}
        if isinstance(item.details.get("description"), str):
            record["description"] = item.details["description"]
        options = item.details.get("options")
        if isinstance(options, list):
            record["options"] = [{"value": o["value"], "label": o.get("label", str(o["value"])),
                                  **{fact: o[fact] for fact in OPTION_FACTS if isinstance(o.get(fact), str)}}
                                 for o in options if isinstance(o, dict) and "value" in o]
            record["multiple"] = bool(item.details.get("multiple", False))
            if isinstance(item.details.get("correct"), list):
                record["correct"] = list(item.details["correct"])
        items.append(record)
    scale = [{"value": o.value, "label": o.label} for o in definition.scale]
    return {
        "kind": definition.kind,
        "title": definition.title,
        "chapter": definition.chapter,
        "chapter_title": _chapter_title(definition.chapter),
        "instructions": str(definition.instructions or ""),
        "personal": bool(definition.personal),
        "items": items,
        "scale": scale,
        "value_type": value_type(definition.kind, scale),
        **({"item_pattern": pattern} if (pattern := learner_item_pattern(definition.kind)) else {}),
    }


def value_type(kind: str, scale: list[dict[str, Any]]) -> str:
    """The table-schema type of this exercise's ``value`` column."""
    if scale and all(isinstance(o["value"], int) and not isinstance(o["value"], bool) for o in scale):
        return "integer"
    return kind_says(kind, "research_value_type") or "string"


def counted(record: dict[str, Any]) -> bool:
    """Whether the aggregate tier counts this exercise's answers: closed ones, picked from a scale or options."""
    return (kind_says(record["kind"], "open_text") is False
            and (bool(record["scale"]) or all("options" in i for i in record["items"])))


def item_values(record: dict[str, Any], item_id: str) -> list[tuple[Any, str]]:
    """(value, label) pairs an item's answers are counted in: the scale, or the item's options."""
    if record["scale"]:
        return [(o["value"], o["label"]) for o in record["scale"]]
    for item in record["items"]:
        if item["id"] == item_id:
            return [(o["value"], o["label"]) for o in item.get("options", [])]
    return []


def has_labels_kind(record: dict[str, Any]) -> bool:
    """Whether answers to this exercise have labels (a scale, or a knowledge check's options)."""
    return bool(record["scale"]) or is_scored(record)


def is_scored(record: dict[str, Any]) -> bool:
    """Whether answers to this exercise are right or wrong (a knowledge check: a ``correct`` column)."""
    return bool(kind_says(record["kind"], "scored"))


def label_of(record: dict[str, Any], item_id: str, value: Any) -> str:
    """The label of an answer (several chosen options: their labels joined by ' | ')."""
    labels = dict(item_values(record, item_id))
    if isinstance(value, list):
        return " | ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, "")


def is_correct(record: dict[str, Any], item_id: str, value: Any) -> bool | None:
    """For a knowledge check: whether the chosen options are exactly the correct ones."""
    for item in record["items"]:
        if item["id"] == item_id and "correct" in item:
            chosen = value if isinstance(value, list) else [value]
            return sorted(map(str, chosen)) == sorted(map(str, item["correct"]))
    return None


def _chapter_title(chapter_id: str) -> str:
    import json

    from ..exercises import DATA_DIR

    try:
        chapters = json.loads((DATA_DIR / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    except (OSError, ValueError, KeyError):
        return chapter_id
    return next((c["title"] for c in chapters if c.get("id") == chapter_id), chapter_id)
