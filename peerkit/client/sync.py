"""The hook widgets call after a save: queue the learner's shared answers and wake the sender.

:func:`sync` works out what the learner's choices share *now*
(:func:`peerkit.client.sharing.shared_rows`), queues what differs from what the group
was last sent (:func:`peerkit.client.outbox.queue_changes`: new or changed answers, and
withdrawals of answers no longer shared), wakes the background sender and returns at
once with an honest status line. It never waits on the network.

>>> result = sync(store, exercise="boundaries")   # doctest: +SKIP
>>> result.message                                # doctest: +SKIP
'Saved here; waiting to send to your group.'
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import outbox
from .sender import WAITING, sender_for
from .sharing import shared_rows
from .state import credentials, membership

if TYPE_CHECKING:
    from ..store import LocalStore

#: A learner in a group but not signed in on this computer (a portfolio restored in a new session).
NOT_SIGNED_IN = ("Saved here. Not sent to your group: this session is not signed in to it. Join again with the "
                 "code from your trainer, in the “Join your group” panel of the welcome chapter.")


@dataclass(frozen=True)
class SyncResult:
    """What a sync did. ``message`` is the status line for the learner ("" when nothing is shared)."""

    queued: int = 0
    waiting: int = 0
    message: str = ""
    #: True when the message reports a problem (refused, not signed in, cohort closed).
    problem: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem


def pending(store: "LocalStore") -> bool:
    """Are shared answers waiting to be sent?"""
    return membership(store) is not None and outbox.pending_count(store) > 0


def sync(store: "LocalStore", *, exercise: str | None = None,
         notify: Callable[[str], None] | None = None) -> SyncResult:
    """Queue what the learner's choices share now and wake the sender; returns at once.

    ``exercise`` names the exercise just saved: the message is about it, and ``notify``
    (if given) is called later with its new status line once it has been sent, refused,
    or cannot be sent for a reason the learner should know. Nothing to do when the
    learner is in no group, or hands in files.
    """
    current = membership(store)
    if current is None or current.mode != "live":
        return SyncResult()
    queued = outbox.queue_changes(store, shared_rows(store, current.share))
    waiting = outbox.pending_count(store)
    if credentials(store) is None:
        return SyncResult(len(queued), waiting, NOT_SIGNED_IN if waiting else "", problem=bool(waiting))
    sender = sender_for(store)
    sender.wake()
    if exercise is None:
        message = WAITING if waiting else ""
    else:
        message = sender.status_for(exercise)
        if notify is not None and outbox.pending_count(store, exercise):
            sender.notify_when_settled(exercise, notify)
    problem = bool(message) and message.startswith("Saved here.") or (bool(sender.problem) and waiting > 0)
    return SyncResult(len(queued), waiting, message, problem)
