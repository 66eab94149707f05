"""One exercise's group answers as counts, with the small-group rule inside: what every group chart draws.

A :class:`GroupView` is built from counts, the way the server keeps them and a room
tally gives them: rows ``(exercise, item, value, n)`` ("n people chose this value on
this item") plus the number of people who answered each item. Nothing here turns
counts back into one row per person; charts, their text summaries and the "most
divided" prompts read the counts directly, as seaborn's ``barplot`` reads aggregated
values.

A table of one row per answer (the synthetic reference group, a learner's own file) is
counted into a view once (:meth:`GroupView.from_answers`); a row no chart can use (a dict
where a choice belongs, a broken timestamp) is left out and counted
(:func:`peerkit.group_rules.readable_mask`, :func:`peerkit.group_rules.skipped_note`), never
allowed to stop the view. What the view asks of the exercise (how it is drawn, an item's
values and options, which rows it can read) is :mod:`peerkit.group_rules`.

Small groups are hidden *per item*, here and nowhere else: an item fewer than
``min_group_size`` people answered (:data:`peerkit.privacy.MIN_GROUP_SIZE`, or the
cohort's own) is *withheld*: the view gives no count, share, n or rank for it, only
its place in the list, and the whole exercise is withheld while fewer than that many
people answered it. Everything a view gives out has passed that rule, which is why the
class is kept whole (about 400 lines): every number it gives out is checked in one place.

What an item shows:

- :meth:`GroupView.counts`: ``{value: people}`` in the scale's (or the question's) order;
- :meth:`GroupView.percentages`: whole percentages that add up to 100 (largest remainder;
  a question that allows several answers gives each option's share of the people who
  answered it instead, which need not add up to 100);
- :meth:`GroupView.split`: "Never 3 · Maybe 2 · Always 2";
- :meth:`GroupView.most_common`: every value tied for the top, so a tie is said as a tie;
- :meth:`GroupView.divided`: the items on which no answer has a clear majority, most divided first;
- :meth:`GroupView.rating`: a rating item's mean and its middle half, in whole steps of the scale.

>>> view = GroupView.from_counts("boundaries", [("boundaries", "B01", "never", 3), ("boundaries", "B01", "maybe", 2),
...                              ("boundaries", "B01", "always", 2), ("boundaries", "B02", "never", 2)],
...                              {"B01": 7, "B02": 2})
>>> view.n, view.shown_items, view.hidden_items
(7, ['B01'], ['B02'])
>>> view.split("B01")
'Never OK 3 · Maybe OK 2 · Always OK 2'
>>> view.percentages("B01")
{'never': 43, 'maybe': 29, 'always': 28}
>>> view.counts("B02") is None
True
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .exercises import Exercise, load_exercise
from .group_rules import (NOT_AN_OPTION, decoded_value, drawn_style, item_values, option_value, readable_mask,
                          several_answers, skipped_note)
from .privacy import MIN_GROUP_SIZE, suppressed_message, too_few

if TYPE_CHECKING:
    import pandas as pd

#: No answer chosen by more than this share of the people who answered an item: the item is "divided".
DEFAULT_DIVIDED_THRESHOLD = 0.6
#: What a room tally (hands the trainer counted) is called as a group: "How the room (hands counted) answered".
TALLY_LABEL = "room (hands counted)"
#: Between the parts of a split ("Never 3 · Maybe 2").
SEPARATOR = " · "


def largest_remainder(counts: list[int], total: int = 100) -> list[int]:
    """Whole shares of ``total`` in proportion to ``counts`` that add up to ``total`` exactly.

    Each count gets the whole part of its exact share; what is left goes one by one to
    the largest remainders (ties: the larger count, then the earlier option). All zero
    counts give all zeros.

    >>> largest_remainder([1, 1, 1])
    [34, 33, 33]
    >>> largest_remainder([2, 0, 1])
    [67, 0, 33]
    """
    people = sum(counts)
    if people <= 0:
        return [0 for _ in counts]
    whole = [count * total // people for count in counts]
    remainders = [count * total % people for count in counts]
    left = total - sum(whole)
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:left]:
        whole[i] += 1
    return whole


@dataclass(frozen=True)
class Divided:
    """One item on which the group is divided (a discussion prompt)."""

    item: str
    text: str
    n: int
    top_share: float
    top_values: tuple[Any, ...]
    top_labels: tuple[str, ...]
    split: str

    @property
    def tie(self) -> bool:
        return len(self.top_values) > 1

    @property
    def top_words(self) -> str:
        """"most common: Never OK (43%)", or "tied: Never OK and Maybe (40% each)"."""
        share = f"{round(100 * self.top_share)}%"
        if self.tie:
            return f"tied: {_spoken(list(self.top_labels))} ({share} each)"
        return f"most common: {self.top_labels[0]} ({share})"


@dataclass(frozen=True)
class Rating:
    """A rating item's numbers: mean, and the middle half of the ratings as scale values (whole steps)."""

    n: int
    mean: float
    low_quartile: Any
    median: Any
    high_quartile: Any

    @property
    def middle_words(self) -> str:
        if self.low_quartile == self.high_quartile:
            return f"middle half all at {self.low_quartile}"
        return f"middle half {self.low_quartile} to {self.high_quartile}"


@dataclass(frozen=True)
class OptionResult:
    """A knowledge-check option: how many chose it, the whole percentage, and whether it is right."""

    value: str
    label: str
    count: int
    percent: int
    correct: bool


def _spoken(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class GroupView:
    """One exercise's group counts with the small-group rule applied per item (see the module's text)."""

    definition: Exercise
    _counts: dict[str, dict[Any, int]]
    _respondents: dict[str, int]
    group_size: int
    min_group_size: int = MIN_GROUP_SIZE
    label: str = "group"
    skipped: int = 0
    withheld: frozenset[str] = field(default_factory=frozenset)

    # -- building -----------------------------------------------------------------------------------
    @classmethod
    def from_counts(cls, exercise: str | Exercise, rows: Iterable[tuple[str, str, Any, int]],
                    respondents: Mapping[str, int] | Iterable[tuple[str, str, int]], *,
                    group_size: int | None = None, min_group_size: int | None = None, label: str = "group",
                    withheld: Iterable[str] = (), skipped: int = 0) -> "GroupView":
        """A view from counts rows ``(exercise, item, value, n)`` and people per item.

        ``respondents`` is ``{item: people}`` or rows ``(exercise, item, people)``. Rows of
        other exercises, unknown items, values that are not options and counts below 1 are
        left out. ``group_size`` is how many people answered the exercise (by default the
        most people any one item has). ``withheld`` names items someone else already hid
        (the server's ``{"suppressed": true}``): they count as answered by too few.
        """
        definition = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
        counts: dict[str, dict[Any, int]] = {}
        for row_exercise, item, value, n in rows:
            if row_exercise != definition.id or item not in definition.item_ids:
                continue
            option = option_value(definition, item, decoded_value(value))
            if option is NOT_AN_OPTION or not isinstance(n, int) or isinstance(n, bool) or n <= 0:
                continue
            per = counts.setdefault(item, {})
            per[option] = per.get(option, 0) + n
        if isinstance(respondents, Mapping):
            people = {str(item): int(n) for item, n in respondents.items() if item in definition.item_ids}
        else:
            people = {item: int(n) for row_exercise, item, n in respondents
                      if row_exercise == definition.id and item in definition.item_ids}
        for item, per in counts.items():  # never fewer people than the answers to a one-answer item show
            if not several_answers(definition, item):
                people[item] = max(people.get(item, 0), sum(per.values()))
        size = max(people.values(), default=0) if group_size is None else max(int(group_size), 0)
        return cls(definition, counts, people, size, MIN_GROUP_SIZE if min_group_size is None else int(min_group_size),
                   label, int(skipped), frozenset(w for w in withheld if w in definition.item_ids))

    @classmethod
    def from_answers(cls, data: "pd.DataFrame", exercise: str | Exercise, *, min_group_size: int | None = None,
                     label: str = "group") -> "GroupView":
        """A view counted from one row per answer (``learner, item, value``): the synthetic reference group,
        a learner's own file. Rows that are no valid answer (:func:`readable_mask`) are
        left out and counted in :attr:`skipped`; a person's later row for an item replaces an earlier one."""
        definition = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
        if "exercise" in data.columns:
            data = data[data["exercise"] == definition.id]
        mask = readable_mask(data, definition)
        clean = data[mask] if len(data) else data
        skipped = int(len(data) - len(clean))
        if len(clean):
            clean = clean.drop_duplicates(["learner", "item"], keep="last")
        counts: dict[tuple[str, Any], int] = {}
        people: dict[str, int] = {}
        for item, value in (zip(clean["item"], clean["value"]) if len(clean) else ()):
            people[item] = people.get(item, 0) + 1
            for chosen in (value if isinstance(value, list) else [value]):
                counts[(item, chosen)] = counts.get((item, chosen), 0) + 1
        size = int(clean["learner"].nunique()) if len(clean) else 0
        return cls.from_counts(definition, [(definition.id, i, v, n) for (i, v), n in counts.items()], people,
                               group_size=size, min_group_size=min_group_size, label=label, skipped=skipped)

    def relabelled(self, label: str) -> "GroupView":
        """The same counts under another name for the group ("group you joined")."""
        return GroupView(self.definition, self._counts, self._respondents, self.group_size, self.min_group_size,
                         label, self.skipped, self.withheld)

    # -- what may be shown ----------------------------------------------------------------------------
    @property
    def exercise(self) -> str:
        return self.definition.id

    @property
    def style(self) -> str:
        """How the view is drawn: ``"diverging"``, ``"profile"``, ``"options"`` or "" (:func:`drawn_style`)."""
        return drawn_style(self.definition)

    @property
    def shown(self) -> bool:
        """Whether the exercise may be drawn at all (enough people answered it)."""
        return not too_few(self.group_size, self.min_group_size)

    @property
    def n(self) -> int | None:
        """How many people answered the exercise, or None while too few did."""
        return self.group_size if self.shown else None

    def is_shown(self, item: str) -> bool:
        return (self.shown and item not in self.withheld
                and not too_few(self._respondents.get(item, 0), self.min_group_size))

    @property
    def shown_items(self) -> list[str]:
        """Items whose counts may be shown, in the exercise's order."""
        return [item for item in self.definition.item_ids if self.is_shown(item)]

    @property
    def hidden_items(self) -> list[str]:
        """Items someone answered that are withheld (too few people), in the exercise's order."""
        return [item for item in self.definition.item_ids if not self.is_shown(item)
                and (item in self.withheld or self._respondents.get(item, 0) > 0)]

    @property
    def suppressed_message(self) -> str:
        return suppressed_message(self.min_group_size)

    @property
    def skipped_note(self) -> str:
        return skipped_note(self.skipped)

    def values(self, item: str) -> list[Any]:
        """The values an item can take, in display order (the scale, or the question's options)."""
        return item_values(self.definition, item)

    def label_for(self, item: str, value: Any) -> str:
        if self.definition.scale:
            return self.definition.label_for(value)
        for option in self.definition.item(item).details.get("options", []):
            if option["value"] == value:
                return str(option["label"])
        return str(value)

    def item_n(self, item: str) -> int | None:
        """People who answered ``item``, or None when it is withheld."""
        return self._respondents.get(item, 0) if self.is_shown(item) else None

    def counts(self, item: str) -> dict[Any, int] | None:
        """``{value: people}`` for every value (0 where nobody chose it), or None when withheld."""
        if not self.is_shown(item):
            return None
        per = self._counts.get(item, {})
        return {value: int(per.get(value, 0)) for value in self.values(item)}

    def percentages(self, item: str) -> dict[Any, int] | None:
        """Whole percentages per value (adding up to 100 for one-answer items), or None when withheld."""
        counts = self.counts(item)
        if counts is None:
            return None
        if several_answers(self.definition, item):
            people = self._respondents.get(item, 0) or 1
            return {value: round(100 * count / people) for value, count in counts.items()}
        return dict(zip(counts, largest_remainder(list(counts.values()))))

    def shares(self, item: str) -> dict[Any, float] | None:
        """Exact shares (0-1) per value of the people who answered, or None when withheld."""
        counts = self.counts(item)
        if counts is None:
            return None
        people = self._respondents.get(item, 0) if several_answers(self.definition, item) else sum(counts.values())
        return {value: count / people if people else 0.0 for value, count in counts.items()}

    def most_common(self, item: str) -> list[Any]:
        """Every value chosen by the most people (several when tied), or [] when withheld or unanswered."""
        counts = self.counts(item)
        if not counts or max(counts.values()) == 0:
            return []
        top = max(counts.values())
        return [value for value, count in counts.items() if count == top]

    def split(self, item: str) -> str:
        """"Never OK 3 · Maybe 2 · Always OK 2" (options nobody chose left out), or the withheld words."""
        counts = self.counts(item)
        if counts is None:
            return self.suppressed_message
        return SEPARATOR.join(f"{self.label_for(item, value)} {count}" for value, count in counts.items() if count)

    def divided(self, threshold: float | None = None) -> list[Divided]:
        """Items where no answer has more than ``threshold`` of the people, most divided first.

        Ranked by the share of the most common answer (lowest first), then by how many
        answers were chosen at all (more first), then by n (more first), then in course order.
        """
        if threshold is None:
            threshold = float(self.definition.details.get("divided_threshold", DEFAULT_DIVIDED_THRESHOLD))
        found = []
        for position, item in enumerate(self.shown_items):
            counts, shares = self.counts(item), self.shares(item)
            assert counts is not None and shares is not None
            if not sum(counts.values()):
                continue
            top = self.most_common(item)
            top_share = shares[top[0]]
            if top_share > threshold + 1e-9:
                continue
            used = sum(1 for count in counts.values() if count)
            found.append(((top_share, -used, -self._respondents.get(item, 0), position), Divided(
                item, self.definition.item(item).text, int(self._respondents.get(item, 0)), top_share, tuple(top),
                tuple(self.label_for(item, v) for v in top), self.split(item))))
        return [entry for _key, entry in sorted(found, key=lambda pair: pair[0])]

    def agreed(self, limit: int = 3) -> list[tuple[str, list[Any], float]]:
        """The items with the clearest majority: ``(item, most common values, their share)``, clearest first."""
        found = []
        for position, item in enumerate(self.shown_items):
            top = self.most_common(item)
            if top:
                shares = self.shares(item)
                assert shares is not None
                found.append((-shares[top[0]], position, item, top, shares[top[0]]))
        return [(item, top, share) for _s, _p, item, top, share in sorted(found)[:limit]]

    def rating(self, item: str) -> Rating | None:
        """A rating item's mean and middle half (whole scale steps), or None when withheld or unrated."""
        counts = self.counts(item)
        if not counts:
            return None
        pairs = [(value, count) for value, count in counts.items() if count]
        people = sum(count for _value, count in pairs)
        if not people:
            return None
        pairs.sort(key=lambda pair: pair[0])
        mean = sum(float(value) * count for value, count in pairs) / people

        def at(fraction: float) -> Any:
            # the smallest value at or above which the given fraction of ratings lie: always a step of the scale
            needed, seen = math.ceil(fraction * people - 1e-9), 0
            for value, count in pairs:
                seen += count
                if seen >= max(needed, 1):
                    return value
            return pairs[-1][0]

        return Rating(people, mean, at(0.25), at(0.5), at(0.75))

    def option_results(self, item: str) -> list[OptionResult] | None:
        """A knowledge-check question: each option's count and percentage, the right ones marked (None: withheld)."""
        counts, percentages = self.counts(item), self.percentages(item)
        if counts is None or percentages is None:
            return None
        correct = set(self.definition.item(item).details.get("correct", []))
        return [OptionResult(value, self.label_for(item, value), counts[value], percentages[value], value in correct)
                for value in counts]

    def hidden_sentence(self) -> str:
        """"Not shown (fewer than 5 answers): “…”; “…”." or "" when nothing answered is withheld."""
        hidden = self.hidden_items if self.shown else []
        if not hidden:
            return ""
        return (f"Not shown ({self.suppressed_message}): "
                + "; ".join(f"“{self.definition.item(i).text}”" for i in hidden) + ".")


def group_view(group: "GroupView | pd.DataFrame", exercise: str | Exercise | None = None, *,
               min_group_size: int | None = None, label: str | None = None) -> GroupView:
    """``group`` as a view: a view as it is (renamed when ``label`` is given), answer rows counted."""
    if isinstance(group, GroupView):
        return group.relabelled(label) if label is not None and label != group.label else group
    if exercise is None:
        raise ValueError("Answer rows need the exercise they answer: group_view(rows, 'boundaries').")
    return GroupView.from_answers(group, exercise, min_group_size=min_group_size, label=label or "group")
