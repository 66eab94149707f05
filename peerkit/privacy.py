"""The one privacy threshold: how many people must have answered before a count is shown.

Every surface that shows group answers (``pk.compare``, the projector page, the
trainer's dashboard, panels, research charts and exports, the cohort server's
aggregates) hides an item's counts and shares while fewer than
:data:`MIN_GROUP_SIZE` people answered *that item*. It is checked per item, never
per exercise: an item answered by one person is never drawn as "100% (n=1)".

>>> from peerkit.privacy import MIN_GROUP_SIZE, too_few, suppressed_message
>>> MIN_GROUP_SIZE
5
>>> too_few(4), too_few(5)
(True, False)
>>> suppressed_message()
'fewer than 5 answers'
"""
from __future__ import annotations

#: Fewest people whose answers to one item may be shown as counts or shares.
MIN_GROUP_SIZE = 5


def too_few(answered: int, min_group_size: int = MIN_GROUP_SIZE) -> bool:
    """Whether an item answered by ``answered`` people must be hidden."""
    return answered < min_group_size


def suppressed_message(min_group_size: int = MIN_GROUP_SIZE) -> str:
    """The words shown in place of a hidden item's counts (charts, text summaries, the projector)."""
    return f"fewer than {min_group_size} answers"
