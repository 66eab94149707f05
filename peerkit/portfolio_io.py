"""The learner's portfolio: take every answer away, bring it back, or delete it all.

On Binder the session's files vanish when it ends, so the learner downloads a
portfolio: a JSON file that :func:`restore` reads back later, plus the same
answers as a readable Markdown and HTML document (grouped by chapter, with the
exercises' own wording).

The JSON file::

    {"format": "peerkit-portfolio", "format_version": 1, "peerkit_version": "0.1.0",
     "learner": "learner-…", "exported_at": "<ISO-8601 UTC>",
     "responses": [{"exercise": "boundaries", "item": "B01", "value": "maybe",
                    "answered_at": "<ISO-8601>", "schema_version": 1}, …]}

:func:`restore` checks the whole file before it writes anything, then merges it
with the store one answer at a time, keeping whichever answer is newer (the
store's on a tie). Restoring the same file twice changes nothing.

>>> from peerkit.portfolio_io import write_portfolio, restore
>>> paths = write_portfolio()                          # doctest: +SKIP
>>> print(restore(paths["json"]))                      # doctest: +SKIP
Nothing to restore: every answer in ... is already here (27 answers).

(The module is not called ``peerkit.portfolio``: importing a submodule of that name
would replace the notebook function ``pk.portfolio()`` on the package.)
"""
from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .answers import check_answer
from .errors import AnswerError, ContentError, ImportFileError, PeerkitError, StoreReadOnlyError
from .exercises import Exercise, exercise_ids, load_exercise
from .model import SCHEMA_VERSION, Response, encode_value, utc_now
from .paths import HOME_ENV, peerkit_home
from .store import LocalStore

FORMAT = "peerkit-portfolio"
FORMAT_VERSION = 1
#: A portfolio holds text answers only; anything bigger is not one of ours.
MAX_BYTES = 20 * 1024 * 1024
#: Kinds whose answers use item ids the definition does not list: a learner may keep several SMART
#: goals, each one answer whose value maps the definition's items (the criteria) to text.
OPEN_ITEM_KINDS = frozenset({"smart_goal"})
#: How far in the future an answer's time may lie (clock differences) before the file is refused.
CLOCK_TOLERANCE = timedelta(days=1)

_PSEUDONYM = re.compile(r"^learner-[A-Za-z0-9_-]{1,56}$")
_FIX = (
    "Choose a portfolio file saved with “Download my answers” (peerkit-portfolio-<date>.json), "
    "unchanged; if you edited it, undo the edit."
)


# -- export ------------------------------------------------------------------------------------
def export_json(store: LocalStore | None = None) -> dict[str, Any]:
    """Every answer in the store as a portfolio (the JSON document :func:`restore` reads).

    Example
    -------
    >>> portfolio = export_json(LocalStore(tmp_path / "a.sqlite"))     # doctest: +SKIP
    >>> portfolio["format"], portfolio["responses"]                  # doctest: +SKIP
    ('peerkit-portfolio', [])
    """
    store = store if store is not None else LocalStore()
    return _portfolio(store.learner, store.responses(), utc_now(), portable_settings(store))


#: Private settings that travel with a portfolio, so that a learner who restores in a new
#: (Binder) session is still the same member of their group, under the same pseudonym.
PORTABLE_SETTINGS = ("cohort", "cohort_secret")


def portable_settings(store: LocalStore) -> dict[str, Any]:
    """The store's settings that a portfolio carries (see :data:`PORTABLE_SETTINGS`)."""
    settings = {key: store.get_setting(key) for key in PORTABLE_SETTINGS}
    if isinstance(settings["cohort"], dict):
        # a store address may hold a database password: it stays on this machine
        settings["cohort"] = {k: v for k, v in settings["cohort"].items() if k != "url"}
    return {key: value for key, value in settings.items() if value is not None}


def _portfolio(
    learner: str, responses: list[Response], exported_at: datetime, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    from . import __version__

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "peerkit_version": __version__,
        "learner": learner,
        "exported_at": exported_at.isoformat(),
        "settings": settings or {},
        "responses": [
            {
                "exercise": r.exercise,
                "item": r.item,
                "value": r.value,
                "answered_at": r.answered_at.isoformat(),
                "schema_version": r.schema_version,
            }
            for r in responses
        ],
    }


def write_portfolio(folder: str | Path | None = None, store: LocalStore | None = None) -> dict[str, Path]:
    """Write the portfolio as JSON (to restore later), Markdown and HTML (to read and keep).

    Files go to ``folder`` (default ``$PEERKIT_HOME/exports``), named
    ``peerkit-portfolio-<YYYY-MM-DD>.json``/``.md``/``.html``; a second export on the
    same day replaces that day's files. All three come from one reading of the store.

    Returns ``{"json": path, "markdown": path, "html": path}``.
    """
    store = store if store is not None else LocalStore()
    folder = Path(folder) if folder is not None else peerkit_home() / "exports"
    exported_at = utc_now()
    portfolio = _portfolio(store.learner, store.responses(), exported_at)
    stem = f"peerkit-portfolio-{exported_at:%Y-%m-%d}"
    documents = {
        "json": (f"{stem}.json", json.dumps(portfolio, ensure_ascii=False, indent=1) + "\n"),
        "markdown": (f"{stem}.md", render_markdown(portfolio)),
        "html": (f"{stem}.html", render_html(portfolio)),
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return {key: _write_atomically(folder / name, text) for key, (name, text) in documents.items()}
    except OSError as error:
        raise StoreReadOnlyError(
            f"Cannot write your portfolio to {folder}: {error.strerror or error}. Your answers are safe in "
            f"the store. Pass another folder (write_portfolio(folder=...)) or set {HOME_ENV} to a folder "
            "you can write to."
        ) from error


def _write_atomically(path: Path, text: str) -> Path:
    # A half-written portfolio would look fine until the day it is needed: write aside, then rename.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".peerkit-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


# -- what an answer looks like in words --------------------------------------------------------
@dataclass(frozen=True)
class _Answer:
    """One answer, put into words: (label, text) parts and an optional note."""

    item_text: str
    parts: tuple[tuple[str | None, str], ...]
    note: str
    answered_at: datetime | None

    @property
    def short(self) -> str | None:
        """The answer as one short line, or None when it needs more room than a table cell."""
        if len(self.parts) == 1 and self.parts[0][0] is None and "\n" not in self.parts[0][1] and not self.note:
            return self.parts[0][1]
        return None


_SMART_LABELS = {
    "specific": "Specific",
    "measurable": "Measurable",
    "achievable": "Achievable",
    "relevant": "Relevant",
    "time_bound": "Time-bound",
    "timebound": "Time-bound",
    "time": "Time-bound",
}


def _option_label(exercise: Exercise | None, item_id: str, value: Any) -> str:
    """The label shown for a chosen value: the item's own options first, then the exercise's scale."""
    if exercise is not None:
        for item in exercise.items:
            if item.id != item_id:
                continue
            for option in item.details.get("options") or []:
                if isinstance(option, dict) and option.get("value", option.get("id")) == value:
                    return str(option.get("label", option.get("text", value)))
        for option in exercise.scale:
            if option.value == value:
                return option.label
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _field_labels(exercise: Exercise | None) -> list[tuple[str, str]]:
    """Field (key, label) pairs an exercise declares for dict answers, e.g. a SMART goal's parts."""
    if exercise is None:
        return []
    # the definition's own items name the fields of a dict answer (a SMART goal's criteria)
    pairs = [(item.id, item.text) for item in exercise.items]
    fields = exercise.details.get("fields")
    for field in fields if isinstance(fields, list) else []:
        if isinstance(field, dict):
            key = field.get("id", field.get("key", field.get("name")))
            label = field.get("label", field.get("text", field.get("title", key)))
            if isinstance(key, str):
                pairs.append((key, str(label)))
    return pairs


def _field_text(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return _as_text(value)


def _humanise(key: str) -> str:
    return _SMART_LABELS.get(key.lower(), key.replace("_", " ").strip().capitalize() or key)


def _describe_goal(exercise: Exercise, value: Any, answered_at: datetime | None) -> _Answer | None:
    """A SMART goal in the builder's own words, or None if the value is not a goal the builder made."""
    from .kinds.smart_goal import CRITERION_FIELDS, check_goal, format_date, goal_statement

    try:
        goal = check_goal(value)
    except PeerkitError:
        return None
    names = {item.id: item.text for item in exercise.items}
    parts: list[tuple[str | None, str]] = []
    for criterion, fields in CRITERION_FIELDS.items():
        label = names.get(criterion, criterion.replace("_", "-").capitalize())
        if criterion == "REALISTIC":
            text = "Yes: it feels within reach." if goal["realistic"] else "Not confirmed yet."
        elif fields == ("start", "end"):
            start = format_date(goal["start"]) if goal["start"] else "(no start date yet)"
            end = format_date(goal["end"]) if goal["end"] else "(no end date yet)"
            text = f"From {start} to {end}"
        else:
            text = " ".join(str(goal[f]) for f in fields).strip() or "(not filled in yet)"
        parts.append((label, text))
    complete = all(str(goal[f]).strip() for f in ("action", "why", "resources", "start", "end")) and goal["realistic"]
    if complete:
        parts.insert(0, ("The goal in one sentence", goal_statement(goal)))
    started = _parse_time(goal["created"])
    heading = f"Goal started {_date(started)}" if started else "Goal"
    return _Answer(heading, tuple(parts), "" if complete else "A draft: some parts are still open.", answered_at)


def _describe(exercise: Exercise | None, item_id: str, value: Any, answered_at: datetime | None) -> _Answer:
    if exercise is not None and exercise.kind == "smart_goal":
        goal = _describe_goal(exercise, value, answered_at)
        if goal is not None:
            return goal
    item_text = item_id
    if exercise is not None:
        item_text = next((item.text for item in exercise.items if item.id == item_id), item_id)
    note = ""
    parts: list[tuple[str | None, str]]
    if isinstance(value, dict) and isinstance(value.get("text"), str) and set(value) <= {"text", "share", "shared"}:
        # a reflection: the text, and whether the learner chose to share it
        parts = [(None, value["text"])]
        shared = value.get("share", value.get("shared"))
        note = "Shared with your group." if shared else "Private: not shared."
    elif isinstance(value, dict):
        declared = _field_labels(exercise)
        order = [key for key, _ in declared] + [k for k in _SMART_LABELS if k not in dict(declared)]
        labels = dict(declared)
        keys = [k for k in order if k in value] + [k for k in value if k not in order]
        parts = [(labels.get(k) or _humanise(k), _field_text(value[k])) for k in keys]
        if not parts:
            parts = [(None, "(empty)")]
    elif isinstance(value, list):
        chosen = [_option_label(exercise, item_id, v) for v in value]
        parts = [(None, "; ".join(chosen) if chosen else "(nothing chosen)")]
    else:
        parts = [(None, _option_label(exercise, item_id, value))]
    return _Answer(item_text, tuple(parts), note, answered_at)


@dataclass(frozen=True)
class _Section:
    exercise_id: str
    exercise: Exercise | None
    answers: tuple[_Answer, ...]


def _grouped(portfolio: dict[str, Any]) -> list[tuple[str, str, list[_Section]]]:
    """[(chapter id, chapter heading, sections)] in course order; unknown exercises last."""
    from .course_progress import chapter_order, course_chapters

    by_exercise: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in portfolio["responses"]:
        by_exercise[entry["exercise"]].append(entry)
    chapters: dict[str, list[_Section]] = defaultdict(list)
    for exercise_id in sorted(by_exercise):
        try:
            exercise: Exercise | None = load_exercise(exercise_id)
        except ContentError:
            exercise = None
        order = {item_id: n for n, item_id in enumerate(exercise.item_ids)} if exercise else {}
        entries = sorted(by_exercise[exercise_id], key=lambda e: (order.get(e["item"], len(order)), e["item"]))
        answers = tuple(
            _describe(exercise, e["item"], e["value"], _parse_time(e.get("answered_at"))) for e in entries
        )
        chapter = exercise.chapter if exercise else ""
        chapters[chapter].append(_Section(exercise_id, exercise, answers))

    titles = {c.id: (f"Chapter {c.number}: {c.title}") for c in course_chapters()}
    ordered = sorted((c for c in chapters if c), key=chapter_order)
    result = [(c, titles.get(c, c), chapters[c]) for c in ordered]
    if "" in chapters:
        result.append(("", "Other answers (exercises this version of the course does not have)", chapters[""]))
    return result


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _date(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d") if moment else ""


def _heading_facts(portfolio: dict[str, Any]) -> str:
    count = len(portfolio["responses"])
    exported = _parse_time(portfolio["exported_at"])
    when = exported.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if exported else portfolio["exported_at"]
    return (
        f"Pseudonym: {portfolio['learner']}. Exported {when} with peerkit {portfolio['peerkit_version']}. "
        f"{_count(count)}."
    )


_RESTORE_HINT = (
    "To bring these answers back into the course, use “Restore from a file” with the matching "
    ".json file (or peerkit.restore(path))."
)

# -- Markdown ----------------------------------------------------------------------------------
# Backslash-escape everything that could start markup inside a line (CommonMark lets any ASCII
# punctuation be escaped), including < and & so learner text never becomes raw HTML or an entity.
# An underscore inside a word never starts emphasis, so "gone_exercise" stays readable.
_MD_INLINE = re.compile(r"([\\`*\[\]<>|~&$#!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_MD_BLOCK_START = re.compile(r"^([>+=-])")
_MD_ORDERED = re.compile(r"^(\d+)([.)])")


def markdown_escape(text: str) -> str:
    """Escape learner text so Markdown shows it as written: no headings, lists, links or HTML."""
    lines = []
    for line in text.splitlines() or [""]:
        # leading spaces would turn the line into a code block
        line = _MD_INLINE.sub(r"\\\1", line.lstrip())
        line = _MD_BLOCK_START.sub(r"\\\1", line)
        line = _MD_ORDERED.sub(r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return " ".join(markdown_escape(text).split("\n")) or " "


def render_markdown(portfolio: dict[str, Any]) -> str:
    """The portfolio as a Markdown document, grouped by chapter then exercise."""
    out = ["# My peerkit portfolio", "", markdown_escape(_heading_facts(portfolio)), "", markdown_escape(_RESTORE_HINT), ""]
    if not portfolio["responses"]:
        out += ["You have not answered any exercise yet.", ""]
    for _, heading, sections in _grouped(portfolio):
        out += [f"## {markdown_escape(heading)}", ""]
        for section in sections:
            exercise = section.exercise
            out += [f"### {markdown_escape(exercise.title if exercise else section.exercise_id)}", ""]
            if exercise is not None and exercise.items and exercise.kind not in OPEN_ITEM_KINDS:
                out += [f"{len(section.answers)} of {len(exercise.items)} answered.", ""]
            if exercise is not None and exercise.scale and all(a.short is not None for a in section.answers):
                row_heading = str(exercise.details.get("row_heading", "Item"))
                out += [
                    f"| {_md_cell(row_heading)} | Your answer | Answered |",
                    "| --- | --- | --- |",
                ]
                out += [
                    f"| {_md_cell(a.item_text)} | {_md_cell(a.short or '')} | {_date(a.answered_at)} |"
                    for a in section.answers
                ]
                out.append("")
                continue
            for answer in section.answers:
                out += [f"**{markdown_escape(answer.item_text)}**", ""]
                for label, text in answer.parts:
                    if label is None:
                        out += ["> " + line if line else ">" for line in markdown_escape(text).split("\n")]
                    else:
                        body = markdown_escape(text).replace("\n", "\n  ")
                        out.append(f"- **{markdown_escape(label)}:** {body}")
                out.append("")
                facts = " ".join(x for x in (answer.note, f"Answered {_date(answer.answered_at)}." if answer.answered_at else "") if x)
                if facts:
                    out += [f"_{markdown_escape(facts)}_", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# -- HTML --------------------------------------------------------------------------------------
_CSS = """
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 50rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; background: #fff; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
th, td { border: 1px solid #767676; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
blockquote { margin: 0.25rem 0 0.5rem; padding-left: 0.75rem; border-left: 4px solid #0072B2; }
dl { margin: 0.25rem 0 0.5rem; } dt { font-weight: 600; } dd { margin: 0 0 0.5rem 1rem; }
dd p, blockquote p { margin: 0.2rem 0; }
.note { font-style: italic; color: #444; }
@media print { body { margin: 0; } section { break-inside: avoid-page; } }
"""


def _html_text(text: str) -> str:
    """Escaped learner text: paragraphs at blank lines, line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", text.strip()) if text.strip() else [""]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def render_html(portfolio: dict[str, Any]) -> str:
    """The portfolio as a standalone, accessible HTML page; every piece of text is escaped."""
    e = html.escape
    out = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>My peerkit portfolio ({e(portfolio['learner'])})</title>",
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>",
        "<h1>My peerkit portfolio</h1>",
        f"<p>{e(_heading_facts(portfolio))}</p>",
        f"<p>{e(_RESTORE_HINT)}</p>",
    ]
    if not portfolio["responses"]:
        out.append("<p>You have not answered any exercise yet.</p>")
    for n, (_, heading, sections) in enumerate(_grouped(portfolio)):
        out.append(f'<section aria-labelledby="chapter-{n}">\n<h2 id="chapter-{n}">{e(heading)}</h2>')
        for section in sections:
            exercise = section.exercise
            title = exercise.title if exercise else section.exercise_id
            out.append(f"<section>\n<h3>{e(title)}</h3>")
            if exercise is not None and exercise.items and exercise.kind not in OPEN_ITEM_KINDS:
                out.append(f"<p>{len(section.answers)} of {len(exercise.items)} answered.</p>")
            if exercise is not None and exercise.scale and all(a.short is not None for a in section.answers):
                row_heading = str(exercise.details.get("row_heading", "Item"))
                out.append(
                    f"<table>\n<caption>Your answers: {e(title)}</caption>\n<thead><tr>"
                    f'<th scope="col">{e(row_heading)}</th><th scope="col">Your answer</th>'
                    '<th scope="col">Answered</th></tr></thead>\n<tbody>'
                )
                out += [
                    f'<tr><th scope="row">{e(a.item_text)}</th><td>{e(a.short or "")}</td>'
                    f"<td>{e(_date(a.answered_at))}</td></tr>"
                    for a in section.answers
                ]
                out.append("</tbody>\n</table>\n</section>")
                continue
            for answer in section.answers:
                out.append(f"<h4>{e(answer.item_text)}</h4>")
                unlabelled = [text for label, text in answer.parts if label is None]
                labelled = [(label, text) for label, text in answer.parts if label is not None]
                out += [f"<blockquote>{_html_text(text)}</blockquote>" for text in unlabelled]
                if labelled:
                    out.append("<dl>" + "".join(f"<dt>{e(label)}</dt><dd>{_html_text(text)}</dd>" for label, text in labelled) + "</dl>")
                facts = " ".join(x for x in (answer.note, f"Answered {_date(answer.answered_at)}." if answer.answered_at else "") if x)
                if facts:
                    out.append(f'<p class="note">{e(facts)}</p>')
            out.append("</section>")
        out.append("</section>")
    out.append("</main>\n</body>\n</html>\n")
    return "\n".join(out)


# -- restore -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RestoreReport:
    """What :func:`restore` did.

    ``added``: answers the store did not have. ``updated``: answers replaced by a newer
    one from the file. ``kept``: the store's answer was newer (or as new) and differs, so
    it stayed. ``skipped``: the file's answer is already in the store, unchanged.
    """

    source: str
    added: int
    updated: int
    kept: int
    skipped: int
    learner: str
    adopted_learner: bool = False

    @property
    def changed(self) -> int:
        """How many answers were written."""
        return self.added + self.updated

    @property
    def total(self) -> int:
        return self.added + self.updated + self.kept + self.skipped

    def __str__(self) -> str:
        if not self.changed:
            if not self.total:
                return f"{self.source} holds no answers; nothing was changed."
            return (f"Nothing to restore: every answer in {self.source} is already here "
                    f"({_count(self.total)}).")
        parts = [f"{self.added} added"]
        if self.updated:
            parts.append(f"{self.updated} replaced by a newer answer from the file")
        if self.kept:
            parts.append(f"{self.kept} kept as they are (your answer here is newer)")
        if self.skipped:
            parts.append(f"{self.skipped} already here")
        text = f"Restored from {self.source}: " + ", ".join(parts) + "."
        if self.adopted_learner:
            text += f" Your pseudonym is {self.learner} again."
        return text


@dataclass(frozen=True)
class _Entry:
    exercise: str
    item: str
    value: Any
    answered_at: datetime
    schema_version: int


def restore(source: str | Path | bytes, store: LocalStore | None = None, *, name: str | None = None) -> RestoreReport:
    """Bring a portfolio file's answers back into the store.

    The whole file is checked first; any problem raises :class:`ImportFileError`
    (naming the file, the entry and the problem) and nothing is written. Then, for each
    exercise item, the newer answer wins (the store's on a tie), all in one transaction.
    A store with no answers yet also takes over the portfolio's pseudonym.

    Parameters
    ----------
    source:
        A path to a ``peerkit-portfolio-*.json`` file, or its content as bytes (an upload).
    name:
        What to call the file in messages when ``source`` is bytes.

    Example
    -------
    >>> report = restore("peerkit-portfolio-2025-01-31.json")       # doctest: +SKIP
    >>> report.added, report.updated, report.kept, report.skipped    # doctest: +SKIP
    (27, 0, 0, 0)
    """
    label, data = _read_source(source, name)
    portfolio, entries = parse_portfolio(data, label)
    store = store if store is not None else LocalStore()

    existing = {(r.exercise, r.item): r for r in store.responses()}
    adopt = not existing and portfolio["learner"] != store.learner
    previous_learner = store.learner
    if adopt:
        store.adopt_learner(portfolio["learner"])
    added = updated = kept = skipped = 0
    to_write = []
    for entry in entries:
        current = existing.get((entry.exercise, entry.item))
        if current is None:
            added += 1
        elif encode_value(current.value) == encode_value(entry.value) and current.answered_at == entry.answered_at:
            skipped += 1
            continue
        elif entry.answered_at > current.answered_at:
            updated += 1
        else:
            kept += 1
            continue
        to_write.append(
            Response(store.learner, entry.exercise, entry.item, entry.value, entry.answered_at, entry.schema_version)
        )
    try:
        if to_write:
            store.save_many(to_write)
        if store.learner == portfolio["learner"]:  # the same person: carry their group membership too
            for key, value in portfolio.get("settings", {}).items():
                if store.get_setting(key) is None:
                    store.set_setting(key, value)
    except PeerkitError:
        if adopt:  # leave the empty store as it was, pseudonym included
            try:
                store.adopt_learner(previous_learner)
            except PeerkitError:
                pass
        raise
    return RestoreReport(label, added, updated, kept, skipped, store.learner, adopt)


def _read_source(source: str | Path | bytes | bytearray | memoryview, name: str | None) -> tuple[str, bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "the uploaded file"
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        label = str(path)
        if not path.is_file():
            problem = "it is a folder" if path.is_dir() else "there is no such file"
            raise ImportFileError(f"Cannot restore from {label}: {problem}. Nothing was changed. Check the path.")
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ImportFileError(_too_big(label, path.stat().st_size))
            data = path.read_bytes()
        except OSError as error:
            raise ImportFileError(
                f"Cannot restore from {label}: it cannot be read ({error.strerror or error}). Nothing was changed."
            ) from error
    else:
        raise TypeError(f"restore() needs a file path or the file's bytes, not {type(source).__name__}.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(_too_big(label, len(data)))
    return label, data


def _too_big(label: str, size: int) -> str:
    return (
        f"Cannot restore from {label}: it is {size / 1024 / 1024:.1f} MB, more than a portfolio can be "
        f"({MAX_BYTES // 1024 // 1024} MB). Nothing was changed. {_FIX}"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _check_settings(settings: Any, fail: Any) -> None:
    if not isinstance(settings, dict):
        raise fail(f"'settings' must be a JSON object, found {type(settings).__name__}")
    unknown = sorted(set(settings) - set(PORTABLE_SETTINGS))
    if unknown:
        raise fail(f"'settings' holds {', '.join(map(repr, unknown))}, which a portfolio never carries")
    secret = settings.get("cohort_secret")
    if secret is not None and not (isinstance(secret, str) and re.fullmatch(r"[0-9a-f]{64}", secret)):
        raise fail("'settings.cohort_secret' must be 64 lowercase hexadecimal characters")
    cohort = settings.get("cohort")
    if cohort is not None:
        from .cohort.membership import Membership

        try:
            membership = Membership.from_setting(cohort)
        except (TypeError, ValueError):
            membership = None
        if membership is None or not all(isinstance(v, (str, list, type(None))) for v in cohort.values()):
            raise fail("'settings.cohort' is not a group membership peerkit wrote")


def parse_portfolio(data: bytes, label: str = "the file") -> tuple[dict[str, Any], list[_Entry]]:
    """Check a portfolio file completely; return it and its entries, or raise :class:`ImportFileError`."""

    def fail(problem: str) -> ImportFileError:
        return ImportFileError(f"Cannot restore from {label}: {problem}. Nothing was changed. {_FIX}")

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise fail(f"it is not a text file (byte {error.start} is not UTF-8)") from error
    try:
        portfolio = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise fail(f"it is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from error
    except (ValueError, RecursionError) as error:
        raise fail(f"it is not valid JSON ({error})") from error

    if not isinstance(portfolio, dict):
        raise fail("it is not a peerkit portfolio (the top level must be a JSON object)")
    if portfolio.get("format") != FORMAT:
        found = portfolio.get("format")
        hint = " (a submission file goes to your trainer; it cannot be restored)" if found == "peerkit-submission" else ""
        raise fail(f"it is not a peerkit portfolio: 'format' is {found!r}, expected {FORMAT!r}{hint}")
    version = portfolio.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise fail(f"'format_version' must be a whole number, found {version!r}")
    if version > FORMAT_VERSION:
        raise ImportFileError(
            f"Cannot restore from {label}: it was saved by a newer peerkit (portfolio format {version}; "
            f"this one reads format {FORMAT_VERSION}). Nothing was changed. Upgrade peerkit "
            "(pip install -U peerkit), then restore it again."
        )
    if version != FORMAT_VERSION:
        raise fail(f"'format_version' {version} is not one peerkit ever wrote (expected {FORMAT_VERSION})")
    learner = portfolio.get("learner")
    if not isinstance(learner, str) or not _PSEUDONYM.match(learner):
        raise fail(f"'learner' must be a peerkit pseudonym such as 'learner-1a2b3c4d5e6f', found {learner!r}")
    if not isinstance(portfolio.get("exported_at"), str) or _aware_time(portfolio["exported_at"]) is None:
        raise fail(f"'exported_at' must be an ISO-8601 time with a time zone, found {portfolio.get('exported_at')!r}")
    if not isinstance(portfolio.get("peerkit_version", ""), str):
        raise fail("'peerkit_version' must be text")
    _check_settings(portfolio.get("settings", {}), fail)
    responses = portfolio.get("responses")
    if not isinstance(responses, list):
        raise fail(f"'responses' must be a list of answers, found {type(responses).__name__}")

    known = set(exercise_ids())
    latest = utc_now() + CLOCK_TOLERANCE
    problems: list[str] = []
    entries: list[_Entry] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(responses, start=1):
        where = f"entry {number} of {len(responses)}"
        try:
            entry = _check_entry(raw, known, latest)
        except _EntryProblem as problem:
            problems.append(f"{where}{problem.where}: {problem}")
            continue
        key = (entry.exercise, entry.item)
        if key in seen:
            problems.append(f"{where} (exercise {entry.exercise!r}, item {entry.item!r}): the same item "
                            f"already appears in entry {seen[key]}")
            continue
        seen[key] = number
        entries.append(entry)
    if problems:
        more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
        raise fail("; ".join(problems[:3]) + more)
    return portfolio, entries


class _EntryProblem(ValueError):
    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where


def _aware_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo is not None else None


def _check_entry(raw: Any, known: set[str], latest: datetime) -> _Entry:
    if not isinstance(raw, dict):
        raise _EntryProblem(f"an answer must be a JSON object, found {type(raw).__name__}")
    for key, kind in (("exercise", str), ("item", str), ("answered_at", str)):
        if not isinstance(raw.get(key), kind) or not raw[key]:
            raise _EntryProblem(f"'{key}' must be non-empty text, found {raw.get(key)!r}")
    exercise_id, item_id = raw["exercise"], raw["item"]
    where = f" (exercise {exercise_id!r}, item {item_id!r})"
    if exercise_id not in known:
        raise _EntryProblem("this course has no such exercise", where)
    if "value" not in raw or raw["value"] is None:
        raise _EntryProblem("the answer has no 'value'", where)
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise _EntryProblem(
            f"'schema_version' must be a whole number from 1 to {SCHEMA_VERSION}, found {version!r}"
            + (" (saved by a newer peerkit: upgrade peerkit first)" if isinstance(version, int) and version > SCHEMA_VERSION else ""),
            where,
        )
    answered_at = _aware_time(raw["answered_at"])
    if answered_at is None:
        raise _EntryProblem(
            f"'answered_at' must be an ISO-8601 time with a time zone, such as 2025-01-31T09:30:00+00:00, "
            f"found {raw['answered_at']!r}",
            where,
        )
    if answered_at > latest:
        raise _EntryProblem(f"'answered_at' {raw['answered_at']} lies in the future", where)
    try:
        check_answer(load_exercise(exercise_id), item_id, raw["value"])
    except AnswerError as error:
        raise _EntryProblem(str(error).rstrip("."), where) from error
    return _Entry(exercise_id, item_id, raw["value"], answered_at, version)


def _count(number: int) -> str:
    return f"{number} answer{'' if number == 1 else 's'}"


# -- delete ------------------------------------------------------------------------------------
def delete_my_answers(store: LocalStore | None = None, confirm: bool = False) -> int:
    """Delete every answer in the store (the pseudonym stays). Needs ``confirm=True``.

    Answers already sent to a group are not in this store and are not touched.
    Returns how many answers were deleted.
    """
    store = store if store is not None else LocalStore()
    if confirm is not True:
        count = len(store.responses())
        raise ValueError(
            f"This would delete every answer you have stored ({_count(count)}) in {store.path}, and it cannot be "
            "undone. "
            "Nothing was deleted. Download your answers first if you may want them back "
            "(peerkit.portfolio()), then call delete_my_answers(confirm=True)."
        )
    return store.delete_everything()
