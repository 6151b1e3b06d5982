"""The shape of the code, read from the source (module-level imports, from the AST).

(a) No import cycle between sim's modules. Imports inside a function ("lazy") run later and are
    allowed; the ones that would close a cycle if moved to the top are listed in LAZY_CYCLES.
(b) No private name (``_x``) imported from another module of sim: a name used elsewhere is public.
(c) The core (sim.read, sim.core, sim.results) never imports the views, the CLI, the wings
    (analysis, ledger, sweeps, roster), matplotlib or ipywidgets, not even lazily.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"
CORE = ("sim.read", "sim.core", "sim.results")
NOT_IN_CORE = ("sim.views", "sim.cli", "sim.analysis", "sim.ledger", "sim.sweeps", "sim.roster", "matplotlib", "ipywidgets")
# Lazy imports that would close a cycle if they were at the top of their module (importer, imported).
LAZY_CYCLES = {
    ("sim.ledger.store", "sim.ledger.replan"),  # replan stores versions; PlanVersion.allocation reads with replan.table_of
    ("sim.roster.assign", "sim.roster.export"),  # export writes an Assignment; Assignment.write calls export
}


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # the module imported (``from m import name`` of a non-module name: m)
    names: tuple[str, ...]  # names taken with ``from m import ...``
    line: int
    lazy: bool  # inside a function

    def __str__(self) -> str:
        path = _path(self.importer).relative_to(ROOT)
        taken = f" ({', '.join(self.names)})" if self.names else ""
        return f"{path}:{self.line}: {self.importer} imports {self.target}{taken}"


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _path(module: str) -> Path:
    return MODULES[module]


def _imports(module: str) -> list[Import]:
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Import(module, a.name, (), child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                assert child.level == 0, f"{module}: relative import; sim's imports are absolute"
                modules = [f"{child.module}.{a.name}" for a in child.names if f"{child.module}.{a.name}" in MODULES]
                names = tuple(a.name for a in child.names if f"{child.module}.{a.name}" not in MODULES)
                found.extend(Import(module, m, (), child.lineno, lazy) for m in modules)
                if names:
                    found.append(Import(module, child.module, names, child.lineno, lazy))
            visit(child, inner)

    visit(tree, False)
    return found


IMPORTS = [i for m in MODULES for i in _imports(m)]


def _ours(target: str) -> str | None:
    """The module of sim that ``target`` names (itself or the package holding it), else None."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _edges(lazy: bool) -> dict[str, set[str]]:
    """importer -> modules of sim it runs: the target and the packages above it that the importer is not in."""
    graph = {m: set() for m in MODULES}
    for i in IMPORTS:
        target = _ours(i.target)
        if i.lazy != lazy or target is None:
            continue
        parts = target.split(".")
        for n in range(1, len(parts) + 1):
            run = ".".join(parts[:n])
            if run in MODULES and run != i.importer and not i.importer.startswith(run + "."):
                graph[i.importer].add(run)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted; sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph[v]:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(groups)


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        v = todo.pop()
        if v == goal:
            return True
        todo.extend(w for w in graph[v] if w not in seen)
        seen.update(graph[v])
    return False


def test_the_source_is_read():
    assert {"sim", "sim.core.rules", "sim.core.pipeline", "sim.results.write", "sim.cli.main"} <= set(MODULES)
    assert any(i.lazy for i in IMPORTS) and any(not i.lazy for i in IMPORTS)


def test_no_import_cycles_between_modules():
    assert _cycles(_edges(lazy=False)) == []


def test_lazy_imports_that_would_close_a_cycle_are_listed():
    top = _edges(lazy=False)
    closing = {(i.importer, _ours(i.target)) for i in IMPORTS
               if i.lazy and _ours(i.target) not in (None, i.importer) and _reaches(top, _ours(i.target), i.importer)}
    unlisted = sorted(closing - LAZY_CYCLES)
    assert unlisted == [], "lazy imports that hide a cycle; untangle them or list them in LAZY_CYCLES: " + str(unlisted)


def test_no_private_name_is_imported_from_another_module():
    offenders = [f"{i}: private {', '.join(n for n in i.names if n.startswith('_'))}" for i in IMPORTS
                 if _ours(i.target) not in (None, i.importer) and any(n.startswith("_") for n in i.names)]
    assert offenders == [], "private names imported from another module of sim:\n" + "\n".join(offenders)


def test_the_core_imports_neither_views_cli_wings_nor_plotting():
    offenders = [str(i) for i in IMPORTS if i.importer.startswith(CORE)
                 and any(i.target == f or i.target.startswith(f + ".") for f in NOT_IN_CORE)]
    assert offenders == [], "the core (sim.read, sim.core, sim.results) imports outside itself:\n" + "\n".join(offenders)
