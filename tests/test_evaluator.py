"""The exercise's evaluator: what it refuses, what it bounds, and a fuzz that never sees
another exception type, never exceeds its bounds, and changes nothing outside its scope."""

import math
import os
import pathlib
import sys

import numpy as np
import pytest
from fuzzing import programs, texts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twolayer.exercise import costs, values
from twolayer.exercise import evaluator as ev
from twolayer.exercise.evaluator import CodeError, Evaluator, parse
from twolayer.exercise.points import Context, state_before
from twolayer.exercise.runs import ASSIGNMENT, SMALL, Program

ANSWERS = Program.answers()
ROOT = pathlib.Path(__file__).resolve().parent.parent


def scope_at(blank: int, problem=SMALL) -> dict:
    """The scope a blank sees: method 1's names before blank 2, method 2's before blank 5."""
    return state_before(blank, problem, 0, Context(ANSWERS))


def evaluate(text: str, blank: int = 2, problem=SMALL) -> Evaluator:
    evaluator = Evaluator(scope_at(blank, problem), [])
    evaluator.run(parse(text))
    return evaluator


ESCAPES = [  # (text, a piece of the message)
    ("import os", "import is not allowed"),
    ("from os import system", "import is not allowed"),
    ("__import__('os').system('true')", "the attribute .system is not allowed"),
    ("__import__", "no names starting with _"),
    ("x.__class__", "the attribute .__class__ is not allowed"),
    ("np.__dict__", "the attribute .__dict__ is not allowed"),
    ("x.T.__array_interface__", "not allowed"),
    ("print.__self__", "not allowed"),
    ("f = print\nf(1)", "must be called where it is named"),
    ("m = np", "must be called where it is named"),
    ("g = x.sum", "must be called where it is named"),
    ("getattr(x, 'T')", "strings are not allowed"),
    ("getattr(x, T)", "the name 'getattr' is not defined"),
    ("open", "the name 'open' is not defined"),
    ("eval", "the name 'eval' is not defined"),
    ("exec", "the name 'exec' is not defined"),
    ("breakpoint()", "the name 'breakpoint' is not defined"),
    ("globals()", "the name 'globals' is not defined"),
    ("np.load", "the attribute .load is not allowed"),
    ("np.save", "the attribute .save is not allowed"),
    ("np.sum.reduce", "the attribute .reduce is not allowed"),
    ("np.sum.sum", ".sum is not allowed on sum()"),
    ("x.sum.T", ".T is not allowed on sum()"),
    ("np.fromfile", "the attribute .fromfile is not allowed"),
    ("np.lib", "the attribute .lib is not allowed"),
    ("torch.load", "the attribute .load is not allowed"),
    ("torch.ops", "the attribute .ops is not allowed"),
    ("x.tofile", "the attribute .tofile is not allowed"),
    ("x.dtype.type", ".type is not allowed on"),
    ("x.shape.index", "the attribute .index is not allowed"),
    ("x.astype(np.float64).dtype.kind", "the attribute .kind is not allowed"),
    ("lambda: 0", "lambda is not allowed"),
    ("[c for c in x]", "a list comprehension is not allowed"),
    ("(c for c in x)", "a generator expression is not allowed"),
    ("f'{x}'", "an f-string is not allowed"),
    ("'{0.__class__}'.format(x)", "not allowed"),
    ("b'x'", "strings are not allowed"),
    ("print(*x)", "a starred argument is not allowed"),
    ("print(**{})", "keyword argument **= is not allowed"),
    ("x.sum(out=x)", "out= is allowed only on numpy's elementwise functions"),
    ("x[0]", "indexing is allowed only with a mask"),
    ("x[::-1]", "indexing is allowed only with a mask"),
    ("x.T = 1", "assign to plain names"),
    ("np = 1", "'np' cannot be assigned"),
    ("print = 1", "'print' cannot be assigned"),
    ("with x: pass", "a with block is not allowed"),
    ("for i in x: pass", "a for loop is not allowed"),
    ("while True: pass", "a while loop is not allowed"),
    ("def f(): pass", "a function definition is not allowed"),
    ("class A: pass", "a class definition is not allowed"),
    ("try:\n  x\nexcept: pass", "try/except is not allowed"),
    ("del x", "del is not allowed"),
    ("global x", "global is not allowed"),
    ("(y := x)", "the walrus operator is not allowed"),
    ("x if x else y", "a conditional expression is not allowed"),
    ("x and y", "and/or is not allowed"),
    ("{1: 2}", "a dict is not allowed"),
    ("[x]", "a list is not allowed"),
    ("1 < x < 2", "a chained comparison"),
    ("x is y", "the operator Is is not allowed"),
    ("x in y", "the operator In is not allowed"),
    ("x // 2", "the operator FloorDiv is not allowed"),
    ("~x", "only - and + are allowed"),
    ("1j", "the constant 1j is not allowed"),
    ("...", "the constant Ellipsis is not allowed"),
    ("x.to('cpu')", "strings are not allowed"),
    ("y_pred.backward(create_graph=True)", "the keyword argument create_graph= is not"),
    ("x\0", "null bytes"),
    ("x = (", "syntax error"),
    ("z = 1if x else 2", "invalid decimal literal"),  # a SyntaxWarning in Python, an error here
]


@pytest.mark.parametrize(("text", "message"), ESCAPES)
def test_escape_attempts_are_refused_with_the_evaluators_own_error(text, message):
    with pytest.raises(CodeError, match=None) as refused:
        evaluate(text, blank=5 if "backward" in text else 2)
    assert message in str(refused.value)


def test_syntax_warnings_stay_errors_after_the_filters_are_reset():
    """The warning never reaches the server's log, even if something reset the filters."""
    import warnings

    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("always")
        with pytest.raises(CodeError, match="invalid hexadecimal literal"):
            parse("z = 0x1for")


def test_a_refusal_names_line_and_column():
    with pytest.raises(CodeError) as refused:
        parse("a = x.T\nb = x.__class__")
    assert str(refused.value).startswith("line 2, column 5: the attribute .__class__")


BOMBS = [  # resource bombs: refused before they run, by the bound that names them
    ("z = np.zeros((100000, 100000))", "far larger than the arrays in scope"),
    ("z = torch.zeros(N, H, N, H, D_in, D_in)", "far larger than the arrays in scope"),
    ("z = np.zeros(10 ** 8)", "far larger than the arrays in scope"),
    ("a = x.reshape(N * D_in, 1)\nb = x.reshape(1, N * D_in)\nz = a * b",
     "far larger than the arrays in scope"),
    ("a = x.reshape(N * D_in, 1)\nb = x.reshape(1, N * D_in)\nz = np.maximum(a, b)",
     "far larger than the arrays in scope"),
    ("a = x.reshape(N * D_in, 1)\nz = a @ a.T", "far larger than the arrays in scope"),
    ("z = 10 ** 10 ** 10", "** needs a constant exponent"),
    ("z = x ** 100", "** needs a constant exponent"),
    ("z = 2 ** 8\nz = z * z\nz = z * z\nz = z * z\nz = z * z", "too large a number"),
    ("z = 99999999999999999", "is too large"),
    ("z = int(1e300)", "too large a number"),
    ("z = float(10) ** 8 ** 1", "** needs a constant exponent"),
    ("z = x.reshape(-1)", "must keep the number of entries"),
    ("z = " + "-" * 100 + "x", "nest deeper than"),
    ("z = " + "(" * 300 + "x" + ")" * 300, "syntax error"),
    ("print(" + ", ".join(["t"] * 400) + ")", "syntax nodes"),
    ("x\n" * 41, "more than 40 lines"),
    ("z = x" + " " * 2000, "characters; at most"),
]


@pytest.mark.parametrize(("text", "message"), BOMBS)
def test_resource_bombs_are_refused(text, message):
    with pytest.raises(CodeError) as refused:
        evaluate(text, blank=5 if "torch" in text else 2, problem=ASSIGNMENT)
    assert message in str(refused.value)


def test_tensor_keyword_arrays_are_broadcast_before_the_call():
    """clamp(min=tensor) broadcasts like any elementwise call: predicted and refused."""
    text = ("a = x_tensor.reshape(N * D_in, 1)\nb = x_tensor.reshape(1, N * D_in)\n"
            "z = a.clamp(min=b)")
    with pytest.raises(CodeError, match="far larger"):
        evaluate(text, blank=5, problem=ASSIGNMENT)


def test_prints_and_time_are_bounded():
    evaluator = Evaluator({"t": 1}, [])
    tree = parse("print(t)")
    with pytest.raises(CodeError, match="more than 5,000 print"):
        for _ in range(ev.MAX_PRINTS + 1):
            evaluator.run(tree)
    assert len(evaluator.output) == ev.MAX_PRINTS
    late = Evaluator({"t": 1}, [], deadline=0.0)  # long past
    with pytest.raises(CodeError, match="took too long"):
        late.run(parse("z = t + 1"))


def test_waiting_for_a_core_does_not_count_against_the_time_bound():
    """The bound is CPU time of the thread: a check that waits its turn is not cut short."""
    import time

    evaluator = Evaluator({"t": 1}, [], deadline=ev.clock() + 0.05)
    time.sleep(0.2)  # another visitor's computation holds the core
    evaluator.run(parse("z = t + 1"))
    assert evaluator.scope["z"] == 2


def test_the_largest_program_stays_within_the_steps():
    """MAX_NODES bounds the tree, so one run evaluates at most that many steps."""
    line = "z=" + "+".join(["t"] * 14)
    text = "\n".join([line] * 40)
    with pytest.raises(CodeError, match="syntax nodes"):
        parse(text)
    fits = "\n".join([line] * 10)
    evaluator = Evaluator({"t": 1}, [])
    evaluator.run(parse(fits))
    assert evaluator.scope["z"] == 14 and 0 < evaluator.steps <= ev.MAX_NODES <= ev.MAX_STEPS


def test_prints_keep_no_large_arrays_nor_graphs():
    scope = scope_at(5)
    evaluator = Evaluator(scope, [])
    evaluator.run(parse("y_pred = torch.relu(x_tensor @ w1) @ w2\n"
                        "loss = (y_pred - y_tensor).pow(2).sum()\nprint(t, loss, y_pred)"))
    t, loss, y_pred = evaluator.output[0]
    assert t == 0 and loss.grad_fn is None and float(loss) == scope["loss"].item()
    assert y_pred == "<Tensor of shape (7, 3)>"


def test_every_allowed_call_has_a_predicted_shape():
    """A call the shape prediction does not know is refused, so every allowed name must be
    known: each is predicted for arrays of the cell's shapes without a CodeError."""
    import torch

    a = np.ones((3, 4))
    for name in sorted(ev.METHODS | set(ev.NUMPY_FUNCTIONS) | set(ev.TORCH_FUNCTIONS)):
        args = {"zeros": [3, 4], "reshape": [a, 4, 3], "view": [a, 4, 3], "dot": [a, a.T],
                "matmul": [a, a.T], "mm": [a, a.T]}.get(name, [torch.ones(3, 4)])
        cost = costs.predict(name, args, {}, None)
        assert isinstance(cost.shape, tuple) and cost.work >= 1


# --- The fuzz ------------------------------------------------------------------------------

FUZZ = settings(max_examples=600, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """Where the fuzz runs: an empty working folder; what must not change around it."""
    evaluate(ANSWERS_TEXT, blank=5)  # torch's lazy imports happen before the snapshot
    folder = tmp_path_factory.mktemp("fuzz")
    before = os.getcwd()
    os.chdir(folder)
    yield folder, _modules(), _listing()
    os.chdir(before)


ANSWERS_TEXT = ("y_pred = torch.relu(x_tensor @ w1) @ w2\n"
                "loss = (y_pred - y_tensor).pow(2).sum()\nloss.backward()")


def _run_one(text: str, blank: int) -> None:
    """parse and run: a CodeError or nothing; then every bound holds, and every value
    kept (in the scope, or printed) is of a known kind."""
    scope = SCOPES[blank]()
    evaluator = Evaluator(scope, [], deadline=None)
    try:
        evaluator.run(parse(text))
    except CodeError:
        pass
    assert evaluator.steps <= ev.MAX_STEPS
    assert len(evaluator.output) <= ev.MAX_PRINTS
    assert evaluator.total <= ev.MAX_SCOPE_BYTES
    printed = [v for line in evaluator.output for v in line
               if not isinstance(v, str | ev.Printed)]
    for value in [*scope.values(), *printed]:  # a print keeps what it described, not it
        values.known(value, evaluator.limit)  # every value kept is of a known kind
        if values.is_array(value):
            assert math.prod(value.shape) <= evaluator.limit


SCOPES = {2: lambda: scope_at(2), 5: lambda: scope_at(5)}


def _modules() -> set[str]:
    # hypothesis imports parts of itself lazily while it runs; the evaluator imports nothing
    return {name for name in sys.modules if name.split(".")[0] != "hypothesis"}


def _listing() -> list[str]:
    # hypothesis keeps its own files in .hypothesis/ under the folder pytest started in
    return sorted(set(os.listdir(ROOT)) - {".hypothesis"})


def _nothing_changed(untouched) -> None:
    folder, modules, listing = untouched
    assert _modules() == modules
    assert os.listdir(folder) == []
    assert _listing() == listing


@FUZZ
@given(text=programs, blank=st.sampled_from([2, 5]))
def test_fuzz_random_expression_trees(untouched, text, blank):
    _run_one(text, blank)
    _nothing_changed(untouched)


@FUZZ
@given(text=texts, blank=st.sampled_from([2, 5]))
def test_fuzz_random_text(untouched, text, blank):
    _run_one(text, blank)
    _nothing_changed(untouched)


def test_the_assignments_sizes_run_within_the_bounds():
    """The bounds leave room for every correct answer at the assignment's own sizes."""
    evaluator = evaluate("grad_h = (grad_y_pred @ w2.T) * (h > 0)\ngrad_w1 = x.T @ grad_h",
                         problem=ASSIGNMENT)
    assert evaluator.scope["grad_w1"].shape == (1000, 100)
    assert evaluator.limit == 4 * 1000 * 100
