"""Where a blank is checked, and the state there: the cell's scope just before the blank at
a point of the answers' run, the blank run from it, and what the cell does next with it.

The answers' own runs are trusted and cheap; they keep a deadline of their own, so that a
student's slow lines never make them fail, and the weights along them are made once per
process: they are the same for every attempt.
"""

from __future__ import annotations

import contextlib
import functools
import math
from dataclasses import dataclass

import numpy as np

from .evaluator import Evaluator, clock, parse
from .runs import ASSIGNMENT, SMALL, Problem, Program, run_cell
from .skeleton import BLANKS, no_grad

POINTS = ((ASSIGNMENT, 0), (ASSIGNMENT, 100), (SMALL, 0))  # the first iteration, a later
# one, and a problem whose sizes all differ (a misplaced transpose cannot hide there)
# Bounds in CPU seconds (evaluator.clock): the answers take milliseconds a point; these
# leave a slow machine and roundabout lines room.
CHECK_SECONDS = 3.0  # one blank at one point
REFERENCE_SECONDS = 5.0  # one run of the answers' own lines (trusted; milliseconds)


@dataclass
class Context:
    """What the checks of one attempt share: the answers, and when the time for the whole
    attempt runs out."""

    answers: Program
    deadline: float = math.inf

    @classmethod
    def new(cls, seconds: float = math.inf) -> Context:
        return cls(ANSWERS, deadline=clock() + seconds)

    def point_deadline(self) -> float:
        return min(clock() + CHECK_SECONDS, self.deadline)


ANSWERS = Program.answers()


def reference_deadline() -> float:
    return clock() + REFERENCE_SECONDS


def state_before(number: int, problem: Problem, t: int, context: Context) -> dict:
    """The cell's scope just before blank `number` at iteration t of the answers' run."""
    blank = BLANKS[number - 1]
    start = answer_weights(blank.cell, problem, t)
    run = run_cell(blank.cell, context.answers, problem, 1, deadline=reference_deadline(),
                   stop_before=number, start=start, first=t)
    if run.error:
        raise RuntimeError(f"the answers failed: {run.error}")  # a bug, never the student's
    return run.scope


def prepare() -> None:
    """The answers' weights at every point, made now: once per process, before the first
    attempt's clock starts, so that the first student after a start is not the one whose
    time they use."""
    for cell in sorted({blank.cell for blank in BLANKS}):
        for problem, t in POINTS:
            answer_weights(cell, problem, t)


@functools.lru_cache(maxsize=16)
def answer_weights(cell: int, problem: Problem, t: int) -> tuple:
    """(w1, w2) at iteration t of the answers' run of a cell, in float64, read-only: the
    same for every attempt, so made once per process (each use copies them)."""
    if t == 0:
        weights = problem.arrays()[2:]
    else:
        run = run_cell(cell, ANSWERS, problem, t, deadline=clock() + t * REFERENCE_SECONDS)
        if run.error:
            raise RuntimeError(f"the answers failed: {run.error}")
        weights = tuple(as_numpy(run.scope[name]).astype(np.float64) for name in ("w1", "w2"))
    for array in weights:
        array.setflags(write=False)
    return weights


@dataclass
class Outputs:
    """A blank's scope after it ran (and after the cell's next lines, where it has some to
    follow), the scope before, what it printed, its tree."""

    scope: dict
    before: dict
    printed: list
    tree: object


def run_blank(blank, tree, problem: Problem, t: int, context: Context,
              deadline: float) -> Outputs:
    """Run one blank's tree from the state before it; its outputs."""
    import torch

    scope = state_before(blank.number, problem, t, context)
    before = dict(scope)
    printed: list = []
    evaluator = Evaluator(scope, printed, deadline)
    with torch.no_grad() if no_grad(blank) else contextlib.nullcontext():
        evaluator.run(tree)
    return Outputs(scope, before, printed, tree)


def follow(blank, outputs: Outputs, deadline: float) -> None:
    """Run what the cell does next with a blank's result (blank.follow), where its values
    alone cannot tell (y_pred: do the gradients reach w1 and w2?)."""
    if blank.follow:
        Evaluator(outputs.scope, [], deadline).run(parse(blank.follow))




def grad(tensor):
    """A tensor's .grad (None for anything that has none)."""
    return None if tensor is None or not hasattr(tensor, "grad") else tensor.grad


def as_numpy(value) -> np.ndarray:
    if value is None:
        return np.array(np.nan)
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)
