"""Three lessons beside the lock-step run: the ReLU at zero, the summed loss against the
mean, and a learning-rate sweep."""

from __future__ import annotations

import math

import numpy as np

from .. import data, methods
from ..autograd import one_torch_thread
from ..checking.advice import mean_learning_rate
from ..config import Config
from ..tasks import finish, training_task
from .stepping import (
    Options,
    Pair,
)

RELU_DEMO_ITERATIONS = 50  # enough to see whether w1 ever moves


def relu_zero_demo(config: Config) -> dict[str, dict]:
    """From w1 = 0 (every h is exactly 0), each ReLU convention: does w1 ever move?"""
    with one_torch_thread():
        return finish(relu_zero_task(config))


def relu_zero_task(config: Config, arrays=None):
    """relu_zero_demo() as a task."""
    outcome = {}
    short = config.replace(iterations=min(config.iterations, RELU_DEMO_ITERATIONS))
    conventions = ("relu", "clamp", "maximum")
    total = len(conventions) * short.iterations
    for k, relu in enumerate(conventions):
        pair = Pair(short, Options(relu=relu, zero_w1=True), arrays)
        losses = []
        for t in range(short.iterations):
            losses.append(pair.step()[0])
            yield k * short.iterations + t + 1, total
        outcome[relu] = {"final_loss": losses[-1], "first_loss": losses[0],
                         "max_abs_w1": float(np.max(np.abs(pair.w1))),
                         "max_abs_w1_torch": float(np.max(np.abs(pair.torch_weights()[0])))}
    return outcome


def sum_vs_mean(config: Config):
    """The summed run at lr and the mean run at lr * N * D_out: (run_sum, run_mean)."""
    return finish(sum_vs_mean_task(config))


def sum_vs_mean_task(config: Config, arrays=None):
    """sum_vs_mean() as a task: the two runs one after the other."""
    x, y, w1, w2 = data.arrays(config, arrays)
    mean = config.replace(loss="mean", learning_rate=mean_learning_rate(config))
    runs = []
    for k, variant in enumerate((config.replace(loss="sum"), mean)):
        training = methods.start("numpy", variant, (x, y, w1, w2))
        runs.append((yield from training_task(training, k * config.iterations,
                                              2 * config.iterations)))
    return tuple(runs)


SWEEP_DECADES = (-3, 1.5)  # learning rates from 1e-3 to 10**1.5 times the current one
SWEEP_POINTS = 10


def sweep_rates(config: Config) -> np.ndarray:
    """The learning rates a sweep tries, log-spaced around the current one."""
    center = math.log10(config.learning_rate)
    low, high = SWEEP_DECADES
    return np.logspace(center + low, center + high, SWEEP_POINTS)


def learning_rate_sweep(config: Config, rates: np.ndarray | None = None) -> dict[str, list]:
    """Final loss against learning rate (numpy method); None where training diverged."""
    return finish(sweep_task(config, rates))


def sweep_task(config: Config, rates: np.ndarray | None = None, arrays=None):
    """learning_rate_sweep() as a task; a run that diverges stops there, so the rates past
    the largest stable step cost only a few iterations each."""
    rates = sweep_rates(config) if rates is None else rates
    x, y, w1, w2 = data.arrays(config, arrays)
    finals, diverged = [], []
    total = len(rates) * config.iterations
    for k, rate in enumerate(rates):
        training = methods.start("numpy", config.replace(learning_rate=float(rate)),
                                 (x, y, w1, w2))
        run = yield from training_task(training, k * config.iterations, total)
        finals.append(None if run.diverged_at is not None else run.final_loss)
        diverged.append(run.diverged_at)
    return {"learning_rate": [float(r) for r in rates], "final_loss": finals,
            "diverged_at": diverged}
