"""One iteration of each method, as a function: what the lock-step explorer runs.

The training loops in manual.py and autograd.py are the lesson's code; these
steps are the same lines cut at iteration boundaries so that the two methods
can be stepped side by side and inspected in between.
"""

from __future__ import annotations

from .autograd import forward_loss
from .manual import backprop


def manual_step(x, y, w1, w2, learning_rate, scale):
    """One manual iteration; updates w1, w2 in place and returns (loss, grad_w1, grad_w2)."""
    loss, grad_w1, grad_w2 = backprop(x, y, w1, w2, scale)
    # Gradient descent: a step against the gradient
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
    return loss, grad_w1, grad_w2


def autograd_step(x_tensor, y_tensor, w1, w2, learning_rate, scale):
    """One autograd iteration; updates the leaves w1, w2, returns (loss, grad_w1, grad_w2)."""
    import torch

    loss, _ = forward_loss(x_tensor, y_tensor, w1, w2, scale)
    loss.backward()  # adds dloss/dw1 into w1.grad, dloss/dw2 into w2.grad
    grad_w1, grad_w2 = w1.grad.clone(), w2.grad.clone()  # what this step applies
    with torch.no_grad():
        w1.sub_(w1.grad, alpha=learning_rate)
        w2.sub_(w2.grad, alpha=learning_rate)
    w1.grad = None  # cleared, or the next backward() would add to it
    w2.grad = None
    return loss.item(), grad_w1, grad_w2
