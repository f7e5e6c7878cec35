"""A live run: both methods advanced together, a few iterations at a time, from the same
weights, so that their curves can be watched as they grow.

Each method is a Training (twolayer.training) stepped in chunks, so a live run that
reaches its end is, bit for bit, the run trained in one go: the same losses, the same
weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from .autograd import start_torch
from .config import Config
from .manual import start_numpy
from .run import TrainingRun
from .training import Training


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


def start_live(config: Config, arrays, validation=None) -> LiveRun:
    """A live run of a configuration at iteration 0, from (x, y, w1, w2)."""
    args = (*arrays, config.learning_rate, config.iterations, config.loss, config.dtype)
    return LiveRun(config, start_numpy(*args, validation=validation),
                   start_torch(*args, device=config.device, validation=validation))
