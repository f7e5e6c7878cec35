"""Checking each blank in isolation, at several points, against the assignment's answer.

For a blank and a point (a problem, an iteration), the cell runs with the answers up to
just before the blank; the student's lines and the answer then each run from that same
state, and what the blank produces (its outputs: the loss it prints, the gradient it
computes, the weights it updates, ...) is compared: the shape strictly, then the values,
exactly and within a tolerance derived from the dtype's rounding (twolayer.checking.rounding),
with the largest difference and the first wrong entries. Every other name of the cell
must be as the answer left it: a blank may change only what it is for. A wrong result is
also run against the classic mistakes, to name the one it is. Then the blanks run
together for a few iterations, as the whole run does, so that blanks which are right on
their own but do not fit together (a name one defines and the next does not use) are
told so.

Every failure is the blank's: a CodeError of the student's lines, or, as a last line of
defence, anything else the check raised (marked `internal`, which the tests never see).
The answers' own runs have a deadline of their own, so a student's slow lines never make
them fail.
"""

from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from ..checking.rounding import step_bounds, update_bound
from ..i18n import N_, _
from ..tasks import finish
from .errors import Text
from .evaluator import CodeError, Printed, clock, parse
from .mistakes import MISTAKES
from .notes import relu_convention
from .points import (
    ANSWERS,
    CHECK_SECONDS,
    POINTS,
    Context,
    Outputs,
    as_numpy,
    follow,
    grad,
    prepare,
    reference_deadline,
    run_blank,
)
from .runs import ASSIGNMENT, CODE, Problem, Program, run_cell, t_and_loss
from .skeleton import BLANKS, CELLS
from .values import is_tensor

SHOWN = 3  # wrong entries listed
STATUS_NAMES = {"correct": N_("correct"), "wrong": N_("wrong"),  # a blank's statuses: data,
                "rejected": N_("rejected"), "missing": N_("missing")}  # and their names


def status_label(status: str) -> str:
    """A blank's status as a student or a teacher reads it (the data keeps the word)."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


ATTEMPT_SECONDS = 4.0  # all seven blanks and their run together, in CPU seconds: with the
# whole run's 5.5 s (runs.RUN_SECONDS) and the answers' own runs, one file costs at most 10 s
TOGETHER = 2  # iterations the blanks run together: enough for names to meet

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
    error: str | None = None  # in the language of the check
    refused: bool = False  # the error was the checker's rules or bounds, not a failed run
    error_en: str | None = None  # the error in English: what named mistakes match

    @property
    def ok(self) -> bool:
        return self.error is None and all(c.ok for c in self.comparisons)


@dataclass
class BlankResult:
    """A blank's verdict: correct; wrong (it ran and computed something else, or failed as
    Python would); rejected (stopped by the checker's rules or bounds: a construct outside
    the allow-list, a size refused before it is made, the time limit); missing (nothing
    there). internal: the checker itself failed (a bug, reported as the blank's status)."""

    blank: int
    status: str
    message: str
    points: list[PointResult] = field(default_factory=list)
    mistake: str | None = None
    note: str | None = None
    internal: bool = False


def check_attempt(attempt: dict[int, str], seconds: float = ATTEMPT_SECONDS) -> list[BlankResult]:
    """Every blank of an attempt (blank number -> its text), checked in isolation, then
    run together."""
    return finish(check_attempt_task(attempt, seconds))


def check_attempt_task(attempt: dict[int, str], seconds: float = ATTEMPT_SECONDS):
    """check_attempt() as a task: yields after each blank. Blanks left when the time runs
    out (someone's very slow lines) are reported unchecked, so one attempt cannot hold a
    core for long."""
    prepare()  # the answers' own runs, once per process: not on this attempt's clock
    context = Context.new(seconds)
    results = []
    for blank in BLANKS:
        if clock() > context.deadline:
            results.append(BlankResult(blank.number, "rejected", _(
                "Not checked: the blanks before it used up the {seconds:g} s one check may "
                "take.", seconds=seconds)))
        else:
            results.append(check_blank(blank.number, attempt.get(blank.number, ""), context))
        yield blank.number, len(BLANKS)
    together(attempt, results, context)
    return results


def check_blank(number: int, text: str, context: Context) -> BlankResult:
    """One blank at every point; whatever happens, a status."""
    if not text.strip() or not _has_code(text):
        return BlankResult(number, "missing", _("The blank is empty."))
    try:
        tree = parse(text)
    except CodeError as error:
        return BlankResult(number, "rejected", str(error))
    try:
        return _judge(BLANKS[number - 1], tree, context)
    except CodeError as error:  # the student's lines, outside a point (a named mistake)
        return BlankResult(number, "wrong", str(error))
    except Exception as error:  # noqa: BLE001 - the last line of defence: a status, always
        return BlankResult(number, "rejected", _(
            "This blank could not be checked (the checker failed: {kind}: {error}). Write it "
            "more simply and check again.", kind=type(error).__name__, error=str(error)[:200]),
            internal=True)


def _has_code(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in text.split("\n"))


def _judge(blank, tree, context: Context) -> BlankResult:
    first = _check_point(blank, tree, *POINTS[0], context)  # kept: the mistakes compare it
    points = [first[0]] + [_check_point(blank, tree, problem, t, context)[0]
                           for problem, t in POINTS[1:]]  # scopes dropped as they are done
    if all(p.ok for p in points) and _computes_with_t(tree):  # right where it was looked at
        return BlankResult(blank.number, "wrong", _(
            "Blank {number} computes with t, the iteration's number: a blank's result may not "
            "depend on which iteration it is (t belongs in print(t, loss) only).",
            number=blank.number), points)
    if all(p.ok for p in points):
        return BlankResult(blank.number, "correct", _("Correct at every point checked."), points,
                           note=_note(blank, tree, context))
    message = _first_problem(points)
    for mistake in MISTAKES.get(blank.number, ()):  # seen in the lines: said first
        if mistake.static and mistake.static(tree):
            return BlankResult(blank.number, "wrong", _named(mistake.name, mistake.hint),
                               points, mistake.name)
    failed = next(p for p in points if not p.ok)
    if failed.error and failed.refused:  # stopped by a rule or a bound, not computed wrong
        return BlankResult(blank.number, "rejected", message, points)
    if any(c.tolerance == "unchanged" for p in points for c in p.comparisons):
        return BlankResult(blank.number, "wrong", message, points)  # that, before any value
    mistake, hint = _named_mistake(blank, first, context)
    if mistake:
        message = _named(mistake, hint)
    return BlankResult(blank.number, "wrong", message, points, mistake)


def _named(mistake: str, hint: str) -> str:
    """A named mistake's message: its name and its hint (both English data, shown here)."""
    return _("{mistake}: {hint}", mistake=_(mistake), hint=_(hint))


def _computes_with_t(tree) -> bool:
    """Whether the lines read t anywhere but as an argument of print() itself."""
    printed = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
               and isinstance(node.func, ast.Name) and node.func.id == "print"
               for arg in node.args}
    return any(isinstance(node, ast.Name) and node.id == "t" and
               isinstance(node.ctx, ast.Load) and id(node) not in printed
               for node in ast.walk(tree))


def _check_point(blank, tree, problem: Problem, t: int, context: Context):
    """A PointResult, and the student's Outputs there (None if their lines failed)."""
    point = PointResult(f"{_problem_label(problem)}, t = {t}", blank.dtype)
    expected = run_blank(blank, context.answers.trees[blank.number], problem, t, context,
                         reference_deadline())
    try:
        yours = run_blank(blank, tree, problem, t, context, context.point_deadline())
    except CodeError as error:
        point.error, point.refused, point.error_en = str(error), error.refused, error.english
        return point, None
    point.comparisons = changed_names(blank, yours, expected)
    if point.comparisons:  # what it changed is the first thing to say
        return point, yours
    follow(blank, expected, reference_deadline())
    try:
        follow(blank, yours, context.point_deadline())
    except CodeError as error:
        text = Text(N_("the cell's next lines fail after yours: {error}"), error=error.text)
        point.error, point.error_en = str(text), text.english()
        point.refused = error.refused
        return point, yours
    point.comparisons += compare_outputs(blank, yours, expected)
    return point, yours


def _problem_label(problem: Problem) -> str:
    return (f"N={problem.n}, D_in={problem.d_in}, H={problem.hidden}, "
            f"D_out={problem.d_out}")


# --- A blank may change only what it is for ------------------------------------------------


def own_names(blank, outputs: Outputs) -> set[str]:
    """The names of the cell a blank is there to change (blank.own, the gradient of w1 by
    the name the blank gave it)."""
    return {_gradient_name(outputs) if name == "the gradient of w1" else name
            for name in blank.own}


def changed_names(blank, yours: Outputs, expected: Outputs) -> list[Comparison]:
    """Each name of the cell the blank changed though it is not its own, compared with
    what the answer left: the data, the rate, t, the other weights and gradients,
    autograd's tracking."""
    own = own_names(blank, yours)
    changed = []
    for name in expected.before:
        if name in own:
            continue
        mine, theirs = yours.scope.get(name, _GONE), expected.scope.get(name, _GONE)
        same_leaf = not is_tensor(theirs) or \
            (mine is yours.before.get(name)) == (theirs is expected.before.get(name))
        grads = f"{name}.grad" not in own  # blank 6 is there to fill w1.grad and w2.grad
        if not (same_leaf and _same(mine, theirs, grads)):
            changed.append(Comparison(_changed_message(blank, name), (), (), False, False,
                                      math.inf, N_("unchanged")))
    return changed


_GONE = object()


def _same(a, b, grads: bool) -> bool:
    if is_tensor(b):
        return is_tensor(a) and a.dtype == b.dtype and a.shape == b.shape and \
            a.requires_grad == b.requires_grad and a.is_leaf == b.is_leaf and \
            _equal(a, b) and (not grads or not b.is_leaf or _same_grad(a.grad, b.grad))
    if isinstance(b, np.ndarray):
        return type(a) is np.ndarray and a.dtype == b.dtype and _equal(a, b)
    if isinstance(b, float | int | np.number | np.bool_):
        return isinstance(a, float | int | np.number | np.bool_) and \
            (a == b or (a != a and b != b))
    return type(a) is type(b) and a == b


def _same_grad(a, b) -> bool:
    return (a is None) == (b is None) and (a is None or _equal(a, b))


def _equal(a, b) -> bool:
    a, b = as_numpy(a), as_numpy(b)
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def _changed_message(blank, name: str) -> str:
    user = _next_reader(blank, name)
    if user is None:
        return _("blank {number} changes {name}, which it is not for: a blank may change only "
                 "what it computes", number=blank.number, name=name)
    if user == "lines":
        return _("blank {number} changes {name}, which the cell's next lines uses: a blank may "
                 "change only what it computes", number=blank.number, name=name)
    return _("blank {number} changes {name}, which blank {user} uses: a blank may change only "
             "what it computes", number=blank.number, name=name, user=user)


def _next_reader(blank, name: str) -> int | str | None:
    """Who in the cell reads a name next after a blank (the answers' lines), if anyone
    does before the cell writes it anew: a blank's number, or "lines" (the cell's own)."""
    segments = CELLS[blank.cell]
    here = next(k for k, s in enumerate(segments) if s.kind == "blank" and
                s.blank == blank.number)
    head = next(k for k, s in enumerate(segments) if s.kind == "loop")
    order = [*range(here + 1, len(segments)), *range(head + 1, here + 1)] if here > head \
        else range(here + 1, len(segments))
    for k in order:
        reads, writes = _names_of(blank.cell, k)
        if name in reads:
            kind = segments[k]
            return kind.blank if kind.kind == "blank" else "lines"
        if name in writes:
            return None
    return None


@functools.cache
def _names_of(cell: int, k: int) -> tuple[frozenset, frozenset]:
    """The names a segment of a cell reads and writes (a blank's: the answer's)."""
    segment = CELLS[cell][k]
    if segment.kind == "loop":
        return frozenset(), frozenset({"t"})
    if segment.kind == "setup":
        return frozenset(), frozenset({"w1", "w2"})
    tree = ANSWERS.trees[segment.blank] if segment.kind == "blank" else CODE[cell][k]
    reads, writes = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            reads.add(node.target.id)
        elif isinstance(node, ast.Name):
            (writes if isinstance(node.ctx, ast.Store) else reads).add(node.id)
    return frozenset(reads), frozenset(writes - reads)


# --- Outputs, compared -------------------------------------------------------------------


def outputs_of(blank, outputs: Outputs) -> dict[str, object]:
    """What a blank produces (blank.outputs), by name: the values the cell's next lines
    depend on."""
    return {name: _output(name, outputs) for name in blank.outputs}


def _output(name: str, outputs: Outputs):
    scope = outputs.scope
    if name == "printed loss":
        return _printed_loss(outputs.printed, scope.get("t"))
    if name == "the gradient of w1":
        return scope.get(_gradient_name(outputs))
    if name.endswith(".grad"):
        return grad(scope.get(name.split(".")[0]))
    return scope.get(name)


def _printed_loss(printed: list, t) -> object:
    """The loss of print(t, loss): the second value of a print whose first is t, a number
    if one is (a print of something else on the way does not hide it)."""
    pairs = [t_and_loss(item) for item in printed]
    found = [pair[1] for pair in pairs if pair is not None and isinstance(t, int) and
             pair[0] == t]
    numbers = [value for value in found if _is_number_like(value)]
    return (numbers or found or [None])[0]


def _is_number_like(value) -> bool:
    return isinstance(value, int | float | np.number | np.bool_) or \
        (is_tensor(value) or isinstance(value, np.ndarray)) and \
        tuple(value.shape) in ((), (1,), (1, 1))


def _gradient_name(outputs: Outputs) -> str:
    """The name the blank gave w1's gradient: grad_w1 if it assigned it, else the last name
    it assigned with w1's shape."""
    assigned = [t.id for node in ast.walk(outputs.tree) if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)]
    if "grad_w1" in assigned:
        return "grad_w1"
    new = [name for name in assigned if name not in outputs.before]  # never w1 itself
    shape = np.shape(outputs.scope["w1"])
    for name in reversed(new):
        if np.shape(outputs.scope.get(name)) == shape:
            return name
    return new[-1] if new else "grad_w1"



def compare_outputs(blank, yours: Outputs, expected: Outputs) -> list[Comparison]:
    """Each of the blank's outputs, yours against the answer's, within its tolerance; and
    what autograd needs of them beyond their values."""
    mine, theirs = outputs_of(blank, yours), outputs_of(blank, expected)
    limits = tolerances(blank, expected)
    return [compare(name, mine[name], theirs[name], limits[name]) for name in theirs] + \
        _autograd_needs(blank, yours)


AUTOGRAD_NEEDS = {  # blank.autograd: what must hold of the result, and what it is otherwise
    "untracked": lambda outputs: [
        _("{name} is tracked by autograd (requires_grad is True): the data needs no gradient",
          name=name)
        for name in ("x_tensor", "y_tensor")
        if getattr(outputs.scope.get(name), "requires_grad", False)],
    "tracked": lambda outputs: [
        _("y_pred is not tracked by autograd (requires_grad is False)")
        for y_pred in [outputs.scope.get("y_pred")]
        if y_pred is not None and not getattr(y_pred, "requires_grad", False)],
    "leaves": lambda outputs: [
        _("{name} is a new tensor, no longer the leaf autograd fills", name=name)
        for name in ("w1", "w2")
        if outputs.scope.get(name) is not outputs.before.get(name)] + [
        _("{name} no longer requires a gradient (requires_grad is False): autograd stops "
          "filling {name}.grad", name=name) for name in ("w1", "w2")
        if not getattr(outputs.scope.get(name), "requires_grad", True)],
}


def _autograd_needs(blank, yours: Outputs) -> list[Comparison]:
    """The data stays out of autograd's graph, y_pred in it; w1 and w2 stay the leaves it
    fills."""
    failed = AUTOGRAD_NEEDS[blank.autograd](yours) if blank.autograd else []
    return [Comparison(text, (), (), False, False, math.inf, N_("autograd")) for text in failed]


def compare(name: str, yours, expected, limit) -> Comparison:
    """yours against expected: shape, exact, within limit (an elementwise bound, with its
    description), the largest difference and the first entries off by more."""
    bound, description = limit
    if yours is None:
        return Comparison(name, ("missing",), np.shape(as_numpy(expected)), False, False,
                          math.inf, description)
    if isinstance(yours, Printed) and yours.shape is None:  # a dtype printed, ...
        return Comparison(name, (str(yours),), (_kind(expected),), False, False, math.inf,
                          description)
    if isinstance(yours, Printed):  # an array printed: only its shape was kept
        return Comparison(name, yours.shape, np.shape(as_numpy(expected)), False, False,
                          math.inf, description)
    kind, expected_kind = _kind(yours), _kind(expected)
    if kind != expected_kind:  # a tensor in method 1, a dtype printed as the loss, ...
        return Comparison(name, (kind,), (expected_kind,), False, False, math.inf,
                          description)
    a, b = as_numpy(yours), as_numpy(expected)
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



def _kind(value) -> str:
    """A compared value's kind, as a message names it."""
    if is_tensor(value):
        return _("a torch tensor")
    if isinstance(value, np.ndarray | int | float | np.number | np.bool_):
        return _("a numpy array or number")
    return f"{value}" if isinstance(value, str) else _("a {kind}", kind=type(value).__name__)


def tolerances(blank, expected: Outputs) -> dict[str, tuple]:
    """Per output: an elementwise bound on how far a correct blank may be from the answer
    (both rounded, so twice the rounding bound of either), and how it was derived."""
    limits = {name: (0.0, _("exact: the float32 of x and y")) for name in blank.outputs
              if name in ("x_tensor", "y_tensor")}  # a cast has one right answer
    limits |= _update_tolerances(blank, expected)
    if set(blank.outputs) <= set(limits):
        return limits
    scope, dtype = expected.before, blank.dtype
    x, y, w1, w2 = (as_numpy(scope[n]).astype(np.float64) for n in ("x", "y", "w1", "w2"))
    bounds = step_bounds(x, y, w1, w2, 1.0, dtype)
    text = _("twice the worst-case rounding of {dtype} (u = 2^-{bits}, sums of K products "
             "within K·u)", dtype=dtype, bits=24 if dtype == "float32" else 53)
    rounding = {"printed loss": bounds.loss, "the gradient of w1": bounds.grad_w1,
                "y_pred": bounds.y_pred, "w1.grad": bounds.grad_w1, "w2.grad": bounds.grad_w2}
    return limits | {name: (2 * rounding[name], text) for name in blank.outputs
                     if name in rounding}


def _update_tolerances(blank, expected: Outputs) -> dict[str, tuple]:
    """For an update, w - lr·grad, with the gradient where blank.steps says it is."""
    before = expected.before
    limits = {}
    for name, gradient in blank.steps:
        old = as_numpy(before[name]).astype(np.float64)
        step = as_numpy(_output(gradient, expected) if "." in gradient else before[gradient])
        limits[name] = (2 * update_bound(old, step.astype(np.float64),
                                         before["learning_rate"], blank.dtype),
                        _("twice the rounding of w - lr·grad in {dtype} (3 roundings)",
                          dtype=blank.dtype))
    return limits


def _first_problem(points: list[PointResult]) -> str:
    for point in points:
        if point.error:
            return _("At {point}: {error}", point=point.label, error=point.error)
        for c in point.comparisons:
            if c.tolerance in ("autograd", "unchanged"):  # the name is the whole sentence
                return _("At {point}: {problem}.", point=point.label, problem=c.name)
            name = _(c.name)  # an output's name: "printed loss", "the gradient of w1", y_pred
            if c.shape != c.expected_shape and c.shape and isinstance(c.shape[0], str) and \
                    c.shape != ("missing",):
                return _("At {point}: {name} is {kind}, expected {expected}.", point=point.label,
                         name=name, kind=c.shape[0], expected=c.expected_shape[0])
            if c.shape == ("missing",):
                return _("At {point}: {name} has shape missing, expected {expected}.",
                         point=point.label, name=name, expected=c.expected_shape)
            if c.shape != c.expected_shape:
                return _("At {point}: {name} has shape {shape}, expected {expected}.",
                         point=point.label, name=name, shape=c.shape, expected=c.expected_shape)
            if not c.close:
                return _("At {point}: {name} is off by up to {diff:.3g}.", point=point.label,
                         name=name, diff=c.max_diff)
    return _("Not correct.")


def _named_mistake(blank, first, context: Context) -> tuple[str | None, str | None]:
    """The classic mistake the blank's result at the first point matches, if any."""
    point, yours = first
    problem, t = POINTS[0]
    if yours is None or point.error:
        for mistake in MISTAKES.get(blank.number, ()):
            if mistake.error and point.error_en and mistake.error in point.error_en:
                return mistake.name, mistake.hint
        if yours is None:
            return None, None
    for mistake in MISTAKES.get(blank.number, ()):
        if mistake.code is None:
            if mistake.test and mistake.test(outputs_of(blank, yours), yours):
                return mistake.name, mistake.hint
            continue
        theirs = run_blank(blank, parse(mistake.code), problem, t, context,
                           reference_deadline())
        follow(blank, theirs, reference_deadline())
        if all(c.ok for c in compare_outputs(blank, yours, theirs)):
            return mistake.name, mistake.hint
    return None, None


def _note(blank, tree, context: Context) -> str | None:
    """For y_pred: which derivative of relu at h = 0 the student's forward implies (their
    lines run again, within the attempt's time)."""
    if blank.autograd != "tracked":  # only a y_pred implies a derivative of relu at 0
        return None
    return relu_convention(tree, context.answers, context.point_deadline())


# --- The blanks together -----------------------------------------------------------------


def together(attempt: dict[int, str], results: list[BlankResult], context: Context) -> None:
    """Run the blanks together for a few iterations, as the whole run does: a blank right on
    its own that breaks there (it uses a name the student's other blanks do not define)
    is wrong, with the reason."""
    program = Program.of(attempt)
    by_number = {r.blank: r for r in results}
    for cell in CELLS:
        run = run_cell(cell, program, ASSIGNMENT, TOGETHER,
                       deadline=min(context.deadline, clock() + CHECK_SECONDS))
        if run.error is None or run.stopped:
            continue
        cell_blanks = [b.number for b in BLANKS if b.cell == cell]
        culprit = run.blank or run.after
        known = [n for n in cell_blanks if by_number[n].status != "correct" and
                 (run.blank is None or n < run.blank)]
        if known:
            continue  # it broke after a blank already known to be wrong: that one's doing
        result = by_number.get(culprit)
        if result is not None and result.status == "correct":
            result.status = "wrong"
            result.message = _("Right on its own, but not with your other blanks: run "
                               "together they stop at {error}", error=run.error)
