"""The checker trusts nothing it is given: every value is of a known kind, every failure is
the blank's or the file's (never the batch's), and a blank may change only what it is for.

Each test is one kind of attack, with the forms a student who wants to break the checker
tried (the issue "The checker trusts its input"); the bounds they meet are measured in a
child process in test_checker_limits.py.
"""

import json

import numpy as np
import pytest

from twolayer.cli import main
from twolayer.exercise import BLANKS, check_attempt, grade_each, points, text_of
from twolayer.exercise import checks as checks_module
from twolayer.exercise.checks import check_blank
from twolayer.exercise.evaluator import CodeError, Evaluator, parse
from twolayer.exercise.files import FileShapeError
from twolayer.exercise.points import Context
from twolayer.exercise.runs import SMALL, Program, run_cell, verdict, whole_run

ANSWERS = {b.number: b.answer for b in BLANKS}
FIXTURE_TEXT = open("tests/fixtures/assignment_answers.py", encoding="utf-8").read()


def check(number: int, text: str):
    return check_blank(number, text, Context.new())


def scope_at(blank: int) -> dict:
    return points.state_before(blank, SMALL, 0, Context.new())


def run_lines(text: str, blank: int = 2) -> Evaluator:
    evaluator = Evaluator(scope_at(blank), [])
    evaluator.run(parse(text))
    return evaluator


# --- Values of known kinds only --------------------------------------------------------------

NESTED = "a = (w1, w1, w1, w1)\na = (a, a, a, a)\na = (a, a, a, a)\nz = np.sum(a)"

UNKNOWN_KINDS = [  # (a kind of value outside the closed list, lines that make one, message)
    ("a tuple of arrays", "a = (w1, w1, w1, w1)", "a tuple may hold only up to 4 whole"),
    ("a nested tuple", "a = ((N, N), (N,))", "a tuple may hold only up to 4 whole"),
    ("nested weights into a reduction", NESTED, "a tuple may hold only up to 4 whole"),
    ("a dtype with a shape in it", "z = np.ones_like(x, dtype=(np.float64, (H, 60)))",
     "a tuple may hold only up to 4 whole"),
    ("a dtype with a shape, through astype", "z = x.astype((np.float64, (H, 60)))",
     "a tuple may hold only up to 4 whole"),
    ("an object array", "z = np.where(True, (N - 1,), None)", "an array of object"),
    ("object arrays of huge integers", "z = np.where(True, (N - 1,), None) ** 8",
     "an array of object"),
    ("a function inside an array", "z = np.where(True, np.sum, 0)",
     "must be called where it is named"),
    ("a function as a value", "z = np.maximum", "must be called where it is named"),
    ("a method as an argument", "z = np.where(h > 0, x.sum, 0)",
     "must be called where it is named"),
    ("a ragged tuple as a tensor", "z = torch.tensor(((1, 2), (3,)))",
     "a tuple may hold only up to 4 whole"),
    ("a complex number", "z = (h - h) ** 0.5 + (-1.0) ** 0.5", "not a real number"),
    ("a tuple as a keyword's dtype", "z = np.zeros_like(x, dtype=(N, H))",
     "dtype= does not take a tuple"),
    ("too large an integer in a shape", "z = np.zeros((1000000 * 1000000 * 10, 1))",
     "too large"),
]


@pytest.mark.parametrize(("kind", "text", "message"), UNKNOWN_KINDS,
                         ids=[k for k, _, _ in UNKNOWN_KINDS])
def test_a_value_of_an_unknown_kind_is_refused_before_it_is_kept(kind, text, message):
    with pytest.raises(CodeError) as refused:
        run_lines(text, blank=5 if "torch" in text else 2)
    assert message in str(refused.value), kind


def test_values_of_known_kinds_still_pass_through():
    """Shapes, dtypes, the device and numbers as the blanks use them."""
    evaluator = run_lines("s = x.shape\nz = np.zeros(s)\nd = x.dtype\nk = x.astype(float)\n"
                          "a, b = N, H\nm = (h > 0).sum()\nw = x.T.dot(h)")
    scope = evaluator.scope
    assert scope["s"] == (7, 13) and type(scope["s"]) is tuple
    assert scope["z"].shape == (7, 13) and scope["k"].dtype == np.float64
    assert (scope["a"], scope["b"]) == (7, 5) and scope["m"] == int((scope["h"] > 0).sum())


def test_a_pair_of_arrays_assigns_pairwise_as_python_does():
    evaluator = run_lines("w1, w2 = w2, w1", blank=3)
    before = scope_at(3)
    assert np.array_equal(evaluator.scope["w1"], before["w2"])
    assert np.array_equal(evaluator.scope["w2"], before["w1"])


# --- Memory and CPU, bounded before they are spent --------------------------------------------


ARRAY = "z = np.zeros((300, 300)) + 1.0\n"  # 0.7 MB; the bounds below: 4 MB and 2 MB
MEMORY = [  # (what grows, lines over the bound, lines within it, message)
    ("names holding many arrays", ARRAY + "\n".join(f"a{k} = z * {k}.0" for k in range(7)),
     ARRAY + "a1 = z * 2.0", "the names would hold"),
    ("one line making many arrays", ARRAY + "q = np.sum(z * 1.0 + z * 2.0 + z * 3.0)",
     ARRAY + "q = np.sum(z * 1.0)", "this line makes more than"),
]


@pytest.mark.parametrize(("what", "over", "within", "message"), MEMORY,
                         ids=[m[0] for m in MEMORY])
def test_memory_a_blank_holds_is_bounded(what, over, within, message, monkeypatch):
    from twolayer.exercise import evaluator as ev

    monkeypatch.setattr(ev, "MAX_SCOPE_BYTES", 4 * 2**20)
    monkeypatch.setattr(ev, "MAX_STATEMENT_BYTES", 2 * 2**20)
    with pytest.raises(CodeError, match=message):
        run_lines(over)
    assert run_lines(within).scope["z"].shape == (300, 300)


def test_a_graph_that_grows_is_refused_before_it_holds_too_much():
    """Each product saves its inputs for backward(): the graph's bytes are bounded as it
    grows, and backward()'s work before it runs."""
    import torch

    from twolayer.exercise import costs

    scope = {"c": torch.ones(1000, 100), "m": torch.ones(100, 100, requires_grad=True)}
    grow = parse("c = c @ m * 0.01")
    evaluator = Evaluator(scope, [])
    with pytest.raises(CodeError, match="autograd's graph would hold"):
        for _ in range(costs.MAX_GRAPH_BYTES // (400_000 + 40_000) + 2):
            evaluator.run(grow)
    scope = {"c": torch.ones(1000, 100), "m": torch.ones(100, 100, requires_grad=True)}
    evaluator = Evaluator(scope, [])
    for _ in range(costs.MAX_GRAPH_WORK // 10_000_000 + 1):  # 10^7 multiply-adds each
        evaluator.run(grow)
    with pytest.raises(CodeError, match="backward\\(\\) through this graph would take"):
        evaluator.run(parse("c.sum().backward()"))


def test_a_graph_growing_across_iterations_is_stopped_by_its_own_bounds():
    """blank 4 keeps a tensor; blank 6 adds to it each iteration, so its graph, and
    backward() through it, would grow without end: refused before it is spent."""
    attempt = ANSWERS | {4: ANSWERS[4] + "\nx_tensor.requires_grad_(True)\n"
                                         "chain = x_tensor.sum() * 0",
                         6: "loss.backward()\nchain = chain + x_tensor.sum()\n"
                            "chain.backward(retain_graph=True)"}
    runs = whole_run(Program.of(attempt), iterations=500, seconds=60.0)
    assert runs[2].error is not None and not runs[2].stopped
    assert "the names would hold" in runs[2].error or \
        "autograd's graph would hold" in runs[2].error  # its graph counts in the scope
    assert 100 < runs[2].iterations < 500


def test_one_operations_work_is_bounded_before_it_runs():
    """A result too large to make, and a product whose operands and result fit but whose
    work does not: (400, 1000) @ (1000, 400) would take 1.6·10^8 multiply-adds."""
    text = "a = x.reshape(16, 4000)\nz = a.T @ a"
    with pytest.raises(CodeError, match="far larger than the arrays in scope"):
        Evaluator(points.state_before(2, points.ASSIGNMENT, 0, Context.new()),
                  []).run(parse(text))
    text = "a = np.zeros((400, 1000))\nb = np.zeros((1000, 400))\nz = a @ b"
    with pytest.raises(CodeError, match="this would take 160,000,000 multiply-adds"):
        Evaluator(points.state_before(2, points.ASSIGNMENT, 0, Context.new()),
                  []).run(parse(text))


# --- Every failure is the blank's or the file's -----------------------------------------------

CRASHES = [  # (blank, lines that used to raise out of the checker)
    (1, "y_loss = ((y_pred - y) ** 2).sum()\nprint(t, y_loss)\nz = (h > 0).sum() ** -1"),
    (1, "z = (h > 0).any() - (h < 0).any()\nprint(t, ((y_pred - y) ** 2).sum())"),
    (1, "t = h > 0\nprint(t, ((y_pred - y) ** 2).sum())"),
    (4, "x_tensor = ((1, 2), (3,))\ny_tensor = torch.tensor(y, dtype=dtype)"),
    (5, "y_pred = ((w1, w2), (w1,))"),
    (1, "print(t, np.where(True, np.sum, 0))"),
    (5, "y_pred = torch.relu(x_tensor @ w1.detach()) @ w2"),
    (5, "y_pred = torch.relu(x_tensor @ w1.data) @ w2"),
]


@pytest.mark.parametrize(("number", "text"), CRASHES)
def test_what_used_to_crash_the_checker_is_the_blanks_status(number, text):
    result = check(number, text)
    assert result.status in ("wrong", "rejected") and not result.internal, result.message
    assert result.message


def test_cutting_w1_from_the_graph_is_caught_by_the_gradients_it_no_longer_gets():
    result = check(5, "y_pred = torch.relu(x_tensor @ w1.detach()) @ w2")
    assert result.status == "wrong" and result.note is None
    assert "w1.grad" in result.message


def test_the_answers_reference_runs_keep_their_own_time_after_a_slow_blank(monkeypatch):
    """A student's blank that uses up its time at every point: the answers' runs still have
    theirs, and the blanks after it are checked."""
    monkeypatch.setattr(points, "CHECK_SECONDS", 0.02)
    slow = "\n".join(["a = x.reshape(250, 256)"] + ["z = a.T @ a @ a.T @ a"] * 28)
    results = check_attempt(ANSWERS | {1: slow}, seconds=5.0)
    assert results[0].status == "rejected" and "took too long" in results[0].message
    assert [r.status for r in results[1:]] == ["correct"] * 6
    assert not any(r.internal for r in results)


def test_an_unforeseen_failure_is_that_blanks_status_and_marked_internal(monkeypatch):
    """The last line of defence works, and says so (the fuzz asserts it is never used)."""
    real = checks_module._judge

    def broken(blank, tree, context):
        if blank.number == 3:
            raise ValueError("a bug in the checker")
        return real(blank, tree, context)

    monkeypatch.setattr(checks_module, "_judge", broken)
    results = check_attempt(ANSWERS)
    assert [r.status for r in results] == ["correct"] * 2 + ["rejected"] + ["correct"] * 4
    assert results[2].internal and "ValueError" in results[2].message


@pytest.mark.slow  # whole runs of 500 iterations
def test_one_broken_file_costs_no_other_file_its_grade(tmp_path, monkeypatch, capsys):
    from twolayer.exercise import grade as grade_module

    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(FIXTURE_TEXT, encoding="utf-8")
    bad.write_text(FIXTURE_TEXT.replace("# TODO", "# TODO ", 1), encoding="utf-8")
    real = grade_module.extract
    monkeypatch.setattr(grade_module, "extract", lambda text: (_ for _ in ()).throw(
        MemoryError()) if text.count("# TODO ") else real(text))
    grades = list(grade_each([str(bad), str(good)]))
    assert not grades[0].graded and grades[0].internal
    assert "MemoryError" in grades[0].error
    assert grades[1].graded and grades[1].score == 7
    code = main(["grade", str(bad), str(good), "--jobs", "1"])  # in this process, patched
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines()[0] == f"{good}: 7/7  ✓ ✓ ✓ ✓ ✓ ✓ ✓"
    assert err.startswith(f"twolayer: {bad}: not graded: the grader failed on it (MemoryError")


@pytest.mark.slow  # whole runs of 500 iterations
def test_exit_codes_say_what_happened(tmp_path, capsys):
    good = tmp_path / "good.py"
    good.write_text(FIXTURE_TEXT, encoding="utf-8")
    assert main(["grade", str(good)]) == 0
    assert main(["grade", str(good), str(tmp_path / "gone.py")]) == 1
    assert main(["grade"]) == 2
    capsys.readouterr()


NOTEBOOKS = [  # (what, bytes of a .ipynb)
    ("nested deeper than any notebook", b"[" * 100_000 + b"]" * 100_000),
    ("nested deep as an object", b'{"cells": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001),
    ("an integer of thousands of digits", b'{"cells": [], "n": ' + b"9" * 5000 + b"}"),
    ("a float of thousands of digits", b'{"cells": [], "n": 1.' + b"5" * 5000 + b"}"),
    ("cells that are not a list", b'{"cells": 5}'),
    ("a cell that is not an object", b'{"cells": ["x"]}'),
    ("a source of numbers", b'{"cells": [{"cell_type": "code", "source": [1, 2]}]}'),
    ("not JSON", b"{cells"),
]


@pytest.mark.parametrize(("what", "raw"), NOTEBOOKS, ids=[w for w, _ in NOTEBOOKS])
def test_a_notebook_that_is_not_one_is_not_graded_with_a_reason(what, raw, tmp_path, capsys):
    with pytest.raises(FileShapeError, match="not a Jupyter notebook"):
        text_of(raw, notebook=True)
    path = tmp_path / "student.ipynb"
    path.write_bytes(raw)
    assert main(["grade", str(path), "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["not_graded"] == [f"{path}: not graded: " + err.split(
        "not graded: ", 1)[1].strip()]
    assert "not a Jupyter notebook" in err


@pytest.mark.slow  # whole runs of 500 iterations
def test_a_file_indented_with_tabs_reads_as_python_reads_it(tmp_path, capsys):
    path = tmp_path / "tabs.py"
    path.write_text(FIXTURE_TEXT.replace("        ", "\t\t").replace("    ", "\t"),
                    encoding="utf-8")
    assert "\t" in path.read_text()
    assert main(["grade", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"{path}: 7/7  ✓ ✓ ✓ ✓ ✓ ✓ ✓"


# --- A blank may change only what it is for ---------------------------------------------------

CHEATS = [  # (blank, lines, the name they change though the blank is not for it)
    (1, "learning_rate = 0\nprint(t, ((y_pred - y) ** 2).sum())", "learning_rate"),
    (1, "y = y_pred\nprint(t, ((y_pred - y) ** 2).sum())", "y"),
    (1, "learning_rate = learning_rate * 1000000\nprint(t, ((y_pred - y) ** 2).sum())",
     "learning_rate"),
    (1, "print(t, ((y_pred - y) ** 2).sum())\nt = t + 1", "t"),
    (2, "grad_w1 = x.T @ ((grad_y_pred @ w2.T) * (h > 0))\ngrad_w2 = grad_w2 * 0", "grad_w2"),
    (2, "grad_w1 = x.T @ ((grad_y_pred @ w2.T) * (h > 0))\nx *= 0", "x"),
    (3, "w1 -= grad_w1 * learning_rate\nw2 -= grad_w2 * learning_rate\ny *= 0", "y"),
    (5, "y_pred = torch.relu(x_tensor @ w1) @ w2\nx_tensor *= 0", "x_tensor"),
    (5, "y_pred = torch.relu(x_tensor @ w1) @ w2\nw1.requires_grad_(False)", "w1"),
    (5, "y_pred = torch.relu(x_tensor @ w1) @ w2\nz = y_pred.sum()\nz.backward()", "w1"),
    (6, "loss.backward()\ny_tensor *= 0", "y_tensor"),
    (7, "w1 -= learning_rate * w1.grad\nw2 -= learning_rate * w2.grad\nx_tensor *= 0",
     "x_tensor"),
]


@pytest.mark.parametrize(("number", "text", "name"), CHEATS)
def test_a_blank_that_changes_what_it_is_not_for_is_wrong_and_says_what(number, text, name):
    result = check(number, text)
    assert result.status == "wrong"
    assert f"blank {number} changes {name}," in result.message


def test_the_message_says_who_uses_the_changed_name():
    result = check(1, "learning_rate = 0\nprint(t, ((y_pred - y) ** 2).sum())")
    assert "changes learning_rate, which blank 3 uses" in result.message
    result = check(5, "y_pred = torch.relu(x_tensor @ w1) @ w2\nx_tensor *= 0")
    assert "changes x_tensor, which blank 5 uses" in result.message


def test_a_tuple_for_a_weight_is_refused():
    result = check(3, "w1 = ((t, t), (t,))\nw2 -= grad_w2 * learning_rate")
    assert result.status == "rejected" and "a tuple may hold only" in result.message


def test_blanks_right_alone_but_not_together_lose_the_blank_where_they_break():
    """Blank 2 names the gradient dw1; blank 3 uses grad_w1, which the answers define when
    it is checked alone, and which nothing defines in the student's own run."""
    attempt = ANSWERS | {2: "dw1 = x.T @ ((grad_y_pred @ w2.T) * (h > 0))"}
    results = check_attempt(attempt)
    assert [r.status for r in results] == ["correct", "correct", "wrong"] + ["correct"] * 4
    assert results[2].message.startswith("Right on its own, but not with your other blanks")
    assert "'grad_w1' is not defined" in results[2].message


@pytest.mark.slow  # whole runs of 500 iterations
def test_the_whole_run_says_whether_the_blanks_train():
    trains = whole_run(Program.of(ANSWERS))
    assert [verdict(c, r).status for c, r in trains.items()] == ["trains", "trains"]
    still = whole_run(Program.of(ANSWERS | {3: "w1 -= grad_w1 * 0\nw2 -= grad_w2 * 0"}))
    found = verdict(1, still[1])
    assert found.status == "does not train" and "its loss at t = 499 is" in found.message


@pytest.mark.slow  # whole runs of 500 iterations
def test_grade_reports_the_whole_run(tmp_path, capsys):
    path = tmp_path / "lazy.py"
    path.write_text(FIXTURE_TEXT.replace("w1-=grad_w1*learning_rate",
                                         "w1-=grad_w1*learning_rate*0"), encoding="utf-8")
    assert main(["grade", str(path), "--json"]) == 0
    graded = json.loads(capsys.readouterr().out)["files"][0]
    assert graded["blanks"][2]["status"] == "wrong"
    assert graded["run"]["1"]["status"] == "does not train"
    assert graded["run"]["2"]["status"] == "trains"


def test_a_run_that_stops_on_time_is_said_so_not_blamed():
    slow = "\n".join(["a = x.reshape(250, 256)"] + ["z = a.T @ a @ a.T @ a"] * 20)
    program = Program.of(ANSWERS | {1: slow + "\n" + ANSWERS[1]})
    assert not program.substituted
    runs = whole_run(program, seconds=0.5)
    assert runs[1].stopped and verdict(1, runs[1]).status == "stopped"


def test_run_cell_names_the_blank_or_the_line_after_it():
    run = run_cell(2, Program.of(ANSWERS | {5: "pred = torch.relu(x_tensor @ w1) @ w2"}),
                   SMALL, 1)
    assert run.blank is None and run.after == 5 and "'y_pred' is not defined" in run.error


# --- What a second round of attacks found (each a kind: the bound it got around) ----------

ROUND_TWO = [  # (blank, lines, a piece of the message): refused or wrong, never correct
    (5, "p = torch.zeros(256, 1, 1, 1000, dtype=torch.float64, requires_grad=True)\n"
        "r = torch.zeros(1, 256, 1000, 1, dtype=torch.float64, requires_grad=True)\n"
        "z = p @ r\n" + BLANKS[4].answer, "takes matrices and vectors here"),
    (2, "a = np.heaviside(h > 0, h > 0)\n" + BLANKS[1].answer, "float16 is not allowed"),
    (1, "print(t, y.dtype)", "printed loss is"),
    (1, "print(t, y_pred)", "the loss is an array"),
    (2, "w1 = x.T @ ((grad_y_pred @ w2.T) * (h > 0))", "changes w1"),
    (7, BLANKS[6].answer + "\nw1.requires_grad_(False)", "w1 no longer requires a gradient"),
    (1, "print(t, ((y_pred - y) ** 2).sum() * (t <= 100))", "computes with t"),
    (3, "w1 -= grad_w1 * learning_rate * (t <= 100)\nw2 -= grad_w2 * learning_rate",
     "computes with t"),
    (2, "grad_w1 = torch.tensor(x.T @ ((grad_y_pred @ w2.T) * (h > 0)))",
     "is a torch tensor, expected a numpy array"),
    (4, "x_tensor = x.astype(np.float32)\ny_tensor = y.astype(np.float32)",
     "is a numpy array or number, expected a torch tensor"),
    (3, "w1 -= torch.tensor(grad_w1 * learning_rate)\nw2 -= grad_w2 * learning_rate",
     "mixes a numpy array and a torch tensor"),
]


@pytest.mark.parametrize(("number", "text", "message"), ROUND_TWO)
def test_the_second_round_of_attacks_is_refused_or_wrong(number, text, message):
    result = check(number, text)
    assert result.status in ("wrong", "rejected") and not result.internal, result.message
    assert message in result.message


def test_a_debug_print_before_the_loss_does_not_hide_it():
    result = check(1, "print(t, h)\nloss = ((y_pred - y) ** 2).sum()\nprint(t, loss)")
    assert result.status == "correct", result.message


def test_a_view_keeps_the_graph_below_it_counted():
    """.T, and an in-place change of a view, make graph nodes the evaluator did not tag:
    what they cost is what lies below them."""
    import torch

    from twolayer.exercise import costs

    scope = {"c": torch.ones(500, 512, dtype=torch.float64, requires_grad=True)}
    evaluator = Evaluator(scope, [])
    evaluator.run(parse("c = c.abs().abs()"))
    below = costs.graph_of(scope["c"])
    evaluator.run(parse("d = c.T"))
    assert costs.graph_of(scope["d"]) == below and below.bytes >= 2 * 500 * 512 * 8
    grow = parse("c = c.T.abs().abs()")
    with pytest.raises(CodeError, match="would hold|autograd's graph"):
        for _ in range(60):
            evaluator.run(grow)


def test_a_blank_that_breaks_the_cells_own_lines_is_wrong_not_a_crash():
    """Blank 4 rebinds dtype, which the cell's w1 = torch.randn(..., dtype=dtype) uses."""
    results = check_attempt(ANSWERS | {4: BLANKS[3].answer + "\ndtype = 1"})
    assert results[3].status == "wrong" and "changes dtype" in results[3].message
    assert not any(r.internal for r in results)
    runs = whole_run(Program.of(ANSWERS | {4: BLANKS[3].answer + "\ndtype = 1"}),
                     iterations=2)
    assert "torch.randn" in runs[2].error and verdict(2, runs[2]).status == "fails"


def test_a_run_gated_on_t_does_not_train(tmp_path):
    lazy = Program.of(ANSWERS | {1: "print(t, ((y_pred - y) ** 2).sum() * (t <= 100))"})
    found = verdict(1, whole_run(lazy)[1])
    assert found.status == "does not train" and "at t = 101" in found.message


@pytest.mark.slow  # two whole files in a child process
def test_an_undecodable_file_name_costs_no_other_file_its_grade(tmp_path):
    import os
    import subprocess
    import sys

    folder = os.fsencode(tmp_path)
    odd, good = folder + b"/name_\xff.py", folder + b"/good.py"
    for path in (odd, good):
        with open(path, "wb") as handle:
            handle.write(FIXTURE_TEXT.encode())
    done = subprocess.run([sys.executable, "-m", "twolayer", "grade", odd, good],
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
                          check=False)
    lines = done.stdout.decode().splitlines()
    assert done.returncode == 0, done.stderr[-2000:]
    assert lines[0].endswith("name_\ufffd.py: 7/7  ✓ ✓ ✓ ✓ ✓ ✓ ✓")
    assert lines[1].endswith("good.py: 7/7  ✓ ✓ ✓ ✓ ✓ ✓ ✓")
