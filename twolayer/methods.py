"""Both methods by name, from a configuration: start either one, train it, or run both
together live.

This is the one place a configuration becomes a method's run: its data and initial
weights (twolayer.data), its step, length, loss, dtype and device. A live run advances
both methods a few iterations at a time from the same weights, so that their curves can
be watched as they grow; each is a Training stepped in chunks, so a live run that reaches
its end is, bit for bit, the run trained in one go.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import data
from .autograd import start_torch
from .config import Config
from .manual import start_numpy
from .training import Training, TrainingRun

METHODS = ("numpy", "torch")  # method 1 (by hand) and method 2 (autograd)


def start(method: str, config: Config, arrays=None, validation=None) -> Training:
    """A Training of one method ("numpy" or "torch") on a configuration's data and weights
    (or on arrays (x, y, w1, w2) given), not yet started; validation: (x_val, y_val) rows
    whose loss is recorded per iteration."""
    args = (*data.arrays(config, arrays), config.learning_rate, config.iterations,
            config.loss, config.dtype)
    if method == "numpy":
        return start_numpy(*args, validation=validation)
    if method == "torch":
        return start_torch(*args, device=config.device, validation=validation)
    raise ValueError(f"method must be 'numpy' or 'torch', got {method!r}")


def train(method: str, config: Config, arrays=None, validation=None) -> TrainingRun:
    """One method trained to its end (see start)."""
    return start(method, config, arrays, validation).finish()


@dataclass(eq=False)
class LiveRun:
    """The two methods' Trainings of one configuration, kept in step."""

    config: Config
    numpy: Training
    torch: Training

    @property
    def t(self) -> int:
        """Iterations both methods have done."""
        return min(self.numpy.t, self.torch.t)

    @property
    def total(self) -> int:
        return self.config.iterations

    @property
    def done(self) -> bool:
        """Both reached the end, or stopped at a divergence."""
        return self.numpy.done and self.torch.done

    def advance(self, count: int) -> int:
        """Up to count more iterations of each method; how many the slower one took."""
        before = self.t
        self.numpy.advance(count)
        self.torch.advance(count)
        return self.t - before

    def runs(self) -> tuple[TrainingRun, TrainingRun]:
        """Both methods' runs so far (the finished runs once done)."""
        return self.numpy.result(), self.torch.result()


def start_live(config: Config, arrays=None, validation=None) -> LiveRun:
    """A live run of a configuration at iteration 0 (from arrays (x, y, w1, w2), if given)."""
    arrays = data.arrays(config, arrays)
    return LiveRun(config, *(start(m, config, arrays, validation) for m in METHODS))
