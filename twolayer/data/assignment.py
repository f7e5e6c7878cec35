"""The assignment's data and initial weights: standard normal, drawn from separate streams."""

from __future__ import annotations

import numpy as np

from ..config import MAX_SEED, MAX_SIZE, check_int, check_memory
from ..i18n import N_

# Separate streams of one seed: changing H does not change the data, changing N does
# not change the weights, and a teacher network or a validation set has its own.
DATA_STREAM, WEIGHTS_STREAM, TEACHER_STREAM, VALIDATION_STREAM, SPLIT_STREAM = range(5)


def rng(seed: int, stream: int) -> np.random.Generator:
    """The random generator of one stream of a seed."""
    check_int("seed", seed, 0, MAX_SEED)
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(stream,)))


def make_dataset(seed: int, n: int, d_in: int, d_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw the regression data, as the assignment does with np.random.randn.

    Parameters
    ----------
    seed : int in [0, 2**32 - 1]
    n, d_in, d_out : int in [1, 100000]
        N, D_in and D_out of the assignment.

    Returns
    -------
    x : (n, d_in) float64, standard normal
    y : (n, d_out) float64, standard normal
    """
    for name, value in (("n", n), ("d_in", d_in), ("d_out", d_out)):
        check_int(name, value, 1, MAX_SIZE)
    check_memory(8 * n * (d_in + d_out), N_("the data set x, y"))
    stream = rng(seed, DATA_STREAM)
    x = stream.standard_normal((n, d_in))  # (N, D_in)
    y = stream.standard_normal((n, d_out))  # (N, D_out)
    return x, y


def init_weights(seed: int, d_in: int, hidden: int, d_out: int,
                 scaled: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Draw the initial weights, standard normal as in the assignment.

    Parameters
    ----------
    seed : int in [0, 2**32 - 1]
    d_in, hidden, d_out : int in [1, 100000]
    scaled : False for the assignment's N(0, 1); True to scale w1 by 1/sqrt(D_in) and w2
        by sqrt(2/H) (He's initialization), so that y_pred starts at the scale of data
        that a network can learn instead of at ±30 (the same draws, multiplied)

    Returns
    -------
    w1 : (d_in, hidden) float64
    w2 : (hidden, d_out) float64
    """
    for name, value in (("d_in", d_in), ("hidden", hidden), ("d_out", d_out)):
        check_int(name, value, 1, MAX_SIZE)
    check_memory(8 * hidden * (d_in + d_out), N_("the weights w1, w2"))
    stream = rng(seed, WEIGHTS_STREAM)
    w1 = stream.standard_normal((d_in, hidden))  # (D_in, H)
    w2 = stream.standard_normal((hidden, d_out))  # (H, D_out)
    if scaled:
        w1 /= np.sqrt(d_in)
        w2 *= np.sqrt(2.0 / hidden)
    return w1, w2
