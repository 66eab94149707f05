"""No module of peerkit imports a layer above its own: data flows one way.

Every ``import`` in every module under ``peerkit/`` is read with :mod:`ast`, including
imports inside functions (a deferred import is still an arrow in the graph). The layers,
bottom first:

0. content and rules: ``data``, ``kinds``, ``exercises``, ``answers``, ``model``, ``privacy``,
   ``files``, ``timestamps``, ``errors``, ``paths``, ``templating`` (Jinja2 only), ``chart_data`` (which
   rows a group view can read), ``group_view`` (a group's counts, small items withheld) (and the package itself, which imports nothing eagerly)
1. the local store: ``store``, ``saving`` (its background writer), ``course_progress``, ``reference``
2. cohort and client: ``cohort``, ``client``, ``portfolio_io``
3. drawing: ``agreement``, ``charts``, ``charts_html``, ``figures``, ``goal_views``, and the dashboard's HTML
   panels (``cohort.panels``, ``cohort.tally_form``: views that live in ``cohort/``)
4. widgets (they show charts, so they sit above them)
5. research
6. ``course`` and ``cli`` (what notebooks and the shell call)

``peerkit/server/`` stands beside the stack, reached over HTTP: it may use the shared rules
and the drawing (the projector shows the notebooks' own HTML charts), never the learner's
own runtime (their store, saver, client, widgets, portfolio, research or notebook calls);
nothing but the command line that starts it imports it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "peerkit"

#: module-name prefix -> layer; the longest matching prefix wins.
LAYERS: dict[str, int] = {
    "peerkit": 0,
    "peerkit.data": 0,
    "peerkit.kinds": 0,
    "peerkit.exercises": 0,
    "peerkit.answers": 0,
    "peerkit.model": 0,
    "peerkit.privacy": 0,
    "peerkit.files": 0,
    "peerkit.timestamps": 0,
    "peerkit.errors": 0,
    "peerkit.paths": 0,
    "peerkit.scrub": 0,
    "peerkit.templating": 0,
    "peerkit.chart_data": 0,
    "peerkit.group_view": 0,
    "peerkit.store": 1,
    "peerkit.saving": 1,
    "peerkit.course_progress": 1,
    "peerkit.reference": 1,
    "peerkit.cohort": 2,
    "peerkit.client": 2,
    "peerkit.portfolio_io": 2,
    "peerkit.agreement": 3,
    "peerkit.charts": 3,
    "peerkit.charts_html": 3,
    "peerkit.figures": 3,
    "peerkit.goal_views": 3,
    "peerkit.cohort.panels": 3,
    "peerkit.cohort.tally_form": 3,
    "peerkit.widgets": 4,
    "peerkit.research": 5,
    "peerkit.course": 6,
    "peerkit.cli": 6,
}
SERVER = "peerkit.server"
#: The learner's own runtime: their store, the background saver, the client that talks to the server, the widgets,
#: the portfolio and the notebook calls. The server stands beside the learner's stack and never reaches into it; it
#: may use the shared rules and the drawing below them (the projector draws the notebooks' own HTML charts).
LEARNER_SIDE = ("peerkit.store", "peerkit.saving", "peerkit.client", "peerkit.widgets", "peerkit.portfolio_io",
                "peerkit.cohort.membership", "peerkit.cohort.sync", "peerkit.research", "peerkit.course",
                "peerkit.cli")
#: Only the command line (which starts the server) may import it; everything else reaches it over HTTP.
MAY_IMPORT_SERVER = ("peerkit.cli",)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    matches = [prefix for prefix in LAYERS if _within(module, prefix)]
    if not matches or max(matches, key=len) == "peerkit" and module != "peerkit":
        return None  # a module nobody placed yet: the test below asks for it to be placed
    return LAYERS[max(matches, key=len)]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(name: str) -> str:
    """``peerkit.widgets.smart_goal.GOAL_ID`` -> ``peerkit.widgets.smart_goal`` (the module imported)."""
    while name.count("."):
        as_path = PACKAGE.parent / name.replace(".", "/")
        if as_path.with_suffix(".py").is_file() or as_path.is_dir():
            return name
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every peerkit module that ``path`` imports, anywhere in it."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, _resolve(alias.name)) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found += [(node.lineno, _resolve(f"{origin}.{alias.name}")) for alias in node.names]
    return [(line, name) for line, name in found if _within(name, "peerkit")]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def upward_imports() -> list[str]:
    problems = []
    for path in modules():
        module = module_name(path)
        where = path.relative_to(PACKAGE.parent)
        for line, imported in imports_of(path):
            if _within(module, SERVER):
                if any(_within(imported, learner) for learner in LEARNER_SIDE):
                    problems.append(f"{where}:{line}: the cohort server imports {imported}, part of the learner's "
                                    "own runtime; the server may use only the shared rules and drawing")
                continue
            if _within(imported, SERVER):
                if not any(_within(module, allowed) for allowed in MAY_IMPORT_SERVER):
                    problems.append(f"{where}:{line}: imports {imported}; the server is reached over HTTP")
                continue
            own, theirs = layer_of(module), layer_of(imported)
            if own is not None and theirs is not None and theirs > own:
                problems.append(f"{where}:{line}: {module} (layer {own}) imports {imported} (layer {theirs})")
    return sorted(set(problems), key=problems.index)


def test_every_module_has_a_layer() -> None:
    unplaced = [module_name(p) for p in modules()
                if not _within(module_name(p), SERVER) and layer_of(module_name(p)) is None]
    assert not unplaced, f"Place these modules in LAYERS of {__file__}: {unplaced}"


def test_no_module_imports_a_layer_above_it() -> None:
    problems = upward_imports()
    assert not problems, "Upward imports:\n" + "\n".join(problems)


@pytest.mark.parametrize(("source", "expected"), [
    ("from .widgets.smart_goal import GOAL_ID\n", "peerkit.widgets.smart_goal"),
    ("from . import charts\n", "peerkit.charts"),
    ("def f():\n    import peerkit.widgets\n", "peerkit.widgets"),
])
def test_the_reader_sees_every_form_of_import(tmp_path: Path, source: str, expected: str, monkeypatch) -> None:
    # the checker itself must see deferred and relative imports, or the test above could never fail
    fake = PACKAGE / "answers.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source if self == fake else "")
    assert [name for _, name in imports_of(fake)] == [expected]
