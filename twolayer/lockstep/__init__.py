"""The Lock-step explorer: both methods stepped side by side, each in its own dtype and
with a variant (a ReLU convention at 0, an injected bug), and the lessons beside it.

- stepping: the two methods iteration by iteration, and every difference between them
- gradcheck: manual vs autograd vs finite differences at one iteration
- lessons: the ReLU at zero, the summed loss against the mean, a learning-rate sweep
"""

from .gradcheck import gradcheck_task, lockstep_gradcheck
from .lessons import (
    SWEEP_POINTS,
    learning_rate_sweep,
    relu_zero_demo,
    relu_zero_task,
    sum_vs_mean,
    sum_vs_mean_task,
    sweep_rates,
    sweep_task,
)
from .stepping import DIFFERENCES, PLAIN, RECORDS, Lockstep, Options, Pair, lockstep, lockstep_task

__all__ = ["DIFFERENCES", "PLAIN", "RECORDS", "SWEEP_POINTS", "Lockstep", "Options", "Pair",
           "gradcheck_task", "learning_rate_sweep", "lockstep", "lockstep_gradcheck",
           "lockstep_task", "relu_zero_demo", "relu_zero_task", "sum_vs_mean",
           "sum_vs_mean_task", "sweep_rates", "sweep_task"]
