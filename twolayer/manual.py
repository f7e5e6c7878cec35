"""Method 1: the gradients worked out by hand, in numpy."""

from __future__ import annotations

import math

import numpy as np

from .config import LOSSES, check_arrays, check_choice, check_training, check_validation
from .loss import loss_scale, squared_error, validation_scale
from .training import Training


def backprop(x, y, w1, w2, scale):
    """One forward and one hand-written backward pass: (loss, grad_w1, grad_w2)."""
    # Forward pass: compute the predicted y
    h = x @ w1  # (N, H)
    h_relu = np.maximum(h, 0)  # (N, H)
    y_pred = h_relu @ w2  # (N, D_out)
    loss = squared_error(y_pred, y, scale)  # scalar

    # Backprop: the chain rule, from the loss back to w2 and w1
    grad_y_pred = 2.0 * scale * (y_pred - y)  # (N, D_out)
    grad_w2 = h_relu.T @ grad_y_pred  # (H, D_out)
    grad_h_relu = grad_y_pred @ w2.T  # (N, H)
    grad_h = grad_h_relu * (h > 0)  # (N, H): the ReLU passes gradient only where h > 0
    grad_w1 = x.T @ grad_h  # (D_in, H)
    return loss, grad_w1, grad_w2


def predict(x, w1, w2):
    """The forward pass alone: y_pred = relu(x @ w1) @ w2, (N, D_out)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.maximum(x @ w1, 0) @ w2


def numpy_gradients(x, y, w1, w2, loss="sum"):
    """The loss and its gradients at (w1, w2), computed by hand.

    Parameters
    ----------
    x : (N, D_in), y : (N, D_out), w1 : (D_in, H), w2 : (H, D_out) float arrays
    loss : "sum" (the assignment's) or "mean"

    Returns
    -------
    loss : float
    grad_w1 : (D_in, H), grad_w2 : (H, D_out), in the inputs' dtype
    """
    check_arrays(x, y, w1, w2)
    check_choice("loss", loss, LOSSES)
    scale = loss_scale(loss, *y.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        value, grad_w1, grad_w2 = backprop(x, y, w1, w2, scale)
    return float(value), grad_w1, grad_w2


def train_numpy(x, y, w1, w2, learning_rate, iterations, loss="sum", dtype="float64",
                validation=None):
    """Plain gradient descent with the hand-written gradients.

    Parameters
    ----------
    x, y, w1, w2 : as for numpy_gradients; never modified (the weights are copied)
    learning_rate : positive finite float
    iterations : int in [1, 100000]
    loss : "sum" or "mean"
    dtype : "float64" or "float32"; the data and weights are cast to it
    validation : (x_val, y_val) held-out rows, whose loss is recorded per iteration

    Returns
    -------
    TrainingRun with method "numpy"
    """
    return start_numpy(x, y, w1, w2, learning_rate, iterations, loss, dtype,
                       validation).finish()


def start_numpy(x, y, w1, w2, learning_rate, iterations, loss="sum", dtype="float64",
                validation=None):
    """The same run as train_numpy, not yet started: a Training to advance in chunks."""
    check_arrays(x, y, w1, w2)
    check_training(learning_rate, iterations, loss, dtype)
    check_validation(validation, x, y)
    method = NumpyMethod(x, y, w1, w2, learning_rate, loss, dtype, validation)
    return Training(method, iterations, validation is not None)


class NumpyMethod:
    """The manual method's state: its own copies of the data and weights, in its dtype."""

    name, device = "numpy", "cpu"

    def __init__(self, x, y, w1, w2, learning_rate, loss, dtype, validation=None):
        self.dtype, self.learning_rate = dtype, learning_rate
        self.x, self.y = np.asarray(x, dtype), np.asarray(y, dtype)  # a cast copies
        self.w1, self.w2 = np.array(w1, dtype), np.array(w2, dtype)  # copies: updated in place
        self.scale = loss_scale(loss, *y.shape)
        if validation is not None:
            x_val, y_val = validation
            self.x_val, self.y_val = np.asarray(x_val, dtype), np.asarray(y_val, dtype)
            self.val_scale = validation_scale(loss, len(y), len(y_val), y.shape[1])

    def descend(self, losses, start, stop):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
            return descend(self.x, self.y, self.w1, self.w2, self.learning_rate, self.scale,
                           losses, start, stop)

    def weights(self):
        return self.w1.copy(), self.w2.copy()

    def evaluate(self):
        with np.errstate(over="ignore", invalid="ignore"):
            y_pred = np.maximum(self.x_val @ self.w1, 0) @ self.w2  # (N_val, D_out)
            return float(squared_error(y_pred, self.y_val, self.val_scale))


def descend(x, y, w1, w2, learning_rate, scale, losses, start, stop):
    """Iterations start..stop-1 of the training loop; updates w1, w2 in place.

    Returns the iteration whose loss was inf/NaN (training stops there), or None.
    """
    for t in range(start, stop):
        losses[t], grad_w1, grad_w2 = backprop(x, y, w1, w2, scale)
        if not math.isfinite(losses[t]):
            return t
        # Gradient descent: a step against the gradient
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return None


def manual_step(x, y, w1, w2, learning_rate, scale):
    """One manual iteration; updates w1, w2 in place and returns (loss, grad_w1, grad_w2)."""
    loss, grad_w1, grad_w2 = backprop(x, y, w1, w2, scale)
    # Gradient descent: a step against the gradient
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
    return loss, grad_w1, grad_w2
