"""Exercise definitions: course content kept as data, checked when loaded.

Each exercise is one JSON file in ``peerkit/data/exercises/`` named after its id.
Its ``kind`` (one of :mod:`peerkit.kinds`) names the JSON Schema it must satisfy
(``peerkit/data/schemas/<kind>.schema.json``); on top of the schema we check
what a schema cannot say (ids unique, file named after its id). A file that
fails names itself and the problem in a :class:`~peerkit.errors.ContentError`.

>>> from peerkit.exercises import load_exercise
>>> boundaries = load_exercise("boundaries")
>>> len(boundaries.items), [option.value for option in boundaries.scale]
(27, ['never', 'maybe', 'always'])
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from .errors import AnswerError, ContentError
from .kinds import kind_names, kind_of
from .kinds import RATHER_NOT_LABEL, is_rather_not

DATA_DIR = Path(str(resources.files("peerkit") / "data"))
EXERCISES_DIR = DATA_DIR / "exercises"
SCHEMAS_DIR = DATA_DIR / "schemas"


@dataclass(frozen=True)
class Option:
    """One point on an exercise's answer scale."""

    value: Any
    label: str


@dataclass(frozen=True)
class Item:
    """One thing the learner answers: a row of a matrix, a skill to rate, a question."""

    id: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """A validated exercise definition."""

    id: str
    kind: str
    title: str
    chapter: str
    instructions: str
    items: tuple[Item, ...]
    scale: tuple[Option, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        known = ", ".join(i.id for i in self.items)
        raise AnswerError(f"{self.id!r} has no item {item_id!r}. Its items are: {known}.")

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    @property
    def personal(self) -> bool:
        """A personal check-in (``"personal": true`` in its file): never ranked against a group."""
        return self.details.get("personal") is True

    @property
    def sensitive(self) -> bool:
        """About sensitive things (``"sensitive": true`` in its file): every item offers "I'd rather not answer"."""
        return self.details.get("sensitive") is True

    def label_for(self, value: Any) -> str:
        for option in self.scale:
            if option.value == value:
                return option.label
        if is_rather_not(value):
            return RATHER_NOT_LABEL
        return str(value)

    def check_value(self, item_id: str, value: Any) -> None:
        """Raise :class:`AnswerError` unless ``value`` is a valid answer to ``item_id`` (the kind's rule)."""
        kind_of(self.kind).check_answer(self, item_id, value)


def exercise_ids() -> list[str]:
    """Ids of every exercise shipped with the course, sorted."""
    return sorted(path.stem for path in EXERCISES_DIR.glob("*.json"))


def course_exercises() -> list[Exercise]:
    """Every exercise shipped with the course that loads, by id.

    A file that does not load is left out: the course's own tests check every file, and one
    broken file must not stop a trainer's panel or the server from listing the others.
    """
    found = []
    for exercise_id in exercise_ids():
        try:
            found.append(load_exercise(exercise_id))
        except ContentError:
            continue
    return found


@lru_cache(maxsize=None)
def load_exercise(exercise_id: str) -> Exercise:
    """Load and validate the exercise with this id."""
    path = EXERCISES_DIR / f"{exercise_id}.json"
    if not path.is_file():
        known = ", ".join(exercise_ids())
        raise ContentError(f"There is no exercise {exercise_id!r} (no file {path}). Known exercises: {known}.")
    return load_exercise_file(path)


def load_exercise_file(path: str | Path) -> Exercise:
    """Load and validate one exercise file; any problem names the file."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(f"Cannot read exercise file {path}: {error}.") from error
    except json.JSONDecodeError as error:
        raise ContentError(
            f"Exercise file {path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    return parse_exercise(raw, source=str(path))


def parse_exercise(raw: Any, source: str = "<data>") -> Exercise:
    """Validate an already-parsed definition and build an :class:`Exercise`."""
    if not isinstance(raw, dict):
        raise ContentError(f"Exercise file {source}: the top level must be a JSON object.")
    kind = raw.get("kind")
    validate = _validator_for(kind, source)
    import fastjsonschema  # deferred: only needed when content is loaded

    try:
        validate(raw)
    except fastjsonschema.JsonSchemaValueException as error:
        where = "/".join(str(part) for part in error.path[1:])
        # fastjsonschema names the value as "data.items[3].id"; we say where it is instead
        message = error.message.replace(error.name, "the file" if not where else "the value", 1)
        raise ContentError(f"Exercise file {source}: at {where or '(top level)'}: {message}.") from error

    if source != "<data>" and Path(source).stem != raw["id"]:
        raise ContentError(f"Exercise file {source}: its id {raw['id']!r} must match the file name.")
    _check_unique([i["id"] for i in raw["items"]], "item id", source)
    scale = tuple(Option(o["value"], o["label"]) for o in raw.get("scale", []))
    _check_unique([o.value for o in scale], "scale value", source)

    items = tuple(
        Item(i["id"], i["text"], {k: v for k, v in i.items() if k not in ("id", "text")}) for i in raw["items"]
    )
    common = {"id", "kind", "title", "chapter", "instructions", "items", "scale", "$schema"}
    return Exercise(
        id=raw["id"],
        kind=kind,
        title=raw["title"],
        chapter=raw["chapter"],
        instructions=raw["instructions"],
        items=items,
        scale=scale,
        details={k: v for k, v in raw.items() if k not in common},
    )


def _validator_for(kind: Any, source: str) -> Callable[[Any], Any]:
    known = kind_names()
    if not isinstance(kind, str) or kind not in known:
        raise ContentError(f"Exercise file {source}: 'kind' is {kind!r}; it must be one of: {', '.join(known)}.")
    return _compiled_schema(kind_of(kind).schema)


@lru_cache(maxsize=None)
def _compiled_schema(schema_file: str) -> Callable[[Any], Any]:
    # fastjsonschema (already required by nbformat) compiles each schema once to plain
    # Python; importing the jsonschema package costs over a second, more than the rest
    # of a chapter's set-up.
    import fastjsonschema

    schema = json.loads((SCHEMAS_DIR / schema_file).read_text(encoding="utf-8"))
    return fastjsonschema.compile(schema)


def _check_unique(values: list[Any], what: str, source: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ContentError(f"Exercise file {source}: {what} {value!r} appears more than once.")
        seen.add(value)
