"""``FileChooser``: a small, labelled file input that hands one chosen file to the kernel.

ipywidgets' ``FileUpload`` is a button whose text always carries a count ("Restore from
a file (0)") and that a screen reader announces as a button, not a file input. This is
the browser's own ``<input type="file">`` with a ``<label>``: Tab reaches it, Enter or
Space opens the file dialog, and a screen reader says "Restore from a file, file upload
button, no file chosen". The file is read in the browser and sent to the kernel once as
a binary message (never kept in a synced trait), so nothing of it stays in the notebook.

>>> chooser = FileChooser("Restore from a file", accept=".json,application/json")   # doctest: +SKIP
>>> chooser.on_file(lambda name, content: print(name, len(content)))               # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from ._base import STYLES, front_end

FileCallback = Callable[[str, bytes], None]
#: Most bytes the browser sends (a bigger file is refused there, with the reason, and not sent).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class FileChooser(anywidget.AnyWidget):
    """One labelled file input; :meth:`on_file` callbacks get ``(name, content)`` for each file chosen."""

    _esm = front_end("file_chooser.js")
    _css = STYLES

    label = traitlets.Unicode("Choose a file").tag(sync=True)
    #: What the file dialog offers (the ``accept`` attribute): ".json,application/json".
    accept = traitlets.Unicode("").tag(sync=True)
    #: A sentence under the input, tied to it with aria-describedby ("" for none).
    hint = traitlets.Unicode("").tag(sync=True)
    max_bytes = traitlets.Int(DEFAULT_MAX_BYTES).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, label: str = "Choose a file", *, accept: str = "", hint: str = "",
                 max_bytes: int = DEFAULT_MAX_BYTES, **kwargs: Any) -> None:
        super().__init__(label=label, accept=accept, hint=hint, max_bytes=max_bytes, **kwargs)
        self._callbacks: list[FileCallback] = []
        self.on_msg(self._on_message)

    def on_file(self, callback: FileCallback) -> None:
        """Call ``callback(name, content)`` when the learner chooses a file."""
        self._callbacks.append(callback)

    def receive(self, name: str, content: bytes) -> None:
        """Hand a file to the callbacks, as a file chosen in the browser is (also for tests and scripts)."""
        for callback in list(self._callbacks):
            callback(name, content)

    def _on_message(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict) or content.get("type") != "file" or len(buffers) != 1:
            return
        name = str(content.get("name") or "the chosen file")[:255]
        self.receive(name, bytes(buffers[0]))
