"""HTML comes from autoescaped Jinja2 templates, never from strings glued by hand (issue 11, item 5).

Every module under ``peerkit/`` is read with :mod:`ast` (nothing is imported) and
each place that builds HTML by hand is reported with its file, line and what it is:

- the html module's ``escape`` (``html.escape(...)``, ``from html import escape``, or
  ``e = html.escape``): escaping by hand means HTML is being glued by hand;
- an f-string, a ``+`` concatenation, a ``%`` format, a ``.format(...)`` call, or a
  ``.join(...)`` / ``.replace(...)`` whose literal parts hold an HTML tag such as
  ``<p``, ``<div``, ``</td>``.

Plain string constants (docstrings, a fixed message with no interpolation) are not
glue and are not reported. :mod:`peerkit.templating` is the one module allowed to
touch markup. Anything else must render a template in ``peerkit/templates/`` (or
``peerkit/server/templates/`` for the cohort server).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "peerkit"

#: The one module that may handle markup itself: it *is* the template machinery.
EXEMPT_MODULES = {"templating.py"}

#: ``(module path relative to peerkit/, enclosing function or "<module>", what is found)``
#: -> why it is not HTML glued by hand. Keep this short: every entry is a case where the
#: check's pattern matches but no HTML is made from outside text.
ALLOWED: dict[tuple[str, str, str], str] = {}

#: Opening or closing tags of the elements peerkit's surfaces draw.
TAG = re.compile(
    r"</?(?:p|div|span|a|table|thead|tbody|tr|td|th|caption|li|ul|ol|dl|dt|dd|strong|em|code|br|h[1-6]"
    r"|section|blockquote|main|title|style|html|body|head)(?=[\s>/])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Glue:
    module: str
    line: int
    function: str
    what: str

    def key(self) -> tuple[str, str, str]:
        return (self.module, self.function, self.what)

    def __str__(self) -> str:
        return f"peerkit/{self.module}:{self.line} in {self.function}: {self.what}"


def _literal_has_tag(node: ast.AST) -> bool:
    """A string literal holding a tag, or an f-string whose literal parts hold one."""
    if isinstance(node, ast.JoinedStr):
        return any(_literal_has_tag(part) for part in node.values)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(TAG.search(node.value))


def _concat_parts(node: ast.AST) -> list[ast.AST]:
    """The operands of a chain ``a + b + c`` (left-nested BinOps), in order."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _concat_parts(node.left) + _concat_parts(node.right)
    return [node]


def _concat_chain(node: ast.AST) -> list[ast.BinOp]:
    """The BinOps that make up a chain ``a + b + c``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [node, *_concat_chain(node.left), *_concat_chain(node.right)]
    return []


class _Finder(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.found: list[Glue] = []
        self._scope: list[str] = []
        self._html_modules: set[str] = set()  # names bound to the html module ("html", or an alias)
        self._escape_names: set[str] = set()  # names bound to html.escape
        self._chain_members: set[int] = set()  # BinOps inside a + chain already looked at

    # -- where we are -------------------------------------------------------------------------
    def _report(self, node: ast.AST, what: str) -> None:
        self.found.append(Glue(self.module, getattr(node, "lineno", 0), ".".join(self._scope) or "<module>", what))

    def _scoped(self, node: ast.AST) -> None:
        self._scope.append(node.name)  # type: ignore[attr-defined]
        self.generic_visit(node)
        self._scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    # -- the html module's escape ----------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "html":
                self._html_modules.add(alias.asname or "html")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "html" and node.level == 0:
            for alias in node.names:
                if alias.name == "escape":
                    self._escape_names.add(alias.asname or "escape")
                    self._report(node, "from html import escape")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "escape" and isinstance(node.value, ast.Name) and node.value.id in self._html_modules:
            self._report(node, "html.escape")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self._escape_names and isinstance(node.ctx, ast.Load):
            self._report(node, f"{node.id}() from the html module")

    # -- strings with tags around something else ------------------------------------------------
    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if any(_literal_has_tag(part) for part in node.values):
            self._report(node, "f-string with an HTML tag")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Add) and id(node) not in self._chain_members:
            # a chain a + b + c is nested BinOps: look at it once, from its top
            self._chain_members.update(id(n) for n in _concat_chain(node))
            parts = _concat_parts(node)
            if any(_literal_has_tag(part) for part in parts):
                self._report(node, "+ concatenation with an HTML tag")
        elif isinstance(node.op, ast.Mod) and _literal_has_tag(node.left):
            self._report(node, "% formatting with an HTML tag")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"format", "join", "replace"}:
            literals = [func.value, *node.args]
            if any(_literal_has_tag(part) for part in literals):
                self._report(node, f".{func.attr}() with an HTML tag")
        self.generic_visit(node)


def find_glue(source: str, module: str) -> list[Glue]:
    """Every place in ``source`` (a module's text) that builds HTML by hand."""
    finder = _Finder(module)
    finder.visit(ast.parse(source, filename=module))
    return sorted(set(finder.found), key=lambda g: (g.line, g.what))


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).as_posix() not in EXEMPT_MODULES)


def test_no_module_glues_html_by_hand() -> None:
    found = [glue for path in _modules()
             for glue in find_glue(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())]
    glued = [glue for glue in found if glue.key() not in ALLOWED]
    assert not glued, (
        "HTML built by hand (render a template from peerkit/templates/ through peerkit.templating.render "
        "instead, so text from outside is escaped by Jinja2):\n" + "\n".join(f"  {glue}" for glue in glued))


def test_every_allowed_case_is_still_there() -> None:
    # an allow-list entry whose code has gone would silently allow the next one with the same name
    found = {glue.key() for path in _modules()
             for glue in find_glue(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())}
    assert not set(ALLOWED) - found, f"allow-list entries that match nothing any more: {set(ALLOWED) - found}"


@pytest.mark.parametrize("source, what", [
    ("import html\nx = html.escape(t)", "html.escape"),
    ("import html as h\nx = h.escape(t)", "html.escape"),
    ("import html\ne = html.escape\n", "html.escape"),
    ("from html import escape as esc\nx = esc(t)", "esc() from the html module"),
    ("x = f'<p>{t}</p>'", "f-string with an HTML tag"),
    ("x = f'{t}</td>'", "f-string with an HTML tag"),
    ("x = '<div class=\"a\">' + t + '</div>'", "+ concatenation with an HTML tag"),
    ("x = a + f'<span>{t}</span>' + b", "+ concatenation with an HTML tag"),
    ("x = '<li>%s</li>' % t", "% formatting with an HTML tag"),
    ("x = '<a href=\"{}\">'.format(t)", ".format() with an HTML tag"),
    ("x = '<br>'.join(lines)", ".join() with an HTML tag"),
    ("x = t.replace('\\n', '<br>')", ".replace() with an HTML tag"),
    ("x = '<strong>' + t", "+ concatenation with an HTML tag"),
    ("def f(t):\n    return f'<tr><td>{t}</td></tr>'", "f-string with an HTML tag"),
])
def test_the_check_finds_each_kind_of_glue(source: str, what: str) -> None:
    assert what in [glue.what for glue in find_glue(source, "example.py")]


@pytest.mark.parametrize("source", [
    '"""A docstring about a ``<fieldset>`` and ``<p>`` elements."""',
    "x = '<p>A fixed sentence, no text from outside.</p>'",
    "x = f'<kind {name}>'",                      # a repr, not markup
    "x = f'peerkit-report-<name>-{date}.html'",  # a file name pattern
    "import re\nx = re.escape(t)",              # not the html module's escape
    "from markupsafe import escape\nx = escape(t)",
    "x = render('status_line.html', text=t)",
    "x = f'{a} < {b} and {c} <p-value'",
])
def test_the_check_leaves_alone_what_is_not_glue(source: str) -> None:
    assert find_glue(source, "example.py") == []
