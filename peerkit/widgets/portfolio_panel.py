"""``PortfolioPanel``: download all my answers, restore them from a file, or delete them.

On Binder everything in the session disappears when it ends, so this panel is how a
learner keeps their work:

* **Download my answers** is one button that downloads one file: the HTML copy of the
  portfolio (:class:`~peerkit.widgets.download_button.DownloadButton`). It opens in any
  browser to read or print, and it carries the whole portfolio, so choosing it under
  "Restore from a file" brings every answer back. Copies (JSON, Markdown, HTML) are
  also written to ``$PEERKIT_HOME/exports``.
* **Restore from a file** (a labelled file input, :class:`~peerkit.widgets.file_chooser.FileChooser`)
  takes a portfolio ``.json`` and merges it in (the newer
  answer wins); a file with any problem changes nothing and the reason is shown.
* **Delete all my answers** asks for an explicit second click, then deletes every file peerkit
  keeps for the learner (store, portfolios, outbox) and says what a group still holds.

Every control is a labelled button or file input and every outcome is shown as text.

>>> from peerkit.widgets.portfolio_panel import PortfolioPanel
>>> PortfolioPanel()        # doctest: +SKIP
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from ..errors import PeerkitError
from ..portfolio_io.format import MAX_BYTES
from ..store import LocalStore
from ..templating import render
from .download_button import DownloadButton
from .file_chooser import FileChooser

#: The one file "Download my answers" downloads: the HTML copy, readable anywhere and restorable.
DOWNLOADED = "html"


class PortfolioPanel(widgets.VBox):
    """Download, restore or delete the learner's answers."""

    #: The outcome of the last action, in words.
    status = traitlets.Unicode("")
    #: True while the delete confirmation is showing.
    confirming = traitlets.Bool(False)
    #: Paths (as text) of the last download: {"json": ..., "markdown": ..., "html": ...}.
    exported = traitlets.Dict()

    def __init__(self, *, store: LocalStore | None = None, folder: str | Path | None = None, **kwargs: Any) -> None:
        self.store = store
        self.folder = folder
        self.last_report: Any = None
        auto = widgets.Layout(width="auto")
        self.download_button = DownloadButton(
            "Download my answers", maker=self._downloaded_file,
            hint="One file with all your answers: open it in any browser to read or print them, and choose it "
                 "under “Restore from a file” to bring them back.",
        )
        self.links = widgets.HTML()
        # the browser's own labelled file input (ipywidgets' FileUpload always shows a count: "(0)")
        self.upload = FileChooser(
            "Restore from a file", accept=".html,.json,.md,text/html,application/json",
            hint="Choose the file you downloaded with “Download my answers”; answers already here are kept "
                 "where they are newer.",
            max_bytes=MAX_BYTES,
        )
        self.delete_button = widgets.Button(
            description="Delete all my answers", icon="trash", layout=auto,
            tooltip="Delete every answer the course keeps for you (asks you to confirm)",
        )
        self.confirm_text = widgets.HTML()
        self.confirm_button = widgets.Button(
            description="Yes, delete all my answers", button_style="danger", layout=auto,
            tooltip="Delete every answer now; this cannot be undone",
        )
        self.cancel_button = widgets.Button(description="Cancel, keep my answers", layout=auto)
        self.confirm_box = widgets.VBox(
            [self.confirm_text, widgets.HBox([self.confirm_button, self.cancel_button])],
            layout=widgets.Layout(display="none"),
        )
        self.status_view = widgets.HTML()

        self.upload.on_file(lambda name, content: self.restore_bytes(content, name))
        self.delete_button.on_click(lambda _: self.ask_to_delete())
        self.confirm_button.on_click(lambda _: self.delete())
        self.cancel_button.on_click(lambda _: self.cancel_delete())

        super().__init__(
            [
                widgets.HTML("<h4>Keep your answers</h4>"),
                self.download_button,
                self.links,
                widgets.HTML("<h4>Bring your answers back</h4>"),
                self.upload,
                widgets.HTML("<h4>Delete your answers</h4>"),
                self.delete_button,
                self.confirm_box,
                self.status_view,
            ],
            **{"layout": widgets.Layout(align_items="flex-start"), **kwargs},  # buttons as wide as their words
        )
        self.add_class("peerkit-portfolio")

    # -- helpers ---------------------------------------------------------------------------
    def _store(self) -> LocalStore:
        if self.store is None:
            self.store = LocalStore()
        return self.store

    @traitlets.observe("status")
    def _show_status(self, change: dict[str, Any]) -> None:
        text = change["new"]
        self.status_view.value = render("status_line.html", text=text, role="status", live="", style="")

    @traitlets.observe("confirming")
    def _show_confirm(self, change: dict[str, Any]) -> None:
        self.confirm_box.layout.display = "flex" if change["new"] else "none"
        self.delete_button.disabled = bool(change["new"])

    # -- download --------------------------------------------------------------------------
    def download(self) -> dict[str, Path] | None:
        """Write the portfolio files (JSON, Markdown, HTML) and say which one the browser downloads."""
        from ..portfolio_io import write_portfolio

        try:
            store = self._store()
            paths = write_portfolio(self.folder, store)
            count = len(json.loads(paths["json"].read_text(encoding="utf-8"))["responses"])
        except (PeerkitError, OSError) as error:
            self.status = f"Your answers could not be saved as files. {error}"
            return None
        self.links.value = render("portfolio_panel/links.html", name=paths[DOWNLOADED].name)
        self.exported = {key: str(path) for key, path in paths.items()}
        self.status = (
            f"Your portfolio is ready ({count} answer{'s' if count != 1 else ''}): your browser saves it as "
            f"{paths[DOWNLOADED].name}."
        )
        return paths

    def _downloaded_file(self) -> tuple[str, str, bytes] | None:
        """The file the download button hands the browser (None, with the reason in ``status``, on a problem)."""
        paths = self.download()
        if paths is None:
            return None
        return paths[DOWNLOADED].name, "text/html", paths[DOWNLOADED].read_bytes()

    # -- restore ---------------------------------------------------------------------------
    def restore_bytes(self, content: bytes, name: str) -> Any:
        """Restore from an uploaded file's content; the outcome (or the problem) goes to ``status``."""
        from ..portfolio_io import restore

        self.last_report = None
        try:
            report = restore(content, self._store(), name=name)
        except PeerkitError as error:
            self.status = str(error)
            return None
        self.last_report = report
        self.status = str(report) + " Run the exercise cells again to see restored answers."
        return report

    # -- delete ----------------------------------------------------------------------------
    def ask_to_delete(self) -> None:
        """Show the confirmation step (nothing is deleted yet)."""
        try:
            count = len(self._store().responses())
        except PeerkitError as error:
            self.status = str(error)
            return
        if count == 0:
            self.status = "There are no answers stored on this computer, so there is nothing to delete."
            return
        from ..portfolio_io import what_stays

        self.confirm_text.value = render("portfolio_panel/confirm_delete.html", count=count,
                                         what_stays=what_stays(self._store()))
        self.confirming = True
        self.status = "Waiting for you to confirm: nothing has been deleted yet."

    def delete(self) -> int:
        """Delete every answer; only acts after :meth:`ask_to_delete` showed the confirmation."""
        from ..portfolio_io import delete_my_answers

        if not self.confirming:
            self.status = "Choose “Delete all my answers” first, then confirm."
            return 0
        self.confirming = False
        try:
            report = delete_my_answers(self._store(), confirm=True)
        except PeerkitError as error:
            self.status = f"Nothing was deleted. {error}"
            return 0
        self.links.value = ""
        self.exported = {}
        self.status = str(report)
        return report.answers

    def cancel_delete(self) -> None:
        self.confirming = False
        self.status = "Nothing was deleted."
