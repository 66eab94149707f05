"""``ProgressView``: the course map, with how far the learner has got in each chapter.

An HTML table (with a caption and header cells, so a screen reader announces each
cell with its chapter and column) lists every chapter, by its number and title and
linked to the chapter itself, its exercises done out of its total and a status in
words ("done", "2 of 3 exercises" and what is still to do). "Refresh" reads the store
again. Every piece of text is HTML-escaped.

The link is the chapter's notebook file name, relative: the chapters sit side by side,
so from a chapter's page (``/voila/render/notebooks/…``) it opens the other chapter's
page, and from the notebook view (``/lab/tree/notebooks/…``) its notebook.

>>> from peerkit.widgets.progress_view import ProgressView
>>> ProgressView()          # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from ..errors import PeerkitError
from ..store import LocalStore
from ..templating import render


def chapter_label(chapter_id: str, title: str) -> str:
    """"Chapter 2: Boundaries" for ``02_boundaries``; a chapter id without a number keeps its title alone."""
    number = chapter_id.split("_", 1)[0]
    return f"Chapter {int(number)}: {title}" if number.isdigit() else title


class ProgressView(widgets.VBox):
    """The learner's progress through the course, chapter by chapter."""

    #: One dict per chapter: chapter, title, notebook, done, total, status, to_do.
    chapters = traitlets.List(traitlets.Dict())
    #: Exercises done and exercises in the course.
    done = traitlets.Int(0)
    total = traitlets.Int(0)
    #: A problem reading the store or the course, in words ("" when all is well).
    status = traitlets.Unicode("")

    def __init__(self, *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self.store = store
        self.refresh_button = widgets.Button(
            description="Refresh progress", icon="refresh", tooltip="Read your answers again and update the table",
            layout=widgets.Layout(width="auto"),
        )
        self.refresh_button.on_click(lambda _: self.refresh())
        self.view = widgets.HTML()
        super().__init__([self.refresh_button, self.view], **kwargs)
        self.add_class("peerkit-progress-view")
        self.refresh()

    def refresh(self) -> None:
        """Read the store again and redraw the table."""
        from ..course_progress import chapter_progress, summarise

        try:
            store = self.store if self.store is not None else LocalStore()
            progress = chapter_progress(store)
        except PeerkitError as error:
            self.status = f"Your progress cannot be shown right now. {error}"
            self.view.value = render("status_line.html", text=self.status, role="alert", live="", style="")
            return
        summary = summarise(progress)
        self.chapters = [
            {**row, "done": int(row["done"]), "total": int(row["total"]), "to_do": list(row["to_do"])}
            for row in summary.to_dict("records")
        ]
        self.done = int(progress["done"].sum())
        self.total = len(progress)
        self.status = ""
        self.view.value = self.render()

    def render(self) -> str:
        """The table as HTML (``templates/progress_table.html``, autoescaped)."""
        rows = []
        for chapter in self.chapters:
            status = chapter["status"]
            if chapter["to_do"]:
                status += ". Still to do: " + "; ".join(chapter["to_do"])
            rows.append({"title": chapter_label(chapter["chapter"], chapter["title"]), "notebook": chapter["notebook"],
                         "done": chapter["done"], "total": chapter["total"], "status": status})
        caption = f"Your progress through the course: {self.done} of {self.total} exercises done"
        return render("progress_table.html", caption=caption, rows=rows)
