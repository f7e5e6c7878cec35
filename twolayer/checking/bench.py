"""Benchmark: each method against its floor, the same arithmetic as bare array operations."""

from __future__ import annotations

import statistics
import time

import numpy as np

from ..config import Config, check_int
from ..data import arrays as config_arrays
from ..methods import train


def numpy_floor(x, y, w1, w2, learning_rate, iterations):
    """The manual method's arithmetic and nothing else: no checks, no recording."""
    w1, w2 = w1.copy(), w2.copy()
    for _ in range(iterations):
        h = x @ w1
        h_relu = np.maximum(h, 0)
        y_pred = h_relu @ w2
        loss = ((y_pred - y) ** 2).sum()  # noqa: F841 - computed, as the method does
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T @ grad_y_pred
        grad_h = (grad_y_pred @ w2.T) * (h > 0)
        grad_w1 = x.T @ grad_h
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2


def torch_floor(x, y, w1, w2, learning_rate, iterations):
    """The same arithmetic by hand in torch: the floor for autograd's bookkeeping."""
    import torch

    x, y, w1, w2 = (torch.tensor(a) for a in (x, y, w1, w2))
    with torch.no_grad():
        for _ in range(iterations):
            h = x @ w1
            h_relu = torch.relu(h)
            y_pred = h_relu @ w2
            loss = ((y_pred - y) ** 2).sum()  # noqa: F841 - computed, as the method does
            grad_y_pred = 2.0 * (y_pred - y)
            grad_w2 = h_relu.T @ grad_y_pred
            grad_h = (grad_y_pred @ w2.T) * (h > 0)
            grad_w1 = x.T @ grad_h
            w1.sub_(grad_w1, alpha=learning_rate)
            w2.sub_(grad_w2, alpha=learning_rate)


def _ms_per_iter(fn, iterations: int) -> float:
    start = time.perf_counter()
    fn()
    return 1000.0 * (time.perf_counter() - start) / iterations


def bench(config: Config, repeats: int = 5) -> dict:
    """Median ms/iteration of each method and its floor, measured interleaved in one process.

    Uses the configuration's sizes and iterations in float64 on the CPU, with the
    summed loss (what the floors compute).
    """
    check_int("repeats", repeats, 1, 100)
    config = config.replace(dtype="float64", loss="sum", device="cpu").validated()
    arrays = config_arrays(config)
    lr, its = config.learning_rate, config.iterations
    pairs = {
        "numpy": (lambda: train("numpy", config, arrays), lambda: numpy_floor(*arrays, lr, its)),
        "torch": (lambda: train("torch", config, arrays), lambda: torch_floor(*arrays, lr, its)),
    }
    times = {}
    # One library at a time: numpy's BLAS threads spin for a while after their
    # work and would slow down torch's threads if the two were interleaved.
    for name, (method, floor) in pairs.items():
        method(), floor()  # warm up: imports, thread pools, caches
        times[name], times[name + "_floor"] = [], []
        for _ in range(repeats):
            times[name].append(_ms_per_iter(method, its))
            times[name + "_floor"].append(_ms_per_iter(floor, its))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "config": config.as_dict(),
        "repeats": repeats,
        "ms_per_iter": medians,
        "ratio_numpy": medians["numpy"] / medians["numpy_floor"],
        "ratio_torch": medians["torch"] / medians["torch_floor"],
    }
