"""The group charts in words: what :mod:`peerkit.charts` draws, said as plain text (never HTML).

Each plot function of :mod:`peerkit.charts` has a ``describe_*`` partner here that says
the same thing, for screen readers and for anyone who prefers text, from the same
:class:`peerkit.group_view.GroupView` and under the same small-group rule: an item too
few people answered is named as not shown, with no count, and a group that small gets
only :func:`suppression_message`. :func:`divided_prompts` turns the most divided items
into discussion prompts. No summary says how often the learner matched the majority:
no answer here is right.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .group_view import GroupView, group_view
from .privacy import MIN_GROUP_SIZE, suppressed_message

if TYPE_CHECKING:
    import pandas as pd

    Group = GroupView | pd.DataFrame


def suppression_message(min_group_size: int = MIN_GROUP_SIZE) -> str:
    """Why a whole chart is not drawn (no count of the few who answered: that too could single someone out)."""
    return (f"Not shown yet: {suppressed_message(min_group_size)}. Group results appear once at least {min_group_size} "
            "people have answered, so that no one's answers can be picked out.")


def _summary(group: "Group", exercise: str | None, group_label: str | None, min_group_size: int | None,
             own: dict[str, Any] | None, sentences: Callable[[GroupView, dict[str, Any] | None], list[str]]) -> str:
    """The words of one chart: ``sentences`` of the view, then what is withheld and what could not be read.

    A group too small to show gets only :func:`suppression_message` (and the note of unreadable rows).
    """
    view = group_view(group, exercise, min_group_size=min_group_size, label=group_label)
    if not view.shown:
        parts = [suppression_message(view.min_group_size)]
    else:
        parts = [*sentences(view, own), view.hidden_sentence()]
    return " ".join(filter(None, [*parts, view.skipped_note]))


def _answered_sentence(view: GroupView, verb: str = "answered") -> str:
    items = len(view.definition.items)
    shown = len(view.shown_items)
    if shown == items:
        return f"{view.group_size} people in the {view.label} {verb} {items} items."
    return (f"{view.group_size} people in the {view.label} answered; {shown} of {items} items have at least "
            f"{view.min_group_size} answers and are shown.")


def _top_words(view: GroupView, item: str, top: list[Any], share: float) -> str:
    labels = [view.label_for(item, value) for value in top]
    if len(labels) > 1:
        return f"tied: {' and '.join(labels)}, {round(100 * share)}% each"
    return f"{round(100 * share)}% {labels[0]}"


def _few(texts: list[str]) -> str:
    """Up to three quoted item texts joined with "and"; more than three say how many share the place."""
    if len(texts) > 3:
        return f"{len(texts)} items at the same level"
    return " and ".join(f"“{text}”" for text in texts)


def divided_prompts(view: GroupView, limit: int = 5, own: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The most divided items as discussion prompts: text, split ("Never OK 3 · Maybe OK 2"), tie words, n."""
    prompts = []
    for row in view.divided()[:limit]:
        mine = (own or {}).get(row.item)
        prompts.append({"exercise": view.exercise, "exercise_title": view.definition.title, "item": row.item,
                        "text": row.text, "split": row.split, "top": row.top_words, "tie": row.tie,
                        "top_share": row.top_share, "n": row.n,
                        "yours": view.label_for(row.item, mine) if mine is not None else ""})
    return prompts


def _choice_sentences(view: GroupView, own: dict[str, Any] | None) -> list[str]:
    definition = view.definition
    parts = [_answered_sentence(view)]
    agreed = view.agreed(3)
    if agreed:
        parts.append("Most agreement: " + "; ".join(
            f"“{definition.item(item).text}” ({_top_words(view, item, top, share)})" for item, top, share in agreed
        ) + ".")
        divided = view.divided()
        if divided:
            parts.append("Most divided: " + "; ".join(f"“{row.text}” ({row.split})" for row in divided[:3]) + ".")
        else:
            parts.append("No item divided the group: on every item most people gave the same answer.")
    return parts


def describe_choice_split(group: "Group", *, exercise: str | None = None, own: dict[str, Any] | None = None,
                          group_label: str | None = None, min_group_size: int | None = None) -> str:
    """The chart of :func:`peerkit.charts.plot_choice_split` in words (plain text, never HTML).

    It names where the group agreed and where it was divided (with the split), never
    how often the learner's answers matched the majority: no answer here is right.
    """
    return _summary(group, exercise, group_label, min_group_size, own, _choice_sentences)


def _rating_sentences(view: GroupView, own: dict[str, Any] | None) -> list[str]:
    definition = view.definition
    means = {item: rating.mean for item in view.shown_items if (rating := view.rating(item)) is not None}
    parts = [_answered_sentence(view, "rated")]
    if means:
        top = max(means.values())
        bottom = min(means.values())
        highest = [definition.item(i).text for i, m in means.items() if m == top]
        lowest = [definition.item(i).text for i, m in means.items() if m == bottom]
        if top != bottom:
            parts += [f"Highest on average: {_few(highest)} ({top:.1f}).",
                      f"Lowest on average: {_few(lowest)} ({bottom:.1f})."]
        parts.append("Averages: " + "; ".join(
            f"“{definition.item(i).text}” {m:.1f} ({view.rating(i).middle_words})"  # type: ignore[union-attr]
            for i, m in means.items()) + ".")
    if own and not definition.personal:
        rated = [item for item in means if item in own]
        above = [definition.item(i).text for i in rated if float(own[i]) > means[i] + 0.5]
        below = [definition.item(i).text for i in rated if float(own[i]) < means[i] - 0.5]
        if above:
            parts.append("You rated yourself above the group average on: " + "; ".join(above) + ".")
        if below:
            parts.append("You rated yourself below the group average on: " + "; ".join(below) + ".")
        if not above and not below and rated:
            parts.append("Your ratings are close to the group average throughout.")
    elif own:
        parts.append("Your own ratings: " + "; ".join(
            f"“{definition.item(i).text}” {own[i]}" for i in definition.item_ids if i in own) + ".")
    return parts


def describe_rating_profile(group: "Group", *, exercise: str | None = None, own: dict[str, Any] | None = None,
                            group_label: str | None = None, min_group_size: int | None = None) -> str:
    """The chart of :func:`peerkit.charts.plot_rating_profile` in words (plain text).

    A personal check-in (``"personal": true``) is never ranked against the group: its
    summary gives the group's averages and the learner's own ratings side by side,
    without "above" or "below".
    """
    return _summary(group, exercise, group_label, min_group_size, own, _rating_sentences)


def _knowledge_check_sentences(view: GroupView, _own: dict[str, Any] | None) -> list[str]:
    parts = [f"{view.group_size} people in the {view.label} answered the questions."]
    for number, item in enumerate(view.definition.items, 1):
        results = view.option_results(item.id)
        if results is None:
            continue
        right = [r for r in results if r.correct]
        others = [r for r in results if not r.correct]
        parts.append(f"Question {number}, “{item.text}”: "
                     + "; ".join(f"{r.percent}% chose the right answer, “{r.label.rstrip('.')}”" for r in right)
                     + ("; " if right and others else "")
                     + "; ".join(f"{r.percent}% “{r.label.rstrip('.')}”" for r in others) + ".")
    return parts


def describe_knowledge_check(group: "Group", *, exercise: str | None = None, group_label: str | None = None,
                             min_group_size: int | None = None) -> str:
    """The chart of :func:`peerkit.charts.plot_knowledge_check` in words."""
    return _summary(group, exercise, group_label, min_group_size, None, _knowledge_check_sentences)

