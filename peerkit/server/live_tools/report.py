"""The session report: one self-contained HTML page the trainer downloads after the session.

It holds the cohort's charts (the projector's own, so items fewer than the
cohort's minimum group size answered are already left out), the revealed poll
results that had enough answers, the approved wall posts and the approved shared
texts. It never holds a pseudonym, a join code, a pending or hidden post or text, or a
poll that was not revealed. Its CSS prints to A4 with no chart cut across a page (the
browser's "Print to PDF" makes the PDF).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...privacy import suppressed_message
from ...timestamps import format_moment, now
from ...templating import server_environment
from .. import db
from ..projector import live_state  # the projector's charts, suppression included
from . import polls, scenario_room, texts, wall


def report_context(conn: sa.Connection, cohort: Any) -> dict[str, Any]:
    live = live_state(conn, cohort)
    min_group_size = int(cohort.min_group_size)
    return {
        "cohort": {"name": cohort.name, "status": cohort.status, "created_at": cohort.created_at,
                   "min_group_size": min_group_size},
        "made_at": format_moment(now()),
        "members": live["members"],
        "answers": live["answers"],
        "panels": live["panels"],
        "prompts": live["prompts"],
        "polls": polls.revealed_for_report(conn, cohort),
        "walls": wall.approved_for_report(conn, cohort.id),
        "conversations": scenario_room.for_report(conn, cohort),
        "texts": texts.approved(conn, cohort.id, limit=None),
        "suppressed_message": suppressed_message(min_group_size),
        "min_group_size": min_group_size,
    }


def render_report(engine: sa.Engine, cohort_row_reader: Any) -> str:
    """The report's HTML; ``cohort_row_reader(conn)`` returns the (owned) cohort row."""
    with db.reading(engine) as conn:
        cohort = cohort_row_reader(conn)
        context = report_context(conn, cohort)
    return server_environment().get_template("live_tools/report.html").render(**context)


def file_name(cohort_name: str, made_at: str) -> str:
    """A safe download name: ``peerkit-report-<name>-<date>.html`` (letters, digits and dashes only)."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in cohort_name.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:40] or "cohort"
    return f"peerkit-report-{slug}-{made_at[:10]}.html"
