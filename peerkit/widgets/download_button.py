"""``DownloadButton``: one button that downloads one file the kernel makes when it is pressed.

ipywidgets' ``Button`` runs Python but cannot hand the browser a file: the portfolio panel
used to answer a click with three links styled like body text, and learners took it for a
button that did nothing. This is a real ``<button>``: pressing it asks the kernel for the
file (``maker() -> (name, mime, content)``), which comes back as one binary message and is
saved by the browser at once, under its own name. A link to the same file stays under
the button in case the browser blocked the download. Nothing of the file is kept in a
synced trait, so nothing of it is saved in the notebook.

>>> button = DownloadButton("Download my answers", maker=lambda: ("a.html", "text/html", b"<p>hi</p>"))
>>> button.click()
('a.html', 'text/html', 9)
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from ._base import STYLES, front_end

#: What a maker returns: the file's name, its media type and its bytes; None when it could not be made
#: (the maker then says why, wherever its widget shows outcomes).
File = tuple[str, str, bytes]
Maker = Callable[[], "File | None"]


class DownloadButton(anywidget.AnyWidget):
    """A labelled button; each press makes a file with ``maker`` and the browser downloads it."""

    _esm = front_end("download_button.js")
    _css = STYLES

    description = traitlets.Unicode("Download").tag(sync=True)
    #: A sentence under the button, tied to it with aria-describedby ("" for none).
    hint = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, description: str = "Download", *, maker: Maker, hint: str = "", **kwargs: Any) -> None:
        super().__init__(description=description, hint=hint, **kwargs)
        self.maker = maker
        self.on_msg(self._on_message)

    def click(self) -> tuple[str, str, int] | None:
        """Press the button: make the file and send it to the browser; returns (name, mime, size)."""
        made = self.maker()
        if made is None:
            self.send({"type": "failed"})
            return None
        name, mime, content = made
        self.send({"type": "file", "name": name, "mime": mime}, buffers=[content])
        return name, mime, len(content)

    def _on_message(self, _widget: Any, content: Any, _buffers: list[Any]) -> None:
        if isinstance(content, dict) and content.get("type") == "make":
            self.click()
