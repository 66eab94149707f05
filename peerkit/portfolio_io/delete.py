"""Deleting everything peerkit wrote for the learner, and saying plainly what stays where.

"Delete all my answers" first withdraws, when the learner joined a cohort server,
everything they shared from it (:func:`peerkit.client.membership.leave`, waiting at most
:data:`WITHDRAW_TIMEOUT_SECONDS` on a server that does not answer), then forgets the outbox
of answers waiting to go and the private settings (membership, the server's token,
check-in history), and removes, under ``PEERKIT_HOME``: the answer store (with the
journal files SQLite keeps beside it), the exported portfolios and hand-in (submission)
files. Widgets on the page hear of it (:func:`peerkit.saving.delete_all_answers`) and
clear. What could not be withdrawn (a server that was down, hand-in files already given
to the trainer) is said plainly in the report, with how to have it removed.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..client.state import credentials, membership
from ..paths import STORE_FILENAME, peerkit_home
from ..store import LocalStore
from .format import count_answers as _count
from .writing import EXPORTS_FOLDER

#: Longest "Delete all my answers" waits for the cohort server to withdraw the shared answers.
WITHDRAW_TIMEOUT_SECONDS = 3.0
#: Files SQLite keeps beside the store while it is open.
STORE_SIDECARS = ("-journal", "-wal", "-shm")
#: What else peerkit writes for a learner in PEERKIT_HOME (folders and file patterns).
LEARNER_FOLDERS = (EXPORTS_FOLDER, "outbox")
LEARNER_PATTERNS = ("peerkit-portfolio-*", "peerkit-submission-*.json", "outbox*", ".answers.sqlite.*")


@dataclass(frozen=True)
class DeleteReport:
    """What :func:`delete_my_answers` removed, and what stays elsewhere."""

    answers: int
    files: tuple[Path, ...] = ()
    #: Plain words on answers that live elsewhere (a group), and how to withdraw them; "" if none.
    stays: str = ""
    problems: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        text = (f"Deleted {_count(self.answers)} and {len(self.files)} file{'s' if len(self.files) != 1 else ''} "
                "peerkit kept for you on this computer.")
        if self.problems:
            text += " Some files could not be removed: " + "; ".join(self.problems) + "."
        return text + (" " + self.stays if self.stays else "")


def learner_files(store: LocalStore) -> list[Path]:
    """Every file peerkit wrote for this learner: the store and its journals, exports, outbox, hand-ins."""
    home = peerkit_home()
    found = [store.path] + [store.path.with_name(store.path.name + suffix) for suffix in STORE_SIDECARS]
    for folder in {home, store.path.parent}:
        for name in LEARNER_FOLDERS:
            found.append(folder / name)
        for pattern in LEARNER_PATTERNS:
            found.extend(folder.glob(pattern))
    if store.path.parent != home:
        found.append(home / STORE_FILENAME)
    unique: dict[Path, None] = {}
    for path in found:
        if path.exists() or path.is_symlink():
            unique[path] = None
    return list(unique)


def what_stays(store: LocalStore) -> str:
    """Before deleting: what happens to answers shared with a group (said in the confirmation)."""
    current = membership(store)
    if current is None:
        return "Nothing you answered was shared with a group from this store."
    if current.mode == "file":
        return (f"Files you already handed in to {current.name} stay with your trainer, under the pseudonym "
                f"{current.pseudonym} (never your name). To take them back yourself, choose Cancel, leave the "
                "group first (“Leave” in the “Join your group” panel writes a file that withdraws them) and hand that file in; "
                "after deleting, only your trainer can remove them.")
    if credentials(store) is None:
        return (f"This computer is not signed in to the server of {current.name}, so answers shared from another "
                f"computer (under the pseudonym {current.pseudonym}) stay there: ask your trainer to remove them.")
    return (f"You will also leave {current.name}, and its server will remove every answer you shared with it "
            f"(under the pseudonym {current.pseudonym}, never your name). If the server cannot be reached, "
            "you will be told what stays there.")


def withdraw_from_group(store: LocalStore) -> tuple[str, bool]:
    """Take back what the learner shared with a cohort server; ``(plain words, withdrawn)``.

    ``withdrawn`` is False when something stays with the group (a server that did not answer
    or refused, hand-in files); the words then say what stays and how to have it removed.
    Waits at most :data:`WITHDRAW_TIMEOUT_SECONDS` on the server.
    """
    from ..client.membership import leave  # the HTTP client loads only when someone deletes
    from ..cohort.errors import CohortError, CohortUnreachableError

    current = membership(store)
    if current is None:
        return "", True
    who = f"under the pseudonym {current.pseudonym} (never your name)"
    if current.mode == "file":
        return (f"Files you already handed in to {current.name} stay with your trainer, {who}. To have them "
                "removed, ask your trainer to remove the hand-in file with that pseudonym, or to delete the "
                "group."), False
    found = credentials(store)
    if found is None:
        return (f"This computer was not signed in to the server of {current.name} (for example after restoring a "
                f"portfolio), so answers shared from another computer, {who}, could not be withdrawn from here. "
                "Ask your trainer to remove them, giving that pseudonym."), False
    try:
        return leave(store, withdraw=True, timeout=WITHDRAW_TIMEOUT_SECONDS), True
    except CohortUnreachableError:
        reason = f"its server at {found['server']} did not answer"
    except CohortError as error:
        reason = f"its server refused: {error}"
    return (f"The answers you shared with {current.name}, {who}, could not be withdrawn: {reason}. "
            "They stay with that group. To have them removed, ask your trainer, giving that pseudonym: they can "
            "remove them by deleting the group (a closed group is deleted after 30 days unless the trainer set "
            "another time)."), False


def _forget_private_settings(store: LocalStore) -> None:
    """Empty the outbox and the learner's private settings (membership, token, check-in history)."""
    from ..client import outbox, sender

    sender.forget(store)
    if not store.path.exists():
        return
    outbox.forget(store)
    import sqlite3

    conn = sqlite3.connect(store.path, timeout=20.0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM meta WHERE key LIKE 'setting:%'")  # checkins:*, cohort, cohort_token, ...
        conn.execute("COMMIT")
    except sqlite3.Error:
        pass  # the file itself is removed next; a problem there is reported
    finally:
        conn.close()


def delete_my_answers(store: LocalStore | None = None, confirm: bool = False) -> DeleteReport:
    """Withdraw from the group, then delete every file peerkit keeps for the learner (see the module text).

    Needs ``confirm=True``: without it, it deletes nothing and says what it would delete.
    Returns a :class:`DeleteReport` (``answers``: how many answers; ``stays``: what a group
    still holds, or what was withdrawn from it).
    """
    from ..saving import delete_all_answers

    store = store if store is not None else LocalStore()
    if confirm is not True:
        count = len(store.responses())
        raise ValueError(
            f"This would delete every answer you have stored ({_count(count)}) in {store.path}, with your "
            "exported portfolios, and it cannot be undone. "
            "Nothing was deleted. Download your answers first if you may want them back "
            "(peerkit.portfolio()), then call delete_my_answers(confirm=True)."
        )
    withdrawn, _ = withdraw_from_group(store)
    stays = withdrawn or "Nothing you answered was shared with a group from this store."
    removed = delete_all_answers(store)  # drops answers still waiting to be saved; widgets clear
    _forget_private_settings(store)
    files, problems = [], []
    for path in learner_files(store):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            files.append(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            problems.append(f"{path} ({error.strerror or error})")
    return DeleteReport(removed, tuple(files), stays, tuple(problems))
