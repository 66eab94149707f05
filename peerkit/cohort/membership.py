"""Joining a cohort, choosing what to share, and leaving: the learner's side, kept in their own store.

Membership lives in the learner's *local* store settings (``store.get_setting("cohort")``),
never in the cohort store: the cohort store only ever sees the cohort pseudonym
(:mod:`peerkit.cohort.pseudonym`) and the answers the learner chose to share.

Two ways to be in a cohort:

- **live** – with a join code, when a cohort store can be reached (the ``url`` given,
  or ``PEERKIT_COHORT_URL``): shared answers are sent as they are saved;
- **file** – on Binder, where learners share nothing with the trainer: the learner
  types the cohort id the trainer shows (``cohort-xxxxxxxx``) and hands in a
  submission file (:func:`peerkit.cohort.submission.write_submission`).

>>> from peerkit.cohort.membership import join, leave
>>> membership = join(store, "K7Q-4MX", url="sqlite:////srv/peerkit/cohort.sqlite")   # doctest: +SKIP
>>> leave(store)                                                                     # doctest: +SKIP
'You have left Tuesday group. The 27 answers you shared were removed from it.'
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .codes import normalize_join_code
from .errors import CohortError, CohortUnreachableError, JoinCodeError
from .pseudonym import pseudonym_for
from .sharing import check_share

if TYPE_CHECKING:
    import pandas as pd

    from ..store import LocalStore

#: Local-store setting holding the membership.
SETTING = "cohort"
#: Local-store setting holding the sync outbox state (see :mod:`peerkit.cohort.sync`).
OUTBOX_SETTING = "cohort_outbox"
URL_ENV = "PEERKIT_COHORT_URL"


@dataclass
class Membership:
    """The learner's membership of one cohort, as kept in their local store."""

    cohort: str
    name: str
    pseudonym: str
    mode: Literal["live", "file"]
    share: list[str]
    #: The store address given when joining; ``None`` means "read PEERKIT_COHORT_URL when sending"
    #: (so a password in that variable is never copied into the learner's files).
    url: str | None = None
    joined_at: str = ""
    #: Outcome of the first send after joining ("" when it went out or there was nothing to send). Not stored.
    status: str = field(default="", compare=False)

    def to_setting(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("status")
        return data

    @classmethod
    def from_setting(cls, data: Any) -> "Membership | None":
        if not isinstance(data, dict) or not data.get("cohort") or not data.get("pseudonym"):
            return None
        fields = {k: data.get(k) for k in ("cohort", "name", "pseudonym", "mode", "share", "url", "joined_at")}
        fields["share"] = list(fields["share"] or [])
        fields["mode"] = fields["mode"] if fields["mode"] in ("live", "file") else "live"
        fields["name"] = fields["name"] or fields["cohort"]
        fields["joined_at"] = fields["joined_at"] or ""
        return cls(**fields)

    def store_url(self) -> str | None:
        """Where to send answers: the address given at joining, else ``PEERKIT_COHORT_URL``."""
        return self.url or os.environ.get(URL_ENV, "").strip() or None


def membership(store: "LocalStore") -> Membership | None:
    """The learner's current membership, or ``None``."""
    return Membership.from_setting(store.get_setting(SETTING))


def _open(url: str) -> Any:
    from .store import CohortStore  # SQLAlchemy only for learners who use a cohort

    return CohortStore(url, create=False)


def join(
    store: "LocalStore",
    join_code: str,
    url: str | None = None,
    share: Iterable[str] | None = None,
) -> Membership:
    """Join the cohort with this join code (or, on Binder, this cohort id) and send what is shared.

    Parameters
    ----------
    store:
        The learner's local store; the membership is kept in its settings.
    join_code:
        The code the trainer shows (``K7Q-4MX``), checked against the cohort store. Where no
        cohort store can be reached (Binder), the cohort id instead (``cohort-xxxxxxxx``):
        answers are then handed in as a file.
    url:
        The cohort store; default ``PEERKIT_COHORT_URL``.
    share:
        Exercise ids to share; default :func:`peerkit.cohort.sharing.default_share`.
        Reflections are shared only where the learner ticked "share" on the reflection.
    """
    from .store import is_cohort_id, stamp

    chosen = check_share(share)
    text = (join_code or "").strip()
    current = membership(store)
    if is_cohort_id(text.lower()):
        cohort_id, name, mode = text.lower(), text.lower(), "file"
    else:
        normalize_join_code(text)  # a clear message for a mistyped code before touching any store
        address = url or os.environ.get(URL_ENV, "").strip()
        if not address:
            raise CohortError(
                "No group store is set up here, so a join code cannot be checked. If your trainer collects "
                "answers as files, type the cohort id they show (it starts with 'cohort-'). Otherwise ask for "
                f"the group store's address and set {URL_ENV}, or pass url=..."
            )
        cohort_store = _open(address)
        try:
            found = cohort_store.find_cohort(text)
        finally:
            cohort_store.close()
        if found is None:
            raise JoinCodeError(
                f"No group has the join code {text.upper()!r}. Check the code with your trainer "
                "(capitals and dashes do not matter). Nothing was shared."
            )
        cohort_id, name, mode = found.id, found.name, "live"
    if current is not None and current.cohort != cohort_id:
        raise CohortError(
            f"You are already in the group {current.name!r}. Leave it first (pk.join_cohort() → Leave), "
            "then join the new one."
        )
    joined = Membership(
        cohort=cohort_id,
        name=name,
        pseudonym=pseudonym_for(store, cohort_id),
        mode=mode,
        share=chosen,
        url=url or None,
        joined_at=current.joined_at if current else stamp(),
    )
    store.set_setting(SETTING, joined.to_setting())
    store.set_setting(OUTBOX_SETTING, None)  # send everything afresh to this cohort
    if mode == "live":
        from .sync import sync

        joined.status = sync(store, force=True).message
    return joined


def set_sharing(store: "LocalStore", share: Iterable[str]) -> Membership:
    """Change which exercises are shared; answers no longer shared are taken back at the next send."""
    current = membership(store)
    if current is None:
        raise CohortError("You are not in a group, so there is nothing to share. Join one first.")
    current.share = check_share(share)
    store.set_setting(SETTING, current.to_setting())
    if current.mode == "live":
        from .sync import sync

        current.status = sync(store).message
    return current


def leave(store: "LocalStore", withdraw: bool = True) -> str:
    """Leave the cohort; with ``withdraw`` (the default) remove every answer shared with it.

    Returns a sentence for the learner. If the cohort store cannot be reached to
    withdraw, raises :class:`CohortUnreachableError` and the learner stays a member
    (nothing is half done); try again later, or pass ``withdraw=False``.
    On the file route, withdrawing writes a submission with no answers: handed in,
    it replaces the learner's earlier file.
    """
    current = membership(store)
    if current is None:
        return "You are not in a group."
    if withdraw and current.mode == "live":
        address = current.store_url()
        if not address:
            raise CohortUnreachableError(
                f"Cannot withdraw your answers from {current.name!r}: {URL_ENV} is not set in this session. "
                "Open the course where you joined, or leave with withdraw=False."
            )
        try:
            cohort_store = _open(address)
            try:
                removed = cohort_store.withdraw(current.cohort, current.pseudonym)
            finally:
                cohort_store.close()
        except CohortUnreachableError as error:
            raise CohortUnreachableError(
                f"Could not reach your group's store to take back your answers, so you are still in "
                f"{current.name!r} and nothing changed. Try Leave again later. ({error})"
            ) from error
        message = (f"You have left {current.name}. The {removed} answer{'s' if removed != 1 else ''} "
                   "you shared were removed from it.")
    elif withdraw:
        from .submission import write_submission

        path = write_submission(store, withdraw=True)
        message = (f"You have left {current.name}. If you handed in a file before, hand in {path.name} "
                   "too: it replaces your earlier answers with none.")
    else:
        message = f"You have left {current.name}. Answers you already shared stay with the group."
    store.set_setting(SETTING, None)
    store.set_setting(OUTBOX_SETTING, None)
    return message


def group_responses(store: "LocalStore", exercise: str) -> "pd.DataFrame | None":
    """The learner's live cohort's shared answers to one exercise (tidy), or ``None`` if not in a live cohort.

    For :func:`peerkit.compare`. Raises :class:`CohortUnreachableError` if the store cannot be
    reached; the caller falls back to the synthetic reference group and says so.
    """
    current = membership(store)
    if current is None or current.mode != "live" or not current.store_url():
        return None
    cohort_store = _open(current.store_url())
    try:
        return cohort_store.responses_frame(current.cohort, exercise)
    finally:
        cohort_store.close()
