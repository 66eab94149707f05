"""The one way peerkit makes HTML: Jinja2 templates in ``peerkit/templates/``, autoescaped.

Every surface that shows course or learner text as HTML (``pk.compare``, the
projector panels, the trainer's dashboard) renders a template here, so a learner's
words are escaped by the template engine and never glued into a string by hand.

>>> from peerkit.templating import render_string
>>> render_string("<p>{{ text }}</p>", text="<script>alert(1)</script>")
'<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup


def _environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("peerkit", folder),
        autoescape=True,  # every template, whatever its file name ends with
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment: package templates, autoescape always on, undefined names are errors."""
    return _environment("templates")


@lru_cache(maxsize=1)
def server_environment() -> jinja2.Environment:
    """The cohort server's pages (``peerkit/server/templates/``), with the same rules as :func:`environment`."""
    return _environment("server/templates")


def render(template: str, **context: Any) -> str:
    """Render ``peerkit/templates/<template>`` with ``context`` (every value escaped unless marked safe)."""
    return environment().get_template(template).render(**context).strip()


def render_string(source: str, **context: Any) -> str:
    """Render a small inline template with the same escaping rules (for one-line messages)."""
    return environment().from_string(source).render(**context).strip()


def rendered(html: str) -> Markup:
    """Mark HTML that came out of :func:`render` as safe to place inside another template.

    Only ever for the output of a template (already escaped), never for text from outside.
    """
    return Markup(html)
