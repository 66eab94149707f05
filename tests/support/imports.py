"""Reading peerkit's imports with :mod:`ast`, for the import tests (``tests/test_import_graph.py``, the layers and
cycles of the whole package, and ``tests/server/test_imports.py``, the server's own modules).

Every import in a file counts, one inside a function too (a deferred import is still an arrow); the callers
decide what to do with the ones under ``if TYPE_CHECKING:``, which never run.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "peerkit"


def module_name(path: Path) -> str:
    """``peerkit/server/routes/__init__.py`` -> ``peerkit.server.routes``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:`` (read by type checkers, never run)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(child) for statement in node.body for child in ast.walk(statement))
    return inside


def import_statements(path: Path, *, type_checking: bool = True) -> list[tuple[int, str, str | None]]:
    """``(line, module, name)`` for every import in ``path``, relative ones made absolute.

    ``import a.b`` gives ``(line, "a.b", None)``; ``from a import b, c`` gives ``(line, "a", "b")`` and
    ``(line, "a", "c")`` (``b`` may be a module or a name in ``a``: the caller tells them apart).
    ``type_checking=False`` leaves out the imports under ``if TYPE_CHECKING:``.
    """
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = set() if type_checking else _type_checking_only(tree)
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found += [(node.lineno, origin, alias.name) for alias in node.names]
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one node (Tarjan), each sorted, the groups sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)
