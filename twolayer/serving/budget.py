"""The compute a run needs, estimated before it starts, and the budget that bounds it.

Beside the memory guard: a shared server must not let one request occupy it for
minutes. A run's time is estimated from its floating-point operations at a
stated rate, plus a fixed cost per iteration, and refused up front when it would
exceed the budget.
"""

from __future__ import annotations

import math
import os

from ..config import Config, positive_number
from ..i18n import _

# One core in float64, a little under what this project's 2-core development machine
# reaches at the default sizes (26-32 GFLOP/s per core): estimates err on the long side.
RATE = 25e9  # floating-point operations per second
OVERHEAD = 2.5e-4  # seconds per iteration and method: Python, and autograd's bookkeeping
DEFAULT_APP_BUDGET = 20.0  # seconds of compute a page view may ask for
DEFAULT_CLI_BUDGET = 3600.0  # the command line is one user's own machine: an hour
COMPUTE_BUDGET_ENV = "TWOLAYER_COMPUTE_BUDGET_S"


def iteration_flops(n: int, d_in: int, hidden: int, d_out: int) -> float:
    """Floating-point operations of one forward and backward pass and update.

    The products x @ w1 and x.T @ grad_h (2·N·D_in·H each) dominate; the others are
    2·N·H·D_out each (three of them), and the elementwise lines a few per entry.
    """
    products = 4 * n * d_in * hidden + 6 * n * hidden * d_out
    elementwise = 10 * n * (hidden + d_out) + 4 * hidden * (d_in + d_out)
    return float(products + elementwise)


def iteration_seconds(config: Config) -> float:
    """Estimated seconds of one iteration of one method."""
    flops = iteration_flops(config.n, config.d_in, config.hidden, config.d_out)
    return flops / RATE + OVERHEAD


def run_seconds(config: Config, runs: float = 1.0) -> float:
    """Estimated seconds of `runs` whole runs (one method, config.iterations each)."""
    return runs * config.iterations * iteration_seconds(config)


def compute_budget(budget: float | None = None, default: float = DEFAULT_APP_BUDGET) -> float:
    """The budget in seconds: the argument, else $TWOLAYER_COMPUTE_BUDGET_S, else default."""
    if budget is None:
        raw = os.environ.get(COMPUTE_BUDGET_ENV)
        if raw is None:
            return default
        return budget_from_text(raw, COMPUTE_BUDGET_ENV)
    if not (isinstance(budget, int | float) and math.isfinite(budget) and budget > 0):
        raise ValueError(f"the compute budget must be a positive number of seconds, "
                         f"got {budget!r}")
    return float(budget)


def budget_from_text(raw, name: str) -> float:
    """Seconds from text (or a number), or a ValueError naming its source."""
    return positive_number(raw, name, "seconds")


def check_compute(config: Config, runs: float, what: str, budget: float | None = None,
                  default: float = DEFAULT_APP_BUDGET) -> float:
    """Raise ValueError when `runs` whole runs of config would exceed the compute budget,
    saying how long they would take and how many iterations would fit; else the estimate."""
    needed = run_seconds(config, runs)
    limit = compute_budget(budget, default)
    if needed > limit:
        fits = max(1, int(limit / (runs * iteration_seconds(config))))
        raise ValueError(_(
            "{what} would take about {needed:,.0f} s of compute ({runs:g} × {iterations:,} "
            "iterations of {ms:.3g} ms), over the budget of {limit:g} s; use at most "
            "{fits:,} iterations or smaller sizes (n, d_in, hidden, d_out)",
            what=_(what), needed=needed, runs=runs, iterations=config.iterations,
            ms=iteration_seconds(config) * 1e3, limit=limit, fits=fits))
    return needed
