"""The API's request and response models: what ``/api/v1/openapi.json`` documents, and the first check of input.

Every route of :mod:`peerkit.server.routes` takes its body as one of the request
models here and says which response model it answers with, so the OpenAPI
document is the contract (``docs/server-api.md`` explains it; a test checks that
the two agree). Errors are problem details (:class:`Problem`, RFC 9457).

The request models check the *form* of input in one place, before any rule or
SQL sees it:

- every text is valid Unicode with no NUL (:data:`Text`, the one check of
  :mod:`peerkit.server.unicode_check`), and sizes count characters;
- every id and number in a path or query is range-checked (:data:`RowId`,
  :data:`After`): no integer beyond what the store's columns hold reaches SQL;
- a pseudonym is matched whole (``fullmatch``): a trailing newline is no pseudonym.

What an answer *means* (an option of the item, a rating on the scale) stays with
the rules (:mod:`peerkit.server.checking`, the kinds, the live tools), which word
their refusals for a learner. A refusal here is a ``422`` whose ``type`` names the
problem (``invalid``, or a slug such as ``invalid-pseudonym``).

Response models allow fields beyond the ones they name (``extra="allow"``): a field
added by a rule is never dropped on its way out; the ones named here are what
clients may rely on.

Kept in one module of about 530 lines on purpose: it is the one API contract, read (and
compared with ``docs/server-api.md``) as a whole, and each model is a few declarative lines.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from ..cohort.pseudonym import PSEUDONYM_PATTERN
from .unicode_check import check_text, check_value

#: Largest row id (polls, walls, posts, shared texts, answers): the store's ids are 32-bit integers.
MAX_ROW_ID = 2 ** 31 - 1
#: Longest cohort id, exercise id or item id taken anywhere (the store's columns are shorter still).
MAX_ID = 64
#: Longest one-line text a body may carry (names, questions, prompts, words; each rule holds its own shorter limit).
MAX_LINE = 2_000


class _Request(BaseModel):
    """A request body: nothing but the fields named."""

    model_config = ConfigDict(extra="forbid")


class _Reply(BaseModel):
    """A response body: the fields named, and any a rule adds. Routes answer with
    ``response_model_exclude_unset=True`` : a field the rule left out stays out (a suppressed
    item has no ``n``), one it set to ``null`` stays ``null``."""

    model_config = ConfigDict(extra="allow")


def _pseudonym(value: str) -> str:
    if not PSEUDONYM_PATTERN.fullmatch(value):
        raise PydanticCustomError(
            "invalid-pseudonym", "Join with your pseudonym (p- and 20 hex digits, made by peerkit from your own "
            "secret), never with a name.")
    return value


#: Any text: valid Unicode, no NUL.
Text = Annotated[str, AfterValidator(check_text)]
#: A text of one line's size (each rule holds it to its own limit, in its own words).
Line = Annotated[str, Field(max_length=MAX_LINE), AfterValidator(check_text)]
#: An id sent in a body or query (exercise, item, chapter, activity).
Id = Annotated[str, Field(max_length=MAX_ID), AfterValidator(check_text)]
#: Any JSON value whose every text is valid (an answer, a hand-in file).
JsonValue = Annotated[Any, AfterValidator(check_value)]
#: A cohort pseudonym, matched whole (the pattern is documented; the words are the validator's).
Pseudonym = Annotated[str, Field(max_length=24, json_schema_extra={"pattern": "^p-[0-9a-f]{20}$"}),
                      AfterValidator(_pseudonym)]

# -- path and query parameters ---------------------------------------------------------------------
#: ``{cohort_id}`` in a path.
CohortId = Annotated[str, Path(max_length=MAX_ID, description="the cohort's id, such as cohort-k7q4mxab"),
                     AfterValidator(check_text)]
#: A row id in a path (a poll, a wall, a post, a shared text): 1 up to :data:`MAX_ROW_ID`.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
#: ``?exercise=`` keeping one exercise.
ExerciseQuery = Annotated[str | None, Query(max_length=MAX_ID, description="keep one exercise"),
                          AfterValidator(lambda value: value if value is None else check_text(value))]
#: ``?after=`` of a paged list: the last id of the page before.
After = Annotated[int, Query(ge=0, le=MAX_ROW_ID, description="the last id of the page before (0: the first)")]


# -- errors ---------------------------------------------------------------------------------------------

class Problem(BaseModel):
    """An error (RFC 9457 problem details, ``application/problem+json``): show ``detail`` as it is."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="https://peerkit.invalid/problems/<slug>")
    title: str
    status: int
    detail: str = Field(description="plain words a learner can read")
    errors: list[dict[str, Any]] | None = Field(default=None, description="422: each field that was not right")


_WORDS = {400: "Bad request", 401: "Not signed in (no token, or one the server does not know)",
          403: "A working token of the wrong role", 404: "Nothing there (another trainer's cohort looks the same)",
          409: "A conflict", 410: "The cohort is closed", 413: "Too large", 422: "Not what this route takes",
          429: "Too many tries (see Retry-After)"}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route for these error statuses, each a :class:`Problem`."""
    return {status: {"model": Problem, "description": _WORDS.get(status, "Error"),
                     "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}


#: What any route that needs a token may answer besides its own statuses (400: a body that is not UTF-8).
SIGNED_IN = (400, 401, 403, 404, 413, 422, 429)


# -- learners -------------------------------------------------------------------------------------------

class JoinRequest(_Request):
    code: Line = Field(description="the join code, such as K7Q-4MX (case and spaces do not matter)")
    pseudonym: Pseudonym = Field(description="p- and 20 hex digits")


class CohortBrief(_Reply):
    id: str
    name: str
    min_group_size: int


class CohortState(CohortBrief):
    status: Literal["open", "closed"]


class Joined(_Reply):
    token: str = Field(description="the learner token (pkl_…); keep it, it is shown once")
    pseudonym: str
    cohort: CohortBrief


class Me(_Reply):
    cohort: CohortState
    pseudonym: str
    answers: int
    last_seq: int
    research_consent: bool | None = None


class Removed(_Reply):
    removed: int


class ResearchConsent(_Request):
    agreed: StrictBool = Field(description="true: the answers this learner shares may be used for research")


class ConsentReply(_Reply):
    research_consent: bool


class AnswerBatch(_Request):
    answers: list[Any] = Field(description='at most 500 of {"seq", "exercise", "item", "value"}; each is checked '
                                           "on its own and refused with a reason, the others still stored")


class Refusal(_Reply):
    seq: int | None = None
    exercise: str | None = None
    item: str | None = None
    detail: str


class AnswerReceipt(_Reply):
    accepted: list[int]
    stale: list[int]
    refused: list[Refusal]
    last_seq: int


class ItemCounts(_Reply):
    suppressed: bool | None = Field(default=None, description="true: fewer than min_group_size answered")
    n: int | None = None
    counts: dict[str, int] | None = None


class ExerciseCounts(_Reply):
    kind: str
    respondents: int
    items: dict[str, ItemCounts]
    tally: dict[str, ItemCounts] | None = None


class Aggregates(_Reply):
    cohort: CohortState
    revision: int
    members: int
    members_from_files: int
    from_files: int
    exercises: dict[str, ExerciseCounts]


class Place(_Reply):
    chapter: str
    title: str
    notebook: str | None = None
    exercise: str | None = None
    exercise_title: str | None = None
    moved_at: str | None = None


class Timer(_Reply):
    ends_at: str
    seconds: int
    seconds_left: int
    finished: bool


class Activity(_Reply):
    id: str
    chapter: str
    title: str
    grouping: str
    minutes: int
    steps: list[str]
    debrief: str


class PollCount(_Reply):
    option: str
    n: int


class WordCount(_Reply):
    word: str
    n: int


class Poll(_Reply):
    id: int
    kind: Literal["single", "multiple", "scale", "word"]
    question: str
    options: list[str]
    status: Literal["open", "closed"]
    revealed: bool
    answers: int | None = Field(default=None, description="how many answered (never shown to learners)")
    created_at: str
    suppressed: bool | None = None
    counts: list[PollCount] | None = None
    words: list[WordCount] | None = None


class SessionPoll(Poll):
    your_answer: Any = None
    results: Poll | None = None


class SessionWall(_Reply):
    id: int
    prompt: str
    status: Literal["open", "closed"]
    approved: list[str]
    your_posts: int | None = None


class SessionConversation(_Reply):
    """The practice conversation the room is doing, as a learner's panel and phone page are told of it."""
    exercise: str
    title: str
    chapter: str
    turn: str | None = Field(default=None, description="the turn the room is at (null at an end)")
    number: int = Field(description="how many turns and ends the room has seen, this one included")
    ended: bool


class Session(_Reply):
    cohort: CohortState
    revision: int
    accepting_answers: bool
    place: Place | None = None
    timer: Timer | None = None
    activity: Activity | None = None
    poll: SessionPoll | None = None
    wall: SessionWall | None = None
    conversation: SessionConversation | None = None
    check_again_seconds: int


class PollAnswer(_Request):
    value: StrictInt | Line | list[Line] = Field(description="an option, a list of options, 1-5 or one word")


class PollAnswerReceipt(_Reply):
    poll: int
    answer: Any


class WallPost(_Request):
    text: Line


class PostReceipt(_Reply):
    id: int
    wall: int
    status: Literal["pending", "approved", "hidden"]
    text: str


# -- trainers -------------------------------------------------------------------------------------------

class NewCohort(_Request):
    name: Line = Field(description="at most 200 characters")
    min_group_size: StrictInt | None = Field(default=None, ge=1, le=1000)


class Cohort(_Reply):
    id: str
    name: str
    status: Literal["open", "closed"]
    min_group_size: int
    created_at: str
    closed_at: str | None
    revision: int
    join_code: str | None = None
    members: int | None = None
    members_from_files: int | None = None
    answers: int | None = None


class CohortList(_Reply):
    cohorts: list[Cohort]


#: A shared text's one moderation state (peerkit.server.live_tools.texts.STATUSES): only "approved" reaches the room.
TextStatus = Literal["pending", "approved", "hidden"]


class SharedText(_Reply):
    id: int
    exercise: str
    item: str
    text: str | None = Field(description="the shared text as the room would read it (contact details taken out)")
    value: Any
    hidden: bool = Field(description='true unless status is "approved": the text is not on the room\'s screen')
    status: TextStatus
    received_at: str
    source: Literal["live", "file"]


class SharedTexts(_Reply):
    reflections: list[SharedText]


class HiddenState(_Reply):
    id: int
    hidden: bool
    status: TextStatus


class Submissions(_Request):
    submissions: list[JsonValue] = Field(description="hand-in files: each the file's JSON (an object or its "
                                                     'text), or {"name", "content"}; at most 500')


class RejectedFile(_Reply):
    name: str
    reason: str


class SubmissionsResult(_Reply):
    stored: list[str]
    rejected: list[RejectedFile]
    answers: int
    summary: str


class Tally(_Request):
    exercise: Id
    counts: dict[Id, dict[Line, JsonValue]] = Field(description="{item: {option: hands}}")


class TallyResult(_Reply):
    exercise: str
    items: int
    hands: int


class Response(_Reply):
    id: int
    pseudonym: str
    exercise: str
    item: str
    value: Any
    received_at: str
    source: Literal["live", "file"]
    hidden: bool | None = Field(default=None, description='the trainer hid this text (its status is "hidden"); '
                                                          "the export leaves it out")
    research_consent: bool | None = None


class ResponsesPage(_Reply):
    cohort: CohortBrief
    responses: list[Response]
    next: str | None = Field(description="the path of the following page; null on the last")


# -- live tools -----------------------------------------------------------------------------------------

class NewPoll(_Request):
    kind: Literal["single", "multiple", "scale", "word"]
    question: Line
    options: list[Line] | None = Field(default=None, max_length=100)


class NewWall(_Request):
    prompt: Line


class Wall(_Reply):
    id: int
    prompt: str
    status: Literal["open", "closed"]
    created_at: str


class Post(_Reply):
    id: int
    wall: int
    text: str
    status: Literal["pending", "approved", "hidden"]
    posted_at: str


class WallView(_Reply):
    wall: Wall | None
    posts: list[Post]


class PlaceChoice(_Request):
    chapter: Id | None
    exercise: Id | None = None


class PlaceReply(_Reply):
    place: Place | None


class TimerChoice(_Request):
    seconds: StrictInt = Field(ge=10, le=7200, description="10 seconds to 2 hours")
    activity: Id | None = None


class TimerReply(_Reply):
    timer: Timer | None


class ActivityChoice(_Request):
    activity: Id | None = None


class ActivityReply(_Reply):
    activity: Activity | None


class PollList(_Reply):
    polls: list[Poll]


class ChapterChoice(_Reply):
    id: str
    title: str
    exercises: list[Any]


class ConsoleState(_Reply):
    place: Place | None = None
    timer: Timer | None = None
    activity: Activity | None = None
    poll: Poll | None = None
    wall: SessionWall | None = None
    polls: list[Poll]
    wall_posts: list[Post]
    chapters: list[ChapterChoice]
    activities: list[Activity]
    min_group_size: int


class SignInLink(_Reply):
    sign_in: str = Field(description="the projector's sign-in link, to open once")


class Health(_Reply):
    status: Literal["ok"]


# -- the routes added for sessions, joining, the room's screen, shared texts and practice conversations ----

class JoiningReply(_Reply):
    """The cohort after locking or opening joining (``joining_locked``)."""


class MembersReply(_Reply):
    """``{"members": [{"pseudonym", "joined_at", "answers"}]}``: the cohort's members, for the trainer."""


class MemberRemoved(_Reply):
    """``{"removed": n}``: the member is gone with their n answers; their learner token stops working."""


class SignInCodeReply(_Reply):
    """``{"code", "expires_in", "sign_in"}``: a single-use code (ten minutes) and the link that carries it."""


class SessionsReply(_Reply):
    """``{"sessions": [...]}``: the trainer's API tokens and browser sign-ins, by short id, never the secret."""


class SessionEnded(_Reply):
    """``{"ended": id}``: that sign-in no longer works."""


class ScreenReply(_Reply):
    """``{"screen", "exercise", "page"}``: what the room's screen shows."""


class TextsReply(_Reply):
    """``{"texts": [{"id", "exercise", "label", "text", "status", "arrived_at"}]}``: shared texts, scrubbed."""


class TextReply(_Reply):
    """One shared text after the trainer approved or hid it."""


class ConversationReply(_Reply):
    """The console's part of a practice conversation run in the room (``{"conversations", "conversation"}``)."""


class ConversationPush(_Request):
    exercise: Id = Field(description="a practice conversation's exercise id, such as scenario_bad_week")


class ConversationNext(_Request):
    to: Id | None = Field(default=None, description="the turn one of this turn's responses leads to (default: "
                                                     "along the first helpful response)")
