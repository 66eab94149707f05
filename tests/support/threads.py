"""Code run where no event loop runs, as in a plain Python script: ``in_a_plain_thread(make)``.

Not in pytest's own thread: a browser test's sync Playwright leaves its event loop marked as running there
(playwright/_impl/_greenlets.py, wait_for_future), a loop that never turns again, so that
``asyncio.get_running_loop()`` finds it in every later test of the same run. A widget made there would hand
every reply from its threads to that dead loop. ``in_a_plain_thread(lambda: asyncio.run(cell()))`` runs a
coroutine on a fresh loop of its own, as a kernel runs a cell.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def in_a_plain_thread(make: Callable[[], T], timeout: float = 120) -> T:
    """``make()`` in a new thread: its value, or the error it raised; AssertionError if it has not ended in time."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = make()
        except BaseException as error:  # noqa: BLE001 - re-raised below, in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{make} did not end within {timeout} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
