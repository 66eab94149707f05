"""The learner's own cohort, as the charts draw it: the server's suppressed counts, nothing finer.

:func:`group_frame` asks the server for one exercise's aggregates
(``GET /api/v1/me/aggregates``) and returns tidy counts, one row per item and answer:
``exercise, item, value, count`` (``value`` in the exercise's own type, so a rating is
an int again). Items the server hides (fewer than the cohort's minimum answered them)
have no rows; their ids are in ``frame.attrs["suppressed"]``. ``None`` means there is no
group to show, and :func:`group_frame_or_reason` says why in words.

:func:`answer_rows` turns the counts into the one-row-per-answer shape
(:data:`peerkit.model.RESPONSE_COLUMNS`) the existing charts read: ``count`` rows per
value, under placeholder learners ``group-1``, ``group-2``, … (so a chart's ``n`` is the
largest item's count: the counts say nothing about who gave which answer), each answered
"as of" the moment the counts were read.

>>> frame = group_frame(store, "boundaries")               # doctest: +SKIP
>>> frame.head(2)                                          # doctest: +SKIP
     exercise item   value  count
0  boundaries  B01   maybe      9
1  boundaries  B01   never      2
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ContentError
from .http import ServerClient, ServerRefused, ServerUnreachable
from .sender import sender_for
from .state import credentials, membership

if TYPE_CHECKING:
    import pandas as pd

    from ..store import LocalStore

COLUMNS = ["exercise", "item", "value", "count"]


def _typed(exercise_id: str) -> dict[str, Any]:
    """``{"4": 4, "maybe": "maybe"}``: JSON keys back to the scale's values."""
    from ..exercises import load_exercise

    try:
        definition = load_exercise(exercise_id)
    except ContentError:
        return {}
    return {str(option.value): option.value for option in definition.scale}


def frame_from_aggregates(answer: dict[str, Any], exercise_id: str) -> "pd.DataFrame":
    """Tidy counts from one aggregates answer (see ``docs/server-api.md``)."""
    import pandas as pd

    typed = _typed(exercise_id)
    exercise = ((answer or {}).get("exercises") or {}).get(exercise_id) or {}
    rows, suppressed = [], []
    for item, entry in sorted((exercise.get("items") or {}).items()):
        if not isinstance(entry, dict) or entry.get("suppressed"):
            suppressed.append(item)
            continue
        for value, count in sorted((entry.get("counts") or {}).items()):
            if isinstance(count, int) and count > 0:
                rows.append({"exercise": exercise_id, "item": item, "value": typed.get(str(value), value),
                             "count": count})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    cohort = (answer or {}).get("cohort") or {}
    frame.attrs.update({"cohort": cohort.get("name") or cohort.get("id") or "your group",
                        "min_group_size": cohort.get("min_group_size"),
                        "members": answer.get("members"), "respondents": exercise.get("respondents"),
                        "revision": answer.get("revision"), "suppressed": suppressed})
    return frame


def group_frame_or_reason(store: "LocalStore", exercise_id: str, *,
                          timeout: float = 2.0) -> "tuple[pd.DataFrame | None, str]":
    """``(tidy counts, "")``, or ``(None, why there is no group to show)``."""
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
    return frame_from_aggregates(answer or {}, exercise_id), ""


def group_frame(store: "LocalStore", exercise_id: str) -> "pd.DataFrame | None":
    """The learner's cohort's counts for one exercise, or ``None`` when not joined or unreachable."""
    return group_frame_or_reason(store, exercise_id)[0]


def answer_rows(counts: "pd.DataFrame") -> "pd.DataFrame":
    """Counts as one row per answer (:data:`peerkit.model.RESPONSE_COLUMNS`) for the existing charts."""
    import pandas as pd

    from ..model import RESPONSE_COLUMNS, SCHEMA_VERSION
    from ..timestamps import now

    # Counts carry no answer times. The charts leave out a row without a readable time
    # (peerkit.chart_data.readable_mask), so each row is stamped with the moment the
    # counts were read: "as of now" is what they are.
    read_at = pd.Timestamp(now())
    rows = []
    for (exercise, item), group in counts.groupby(["exercise", "item"], sort=True):
        number = 0
        for row in group.itertuples():
            for _ in range(int(row.count)):
                number += 1
                rows.append({"learner": f"group-{number}", "exercise": exercise, "item": item,
                             "value": row.value, "answered_at": read_at, "schema_version": SCHEMA_VERSION})
    frame = pd.DataFrame(rows, columns=RESPONSE_COLUMNS)
    frame.attrs.update(counts.attrs)
    return frame
