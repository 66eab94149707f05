"""The portfolio as documents to read and keep: Markdown and a standalone HTML page.

Both carry the portfolio itself too, in a comment at the end (base64 JSON), so that
either can be given to :func:`peerkit.restore` like the JSON file.
"""
from __future__ import annotations

import re
from typing import Any

from ..kinds import kind_of
from ..templating import render, rendered
from .format import embedded_comment
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
    out = ["# My peerkit portfolio", "", markdown_escape(_heading_facts(portfolio)), "", markdown_escape(_RESTORE_HINT), ""]
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


def _paragraphs(text: str) -> list[list[str]]:
    """Learner text as paragraphs (split at blank lines) of lines (line breaks kept), for the template."""
    paragraphs = re.split(r"\n\s*\n", text.strip()) if text.strip() else [""]
    return [paragraph.split("\n") for paragraph in paragraphs]


def _facts(answer: Any) -> str:
    return " ".join(x for x in (answer.note, f"Answered {_date(answer.answered_at)}." if answer.answered_at else "")
                    if x)


def _html_section(section: Any) -> dict[str, Any]:
    exercise = section.exercise
    title = exercise.title if exercise else section.exercise_id
    progress = ""
    if exercise is not None and exercise.items and not kind_of(exercise).learner_items:
        progress = f"{len(section.answers)} of {len(exercise.items)} answered."
    table = None
    if exercise is not None and exercise.scale and all(a.short is not None for a in section.answers):
        table = {"row_heading": str(exercise.details.get("row_heading", "Item")),
                 "rows": [{"item": a.item_text, "answer": a.short or "", "date": _date(a.answered_at)}
                          for a in section.answers]}
    answers = [{"heading": answer.item_text,
                "quotes": [_paragraphs(text) for label, text in answer.parts if label is None],
                "fields": [{"label": label, "text": _paragraphs(text)} for label, text in answer.parts
                           if label is not None],
                "facts": _facts(answer)}
               for answer in section.answers]
    return {"title": title, "progress": progress, "table": table, "answers": answers}


def render_html(portfolio: dict[str, Any]) -> str:
    """The portfolio as a standalone, accessible HTML page, from ``templates/portfolio/page.html``.

    Every piece of text is escaped by the template engine; the embedded copy is base64 in a comment.
    """
    chapters = [{"heading": heading, "sections": [_html_section(section) for section in sections]}
                for _, heading, sections in _grouped(portfolio)]
    return render("portfolio/page.html", learner=portfolio["learner"], css=rendered(_CSS),
                  facts=_heading_facts(portfolio), hint=_RESTORE_HINT, empty=not portfolio["responses"],
                  chapters=chapters, embedded=rendered(embedded_comment(portfolio))) + "\n"
