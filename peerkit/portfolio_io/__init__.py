"""The learner's portfolio: take every answer away, bring it back, or delete it all.

On Binder the session's files vanish when it ends, so the learner downloads a
portfolio: a JSON file that :func:`restore` reads back later, plus the same answers
as a readable Markdown and HTML document (grouped by chapter, with the exercises'
own wording), each of which can be restored too. A portfolio carries answers, never
addresses (see :mod:`.format`).

One concern per module:

- :mod:`.format`: the file format, its versions, what it carries;
- :mod:`.writing`: :func:`export_json`, :func:`write_portfolio`;
- :mod:`.words` and :mod:`.documents`: answers in words, as Markdown and HTML;
- :mod:`.reading`: reading and checking a file (:func:`parse_portfolio`);
- :mod:`.restore`: :func:`restore`, one transaction;
- :mod:`.delete`: :func:`delete_my_answers`.

>>> from peerkit.portfolio_io import write_portfolio, restore
>>> paths = write_portfolio()                          # doctest: +SKIP
>>> print(restore(paths["json"]))                      # doctest: +SKIP
Nothing to restore: every answer in ... is already here (27 answers).

(The package is not called ``peerkit.portfolio``: importing a submodule of that name
would replace the notebook function ``pk.portfolio()`` on the package.)
"""
from __future__ import annotations

from .delete import DeleteReport, delete_my_answers, learner_files, what_stays
from .documents import markdown_escape, render_html, render_markdown
from .format import (
    FORMAT,
    FORMAT_VERSION,
    MAX_BYTES,
    PORTABLE_SETTINGS,
    build_document,
    portable_settings,
)
from .reading import Entry, parse_portfolio
from .restore import RestoreReport, restore
from .writing import export_json, exports_folder, write_portfolio

__all__ = [
    "FORMAT", "FORMAT_VERSION", "MAX_BYTES", "PORTABLE_SETTINGS",
    "DeleteReport", "Entry", "RestoreReport",
    "build_document", "delete_my_answers", "export_json", "exports_folder", "learner_files", "markdown_escape",
    "parse_portfolio", "portable_settings", "render_html", "render_markdown", "restore", "what_stays",
    "write_portfolio",
]
