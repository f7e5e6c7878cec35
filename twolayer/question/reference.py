"""The assignment's graph, y_pred = relu(x @ w1) @ w2 and loss = sum((y_pred - y) ** 2),
written in the notation a student uses, and the gradient each of its tensors receives."""

from __future__ import annotations

from .notation import parse

TEXT = """\
x : N×D_in
w1 : D_in×H, grad
h = x @ w1 : N×H
h_relu = relu(h) : N×H
w2 : H×D_out, grad
y_pred = h_relu @ w2 : N×D_out
y : N×D_out
diff = y_pred - y : N×D_out
sq = diff ** 2 : N×D_out
loss = sum(sq) : scalar
"""

REFERENCE = parse(TEXT)

DATA = ("x", "y")  # the tensors no gradient reaches: the data
WEIGHTS = ("w1", "w2")  # the ones gradient descent updates

# Backprop: the gradient of each tensor, as the backward pass computes it, in the
# assignment's names. grad_y_pred is the assignment's own line, true whichever way round
# the difference is taken: the square hides its sign.
GRADIENTS = {
    "loss": ("grad_loss", "1"),
    "sq": ("grad_sq", "1"),  # the sum passes grad_loss to every entry
    "diff": ("grad_diff", "2 * diff"),
    "y_pred": ("grad_y_pred", "2.0 * (y_pred - y)"),
    "w2": ("grad_w2", "h_relu.T @ grad_y_pred"),
    "h_relu": ("grad_h_relu", "grad_y_pred @ w2.T"),
    "h": ("grad_h", "grad_h_relu * (h > 0)"),
    "w1": ("grad_w1", "x.T @ grad_h"),
}
