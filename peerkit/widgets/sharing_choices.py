"""``SharingChoices``: what a learner shares with their group, and whether researchers may use it.

The join panel (:mod:`peerkit.widgets.cohort_join`) shows it. Every choice is a native
checkbox in its own ``<label>`` whose words wrap, so every consent text is read whole
(ipywidgets' one-line check boxes cut them off with an ellipsis). The exercises come in
course order, one group per chapter, and each box says who may see that exercise and
where (the kind's :attr:`~peerkit.kinds.Kind.share_who`). "Share all" ticks every
exercise but the personal ones (``"personal": true``), which say so. The research tick
is separate: off until the learner ticks it, and it can be unticked at any time.

Python sees the choices as two traits: ``share`` (the exercise ids ticked, in course
order) and ``research`` (True only when the learner ticked the research box).

>>> choices = SharingChoices()                    # doctest: +SKIP
>>> choices.share_all(); "recovery_dimensions" in choices.share   # doctest: +SKIP
False
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anywidget
import traitlets

from ..client.membership import RESEARCH_USE
from ..client.sharing import in_share_all, who_may_see
from ..course_progress import chapter_order, chapter_title, course_chapters, exercises_in_course_order
from ..exercises import ContentError, load_exercise
from ._base import STYLES, front_end

INTRO = ("Nothing is shared until you tick it, and what you share goes under a code name that does not say who you "
         "are. Each box says who may see that exercise and where. You can untick a box at any time: what it shared "
         "is then taken back from the group.")
ALL_LABEL = "Share all course exercises except the personal ones (you can untick any of them below)."
PERSONAL_NOTE = ("Personal: never ticked by “share all”. Tick it yourself only if you want to share it with your "
                 "group too.")
RESEARCH_TITLE = "Research use (a separate choice, off unless you tick it)"
RESEARCH_ABOUT = RESEARCH_USE  # the one text, kept beside the consent it describes
RESEARCH_LABEL = "Yes, researchers may use the answers I share with my group, as described above."


def course_groups(exercise_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The exercises, in course order, grouped by chapter: ``[{"id", "title", "exercises": [...]}]``."""
    ids = exercises_in_course_order() if exercise_ids is None else list(exercise_ids)
    groups: dict[str, dict[str, Any]] = {}
    numbers = {chapter.id: chapter.number for chapter in course_chapters()}
    for exercise_id in ids:
        try:
            exercise = load_exercise(exercise_id)
        except ContentError:
            continue
        if exercise.chapter not in groups:
            number = numbers.get(exercise.chapter)
            title = chapter_title(exercise.chapter)
            groups[exercise.chapter] = {"id": exercise.chapter, "exercises": [],
                                        "title": f"Chapter {number}: {title}" if number is not None else title}
        groups[exercise.chapter]["exercises"].append(
            {"id": exercise.id, "title": exercise.title.rstrip(". "), "who": who_may_see(exercise),
             "personal": not in_share_all(exercise)})
    return sorted(groups.values(), key=lambda group: chapter_order(group["id"]))


class SharingChoices(anywidget.AnyWidget):
    """The sharing boxes (grouped by chapter), "share all" (never the personal ones) and the research tick."""

    _esm = front_end("sharing_choices.js")
    _css = STYLES

    chapters = traitlets.List(traitlets.Dict()).tag(sync=True)
    share = traitlets.List(traitlets.Unicode()).tag(sync=True)
    research = traitlets.Bool(False).tag(sync=True)
    research_offered = traitlets.Bool(True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    intro = traitlets.Unicode(INTRO).tag(sync=True)
    all_label = traitlets.Unicode(ALL_LABEL).tag(sync=True)
    personal_note = traitlets.Unicode(PERSONAL_NOTE).tag(sync=True)
    research_title = traitlets.Unicode(RESEARCH_TITLE).tag(sync=True)
    research_about = traitlets.Unicode(RESEARCH_ABOUT).tag(sync=True)
    research_label = traitlets.Unicode(RESEARCH_LABEL).tag(sync=True)

    def __init__(self, share: Iterable[str] = (), *, research: bool = False, **kwargs: Any) -> None:
        super().__init__(chapters=course_groups(), **kwargs)
        self.share = list(share)
        self.research = bool(research)

    @property
    def exercise_ids(self) -> list[str]:
        return [exercise["id"] for chapter in self.chapters for exercise in chapter["exercises"]]

    @property
    def personal_ids(self) -> list[str]:
        return [e["id"] for chapter in self.chapters for e in chapter["exercises"] if e["personal"]]

    @traitlets.validate("share")
    def _in_course_order(self, proposal: dict[str, Any]) -> list[str]:
        wanted = set(proposal["value"])
        known = self.exercise_ids
        return [exercise for exercise in known if exercise in wanted]

    def tick(self, exercise_id: str, on: bool = True) -> None:
        """Tick (or untick) one exercise's box, as a click would."""
        if exercise_id not in self.exercise_ids:
            raise ValueError(f"There is no sharing box for {exercise_id!r}.")
        rest = [e for e in self.share if e != exercise_id]
        self.share = rest + [exercise_id] if on else rest

    def share_all(self) -> None:
        """What "share all" does: tick every exercise but the personal ones (ticked personal ones stay)."""
        personal = set(self.personal_ids)
        self.share = [e for e in self.exercise_ids if e not in personal or e in self.share]

    @property
    def all_shared(self) -> bool:
        """Whether the "share all" box shows ticked: every exercise but the personal ones is ticked."""
        personal = set(self.personal_ids)
        return all(e in self.share for e in self.exercise_ids if e not in personal)
