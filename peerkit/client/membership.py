"""Joining a cohort, choosing what to share, and leaving: the learner's side, kept in their own store.

Membership lives in the learner's *local* store settings (``store.get_setting("cohort")``);
the learner token the server gave lives in its own setting (``"cohort_token"``), which a
portfolio export never carries. The server sees only a random pseudonym (``p-`` and 20 hex
digits, new at every join) and the answers the learner chose to share.

Two ways to be in a cohort:

- **live** – with a join code and the cohort server's address (typed, ``PEERKIT_SERVER``, or
  the JupyterHub's ``peerkit`` service): shared answers are queued and sent in the
  background (:mod:`peerkit.client.sender`); a learner never holds a database address;
- **file** – in a room without a network: the learner types the cohort id the trainer shows
  (``cohort-…``) and hands in a file (:func:`write_submission`, format :mod:`peerkit.cohort.handin`),
  which the trainer uploads to the server.

What the store holds is read with :mod:`peerkit.client.state` (``membership``, ``credentials``, the keys).

>>> from peerkit.client.membership import join, leave
>>> membership = join(store, "K7Q-4MX", url="http://192.168.1.20:8000")   # doctest: +SKIP
>>> leave(store)                                                          # doctest: +SKIP
'You have left Tuesday group. The 27 answers you shared were removed from it.'
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..cohort.codes import normalize_join_code
from ..cohort.errors import CohortError, CohortUnreachableError, JoinCodeError
from ..cohort.handin import default_submission_path, write_submission_file
from ..cohort.ids import is_cohort_id
from ..timestamps import format_moment, now
from . import outbox
from .address import server_address
from .http import DEFAULT_TIMEOUT, ServerClient, ServerRefused, ServerUnreachable
from .pseudonym import new_pseudonym, pseudonym_for
from .sharing import check_share, shared_rows
from .state import CREDENTIALS_SETTING, MEMBERSHIP_SETTING, Membership, credentials, membership
from .sync import sync

if TYPE_CHECKING:
    from ..store import LocalStore

#: Kept for callers that name it: the membership's setting key (:data:`peerkit.client.state.MEMBERSHIP_SETTING`).
SETTING = MEMBERSHIP_SETTING
__all__ = ["CREDENTIALS_SETTING", "Membership", "client_for", "credentials", "join", "leave", "membership",
           "research_consent", "set_research_consent", "set_sharing", "write_submission"]


def client_for(store: "LocalStore", timeout: float | None = None) -> ServerClient | None:
    """A :class:`~peerkit.client.http.ServerClient` signed in as this learner, or ``None``."""
    found = credentials(store)
    if found is None:
        return None
    return ServerClient(str(found["server"]), str(found["token"]), timeout=timeout or DEFAULT_TIMEOUT)


def write_submission(store: "LocalStore", path: str | Path | None = None, *, withdraw: bool = False) -> Path:
    """Write the learner's shared answers to a hand-in file; returns its path.

    Only exercises the learner shares, and reflections only where opted in, go in.
    ``withdraw=True`` writes a file with no answers: handed in, it removes the
    learner's earlier file from the trainer's cohort.
    """
    current = membership(store)
    if current is None:
        raise CohortError("Join a group first: in the “Join your group” panel of the welcome chapter, type the "
                          "cohort id your trainer shows (it starts with 'cohort-').")
    target = Path(path) if path is not None else default_submission_path(current.cohort)
    return write_submission_file(target, cohort=current.cohort, pseudonym=current.pseudonym,
                                 responses=[] if withdraw else shared_rows(store, current.share),
                                 research_consent=research_consent(store) and not withdraw)


NO_SERVER = ("To join with a code, this computer needs the address of your group's server. Your trainer shows it "
             "next to the code (for example http://192.168.1.20:8765): type it in the box for the server address. "
             "If your trainer collects answers as files instead, type the cohort id they show (it starts with "
             "'cohort-').")


def join(
    store: "LocalStore",
    join_code: str,
    url: str | None = None,
    share: Iterable[str] | None = None,
) -> Membership:
    """Join the cohort with this join code (or, without a network, this cohort id); queue what is shared.

    Parameters
    ----------
    store:
        The learner's local store; the membership and the learner token are kept in its settings.
    join_code:
        The code the trainer shows (``K7Q-4MX``), checked by the server. In a room without a
        network, the cohort id instead (``cohort-…``): answers are then handed in as a file.
    url:
        The server's address, where the trainer gave one; default ``PEERKIT_SERVER``, or the
        JupyterHub's ``peerkit`` service (see :mod:`peerkit.client.address`).
    share:
        Exercise ids to share; default none (sharing is opt-in). Reflections are shared
        only where the learner also ticked "share" on the reflection.

    Joining waits on the server once (a person pressed "Join" and wants to know); the answers
    then go in the background.
    """
    chosen = check_share(share)
    text = (join_code or "").strip()
    current = membership(store)
    if current is not None and current.mode == "live" and credentials(store) is not None:
        raise CohortError(
            f"You are already in the group {current.name!r}. Leave it first (“Leave” in the “Join your group” "
            "panel), then join the new one."
        )
    joined_at = current.joined_at if current else format_moment(now())
    if is_cohort_id(text.lower()):
        if current is not None and current.mode == "file":
            raise CohortError(f"You are already in the group {current.name!r}. Leave it first "
                              "(“Leave” in the “Join your group” panel), then join the new one.")
        # stable per cohort: a later file replaces an earlier one
        joined = Membership(cohort=text.lower(), name=text.lower(), pseudonym=pseudonym_for(store, text.lower()),
                            mode="file",
                            share=chosen, url=None, joined_at=joined_at)
        store.set_setting(SETTING, joined.to_setting())
        return joined
    code = normalize_join_code(text)  # a clear message for a mistyped code before any network
    try:
        address = server_address(url)
    except ValueError as error:
        raise CohortError(str(error)) from None
    if address is None:
        raise CohortError(NO_SERVER)
    if current is not None and current.mode == "file":
        # handed in files before: join under the same pseudonym, so the server lets this live
        # membership take over the file's answers instead of counting the learner twice
        pseudonym = pseudonym_for(store, current.cohort)
    else:
        pseudonym = new_pseudonym()
    client = ServerClient(address.url, auth_header=address.hub_auth_header(), timeout=10.0)
    try:
        reply = client.join(code, pseudonym) or {}
    except ServerUnreachable:
        raise CohortUnreachableError(
            f"Could not reach your group's server at {address.url}. Check the address with your trainer and "
            "that their server is running, then press Join again. Nothing was shared."
        ) from None
    except ServerRefused as error:
        if error.status == 404:
            raise JoinCodeError(f"{error.detail} Nothing was shared.") from None
        raise CohortError(error.detail) from None
    token, cohort = reply.get("token"), reply.get("cohort") or {}
    if not isinstance(token, str) or not token or not cohort.get("id"):
        raise CohortUnreachableError(f"The server at {address.url} answered the join oddly; nothing was shared. "
                                     "Try again, or tell your trainer.")
    outbox.reset(store)  # everything goes afresh to this cohort (sequence numbers keep growing)
    store.set_setting(CREDENTIALS_SETTING, {"server": address.url, "token": token, "cohort": cohort["id"],
                                            "via_hub": address.via_hub})
    joined = Membership(cohort=str(cohort["id"]), name=str(cohort.get("name") or cohort["id"]),
                        pseudonym=str(reply.get("pseudonym") or pseudonym), mode="live", share=chosen,
                        url=address.url, joined_at=joined_at)
    store.set_setting(SETTING, joined.to_setting())
    if research_consent(store):  # ticked before joining: the new membership starts with it
        _send_consent(store)
    joined.status = sync(store).message
    return joined


def set_sharing(store: "LocalStore", share: Iterable[str]) -> Membership:
    """Change which exercises are shared; answers no longer shared are withdrawn in the background."""
    current = membership(store)
    if current is None:
        raise CohortError("You are not in a group, so there is nothing to share. Join one first.")
    current.share = check_share(share)
    store.set_setting(SETTING, current.to_setting())
    if current.mode == "live":
        current.status = sync(store).message
    return current


def leave(store: "LocalStore", withdraw: bool = True, timeout: float | None = None) -> str:
    """Leave the cohort; with ``withdraw`` (the default) the server removes every answer shared with it.

    Returns a sentence for the learner. If the server cannot be reached to withdraw,
    raises :class:`CohortUnreachableError` and the learner stays a member (nothing is
    half done); try again later, or pass ``withdraw=False``. ``timeout`` bounds the wait
    for the server (seconds; default the client's). On the file route,
    withdrawing writes a submission with no answers: handed in, it replaces the
    learner's earlier file.
    """
    current = membership(store)
    if current is None:
        store.set_setting(CREDENTIALS_SETTING, None)
        return "You are not in a group."
    client = client_for(store, timeout)
    if withdraw and current.mode == "live" and client is not None:
        held = outbox.shared_count(store)
        try:
            reply = client.leave()
            if isinstance(reply, dict) and isinstance(reply.get("removed"), int):
                held = reply["removed"]  # the server's own count
        except ServerUnreachable:
            raise CohortUnreachableError(
                f"Could not reach your group's server to take back your answers, so you are still in "
                f"{current.name!r} and nothing changed. Try Leave again later."
            ) from None
        except ServerRefused as error:
            if error.status not in (401, 404, 410):
                raise CohortError(error.detail) from None
            # the server no longer knows this membership (the cohort was deleted): nothing of ours is there
        message = (f"You have left {current.name}. The server removed the answers you shared "
                   f"({held} answer{'s' if held != 1 else ''}).")
    elif withdraw and current.mode == "live":
        message = (f"You have left {current.name} on this computer. It was not signed in to the group's server "
                   "(for example after restoring a portfolio), so it could not take back answers sent from "
                   "another computer: ask your trainer to remove them.")
    elif withdraw:
        path = write_submission(store, withdraw=True)
        message = (f"You have left {current.name}. If you handed in a file before, hand in {path.name} "
                   "too: it replaces your earlier answers with none.")
    else:
        message = f"You have left {current.name}. Answers you already shared stay with the group."
    outbox.reset(store)
    store.set_setting(SETTING, None)
    store.set_setting(CREDENTIALS_SETTING, None)
    store.set_setting(CONSENT_SETTING, None)  # a new group asks again
    store.set_setting(CONSENT_PENDING_SETTING, None)
    return message


# -- research consent (issue 21) ---------------------------------------------------------------

#: The learner's choice about research use (a bool; absent = not agreed), and whether the server still
#: has to be told (it could not be reached when the learner chose).
CONSENT_SETTING = "research_consent"
CONSENT_PENDING_SETTING = "research_consent_pending"

#: What a learner is told beside the research tick box (plain words).
RESEARCH_USE = (
    "Researchers who study peer-support training may, working with your trainer, receive data from this group. If "
    "you tick the box below, the answers you share with your group may be part of it: as counts, published with "
    "small numbers hidden and a little noise added, and, under a data-use agreement, your shared answers "
    "themselves, under a new code name, never your name or your code name here. Reflections go only if you shared "
    "them, with contact details such as e-mail addresses and phone numbers taken out; your personal exercises "
    "never go. Leaving it unticked changes nothing in the course or in your group. You can untick it at any time: "
    "research data made after that leaves your answers out, though data already handed to a researcher cannot be "
    "called back.")


def _store_or_default(store: "LocalStore | None") -> "LocalStore":
    if store is not None:
        return store
    from ..store import LocalStore

    return LocalStore()


def research_consent(store: "LocalStore | None" = None) -> bool:
    """Whether the learner agreed to research use of what they share (False unless they ticked it)."""
    return _store_or_default(store).get_setting(CONSENT_SETTING) is True


def set_research_consent(agreed: bool, store: "LocalStore | None" = None) -> str:
    """Agree (or no longer agree) to research use of the answers shared with the group; returns a sentence.

    The choice is kept here and sent to the group's server (``PUT /me/research-consent``).
    If the server cannot be reached it is kept and sent at the next join or change; a
    hand-in file carries it too.
    """
    if not isinstance(agreed, bool):
        raise TypeError("agreed must be True or False")
    store = _store_or_default(store)
    store.set_setting(CONSENT_SETTING, agreed)
    return _send_consent(store)


def _send_consent(store: "LocalStore") -> str:
    agreed = research_consent(store)
    said = ("You agreed that a researcher may receive what you share with this group." if agreed else
            "What you share is not used for research.")
    current, client = membership(store), client_for(store, timeout=5.0)
    if current is None or current.mode != "live" or client is None:
        store.set_setting(CONSENT_PENDING_SETTING, None)
        return said
    try:
        client.set_research_consent(agreed)
    except (ServerUnreachable, ServerRefused):
        store.set_setting(CONSENT_PENDING_SETTING, True)
        return said + " Saved here; your group's server could not be reached, so it is told next time."
    store.set_setting(CONSENT_PENDING_SETTING, None)
    return said
