"""Both methods side by side: the comparison and the three-way gradient check."""

from __future__ import annotations

import math

import numpy as np

from .. import data
from ..autograd import torch_gradients
from ..config import Config, check_int
from ..data import load, weights
from ..i18n import _
from ..loss import loss_scale, squared_error
from ..manual import numpy_gradients
from ..methods import train
from .rounding import agreement_bounds


def relative_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| / max(|a|, |b|), elementwise, 0 where both are 0."""
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.abs(a - b) / np.where(scale > 0, scale, 1.0)


def loss_differences(run_a, run_b) -> tuple[np.ndarray, np.ndarray]:
    """Per-iteration absolute and relative loss differences over the finite iterations both ran."""
    count = min(len(run_a.finite_losses), len(run_b.finite_losses))
    a, b = run_a.finite_losses[:count], run_b.finite_losses[:count]
    return np.abs(a - b), relative_difference(a, b)


def val_loss_difference(run_a, run_b) -> np.ndarray | None:
    """Per-iteration relative difference of the validation losses (None without them)."""
    a, b = run_a.finite_val_losses, run_b.finite_val_losses
    if a is None or b is None:
        return None
    count = min(len(a), len(b))
    return relative_difference(a[:count], b[:count])


def summarize(run_numpy, run_torch) -> dict:
    """The comparison's figures, as plain floats for JSON and tables."""
    abs_diff, rel_diff = loss_differences(run_numpy, run_torch)
    val_diff = val_loss_difference(run_numpy, run_torch)
    both_finite = run_numpy.diverged_at is None and run_torch.diverged_at is None
    return {
        "max_abs_loss_diff": _max(abs_diff),
        "max_rel_loss_diff": _max(rel_diff),
        "max_abs_w1_diff": _max(np.abs(run_numpy.w1 - run_torch.w1)) if both_finite else None,
        "max_abs_w2_diff": _max(np.abs(run_numpy.w2 - run_torch.w2)) if both_finite else None,
        "final_loss_numpy": run_numpy.final_loss,
        "final_loss_torch": run_torch.final_loss,
        "ms_per_iter_numpy": run_numpy.ms_per_iter,
        "ms_per_iter_torch": run_torch.ms_per_iter,
        "timed_iterations_numpy": run_numpy.timed_iterations,
        "timed_iterations_torch": run_torch.timed_iterations,
        "diverged_at_numpy": run_numpy.diverged_at,
        "diverged_at_torch": run_torch.diverged_at,
        "final_val_loss_numpy": run_numpy.final_val_loss,
        "final_val_loss_torch": run_torch.final_val_loss,
        "max_rel_val_loss_diff": _max(val_diff) if val_diff is not None else None,
    }


def compare(config: Config) -> dict:
    """Train both methods from the same data and weights and summarize how they differ."""
    dataset = load(config.validated())
    arrays = (dataset.x, dataset.y, *weights(config))
    return summarize(train("numpy", config, arrays, dataset.validation),
                     train("torch", config, arrays, dataset.validation))


def _max(values: np.ndarray) -> float | None:
    return float(np.max(values)) if values.size else None


# --- Gradient check -----------------------------------------------------------

DEFAULT_EPS = 1e-5  # central differences: rounding ~1e-16 |L| / eps; no truncation error
# for this piecewise-quadratic loss as long as the step does not cross a ReLU kink


def sample_indices(shape, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to count distinct (row, column) positions of a matrix, drawn reproducibly."""
    rng = np.random.default_rng(seed)
    size = shape[0] * shape[1]
    flat = rng.choice(size, size=min(count, size), replace=False)
    return np.unravel_index(np.sort(flat), shape)


def numeric_gradient(loss_of, w: np.ndarray, rows, cols, steps) -> np.ndarray:
    """Central differences (L(w + e) - L(w - e)) / 2e at the given entries of w, one step e each."""
    grads = np.empty(len(rows))
    for k, (i, j, step) in enumerate(zip(rows, cols, steps, strict=True)):
        original = w[i, j]
        w[i, j] = original + step
        plus = loss_of()
        w[i, j] = original - step
        minus = loss_of()
        w[i, j] = original
        grads[k] = (plus - minus) / (2 * step)
    return grads


def kink_safe_steps(x, w1, rows, cols, eps: float) -> np.ndarray:
    """A step per entry of w1: eps, or less where w1[i, j] +- eps would carry some h[n, j]
    across 0, so that no central difference straddles a ReLU kink."""
    h = x @ w1  # (N, H)
    steps = np.full(len(rows), eps)
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        moves = np.abs(x[:, i])  # how far h[:, j] moves per unit of w1[i, j]
        reach = np.abs(h[moves > 0, j]) / moves[moves > 0]
        safe = reach.min() / 2 if reach.size else eps
        if safe > 1e-10:  # else the kink is at w1 itself: keep eps, the two sides average
            steps[k] = min(eps, safe)
    return steps


def numeric_gradients(x, y, w1, w2, scale: float, picks, eps: float) -> list[np.ndarray]:
    """Central differences of the float64 loss at picked entries of w1 and of w2."""
    w1, w2 = w1.astype(np.float64), w2.astype(np.float64)  # copies: perturbed in place

    def loss_of():
        return squared_error(np.maximum(x @ w1, 0) @ w2, y, scale)

    (rows1, cols1), (rows2, cols2) = picks
    steps1 = kink_safe_steps(x, w1, rows1, cols1, eps)
    return [numeric_gradient(loss_of, w1, rows1, cols1, steps1),
            numeric_gradient(loss_of, w2, rows2, cols2, np.full(len(rows2), eps))]


def norm_relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / max(||a||, ||b||): one number for a whole set of entries (NaN if either
    holds inf/NaN, e.g. after a divergence)."""
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.nan
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


# Central differences in float64, with steps that stop short of ReLU kinks: the loss is
# quadratic between kinks, so there is no truncation error, only the rounding of two loss
# values over 2 eps (measured at most 3.4e-8 relative, at t = 400); a stated margin.
FD_TOLERANCE = 1e-6
NO_DIGITS = 0.5  # a tolerance this large guarantees not even the first digit


def tolerance(bound: np.ndarray, a: np.ndarray, b: np.ndarray, extra: float = 0.0) -> float:
    """What norm_relative_error(a, b) may reach for correct code: the rounding bound of the
    entries (elementwise, against exact) relative to the larger side, plus extra."""
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if not (np.isfinite(scale) and np.isfinite(bound).all()):
        return math.nan
    return float(np.linalg.norm(bound) / scale) + extra if scale > 0 else extra


def verdict(error: float, limit: float) -> str:
    """'pass', 'fail', 'no digits' (the dtype guarantees none here) or 'not finite'."""
    if math.isnan(error) or math.isnan(limit):
        return "not finite"
    if limit >= NO_DIGITS:
        return "no digits"
    return "pass" if error <= limit else "fail"


def gradcheck(config: Config, samples: int = 20, at_iteration: int = 0, eps: float = DEFAULT_EPS):
    """Manual vs autograd vs central finite differences, at the weights after at_iteration steps.

    The finite differences are always taken in float64, whatever config.dtype, so
    that they are a trustworthy reference.
    """
    check_int("samples", samples, 1, 10_000)
    check_int("at_iteration", at_iteration, 0, config.iterations)
    x, y, w1, w2 = data.arrays(config)
    if at_iteration:
        run = train("numpy", config.replace(iterations=at_iteration, dtype="float64"),
                    (x, y, w1, w2))
        if run.diverged_at is not None:
            raise ValueError(_("at_iteration {at_iteration} lies past the divergence at "
                               "iteration {diverged}; choose an earlier one",
                               at_iteration=at_iteration, diverged=run.diverged_at))
        w1, w2 = run.w1, run.w2
    return _three_way(config, x, y, w1.copy(), w2.copy(), samples, eps)


def _three_way(config, x, y, w1, w2, samples, eps) -> dict:
    """Compare the three gradients on sampled entries of w1 and w2, each comparison held to
    the rounding bound of config.dtype (plus FD_TOLERANCE where finite differences enter)."""
    cast = [a.astype(config.dtype) for a in (x, y, w1, w2)]
    __, manual_w1, manual_w2 = numpy_gradients(*cast, loss=config.loss)
    __, auto_w1, auto_w2 = torch_gradients(*cast, config.loss, config.dtype, config.device)
    picks = [sample_indices(w1.shape, samples, config.seed),
             sample_indices(w2.shape, samples, config.seed + 1)]
    scale = loss_scale(config.loss, *y.shape)
    numeric = np.concatenate(numeric_gradients(x, y, w1, w2, scale, picks, eps))
    bounds = agreement_bounds(x, y, w1, w2, scale, config.dtype)  # includes the cast
    manual, auto, bound = (_sampled(pair, picks) for pair in (
        (manual_w1, manual_w2), (auto_w1, auto_w2), (bounds.grad_w1, bounds.grad_w2)))
    report = {"entries_checked": int(manual.size), "eps": eps, "dtype": config.dtype}
    comparisons = {"manual_vs_autograd": (manual, auto, 2 * bound, 0.0),
                   "manual_vs_numeric": (manual, numeric, bound, FD_TOLERANCE),
                   "autograd_vs_numeric": (auto, numeric, bound, FD_TOLERANCE)}
    for name, (left, right, limit_bound, extra) in comparisons.items():
        error = norm_relative_error(left, right)
        limit = tolerance(limit_bound, left, right, extra)
        report |= {f"rel_err_{name}": error, f"tolerance_{name}": limit,
                   f"verdict_{name}": verdict(error, limit)}
    return report


def _sampled(pair, picks) -> np.ndarray:
    """The picked entries of a (w1-shaped, w2-shaped) pair of arrays, end to end."""
    return np.concatenate([array[rows, cols] for array, (rows, cols) in zip(pair, picks,
                                                                            strict=True)])
