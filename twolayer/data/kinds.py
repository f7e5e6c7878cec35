"""One configuration's data, whatever its kind: training rows, validation rows, weights."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import KINDS, Config, check_memory, validation_rows
from ..i18n import N_, _
from .assignment import init_weights, make_dataset
from .generated import generated
from .table import parse, register, registered, select

# With N raised and the noise up, the teacher's validation loss reaches the noise floor.
TEACHER_LEARNS = {"n": 2000, "d_in": 20, "learning_rate": 3e-5, "iterations": 1000,
                  "noise": 0.3}


def preset(config: Config, kind: str) -> Config:
    """The configuration switched to a data kind, with that kind's starting values."""
    return config.replace(data=kind, **KINDS[kind].preset)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Training rows x (N, D_in), y (N, D_out), and validation rows (None for the noise).

    scaling: for a CSV, each chosen column's mean and std over the training rows
    (what was subtracted and divided), to read predictions back in the file's units.
    """

    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    scaling: dict = field(default_factory=dict)

    @property
    def validation(self):
        """(x_val, y_val), or None when nothing was held out."""
        return None if self.x_val is None else (self.x_val, self.y_val)


def data_key(config: Config) -> tuple:
    """The fields that decide a configuration's data: a small cache key (a CSV by its
    digest, never its bytes)."""
    if config.data == "noise":
        return ("noise", config.seed, config.n, config.d_in, config.d_out)
    if config.data == "csv":
        return ("csv", config.csv, config.inputs, config.targets, config.validation,
                config.standardize, config.seed)
    teacher_hidden = config.teacher_hidden or config.hidden if config.data == "teacher" else 0
    return (config.data, config.seed, config.n, config.d_in, config.d_out, config.noise,
            config.validation, teacher_hidden)


def load(config: Config) -> Dataset:
    """The data a configuration stands for (a CSV must have been registered)."""
    if config.data == "noise":
        return Dataset(*make_dataset(config.seed, config.n, config.d_in, config.d_out))
    if config.data == "csv":
        return _csv(config)
    n_val = validation_rows(config)
    check_memory(8 * (config.n + n_val) * (config.d_in + config.d_out),
                 N_("the data set x, y"))
    hidden = config.teacher_hidden or config.hidden
    x, y, x_val, y_val = generated(config.data, config.seed, config.n, n_val, config.d_in,
                                   config.d_out, hidden, config.noise)
    return Dataset(x, y, *((x_val, y_val) if n_val else (None, None)))


def _csv(config: Config) -> Dataset:
    split = select(parse(registered(config.csv)), config.inputs, config.targets,
                   config.validation, config.standardize, config.seed)
    if len(split.x) != config.n:
        raise ValueError(_("the CSV gives N = {rows} training rows, the configuration says "
                           "{n}", rows=len(split.x), n=config.n))
    return Dataset(split.x, split.y, split.x_val, split.y_val,
                   {"means": split.means, "stds": split.stds})


def with_csv(config: Config, raw: bytes, inputs: tuple[str, ...],
             targets: tuple[str, ...]) -> Config:
    """The configuration for a CSV file and its chosen columns: the file registered by its
    digest, N its training rows, D_in its inputs plus the bias, D_out its targets.
    Raises ValueError saying what is wrong with the file or the choice."""
    key = register(raw)
    config = config.replace(data="csv", csv=key, inputs=tuple(inputs), targets=tuple(targets))
    split = select(parse(raw), config.inputs, config.targets, config.validation,
                   config.standardize, config.seed)
    return config.replace(n=len(split.x), d_in=split.x.shape[1], d_out=split.y.shape[1])


CSV_STEP = 0.02  # over N: a CSV's learning rate, 1e-4 for 200 rows, as the sine's


def csv_learning_rate(n: int) -> float:
    """A step that suits N standardized rows with the summed loss: its curvature grows with
    N (CSV_STEP / N)."""
    return float(f"{CSV_STEP / n:.2g}")


def arrays(config: Config, given=None) -> tuple:
    """(x, y, w1, w2): those given, else the training data and initial weights a
    configuration stands for."""
    if given is not None:
        return tuple(given)
    dataset = load(config.validated())
    return (dataset.x, dataset.y, *weights(config))


def weights(config: Config) -> tuple[np.ndarray, np.ndarray]:
    """The initial weights: the assignment's N(0, 1) for its noise, scaled (He) for data a
    network can learn, so that training starts at the data's scale."""
    return init_weights(config.seed, config.d_in, config.hidden, config.d_out,
                        scaled=config.data != "noise")
