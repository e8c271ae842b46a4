"""The layers hold: no import cycles among the project's modules, and imports point down.

Every module of ``app``, ``graph``, ``loaders`` and ``queries`` is parsed (not imported) and every import
it makes counts, wherever it is written: at the top, inside a function, or under ``TYPE_CHECKING``. A
cycle hidden in a function body still ties two modules together; one under ``TYPE_CHECKING`` still makes
them impossible to understand one at a time.

The layers, lowest first (see ARCHITECTURE.md): ``graph`` imports only itself; ``loaders`` and ``queries``
each import ``graph`` and themselves, never each other; ``app`` may import anything. Only
``graph/neo4j_store.py`` (with its layout ``neo4j_schema`` and writer ``neo4j_writer``) talks to Neo4j.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from pathlib import Path

import networkx as nx
import pytest

# The repository: the folder above this file that holds pyproject.toml, wherever the tests are grouped.
ROOT = next(folder for folder in Path(__file__).resolve().parents if (folder / "pyproject.toml").exists())
PACKAGES = ("app", "graph", "loaders", "queries")
# What each package may import of the project; its own modules are always allowed.
ALLOWED = {
    "graph": {"graph"},
    "loaders": {"graph", "loaders"},
    "queries": {"graph", "queries"},
    "app": set(PACKAGES),
}
# The Neo4j store and the modules it is split into (its layout, its batched writer).
NEO4J_MODULES = {"graph.neo4j_store", "graph.neo4j_schema", "graph.neo4j_writer"}
# Within app: the views draw pictures for both the API and the CLI, so they know neither (no HTTP, no
# exit codes; ``app.views.errors`` is theirs), and nothing but the CLI itself imports the CLI.
VIEWS_MAY_IMPORT = {"app.views", "app.output"}
WEB = {"fastapi", "starlette", "uvicorn", "pydantic"}


def inside(module: str, package: str) -> bool:
    """``module`` is ``package`` or one of its submodules (``app.views.icb`` is in ``app.views``, not in ``app.v``)."""
    return module == package or module.startswith(package + ".")


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module under ``packages``, by dotted name (a package by its ``__init__.py``)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(module: str, path: Path) -> list[tuple[str, str | None]]:
    """Every import in ``module``'s source, anywhere in it: ``(name, None)`` for ``import name``,
    ``(name, attribute)`` for ``from name import attribute``, relative names made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(base, alias.name) for alias in node.names]
    return found


def resolve(name: str, attribute: str | None, modules: Collection[str]) -> str | None:
    """The project module an import loads: ``from a import b`` loads module ``a.b`` when there is one,
    else ``a`` (``b`` is a name defined in it); ``import a.b.c`` the deepest of those that is a module."""
    if attribute is not None and f"{name}.{attribute}" in modules:
        return f"{name}.{attribute}"
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def import_graph(root: Path, packages: Iterable[str]) -> nx.DiGraph:
    """Modules as nodes, an edge from each module to every project module it imports.

    Parent packages a module's import runs on the way (``a/__init__.py`` for ``a.b``) are not edges:
    a package that gathers its submodules would otherwise be a cycle with each of them.
    """
    files = module_files(root, packages)
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for module, path in files.items():
        for name, attribute in imports(module, path):
            target = resolve(name, attribute, files)
            if target is not None and target != module:
                graph.add_edge(module, target)
    return graph


def cycle_in(graph: nx.DiGraph) -> list[str] | None:
    """One import cycle as the modules along it, or None when there is none."""
    try:
        edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [source for source, _ in edges] + [edges[0][0]]


def layer_breaks(graph: nx.DiGraph, allowed: Mapping[str, set[str]]) -> list[str]:
    """Each import that points from a package to one it may not import."""
    breaks = []
    for source, target in sorted(graph.edges):
        if target.split(".")[0] not in allowed[source.split(".")[0]]:
            breaks.append(f"{source} imports {target}")
    return breaks


@cache
def project() -> nx.DiGraph:
    """The project's import graph, parsed once for all the tests here."""
    return import_graph(ROOT, PACKAGES)


def test_no_import_cycles() -> None:
    cycle = cycle_in(project())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_imports_point_down_the_layers() -> None:
    assert layer_breaks(project(), ALLOWED) == []


def test_only_the_neo4j_store_imports_neo4j() -> None:
    files = module_files(ROOT, PACKAGES)
    users = {
        module for module, path in files.items() if any(n.split(".")[0] == "neo4j" for n, _ in imports(module, path))
    }
    assert users == NEO4J_MODULES


def test_views_know_neither_the_api_nor_the_cli() -> None:
    graph = project()
    wrong = [
        f"{source} imports {target}"
        for source, target in sorted(graph.edges)
        if (
            inside(source, "app.views")
            and inside(target, "app")
            and not any(inside(target, p) for p in VIEWS_MAY_IMPORT)
        )
        or (inside(target, "app.cli") and not inside(source, "app.cli"))
    ]
    assert wrong == []
    files = module_files(ROOT, PACKAGES)
    web = {module for module, path in files.items() if any(n.split(".")[0] in WEB for n, _ in imports(module, path))}
    assert web and all(inside(module, "app") and not inside(module, "app.views") for module in web), web


def test_the_graph_is_read_as_written() -> None:
    """The finder sees what the layers rely on: edges that exist today, through each form of import."""
    graph = project()
    assert graph.has_edge("graph.memory", "graph.view")  # from graph.view import GraphView
    assert graph.has_edge("app.cli", "app.cli.check")  # from app.cli import check (a submodule)
    assert graph.has_edge("app.cli.serve", "app.main")  # imported inside a function
    assert graph.has_edge("queries.registry", "graph.view")  # imported under TYPE_CHECKING
    assert graph.has_edge("app.cli", "queries")  # import queries (the package)
    assert graph.has_edge("app.cli", "app.cli.common")  # from app.cli.common import UserError (a name in it)
    assert "app.cli.common.UserError" not in graph


def test_the_architecture_map_names_files_that_exist() -> None:
    """ARCHITECTURE.md points newcomers at files to copy: a renamed or removed one fails here."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:app|graph|loaders|queries|tests)/[\w/.]*)`", text))
    assert {"queries/headline.py", "app/routers/checks.py", "tests/unit/test_layers.py"} <= named
    assert sorted(path for path in named if not (ROOT / path).exists()) == []
    assert all(f"`{package}/`" in text for package in PACKAGES)


TOY = {
    "pkg/__init__.py": "",
    "pkg/low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.high import High\n",
    "pkg/high.py": "def make():\n    from pkg import low\n    return low\n",
    "pkg/other.py": "import pkg.low\nfrom . import high\n",
}


def write_toy(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_cycle_through_type_checking_and_a_function_body_is_found(tmp_path: Path) -> None:
    write_toy(tmp_path, TOY)
    graph = import_graph(tmp_path, ["pkg"])
    assert set(graph.edges) == {
        ("pkg.low", "pkg.high"),
        ("pkg.high", "pkg.low"),
        ("pkg.other", "pkg.low"),
        ("pkg.other", "pkg.high"),
    }
    cycle = cycle_in(graph)
    assert cycle is not None and set(cycle) == {"pkg.low", "pkg.high"} and cycle[0] == cycle[-1]


def test_no_cycle_once_the_loop_is_broken(tmp_path: Path) -> None:
    write_toy(tmp_path, {**TOY, "pkg/high.py": "import json\n"})
    assert cycle_in(import_graph(tmp_path, ["pkg"])) is None


@pytest.mark.parametrize(
    ("source", "target", "broken"),
    [
        ("graph.model", "loaders.table", True),
        ("queries.flows", "app.output", True),
        ("loaders.ods", "queries.flows", True),
        ("app.cli", "graph.model", False),
        ("loaders.ods", "graph.model", False),
    ],
)
def test_a_layer_break_is_reported(source: str, target: str, broken: bool) -> None:
    graph = nx.DiGraph([(source, target)])
    assert layer_breaks(graph, ALLOWED) == ([f"{source} imports {target}"] if broken else [])
