"""The import-layer contract (issue 19): commentkit's packages form layers; a module imports only
from its own package or from packages below it, and no module takes part in an import cycle.

Every import statement counts, also those inside functions (that is how cycles used to hide).
The layers, bottom to top, are documented in docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "commentkit"

LAYERS: list[set[str]] = [
    {"errors", "__init__", "__main__"},
    {"files"},
    {"models"},
    {"calendar", "ooxml"},
    {"dockets"},
    {"questionnaire"},
    {"project"},
    {"letter"},
    {"association"},
    {"build"},
    {"filing", "roundtrip"},
    {"cli", "web"},
]
# __main__ runs the CLI: it is the one module allowed to import the top layer from the bottom.
ALLOWED_UPWARD = {("commentkit.__main__", "commentkit.cli")}


def _modules() -> dict[str, Path]:
    mods = {}
    for p in PKG.rglob("*.py"):
        parts = p.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = p
    return mods


def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        package = name if is_pkg else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in mods else mod for a in node.names]
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t.startswith("commentkit") and t != name and t != "commentkit":
                    graph[name].add(t)
    return graph


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module}: its package {top!r} is in no layer (add it to LAYERS and docs/architecture.md)")


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_package_has_a_layer():
    for m in import_graph():
        _layer(m)


def test_no_module_imports_a_higher_layer_or_a_sibling_package():
    bad = []
    for mod, deps in import_graph().items():
        for d in deps:
            if (mod, d) in ALLOWED_UPWARD or _package(mod) == _package(d):
                continue
            if _layer(d) >= _layer(mod):
                bad.append(f"{mod} -> {d}")
    assert not bad, "imports that run upward or sideways:\n" + "\n".join(sorted(bad))


def test_no_import_cycles():
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_imports_inside_functions_say_why_they_are_lazy():
    """Imports belong at the top of a module. The few that stay inside a function (heavy libraries a
    light command must not load, platform-only modules) carry a ``# lazy: reason`` comment."""
    bare = []
    for path in sorted(PKG.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    text = " ".join(lines[node.lineno - 1: node.end_lineno])
                    if "# lazy:" not in text:
                        bare.append(f"{path.relative_to(PKG.parent)}:{node.lineno}: {text.strip()}")
    assert not bare, "imports inside functions without a '# lazy: reason':\n" + "\n".join(bare)
