"""Sending a learner's shared answers to their cohort: an outbox computed from the local store.

The local store is the source of truth and the outbox at once. :func:`sync` works
out what the learner's choices share *now* (:func:`peerkit.cohort.sharing.shared_rows`)
and makes the cohort hold exactly that for their pseudonym, in one transaction
(:meth:`CohortStore.sync_member`: idempotent upserts, newer answer wins, no-longer-shared
answers removed). Nothing is queued anywhere else, so nothing can be lost between
queue and store: an answer that could not be sent is simply still in the local
store, different from what was last sent, and goes out with the next sync.

To keep a click quick, a sync whose content equals the last successful one does not
touch the network, and after an attempt that failed *slowly* (a network timeout,
more than :data:`SLOW_FAILURE_SECONDS`) the next ones within :data:`RETRY_AFTER_SECONDS`
report the same message without waiting on the network again. A quick failure
(connection refused, shared folder missing) is retried at every sync. ``force=True``
skips both shortcuts.

>>> result = sync(store)          # doctest: +SKIP
>>> result.message                # doctest: +SKIP
''
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import CohortError, CohortUnreachableError
from .membership import OUTBOX_SETTING, URL_ENV, membership
from .sharing import shared_rows

if TYPE_CHECKING:
    from ..store import LocalStore

#: What the learner reads when the cohort store is out of reach. Their answer is safe.
UNREACHABLE_MESSAGE = "Saved on this computer; will send to your group when it can be reached."
#: After a failed attempt, wait this long before waiting on the network again.
RETRY_AFTER_SECONDS = 15.0
#: A failed attempt that took longer than this makes the next syncs wait (see above).
SLOW_FAILURE_SECONDS = 1.0


@dataclass(frozen=True)
class SyncResult:
    """What a sync did. ``message`` is empty when the group has everything shared."""

    sent: int = 0
    removed: int = 0
    message: str = ""
    #: Technical reason for a failure (for the trainer or a log, not for the learner's status line).
    detail: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.message


def _digest(cohort: str, pseudonym: str, rows: list[dict]) -> str:
    canonical = json.dumps([cohort, pseudonym, rows], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def pending(store: "LocalStore") -> bool:
    """Has the learner shared answers the cohort has not received yet?"""
    current = membership(store)
    if current is None or current.mode != "live":
        return False
    rows = shared_rows(store, current.share)
    outbox = store.get_setting(OUTBOX_SETTING) or {}
    return outbox.get("digest") != _digest(current.cohort, current.pseudonym, rows)


def sync(store: "LocalStore", *, force: bool = False) -> SyncResult:
    """Send the learner's shared answers to their cohort; never raises for an unreachable store.

    Returns a :class:`SyncResult`. If the learner is in no cohort, or hands in files
    (Binder), there is nothing to send and the result is empty.
    """
    current = membership(store)
    if current is None or current.mode != "live":
        return SyncResult()
    rows = shared_rows(store, current.share)
    digest = _digest(current.cohort, current.pseudonym, rows)
    outbox = store.get_setting(OUTBOX_SETTING) or {}
    if not force and outbox.get("digest") == digest:
        return SyncResult(skipped=True)
    if not force and outbox.get("slow") and time.time() - float(outbox.get("failed_at", 0)) < RETRY_AFTER_SECONDS:
        return SyncResult(message=UNREACHABLE_MESSAGE, detail=str(outbox.get("detail", "")), skipped=True)

    address = current.store_url()
    if not address:
        return _failed(store, outbox, f"{URL_ENV} is not set in this session, so the group store is unknown.")
    from .store import CohortStore

    started = time.monotonic()
    try:
        cohort_store = CohortStore(address, create=False)
        try:
            sent, removed = cohort_store.sync_member(current.cohort, current.pseudonym, rows)
        finally:
            cohort_store.close()
    except CohortUnreachableError as error:
        return _failed(store, outbox, str(error), slow=time.monotonic() - started > SLOW_FAILURE_SECONDS)
    except CohortError as error:
        # reachable but refusing (cohort deleted, tables missing): still nothing lost locally
        return SyncResult(message=f"Saved on this computer. Not sent to your group: {error}", detail=str(error))
    store.set_setting(OUTBOX_SETTING, {"digest": digest, "sent_at": time.time(), "sent": sent})
    return SyncResult(sent=sent, removed=removed)


def _failed(store: "LocalStore", outbox: dict, detail: str, slow: bool = False) -> SyncResult:
    kept = {k: v for k, v in outbox.items() if k in ("digest", "sent_at", "sent")}
    store.set_setting(OUTBOX_SETTING, {**kept, "failed_at": time.time(), "slow": slow, "detail": detail})
    return SyncResult(message=UNREACHABLE_MESSAGE, detail=detail)
