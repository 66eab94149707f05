"""A room tally: counts of raised hands, checked and parsed (no drawing, no invented rows).

For a group in a room without laptops the trainer reads out each item, counts the
hands for each option and types the counts (or pastes a table). :func:`parse_tally`
reads a pasted table and :func:`check_counts` checks counts ``{item: {option: hands}}``
against the exercise's scale; the cohort server stores them (``POST /api/v1/cohorts/{id}/tally``)
and adds them to the room's counts, so the same charts draw them from counts.

>>> from peerkit.cohort.tally import check_counts
>>> check_counts({"B01": {"never": 2, "maybe": 5}}, exercise="boundaries")
{'B01': {'never': 2, 'maybe': 5, 'always': 0}}
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import Any

from ..exercises import Exercise, load_exercise

#: Most hands we accept on one item (a typo guard: 1000 for 10 is caught).
MAX_HANDS = 500


class TallyError(ValueError):
    """A count cannot be used; the message names the item and option."""


def tally_exercise(exercise: str) -> Exercise:
    """The exercise, if a room can tally it (it has a scale of options); else :class:`TallyError`."""
    definition = load_exercise(exercise)
    if not definition.scale:
        raise TallyError(f"{exercise!r} has no options to raise hands for ({definition.kind}); "
                         "a room tally works for exercises with a scale, such as 'boundaries'.")
    return definition


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise TallyError(f"{where}: {value!r} is not a number of hands.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    elif isinstance(value, str) and not value.strip():
        value = 0
    if not isinstance(value, int):
        raise TallyError(f"{where}: {value!r} is not a whole number of hands.")
    if value < 0 or value > MAX_HANDS:
        raise TallyError(f"{where}: {value} hands? Type a count between 0 and {MAX_HANDS}.")
    return value


def check_counts(counts: Mapping[str, Mapping[Any, Any]] | Any, *, exercise: str,
                 room_size: int | None = None) -> dict[str, dict[Any, int]]:
    """Validated counts ``{item: {option value: hands}}`` in the exercise's order (missing = 0).

    ``counts`` may also be a DataFrame with items as index and option values as columns.
    """
    definition = tally_exercise(exercise)
    if hasattr(counts, "iterrows"):  # a pandas DataFrame, without importing pandas here
        counts = {str(item): row.to_dict() for item, row in counts.iterrows()}
    options = {str(o.value): o.value for o in definition.scale}
    checked: dict[str, dict[Any, int]] = {}
    for item, per_option in counts.items():
        if str(item) not in definition.item_ids:
            _unknown_item(definition, item)
        row = {o.value: 0 for o in definition.scale}
        for option, hands in per_option.items():
            if str(option) not in options:
                allowed = ", ".join(str(o.value) for o in definition.scale)
                raise TallyError(f"{item}: {option!r} is not an option of {exercise!r}; the options are {allowed}.")
            row[options[str(option)]] = _count(hands, f"{item}, {definition.label_for(options[str(option)])}")
        if room_size is not None and sum(row.values()) > room_size:
            raise TallyError(f"{item}: {sum(row.values())} hands counted, but the room has {room_size} people. "
                             "Count that item again.")
        checked[str(item)] = row
    return {item: checked[item] for item in definition.item_ids if item in checked}


def _unknown_item(definition: Exercise, item: Any) -> None:
    raise TallyError(f"{item!r} is not an item of {definition.id!r}; items are {definition.item_ids[0]} to "
                     f"{definition.item_ids[-1]} (or their numbers 1 to {len(definition.items)}).")


_ITEM_NUMBER = re.compile(r"^\d+$")


def parse_tally(text: str, *, exercise: str) -> dict[str, dict[Any, int]]:
    """Counts from a pasted table: one line per item, the item id (or number) then one count per option.

    Separators may be tabs (a spreadsheet paste), commas, semicolons or spaces. A first
    line naming the options (values or labels) may set their order; without it the
    counts follow the exercise's scale order. Blank lines and lines starting with ``#`` are skipped.

    >>> parse_tally("B01 2 5 1\\n2, 0, 3, 4", exercise="boundaries")["B02"]
    {'never': 0, 'maybe': 3, 'always': 4}
    """
    definition = tally_exercise(exercise)
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise TallyError("The pasted table is empty. Paste one line per item: the item, then the counts.")
    def cells(line: str) -> list[str]:
        # per line: a spreadsheet paste has tabs, a CSV commas or semicolons, a typed table spaces
        for separator in ("\t", ",", ";"):
            if separator in line:
                return [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=separator))]
        return line.split()

    order = [o.value for o in definition.scale]
    header = cells(lines[0])
    by_name = {str(o.value).lower(): o.value for o in definition.scale} | \
              {o.label.lower(): o.value for o in definition.scale}
    if header and all(h.strip().lower() in by_name for h in header[1:]) and len(header) > 1:
        order = [by_name[h.strip().lower()] for h in header[1:]]
        lines = lines[1:]
    counts: dict[str, dict[Any, int]] = {}
    for number, line in enumerate(lines, start=1):
        parts = cells(line)
        if len(parts) != len(order) + 1:
            raise TallyError(f"Line {number} ({line.strip()[:40]!r}) has {len(parts) - 1} counts; expected "
                             f"{len(order)} ({', '.join(definition.label_for(v) for v in order)}) after the item.")
        item = parts[0].strip()
        if _ITEM_NUMBER.match(item):
            position = int(item)
            if not 1 <= position <= len(definition.items):
                _unknown_item(definition, item)
            item = definition.item_ids[position - 1]
        elif item.upper() in definition.item_ids:
            item = item.upper()
        else:
            _unknown_item(definition, item)
        if item in counts:
            raise TallyError(f"Line {number}: item {item} appears twice in the table.")
        counts[item] = {value: _count(cell, f"Line {number}, {definition.label_for(value)}")
                        for value, cell in zip(order, parts[1:])}
    return counts
