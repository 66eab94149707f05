"""The portfolio as documents to read and keep: Markdown and a standalone HTML page.

Both carry the portfolio itself too, in a comment at the end (base64 JSON), so that
either can be given to :func:`peerkit.restore` like the JSON file.
"""
from __future__ import annotations

import html
import re
from typing import Any

from ..kinds import kind_of
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
                facts = " ".join(x for x in (answer.note, f"Answered {_date(answer.answered_at)}." if answer.answered_at else "") if x)
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
            if exercise is not None and exercise.items and not kind_of(exercise).learner_items:
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
    out.append("</main>\n" + embedded_comment(portfolio) + "\n</body>\n</html>\n")
    return "\n".join(out)


