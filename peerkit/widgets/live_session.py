"""``LiveSession``: the trainer notebook's panel over the cohort server's API (``pk.live_session()``).

Thin on purpose: the server owns the cohort store and draws the projector page; this
panel signs in with a trainer token and offers what a trainer does from a notebook:

- choose, create or close a cohort, make a new join code (shown large, with the
  address learners type);
- open the cohort's projector page (served by the server, updating live);
- see how many people answered each exercise, and its chart (the server's aggregates as
  a :class:`peerkit.group_view.GroupView`, the same view the projector draws: counts under
  the cohort's minimum group size stay hidden there, and so here);
- upload hand-in files from a room without a network (the server's rule: a file never
  overwrites a learner who sent answers live);
- send a room tally (a show of hands typed or pasted, one line per item) for a room
  without laptops: the server keeps it as a group of its own, drawn beside the answers
  and never added to them to pass the threshold.

- lock joining once the room is in, and remove a member (with all their answers) by pseudonym;
- make a projector sign-in link: a single-use code that works ten minutes, for the browser on the
  projector (the browser never gets the token).

The token comes from ``PEERKIT_TRAINER_TOKEN`` or is pasted into the password field (the
``Trainer token: pkt_…`` line ``peerkit serve`` printed). It is kept in memory only, never in
the notebook. On a JupyterHub the panel signs in with the kernel's own hub identity
(:meth:`LiveSession.sign_in_with_hub`): nothing is typed, and no token reaches the notebook, its
outputs or its file. No database address here.

One widget, so one module (as every widget has its own), kept whole at about 450 lines: each
method is one thing a trainer does, one call of the server's API, and the panel's state (the
chosen cohort, the signed-in client) is shared by all of them.

>>> import peerkit as pk
>>> pk.live_session()                                   # doctest: +SKIP
"""
from __future__ import annotations

import json
import os
import urllib.parse
from typing import Any

import ipywidgets as widgets

from ..client.address import SERVER_ENV, server_address
from ..client.http import ServerClient, ServerError, normalize_address
from ..cohort.tally import TallyError, parse_tally
from ..exercises import ContentError, course_exercises, load_exercise
from ..kinds import kind_of
from ..privacy import MIN_GROUP_SIZE
from ..templating import render, rendered

TOKEN_ENV = "PEERKIT_TRAINER_TOKEN"
BIG = "font-size:1.3rem;"
HUGE = "font-size:2rem; font-weight:700;"


def _hub_address(typed: str | None) -> Any:
    """The hub's ``peerkit`` service when this kernel runs on a JupyterHub and no other server was named."""
    try:
        found = server_address(typed)
    except ValueError:
        return None
    return found if found is not None and found.via_hub and found.hub_auth_header() else None


def parse_sign_in(text: str) -> tuple[str | None, str | None]:
    """``(server address or None, token or None)`` from a sign-in link or a bare ``pkt_`` token.

    >>> parse_sign_in("http://10.0.0.5:8765/sign-in?token=pkt_abc")
    ('http://10.0.0.5:8765', 'pkt_abc')
    >>> parse_sign_in(" pkt_abc ")
    (None, 'pkt_abc')
    """
    text = (text or "").strip()
    if text.startswith("pkt_"):
        return None, text
    parts = urllib.parse.urlsplit(text)
    token = (urllib.parse.parse_qs(parts.query).get("token") or [None])[0]
    if not parts.scheme or not parts.netloc:
        return None, token
    path = parts.path
    if path.endswith("/sign-in"):
        path = path[: -len("/sign-in")]
    return normalize_address(f"{parts.scheme}://{parts.netloc}{path}"), token


class LiveSession(widgets.VBox):
    """The trainer's cohorts on the cohort server."""

    def __init__(self, server: str | None = None, token: str | None = None, **kwargs: Any) -> None:
        found_server, found_token = parse_sign_in(token or os.environ.get(TOKEN_ENV, ""))
        address = server or found_server or os.environ.get(SERVER_ENV, "").strip() or ""
        self.client: ServerClient | None = None
        self.cohort: str | None = None
        big = {"description_width": "initial"}
        self._server = widgets.Text(value=address, description="Server address", style=big,
                                    placeholder="as `peerkit serve` printed it, e.g. http://192.168.1.20:8765",
                                    layout=widgets.Layout(width="36rem"))
        self._token = widgets.Password(value=found_token or "", description="Sign-in link or trainer token",
                                       style=big, layout=widgets.Layout(width="36rem"))
        self._sign_in = widgets.Button(description="Sign in", button_style="primary")
        self._chooser = widgets.Dropdown(description="Cohort", options=[], style=big,
                                         layout=widgets.Layout(width="32rem"))
        self._new_name = widgets.Text(description="Name of a new cohort", placeholder="e.g. Tuesday evening group",
                                      style=big, layout=widgets.Layout(width="32rem"))
        self._create = widgets.Button(description="Create cohort")
        self._new_code = widgets.Button(description="New join code", tooltip="The old code stops working")
        self._close = widgets.Button(description="Close cohort", tooltip="No more joins or answers")
        self._refresh = widgets.Button(description="Refresh counts", icon="refresh")
        self._lock = widgets.Button(description="Lock joining", tooltip="Nobody new can join until you open it again")
        self._projector_link = widgets.Button(description="Projector sign-in link",
                                              tooltip="A link for the projector's browser: it works once, for "
                                                      "ten minutes")
        self._member = widgets.Text(description="Pseudonym to remove", placeholder="p-…", style=big,
                                    layout=widgets.Layout(width="32rem"))
        self._remove = widgets.Button(description="Remove member", button_style="danger",
                                      tooltip="Removes this member and every answer of theirs")
        self._link = widgets.HTML()
        self._upload = widgets.FileUpload(accept=".json,application/json", multiple=True,
                                          description="Upload hand-in files", layout=widgets.Layout(width="20rem"))
        tallied = _tally_exercises()
        self._tally_exercise = widgets.Dropdown(description="Exercise to tally", options=tallied, style=big,
                                                value=tallied[0][1] if tallied else None,
                                                layout=widgets.Layout(width="32rem"))
        self._tally_intro = widgets.HTML()
        self._tally_text = widgets.Textarea(description="Hands per item", style=big,
                                            placeholder="B01 2 5 1\nB02 0 4 4",
                                            layout=widgets.Layout(width="36rem", height="10rem"))
        self._tally_send = widgets.Button(description="Send the tally")
        scenarios = _scenarios()
        self._scenario_choice = widgets.Dropdown(description="Practice conversation", options=scenarios, style=big,
                                                 value=scenarios[0][1] if scenarios else None,
                                                 layout=widgets.Layout(width="32rem"))
        self._scenario_push = widgets.Button(description="Start it in the room", layout=widgets.Layout(width="auto"))
        self._scenario_reveal = widgets.Button(description="Show the feedback", layout=widgets.Layout(width="auto"),
                                               tooltip="The feedback for each response of the room's turn")
        self._scenario_next = widgets.Button(description="Next turn", layout=widgets.Layout(width="auto"))
        self._scenario_end = widgets.Button(description="End it", layout=widgets.Layout(width="auto"))
        self._scenario_state = widgets.HTML()
        self._status = widgets.HTML()
        self._code = widgets.HTML()
        self._counts = widgets.HTML()
        self._charts = widgets.HTML()
        super().__init__([
            widgets.HTML(render("live_session/heading.html", huge=HUGE)),
            widgets.HBox([self._server]), widgets.HBox([self._token, self._sign_in]),
            widgets.HBox([self._chooser, self._refresh]),
            widgets.HBox([self._new_name, self._create]), widgets.HBox([self._new_code, self._close]),
            self._code, widgets.HBox([self._lock, self._projector_link]), self._link,
            widgets.HBox([self._member, self._remove]), self._counts, self._charts, widgets.HBox([self._upload]),
            self._tally_intro, self._tally_exercise, self._tally_text, self._tally_send,
            widgets.HBox([self._scenario_choice, self._scenario_push]),
            widgets.HBox([self._scenario_reveal, self._scenario_next, self._scenario_end]), self._scenario_state,
            self._status,
        ], **kwargs)
        self.add_class("peerkit-live-session")
        self._sign_in.on_click(lambda _: self.sign_in(self._server.value, self._token.value))
        self._create.on_click(lambda _: self.create_cohort(self._new_name.value))
        self._new_code.on_click(lambda _: self.new_join_code())
        self._close.on_click(lambda _: self.close_cohort())
        self._refresh.on_click(lambda _: self.refresh())
        self._lock.on_click(lambda _: self.lock_joining(self._lock.description == "Lock joining"))
        self._projector_link.on_click(lambda _: self.projector_link())
        self._remove.on_click(lambda _: self.remove_member(self._member.value))
        self._chooser.observe(lambda change: self.choose(change["new"]), names="value")
        self._upload.observe(lambda change: change["new"] and self.upload(change["new"]), names="value")
        self._tally_exercise.observe(lambda _: self._show_tally_intro(), names="value")
        self._tally_send.on_click(lambda _: self.send_tally(self._tally_exercise.value, self._tally_text.value))
        self._scenario_push.on_click(lambda _: self.push_scenario(self._scenario_choice.value))
        self._scenario_reveal.on_click(lambda _: self.reveal_scenario())
        self._scenario_next.on_click(lambda _: self.next_turn())
        self._scenario_end.on_click(lambda _: self.end_scenario())
        self._show_tally_intro()
        hub = None if found_token else _hub_address(server)
        if address and found_token:
            self.sign_in(address, found_token)
        elif hub is not None:
            self.sign_in_with_hub(hub)
        else:
            self._say("Paste the trainer token that `peerkit serve` printed, then press Sign in.")

    # -- signing in and cohorts ---------------------------------------------------------------
    def sign_in(self, server: str, token_or_link: str) -> bool:
        link_server, token = parse_sign_in(token_or_link)
        try:
            self.client = ServerClient(server or link_server or "", token)
            if not token:
                raise ValueError("Paste the trainer token (it starts with pkt_); a sign-in link (#code=…) is for "
                                 "the projector's browser, not for this panel.")
            cohorts = self.client.cohorts()
        except (ValueError, ServerError) as error:
            self.client = None
            self._say(str(error), problem=True)
            return False
        self._server.value = self.client.address
        self._token.value = ""  # in memory only: never left in a field a saved notebook could keep
        self._show_cohorts(cohorts)
        self._say(f"Signed in at {self.client.address}. {len(cohorts)} cohort(s).")
        return True

    def sign_in_with_hub(self, hub: Any) -> bool:
        """On a JupyterHub: sign in with this kernel's own hub identity (``JUPYTERHUB_API_TOKEN``, sent only to
        the hub's ``peerkit`` service). No token is typed, shown or kept in the notebook; the hub decides who
        is a trainer (its ``peerkit-trainers`` group)."""
        try:
            self.client = ServerClient(hub.url, auth_header=hub.hub_auth_header())
            cohorts = self.client.cohorts()
        except ServerError as error:
            self.client = None
            status = getattr(error, "status", None)
            self._say(("Your hub account is not a trainer here: ask the hub's admin to add you to the group "
                       "peerkit-trainers." if status == 403 else str(error)), problem=True)
            return False
        self._server.value = self.client.address
        self._token.value = ""
        self._show_cohorts(cohorts)
        self._say(f"Signed in with your hub account at {self.client.address}. {len(cohorts)} cohort(s).")
        return True

    def _show_cohorts(self, cohorts: list[dict[str, Any]], wanted: str | None = None) -> None:
        options = [(f"{c.get('name')} ({c.get('id')}{', closed' if c.get('status') == 'closed' else ''})", c["id"])
                   for c in cohorts]
        self._chooser.options = options
        ids = [value for _, value in options]
        self._chooser.value = wanted if wanted in ids else (ids[0] if ids else None)

    def _call(self, what: str, action: Any) -> Any:
        if self.client is None:
            self._say("Sign in first.", problem=True)
            return None
        try:
            return action(self.client)
        except ServerError as error:
            self._say(f"Could not {what}: {error}", problem=True)
            return None

    def choose(self, cohort_id: str | None) -> None:
        self.cohort = cohort_id
        self._code.value = ""
        if cohort_id is None:
            self._counts.value = ""
            return
        info = self._call("read the cohort", lambda c: c.cohort(cohort_id))
        if info:
            self._show_cohort(info)
        self.refresh()

    def create_cohort(self, name: str) -> dict[str, Any] | None:
        if not name.strip():
            self._say("Give the new cohort a name first.", problem=True)
            return None
        made = self._call("create the cohort", lambda c: c.create_cohort(name.strip()))
        if made:
            self._new_name.value = ""
            cohorts = self._call("list cohorts", lambda c: c.cohorts()) or []
            self._show_cohorts(cohorts, made["id"])
            self._show_cohort(made)
            self._say(f"Created {made.get('name')}.")
        return made

    def new_join_code(self) -> str | None:
        if self.cohort is None:
            return None
        made = self._call("make a new join code", lambda c: c.new_join_code(self.cohort))
        if made:
            info = self._call("read the cohort", lambda c: c.cohort(self.cohort)) or {}
            self._show_cohort({**info, **made})
            return made.get("join_code")
        return None

    def close_cohort(self) -> bool:
        if self.cohort is None:
            return False
        done = self._call("close the cohort", lambda c: c.close_cohort(self.cohort))
        if done is not None:
            self._say("Closed: no more joins or answers. It is deleted with all its data after the retention "
                      "period the server states.")
        return done is not None

    def lock_joining(self, locked: bool) -> bool | None:
        """Lock joining (nobody new gets in with the code) or open it again; the new state, or None."""
        if self.cohort is None:
            return None
        info = self._call("change joining", lambda c: c.lock_joining(self.cohort, locked))
        if not info:
            return None
        self._show_cohort(info)
        self._say("Joining is locked: nobody new can join until you open it." if info.get("joining_locked")
                  else "Joining is open again.")
        return bool(info.get("joining_locked"))

    def remove_member(self, pseudonym: str) -> dict[str, Any] | None:
        """Remove one member (by pseudonym) with every answer of theirs."""
        pseudonym = (pseudonym or "").strip()
        if self.cohort is None or not pseudonym:
            self._say("Type the pseudonym of the member to remove (it starts with p-).", problem=True)
            return None
        done = self._call("remove the member", lambda c: c.remove_member(self.cohort, pseudonym))
        if done:
            self._member.value = ""
            self._say(f"Removed {pseudonym} and their {done.get('removed', 0)} answer(s).")
            self.refresh()
        return done

    def projector_link(self) -> str | None:
        """A fresh sign-in link for the projector's browser (one use, ten minutes), shown in the panel."""
        made = self._call("make a sign-in link", lambda c: c.sign_in_code())
        if not made:
            return None
        link = str(made.get("sign_in", ""))
        if self.cohort and "&next=" in link:
            link = link.split("&next=", 1)[0] + "&next=projector/" + urllib.parse.quote(self.cohort, safe="")
        self._link.value = render("live_session/sign_in_link.html", big=BIG, link=link,
                                  minutes=int(made.get("expires_in", 600)) // 60)
        return link

    def _show_cohort(self, info: dict[str, Any]) -> None:
        assert self.client is not None
        locked = bool(info.get("joining_locked"))
        self._lock.description = "Open joining" if locked else "Lock joining"
        code = info.get("join_code")
        projector = f"{self.client.address}/projector/{urllib.parse.quote(str(info.get('id')), safe='')}"
        self._code.value = render("live_session/cohort.html", big=BIG, name=str(info.get("name", "")),
                                  code=str(code) if code else "", address=self.client.address,
                                  cohort_id=str(info.get("id")), projector=projector, locked=locked)

    # -- counts and files ---------------------------------------------------------------------
    def refresh(self) -> dict[str, Any] | None:
        if self.cohort is None:
            return None
        answer = self._call("read the answers", lambda c: c.cohort_aggregates(self.cohort))
        if answer is None:
            return None
        rows = []
        for exercise, data in sorted((answer.get("exercises") or {}).items()):
            try:
                title = load_exercise(exercise).title
            except ContentError:
                title = exercise
            rows.append({"title": title, "respondents": int(data.get("respondents") or 0)})
        self._counts.value = render("live_session/counts.html", big=BIG, rows=rows,
                                    members=int(answer.get("members") or 0),
                                    from_files=int(answer.get("from_files") or 0))
        self._charts.value = group_charts(answer)
        return answer

    def upload(self, files: Any) -> dict[str, Any] | None:
        """Send hand-in files (a FileUpload value, or ``[(name, bytes)]``) to the chosen cohort."""
        if self.cohort is None:
            self._say("Choose a cohort first.", problem=True)
            return None
        documents, unreadable = [], []
        for entry in files:
            name, content = ((entry.get("name"), entry.get("content")) if isinstance(entry, dict) else entry)
            try:
                documents.append(json.loads(bytes(content).decode("utf-8")))
            except (UnicodeDecodeError, ValueError):
                unreadable.append(str(name))
        answer = self._call("upload the files", lambda c: c.upload_submissions(self.cohort, documents)) \
            if documents else {}
        words = f"{len(documents)} file(s) sent to the server."
        if unreadable:
            words += f" Not JSON, so not sent: {', '.join(unreadable)}."
        if answer is not None:
            self._say(words + (f" {answer.get('summary')}" if isinstance(answer, dict) and answer.get("summary")
                               else ""))
            self.refresh()
        return answer

    # -- the room tally -------------------------------------------------------------------------
    def _show_tally_intro(self) -> None:
        exercise = self._tally_exercise.value
        options = ", ".join(o.label for o in load_exercise(exercise).scale) if exercise else ""
        self._tally_intro.value = render("live_session/tally_intro.html", big=BIG, options=options,
                                         min_group_size=MIN_GROUP_SIZE)

    def send_tally(self, exercise: str | None, text: str) -> dict[str, Any] | None:
        """Send a room tally (one line per item: the item, then the hands per option) to the chosen cohort."""
        if self.cohort is None:
            self._say("Choose a cohort first.", problem=True)
            return None
        if not exercise:
            self._say("Choose the exercise you counted hands for.", problem=True)
            return None
        try:
            counts = parse_tally(text, exercise=exercise)
        except TallyError as error:
            self._say(f"The tally was not sent: {error}", problem=True)
            return None
        answer = self._call("send the tally", lambda c: c.send_tally(self.cohort, exercise, counts))
        if answer is None:
            return None
        hands = answer.get("hands") if isinstance(answer, dict) else None
        self._say(f"Room tally for {load_exercise(exercise).title} sent: {len(counts)} item(s)"
                  + (f", {hands} hands in all" if isinstance(hands, int) else "")
                  + ". It replaces any earlier tally of that exercise; the projector page shows it as a chart "
                    "of its own beside the group's answers, once enough hands are counted.")
        self.refresh()
        return answer

    # -- a practice conversation in the room ----------------------------------------------------
    def _scenario(self, what: str, path: str, body: Any = None) -> dict[str, Any] | None:
        if self.cohort is None:
            self._say("Choose a cohort first.", problem=True)
            return None
        cohort = urllib.parse.quote(self.cohort, safe="")
        done = self._call(what, lambda c: c.request("POST", f"/api/v1/cohorts/{cohort}/conversation{path}", body))
        if done is not None:
            self._scenario_state.value = render("live_session/scenario.html",
                                                 conversation=done.get("conversation"))
        return done

    def push_scenario(self, exercise: str | None) -> dict[str, Any] | None:
        """Start a practice conversation in the room: it goes on the room's screen and every learner's panel."""
        return self._scenario("start the practice conversation", "", {"exercise": exercise})

    def reveal_scenario(self) -> dict[str, Any] | None:
        """Show the room the feedback for each response of its turn."""
        return self._scenario("show the feedback", "/reveal")

    def next_turn(self, to: str | None = None) -> dict[str, Any] | None:
        """Move the room on: along the helpful response, or to ``to`` (where another response leads)."""
        return self._scenario("move on", "/next", {"to": to} if to else None)

    def end_scenario(self) -> dict[str, Any] | None:
        """End the room's practice conversation (it stays in the session report)."""
        return self._scenario("end the practice conversation", "/end")

    def _say(self, text: str, problem: bool = False) -> None:
        style = "color:#a50026; font-weight:700;" if problem else ""
        self._status.value = render("status_line.html", text=text, role="status", live="polite", style=BIG + style)
        self.status = text


def group_charts(answer: dict[str, Any]) -> str:
    """Every exercise of an aggregates answer that has a chart, drawn from the one group view (HTML)."""
    from .. import charts
    from ..charts_html import chart_html
    from ..client.aggregates import tally_view_from_aggregates, view_from_aggregates

    entries = []
    for exercise in sorted(answer.get("exercises") or {}):
        for view in (view_from_aggregates(answer, exercise, label="group"), tally_view_from_aggregates(answer, exercise)):
            if view is None or view.style not in charts.PLOTS:
                continue
            entries.append({"chart": rendered(chart_html(view)), "summary": charts.PLOTS[view.style][1](view)})
    return render("live_session/charts.html", entries=entries) if entries else ""


def _tally_exercises() -> list[tuple[str, str]]:
    """``(title, id)`` of every exercise a room can tally: those with a scale of options to raise hands for."""
    return [(definition.title, definition.id) for definition in course_exercises() if definition.scale]


def _scenarios() -> list[tuple[str, str]]:
    """``(title, id)`` of every practice conversation (kind ``scenario``) of the course."""
    return [(definition.title, definition.id) for definition in course_exercises() if kind_of(definition).branching]


def live_session(server: str | None = None, token: str | None = None) -> LiveSession:
    """The trainer's live-session panel (``pk.live_session()``)."""
    return LiveSession(server, token)
