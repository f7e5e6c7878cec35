"""Training in chunks: either method, advanced some iterations at a time, and the result
of a run (TrainingRun).

Each method's loop (manual.descend, autograd.descend) runs the iterations from
start to stop. This driver calls it chunk by chunk, so that a caller can show
progress, stop when the visitor leaves, or play a run live, and the result is
the same, bit for bit, as one loop from 0 to the end.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


class Method(Protocol):
    """A method's state: its copies of the data and weights, in its own dtype and device."""

    name: str  # "numpy" or "torch"
    dtype: str
    device: str

    def descend(self, losses: np.ndarray, start: int, stop: int) -> int | None:
        """Iterations start..stop-1; the iteration whose loss was inf/NaN, or None."""

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """The current (w1, w2) as numpy arrays of the method's dtype (copies)."""

    def evaluate(self) -> float:
        """The validation loss at the current weights, in the method's own idiom."""


class Training:
    """A run in progress: advance() it until done, then result().

    The first iteration is left out of the timing: it pays for thread pools
    starting, memory being touched and, for torch, kernels being chosen. With
    validation rows, their loss is evaluated before each iteration, outside the
    timing, from the weights that iteration starts from.
    """

    def __init__(self, method: Method, iterations: int, validation: bool = False):
        self.method = method
        self.iterations = iterations
        self.losses = np.full(iterations, np.nan)  # (iterations,): filled as they run
        self.val_losses = np.full(iterations, np.nan) if validation else None
        self.t = 0  # iterations done
        self.diverged_at: int | None = None
        self.seconds = 0.0  # wall time of the timed iterations
        self.timed = 0  # iterations timed: all but the first

    @property
    def done(self) -> bool:
        return self.diverged_at is not None or self.t == self.iterations

    def advance(self, count: int) -> int:
        """Run up to count more iterations (fewer at the end or at a divergence)."""
        if self.done or count < 1:
            return 0
        before = self.t
        stop = min(before + count, self.iterations)
        if self.val_losses is not None:  # one at a time, each after its validation loss
            while not self.done and self.t < stop:
                self.val_losses[self.t] = self.method.evaluate()
                self._run(1, timed=self.t > 0)
            return self.t - before
        if self.t == 0:  # warm-up: one untimed iteration
            self._run(1, timed=False)
        if not self.done and self.t < stop:
            self._run(stop - self.t, timed=True)
        return self.t - before

    def _run(self, count: int, timed: bool) -> None:
        start, stop = self.t, self.t + count
        clock = time.perf_counter()
        diverged = self.method.descend(self.losses, start, stop)
        if diverged is not None:
            self.diverged_at, self.t = diverged, diverged + 1
            return
        if timed:
            self.seconds += time.perf_counter() - clock
            self.timed += count
        self.t = stop

    def finish(self) -> TrainingRun:
        """Run to the end and return the result."""
        self.advance(self.iterations)
        return self.result()

    def result(self) -> TrainingRun:
        """The run so far: losses of the iterations done, the current weights."""
        w1, w2 = self.method.weights()
        val = None if self.val_losses is None else self.val_losses[: self.t].copy()
        return TrainingRun(
            method=self.method.name, losses=self.losses[: self.t].copy(), w1=w1, w2=w2,
            diverged_at=self.diverged_at, seconds=self.seconds, timed_iterations=self.timed,
            dtype=self.method.dtype, device=self.method.device, val_losses=val,
        )


@dataclass(frozen=True, eq=False, kw_only=True)
class TrainingRun:
    """One training run of either method.

    Keyword-only with defaults after the core fields, so new per-iteration
    records can be added without breaking callers.

    Attributes
    ----------
    method : "numpy" or "torch"
    losses : (iterations_run,) float64
        The loss of each iteration, computed before that iteration's update,
        as the assignment prints it. Ends with the inf/NaN entry if the run diverged.
    w1, w2 : final weights, in the run's dtype
    diverged_at : iteration whose loss was inf/NaN (training stopped there), or None
    seconds : wall time of the timed iterations
    timed_iterations : how many iterations seconds covers: all but the first, a warm-up
    dtype, device : where and in which precision it ran
    records : further per-iteration arrays keyed by name (empty unless asked for)
    val_losses : (iterations_run,) the validation loss before each iteration, scaled to
        read like the training loss; None without validation rows
    """

    method: str
    losses: np.ndarray
    w1: np.ndarray
    w2: np.ndarray
    diverged_at: int | None = None
    seconds: float = 0.0
    timed_iterations: int = 0
    dtype: str = "float64"
    device: str = "cpu"
    records: Mapping[str, np.ndarray] = field(default_factory=dict)
    val_losses: np.ndarray | None = None

    @property
    def iterations_run(self) -> int:
        """How many iterations computed a loss (including a diverged one)."""
        return len(self.losses)

    @property
    def finite_losses(self) -> np.ndarray:
        """The losses up to, not including, the divergence: what a chart can draw."""
        return self.losses if self.diverged_at is None else self.losses[: self.diverged_at]

    @property
    def final_loss(self) -> float:
        """The last loss computed (inf/NaN if the run diverged)."""
        return float(self.losses[-1])

    @property
    def final_val_loss(self) -> float | None:
        """The last validation loss, or None without validation rows."""
        return None if self.val_losses is None else float(self.val_losses[-1])

    @property
    def finite_val_losses(self) -> np.ndarray | None:
        """The validation losses up to the divergence, as finite_losses."""
        if self.val_losses is None:
            return None
        return self.val_losses if self.diverged_at is None else self.val_losses[: self.diverged_at]

    @property
    def ms_per_iter(self) -> float | None:
        """Milliseconds per timed iteration; None for a diverged run (its few iterations
        say little) or one too short to time."""
        if self.diverged_at is not None or self.timed_iterations == 0:
            return None
        return 1000.0 * self.seconds / self.timed_iterations
