"""No module of peerkit imports a layer above its own: data flows one way.

Every ``import`` in every module under ``peerkit/`` is read with :mod:`ast`, including
imports inside functions (a deferred import is still an arrow in the graph). The layers,
bottom first:

0. content and rules: ``data``, ``kinds``, ``exercises``, ``answers``, ``model``, ``privacy``,
   ``files``, ``timestamps``, ``errors``, ``paths``, ``templating`` (Jinja2 only),
   ``group_view`` (a group's counts, small items withheld), ``group_rules`` (what a view asks of an
   exercise: how it is drawn, its items' values, which answer rows it can read),
   ``jupyter_hooks`` (the Jupyter server's save hook), and
   ``cohort``: the rules both sides of a cohort use, each defined once
   (``ids``, ``codes``, ``pseudonym``, ``handin``, ``tally``, ``errors``) (and the package itself, which
   imports nothing eagerly)
1. the local store: ``store``, ``saving`` (its background writer), ``course_progress``, ``reference``
2. the learner's side of a cohort and their portfolio: ``client`` (membership, sync, sharing, the
   outbox and its sender, the one HTTP client), ``portfolio_io``
3. drawing: ``charts``, ``charts_html``, ``charts_text`` (the charts in words), ``figures``, ``goal_views``
4. widgets (they show charts, so they sit above them)
5. research
6. ``course`` and ``cli`` (what notebooks and the shell call)

``peerkit/server/`` stands beside the stack, reached over HTTP: it may use the shared rules
and the drawing (the projector shows the notebooks' own HTML charts), never the learner's
own runtime (their store, saver, client, widgets, portfolio, research or notebook calls);
nothing but the command line that starts it imports it.

There is no import cycle either, between modules or between subpackages: every import
counts, a deferred one inside a function too (only ``if TYPE_CHECKING:`` imports, which
never run, do not).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.imports import PACKAGE, import_statements, module_name, strongly_connected

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
    "peerkit.group_view": 0,
    "peerkit.group_rules": 0,
    # the Jupyter server's save hook (jupyter_server_config.py): which notebooks are the course's, stripped of outputs
    "peerkit.jupyter_hooks": 0,
    "peerkit.cohort": 0,
    "peerkit.store": 1,
    "peerkit.saving": 1,
    "peerkit.course_progress": 1,
    "peerkit.reference": 1,
    "peerkit.client": 2,
    "peerkit.portfolio_io": 2,
    "peerkit.charts": 3,
    "peerkit.charts_html": 3,
    "peerkit.charts_text": 3,
    "peerkit.figures": 3,
    "peerkit.goal_views": 3,
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
                "peerkit.research", "peerkit.course",
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


def _resolve(name: str) -> str:
    """``peerkit.widgets.smart_goal.GOAL_ID`` -> ``peerkit.widgets.smart_goal`` (the module imported)."""
    while name.count("."):
        as_path = PACKAGE.parent / name.replace(".", "/")
        if as_path.with_suffix(".py").is_file() or as_path.is_dir():
            return name
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(path: Path, *, type_checking: bool = True) -> list[tuple[int, str]]:
    """``(line, module)`` for every peerkit module that ``path`` imports, anywhere in it.

    ``type_checking=False`` leaves out the imports under ``if TYPE_CHECKING:``, which never run.
    """
    found = [(line, _resolve(module if name is None else f"{module}.{name}"))
             for line, module, name in import_statements(path, type_checking=type_checking)]
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


def import_graph(*, packages: bool = False) -> dict[str, set[str]]:
    """module -> the modules it imports (deferred imports included; ``TYPE_CHECKING`` ones, which never run, not).

    A module importing its own package's ``__init__`` is no arrow: a package's ``__init__`` is loaded
    before its modules anyway. With ``packages``, modules are merged into their top-level piece of
    peerkit (``peerkit.client.sender`` -> ``peerkit.client``), so two subpackages that import each other
    show as a cycle even when no single module does.
    """
    def node(name: str) -> str:
        return ".".join(name.split(".")[:2]) if packages else name

    graph: dict[str, set[str]] = {}
    for path in modules():
        module = module_name(path)
        graph.setdefault(node(module), set()).update(
            node(imported) for _, imported in imports_of(path, type_checking=False)
            if imported != module and not module.startswith(imported + ".") and node(imported) != node(module))
    return graph


def import_cycles(*, packages: bool = False) -> list[list[str]]:
    """Every cycle in the import graph (see :func:`import_graph`), each strongly connected set once."""
    return strongly_connected(import_graph(packages=packages))


def _describe(cycles: list[list[str]], packages: bool) -> str:
    def node(name: str) -> str:
        return ".".join(name.split(".")[:2]) if packages else name

    described = []
    for component in cycles:
        arrows = [f"    {module_name(p)} -> {imported} (line {line})" for p in modules()
                  if node(module_name(p)) in component for line, imported in imports_of(p, type_checking=False)
                  if node(imported) in component and node(imported) != node(module_name(p))]
        described.append(" <-> ".join(component) + "\n" + "\n".join(dict.fromkeys(arrows)))
    return "\n".join(described)


def test_no_import_cycle_between_modules() -> None:
    cycles = import_cycles()
    assert not cycles, "Import cycles (a deferred import is still an arrow):\n" + _describe(cycles, False)


def test_no_import_cycle_between_subpackages() -> None:
    cycles = import_cycles(packages=True)
    assert not cycles, "Subpackages that import each other:\n" + _describe(cycles, True)


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
