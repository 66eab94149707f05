"""The anonymous wall: learners post short texts for a prompt; only what the trainer approves is shown.

- A post is scrubbed of contact details (:func:`peerkit.scrub.scrub_text`)
  *before* it is stored, so neither the trainer nor the store ever holds the raw text.
- A post starts ``pending``. Nothing but ``approved`` posts reaches the projector, the
  learners' session state or the report; the trainer may hide an approved post again
  (``hidden``) and approve it once more.
- No pseudonym is ever shown: posts carry only their id, text, status and time, and
  are listed in the order they were approved, not in an order tied to who wrote them.

>>> clean_post("  Call me on 07700 900123  ")
'Call me on [phone]'
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...scrub import scrub_text
from ...timestamps import format_moment, now
from .. import db
from ..revisions import changed
from ..problems import Problem
from .tables import session_state, wall_posts, walls

MAX_POST = 280
MAX_PROMPT = 300
#: Posts one learner may leave on one wall (a flood would bury everyone else's).
MAX_POSTS_PER_LEARNER = 10
STATUSES = ("pending", "approved", "hidden")


def clean_post(text: Any) -> str:
    """The post's text as the trainer will see it: whitespace tidied, contact details replaced."""
    if not isinstance(text, str):
        raise Problem(422, "post-refused", "Post not taken", "A post is a short text.")
    tidy = " ".join(text.split())
    if not tidy:
        raise Problem(422, "post-refused", "Post not taken", "The post is empty.")
    if len(tidy) > MAX_POST:
        raise Problem(422, "post-refused", "Post not taken",
                      f"The post is too long ({len(tidy)} characters; at most {MAX_POST}).")
    return scrub_text(tidy)


def _describe_wall(row: Any) -> dict[str, Any]:
    return {"id": int(row.id), "prompt": row.prompt, "status": row.status, "created_at": row.created_at}


def _describe_post(row: Any) -> dict[str, Any]:
    return {"id": int(row.id), "wall": int(row.wall_id), "text": row.text, "status": row.status,
            "posted_at": row.posted_at}


def open_wall(conn: sa.Connection, cohort_id: str, prompt: Any) -> dict[str, Any]:
    """A new wall for ``prompt``, put on show; the wall before it stops taking posts."""
    if not isinstance(prompt, str) or not " ".join(prompt.split()):
        raise Problem(422, "wall-refused", "Wall not made", "Type the prompt learners answer on the wall.")
    prompt = " ".join(prompt.split())
    if len(prompt) > MAX_PROMPT:
        raise Problem(422, "wall-refused", "Wall not made", f"The prompt is too long (at most {MAX_PROMPT}).")
    conn.execute(sa.update(walls).where(walls.c.cohort_id == cohort_id).values(status="closed"))
    wall_id = conn.execute(sa.insert(walls).values(cohort_id=cohort_id, prompt=prompt, status="open",
                                                   created_at=format_moment(now())).returning(walls.c.id)).scalar_one()
    db.upsert(conn, session_state, {"cohort_id": cohort_id, "wall_id": wall_id}, ("cohort_id",),
              replace=("wall_id",))
    changed(conn, cohort_id)
    return _describe_wall(conn.execute(sa.select(walls).where(walls.c.id == wall_id)).one())


def close_wall(conn: sa.Connection, cohort_id: str, wall_id: int) -> dict[str, Any]:
    row = _wall(conn, cohort_id, wall_id)
    conn.execute(sa.update(walls).where(walls.c.id == row.id).values(status="closed"))
    changed(conn, cohort_id)
    return _describe_wall(_wall(conn, cohort_id, wall_id))


def _wall(conn: sa.Connection, cohort_id: str, wall_id: int) -> Any:
    row = conn.execute(sa.select(walls).where(walls.c.id == wall_id, walls.c.cohort_id == cohort_id)).first()
    if row is None:
        raise Problem(404, "no-such-wall", "No such wall", "This group has no such wall.")
    return row


def post(conn: sa.Connection, cohort_id: str, learner_id: int, wall_id: int, text: Any) -> dict[str, Any]:
    """A learner's post to an open wall of their cohort: stored scrubbed and pending."""
    row = conn.execute(sa.select(walls).where(walls.c.id == wall_id, walls.c.cohort_id == cohort_id)).first()
    if row is None:
        raise Problem(404, "no-such-wall", "No such wall", "Your group has no such wall.")
    if row.status != "open":
        raise Problem(409, "wall-closed", "Wall closed", "This wall takes no more posts.")
    cleaned = clean_post(text)
    mine = conn.execute(sa.select(sa.func.count()).select_from(wall_posts).where(
        wall_posts.c.wall_id == wall_id, wall_posts.c.learner_id == learner_id)).scalar_one()
    if mine >= MAX_POSTS_PER_LEARNER:
        raise Problem(429, "too-many-posts", "Enough posts",
                      f"You have left {mine} posts on this wall, the most one person may.")
    post_id = conn.execute(sa.insert(wall_posts).values(
        wall_id=wall_id, cohort_id=cohort_id, learner_id=learner_id, text=cleaned, status="pending",
        posted_at=format_moment(now())).returning(wall_posts.c.id)).scalar_one()
    changed(conn, cohort_id)
    return {"id": int(post_id), "wall": wall_id, "status": "pending", "text": cleaned}


def moderate(conn: sa.Connection, cohort_id: str, post_id: int, status: str) -> dict[str, Any]:
    """Approve (``"approved"``) or hide (``"hidden"``) a post of the trainer's cohort."""
    assert status in ("approved", "hidden")
    row = conn.execute(sa.select(wall_posts).where(wall_posts.c.id == post_id,
                                                   wall_posts.c.cohort_id == cohort_id)).first()
    if row is None:
        raise Problem(404, "no-such-post", "No such post", "This group has no such post.")
    values: dict[str, Any] = {"status": status}
    if status == "approved" and row.status != "approved":
        values["approved_at"] = format_moment(now())
    conn.execute(sa.update(wall_posts).where(wall_posts.c.id == post_id).values(**values))
    changed(conn, cohort_id)
    return _describe_post(conn.execute(sa.select(wall_posts).where(wall_posts.c.id == post_id)).one())


def current_wall(conn: sa.Connection, cohort_id: str) -> Any:
    wall_id = conn.execute(sa.select(session_state.c.wall_id).where(
        session_state.c.cohort_id == cohort_id)).scalar()
    if wall_id is None:
        return None
    return conn.execute(sa.select(walls).where(walls.c.id == wall_id)).first()


def for_trainer(conn: sa.Connection, cohort_id: str) -> dict[str, Any]:
    """The wall on show and every post on it (scrubbed, without pseudonyms), newest first."""
    wall = current_wall(conn, cohort_id)
    if wall is None:
        return {"wall": None, "posts": []}
    rows = conn.execute(sa.select(wall_posts).where(wall_posts.c.wall_id == wall.id)
                        .order_by(wall_posts.c.id.desc())).all()
    return {"wall": _describe_wall(wall), "posts": [_describe_post(row) for row in rows]}


def approved(conn: sa.Connection, wall_id: int) -> list[str]:
    """The approved posts' texts of one wall, in the order they were approved. The only way posts are shown."""
    return list(conn.execute(sa.select(wall_posts.c.text).where(
        wall_posts.c.wall_id == wall_id, wall_posts.c.status == "approved")
        .order_by(wall_posts.c.approved_at, wall_posts.c.id)).scalars())


def approved_for_report(conn: sa.Connection, cohort_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(walls).where(walls.c.cohort_id == cohort_id).order_by(walls.c.id)).all()
    shown = [{"prompt": row.prompt, "posts": approved(conn, int(row.id))} for row in rows]
    return [wall for wall in shown if wall["posts"]]


def own_post_count(conn: sa.Connection, wall_id: int, learner_id: int) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(wall_posts).where(
        wall_posts.c.wall_id == wall_id, wall_posts.c.learner_id == learner_id)).scalar_one())
