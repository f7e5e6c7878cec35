"""twolayer: a two-layer ReLU network trained by hand-written backprop and by autograd.

Importing this package loads numpy only: the autograd functions import torch
when they are first called.
"""

from .autograd import torch_gradients, train_torch
from .config import DEVICES, DTYPES, LOSSES, Config, estimate_bytes, validate
from .data import init_weights, make_dataset
from .loss import loss_scale, squared_error
from .manual import numpy_gradients, train_numpy
from .run import TrainingRun

__all__ = [
    "DEVICES",
    "DTYPES",
    "LOSSES",
    "Config",
    "TrainingRun",
    "estimate_bytes",
    "init_weights",
    "loss_scale",
    "make_dataset",
    "numpy_gradients",
    "squared_error",
    "torch_gradients",
    "train_numpy",
    "train_torch",
    "validate",
]
