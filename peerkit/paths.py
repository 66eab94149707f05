"""Where a learner's private files live.

``PEERKIT_HOME`` names the folder; without it we use ``~/.peerkit``. The folder
belongs to one learner: nothing in it is sent anywhere unless the learner asks.
"""
from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "PEERKIT_HOME"
STORE_FILENAME = "answers.sqlite"


def peerkit_home() -> Path:
    """Return the learner's peerkit folder (not created here)."""
    configured = os.environ.get(HOME_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".peerkit"


def default_store_path() -> Path:
    """Return the path of the learner's answer store inside :func:`peerkit_home`."""
    return peerkit_home() / STORE_FILENAME
