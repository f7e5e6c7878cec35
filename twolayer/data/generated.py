"""Data a network can learn: a teacher network, and a sine curve.

Both draw their training rows and a held-out validation set from the same source,
so that the validation loss says whether the network learned the source or only
memorized its rows.
"""

from __future__ import annotations

import numpy as np

from .assignment import TEACHER_STREAM, VALIDATION_STREAM, rng


def teacher_weights(seed: int, d_in: int, hidden: int, d_out: int):
    """A fixed two-layer ReLU network, its own stream of the seed: W1 (D_in, H_t), W2 (H_t,
    D_out), scaled so that its outputs are of order 1 for standard normal inputs."""
    stream = rng(seed, TEACHER_STREAM)
    w1 = stream.standard_normal((d_in, hidden)) / np.sqrt(d_in)  # (D_in, H_t)
    w2 = stream.standard_normal((hidden, d_out)) * np.sqrt(2.0 / hidden)  # (H_t, D_out)
    return w1, w2


def teacher_rows(stream: np.random.Generator, rows: int, teacher, noise: float):
    """x standard normal, y = relu(x @ W1) @ W2 + noise · N(0, 1)."""
    w1, w2 = teacher
    x = stream.standard_normal((rows, w1.shape[0]))  # (rows, D_in)
    y = np.maximum(x @ w1, 0) @ w2  # (rows, D_out)
    return x, y + noise * stream.standard_normal(y.shape)


def sine_rows(stream: np.random.Generator, rows: int, noise: float):
    """t uniform on [-π, π]; x = [t, 1] (the constant column is the bias); y = sin t + noise."""
    t = stream.uniform(-np.pi, np.pi, rows)  # (rows,)
    x = np.stack([t, np.ones(rows)], axis=1)  # (rows, 2)
    y = (np.sin(t) + noise * stream.standard_normal(rows))[:, None]  # (rows, 1)
    return x, y


def sine_grid(points: int = 400):
    """A dense grid of t on [-π, π] as inputs [t, 1], to draw the fitted curve."""
    t = np.linspace(-np.pi, np.pi, points)
    return t, np.stack([t, np.ones(points)], axis=1)


def generated(kind: str, seed: int, n: int, n_val: int, d_in: int, d_out: int,
              teacher_hidden: int, noise: float):
    """(x, y, x_val, y_val) of a generated kind; training and validation rows come from
    separate streams, so the validation set does not change when N does."""
    train, held_out = rng(seed, 0), rng(seed, VALIDATION_STREAM)
    if kind == "teacher":
        teacher = teacher_weights(seed, d_in, teacher_hidden, d_out)
        return (*teacher_rows(train, n, teacher, noise),
                *teacher_rows(held_out, n_val, teacher, noise))
    return (*sine_rows(train, n, noise), *sine_rows(held_out, n_val, noise))
