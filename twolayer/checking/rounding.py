"""Worst-case rounding-error bounds for one forward and backward pass of the network.

A product of inner size K, computed in a precision with unit roundoff u, obeys

    |fl(A @ B) - A @ B| <= gamma(K) * (|A| @ |B|),    gamma(K) = K u / (1 - K u),

whatever the order of the sums: any BLAS kernel, blocking, FMA or thread count
(Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1 and
§3.5). Carried through the network line by line, that gives an elementwise bound
on how far a float32 (or float64) loss and gradient can be from the exact ones,
on every machine. It also says where the ReLU mask may flip: an entry of h closer
to 0 than its own error bound may land on either side, and its gradient then
counts in full.

The bounds are computed in float64 from the exact values, so they are valid up to
float64's own rounding of the bound (a relative 1e-13 here, covered by SAFETY).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNIT_ROUNDOFF = {"float32": 2.0**-24, "float64": 2.0**-53}  # half an ulp of 1
SAFETY = 1.0 + 1e-6  # the bound's own float64 rounding, with room to spare
COEFFICIENT_ROUNDINGS = 4  # between y_pred - y and grad_y_pred: scale, 2, product, cast
UPDATE_ROUNDINGS = 3  # w - lr * grad: lr cast, product, difference


def gamma(k: int, u: float) -> float:
    """Higham's gamma_k = k u / (1 - k u): the relative error of k roundings in a row."""
    if k * u >= 1:
        raise ValueError(f"gamma({k}) is unbounded for unit roundoff {u:g}")
    return k * u / (1 - k * u)


def cast_error(array: np.ndarray, dtype: str) -> np.ndarray:
    """|a - fl(a)|: what storing the float64 array in dtype changes, exactly (0 if it fits)."""
    return np.abs(array - array.astype(dtype).astype(np.float64))


def product_bound(a, err_a, b, err_b, u: float) -> np.ndarray:
    """Bound on |fl(a' @ b') - a @ b| for inputs within err_a of a and err_b of b."""
    k = a.shape[1]
    mag_a, mag_b = np.abs(a) + err_a, np.abs(b) + err_b
    carried = err_a @ np.abs(b) + np.abs(a) @ err_b + err_a @ err_b  # (a' b' - a b), exactly
    return carried + gamma(k, u) * (mag_a @ mag_b)  # plus the product's own rounding


@dataclass(frozen=True)
class StepBounds:
    """How far a loss and its gradients computed in a precision may be from the exact ones.

    loss is a number; y_pred, grad_w1, grad_w2 are elementwise arrays. ties counts
    the entries of h within rounding of 0, whose ReLU mask may come out either way.
    """

    loss: float
    y_pred: np.ndarray
    grad_w1: np.ndarray
    grad_w2: np.ndarray
    ties: int

    def __add__(self, other: StepBounds) -> StepBounds:
        """Bounds of a difference between two computations, each bounded against exact."""
        return StepBounds(self.loss + other.loss, self.y_pred + other.y_pred,
                          self.grad_w1 + other.grad_w1, self.grad_w2 + other.grad_w2,
                          max(self.ties, other.ties))


def step_bounds(x, y, w1, w2, scale: float, dtype: str) -> StepBounds:
    """Rounding-error bounds of the loss and gradients at (w1, w2), computed in dtype.

    The arrays are the exact (float64) values; those that do not fit dtype are
    rounded on the way in, and that rounding is counted too.
    """
    u = UNIT_ROUNDOFF[dtype]
    x, y, w1, w2 = (np.asarray(a, np.float64) for a in (x, y, w1, w2))
    err_x, err_y, err_w1, err_w2 = (cast_error(a, dtype) for a in (x, y, w1, w2))

    # Forward pass: each line's error, from its inputs' errors and its own rounding
    h = x @ w1  # (N, H)
    err_h = product_bound(x, err_x, w1, err_w1, u)  # (N, H)
    h_relu = np.maximum(h, 0)  # relu rounds nothing and moves no error further apart
    y_pred = h_relu @ w2  # (N, D_out)
    err_y_pred = product_bound(h_relu, err_h, w2, err_w2, u)  # (N, D_out)
    diff = y_pred - y  # (N, D_out)
    err_diff = err_y_pred + err_y + u * (np.abs(diff) + err_y_pred + err_y)
    loss_err = _loss_bound(diff, err_diff, scale, u)

    # Backward pass, the manual method's lines (autograd computes the same products)
    coefficient = 2.0 * scale
    grad_y_pred = coefficient * diff  # (N, D_out)
    err_grad_y_pred = coefficient * (err_diff + gamma(COEFFICIENT_ROUNDINGS, u)
                                     * (np.abs(diff) + err_diff))
    err_grad_w2 = product_bound(h_relu.T, err_h.T, grad_y_pred, err_grad_y_pred, u)
    grad_h_relu = grad_y_pred @ w2.T  # (N, H)
    err_grad_h_relu = product_bound(grad_y_pred, err_grad_y_pred, w2.T, err_w2.T, u)
    # Where |h| exceeds its error the mask is certain; elsewhere it may flip, and the
    # whole gradient of that entry may be missing or extra.
    certain = np.abs(h) > err_h  # (N, H)
    err_grad_h = np.where(certain, np.where(h > 0, err_grad_h_relu, 0.0),
                          np.abs(grad_h_relu) + err_grad_h_relu)
    grad_h = grad_h_relu * (h > 0)  # (N, H)
    err_grad_w1 = product_bound(x.T, err_x.T, grad_h, err_grad_h, u)
    return StepBounds(SAFETY * loss_err, SAFETY * err_y_pred, SAFETY * err_grad_w1,
                      SAFETY * err_grad_w2, int((~certain).sum()))


def _loss_bound(diff, err_diff, scale: float, u: float) -> float:
    """Bound on the error of scale * sum(diff**2) from diff's errors and the sums' rounding."""
    carried = float(np.sum((2 * np.abs(diff) + err_diff) * err_diff))  # |d'^2 - d^2|
    squares = float(np.sum((np.abs(diff) + err_diff) ** 2))
    total = carried + gamma(diff.size, u) * squares  # each square, then the sum
    if scale == 1.0:  # the summed loss skips the multiply
        return total
    return scale * (total + gamma(2, u) * (squares + total))  # scale rounded, then product


def update_bound(w, grad, learning_rate: float, dtype: str) -> np.ndarray:
    """Bound on |fl(w - lr * grad) - (w - lr * grad)| for w, grad already in dtype."""
    u = UNIT_ROUNDOFF[dtype]
    step = learning_rate * np.abs(np.asarray(grad, np.float64))
    return SAFETY * gamma(UPDATE_ROUNDINGS, u) * (np.abs(np.asarray(w, np.float64)) + step)


def agreement_bounds(x, y, w1, w2, scale: float, dtype: str) -> StepBounds:
    """How far a dtype computation may be from a float64 one at the same weights: the
    dtype's bound plus float64's own."""
    return (step_bounds(x, y, w1, w2, scale, dtype)
            + step_bounds(x, y, w1, w2, scale, "float64"))
