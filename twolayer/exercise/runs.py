"""The assignment's cells, run with a student's blanks (or the answers), by the evaluator.

Each cell's code segments and each blank are evaluated in one scope, in the cell's
order, iteration after iteration. The random draws of the cells' setup lines are
replaced by a seeded problem, so that both cells, the student's and the answers, start
from the same data and weights. Nothing here executes Python text: the cell's own lines
go through the same evaluator as the student's.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field

import numpy as np

from ..data import init_weights, make_dataset
from ..i18n import N_, _
from ..tasks import finish, shifted
from .errors import OutOfTime
from .evaluator import CodeError, Evaluator, clock, parse
from .skeleton import BLANKS, CELLS, code_lines

RUN_SECONDS = 5.5  # CPU seconds for a whole run of both cells (the answers: 1 s here, 2-3 s
# on a machine whose other core is busy: CPU seconds of a thread grow when cores are shared)


@dataclass(frozen=True)
class Problem:
    """The data and starting weights the cells run on (the assignment draws them unseeded)."""

    n: int = 64
    d_in: int = 1000
    hidden: int = 100
    d_out: int = 10
    seed: int = 0
    learning_rate: float = 1e-6

    def arrays(self):
        """(x, y, w1, w2) in float64: fresh copies, since a student's lines may change
        them in place (x -= 1 is allowed)."""
        return tuple(a.copy() for a in _drawn(self))


@functools.lru_cache(maxsize=4)
def _drawn(problem: Problem) -> tuple:
    """A problem's random draws, made once: a check asks for them some fifty times."""
    x, y = make_dataset(problem.seed, problem.n, problem.d_in, problem.d_out)
    return (x, y, *init_weights(problem.seed, problem.d_in, problem.hidden, problem.d_out))


ASSIGNMENT = Problem()
SMALL = Problem(n=7, d_in=13, hidden=5, d_out=3, seed=1, learning_rate=1e-3)  # no square


@dataclass(eq=False)
class Program:
    """The blanks' syntax trees: the student's where they parsed, else the answers'."""

    trees: dict[int, ast.Module]
    substituted: dict[int, str] = field(default_factory=dict)  # blank -> why the answer ran

    @classmethod
    def answers(cls) -> Program:
        return cls({b.number: parse(b.answer) for b in BLANKS})

    @classmethod
    def of(cls, attempt: dict[int, str]) -> Program:
        """The student's blanks; an empty or refused one runs the answer, said so."""
        trees, substituted = {}, {}
        for blank in BLANKS:
            text = attempt.get(blank.number, "")
            try:
                trees[blank.number] = parse(text)
            except CodeError as error:
                substituted[blank.number] = _("refused: {error}", error=error)
            if blank.number in trees and not trees[blank.number].body:
                substituted[blank.number] = "empty"
            if blank.number in substituted:
                trees[blank.number] = parse(blank.answer)
        return cls(trees, substituted)


CODE = {cell: [parse(code_lines(s.text)) if s.kind == "code" else None for s in segments]
        for cell, segments in CELLS.items()}


def scope_1(problem: Problem, w1=None, w2=None) -> dict:
    """Method 1's names before its loop: the data, the sizes, the weights (copies)."""
    x, y, w1_0, w2_0 = problem.arrays()
    return {"x": x, "y": y, "N": problem.n, "D_in": problem.d_in, "H": problem.hidden,
            "D_out": problem.d_out, "learning_rate": problem.learning_rate,
            "w1": np.array(w1_0 if w1 is None else w1, np.float64),
            "w2": np.array(w2_0 if w2 is None else w2, np.float64)}


def scope_2(problem: Problem) -> dict:
    """Method 2's names before blank 4: the data as numpy, dtype float32, the CPU."""
    import torch

    scope = scope_1(problem)
    for name in ("w1", "w2"):
        scope.pop(name)
    return scope | {"dtype": torch.float32, "device": torch.device("cpu")}


def leaf_weights(scope: dict, w1, w2) -> None:
    """The cell's `w = torch.randn(..., requires_grad=True)`, with the problem's weights."""
    import torch

    for name, value in (("w1", w1), ("w2", w2)):
        scope[name] = torch.tensor(np.asarray(value), dtype=scope["dtype"],
                                   device=scope["device"], requires_grad=True)


@dataclass(eq=False)
class Run:
    """What a run of one cell printed per iteration, how far it got, and why it stopped."""

    printed: list[tuple] = field(default_factory=list)
    iterations: int = 0
    error: str | None = None  # "iteration t, blank n: ..." if a line failed
    scope: dict = field(default_factory=dict)
    blank: int | None = None  # the blank that failed, if a blank did
    after: int | None = None  # else the last blank before the cell's line that failed
    stopped: bool = False  # the time bound stopped it, not a failing line


def run_cell(cell: int, program: Program, problem: Problem, iterations: int,
             deadline: float | None = None, stop_before: int | None = None,
             start=None, first: int = 0) -> Run:
    """Run a cell for some iterations, numbered from `first`, from weights `start` (w1, w2),
    else the problem's. stop_before=n: stop just before blank n of the first iteration
    (the scope then holds that blank's inputs)."""
    return finish(cell_task(cell, program, problem, iterations, deadline, stop_before, start,
                            first))


def cell_task(cell: int, program: Program, problem: Problem, iterations: int,
              deadline: float | None = None, stop_before: int | None = None,
              start=None, first: int = 0):
    """run_cell() as a task (twolayer.tasks): yields after every iteration."""
    import torch

    run = Run()
    scope = scope_1(problem, *(start or (None, None))) if cell == 1 else scope_2(problem)
    evaluator = Evaluator(scope, run.printed, deadline)
    run.scope = scope
    segments = CELLS[cell]
    head = [k for k, s in enumerate(segments) if s.kind == "loop"][0]
    scope["t"] = first
    start_weights = start or problem.arrays()[2:]
    k = 0
    try:
        for k in range(head):  # method 2's blank 4 and weights, before the loop
            if segments[k].kind == "blank" and segments[k].blank == stop_before:
                return run
            _segment(cell, k, segments[k], program, evaluator, start_weights)
        for t in range(first, first + iterations):
            scope["t"] = t
            for k in range(head + 1, len(segments)):
                segment = segments[k]
                if segment.kind == "blank" and segment.blank == stop_before and t == first:
                    return run
                if segment.no_grad:
                    with torch.no_grad():
                        _segment(cell, k, segment, program, evaluator, None)
                else:
                    _segment(cell, k, segment, program, evaluator, None)
            run.iterations = t + 1 - first
            yield run.iterations, iterations
    except CodeError as error:
        run.error = _("iteration {t}: {error}", t=scope.get("t", 0), error=error)
        run.stopped = isinstance(error, OutOfTime)
        run.blank, run.after = _where(segments, k)
    return run


def _where(segments, k: int) -> tuple[int | None, int | None]:
    """The blank at segment k, or the last blank before it (in the loop's order)."""
    if segments[k].kind == "blank":
        return segments[k].blank, None
    before = [s.blank for s in (*segments[k + 1:], *segments[:k]) if s.kind == "blank"]
    return None, before[-1] if before else None


def _segment(cell, k, segment, program, evaluator, start_weights) -> None:
    if segment.kind == "code":
        evaluator.run(CODE[cell][k])
    elif segment.kind == "blank":
        try:
            evaluator.run(program.trees[segment.blank])
        except CodeError as error:
            raise type(error)(N_("blank {blank}: {error}"), blank=segment.blank,
                              error=error.text) from None
    elif segment.kind == "setup" and cell == 2 and "randn" in segment.text:
        try:
            leaf_weights(evaluator.scope, *start_weights)
        except Exception as error:  # noqa: BLE001 - a blank before it changed dtype or device
            raise CodeError(N_("the cell's w1 = torch.randn(D_in, H, device=device, "
                               "dtype=dtype, requires_grad=True) fails: {error}"),
                            error=str(error)[:200]) from None


def whole_run(program: Program, problem: Problem = ASSIGNMENT, iterations: int = 500,
              seconds: float = RUN_SECONDS) -> dict[int, Run]:
    """Both cells, all their iterations: what each printed, and where it failed."""
    return finish(whole_run_task(program, problem, iterations, seconds))


def whole_run_task(program: Program, problem: Problem = ASSIGNMENT, iterations: int = 500,
                   seconds: float = RUN_SECONDS):
    """whole_run() as a task: yields after every iteration of each cell."""
    deadline = clock() + seconds
    runs = {}
    for k, cell in enumerate(CELLS):
        task = cell_task(cell, program, problem, iterations, deadline)
        runs[cell] = yield from shifted(task, k * iterations, len(CELLS) * iterations)
    return runs


@dataclass(frozen=True)
class Curve:
    """A cell's whole run, kept small enough to cache: the printed loss per iteration (NaN
    where none was), its first and last printed lines as print() shows them, how many lines
    it printed, and where it failed."""

    losses: np.ndarray
    head: tuple[str, ...]
    tail: tuple[str, ...]
    lines: int
    error: str | None


SHOWN_LINES = 5  # printed lines kept from the start of a run (and 2 from its end)


def curve_of(run: Run) -> Curve:
    printed = run.printed
    tail = printed[max(SHOWN_LINES, len(printed) - 2):]
    return Curve(printed_losses(run), tuple(_line(i) for i in printed[:SHOWN_LINES]),
                 tuple(_line(i) for i in tail), len(printed), run.error)


def _line(item: tuple) -> str:
    return " ".join(str(value) for value in item)


def curves_task(program: Program, problem: Problem = ASSIGNMENT, iterations: int = 500):
    """A whole run's Curve per cell, as a task (what the Exercise page caches)."""
    runs = yield from whole_run_task(program, problem, iterations)
    return {cell: curve_of(run) for cell, run in runs.items()}


def printed_losses(run: Run) -> np.ndarray:
    """The loss printed at each iteration (print(t, loss)): NaN where none was."""
    losses = np.full(run.iterations, np.nan)
    for item in run.printed:
        pair = t_and_loss(item)
        if pair is not None and 0 <= pair[0] < run.iterations:
            losses[pair[0]] = _number(pair[1])
    return losses


def t_and_loss(item: tuple) -> tuple | None:
    """(t, loss) from what one print() showed: print(t, loss), with any labels around them
    (print("iter:", t, "loss:", loss)); None for a print of anything else."""
    shown = [value for value in item if not isinstance(value, str)]
    if len(shown) == 2 and isinstance(shown[0], int) and not isinstance(shown[0], bool):
        return shown[0], shown[1]
    return None


def _number(value) -> float:
    try:
        return float(value.item() if hasattr(value, "item") else value)
    except (TypeError, ValueError, RuntimeError):
        return float("nan")


# --- Does a whole run train? -------------------------------------------------------------

TRAINS = 10.0  # a run trains when every printed loss is within this factor of the answers'


@dataclass(frozen=True)
class Verdict:
    """A cell's whole run, in a word ("trains", "does not train", "stopped", "fails") and a
    sentence."""

    status: str
    message: str


def verdict(cell: int, run: Run, iterations: int = 500) -> Verdict:
    """Whether a cell's whole run learns as the answers' does: its printed loss against
    theirs at every iteration, within a factor of TRAINS (rounding moves a right run's
    float32 losses by far less)."""
    if run.error:
        if run.stopped:
            return Verdict("stopped", _("method {cell} stopped at {error}", cell=cell,
                                        error=run.error))
        return Verdict("fails", _("method {cell} fails at {error}", cell=cell, error=run.error))
    losses, theirs = printed_losses(run), answer_losses(iterations)[cell]
    if losses.size < theirs.size or np.isnan(losses).any():
        t = int(np.flatnonzero(np.isnan(np.resize(losses, theirs.size)))[0]) \
            if losses.size else 0
        return Verdict("does not train", _("method {cell} prints no loss at t = {t} as "
                                           "print(t, loss)", cell=cell, t=t))
    with np.errstate(all="ignore"):
        off = ~(np.abs(np.log10(losses / theirs)) <= np.log10(TRAINS))
    last = {"last": iterations - 1, "final": losses[-1], "answers_final": theirs[-1]}
    if not off.any():
        return Verdict("trains", _("method {cell} trains: its loss at t = {last} is "
                                   "{final:.3g}, the answers' {answers_final:.3g}", cell=cell,
                                   **last))
    t = int(np.flatnonzero(off)[0])
    return Verdict("does not train", _(
        "method {cell} does not train as the answers do: at t = {t} its loss is {loss:.3g}, "
        "the answers' {answers:.3g}; its loss at t = {last} is {final:.3g}, the answers' "
        "{answers_final:.3g}", cell=cell, t=t, loss=losses[t], answers=theirs[t], **last))


@functools.lru_cache(maxsize=2)
def answer_losses(iterations: int) -> dict[int, np.ndarray]:
    """The answers' printed losses per cell (made once: the same for every file)."""
    runs = whole_run(Program.answers(), iterations=iterations, seconds=60.0)
    return {cell: printed_losses(run) for cell, run in runs.items()}
