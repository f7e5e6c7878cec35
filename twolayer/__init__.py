"""twolayer: a two-layer ReLU network trained by hand-written backprop and by autograd.

The lesson, at the top:
- config: the run configuration, each field declared once, and its validation
- data/: the assignment's noise, a teacher network, a sine curve, your CSV; the weights
- loss: the (scaled) sum of squared errors, defined once for both methods
- manual, autograd: method 1 (numpy, gradients by hand) and method 2 (PyTorch autograd)
- training: either method advanced in chunks, and a run's result (TrainingRun)
- methods: both methods by name from a configuration, and the two run live together
- variants: the methods' ReLU conventions at 0 and classic bugs, as patched source
- tasks: long computations as generators that yield their progress

One subpackage per capability, each opening with its own map:
- checking/: do the methods agree (rounding bounds, gradient checks), advice, benchmark
- graph/, lockstep/, exercise/: the Computational Graph page's, the Lock-step explorer's
  and the Exercise page's machinery (the checker of students' code)
- grading/: a class graded at once: zips read in memory, the gradebook, feedback, similar code
- question/: the assignment's question 1, a student's computational graph read and checked
- outputs/: Plotly figures and downloadable files
- serving/: compute budgets, the shared cache, thread limits
- i18n/: English and Chinese: the session's language, the catalogs (.po) and their marks
- ui/: the Streamlit layer, the only one that imports Streamlit; cli: python -m twolayer

Importing this package loads numpy only: the autograd functions import torch
when they are first called.
"""

from .autograd import torch_gradients, train_torch
from .config import DEVICES, DTYPES, LOSSES, Config, estimate_bytes, validate
from .data import init_weights, make_dataset
from .loss import loss_scale, squared_error
from .manual import numpy_gradients, train_numpy
from .training import TrainingRun

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
