"""Manual vs autograd vs central finite differences, at one iteration of a lock-step run,
each judged against the rounding bound of its own dtype."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..autograd import one_torch_thread
from ..checking.compare import (
    DEFAULT_EPS,
    FD_TOLERANCE,
    norm_relative_error,
    numeric_gradients,
    sample_indices,
    tolerance,
    verdict,
)
from ..checking.rounding import agreement_bounds, update_bound
from ..config import Config, check_int
from ..tasks import finish
from .stepping import (
    PLAIN,
    Options,
    Pair,
    shape_error_message,
)


def lockstep_gradcheck(config: Config, options: Options = PLAIN, at_iteration: int = 0,
                       samples: int = 20, eps: float = DEFAULT_EPS) -> dict:
    """Manual vs autograd vs central finite differences at one iteration of a lock-step run.

    Each method's gradient is read from the step it actually takes, so a wrong
    update (a flipped sign, gradients that pile up) is caught as well as a wrong
    backward pass. That step is taken with a probe learning rate, a power of two
    large enough that w - rate * grad keeps every digit of the gradient. The
    finite differences are taken in float64 at each method's own weights.
    """
    with one_torch_thread():
        return finish(gradcheck_task(config, options, at_iteration, samples, eps))


def gradcheck_task(config: Config, options: Options = PLAIN, at_iteration: int = 0,
                   samples: int = 20, eps: float = DEFAULT_EPS, arrays=None):
    """lockstep_gradcheck() as a task: yields after every step on the way to at_iteration."""
    check_int("at_iteration", at_iteration, 0, config.iterations - 1)
    check_int("samples", samples, 1, 10_000)
    pair = Pair(config.validated(), options.checked(), arrays)
    try:
        for t in range(at_iteration):
            pair.step()
            yield t + 1, at_iteration + 1
        before_n = (pair.w1.astype(np.float64), pair.w2.astype(np.float64))
        before_t = tuple(w.astype(np.float64) for w in pair.torch_weights())
        picks = [sample_indices(w.shape, samples, config.seed + k)
                 for k, w in enumerate(before_n)]
        numeric_n = _numeric(pair, before_n, picks, eps)
        numeric_t = _numeric(pair, before_t, picks, eps)
        pair.learning_rate = _probe_rate(before_n, numeric_n)
        pair.step()
    except (ValueError, RuntimeError) as error:
        return {"error": shape_error_message(error, options.bug)}
    after_n = (pair.w1.astype(np.float64), pair.w2.astype(np.float64))
    after_t = tuple(w.astype(np.float64) for w in pair.torch_weights())
    rate = pair.learning_rate
    manual = Side(_applied(before_n, after_n, picks, rate), numeric_n,
                  _bounds(pair, before_n, options.dtype_numpy, picks, rate))
    autograd = Side(_applied(before_t, after_t, picks, rate), numeric_t,
                    _bounds(pair, before_t, options.dtype_torch, picks, rate))
    return _gradcheck_report(manual, autograd, eps)


def _probe_rate(weights, grads) -> float:
    """A power of two (so scaling by it is exact) with rate * |grad| >= |w| for w1 and w2.

    With the real learning rate, late in training w - lr * grad rounds away most
    digits of a tiny step; this rate makes the step at least as large as w.
    """
    ratios = [np.max(np.abs(w)) / np.max(np.abs(g)) for w, g in zip(weights, grads, strict=True)
              if np.max(np.abs(g)) > 0 and np.isfinite(g).all()]
    return 2.0 ** math.ceil(math.log2(max(ratios))) if ratios and max(ratios) > 0 else 1.0


def _applied(before, after, picks, rate) -> list[np.ndarray]:
    """-(w_after - w_before) / rate at the picked entries of w1 and w2."""
    return [(b[rows, cols] - a[rows, cols]) / rate
            for b, a, (rows, cols) in zip(before, after, picks, strict=True)]


def _numeric(pair: Pair, weights, picks, eps) -> list[np.ndarray]:
    """Central differences of the float64 loss at the picked entries of w1 and w2."""
    return numeric_gradients(*pair.data64, *weights, pair.scale, picks, eps)


@dataclass(frozen=True)
class Side:
    """One method in the gradient check, per matrix (w1, w2): the gradient its step
    applied, the finite differences at its weights, and the rounding bound of the first."""

    applied: list[np.ndarray]
    numeric: list[np.ndarray]
    bound: list[np.ndarray]


def _bounds(pair: Pair, weights, dtype: str, picks, rate: float) -> list[np.ndarray]:
    """Per picked entry: how far a method's applied gradient may be from the exact one.

    The rounding bound of its backward pass in its dtype (twolayer.checking.rounding), plus the
    probe step's own rounding, divided back by the rate.
    """
    step = agreement_bounds(*pair.data64, *weights, pair.scale, dtype)
    bounds = []
    for grad_bound, w, (rows, cols) in zip((step.grad_w1, step.grad_w2), weights, picks,
                                           strict=True):
        grad = np.abs(w[rows, cols]) / rate + grad_bound[rows, cols]  # |grad| <= |w| / rate
        update = update_bound(w[rows, cols], grad, rate, dtype) / rate
        bounds.append(grad_bound[rows, cols] + update)
    return bounds


def _gradcheck_report(manual: Side, autograd: Side, eps: float) -> dict:
    """Relative errors of the three comparisons per matrix, each with its tolerance."""
    report = {"eps": eps, "entries_checked": int(sum(a.size for a in manual.applied))}
    for k, name in enumerate(("w1", "w2")):
        m, a = manual.applied[k], autograd.applied[k]
        # Where the methods' weights differ (one in float32), so do their exact gradients:
        # the finite differences at each method's weights measure by how much.
        gap = np.abs(manual.numeric[k] - autograd.numeric[k])
        comparisons = {
            "manual_vs_autograd": (m, a, manual.bound[k] + autograd.bound[k] + gap,
                                   3 * FD_TOLERANCE),
            "manual_vs_numeric": (m, manual.numeric[k], manual.bound[k], FD_TOLERANCE),
            "autograd_vs_numeric": (a, autograd.numeric[k], autograd.bound[k], FD_TOLERANCE),
        }
        for pair_name, (left, right, bound, extra) in comparisons.items():
            error = norm_relative_error(left, right)
            limit = tolerance(bound, left, right, extra)
            report[f"rel_err_{pair_name}_{name}"] = error
            report[f"tolerance_{pair_name}_{name}"] = limit
            report[f"verdict_{pair_name}_{name}"] = verdict(error, limit)
        report[f"values_{name}"] = {"manual": m.tolist(), "autograd": a.tolist(),
                                    "numeric": manual.numeric[k].tolist()}
    return report


