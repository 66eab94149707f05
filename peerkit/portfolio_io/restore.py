"""Bringing a portfolio's answers back into the store: all of it in one transaction, or nothing.

For each exercise item the newer answer wins (the store's on a tie); restoring the
same file twice changes nothing. A store with no answers yet takes over the
portfolio's pseudonym. The group the learner was in comes back by name only
(``former_cohort``): restoring never makes the learner a member of anything.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..client.state import SECRET_SETTING, membership
from ..model import Response, encode_value
from ..store import LocalStore
from .format import FORMER_COHORT_SETTING, count_answers as _count
from .reading import parse_portfolio, read_source


@dataclass(frozen=True)
class RestoreReport:
    """What :func:`restore` did.

    ``added``: answers the store did not have. ``updated``: answers replaced by a newer
    one from the file. ``kept``: the store's answer was newer (or as new) and differs, so
    it stayed. ``skipped``: the file's answer is already in the store, unchanged.
    """

    source: str
    added: int
    updated: int
    kept: int
    skipped: int
    learner: str
    adopted_learner: bool = False
    #: The group the learner was in, by name and pseudonym (never rejoined by a restore).
    former_cohort: dict[str, Any] | None = None

    @property
    def changed(self) -> int:
        """How many answers were written."""
        return self.added + self.updated

    @property
    def total(self) -> int:
        return self.added + self.updated + self.kept + self.skipped

    def __str__(self) -> str:
        if not self.changed:
            if not self.total:
                return f"{self.source} holds no answers; nothing was changed." + self._group_note()
            return (f"Nothing to restore: every answer in {self.source} is already here "
                    f"({_count(self.total)})." + self._group_note())
        parts = [f"{self.added} added"]
        if self.updated:
            parts.append(f"{self.updated} replaced by a newer answer from the file")
        if self.kept:
            parts.append(f"{self.kept} kept as they are (your answer here is newer)")
        if self.skipped:
            parts.append(f"{self.skipped} already here")
        text = f"Restored from {self.source}: " + ", ".join(parts) + "."
        if self.adopted_learner:
            text += " The course knows you by your earlier code name again."
        return text + self._group_note()

    def _group_note(self) -> str:
        if not self.former_cohort:
            return ""
        return (f" You were in the group {self.former_cohort['name']}. Nothing is sent to any group until you "
                "join again with the code your trainer gives you, in the “Join your group” panel of the welcome "
                "chapter.")


def restore(source: str | Path | bytes, store: LocalStore | None = None, *, name: str | None = None) -> RestoreReport:
    """Bring a portfolio file's answers back into the store.

    The whole file is checked first; any problem raises :class:`~peerkit.errors.ImportFileError`
    (naming the file, the entry and the problem) and nothing is written. Then, for each
    exercise item, the newer answer wins (the store's on a tie). Everything (the
    pseudonym, the answers, the settings) is written in one transaction: a failure
    half-way leaves the store exactly as it was.

    Parameters
    ----------
    source:
        A path to a ``peerkit-portfolio-*.json`` file (or its ``.md``/``.html`` copy), or
        its content as bytes (an upload).
    name:
        What to call the file in messages when ``source`` is bytes.

    Example
    -------
    >>> report = restore("peerkit-portfolio-2025-01-31.json")       # doctest: +SKIP
    >>> report.added, report.updated, report.kept, report.skipped    # doctest: +SKIP
    (27, 0, 0, 0)
    """
    from ..saving import settle

    label, data = read_source(source, name)
    portfolio, entries = parse_portfolio(data, label)
    store = store if store is not None else LocalStore()
    settle(store.path)  # answers still being saved from this kernel are part of "what the store holds"

    with store.transaction():
        existing = {(r.exercise, r.item): r for r in store.responses()}
        adopt = not existing and portfolio["learner"] != store.learner
        if adopt:
            store.adopt_learner(portfolio["learner"])
        added = updated = kept = skipped = 0
        to_write = []
        for entry in entries:
            current = existing.get((entry.exercise, entry.item))
            if current is None:
                added += 1
            elif encode_value(current.value) == encode_value(entry.value) and current.answered_at == entry.answered_at:
                skipped += 1
                continue
            elif entry.answered_at > current.answered_at:
                updated += 1
            else:
                kept += 1
                continue
            to_write.append(
                Response(store.learner, entry.exercise, entry.item, entry.value, entry.answered_at,
                         entry.schema_version)
            )
        if to_write:
            store.save_many(to_write)
        settings = portfolio["settings"]
        same_person = store.learner == portfolio["learner"]
        if same_person:  # the pseudonym key and the group's name belong to this learner only
            if settings.get(SECRET_SETTING) and store.get_setting(SECRET_SETTING) is None:
                store.set_setting(SECRET_SETTING, settings[SECRET_SETTING])
            if settings.get(FORMER_COHORT_SETTING) and membership(store) is None \
                    and store.get_setting(FORMER_COHORT_SETTING) is None:
                store.set_setting(FORMER_COHORT_SETTING, settings[FORMER_COHORT_SETTING])
    former = settings.get(FORMER_COHORT_SETTING) if same_person else None
    return RestoreReport(label, added, updated, kept, skipped, store.learner, adopt, former)
