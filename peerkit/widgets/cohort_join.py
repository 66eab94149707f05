"""``CohortJoin``: join the trainer's group, choose what to share, leave again.

A labelled field for the join code, a field for the server's address (only where the
trainer gave one), the sharing choices (:class:`~peerkit.widgets.sharing_choices.SharingChoices`:
one box per exercise in course order, grouped by chapter, none ticked in advance, each
saying who may see it and where, every text shown whole; "share all" never ticks a
personal exercise; and a separate research-use tick, off by default), and Join / Leave
buttons, with a status line that says what happened. In a room
without a network the learner types the cohort id instead and saves a file to hand
in. Everything about the membership stays in the learner's own store; see
:mod:`peerkit.client.membership`. Shared answers go to the group in the background
(:mod:`peerkit.client.sender`): no button here waits on the network but Join and Leave.

>>> import peerkit as pk
>>> pk.join_cohort()          # doctest: +SKIP
"""
from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.membership import join, leave, research_consent, set_research_consent, set_sharing, write_submission
from ..client.sender import resume
from ..client.state import credentials, membership
from ..client.sync import sync
from ..client.sharing import check_share, default_share
from ..errors import PeerkitError, StoreError
from ..store import LocalStore
from ..templating import render
from ._base import on_kernel_thread, run_deferred
from .sharing_choices import SharingChoices


class CohortJoin(widgets.VBox):
    """Join / leave a cohort and choose what to share."""

    joined = traitlets.Bool(False)
    cohort_name = traitlets.Unicode("")
    mode = traitlets.Unicode("")
    status = traitlets.Unicode("")

    def __init__(self, store: LocalStore | None = None, **kwargs: Any) -> None:
        self.store = store if store is not None else LocalStore()
        self._code = widgets.Text(description="Join code", placeholder="for example K7Q-4MX",
                                  style={"description_width": "initial"})
        self._url = widgets.Text(description="Server address (only if your trainer gave you one)",
                                 placeholder="for example http://192.168.1.20:8765",
                                 style={"description_width": "initial"}, layout=widgets.Layout(width="40rem"))
        current = membership(self.store)
        ticked = list(current.share) if current else list(default_share())
        try:
            agreed = research_consent(self.store)
        except (PeerkitError, OSError):
            agreed = False
        self.choices = SharingChoices(ticked, research=agreed, research_offered=True)
        self.choices.observe(self._sharing_changed, names="share")
        self.choices.observe(self._research_changed, names="research")
        self._join = widgets.Button(description="Join", button_style="primary", tooltip="Join the group")
        self._leave = widgets.Button(description="Leave and take back my answers",
                                     tooltip="Leave the group and remove the answers you shared",
                                     layout=widgets.Layout(width="auto"))
        self._file = widgets.Button(description="Save my shared answers as a file",
                                    tooltip="Write the file to hand in to your trainer", layout=widgets.Layout(width="auto"))
        self._send_button = widgets.Button(description="Send now", tooltip="Try again at once to send your shared answers")
        self._status = widgets.HTML()
        self._join.on_click(lambda _: self.join(self._code.value, url=self._url.value or None))
        self._leave.on_click(lambda _: self.leave())
        self._file.on_click(lambda _: self.save_file())
        self._send_button.on_click(lambda _: self.send_now())
        super().__init__(
            [widgets.HTML(render("cohort_join/intro.html")), self._code, self._url,
             self.choices,
             widgets.HBox([self._join, self._leave, self._send_button, self._file]), self._status],
            **kwargs,
        )
        self.add_class("peerkit-cohort-join")
        self._update()
        resume(self.store)  # answers left waiting by a kernel restart go out again

    # -- actions -------------------------------------------------------------------------------
    def shared_exercises(self) -> list[str]:
        """The exercises ticked, in course order."""
        return list(self.choices.share)

    def tick(self, exercise_id: str, on: bool = True) -> None:
        """Tick (or untick) one exercise's sharing box, as a click would."""
        self.choices.tick(exercise_id, on)

    def share_all(self) -> None:
        """What the "share all" box does: every exercise but the personal ones."""
        self.choices.share_all()

    def agree_to_research(self, agreed: bool = True) -> None:
        """Tick (or untick) the research-use box, as a click would."""
        self.choices.research = bool(agreed)

    def join(self, code: str, url: str | None = None) -> bool:
        """Join with a join code (or a cohort id on Binder), sharing the ticked exercises."""
        try:
            joined = join(self.store, code, url=url, share=self.shared_exercises())
        except (PeerkitError, ValueError) as error:
            self._say(str(error), problem=True)
            return False
        if joined.mode == "file":
            self._say(f"You are in {joined.cohort}. When you are ready, press “Save my shared answers as a file” "
                      "and hand the file to your trainer.")
        else:
            shared = len(joined.share)
            what = (f" Your answers to the {shared} exercise{'s' if shared != 1 else ''} you ticked go to the "
                    "group in the background." if shared else " Nothing is shared yet: tick what you want to share.")
            self._say(f"You are in {joined.name}.{what}")
        self._update()
        return True

    def leave(self) -> bool:
        try:
            message = leave(self.store, withdraw=True)
        except (PeerkitError, OSError) as error:
            self._say(str(error), problem=True)
            return False
        self._say(message)
        self._update()
        return True

    def send_now(self) -> bool:
        """Queue anything not yet queued and wake the sender; says how things stand (never waits)."""
        try:
            result = sync(self.store)
        except StoreError as error:
            self._say(str(error), problem=True)
            return False
        if result.message:
            self._say(result.message + " It goes out on its own as soon as the server answers.",
                      problem=result.problem)
        else:
            self._say("Nothing is waiting: your group has every answer you chose to share.")
        return result.ok

    def save_file(self) -> str | None:
        try:
            path = write_submission(self.store)
        except (PeerkitError, OSError) as error:
            self._say(str(error), problem=True)
            return None
        self._say(f"Saved {path.name} in the folder of this notebook. Download it from the file browser "
                  "(right-click → Download) and hand it to your trainer. Save again after changing answers: "
                  "the newer file replaces the older one.")
        return str(path)

    def _research_changed(self, change: dict[str, Any]) -> None:
        # Telling the group's server may take seconds (or time out): never on the widget's event path.
        agreed = bool(change["new"])
        self._say("Saving your research choice…")
        self._consent_thread = threading.Thread(target=self._send_research_choice, args=(agreed,),
                                                name="peerkit-research-consent", daemon=True)
        self._consent_thread.start()

    def _send_research_choice(self, agreed: bool) -> None:
        try:
            said, problem = set_research_consent(agreed, store=self.store), False
        except (PeerkitError, OSError, ValueError, TypeError) as error:
            said, problem = str(error), True
        problem = problem or "could not be reached" in said
        on_kernel_thread(lambda: self._say(said, problem=problem))

    def wait_for_research_choice(self, timeout: float = 30.0) -> None:
        """Wait until the last research choice has been saved (and sent, where the server answered)."""
        thread = getattr(self, "_consent_thread", None)
        if thread is not None:
            thread.join(timeout)
        run_deferred()

    def _sharing_changed(self, _change: dict[str, Any]) -> None:
        if not self.joined:
            return
        try:
            updated = set_sharing(self.store, check_share(self.shared_exercises()))
        except (PeerkitError, ValueError) as error:
            self._say(str(error), problem=True)
            return
        self._say(updated.status or "Your sharing choices are saved.",
                  problem=bool(updated.status) and updated.status.startswith("Saved here."))

    # -- display --------------------------------------------------------------------------------
    def _update(self) -> None:
        current = membership(self.store)
        self.joined = current is not None
        self.cohort_name = current.name if current else ""
        self.mode = current.mode if current else ""
        # joined live on this computer: nothing to type. A membership without its sign-in (a portfolio
        # restored in a new session) or a file membership may join (again) with a code.
        signed_in = self.joined and self.mode == "live" and credentials(self.store) is not None
        self._code.disabled = self._url.disabled = self._join.disabled = signed_in
        self._leave.disabled = not self.joined
        self._send_button.layout.display = "" if self.mode == "live" else "none"
        self._file.layout.display = "" if self.mode == "file" else "none"
        if current is not None and not self.status:
            waiting = sync(self.store).message if self.mode == "live" else ""
            self._say(f"You are in {current.name}. {waiting}".strip(), problem=waiting.startswith("Saved here."))

    def _say(self, text: str, problem: bool = False) -> None:
        self.status = text
        style = "color:#a50026; font-weight:600;" if problem else ""
        self._status.value = render("status_line.html", text=text, role="status", live="polite", style=style)


def join_cohort(store: LocalStore | None = None) -> CohortJoin:
    """The join / share / leave panel (``pk.join_cohort()``)."""
    return CohortJoin(store)
