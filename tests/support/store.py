"""The learner's answer store in trouble, for the widgets' tests: ``with store_locked(): ...``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from peerkit.errors import StoreLockedError
from peerkit.store import LocalStore


@contextmanager
def store_locked() -> Iterator[None]:
    """Every write of every LocalStore fails, as while another process holds the store's lock, until the block ends."""
    def locked(self: LocalStore, *args: object, **kwargs: object) -> None:
        raise StoreLockedError("The answer store is locked. Your earlier answers are safe.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LocalStore, "write_changes", locked)
        yield
