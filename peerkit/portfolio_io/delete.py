"""Deleting everything peerkit wrote for the learner, and saying plainly what stays where.

"Delete all my answers" removes, under ``PEERKIT_HOME``: the answer store (with the
journal files SQLite keeps beside it), the exported portfolios, the outbox of
answers waiting to go to a group, and hand-in (submission) files. Widgets on the
page hear of it (:func:`peerkit.saving.delete_all_answers`) and clear. Answers
already shared with a group are not on this computer: the report says which group
holds them and how to take them back.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import STORE_FILENAME, peerkit_home
from ..store import LocalStore
from .format import count_answers as _count
from .writing import EXPORTS_FOLDER

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
    """Where the learner's answers live beyond this computer, and how to take them back."""
    from ..cohort.membership import membership

    current = membership(store)
    if current is None:
        return "Nothing you answered was shared with a group from this store."
    if current.mode == "file":
        return (f"Files you already handed in to {current.name} stay with your trainer: to take them back, "
                f"leave the group first (pk.join_cohort() → Leave writes a file that withdraws them), "
                "and hand that file in.")
    return (f"Answers you already shared with {current.name} stay with that group, under the pseudonym "
            f"{current.pseudonym} (never your name). To take them back, leave the group first "
            "(pk.join_cohort() → Leave withdraws them), or ask your trainer to remove that pseudonym.")


def delete_my_answers(store: LocalStore | None = None, confirm: bool = False) -> DeleteReport:
    """Delete every file peerkit keeps for the learner (see the module text). Needs ``confirm=True``.

    Without ``confirm=True`` it deletes nothing and says what it would delete. Returns a
    :class:`DeleteReport` (``answers``: how many answers; ``stays``: what a group still holds).
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
    stays = what_stays(store)
    removed = delete_all_answers(store)  # drops answers still waiting to be saved; widgets clear
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
