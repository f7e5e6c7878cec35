"""A note for a correct y_pred: which derivative of relu at h = 0 its forward implies.

relu has no derivative at 0; torch.relu and the mask h > 0 pass none of the gradient
there, torch.maximum(h, zeros) half, clamp(min=0) all of it. All three are right: random
weights never make h exactly 0. A column of w1 set to zero makes one, and the gradient
that flows through it tells which convention the student's lines use.
"""

from __future__ import annotations

import numpy as np

from ..i18n import N_, _
from .errors import CodeError
from .evaluator import Evaluator, clock, parse
from .points import CHECK_SECONDS, Context, state_before
from .runs import ASSIGNMENT
from .skeleton import BLANKS

CONVENTIONS = {  # the derivative of relu at h == 0 that each forward implies
    N_("torch.relu(h) or the mask h > 0: none of the gradient"): 0.0,
    N_("torch.maximum(h, zeros): half of it, split with the zeros"): 0.5,
    N_("h.clamp(min=0): all of it"): 1.0,
}


def relu_convention(tree, answers, deadline: float) -> str | None:
    """A note on which derivative at h == 0 a y_pred implies, found on a tie: w1's first
    column zero makes h's first column exactly 0."""
    try:
        yours = _tie_gradient(tree, answers, deadline)
        full = _tie_gradient(parse("y_pred = x_tensor.mm(w1).clamp(min=0).mm(w2)"), answers,
                             clock() + CHECK_SECONDS)  # the note's reference: trusted lines
    except CodeError:
        return None
    if yours is None or full is None or not np.any(full):
        return None
    share = float(np.median(yours[full != 0] / full[full != 0]))
    for text, value in CONVENTIONS.items():
        if abs(share - value) < 1e-6:
            return _("At h = 0 exactly, where relu has no derivative, your y_pred passes "
                     "{convention}. All three conventions are right: random weights never hit "
                     "h = 0 exactly (see the Lock-step page's ReLU at zero).",
                     convention=_(text))
    return None


def _tie_gradient(tree, answers, deadline: float) -> np.ndarray | None:
    """w1.grad's first column when that column of w1 is zero, for a y_pred tree (None if
    the gradient does not reach w1)."""
    import torch

    scope = state_before(5, ASSIGNMENT, 0, Context(answers))
    with torch.no_grad():
        w1 = scope["w1"].detach().clone()
        w1[:, 0] = 0.0
    scope["w1"] = w1.requires_grad_(True)
    evaluator = Evaluator(scope, [], deadline)
    evaluator.run(tree)
    evaluator.run(parse(BLANKS[4].follow))  # y_pred's: the loss and its backward
    grad = scope["w1"].grad
    return None if grad is None else grad[:, 0].detach().numpy().astype(np.float64)
