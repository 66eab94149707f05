"""A value the kernel refuses goes back to the page: no control shows what the kernel does not hold.

ipywidgets applies a change from the browser with ``Widget.set_state``; when a trait's
validator refuses the value (an option the exercise no longer has, say), the exception
only reaches the kernel's log and the browser keeps showing the refused value. Widgets
that mix in :class:`SendsRefusedValuesBack` say why in their ``status`` line and send
their own, unchanged value back, so that the front end shows it again (see
``answerTracker`` in ``static/common.js``, which then marks nothing as saved).
"""
from __future__ import annotations

from typing import Any

import traitlets

from ..errors import PeerkitError


class SendsRefusedValuesBack:
    """Mixed in before the widget class; expects a ``status`` trait."""

    keys: list[str]

    def set_state(self, sync_data: dict[str, Any]) -> None:
        names = [name for name in sync_data if name in self.keys]
        before = {name: getattr(self, name) for name in names}
        try:
            super().set_state(sync_data)  # type: ignore[misc]
        except (traitlets.TraitError, PeerkitError) as error:
            # traitlets rolls a held change back only for a TraitError; a validator's own error
            # (AnswerError) would leave the refused value in the trait, unsaved. Put it back.
            for name, value in before.items():
                if getattr(self, name) != value:
                    self.set_trait(name, value)  # type: ignore[attr-defined]
            self.status = f"That change was not saved. {error}"
            self.send_state(key=names)  # type: ignore[attr-defined]
