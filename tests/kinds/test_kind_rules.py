"""One rule per exercise kind: no module outside ``peerkit/kinds/`` names a kind to decide something.

Every module under ``peerkit/`` (but the kinds themselves, and ``peerkit/server/``, which has its own
check) is read with :mod:`ast`. It may not:

- compare something holding a kind (``x.kind``, ``x["kind"]``, a variable called ``kind``) with a kind's
  name or a collection of kind names (``definition.kind == "reflection"``, ``kind in {"rating", ...}``);
- keep a table of kind names: a set, tuple, list or ``frozenset(...)`` holding a kind's name, or a dict
  keyed by one (``CHOICE_KINDS = frozenset({"choice_matrix", ...})``);
- keep a copy of the registry at module level (``X = {k.name: ... for k in all_kinds()}``): a second table
  that drifts from the kinds it was copied from, and invites ``kind in X``.

Such code asks :func:`peerkit.kinds.kind_of` for the fact instead (``chart_style``, ``share_per_answer``,
``learner_items``, ``open_text``, ...), so that a new kind is one module, not a hunt through the package.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from peerkit.kinds import kind_names

PACKAGE = Path(__file__).resolve().parents[2] / "peerkit"
#: the one folder whose modules may name kinds: the registry itself
EXEMPT = ("kinds",)
KIND_NAMES = frozenset(kind_names())


def _is_kind_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in KIND_NAMES


def _holds_kind_names(node: ast.AST) -> bool:
    """A literal collection (or ``set(...)``/``frozenset(...)`` of one) with a kind's name in it: one is enough,
    for a word that is also a kind's name (a screen, a field) invites the kind's test and reads as one."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"set", "frozenset"}:
        return any(_holds_kind_names(arg) for arg in node.args)
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        return any(_is_kind_name(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return any(key is not None and _is_kind_name(key) for key in node.keys)
    return False


def _holds_a_kind(node: ast.AST) -> bool:
    """``x.kind``, ``x["kind"]``, ``kind``, ``kind_of(x).name``: something whose value is a kind's name."""
    if isinstance(node, ast.Attribute):
        return node.attr == "kind" or (node.attr == "name" and _holds_a_kind(node.value))
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "kind"
    if isinstance(node, ast.Name):
        return node.id == "kind" or node.id.endswith("_kind")
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "kind_of"
    return False


def _copies_the_registry(node: ast.AST) -> bool:
    """A comprehension over ``all_kinds()``."""
    return isinstance(node, (ast.SetComp, ast.DictComp, ast.ListComp, ast.GeneratorExp)) and any(
        isinstance(g.iter, ast.Call) and isinstance(g.iter.func, ast.Name) and g.iter.func.id == "all_kinds"
        for g in node.generators)


def registry_copies_in(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` for every module-level name bound to a copy of the registry."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and any(
                _copies_the_registry(part) for part in ast.walk(node.value)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [(node.lineno, ast.unparse(target)) for target in targets]
    return found


def kind_tests_in(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` for every comparison with, or table of, kind names in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_holds_a_kind(side) for side in sides) and any(
                    _is_kind_name(side) or _holds_kind_names(side) for side in sides):
                found.append((node.lineno, ast.unparse(node)))
        elif _holds_kind_names(node) and not isinstance(node, ast.Call):
            found.append((node.lineno, ast.unparse(node)))
    return sorted(set(found))


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if path.relative_to(PACKAGE).parts[0] not in EXEMPT)


def test_no_module_outside_the_kinds_decides_by_a_kind_name() -> None:
    problems = [f"{path.relative_to(PACKAGE.parent)}:{line}: {code}"
                for path in modules()
                for line, code in kind_tests_in(path.read_text(encoding="utf-8"))]
    assert not problems, ("Ask peerkit.kinds.kind_of(...) for the fact instead of naming kinds:\n"
                          + "\n".join(problems))


def test_no_module_outside_the_kinds_keeps_a_copy_of_the_registry() -> None:
    problems = []
    for path in modules():
        where = str(path.relative_to(PACKAGE.parent))
        problems += [f"{where}:{line}: {name}" for line, name in registry_copies_in(path.read_text(encoding="utf-8"))]
    assert not problems, "Ask peerkit.kinds.kind_of(...) when it is needed instead:\n" + "\n".join(problems)


def test_the_reader_sees_a_copy_of_the_registry() -> None:
    assert registry_copies_in("WIDGETS = {k.name: k.widget for k in all_kinds()}\n") == [(1, "WIDGETS")]
    assert registry_copies_in("NAMES = frozenset(k.name for k in all_kinds() if k.open_text)\n") == [(1, "NAMES")]
    assert not registry_copies_in("def f():\n    return {k.item_pattern for k in all_kinds()}\n")


@pytest.mark.parametrize("source", [
    'if definition.kind == "reflection":\n    pass\n',
    'ok = info.kind != "smart_goal"\n',
    'ok = record["kind"] in COUNTED\n' 'COUNTED = ("choice_matrix", "rating")\n',
    'CHOICE_KINDS = frozenset({"choice_matrix", "knowledge_check"})\n',
    'PATTERNS = {"smart_goal": "^G-"}\n',
    'PATTERNS = {"smart_goal": "^G-", "reflection": "^R"}\n',
    'SCREENS = ("join", "chart", "poll", "wall", "scenario")\n',  # one kind's name among other words
    'state = {"screen": "join", "scenario": None}\n',
    'ok = kind in {"rating"}\n',
    'ok = kind_of(x).name == "rating"\n',
])
def test_the_reader_sees_every_form_of_kind_test(source: str) -> None:
    # the checker itself must see each form, or the test above could never fail
    assert kind_tests_in(source)


@pytest.mark.parametrize("source", [
    'ok = array.dtype.kind in "fiub"\n',        # numpy's kinds are not exercise kinds
    'ok = kind == "integer"\n',                 # nor are a table schema's field types
    'style = kind_of(definition).chart_style\n',
    'exercise = load_exercise("smart_goal")\n',  # an exercise id may be a kind's name too
])
def test_the_reader_leaves_other_code_alone(source: str) -> None:
    assert not kind_tests_in(source)
