"""Taking every answer away: the portfolio as a document, and as JSON, Markdown and HTML files.

:func:`export_json` and :func:`write_portfolio` build the same document from one
reading of the store (answers, sharing choices, the group by name), so whichever
the learner used, restoring it gives the same store back.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import StoreReadOnlyError
from ..files import PRIVATE_FOLDER_MODE, write_atomic
from ..model import utc_now
from ..paths import HOME_ENV, peerkit_home
from ..store import LocalStore
from .documents import render_html, render_markdown
from .format import build_document, portable_settings

EXPORTS_FOLDER = "exports"


def exports_folder() -> Path:
    """Where portfolios go by default: ``$PEERKIT_HOME/exports``."""
    return peerkit_home() / EXPORTS_FOLDER


def _settled(store: LocalStore) -> None:
    # an answer given a moment ago may still be on its way to the store: take it along
    from ..saving import settle

    settle(store.path)


def export_json(store: LocalStore | None = None) -> dict[str, Any]:
    """Every answer in the store as a portfolio (the JSON document :func:`restore` reads).

    Example
    -------
    >>> portfolio = export_json(LocalStore(tmp_path / "a.sqlite"))     # doctest: +SKIP
    >>> portfolio["format"], portfolio["responses"]                  # doctest: +SKIP
    ('peerkit-portfolio', [])
    """
    store = store if store is not None else LocalStore()
    _settled(store)
    return build_document(store.learner, store.responses(), utc_now(), portable_settings(store))


def write_portfolio(folder: str | Path | None = None, store: LocalStore | None = None) -> dict[str, Path]:
    """Write the portfolio as JSON (to restore later), Markdown and HTML (to read, keep, or restore too).

    Files go to ``folder`` (default ``$PEERKIT_HOME/exports``, made readable by the
    learner alone), named ``peerkit-portfolio-<YYYY-MM-DD>.json``/``.md``/``.html``; a
    second export on the same day replaces that day's files. Each file is written
    whole or not at all (:func:`peerkit.files.write_atomic`, owner-only).

    Returns ``{"json": path, "markdown": path, "html": path}``.
    """
    portfolio = export_json(store)
    folder = Path(folder) if folder is not None else exports_folder()
    stem = f"peerkit-portfolio-{portfolio['exported_at'][:10]}"
    documents = {
        "json": (f"{stem}.json", json.dumps(portfolio, ensure_ascii=False, indent=1) + "\n"),
        "markdown": (f"{stem}.md", render_markdown(portfolio)),
        "html": (f"{stem}.html", render_html(portfolio)),
    }
    try:
        if not folder.exists():
            folder.mkdir(parents=True, mode=PRIVATE_FOLDER_MODE)
        return {key: write_atomic(folder / name, text) for key, (name, text) in documents.items()}
    except OSError as error:
        raise StoreReadOnlyError(
            f"Cannot write your portfolio to {folder}: {error.strerror or error}. Your answers are safe in "
            f"the store. Pass another folder (write_portfolio(folder=...)) or set {HOME_ENV} to a folder "
            "you can write to."
        ) from error
