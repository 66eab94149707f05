"""The portfolio as documents to read and keep: Markdown and a standalone HTML page.

Both carry the portfolio itself too, in a comment at the end (base64 JSON), so that
either can be given to :func:`peerkit.restore` like the JSON file.
"""
from __future__ import annotations

import re
from typing import Any

from ..kinds import kind_of
from ..templating import render
from .format import EMBED_MARK, embedded_comment, embedded_data
from .words import _RESTORE_HINT, _date, _grouped, _heading_facts

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
    out = ["# My peer-support course portfolio", "", markdown_escape(_heading_facts(portfolio)), "", markdown_escape(_RESTORE_HINT), ""]
    if not portfolio["responses"]:
        out += ["You have not answered any exercise yet.", ""]
    for _, heading, sections in _grouped(portfolio):
        out += [f"## {markdown_escape(heading)}", ""]
        for section in sections:
            exercise = section.exercise
            out += [f"### {markdown_escape(exercise.title if exercise else section.exercise_id)}", ""]
            if exercise is not None and exercise.items and not kind_of(exercise).learner_items:
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
                facts = _facts(answer)
                if facts:
                    out += [f"_{markdown_escape(facts)}_", ""]
    out += ["", embedded_comment(portfolio)]
    return "\n".join(out).rstrip("\n") + "\n"


# -- HTML --------------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[list[str]]:
    """Learner text as paragraphs (split at blank lines), each a list of its lines."""
    return [p.split("\n") for p in re.split(r"\n\s*\n", text.strip())] if text.strip() else [[""]]


def _facts(answer: Any) -> str:
    """The note and the date under an answer, as one line."""
    return " ".join(x for x in (answer.note, f"Answered {_date(answer.answered_at)}." if answer.answered_at else "")
                    if x)


def _html_sections(portfolio: dict[str, Any]) -> list[dict[str, Any]]:
    """What ``portfolio/document.html`` draws: chapters, their exercises and answers, as plain text."""
    chapters = []
    for _, heading, sections in _grouped(portfolio):
        drawn = []
        for section in sections:
            exercise = section.exercise
            answered = (f"{len(section.answers)} of {len(exercise.items)} answered."
                        if exercise is not None and exercise.items and not kind_of(exercise).learner_items else "")
            table = None
            if exercise is not None and exercise.scale and all(a.short is not None for a in section.answers):
                table = {"row_heading": str(exercise.details.get("row_heading", "Item")),
                         "rows": [{"item": a.item_text, "answer": a.short or "", "answered": _date(a.answered_at)}
                                  for a in section.answers]}
            answers = [{
                "item_text": answer.item_text,
                "unlabelled": [_paragraphs(text) for label, text in answer.parts if label is None],
                "labelled": [(label, _paragraphs(text)) for label, text in answer.parts if label is not None],
                "facts": _facts(answer),
            } for answer in section.answers]
            drawn.append({"title": exercise.title if exercise else section.exercise_id, "answered": answered,
                          "table": table, "answers": answers})
        chapters.append({"heading": heading, "sections": drawn})
    return chapters


def render_html(portfolio: dict[str, Any]) -> str:
    """The portfolio as a standalone, accessible HTML page (``templates/portfolio/document.html``, autoescaped)."""
    return render("portfolio/document.html", learner=portfolio["learner"], facts=_heading_facts(portfolio),
                  restore_hint=_RESTORE_HINT, chapters=_html_sections(portfolio),
                  embed_mark=EMBED_MARK, embedded=embedded_data(portfolio)) + "\n"
