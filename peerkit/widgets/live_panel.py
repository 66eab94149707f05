"""``LivePanel``: the learner's small panel for the live session (``pk.live_panel()``).

It shows what the trainer started on the projector, read from ``GET /api/v1/me/session``
in a background thread every few seconds (the kernel never waits on the network):

- a gentle banner with a link to where the trainer is (chapter and exercise): follow it
  or ignore it;
- the timer of a pair or group activity and its card's title;
- the quick poll on show, with the learner's own answer (changeable) and its results
  once the trainer revealed them (never before at least the group's minimum size answered);
- the anonymous wall: a text box to post to it (the trainer reads every post first);
- a practice conversation the trainer started in the room: "Your trainer started a practice
  conversation", with a button that opens it here (the scenario's own widget, saved and shared
  like anywhere else: only with sharing ticked for it).

Answers and posts are sent in a background thread too; the reply arrives in the status
line. Replies reach the widgets on the kernel's event loop when there is one. The panel
needs the learner to have joined live (``pk.join_cohort()``); it says so otherwise.

>>> import peerkit as pk
>>> pk.live_panel()          # doctest: +SKIP
"""
from __future__ import annotations

import asyncio
import re
import threading
from typing import Any, Callable

import ipywidgets as widgets

from ..client.http import ServerClient, ServerError
from ..client.membership import client_for, credentials
from ..store import LocalStore
from ..templating import render

#: How often the panel asks the server what is on (seconds).
POLL_SECONDS = 4.0
#: A notebook of the course as the server names it: a plain file name, so a link to it cannot go elsewhere.
NOTEBOOK_FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.ipynb")
NOT_JOINED = ("Join your group first, with the code on the screen, in the “Join your group” panel of the welcome "
              "chapter; then polls and the wall appear here.")
SCALE = [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]


def isolated(text: Any) -> str:
    """``text`` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: what ``<bdi>`` is to a page, for the
    plain-text labels of the panel, so a bidi control in a classmate's word cannot reorder what stands beside it.

    >>> isolated("calm") == "\u2068calm\u2069"
    True
    """
    return f"\u2068{text}\u2069"


class LivePanel(widgets.VBox):
    """The live session's poll, wall, timer and "the trainer is here" banner, for one learner."""

    def __init__(self, store: LocalStore | None = None, *, client: ServerClient | None = None,
                 interval: float = POLL_SECONDS, start: bool = True, **kwargs: Any) -> None:
        # made with a client, the panel keeps it; else it follows the learner's membership in the store, so a
        # panel made before joining (chapter 00 run top to bottom) notices the join, and a leave, by itself
        self._store = None if client is not None else (store if store is not None else LocalStore())
        self._signed_in: tuple[str, str] | None = None
        if client is None:
            client = self._client_from_store()
        self.client = client
        self.interval = interval
        self.state: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._poll_key: str | None = None
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._loop_thread = threading.get_ident()  # the kernel's thread: the panel is made there
        self._banner = widgets.HTML()
        self._timer = widgets.Label()
        self._question = widgets.Label()
        self._choice: widgets.Widget = widgets.Box()
        self._send_button = widgets.Button(description="Send my answer", tooltip="Send your answer to the poll")
        self._poll_status = widgets.Label()
        self._results = widgets.Label()
        self._poll_box = widgets.VBox([self._question, widgets.Box(), self._send_button, self._poll_status,
                                       self._results])
        self._wall_prompt = widgets.Label()
        self._wall_text = widgets.Textarea(placeholder="Your anonymous post (the trainer reads it first)",
                                           layout=widgets.Layout(width="32rem"))
        self._post_button = widgets.Button(description="Post to the wall", tooltip="Post your text to the wall")
        self._wall_status = widgets.Label()
        self._wall_box = widgets.VBox([self._wall_prompt, self._wall_text, self._post_button, self._wall_status])
        self._answers_store = store  # where the opened practice conversation saves (None: the default store)
        self._scenario_key: str | None = None
        self._scenario_banner = widgets.HTML()
        self._scenario_button = widgets.Button(description="Open the practice conversation",
                                               tooltip="Open the conversation the room is practising, here",
                                               layout=widgets.Layout(width="auto"))
        self._scenario_area = widgets.Box()
        self._scenario_box = widgets.VBox([self._scenario_banner, self._scenario_button, self._scenario_area])
        self._scenario_button.on_click(lambda _: self.open_scenario())
        self._status = widgets.Label()
        self._send_button.on_click(lambda _: self.send_answer())
        self._post_button.on_click(lambda _: self.post_to_wall())
        super().__init__([widgets.HTML(render("live_panel/heading.html")), self._banner, self._scenario_box, self._timer,
                          self._poll_box, self._wall_box, self._status], **kwargs)
        self.add_class("peerkit-live-panel")
        self.show({"place": None, "timer": None, "activity": None, "poll": None, "wall": None})
        if self.client is None:
            self._status.value = NOT_JOINED
        if start and (self.client is not None or self._store is not None):
            threading.Thread(target=self._watch, name="peerkit-live-panel", daemon=True).start()

    # -- membership ------------------------------------------------------------------------------
    def _client_from_store(self) -> ServerClient | None:
        found = credentials(self._store) if self._store is not None else None
        self._signed_in = (str(found["server"]), str(found["token"])) if found else None
        return client_for(self._store) if found else None

    def follow_membership(self) -> bool:
        """Look again at the learner's membership (the panel does this before every ask): a join gives the panel
        its client, a leave takes it away and says how to join. True when the panel can ask the server."""
        if self._store is None:
            return self.client is not None
        found = credentials(self._store)
        now = (str(found["server"]), str(found["token"])) if found else None
        if now != self._signed_in:
            self.client = self._client_from_store()
            if self.client is None:
                self._on_loop(self._show_not_joined)
            else:
                self._on_loop(lambda: setattr(self._status, "value", "You joined: polls and the wall appear here."))
        return self.client is not None

    def _show_not_joined(self) -> None:
        self.show({"place": None, "timer": None, "activity": None, "poll": None, "wall": None})
        self._status.value = NOT_JOINED

    # -- background ------------------------------------------------------------------------------
    def _on_loop(self, work: Callable[[], None]) -> None:
        """Run ``work`` (a widget update) on the kernel's thread: now if already there, else via its loop."""
        if threading.get_ident() == self._loop_thread:
            # Already on the kernel's thread (e.g. fetch() called from a cell): update now, so the
            # caller sees the new state, rather than queueing it until the cell has finished.
            work()
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(work)
                return
            except RuntimeError:
                pass
        work()

    def _in_background(self, call: Callable[[], Any], done: Callable[[Any, str], None]) -> None:
        def run() -> None:
            try:
                result, problem = call(), ""
            except ServerError as error:
                result, problem = None, str(getattr(error, "detail", "") or error)
            except Exception as error:  # noqa: BLE001 - a panel must never raise in a thread
                result, problem = None, f"Something went wrong ({error})."
            self._on_loop(lambda: done(result, problem))

        threading.Thread(target=run, daemon=True).start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            if not self.follow_membership():
                self._stop.wait(self.interval)
                continue
            state = self.fetch()
            # a big class's server asks its panels to wait longer (check_again_seconds), never shorter
            suggested = (state or {}).get("check_again_seconds")
            wait = max(self.interval, float(suggested)) if isinstance(suggested, (int, float)) else self.interval
            self._stop.wait(wait)

    def fetch(self) -> dict[str, Any] | None:
        """Ask the server once (blocking; the panel calls it from its own thread) and show the answer."""
        try:
            state = self.client.my_session()
        except ServerError as error:
            # the message is made now: Python unbinds ``error`` when the except block ends, before the loop runs it
            said = f"The session's server is not answering just now ({error}); trying again."
            self._on_loop(lambda: setattr(self._status, "value", said))
            return None
        self._on_loop(lambda: self.show(state))
        return state

    def close(self) -> None:
        self._stop.set()
        super().close()

    # -- drawing -----------------------------------------------------------------------------
    def show(self, state: dict[str, Any]) -> None:
        """Draw the session ``state`` (the server's ``GET /me/session`` reply)."""
        self.state = state
        self._status.value = ""
        place = state.get("place")
        if place:
            notebook = str(place["notebook"])
            self._banner.value = render(
                "live_panel/banner.html", title=place["title"], exercise_title=place.get("exercise_title") or "",
                notebook=notebook, link=bool(NOTEBOOK_FILE.fullmatch(notebook)))
        else:
            self._banner.value = ""
        timer, activity = state.get("timer"), state.get("activity")
        parts = []
        if activity:
            parts.append(f"Activity: {activity['title']} (in {activity['grouping']})")
        if timer:
            left = int(timer["seconds_left"])
            parts.append("time is up" if left <= 0 else f"about {max(1, round(left / 60))} min left")
        self._timer.value = "; ".join(parts)
        self._draw_poll(state.get("poll"))
        self._draw_scenario(state.get("conversation"))
        wall = state.get("wall")
        self._wall_box.layout.display = "" if wall and wall.get("status") == "open" else "none"
        if wall:
            self._wall_prompt.value = f"Wall: {wall['prompt']}"

    def _draw_scenario(self, scenario: dict[str, Any] | None) -> None:
        self._scenario_box.layout.display = "" if scenario else "none"
        if not scenario:
            self._scenario_key = None
            self._scenario_area.children = []
            return
        self._scenario_banner.value = render("live_panel/scenario_banner.html", title=scenario["title"],
                                             number=scenario.get("number"), ended=bool(scenario.get("ended")))
        if scenario["exercise"] != self._scenario_key:  # another conversation: close the old one's widget
            self._scenario_area.children = []
            self._scenario_button.layout.display = ""

    def open_scenario(self) -> Any:
        """Open the room's practice conversation in the panel (the scenario's own widget); returns it."""
        from .scenario import ScenarioWidget

        scenario = (self.state or {}).get("conversation")
        if not scenario:
            return None
        if self._scenario_key == scenario["exercise"] and self._scenario_area.children:
            return self._scenario_area.children[0]
        widget = ScenarioWidget(str(scenario["exercise"]), store=self._answers_store)
        self._scenario_key = scenario["exercise"]
        self._scenario_area.children = [widget]
        self._scenario_button.layout.display = "none"
        return widget

    def _draw_poll(self, poll: dict[str, Any] | None) -> None:
        self._poll_box.layout.display = "" if poll else "none"
        if not poll:
            self._poll_key = None
            return
        key = f"{poll['id']}:{poll['status']}"
        if key != self._poll_key:
            self._poll_key = key
            self._question.value = f"Poll: {poll['question']}"
            mine = poll.get("your_answer")
            if poll["kind"] == "single":
                self._choice = widgets.RadioButtons(options=poll["options"], value=mine, description="Answer")
            elif poll["kind"] == "scale":
                self._choice = widgets.RadioButtons(options=SCALE, value=mine, description="1 to 5")
            elif poll["kind"] == "multiple":
                self._choice = widgets.VBox([widgets.Checkbox(value=option in (mine or []), description=option,
                                                              indent=False) for option in poll["options"]])
            else:
                self._choice = widgets.Text(value=mine or "", description="One word",
                                            placeholder="one word")
            self._poll_box.children = [self._question, self._choice, self._send_button, self._poll_status,
                                       self._results]
            self._send_button.disabled = poll["status"] != "open"
            self._poll_status.value = "Your answer is in; you can change it." if mine is not None else ""
        results = poll.get("results")
        if results:
            rows = results.get("words") or results.get("counts") or []
            listed = ", ".join(f"{isolated(r.get('word', r.get('option')))}: {r['n']}" for r in rows)
            self._results.value = f"Results ({results['answers']} people): {listed}"
        else:
            self._results.value = ""

    # -- actions -----------------------------------------------------------------------------
    def chosen_value(self) -> Any:
        poll = (self.state or {}).get("poll") or {}
        if poll.get("kind") == "multiple":
            return [box.description for box in self._choice.children if box.value]
        return getattr(self._choice, "value", None)

    def send_answer(self) -> None:
        """Send the chosen answer to the poll on show (in the background)."""
        poll = (self.state or {}).get("poll")
        if not poll or self.client is None:
            return
        value = self.chosen_value()
        self._poll_status.value = "Sending…"

        def done(_result: Any, problem: str) -> None:
            self._poll_status.value = problem or "Your answer is in; you can change it."

        self._in_background(lambda: self.client.request("PUT", f"/api/v1/me/polls/{int(poll['id'])}",
                                                        {"value": value}), done)

    def post_to_wall(self) -> None:
        """Post the text box's text to the wall on show (in the background)."""
        wall = (self.state or {}).get("wall")
        if not wall or self.client is None:
            return
        text = self._wall_text.value
        self._wall_status.value = "Posting…"

        def done(_result: Any, problem: str) -> None:
            if not problem:
                self._wall_text.value = ""
            self._wall_status.value = problem or "Posted. Your trainer reads it before it goes on the screen."

        self._in_background(lambda: self.client.request("POST", f"/api/v1/me/wall/{int(wall['id'])}",
                                                        {"text": text}), done)


def live_panel(store: LocalStore | None = None) -> LivePanel:
    """The live session's panel for this learner (after ``pk.join_cohort()``)."""
    return LivePanel(store)
