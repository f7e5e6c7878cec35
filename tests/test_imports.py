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


RACE = """
import sys, threading, time
from twolayer import threads
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
