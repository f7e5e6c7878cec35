"""The checker's stated bounds, measured: a file's check takes at most 1 GiB of memory above
the process's base and 10 s of CPU, whatever it holds, and writes nothing.

Each run is a child process (tests/limits_child.py) with a memory limit and a CPU limit
of its own, grading the attacks of the issue "The checker trusts its input" as files, then
fuzzed attempts and files: every blank must end with a status, never the checker's own
failure, within the bounds.
"""

import json
import pathlib
import subprocess
import sys

import pytest

from twolayer.exercise import BLANKS

pytestmark = pytest.mark.slow  # child processes under memory and CPU limits

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = (ROOT / "tests" / "fixtures" / "assignment_answers.py").read_text(encoding="utf-8")
MEMORY_BOUND = 2**30
CPU_BOUND = 10.0

NEST = "a = (w1, w1, w1, w1)\n" + "a = (a, a, a, a)\n" * 5
HEAVY = "\n".join(["a = x.reshape(250, 256)"] + ["z = a.T @ a @ a.T @ a"] * 20)
ATTACKS = {  # name: {blank: lines}, each written into the assignment's answers as a file
    **{f"nested weights into np.{f}": {2: NEST + f"grad_w1 = np.{f}(a) * 0 + x.T @ "
                                               "((grad_y_pred @ w2.T) * (h > 0))"}
       for f in ("sum", "mean", "transpose", "maximum")},
    "nested weights into np.where": {2: NEST + "z = np.where(True, a, 0)"},
    "nested tensors in y_pred": {5: NEST.replace("w1", "x_tensor") +
                                 "y_pred = torch.relu(x_tensor @ w1) @ w2"},
    "a dtype with a shape": {2: "z = np.ones_like(x, dtype=(np.float64, (H, 60)))"},
    "a dtype with a shape, astype": {2: "z = x.astype((np.float64, (H, 60)))"},
    "a dtype with a shape, zeros_like": {5: "z = torch.zeros_like(x_tensor, dtype=(np.float64"
                                            ", (H, 60)))"},
    "object arrays of huge integers": {1: "z = np.where(True, (N - 1,), None) ** 8\n" +
                                          "z = z ** 8\n" * 6},
    "the heaviest lines in every blank": dict.fromkeys(range(1, 8), HEAVY),
    "a graph through views that grows every iteration": {
        4: BLANKS[3].answer + "\nc = torch.zeros(500, 512, dtype=torch.float64, "
                              "requires_grad=True)",
        5: BLANKS[4].answer + "\n" + "c = c.T.abs().abs().abs().abs()\n" * 3},
    "batched products with gradients": {
        5: BLANKS[4].answer + "\np = torch.zeros(256, 1, 1, 1000, dtype=torch.float64, "
                              "requires_grad=True)\nr = torch.zeros(1, 256, 1000, 1, "
                              "dtype=torch.float64, requires_grad=True)\nz = p @ r"},
    "integer products in y_pred, run again by its note": {
        5: BLANKS[4].answer + "\na = (x_tensor.reshape(256, 250) > 0) * 1\n" +
        "z = a.T @ a @ a.T @ a\n" * 6},
    "a graph that grows every iteration": {
        4: BLANKS[3].answer + "\nx_tensor.requires_grad_(True)\nchain = x_tensor.sum() * 0",
        6: "loss.backward()\nchain = chain + x_tensor.sum()\nchain.backward(retain_graph=True)"},
}


def as_file(blanks: dict[int, str]) -> str:
    text = FIXTURE
    for number, lines in blanks.items():
        blank = BLANKS[number - 1]
        answer = "\n".join(blank.indent + line for line in blank.answer.split("\n"))
        text = text.replace(answer, "\n".join(blank.indent + line for line in
                                              lines.split("\n")), 1)
    return text


def run_child(job: dict, timeout: float) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "limits_child.py")],
                          input=json.dumps(job), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def assert_within_bounds(result: dict) -> None:
    assert result["peak_above_base"] <= MEMORY_BOUND
    assert result["files_written"] == [] and result["root_changed"] == []
    assert result["modules_imported"] == []
    for report in result["reports"]:
        assert not report["internal"], report
        assert report["cpu"] <= CPU_BOUND, report


NOTEBOOKS = {  # name: bytes that are not a notebook, each costly to find out the naive way
    "unterminated escapes": b'{"cells": ["' + b'\\"' * 32_000,
    "unterminated escapes, 5 MB": b'{"cells": ["' + b'\\"' * (2_500_000),
    "nested deep": b"[" * 2_000_000 + b"]" * 2_000_000,
}


@pytest.mark.slow
def test_every_attack_is_graded_within_the_bounds_and_none_is_correct(tmp_path):
    paths = {}
    for name, blanks in ATTACKS.items():
        path = tmp_path / (name.replace(" ", "_").replace(",", "") + ".py")
        path.write_text(as_file(blanks), encoding="utf-8")
        paths[str(path)] = blanks
    notebooks = []
    for name, raw in NOTEBOOKS.items():
        notebooks.append(str(tmp_path / (name.replace(" ", "_").replace(",", "") + ".ipynb")))
        pathlib.Path(notebooks[-1]).write_bytes(raw)
    folder = tmp_path / "work"
    folder.mkdir()
    result = run_child({"files": list(paths) + notebooks, "attempts": 0, "mutations": 0,
                        "seed": 0, "folder": str(folder)}, timeout=30 * len(paths))
    assert_within_bounds(result)
    for report in result["reports"][len(paths):]:
        assert not report["graded"] and "not a Jupyter notebook" in report["error"], report
    for report in result["reports"][:len(paths)]:
        attacked = paths[report["path"]]
        assert report["graded"] and len(report["statuses"]) == 7, report
        statuses = [report["statuses"][n - 1] for n in attacked if attacked[n] != BLANKS[
            n - 1].answer]
        assert statuses and "correct" not in statuses, report


@pytest.mark.slow
def test_fuzzed_attempts_and_files_are_graded_within_the_bounds(tmp_path):
    result = run_child({"files": [], "attempts": 60, "mutations": 40, "seed": 19,
                        "folder": str(tmp_path)}, timeout=600)
    assert_within_bounds(result)
    assert len(result["reports"]) == 100
    graded = [r for r in result["reports"] if r["graded"]]
    assert len(graded) >= 60  # the attempts, and the files that are still assignments
    assert any(set(r["statuses"]) == {"correct"} for r in graded)  # harmless extras pass
    assert any("correct" not in r["statuses"][:1] for r in graded)
