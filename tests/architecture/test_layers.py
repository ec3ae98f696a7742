"""The import direction of app/'s layers, and that only the web layer knows the web framework.

    core  <-  sparql  <-  store  <-  kg  <-  rest, linked_data  <-  web  <-  cli

A module may import from its own layer and from layers to its left, never to its right; `rest` and
`linked_data` do not import each other. FastAPI, Starlette and uvicorn are imported by `app.web` only,
so the core can be read, tested and reused without the web framework. No import cycles between modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
LAYERS = {"core": 0, "sparql": 1, "store": 2, "kg": 3, "rest": 4, "linked_data": 4, "web": 5, "cli": 6}
WEB_FRAMEWORKS = ("fastapi", "starlette", "uvicorn")


def _module(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module `path` imports (at any depth of its code), with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:  # `from app.rest import models` imports the module app.rest.models
                candidate = f"{base}.{alias.name}"
                yield (candidate if (APP.parent / Path(*candidate.split("."))).with_suffix(".py").exists() else base), node.lineno


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


MODULES = {_module(p): p for p in sorted(APP.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    here = _layer(module)
    wrong = []
    for imported, line in _imports(MODULES[module]):
        there = _layer(imported)
        if imported.split(".")[0] in WEB_FRAMEWORKS and here not in ("web",):
            wrong.append(f"line {line}: {imported} (only app.web may import the web framework)")
        if here is None or there is None or here == there:
            continue
        if LAYERS[there] > LAYERS[here] or (LAYERS[there] == LAYERS[here]):
            wrong.append(f"line {line}: {imported} ({there} is not below {here})")
    assert not wrong, f"{module} imports against the layers:\n" + "\n".join(wrong)


def test_every_module_is_in_a_layer() -> None:
    loose = [m for m in MODULES if m not in ("app", "app.cli") and _layer(m) is None]
    assert loose == []


def test_no_import_cycles() -> None:
    graph = {m: {i for i, _ in _imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(graph[module]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_rule_catches_a_wrong_import(tmp_path: Path) -> None:
    """The checker itself: an upward import and a framework import in the core are reported."""
    source = "from app.web.app import create_app\nimport fastapi\n"
    tree = ast.parse(source)
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    froms = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert _layer(froms[0] or "") == "web" and LAYERS["web"] > LAYERS["core"]
    assert names[0] in WEB_FRAMEWORKS


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_within_the_package_are_relative(module: str) -> None:
    """The folder is app/ in the repository and installs as the `natokg` package (pyproject.toml), so no
    module may import `app.` by that name: it would fail in an installed wheel."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    absolute = [f"line {node.lineno}" for node in ast.walk(tree)
                if (isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "app")
                or (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "app" for a in node.names))]
    assert absolute == [], f"{module} imports app.* by name; use a relative import"
