"""Course notebooks never keep outputs on disk: a Jupyter server save hook strips them.

JupyterLab saves a notebook with whatever its cells show, autosave included. For the
course's own notebooks that would write a learner's answers into the course files and,
worse, saved widget views whose models are gone the next time the chapter opens
("Error displaying widget: model not found"). :func:`strip_course_outputs` is a
``ContentsManager.pre_save_hook``: before every save of a course notebook it removes
code cells' outputs and execution counts and the notebook's saved widget state. Any
other notebook (a learner's own) is saved exactly as it is.

``jupyter_server_config.py`` at the repository's root sets the hook; ``make lab`` and
Binder start the server with it::

    c.ContentsManager.pre_save_hook = "peerkit.jupyter_hooks.strip_course_outputs"

>>> model = {"type": "notebook", "content": {"metadata": {"widgets": {}}, "cells": [
...     {"cell_type": "code", "source": "import peerkit as pk", "metadata": {"execution": {}},
...      "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}], "execution_count": 3}]}}
>>> strip_course_outputs(model, "notebooks/00_welcome.ipynb")
>>> model["content"]["cells"][0]["outputs"], model["content"]["cells"][0]["execution_count"]
([], None)
>>> "widgets" in model["content"]["metadata"]
False
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from .exercises import DATA_DIR

#: The course's notebooks besides the chapters, by their path's last two parts.
OTHER_COURSE_NOTEBOOKS = frozenset({("trainer", "live_session.ipynb"), ("research", "cohort_analysis.ipynb")})
#: Cell metadata that only records a run (JupyterLab's timing, a collapsed or scrolled output).
RUN_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


@lru_cache(maxsize=1)
def chapter_notebooks() -> frozenset[str]:
    """The chapters' notebook file names, from ``peerkit/data/chapters.json``."""
    raw = json.loads((DATA_DIR / "chapters.json").read_text(encoding="utf-8"))
    return frozenset(chapter["notebook"] for chapter in raw["chapters"])


def is_course_notebook(path: str) -> bool:
    """Is ``path`` (relative to the server's root, ``/`` separated) one of the course's own notebooks?"""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if not parts or not parts[-1].endswith(".ipynb") or ".ipynb_checkpoints" in parts:
        return False
    return parts[-1] in chapter_notebooks() or tuple(parts[-2:]) in OTHER_COURSE_NOTEBOOKS


def strip_notebook(content: dict[str, Any]) -> dict[str, Any]:
    """Remove outputs, execution counts, run metadata and saved widget state, in place; returns ``content``."""
    content.get("metadata", {}).pop("widgets", None)
    for cell in content.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        metadata = cell.get("metadata", {})
        for key in RUN_METADATA:
            metadata.pop(key, None)
    return content


def strip_course_outputs(model: dict[str, Any], path: str, contents_manager: Any = None, **_: Any) -> None:
    """``ContentsManager.pre_save_hook``: a course notebook is saved without outputs or widget state."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if is_course_notebook(path):
        strip_notebook(model["content"])
