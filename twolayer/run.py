"""The result of a training run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


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
