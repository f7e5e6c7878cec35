"""The package stays light and its layers import one way."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_import_twolayer_loads_neither_torch_nor_streamlit_nor_plotly():
    code = ("import sys, twolayer\n"
            "print(sorted(m for m in ('torch', 'streamlit', 'plotly') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.ImportFrom):  # from . import name
            yield from (alias.name for alias in node.names)


def test_core_never_imports_streamlit():
    core = [p for p in (ROOT / "twolayer").rglob("*.py") if "ui" not in p.relative_to(ROOT).parts]
    assert core
    offenders = [str(p) for p in core if any(m.split(".")[0] == "streamlit" for m in _imports(p))]
    assert offenders == []


def test_torch_is_imported_only_inside_functions():
    # A top-level `import torch` anywhere in the core would make `import twolayer` heavy.
    for path in (ROOT / "twolayer").rglob("*.py"):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        assert "torch" not in names, path


def test_core_never_imports_the_ui_layer():
    core = [p for p in (ROOT / "twolayer").rglob("*.py") if "ui" not in p.relative_to(ROOT).parts]
    offenders = [str(p) for p in core
                 if any(m in ("ui", "twolayer.ui") or m.startswith(("ui.", "twolayer.ui."))
                        for m in _imports(p))]
    assert offenders == []


# --- The layout: the lesson at the top, a subpackage per capability -----------------------

CORE = ("twolayer", "twolayer.config", "twolayer.loss", "twolayer.manual", "twolayer.autograd",
        "twolayer.training", "twolayer.methods", "twolayer.variants", "twolayer.tasks",
        "twolayer.data")
EXPLORERS = ("twolayer.graph", "twolayer.lockstep", "twolayer.exercise", "twolayer.question")
CAPABILITIES = (*EXPLORERS, "twolayer.grading", "twolayer.checking", "twolayer.outputs",
                "twolayer.serving")


def _module(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _within(module: str, packages) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def import_graph() -> dict[str, set[str]]:
    """Each module of the package, and the package's modules it imports (relative imports
    resolved, imports inside functions too)."""
    paths = {_module(p): p for p in (ROOT / "twolayer").rglob("*.py")}
    graph = {}
    for module, path in paths.items():
        base = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                parts = base.split(".")
                target = ".".join(parts[: len(parts) - node.level + 1] +
                                  ([node.module] if node.module else [])) \
                    if node.level else node.module or ""
                found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in paths else target
                          for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[module] = {m for m in found if m in paths and m != module}
    return graph


def test_the_core_imports_only_the_core():
    graph = import_graph()
    offenders = {m: sorted(t for t in targets if not _within(t, CORE))
                 for m, targets in graph.items() if _within(m, CORE) and m != "twolayer"}
    assert {m: t for m, t in offenders.items() if t} == {}
    assert all(_within(t, CORE) for t in graph["twolayer"])


def test_explorers_never_import_each_other():
    graph = import_graph()
    crossings = [(m, t) for m, targets in graph.items() for t in targets
                 for a in EXPLORERS for b in EXPLORERS
                 if a != b and _within(m, (a,)) and _within(t, (b,))]
    assert crossings == []


def test_capabilities_never_import_the_ui_nor_the_cli():
    graph = import_graph()
    offenders = [(m, t) for m, targets in graph.items() if _within(m, CAPABILITIES)
                 for t in targets if _within(t, ("twolayer.ui", "twolayer.cli"))]
    assert offenders == []


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path, module, target]
            if target not in state and (cycle := walk(target, [*path, module])):
                return cycle
        state[module] = 2
        return None

    cycles = [c for m in sorted(graph) if m not in state and (c := walk(m, []))]
    assert cycles == []


def test_ls_twolayer_is_a_map():
    """At most 12 modules at the top; the package and every subpackage open with a map
    that names each of their modules."""
    package = ROOT / "twolayer"
    top = sorted(p.stem for p in package.glob("*.py") if p.stem not in ("__init__",
                                                                          "__main__"))
    assert len(top) + 1 <= 12, top
    for init in [package / "__init__.py", *package.glob("*/__init__.py")]:
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        modules = [p.stem for p in init.parent.glob("*.py") if not p.stem.startswith("__")]
        if init.parent == package:
            modules = [m for m in modules if m != "cli"] + [
                p.name for p in package.iterdir() if (p / "__init__.py").exists()]
        missing = [m for m in modules if m not in doc]
        assert missing == [], (init, missing)


RACE = """
import sys, threading, time
from twolayer.serving import threads
threads.limit(1)
importer = threading.Thread(target=lambda: __import__("torch"))
importer.start()
while "torch" not in sys.modules:  # another session's thread is importing torch now
    time.sleep(0.0005)
half_made = not hasattr(sys.modules["torch"], "set_num_threads")
threads.enforce()
importer.join()
import torch
print(half_made, torch.get_num_threads())
"""


def test_the_thread_limit_waits_for_a_torch_import_under_way_elsewhere():
    """Two sessions: one imports torch while the other applies the thread limit."""
    out = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    half_made, count = out.stdout.split()
    assert count == "1"
    assert half_made == "True"  # the race was really there to lose
