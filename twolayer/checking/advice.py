"""What to change when training diverges: a learning rate that trains, found by trying it.

The summed loss's gradient grows with N and D_out, so a step that suits the
assignment's N = 64 can blow up at N = 1024. The mean loss divides the gradient
by N·D_out: at the same learning rate it takes steps N·D_out times smaller and
barely moves, and the step that matches the summed loss's η is η·N·D_out.
"""

from __future__ import annotations

from .. import data, methods
from ..config import Config
from ..i18n import _
from ..tasks import finish, training_task

PROBE_ITERATIONS = 100  # enough to see the early blow-ups; a cheap check, said as such
STEPS_DOWN = 12  # tries η/10, η/100, ... η/1e12; a blow-up is found within a few steps


def mean_learning_rate(config: Config, learning_rate: float | None = None) -> float:
    """The mean loss's step that matches the summed loss's: η·N·D_out."""
    rate = config.learning_rate if learning_rate is None else learning_rate
    return rate * config.n * config.d_out


def stable_learning_rate(config: Config, arrays=None) -> float | None:
    """The largest of η/10, η/100, ... (3 significant digits) whose first iterations (at
    most PROBE_ITERATIONS) with the manual method stay finite and do not raise the loss;
    None if none of them does."""
    return finish(stable_rate_task(config, arrays))


def stable_rate_task(config: Config, arrays=None):
    """stable_learning_rate() as a task: a rate that blows up stops within a few steps."""
    x, y, w1, w2 = data.arrays(config, arrays)
    its = probe_iterations(config)
    for k in range(1, STEPS_DOWN + 1):
        rate = float(f"{config.learning_rate / 10**k:.3g}")
        probe = config.replace(learning_rate=rate, iterations=its)
        training = methods.start("numpy", probe, (x, y, w1, w2))
        run = yield from training_task(training, (k - 1) * its, STEPS_DOWN * its)
        if run.diverged_at is None and run.losses[-1] <= run.losses[0]:
            return rate
    return None


def probe_iterations(config: Config) -> int:
    """How many iterations stable_learning_rate checks a rate over."""
    return min(config.iterations, PROBE_ITERATIONS)


def divergence_advice(config: Config, suggestion: float | None) -> str:
    """What to change, in words: the rate that trains, and the mean loss's matching rate."""
    its = probe_iterations(config)
    if suggestion is None:
        return _("No learning rate down to η/1e{steps} trained over the first {its} "
                 "iterations: check the sizes and the data.", steps=STEPS_DOWN, its=its)
    if config.loss != "sum":
        return _("η = {rate:g} is too large a step here; η = {suggestion:g} trains (checked "
                 "over the first {its} iterations).", rate=config.learning_rate,
                 suggestion=suggestion, its=its)
    return _("η = {rate:g} is too large a step here; η = {suggestion:g} trains (checked over "
             "the first {its} iterations). With the mean loss, whose gradient is N·D_out = "
             "{factor:,} times smaller, the matching step is η·N·D_out = {matching:g}; at the "
             "same η it would barely move.", rate=config.learning_rate, suggestion=suggestion,
             its=its, factor=config.n * config.d_out,
             matching=mean_learning_rate(config, suggestion))
