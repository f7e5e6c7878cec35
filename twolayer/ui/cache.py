"""Data, weights and runs from the server's cache, keyed on small values: the seed, the
shapes, the Config (never on arrays: twolayer.serving.cache counts them, it does not hash them).

Every visitor gets the same objects, read-only; a run not yet cached is computed with
a progress bar, in slices that stop when the visitor leaves (twolayer.ui.compute).
"""

from __future__ import annotations

from .. import methods
from ..checking.advice import stable_rate_task
from ..config import Config
from ..data import Dataset, data_key, load
from ..data import weights as initial_weights
from ..i18n import N_, _
from ..tasks import call_task, training_task
from ..training import TrainingRun
from .compute import cached

NAMES = {"numpy": N_("manual backprop (numpy)"), "torch": N_("autograd (torch)")}  # shown: _()


def dataset(config: Config) -> Dataset:
    """The configuration's training and validation rows."""
    return cached(("data", *data_key(config)), lambda: call_task(load, config),
                  _("Preparing the data"))


def weights(config: Config):
    """w1 (D_in, H), w2 (H, D_out): the starting weights of both methods."""
    scaled = config.data != "noise"
    return cached(("weights", config.seed, config.d_in, config.hidden, config.d_out, scaled),
                  lambda: call_task(initial_weights, config), _("Drawing the weights"))


def arrays(config: Config):
    """(x, y, w1, w2) of a configuration: its training rows and starting weights."""
    data = dataset(config)
    return (data.x, data.y, *weights(config))


def training_run(config: Config, method: str, preview=None) -> TrainingRun:
    """One method's run for a configuration ("numpy" or "torch"), with its validation loss
    per iteration when the data has validation rows.

    preview(run): draws the run so far while it trains (when it is not cached yet).
    """
    show = None if preview is None else (lambda training: preview(training.result()))
    return cached(("run", config, method), lambda: training_task(start(config, method)),
                  _("Training with {method}", method=_(NAMES[method])), show)


def start(config: Config, method: str):
    """A Training of one method on the configuration's cached data, not yet started."""
    return methods.start(method, config, arrays(config), dataset(config).validation)


def stable_rate(config: Config) -> float | None:
    """A learning rate that trains where config's diverges (twolayer.checking.advice)."""
    return cached(("stable rate", config), lambda: stable_rate_task(config, arrays(config)),
                  _("Trying smaller learning rates"))
