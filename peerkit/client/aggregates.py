"""The learner's own cohort, as the charts draw it: the server's suppressed counts, nothing finer.

:func:`group_view_or_reason` asks the server for one exercise's aggregates
(``GET /api/v1/me/aggregates``) and returns them as a :class:`peerkit.group_view.GroupView`
(counts per item and value, people per item, the cohort's own ``min_group_size``), which
every chart and summary reads directly. Items the server hides (fewer than the cohort's
minimum answered them) come as ``{"suppressed": true}`` and stay withheld in the view.
``None`` means there is no group to show, and the reason says why in words.

>>> view, reason = group_view_or_reason(store, "boundaries")   # doctest: +SKIP
>>> view.split("B01")                                           # doctest: +SKIP
'Never OK 2 · Maybe OK 9'
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ContentError
from ..exercises import load_exercise
from ..group_view import TALLY_LABEL, GroupView
from .http import ServerClient, ServerRefused, ServerUnreachable
from .sender import sender_for
from .state import credentials, membership

if TYPE_CHECKING:
    from ..store import LocalStore

#: What the learner's own cohort is called in charts and summaries.
JOINED_LABEL = "group you joined"

def view_from_aggregates(answer: dict[str, Any], exercise_id: str, *, label: str = JOINED_LABEL) -> GroupView | None:
    """One exercise of an aggregates answer (see ``docs/server-api.md``) as a group view (None: unknown exercise).

    Only the answers' counts are drawn; a room tally (``"tally"``) is a group of its own
    (:func:`tally_view_from_aggregates`) and never added to them.
    """
    try:
        definition = load_exercise(exercise_id)
    except ContentError:
        return None
    exercise = ((answer or {}).get("exercises") or {}).get(exercise_id) or {}
    rows, people, withheld = [], {}, []
    for item, entry in (exercise.get("items") or {}).items():
        if not isinstance(entry, dict) or entry.get("suppressed"):
            withheld.append(item)
            continue
        if isinstance(entry.get("n"), int):
            people[item] = entry["n"]
        for value, count in (entry.get("counts") or {}).items():
            rows.append((exercise_id, item, value, count))
    cohort = (answer or {}).get("cohort") or {}
    respondents = exercise.get("respondents")
    return GroupView.from_counts(definition, rows, people, withheld=withheld, label=label,
                                 group_size=respondents if isinstance(respondents, int) else None,
                                 min_group_size=cohort.get("min_group_size"))

def tally_view_from_aggregates(answer: dict[str, Any], exercise_id: str) -> GroupView | None:
    """The room tally of one exercise (hands counted by the trainer) as a group view of its own, or None."""
    exercise = ((answer or {}).get("exercises") or {}).get(exercise_id) or {}
    tally = exercise.get("tally")
    if not tally:
        return None
    rows, people, withheld = [], {}, []
    for item, entry in tally.items():
        if not isinstance(entry, dict) or entry.get("suppressed"):
            withheld.append(item)
            continue
        people[item] = int(entry.get("n") or 0)
        rows += [(exercise_id, item, value, count) for value, count in (entry.get("counts") or {}).items()]
    cohort = (answer or {}).get("cohort") or {}
    return GroupView.from_counts(exercise_id, rows, people, withheld=withheld, label=TALLY_LABEL,
                                 min_group_size=cohort.get("min_group_size"))

def group_view_or_reason(store: "LocalStore", exercise_id: str, *,
                         timeout: float = 2.0) -> "tuple[GroupView | None, str]":
    """``(the learner's cohort as a group view, "")``, or ``(None, why there is no group to show)``."""
    current = membership(store)
    if current is None:
        return None, "You have not joined a group."
    if current.mode != "live":
        return None, "Your group collects answers as files, so its counts are on your trainer's screen only."
    signed_in = credentials(store)
    if signed_in is None:
        return None, "This computer is not signed in to your group; join again with your trainer's code."
    client = ServerClient(str(signed_in["server"]), str(signed_in["token"]), timeout=timeout)
    if sender_for(store).server_seems_away():  # the sender is still waiting for it: do not make a cell wait too
        return None, f"Your group's server could not be reached just now ({client.address})."
    try:
        answer = client.my_aggregates(exercise_id)
    except ServerUnreachable:
        return None, f"Your group's server could not be reached just now ({client.address})."
    except ServerRefused as error:
        return None, error.detail
    return view_from_aggregates(answer or {}, exercise_id), ""

def group_view(store: "LocalStore", exercise_id: str) -> GroupView | None:
    """The learner's cohort's counts for one exercise, or ``None`` when not joined or unreachable."""
    return group_view_or_reason(store, exercise_id)[0]
