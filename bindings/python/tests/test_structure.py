"""The package's modules import one another without a cycle (issue 23): each has one job and
depends only on the ones below it. Imports under ``if TYPE_CHECKING:`` are left out: they
exist for type checkers and never run."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

import hwinst

PACKAGE = Path(hwinst.__file__).resolve().parent


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> Set[str]:
    """The package's modules that ``path`` imports when it runs."""
    found: Set[str] = set()

    def visit(nodes: List[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _type_checking_only(node):
                visit(node.orelse)
                continue
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("hwinst."):
                        found.add(alias.name.split(".")[1])
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(ast.parse(path.read_text(), str(path)).body)
    return found


def graph() -> Dict[str, Set[str]]:
    return {p.stem: imports_of(p) for p in sorted(PACKAGE.glob("*.py"))}


def cycle(edges: Dict[str, Set[str]]) -> List[str]:
    """One import cycle, as the modules along it, or [] when there is none."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def walk(module: str) -> List[str]:
        state[module] = 1
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = walk(target)
                if found:
                    return found
        path.pop()
        state[module] = 2
        return []

    for module in sorted(edges):
        if module not in state:
            found = walk(module)
            if found:
                return found
    return []


def test_the_package_has_no_import_cycle() -> None:
    edges = graph()
    assert {"_client", "_wait", "_cancel", "_args", "_lib"} <= set(edges)
    assert cycle(edges) == [], " -> ".join(cycle(edges))


def test_the_cycle_finder_finds_one() -> None:
    edges = graph()
    edges["_lib"] = edges["_lib"] | {"_client"}  # _client imports _lib: a cycle
    assert cycle(edges)[0] == cycle(edges)[-1]
    assert "_lib" in cycle(edges) and "_client" in cycle(edges)


def test_the_wait_machinery_and_paging_rules_are_not_in_the_client() -> None:
    client = (PACKAGE / "_client.py").read_text()
    for word in ("queue", "SimpleQueue", "atexit", "class CancelToken"):
        assert word not in client, word
