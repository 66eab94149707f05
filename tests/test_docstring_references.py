"""Every ``:mod:``, ``:func:``, ``:class:``, ``:meth:``, ``:attr:``, ``:data:``, ``:exc:`` reference in a docstring
under ``peerkit/`` names something that exists.

A reference is resolved as Sphinx would: as written (``peerkit.x.y``), then relative to the class it sits in, the
module, the module's package and the builtins. A docstring that names a module or function that was moved or deleted
misleads the next reader, so it fails here (issue 17 found several citing a module ``.answers`` that never existed).
"""
from __future__ import annotations

import ast
import builtins
import importlib
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "peerkit"
ROLE = re.compile(r":(?:py:)?(mod|func|class|meth|attr|data|obj|exc):`!?~?([^`<]+?)(?:\s*<([^>]+)>)?`")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def references() -> list[tuple[str, int, str, str]]:
    """``(module, line, enclosing class or '', target)`` for every role reference in every docstring."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

        def visit(node: ast.AST, owner: str) -> None:
            inner = owner
            if isinstance(node, ast.ClassDef):  # a class's own docstring speaks from inside the class
                inner = f"{owner}.{node.name}" if owner else node.name
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    line = node.body[0].lineno if node.body else getattr(node, "lineno", 1)
                    for _, written, explicit in ROLE.findall(doc):
                        found.append((module, line, inner, (explicit or written).strip().removesuffix("()")))
            for child in ast.iter_child_nodes(node):
                visit(child, inner)

        visit(tree, "")
    return found


def _lookup(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if isinstance(obj, type) and attribute in getattr(obj, "__annotations__", {}):
                obj = None  # a dataclass field or annotated attribute: it exists, with no class attribute
                continue
            if obj is None or not hasattr(obj, attribute):
                return _annotated(obj, parts[cut:]) if obj is not None else True
            obj = getattr(obj, attribute)
        return True
    return False


def _annotated(obj: object, rest: list[str]) -> bool:
    """``Class.field`` where ``field`` is only annotated (a dataclass field with no default, a NamedTuple field)."""
    for attribute in rest:
        annotations = {}
        for klass in getattr(obj, "__mro__", [type(obj)]):
            annotations.update(getattr(klass, "__annotations__", {}))
        if attribute not in annotations:
            return False
        obj = None
    return True


def resolves(module: str, owner: str, target: str) -> bool:
    if target.startswith("."):
        target = target.lstrip(".")
    if hasattr(builtins, target.split(".")[0]) and _lookup("builtins." + target):
        return True
    package = module.rsplit(".", 1)[0]
    candidates = [target]
    if owner:
        candidates.append(f"{module}.{owner}.{target}")
    candidates += [f"{module}.{target}", f"{package}.{target}", f"peerkit.{target}"]
    return any(_lookup(candidate) for candidate in candidates)


def test_the_docstrings_cite_references() -> None:
    # the reader below must see the references at all, or the test after it could never fail
    assert len(references()) > 100


def test_every_docstring_reference_resolves() -> None:
    broken = [f"{module} (line {line}): {target}" for module, line, owner, target in references()
              if not resolves(module, owner, target)]
    assert not broken, "These docstring references name nothing that exists:\n" + "\n".join(broken)


@pytest.mark.parametrize(("target", "expected"), [
    ("peerkit.privacy.too_few", True),
    ("peerkit.answers_that_never_were", False),
    ("ValueError", True),
])
def test_the_resolver_tells_real_from_missing(target: str, expected: bool) -> None:
    assert resolves("peerkit.privacy", "", target) is expected
