"""Each float32 step of both methods against the exact step, within the derived bound.

Both methods are stepped side by side in float32 (the lock-step pair); before each
step, the exact (float64) loss and gradients at each method's own float32 weights
are computed together with the worst-case rounding bound (twolayer.checking.rounding). The
worst ratio |float32 - exact| / bound over every entry must stay at or below 1.

Run as a script, it prints that ratio as JSON: the kernel test starts it under
other BLAS kernels and thread counts.
"""

from __future__ import annotations

import json

import numpy as np

import twolayer as tl
from twolayer.checking.rounding import agreement_bounds, update_bound
from twolayer.lockstep import Options, Pair
from twolayer.manual import backprop

CHECKED = 31  # iterations 0..30: while y_pred - y is large, the bound is informative


def exact_step(pair: Pair, weights):
    """float64 loss and gradients at given weights, and their float32-vs-exact bounds."""
    x, y = pair.data64
    w1, w2 = (np.asarray(w, np.float64) for w in weights)
    loss, grad_w1, grad_w2 = backprop(x, y, w1, w2, pair.scale)
    return (loss, grad_w1, grad_w2), agreement_bounds(x, y, w1, w2, pair.scale, "float32")


def ratio(got, exact, bounds) -> float:
    """The largest |got - exact| / bound over the loss and every gradient entry."""
    (loss, g1, g2), (loss_e, g1_e, g2_e) = got, exact
    return max(abs(loss - loss_e) / bounds.loss,
               float(np.max(np.abs(g1 - g1_e) / bounds.grad_w1)),
               float(np.max(np.abs(g2 - g2_e) / bounds.grad_w2)))


def update_ratio(before, after, grads, learning_rate) -> float:
    """The largest |w_after - (w_before - lr * grad)| / bound over w1 and w2."""
    worst = 0.0
    for w, w_new, g in zip(before, after, grads, strict=True):
        w, w_new, g = (np.asarray(a, np.float64) for a in (w, w_new, g))
        error = np.abs(w_new - (w - learning_rate * g))
        worst = max(worst, float(np.max(error / update_bound(w, g, learning_rate, "float32"))))
    return worst


def worst_ratios(config: tl.Config | None = None, iterations: int = CHECKED) -> dict:
    """Worst ratio to the bound per method, for the gradients and for the updates."""
    config = config or tl.Config()
    pair = Pair(config, Options(dtype_numpy="float32", dtype_torch="float32"))
    worst = dict.fromkeys(("numpy", "torch", "numpy_update", "torch_update"), 0.0)
    for _ in range(iterations):
        before = {"numpy": (pair.w1.copy(), pair.w2.copy()), "torch": pair.torch_weights()}
        before["torch"] = tuple(w.copy() for w in before["torch"])
        exact = {m: exact_step(pair, w) for m, w in before.items()}
        loss_n, grads_n, loss_t, grads_t = pair.step()
        after = {"numpy": (pair.w1, pair.w2), "torch": pair.torch_weights()}
        for method, got in (("numpy", (loss_n, *grads_n)), ("torch", (loss_t, *grads_t))):
            worst[method] = max(worst[method], ratio(got, *exact[method]))
            worst[f"{method}_update"] = max(worst[f"{method}_update"], update_ratio(
                before[method], after[method], got[1:], config.learning_rate))
    return worst


if __name__ == "__main__":
    print(json.dumps(worst_ratios()))
