"""``LiveDashboard``: a trainer's view of a cohort store on their own computer (room tally, hand-in files).

For a live session, trainers run ``peerkit serve`` and use ``pk.live_session()`` (and the
server's projector page): learners then reach the server, never a database. This widget
stays for what needs no server and no network: typing a room tally (a show of hands) and
loading hand-in files into a store file in the trainer's own ``PEERKIT_HOME``, drawn with
the same charts. It reads a store directly, so it is given one by URL (or uses that local
file); no environment variable names one (the old ``PEERKIT_COHORT_URL`` is gone).

Choose a cohort; see how many people answered each exercise; see the group chart
of each exercise, with the items where the group is most divided first, as prompts
for discussion. It refreshes on its own every few seconds (and with the Refresh
button); a refresh that finds nothing new costs one small query. Groups under five
are not drawn. Learner text (shared reflections) is escaped before it is shown.

Other tabs: load hand-in files (the Binder route, :mod:`peerkit.cohort.submission`),
type a room tally (:class:`peerkit.cohort.tally_form.TallyForm`), and create a
cohort (its join code is shown once: only a hash of it is stored).

The automatic refresh runs on the kernel's own event loop (``loop.call_later``), so
widget updates happen on the kernel's main thread between cells, never from a
background thread; it stops when the widget is closed.

>>> dashboard = LiveDashboard("sqlite:////srv/peerkit/cohort.sqlite")      # doctest: +SKIP
>>> dashboard                                                              # doctest: +SKIP
"""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from ..cohort.errors import CohortError
from ..cohort.panels import BIG, HUGE, discussion_prompts, panel_or_error, responders_html
from ..exercises import ContentError, exercise_ids, load_exercise
from ..paths import peerkit_home
from ..privacy import MIN_GROUP_SIZE
from ..templating import render

if TYPE_CHECKING:
    import pandas as pd

    from ..cohort.store import CohortStore

#: File used when no cohort store is configured: the trainer's own, for hand-in files and tallies.
LOCAL_STORE_NAME = "trainer-cohorts.sqlite"


def default_store_url() -> str:
    """A store file in the trainer's own ``PEERKIT_HOME`` (for a room tally and hand-in files)."""
    return "sqlite:///" + str(peerkit_home() / LOCAL_STORE_NAME)


def _course_order(exercise: str) -> tuple[int, str]:
    order = exercise_ids()
    try:
        return (0, f"{load_exercise(exercise).chapter}/{order.index(exercise):04d}")
    except (ContentError, ValueError):
        return (1, exercise)


def _message(kind: str, **context: Any) -> str:
    """One of the dashboard's short messages, from ``templates/dashboard/message.html`` (autoescaped)."""
    return render("dashboard/message.html", kind=kind, big=BIG, huge=HUGE, **{"problem": False, **context})


class LiveDashboard(widgets.VBox):
    """The trainer's live view of one cohort.

    Parameters
    ----------
    store:
        A :class:`~peerkit.cohort.store.CohortStore`, or its URL; default a file in the
        trainer's ``PEERKIT_HOME`` (for a room tally and hand-in files).
    cohort:
        The cohort id to show; default the newest cohort.
    refresh_seconds:
        Seconds between automatic refreshes.
    min_group_size:
        Smallest group drawn.
    autorefresh:
        Refresh on a timer (needs a running kernel event loop, as in Jupyter and Voila).
    """

    cohort = traitlets.Unicode(None, allow_none=True)
    refresh_seconds = traitlets.Float(5.0)
    min_group_size = traitlets.Int(5)
    autorefresh = traitlets.Bool(True)
    status = traitlets.Unicode("")

    def __init__(self, store: "CohortStore | str | None" = None, cohort: str | None = None, *,
                 refresh_seconds: float = 5.0, min_group_size: int = MIN_GROUP_SIZE, autorefresh: bool = True,
                 **kwargs: Any) -> None:
        from ..cohort.store import CohortStore
        from ..cohort.tally_form import TallyForm

        if refresh_seconds < 1:
            raise ValueError("refresh_seconds must be at least 1: a projector gains nothing from faster refreshes.")
        self.store = store if isinstance(store, CohortStore) else CohortStore(store or default_store_url())
        self._revision: int | None = None
        self._panels: dict[str, tuple[str, widgets.HTML]] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.refresh_count = 0

        big = {"description_width": "initial"}
        self._chooser = widgets.Dropdown(description="Cohort", options=[], style=big,
                                         layout=widgets.Layout(width="32rem"))
        self._refresh = widgets.Button(description="Refresh now", icon="refresh", tooltip="Fetch the newest answers",
                                       style={"font_size": "1.3rem"}, layout=widgets.Layout(width="12rem"))
        self._auto = widgets.Checkbox(value=autorefresh, description=f"Refresh on its own every {refresh_seconds:g} s",
                                      style=big, indent=False)
        self._status = widgets.HTML()
        self._header = widgets.HTML()
        self._responders = widgets.HTML()
        self._prompts = widgets.HTML()
        self._panel_box = widgets.VBox()

        self._upload = widgets.FileUpload(accept=".json,application/json", multiple=True,
                                          description="Choose hand-in files", style={"font_size": "1.2rem"},
                                          layout=widgets.Layout(width="20rem"))
        self._upload_result = widgets.HTML(render("dashboard/upload_intro.html", big=BIG))
        self._tally = TallyForm(min_group_size=min_group_size)

        self._new_name = widgets.Text(description="Name of the new cohort", placeholder="e.g. Tuesday evening group",
                                      style=big, layout=widgets.Layout(width="36rem"))
        self._create = widgets.Button(description="Create cohort", button_style="primary",
                                      style={"font_size": "1.2rem"})
        self._new_code = widgets.Button(description="New join code for the chosen cohort",
                                        style={"font_size": "1.2rem"}, layout=widgets.Layout(width="24rem"))
        self._code_box = widgets.HTML()

        live = widgets.VBox([widgets.HBox([self._chooser, self._refresh, self._auto]), self._status, self._header,
                             self._responders, self._prompts, self._panel_box])
        files = widgets.VBox([self._upload, self._upload_result])
        cohorts = widgets.VBox([
            widgets.HTML(render("dashboard/cohorts_intro.html", big=BIG)),
            self._new_name, self._create, self._new_code, self._code_box,
        ])
        self._tabs = widgets.Tab(children=[live, files, self._tally, cohorts],
                                 titles=["Live", "Hand-in files", "Room tally", "Cohorts"])
        super().__init__([widgets.HTML(render("dashboard/title.html", huge=HUGE)), self._tabs],
                         **kwargs)
        self.add_class("peerkit-dashboard")

        self._refresh.on_click(lambda _: self.refresh(force=True))
        self._auto.observe(lambda change: setattr(self, "autorefresh", change["new"]), names="value")
        self._chooser.observe(self._chosen, names="value")
        self._upload.observe(self._uploaded, names="value")
        self._create.on_click(lambda _: self.create_cohort(self._new_name.value))
        self._new_code.on_click(lambda _: self.new_join_code())

        self.refresh_seconds = refresh_seconds
        self.min_group_size = min_group_size
        # ask the front end to count this widget's views (ipywidgets), so a hidden dashboard stops redrawing
        self._had_view = False
        self._view_count = 0
        self.observe(self._views_changed, names="_view_count")
        self._load_cohorts(cohort)
        self.autorefresh = autorefresh
        self._start()

    # -- cohorts ----------------------------------------------------------------------------
    def _load_cohorts(self, wanted: str | None = None) -> None:
        try:
            cohorts = self.store.cohorts()
        except CohortError as error:
            self._say(f"Cannot read the cohorts: {error}", problem=True)
            return
        self._chooser.options = [(f"{c.name} ({c.id})", c.id) for c in cohorts]
        ids = [c.id for c in cohorts]
        if wanted is not None and wanted not in ids:
            self._say(f"There is no cohort {wanted!r} in {self.store.display_url}. Create it in the Cohorts tab.",
                      problem=True)
            wanted = None
        choice = wanted or (ids[0] if ids else None)
        self._chooser.value = choice
        self.cohort = choice
        if choice is None:
            self._say("No cohort yet. Create one in the Cohorts tab.")

    def _chosen(self, change: dict[str, Any]) -> None:
        self.cohort = change["new"]

    @traitlets.observe("cohort")
    def _cohort_changed(self, change: dict[str, Any]) -> None:
        if change["new"] is not None and self._chooser.value != change["new"]:
            self._chooser.value = change["new"]
        self._revision = None
        self._panels.clear()
        self._panel_box.children = []
        self.refresh(force=True)

    def create_cohort(self, name: str) -> tuple[str, str] | None:
        """Create a cohort and show its join code large, once."""
        try:
            cohort_id, code = self.store.create_cohort(name)
        except CohortError as error:
            self._code_box.value = _message("alert", text=str(error))
            return None
        self._new_name.value = ""
        self._show_code(name, cohort_id, code)
        self._load_cohorts(cohort_id)
        return cohort_id, code

    def new_join_code(self) -> str | None:
        """Replace the chosen cohort's join code (learners already in it stay in)."""
        if self.cohort is None:
            return None
        try:
            code = self.store.new_join_code(self.cohort)
            name = self.store.cohort(self.cohort).name
        except CohortError as error:
            self._code_box.value = _message("alert", text=str(error))
            return None
        self._show_code(name, self.cohort, code)
        return code

    def _show_code(self, name: str, cohort_id: str, code: str) -> None:
        self._code_box.value = _message("code", name=name, code=code, cohort_id=cohort_id)

    # -- refreshing ---------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Fetch and draw the cohort's answers; returns ``True`` if anything new was drawn."""
        if self.cohort is None:
            return False
        try:
            revision = self.store.revision(self.cohort)
            if not force and revision == self._revision:
                self._say(f"Up to date at {datetime.now():%H:%M:%S}.")
                return False
            responders = self.store.responders(self.cohort)
            members = self.store.members(self.cohort)
            data = self.store.responses_frame(self.cohort)
            self._draw(responders, members, data)
        except Exception as error:  # noqa: BLE001 - CohortError, or data nobody can read: keep the last view
            self._say(f"Showing the last answers fetched. The cohort store cannot be read right now: {error} "
                      f"Trying again every {self.refresh_seconds:g} s.", problem=True)
            return False
        # only now, with everything drawn, is this revision the one on screen
        self._revision = revision
        self.refresh_count += 1
        self._say(f"Updated at {datetime.now():%H:%M:%S}.")
        return True

    def _draw(self, responders: "pd.DataFrame", members: int, data: "pd.DataFrame") -> None:
        from ..cohort.panels import data_key

        info = self.store.cohort(self.cohort)
        self._header.value = _message("header", name=info.name, cohort_id=info.id)
        self._responders.value = responders_html(responders, members)
        exercises = sorted(responders["exercise"].tolist(), key=_course_order)
        self._prompts.value = self._prompts_html(data, exercises)
        boxes = []
        for exercise in exercises:
            subset = data[data["exercise"] == exercise]
            key = data_key(subset)
            cached = self._panels.get(exercise)
            if cached is None or cached[0] != key:
                box = cached[1] if cached else widgets.HTML()
                box.value = panel_or_error(subset, exercise, min_group_size=self.min_group_size)
                self._panels[exercise] = (key, box)
            boxes.append(self._panels[exercise][1])
        for gone in set(self._panels) - set(exercises):
            self._panels.pop(gone)
        self._panel_box.children = boxes

    def _prompts_html(self, data: "pd.DataFrame", exercises: list[str]) -> str:
        import pandas as pd

        found = []
        for exercise in exercises:
            try:
                prompts = discussion_prompts(data[data["exercise"] == exercise], exercise, min_group_size=self.min_group_size)
            except (ContentError, KeyError, ValueError, TypeError):
                continue
            if not prompts.empty:
                found.append(prompts.assign(exercise=load_exercise(exercise).title))
        if not found:
            return ""
        top = pd.concat(found).sort_values(["top_share", "exercise", "item"]).head(5)
        return _message("prompts", entries=[{"text": str(row.text), "exercise": row.exercise,
                                             "share": f"{row.top_share:.0%}"} for row in top.itertuples()])

    def _say(self, text: str, problem: bool = False) -> None:
        self.status = text
        self._status.value = _message("status", text=text, problem=problem)

    # -- the timer ---------------------------------------------------------------------------
    def _start(self) -> None:
        try:
            self._loop = asyncio.get_running_loop()  # the kernel's loop (Jupyter, Voila)
        except RuntimeError:
            self._loop = None
            if self.autorefresh:
                self._say("Automatic refresh needs a running Jupyter kernel; use “Refresh now”.")
        self._schedule()

    def _schedule(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self.autorefresh and self._loop is not None and not self._loop.is_closed() and self.comm is not None:
            self._handle = self._loop.call_later(self.refresh_seconds, self._tick)

    def _tick(self) -> None:
        self._handle = None
        if self.comm is None:  # closed: stop for good
            return
        if self._had_view and self._view_count == 0:
            # no view shows it any more (its cell was re-run or cleared): idle until one does
            self._schedule()
            return
        try:
            self.refresh()
        except Exception as error:  # noqa: BLE001 - the timer must survive one bad refresh
            self._say(f"Refresh failed: {error}", problem=True)
        self._schedule()

    @traitlets.observe("autorefresh", "refresh_seconds")
    def _timer_changed(self, change: dict[str, Any]) -> None:
        if change["name"] == "autorefresh" and self._auto.value != change["new"]:
            self._auto.value = change["new"]
        if change["name"] == "refresh_seconds":
            self._auto.description = f"Refresh on its own every {change['new']:g} s"
        if getattr(self, "_loop", None) is not None:
            self._schedule()

    def _views_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self._had_view = True

    @property
    def running(self) -> bool:
        """Is an automatic refresh scheduled?"""
        return self._handle is not None

    def close(self) -> None:
        """Stop the automatic refresh, close the widget and the store's connections."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._tally.close()
        super().close()
        self.store.close()

    # -- hand-in files ---------------------------------------------------------------------------
    def _uploaded(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.load_files(change["new"])

    def load_files(self, files: Any) -> Any:
        """Validate and store hand-in files into the chosen cohort; show what happened to each."""
        from ..cohort.submission import ingest_submissions

        if self.cohort is None:
            self._upload_result.value = _message("alert", text="Create or choose a cohort first.")
            return None
        try:
            report = ingest_submissions(self.store, self.cohort, files)
        except CohortError as error:
            self._upload_result.value = _message("alert", text=str(error))
            return None
        self._upload_result.value = _message("upload", text=report.summary(), rejected=report.rejected)
        self.refresh(force=True)
        return report
