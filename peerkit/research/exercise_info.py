"""What the research tools need to know about an exercise, from a definition or an export's metadata.

Exports carry their own exercise definitions (so a file stays readable when the
course changes); analyses of a live frame fall back to the course's definitions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import ContentError
from ..kinds import Kind, kind_of


def known_kind(name: Any) -> Kind | None:
    """The registry's kind of this name, or None for a kind this peerkit does not know (an export's)."""
    try:
        return kind_of(name)
    except ContentError:
        return None


def kind_says(name: Any, fact: str) -> Any:
    """One fact of the kind of this name (an attribute of :class:`peerkit.kinds.Kind`); None if the kind is unknown.

    >>> kind_says("knowledge_check", "scored"), kind_says("no such kind", "scored")
    (True, None)
    """
    kind = known_kind(name)
    return getattr(kind, fact) if kind is not None else None


def learner_item_pattern(name: Any) -> str | None:
    """The item id pattern of a kind whose items the learner makes (a SMART goal per goal); None otherwise."""
    kind = known_kind(name)
    return kind.item_pattern if kind is not None and kind.learner_items else None


@dataclass(frozen=True)
class ExerciseInfo:
    """The parts of an exercise definition that research output depends on."""

    id: str
    kind: str
    title: str
    items: tuple[tuple[str, str], ...]  # (item id, item text)
    scale: tuple[tuple[Any, str], ...] = ()  # (value, label)
    options: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # per-item answer options

    @property
    def item_ids(self) -> list[str]:
        return [item_id for item_id, _ in self.items]

    @property
    def scale_values(self) -> list[Any]:
        return [value for value, _ in self.scale]

    @property
    def item_pattern(self) -> str | None:
        return learner_item_pattern(self.kind)

    def item_ok(self, item_id: Any) -> bool:
        if not isinstance(item_id, str):
            return False
        if self.item_pattern:
            return re.fullmatch(self.item_pattern, item_id) is not None
        return item_id in self.item_ids

    def item_text(self, item_id: str) -> str:
        return dict(self.items).get(item_id, item_id)

    def label_for(self, value: Any) -> str:
        for scale_value, label in self.scale:
            if scale_value == value:
                return label
        return str(value)

    @property
    def closed(self) -> bool:
        """True when every answer is picked from a list (no free text)."""
        return bool(self.scale) or (bool(self.options) and set(self.options) == set(self.item_ids))

    def allowed(self, item_id: str) -> list[Any] | None:
        """Values allowed for ``item_id``, or None when the exercise takes open answers."""
        if self.scale:
            return self.scale_values
        if item_id in self.options:
            return list(self.options[item_id])
        return None

    @property
    def open_text(self) -> bool:
        """True when answers are the learner's own words (reflections, reframes, goals)."""
        return bool(kind_says(self.kind, "open_text"))

    @property
    def text_key(self) -> str | None:
        """Where an answer with its own share tick keeps its one text (a reflection's ``"text"``), else None."""
        return kind_says(self.kind, "text_key")

    def value_ok(self, item_id: str, value: Any) -> bool:
        kind = known_kind(self.kind)
        if kind is not None and kind.learner_items:
            return isinstance(value, dict)  # a goal, whole or in its shared form
        allowed = self.allowed(item_id)
        if allowed is None:
            return True
        values = value if isinstance(value, list) and not self.scale else [value]
        return bool(values) and all(_same_type_in(v, allowed) for v in values)

    def as_metadata(self, encoding: str) -> dict[str, Any]:
        record: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "items": [{"id": i, "text": t} for i, t in self.items],
            "scale": [{"value": v, "label": label} for v, label in self.scale],
            "value_encoding": encoding,
        }
        if self.item_pattern:
            record["item_pattern"] = self.item_pattern
        if self.options:
            record["options"] = {item: list(values) for item, values in self.options.items()}
        return record


def _same_type_in(value: Any, allowed: list[Any]) -> bool:
    # True == 1 in Python; a boolean is never a rating
    return any(type(value) is type(a) and value == a for a in allowed)


def from_definition(exercise_id: str) -> ExerciseInfo:
    """Info for a course exercise (raises :class:`~peerkit.errors.ContentError` if unknown)."""
    from ..exercises import load_exercise

    definition = load_exercise(exercise_id)
    options = {
        item.id: tuple(o["value"] for o in item.details["options"] if isinstance(o, dict) and "value" in o)
        for item in definition.items
        if isinstance(item.details.get("options"), list)
    }
    return ExerciseInfo(
        id=definition.id,
        kind=definition.kind,
        title=definition.title,
        items=tuple((item.id, item.text) for item in definition.items),
        scale=tuple((o.value, o.label) for o in definition.scale),
        options=options,
    )


def from_metadata(exercise_id: str, record: dict[str, Any]) -> ExerciseInfo:
    """Info from an export's metadata record (already validated by the loader)."""
    return ExerciseInfo(
        id=exercise_id,
        kind=record["kind"],
        title=record["title"],
        items=tuple((i["id"], i["text"]) for i in record["items"]),
        scale=tuple((o["value"], o["label"]) for o in record.get("scale", [])),
        options={item: tuple(values) for item, values in record.get("options", {}).items()},
    )


ATTRS_KEY = "peerkit_exercises"


def info_for(data: Any, exercise_id: str) -> ExerciseInfo | None:
    """Info for ``exercise_id``: from a loaded frame's metadata, else the course; None if neither knows it."""
    known = getattr(data, "attrs", {}).get(ATTRS_KEY, {})
    if exercise_id in known:
        return from_metadata(exercise_id, known[exercise_id])
    try:
        return from_definition(exercise_id)
    except ContentError:
        return None
