"""What every exercise kind says about itself; each kind module fills in its own rules.

A kind is a small object with class-level facts (its schema, widget, chart style,
item id pattern) and a handful of rules (is this answer valid, is the exercise done,
what of an answer may leave the computer, how a group's answers are summarised).
Kind modules sit at the bottom of the import graph: they import neither the store,
nor widgets, nor charts. Widgets and charts are named as strings and looked up by
the layers above.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import AnswerError

if TYPE_CHECKING:
    import pandas as pd

    from ..exercises import Exercise

#: Item ids listed in an exercise file (the schemas say the same).
LISTED_ITEM_ID = r"^[A-Z][A-Z0-9_]*$"
#: "I'd rather not answer": valid on every item of an exercise whose file says ``"sensitive": true``;
#: it counts as answered for progress and is never counted in a group, a chart, an export or the server.
RATHER_NOT = "rather_not"
#: Tidy answer rows: one per (learner, item), as group charts and research read them.
ROW_COLUMNS = ("learner", "item", "value")
#: "I'd rather not answer": valid on every item of an exercise whose file says ``"sensitive": true``.
#: It counts as answered for the learner's progress, and is never counted anywhere else: it is
#: never shared (:meth:`Kind.shared_value`), never received (:meth:`Kind.check_shared`), and no
#: group view, chart, export or count reads it (:meth:`Kind.counted`).
RATHER_NOT = "rather_not"
#: How the widgets and documents say it.
RATHER_NOT_LABEL = "I'd rather not answer"


def is_rather_not(value: Any) -> bool:
    """``value`` is the "I'd rather not answer" answer (the text itself, not something equal to it)."""
    return type(value) is str and value == RATHER_NOT


class Kind:
    """One kind of exercise. Subclasses set the class attributes and override the rules."""

    #: the ``kind`` of an exercise file
    name: ClassVar[str] = ""
    #: the widget class, as ``"module:Class"`` (imported only by the widget layer)
    widget: ClassVar[str] = ""
    #: how charts draw the summary: "diverging", "profile", "options", "texts", "goals"
    chart_style: ClassVar[str] = ""
    #: item ids this kind accepts (a regular expression)
    item_pattern: ClassVar[str] = LISTED_ITEM_ID
    #: True when the learner makes the items (a SMART goal per goal) instead of the file listing them
    learner_items: ClassVar[bool] = False
    #: what a learner-made item id is, in words ("a goal id (G- and 8 hex digits)")
    item_hint: ClassVar[str] = ""
    #: True when one stored answer is enough for the exercise to count as done
    done_with_any_answer: ClassVar[bool] = False
    #: True when every answer needs its own "share" tick (``"share": true`` in the stored value)
    share_per_answer: ClassVar[bool] = False
    #: research: answers are open text (never exported without consent, never a closed category)
    open_text: ClassVar[bool] = False
    #: research: where a stored answer (a dict with its own "share" tick) keeps the learner's one text;
    #: only that text is exported, and only when shared (None: the answer is not one text)
    text_key: ClassVar[str | None] = None
    #: research: the table-schema type of the exported ``value`` column when the kind has no numeric scale
    research_value_type: ClassVar[str] = "string"
    #: answers are marked right or wrong against the exercise's correct options (research adds ``correct``)
    scored: ClassVar[bool] = False
    #: True when each item lists its own options (``details["options"]``) and an answer is the list chosen
    options_per_item: ClassVar[bool] = False
    #: True when each item's options lead on to another item or to an end (a practice conversation): forms show
    #: one item at a time, in the order the learner's choices take, with each option's feedback after it
    branching: ClassVar[bool] = False
    #: the longest text kept in one answer, in characters (None: answers are not text)
    max_chars: ClassVar[int | None] = None
    #: a sentence for learners choosing what to share
    share_note: ClassVar[str] = ""
    #: what sharing an exercise of this kind lets out, who may see it and where, in plain words (the
    #: join panel's box for the exercise says it); by default answers are counted, never shown one by one
    share_who: ClassVar[str] = (
        "Counted with your group's answers, as numbers only: in your group's chart, and on the room's screen "
        "when your trainer shows that chart, once at least five people have answered. Your trainer can also see "
        "your answers under your code name, never your name.")
    #: the words of the "share" box on one answer, for kinds shared one answer at a time (first person:
    #: who may see it and where)
    share_one: ClassVar[str] = ""
    #: True when each item of a sensitive exercise (``"sensitive": true``) offers "I'd rather not answer"
    #: (:data:`RATHER_NOT`); kinds of free text leave a prompt blank instead
    offers_rather_not: ClassVar[bool] = False

    @property
    def schema(self) -> str:
        """The schema file in ``peerkit/data/schemas/`` an exercise of this kind must satisfy."""
        return f"{self.name}.schema.json"

    def __repr__(self) -> str:
        return f"<kind {self.name}>"

    # -- answers -----------------------------------------------------------------------------
    def check_item(self, exercise: "Exercise", item_id: Any) -> None:
        """Raise :class:`AnswerError` unless ``item_id`` is an item of ``exercise``."""
        if self.learner_items:
            if not isinstance(item_id, str) or not re.fullmatch(self.item_pattern, item_id):
                raise AnswerError(f"{item_id!r} is not {self.item_hint} of {exercise.id!r}.")
        else:
            exercise.item(item_id)  # says which items there are

    def check_answer(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        """Raise :class:`AnswerError` (in words a learner understands) unless ``value`` is a valid answer.

        :data:`RATHER_NOT` is valid on every item of a sensitive exercise and on no other.
        """
        self.check_item(exercise, item_id)
        if is_rather_not(value):
            if self.offers_rather_not and exercise.sensitive:
                return
            raise AnswerError(f"“{RATHER_NOT_LABEL}” is offered only in exercises about sensitive things; "
                              f"{exercise.id!r} is not one of them, so choose an answer or leave {item_id!r} blank.")
        self.check_value(exercise, item_id, value)

    def check_value(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        raise NotImplementedError

    def is_valid(self, exercise: "Exercise", item_id: str, value: Any) -> bool:
        try:
            self.check_answer(exercise, item_id, value)
        except AnswerError:
            return False
        return True

    # -- progress -----------------------------------------------------------------------------
    def answered(self, exercise: "Exercise", items: Iterable[str]) -> int:
        """How many of the stored ``items`` count towards the exercise."""
        items = set(items)
        if self.done_with_any_answer:
            return len(items)
        return len(items & set(exercise.item_ids))

    def is_done(self, exercise: "Exercise", items: Iterable[str]) -> bool:
        """Whether the exercise counts as done, given the items that have a stored answer.

        ``items`` may be a mapping ``{item: stored value}`` (iterating it gives the items): a kind
        whose "done" depends on what was chosen (a scenario: an end was reached) reads the values.
        """
        count = self.answered(exercise, items)
        return count > 0 if self.done_with_any_answer else count == len(exercise.item_ids)

    # -- sharing ------------------------------------------------------------------------------
    def shared_value(self, exercise: "Exercise", item_id: str, value: Any) -> tuple[bool, Any]:
        """``(share?, value to send)`` for one stored answer of an exercise the learner shares.

        By default a valid answer goes out as it is stored; an invalid one never does, and
        neither does "I'd rather not answer" (:data:`RATHER_NOT`): it stays on the learner's side.
        """
        if not self.counted(exercise, item_id, value):
            return False, None
        return True, value

    def check_shared(self, exercise: "Exercise", item_id: str, value: Any) -> None:
        """Raise :class:`AnswerError` unless ``value`` is what :meth:`shared_value` could have sent.

        Submission files and the cohort server check what they receive with this: "I'd rather not
        answer" is never sent, so it is refused here, and no group count can ever hold it.
        """
        if is_rather_not(value):
            self.check_item(exercise, item_id)
            raise AnswerError(f"“{RATHER_NOT_LABEL}” stays with the learner: it is never shared or counted, "
                              f"so it cannot be received for {exercise.id!r} item {item_id!r}.")
        self.check_answer(exercise, item_id, value)

    def counted(self, exercise: "Exercise", item_id: Any, value: Any) -> bool:
        """Whether this answer may be counted: in a group, a chart, an export or the server's counts.

        A valid answer is; "I'd rather not answer" never is (it counts only for the learner's progress).
        """
        return not is_rather_not(value) and self.is_valid(exercise, item_id, value)

    def readable_in_group(self, exercise: "Exercise", item_id: Any, value: Any) -> bool:
        """Whether a group view can read this row: a value :meth:`shared_value` could have sent, or a
        stored answer (a learner's own store, drawn beside the group). Never "I'd rather not answer"."""
        try:
            self.check_shared(exercise, item_id, value)
        except AnswerError:
            return self.counted(exercise, item_id, value)
        return True

    # -- group summaries ------------------------------------------------------------------------
    def summarise(self, exercise: "Exercise", rows: "pd.DataFrame") -> "pd.DataFrame":
        """A tidy summary of a group's answers (``rows``: learner, item, value), for charts and research."""
        raise NotImplementedError


def same_value_in(value: Any, allowed: Iterable[Any]) -> bool:
    """``value`` equals one of ``allowed`` and has its type: True is not 1, 3.0 is not 3."""
    return any(type(value) is type(option) and value == option for option in allowed)


def text_error(noun: str, item_id: str, value: Any, limit: int) -> str | None:
    """Why ``value`` is not a ``noun`` (blank, too long, not text), in plain words; None when it is one."""
    if not isinstance(value, str):
        return f"A {noun} must be text, not {type(value).__name__}."
    if not value.strip():
        return f"The {noun} for {item_id!r} is empty: it must hold words. Write something, or clear it."
    if len(value) > limit:
        return f"The {noun} for {item_id!r} is {len(value):,} characters long; the limit is {limit:,}. Shorten it."
    return None


def answer_rows(rows: "pd.DataFrame") -> "pd.DataFrame":
    """The rows a summary reads (learner, item, value), whatever else the frame carries."""
    import pandas as pd

    missing = [column for column in ROW_COLUMNS if column not in rows.columns]
    if missing:
        raise ValueError(f"answer rows need the columns {', '.join(ROW_COLUMNS)}; missing {', '.join(missing)}")
    return pd.DataFrame(rows.loc[:, list(ROW_COLUMNS)]).reset_index(drop=True)
