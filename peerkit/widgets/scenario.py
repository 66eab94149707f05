"""``ScenarioWidget``: practise a conversation turn by turn, with feedback on every response.

The learner reads the situation, then at each turn picks one response in a
``<fieldset>`` whose ``<legend>`` is the question, and presses "Choose this
response" (arrow keys move between responses without choosing, so a keyboard
user can read them all first). The kernel keeps the scenario's graph: it checks
the choice with the kind's rule, saves it through the background saver like any
answer, and sends back the feedback for that response and the next turn (or the
end and its debrief). Focus moves to the feedback. "Go back one step" removes the
last choice; "Try another path" starts again. What is stored is always the path
taken (:func:`peerkit.kinds.scenario.walk`): choices the path no longer visits are
removed. In a sensitive scenario every turn offers "I'd rather not go on with
this one", which ends it gently, counts as done and is never shared.

>>> from peerkit.widgets.scenario import ScenarioWidget
>>> talk = ScenarioWidget("scenario_bad_week")        # doctest: +SKIP
>>> talk.choose("T1", "reflect")                       # doctest: +SKIP
>>> talk.feedback["T1"]["heading"], talk.next_turn     # doctest: +SKIP
('This helps.', 'T2')
"""
from __future__ import annotations

from typing import Any

import traitlets

from .. import exercises
from ..errors import ContentError
from ..kinds._kind import RATHER_NOT
from ..kinds.scenario import (STOP_LABEL, ends_of, feedback_for, graph_problems, is_sensitive, option,
                              rather_not_end, walk)
from ..store import LocalStore
from ._base import STATIC, STYLES, ExerciseWidget, front_end
from ._refusals import SendsRefusedValuesBack


def check_definition(exercise: exercises.Exercise) -> None:
    """What the schema cannot say: every response leads somewhere, every turn and end is reachable, no circles."""
    problems = graph_problems(exercise)
    if problems:
        source = exercises.EXERCISES_DIR / f"{exercise.id}.json"
        raise ContentError(f"Exercise file {source}: " + " ".join(problems))


class ScenarioWidget(SendsRefusedValuesBack, ExerciseWidget):
    """A practice conversation: one response per turn, feedback after each, branching to an end."""

    _esm = front_end("scenario.js")
    _css = STYLES + "\n" + (STATIC / "scenario.css").read_text(encoding="utf-8")

    #: the turns without their feedback or where they lead: [{"id", "text", "scene", "said", "options": [{value, label}]}]
    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: {"who", "setting", "said"}
    situation = traitlets.Dict().tag(sync=True)
    skill = traitlets.Unicode().tag(sync=True)
    source = traitlets.Unicode().tag(sync=True)
    sensitive = traitlets.Bool(False).tag(sync=True)
    content_note = traitlets.Unicode("").tag(sync=True)
    help = traitlets.Unicode("").tag(sync=True)
    rather_not_label = traitlets.Unicode(STOP_LABEL).tag(sync=True)
    #: the learner's path: {turn id: chosen value}
    answers = traitlets.Dict().tag(sync=True)
    #: the answered turns on the path, in order (set by the kernel from ``answers``)
    path = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: the turn to answer now ("" once an end is reached)
    next_turn = traitlets.Unicode("").tag(sync=True)
    #: {turn id: {"value", "label", "quality", "heading", "text"}} for every turn on the path
    feedback = traitlets.Dict().tag(sync=True)
    #: the end reached, {"id", "title", "debrief"}, or {} on the way
    ending = traitlets.Dict().tag(sync=True)

    def __init__(self, exercise_id: str, *, store: LocalStore | None = None, **kwargs: Any) -> None:
        self._setup_exercise(exercise_id, store)
        check_definition(self.exercise)
        self._saved = self.stored_answers()
        details = self.exercise.details
        super().__init__(
            exercise_id=exercise_id,
            title=self.exercise.title,
            instructions=self.exercise.instructions,
            items=[
                {
                    "id": item.id,
                    "text": item.text,
                    "scene": item.details.get("scene", ""),
                    "said": item.details.get("said", ""),
                    "options": [{"value": o["value"], "label": o["label"]} for o in item.details["options"]],
                }
                for item in self.exercise.items
            ],
            situation={"who": "", "setting": "", "said": "", **details["situation"]},
            skill=details.get("skill", ""),
            source=details.get("source", ""),
            sensitive=is_sensitive(self.exercise),
            content_note=details.get("content_note", ""),
            help=details.get("help", ""),
            answers=self.answers_to_show(),
            **kwargs,
        )
        self._show_path(self.answers)
        self.on_msg(self._on_front_end_message)

    # -- Python API (the front end does the same through the traits and messages) ----------
    def choose(self, turn_id: str, value: str) -> None:
        """Pick a response at a turn, exactly as "Choose this response" does."""
        self.answers = {**self.answers, turn_id: value}

    def rather_not(self, turn_id: str | None = None) -> None:
        """"I'd rather not go on with this one" at the current turn (sensitive scenarios only)."""
        self.choose(turn_id or self.next_turn, RATHER_NOT)

    def back(self) -> None:
        """Go back one step: the last choice on the path is removed."""
        if self.path:
            self.answers = {turn: value for turn, value in self.answers.items() if turn != self.path[-1]}

    def restart(self) -> None:
        """Try another path: every choice is removed and the scenario starts again."""
        self.answers = {}

    @property
    def done(self) -> bool:
        """Whether an end was reached (the kind's rule)."""
        return bool(self.ending)

    def _on_front_end_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("type")
        if action == "back":
            self.back()
        elif action == "restart":
            self.restart()

    # -- the path and saving ---------------------------------------------------------------
    @traitlets.validate("answers")
    def _validate_answers(self, proposal: dict[str, Any]) -> dict[str, Any]:
        wanted = dict(proposal["value"])
        for turn_id, value in wanted.items():
            self.exercise.check_value(turn_id, value)  # AnswerError in plain words: the widget says it
        # keep only the path: a choice the path no longer reaches (after going back) is not kept
        taken = walk(self.exercise, wanted)
        return {turn: wanted[turn] for turn in taken.turns}

    @traitlets.observe("answers")
    def _save_changes(self, change: dict[str, Any]) -> None:
        self._show_path(change["new"])
        self.save_answer_changes(change["new"])

    def _show_path(self, answers: dict[str, Any]) -> None:
        taken = walk(self.exercise, answers)
        feedback = {}
        for turn in taken.turns:
            value = answers[turn]
            label = self.rather_not_label if value == RATHER_NOT else option(self.exercise, turn, value)["label"]
            feedback[turn] = {"value": value, "label": label, **feedback_for(self.exercise, turn, value)}
        if taken.end is None:
            ending: dict[str, Any] = {}
        elif answers.get(taken.turns[-1]) == RATHER_NOT:
            ending = rather_not_end(self.exercise)
        else:
            ending = dict(ends_of(self.exercise)[taken.end])
        with self.hold_sync():
            self.path = list(taken.turns)
            self.next_turn = taken.next_turn or ""
            self.feedback = feedback
            self.ending = ending

