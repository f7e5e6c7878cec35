"""Checking each blank in isolation, at several points, against the assignment's answer.

For a blank and a point (a problem, an iteration), the cell runs with the answers up to
just before the blank; the student's lines and the answer then each run from that same
state, and what the blank produces (its outputs: the loss it prints, the gradient it
computes, the weights it updates, ...) is compared: the shape strictly, then the values,
exactly and within a tolerance derived from the dtype's rounding (twolayer.rounding),
with the largest difference and the first wrong entries. A wrong result is also run
against the classic mistakes, to name the one it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..rounding import step_bounds, update_bound
from ..tasks import finish
from .evaluator import CodeError, Evaluator, clock, parse
from .mistakes import MISTAKES, relu_convention
from .runs import ASSIGNMENT, SMALL, Problem, Program, run_cell
from .skeleton import BLANKS

POINTS = ((ASSIGNMENT, 0), (ASSIGNMENT, 100), (SMALL, 0))  # the first iteration, a later
# one, and a problem whose sizes all differ (a misplaced transpose cannot hide there)
SHOWN = 3  # wrong entries listed
# Bounds in CPU seconds (evaluator.clock): the answers take milliseconds a point and 0.4 s
# for all seven blanks here; these leave a slow machine and roundabout lines room.
CHECK_SECONDS = 3.0  # one blank at one point
ATTEMPT_SECONDS = 10.0  # all seven blanks


@dataclass(frozen=True)
class Comparison:
    """One output at one point: yours against the answer's."""

    name: str
    shape: tuple
    expected_shape: tuple
    exact: bool
    close: bool
    max_diff: float
    tolerance: str
    wrong: tuple = ()  # (index, yours, expected) of the first entries off by more

    @property
    def ok(self) -> bool:
        return self.shape == self.expected_shape and self.close


@dataclass
class PointResult:
    """A blank at one point: each output compared, or the failure that stopped it."""

    label: str
    dtype: str
    comparisons: list[Comparison] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(c.ok for c in self.comparisons)


@dataclass
class BlankResult:
    """A blank's verdict: correct, wrong, rejected (refused by the evaluator) or missing."""

    blank: int
    status: str
    message: str
    points: list[PointResult] = field(default_factory=list)
    mistake: str | None = None
    note: str | None = None


@dataclass
class Context:
    """What the checks of one attempt share: the answers, the weights along their run
    ((cell, problem, t) -> (w1, w2)), and when the time for the whole attempt runs out."""

    answers: Program
    weights: dict = field(default_factory=dict)
    deadline: float = math.inf

    @classmethod
    def new(cls, seconds: float = math.inf) -> Context:
        return cls(Program.answers(), deadline=clock() + seconds)

    def point_deadline(self) -> float:
        return min(clock() + CHECK_SECONDS, self.deadline)


def check_attempt(attempt: dict[int, str], seconds: float = ATTEMPT_SECONDS) -> list[BlankResult]:
    """Every blank of an attempt (blank number -> its text), checked in isolation."""
    return finish(check_attempt_task(attempt, seconds))


def check_attempt_task(attempt: dict[int, str], seconds: float = ATTEMPT_SECONDS):
    """check_attempt() as a task: yields after each blank. Blanks left when the time runs
    out (someone's very slow lines) are reported unchecked, so one attempt cannot hold a
    core for long."""
    context = Context.new(seconds)
    results = []
    for blank in BLANKS:
        if clock() > context.deadline:
            results.append(BlankResult(blank.number, "wrong", "Not checked: the blanks before "
                                       f"it used up the {seconds:g} s one check may take."))
        else:
            results.append(check_blank(blank.number, attempt.get(blank.number, ""), context))
        yield blank.number, len(BLANKS)
    return results


def check_blank(number: int, text: str, context: Context) -> BlankResult:
    """One blank at every point."""
    if not text.strip() or not _has_code(text):
        return BlankResult(number, "missing", "The blank is empty.")
    try:
        tree = parse(text)
    except CodeError as error:
        return BlankResult(number, "rejected", str(error))
    blank = BLANKS[number - 1]
    points = [_check_point(blank, tree, problem, t, context) for problem, t in POINTS]
    if all(p.ok for p in points):
        return BlankResult(number, "correct", "Correct at every point checked.", points,
                           note=_note(blank, tree, context.answers))
    mistake, hint = _named_mistake(blank, tree, context)
    message = _first_problem(points)
    if mistake:
        message = f"{mistake}: {hint}"
    return BlankResult(number, "wrong", message, points, mistake)


def _has_code(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in text.split("\n"))


def _check_point(blank, tree, problem: Problem, t: int, context: Context) -> PointResult:
    dtype = "float64" if blank.cell == 1 else "float32"
    label = f"{_problem_label(problem)}, t = {t}"
    point = PointResult(label, dtype)
    try:
        yours = _after(blank, tree, problem, t, context)
    except CodeError as error:
        point.error = str(error)
        return point
    expected = _after(blank, context.answers.trees[blank.number], problem, t, context)
    point.comparisons = compare_outputs(blank.number, yours, expected)
    return point


def _problem_label(problem: Problem) -> str:
    return (f"N={problem.n}, D_in={problem.d_in}, H={problem.hidden}, "
            f"D_out={problem.d_out}")


def state_before(number: int, problem: Problem, t: int, context: Context) -> dict:
    """The cell's scope just before blank `number` at iteration t of the answers' run."""
    blank = BLANKS[number - 1]
    start = _weights_at(blank.cell, problem, t, context)
    run = run_cell(blank.cell, context.answers, problem, 1, stop_before=number, start=start,
                   first=t)
    if run.error:
        raise AssertionError(f"the answers failed: {run.error}")
    return run.scope


def _after(blank, tree, problem, t, context: Context) -> Outputs:
    """Run one blank's tree from the state before it; its outputs."""
    import torch

    scope = state_before(blank.number, problem, t, context)
    before = dict(scope)
    printed: list = []
    evaluator = Evaluator(scope, printed, context.point_deadline())
    if blank.number == 7:
        with torch.no_grad():
            evaluator.run(tree)
    else:
        evaluator.run(tree)
    return Outputs(scope, before, printed, tree)


def _weights_at(cell: int, problem: Problem, t: int, context: Context):
    """(w1, w2) at iteration t of the answers' run of a cell (kept for the attempt)."""
    key = (cell, problem, t)
    if key not in context.weights:
        if t == 0:
            context.weights[key] = problem.arrays()[2:]
        else:
            run = run_cell(cell, context.answers, problem, t)
            context.weights[key] = tuple(_as_numpy(run.scope[name]) for name in ("w1", "w2"))
    return context.weights[key]


@dataclass
class Outputs:
    """A blank's scope after it ran, the scope before, what it printed, its tree."""

    scope: dict
    before: dict
    printed: list
    tree: object


def outputs_of(number: int, outputs: Outputs) -> dict[str, object]:
    """What a blank produces, by name: the values the cell's next lines depend on."""
    scope = outputs.scope
    if number == 1:
        return {"printed loss": _printed_loss(outputs.printed, scope.get("t"))}
    if number == 2:
        return {"the gradient of w1": scope.get(_gradient_name(outputs))}
    if number in (3, 7):
        return {"w1": scope.get("w1"), "w2": scope.get("w2")}
    if number == 4:
        return {"x_tensor": scope.get("x_tensor"), "y_tensor": scope.get("y_tensor")}
    if number == 5:
        return {"y_pred": scope.get("y_pred")}
    return {"w1.grad": _grad(scope.get("w1")), "w2.grad": _grad(scope.get("w2"))}


def _printed_loss(printed: list, t) -> object:
    """The loss of print(t, loss): the second value of a print whose first is t."""
    for item in printed:
        if len(item) == 2 and item[0] == t:
            return item[1]
    return None


def _gradient_name(outputs: Outputs) -> str:
    """The name the blank gave w1's gradient: grad_w1 if it assigned it, else the last name
    it assigned with w1's shape."""
    import ast

    assigned = [t.id for node in ast.walk(outputs.tree) if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)]
    if "grad_w1" in assigned:
        return "grad_w1"
    shape = np.shape(outputs.scope["w1"])
    for name in reversed(assigned):
        if np.shape(outputs.scope.get(name)) == shape:
            return name
    return assigned[-1] if assigned else "grad_w1"


def _grad(tensor):
    return None if tensor is None or not hasattr(tensor, "grad") else tensor.grad


def compare_outputs(number: int, yours: Outputs, expected: Outputs) -> list[Comparison]:
    """Each of the blank's outputs, yours against the answer's, within its tolerance; and
    what autograd needs of them beyond their values."""
    mine, theirs = outputs_of(number, yours), outputs_of(number, expected)
    limits = tolerances(number, expected)
    return [compare(name, mine[name], theirs[name], limits[name]) for name in theirs] + \
        _autograd_needs(number, yours)


def _autograd_needs(number: int, yours: Outputs) -> list[Comparison]:
    """y_pred must stay in autograd's graph; w1 and w2 must stay the leaves it fills."""
    failed = []
    if number == 5:
        y_pred = yours.scope.get("y_pred")
        if y_pred is not None and not getattr(y_pred, "requires_grad", False):
            failed.append("y_pred is not tracked by autograd (requires_grad is False)")
    if number == 7:
        for name in ("w1", "w2"):
            if yours.scope.get(name) is not yours.before.get(name):
                failed.append(f"{name} is a new tensor, no longer the leaf autograd fills")
    return [Comparison(text, (), (), False, False, math.inf, "autograd") for text in failed]


def compare(name: str, yours, expected, limit) -> Comparison:
    """yours against expected: shape, exact, within limit (an elementwise bound, with its
    description), the largest difference and the first entries off by more."""
    bound, description = limit
    if yours is None:
        return Comparison(name, ("missing",), np.shape(_as_numpy(expected)), False, False,
                          math.inf, description)
    a, b = _as_numpy(yours), _as_numpy(expected)
    if a.shape != b.shape:
        return Comparison(name, a.shape, b.shape, False, False, math.inf, description)
    with np.errstate(all="ignore"):
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    diff = np.where(np.isnan(diff), np.inf, diff) if a.size else diff
    bad = diff > np.broadcast_to(bound, diff.shape)
    wrong = tuple((tuple(int(i) for i in index), float(a[index]), float(b[index]))
                  for index in zip(*np.nonzero(bad), strict=True)) if a.ndim else (
        ((), float(a), float(b)),) if bad.any() else ()
    return Comparison(name, a.shape, b.shape, bool(np.array_equal(a, b)), not bad.any(),
                      float(diff.max()) if diff.size else 0.0, description, wrong[:SHOWN])


def _as_numpy(value) -> np.ndarray:
    if value is None:
        return np.array(np.nan)
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def tolerances(number: int, expected: Outputs) -> dict[str, tuple]:
    """Per output: an elementwise bound on how far a correct blank may be from the answer
    (both rounded, so twice the rounding bound of either), and how it was derived."""
    scope = expected.before
    dtype = "float64" if number <= 3 else "float32"
    if number == 4:  # a cast: float32(x) has one right answer
        return dict.fromkeys(("x_tensor", "y_tensor"), (0.0, "exact: the float32 of x and y"))
    if number in (3, 7):
        return _update_tolerances(number, expected, dtype)
    x, y, w1, w2 = (_as_numpy(scope[n]).astype(np.float64) for n in ("x", "y", "w1", "w2"))
    bounds = step_bounds(x, y, w1, w2, 1.0, dtype)
    text = (f"twice the worst-case rounding of {dtype} (u = 2^-{24 if dtype == 'float32' else 53}"
            ", sums of K products within K·u)")
    if number == 1:
        return {"printed loss": (2 * bounds.loss, text)}
    if number == 2:
        return {"the gradient of w1": (2 * bounds.grad_w1, text)}
    if number == 5:
        return {"y_pred": (2 * bounds.y_pred, text)}
    return {"w1.grad": (2 * bounds.grad_w1, text), "w2.grad": (2 * bounds.grad_w2, text)}


def _update_tolerances(number: int, expected: Outputs, dtype: str) -> dict[str, tuple]:
    before, after = expected.before, expected.scope
    rate = before["learning_rate"]
    limits = {}
    for name in ("w1", "w2"):
        old = _as_numpy(before[name]).astype(np.float64)
        if number == 3:
            grad = _as_numpy(after.get("grad_w1") if name == "w1" else before["grad_w2"])
        else:
            grad = _as_numpy(before[name].grad)
        limits[name] = (2 * update_bound(old, grad.astype(np.float64), rate, dtype),
                        f"twice the rounding of w - lr·grad in {dtype} (3 roundings)")
    return limits


def _first_problem(points: list[PointResult]) -> str:
    for point in points:
        if point.error:
            return f"At {point.label}: {point.error}"
        for c in point.comparisons:
            if c.tolerance == "autograd":
                return f"At {point.label}: {c.name}."
            if c.shape != c.expected_shape:
                shape = "missing" if c.shape == ("missing",) else str(c.shape)
                return f"At {point.label}: {c.name} has shape {shape}, expected " \
                       f"{c.expected_shape}."
            if not c.close:
                return f"At {point.label}: {c.name} is off by up to {c.max_diff:.3g}."
    return "Not correct."


def _named_mistake(blank, tree, context: Context) -> tuple[str | None, str | None]:
    """The classic mistake the blank's result matches at the first point, if any."""
    problem, t = POINTS[0]
    try:
        yours = _after(blank, tree, problem, t, context)
    except CodeError as error:
        for mistake in MISTAKES.get(blank.number, ()):
            if mistake.error and mistake.error in str(error):
                return mistake.name, mistake.hint
        return None, None
    for mistake in MISTAKES.get(blank.number, ()):
        if mistake.code is None:
            if mistake.test and mistake.test(outputs_of(blank.number, yours), yours):
                return mistake.name, mistake.hint
            continue
        theirs = _after(blank, parse(mistake.code), problem, t, context)
        if all(c.ok for c in compare_outputs(blank.number, yours, theirs)):
            return mistake.name, mistake.hint
    return None, None


def _note(blank, tree, answers) -> str | None:
    """For y_pred: which derivative of relu at h = 0 the student's forward implies."""
    if blank.number != 5:
        return None
    return relu_convention(tree, answers)
