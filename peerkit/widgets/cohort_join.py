"""``CohortJoin``: join the trainer's group, choose what to share, leave again.

A labelled field for the join code, a field for the server's address (only where the
trainer gave one), one labelled tick box per exercise ("share this", none ticked in
advance, each saying who would see it), one "share all course exercises" box (off),
and Join / Leave buttons, with a status line that says what happened. In a room
without a network the learner types the cohort id instead and saves a file to hand
in. Everything about the membership stays in the learner's own store; see
:mod:`peerkit.client.membership`. Shared answers go to the group in the background
(:mod:`peerkit.client.sender`): no button here waits on the network but Join and Leave.

>>> import peerkit as pk
>>> pk.join_cohort()          # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.membership import join, leave, set_sharing, write_submission
from ..client.sender import resume
from ..client.state import credentials, membership
from ..client.sync import sync
from ..client.sharing import WHO_SEES, check_share, default_share, who_would_see
from ..errors import PeerkitError, StoreError
from ..exercises import ContentError, exercise_ids, load_exercise
from ..store import LocalStore
from ..templating import render


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
                                 placeholder="for example http://192.168.1.20:8000",
                                 style={"description_width": "initial"}, layout=widgets.Layout(width="40rem"))
        self._boxes: dict[str, widgets.Checkbox] = {}
        current = membership(self.store)
        ticked = set(current.share) if current else set(default_share())
        for exercise in exercise_ids():
            try:
                definition = load_exercise(exercise)
            except ContentError:
                continue
            note = who_would_see(definition)
            box = widgets.Checkbox(value=exercise in ticked,
                                   description=f"Share: {definition.title}" + (f" ({note})" if note else ""),
                                   indent=False, layout=widgets.Layout(width="auto"))
            box.observe(self._sharing_changed, names="value")
            self._boxes[exercise] = box
        self._all = widgets.Checkbox(value=bool(self._boxes) and all(b.value for b in self._boxes.values()),
                                     description="Share all course exercises (you can untick any of them below)",
                                     indent=False, layout=widgets.Layout(width="auto"))
        self._all.observe(self._share_all_changed, names="value")
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
        share_box = widgets.VBox([self._all, *self._boxes.values()], layout=widgets.Layout(margin="0 0 0.8rem 0"))
        super().__init__(
            [widgets.HTML(render("cohort_join/intro.html")), self._code, self._url,
             widgets.HTML(render("cohort_join/what_to_share.html", who_sees=WHO_SEES)),
             share_box,
             widgets.HBox([self._join, self._leave, self._send_button, self._file]), self._status],
            **kwargs,
        )
        self.add_class("peerkit-cohort-join")
        self._update()
        resume(self.store)  # answers left waiting by a kernel restart go out again

    # -- actions -------------------------------------------------------------------------------
    def shared_exercises(self) -> list[str]:
        return [exercise for exercise, box in self._boxes.items() if box.value]

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

    def _share_all_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self._setting_many = True
            try:
                for box in self._boxes.values():
                    box.value = True
            finally:
                self._setting_many = False
            self._sharing_changed({})

    def _sharing_changed(self, _change: dict[str, Any]) -> None:
        if getattr(self, "_setting_many", False):
            return
        if hasattr(self, "_all") and not all(box.value for box in self._boxes.values()) and self._all.value:
            self._all.unobserve(self._share_all_changed, names="value")
            self._all.value = False
            self._all.observe(self._share_all_changed, names="value")
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
