"""A reflection says "Saved." only once the kernel has written it (chapter 0, in Chromium).

The store is locked from this test process, as a second kernel would lock it; the
reflection typed meanwhile must read "Saving…" and then "Not saved yet", never
"Saved.", and turn to "Saved." by itself once the store unlocks and the kernel's
background saver has written it.
"""
from __future__ import annotations

import sqlite3

import pytest

pytestmark = pytest.mark.browser

CHAPTER = "00_welcome.ipynb"
EXERCISE = "welcome_reflection"
TEXT = "I noticed that I wanted to fix things for them."


def test_saved_is_shown_only_after_the_kernel_saved(lab, lab_server) -> None:
    if lab_server.store_path.exists():
        lab_server.store().delete(EXERCISE)
    lab.open(CHAPTER)
    lab.run_all()
    box = lab.notebook.locator(".peerkit-reflection").first
    textarea = box.locator("textarea").first
    note = box.locator(".peerkit-saved").first
    status = box.locator(".peerkit-status").first

    lock = sqlite3.connect(lab_server.store_path, isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")
    try:
        textarea.fill(TEXT)
        textarea.press("Tab")  # leaving the box sends the text at once
        lab.wait_until(lambda: note.inner_text() in ("Saving\u2026", "Not saved yet (see below)."),
                   message=lambda: f"after typing, the note reads {note.inner_text()!r}")
        lab.wait_until(lambda: note.inner_text() == "Not saved yet (see below).", timeout=20,
                   message=lambda: f"with the store locked the note reads {note.inner_text()!r}")
        assert "Not saved yet" in status.inner_text() and "retried" in status.inner_text()
        assert lab_server.store().answers(EXERCISE) == {}
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    lab.wait_until(lambda: note.inner_text() == "Saved.", timeout=30,
               message=lambda: f"after the store unlocked the note reads {note.inner_text()!r}")
    assert lab_server.store().answers(EXERCISE)["R1"]["text"] == TEXT
