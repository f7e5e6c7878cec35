"""Data, weights and runs from the server's cache, keyed on small values: the seed, the
shapes, the Config (never on arrays: twolayer.store counts them, it does not hash them).

Every visitor gets the same objects, read-only; a run not yet cached is computed with
a progress bar, in slices that stop when the visitor leaves (twolayer.ui.work).
"""

from __future__ import annotations

from ..advice import stable_rate_task
from ..autograd import start_torch
from ..config import Config
from ..data import init_weights, make_dataset
from ..manual import start_numpy
from ..run import TrainingRun
from ..tasks import call_task, training_task
from .work import cached

NAMES = {"numpy": "manual backprop (numpy)", "torch": "autograd (torch)"}


def dataset(seed: int, n: int, d_in: int, d_out: int):
    """x (N, D_in), y (N, D_out) for a seed and shape."""
    return cached(("data", seed, n, d_in, d_out),
                  lambda: call_task(make_dataset, seed, n, d_in, d_out), "Drawing the data")


def initial_weights(seed: int, d_in: int, hidden: int, d_out: int):
    """w1 (D_in, H), w2 (H, D_out) for a seed and shape."""
    return cached(("weights", seed, d_in, hidden, d_out),
                  lambda: call_task(init_weights, seed, d_in, hidden, d_out),
                  "Drawing the weights")


def arrays(config: Config):
    """(x, y, w1, w2) of a configuration."""
    x, y = dataset(config.seed, config.n, config.d_in, config.d_out)
    return (x, y, *initial_weights(config.seed, config.d_in, config.hidden, config.d_out))


def training_run(config: Config, method: str, preview=None) -> TrainingRun:
    """One method's run for a configuration ("numpy" or "torch").

    preview(run): draws the run so far while it trains (when it is not cached yet).
    """
    show = None if preview is None else (lambda training: preview(training.result()))
    return cached(("run", config, method), lambda: training_task(start(config, method)),
                  f"Training with {NAMES[method]}", show)


def start(config: Config, method: str):
    """A Training of one method on the configuration's data, not yet started."""
    args = (*arrays(config), config.learning_rate, config.iterations, config.loss,
            config.dtype)
    if method == "numpy":
        return start_numpy(*args)
    return start_torch(*args, device=config.device)


def stable_rate(config: Config) -> float | None:
    """A learning rate that trains where config's diverges (twolayer.advice)."""
    return cached(("stable rate", config), lambda: stable_rate_task(config, arrays(config)),
                  "Trying smaller learning rates")
