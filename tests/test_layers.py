"""The architecture, checked by reading every import of every module in ``attncc/``.

The layers run one way (``attncc/targets/__init__.py`` states the rule for targets)::

    errors ← ir ← lowering ← targets ← cost_models ← search ← library ← compiler / cli / torch

Imports sit at the top of modules, except heavy or optional dependencies (a function may
import those on first use, so that ``import attncc`` stays cheap and works without them), and
the module graph has no cycles but one, listed below with its reason.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1] / "attncc"

#: Lowest first: a module may import its own layer and those below, never one above.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"attncc.errors", "attncc.jsonsafe", "attncc.cache", "attncc.version"}),
    frozenset({"attncc.ir"}),
    frozenset({"attncc.lowering", "attncc.variants"}),
    frozenset({"attncc.targets"}),
    frozenset({"attncc.cost_models"}),
    frozenset({"attncc.search"}),
    frozenset({"attncc.library"}),
    frozenset(
        {
            "attncc",
            "attncc.compiler",
            "attncc.cli",
            "attncc.cli_common",
            "attncc.cli_tune",
            "attncc.demo",
            "attncc.runtime",
            "attncc.torch",
        }
    ),
)

#: Imported inside functions on purpose: import cost or an optional runtime.
HEAVY = frozenset(
    {
        "tvm",
        "tvm_ffi",
        "triton",
        "torch",
        "xgboost",
        "wgpu",
        "optuna",
        "sqlalchemy",
        "scipy",
        "ml_dtypes",
        "matplotlib",
    }
    | {"rich"}  # reports of attncc.ir.analysis: the IR imports without a console library
)

TARGET_PACKAGES = ("attncc.targets.cpu", "attncc.targets.cuda", "attncc.targets.webgpu")
NEUTRAL = (
    "attncc.targets.base",
    "attncc.targets.pipeline",
    "attncc.targets.invoke",
    "attncc.targets.lowerings",
)

#: The one cycle: the printer dispatches on the node classes, and a node's text is the
#: printer's output (``Program.text``, ``str(expr)``): the nodes import it when printing.
ALLOWED_CYCLE = ("attncc.ir.nodes", "attncc.ir.printer")


def _modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The attncc module an import names (``from attncc.ir import nodes`` → ``attncc.ir.nodes``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module imported, line, inside a function) for every import in the file."""
    tree = ast.parse(path.read_text())
    nested: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested.update(id(n) for n in ast.walk(fn))
    found = []
    for node in ast.walk(tree):
        inside = id(node) in nested
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, inside) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.startswith("attncc"):
                # ``from attncc.ir import nodes``: the submodule where there is one
                found += [
                    (_resolve(f"{node.module}.{a.name}") or node.module, node.lineno, inside)
                    for a in node.names
                ]
            else:
                found.append((node.module, node.lineno, inside))
    return found


def edges() -> list[tuple[str, str, int, bool]]:
    """(importer, imported attncc module, line, inside a function) over all of ``attncc/``."""
    out = []
    for name, path in MODULES.items():
        for imported, line, inside in imports(path):
            target = _resolve(imported) if imported.startswith("attncc") else None
            if target and target != name:
                out.append((name, target, line, inside))
    return out


def layer(module: str) -> int:
    best, rank = "", None
    for i, members in enumerate(LAYERS):
        for prefix in members:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, i
    if rank is None:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")
    return rank


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_every_module_has_a_layer():
    for name in MODULES:
        layer(name)


def test_layers_run_one_way():
    wrong = [
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)}) at line {line}"
        for a, b, line, _ in edges()
        if layer(b) > layer(a)
    ]
    assert wrong == []


def test_the_lowering_core_imports_the_ir_only():
    wrong = [
        f"{a}:{line} imports {b}"
        for a, b, line, _ in edges()
        if _under(a, "attncc.lowering")
        and not any(_under(b, p) for p in ("attncc.ir", "attncc.errors", "attncc.lowering"))
    ]
    assert wrong == []


def test_targets_never_import_each_other():
    wrong = []
    for a, b, line, _ in edges():
        mine = next((p for p in TARGET_PACKAGES if _under(a, p)), None)
        theirs = next((p for p in TARGET_PACKAGES if _under(b, p)), None)
        if theirs and mine != theirs and (mine or _under(a, "attncc.targets")):
            wrong.append(f"{a}:{line} imports {b}")  # another target, or tvm/ or base a target
        if any(_under(a, n) for n in NEUTRAL) and _under(b, "attncc.targets.tvm"):
            wrong.append(f"{a}:{line} imports {b} (the neutral layer is not TVM's)")
        if _under(a, "attncc.targets.cuda") and _under(b, "attncc.targets.tvm"):
            wrong.append(f"{a}:{line} imports {b} (cuda is not built on TVM)")
    assert wrong == []


def test_imports_sit_at_the_top_except_heavy_dependencies():
    wrong = []
    for name, path in MODULES.items():
        for imported, line, inside in imports(path):
            if not inside or imported.split(".")[0] in HEAVY:
                continue
            if (name, _resolve(imported)) == ALLOWED_CYCLE:
                continue
            wrong.append(f"{path.relative_to(ROOT.parent)}:{line} imports {imported}")
    assert wrong == []


def test_no_import_cycles_but_the_printers():
    graph = nx.DiGraph((a, b) for a, b, _, _ in edges())
    assert graph.has_edge(*ALLOWED_CYCLE)  # the checker sees imports inside functions
    graph.remove_edge(*ALLOWED_CYCLE)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from attncc.search.tuner import best_config\n", ("attncc.search.tuner", False)),
        ("def f():\n    from attncc.ir import nodes\n", ("attncc.ir.nodes", True)),
        ("import attncc.targets.cpu.flash\n", ("attncc.targets.cpu.flash", False)),
    ],
)
def test_the_checker_reads_imports(tmp_path, source, expected):
    """The reader itself: a planted import is found where it is, top level or nested."""
    path = tmp_path / "planted.py"
    path.write_text(source)
    ((imported, line, inside),) = imports(path)
    assert (_resolve(imported), inside) == expected and line >= 1


def test_a_planted_upward_import_is_caught():
    """An ``ir`` module importing the tuner is the kind of edge the layer test rejects."""
    assert layer("attncc.search.tuner") > layer("attncc.ir.nodes")
    assert layer("attncc.targets.cpu.fused") > layer("attncc.lowering.plan")


if __name__ == "__main__":  # print the module graph's layer counts
    for name in MODULES:
        print(layer(name), name, file=sys.stdout)
