"""The data set and the initial weights, drawn once and shared by both methods."""

from __future__ import annotations

import numpy as np

from .config import MAX_SEED, MAX_SIZE, check_int, check_memory

# Separate streams of one seed: changing H does not change the data, and
# changing N does not change the weights.
DATA_STREAM, WEIGHTS_STREAM = 0, 1


def _rng(seed: int, stream: int) -> np.random.Generator:
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
    check_memory(8 * n * (d_in + d_out), "the data set x, y")
    rng = _rng(seed, DATA_STREAM)
    x = rng.standard_normal((n, d_in))  # (N, D_in)
    y = rng.standard_normal((n, d_out))  # (N, D_out)
    return x, y


def init_weights(seed: int, d_in: int, hidden: int, d_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw the initial weights, standard normal as in the assignment.

    Parameters
    ----------
    seed : int in [0, 2**32 - 1]
    d_in, hidden, d_out : int in [1, 100000]

    Returns
    -------
    w1 : (d_in, hidden) float64
    w2 : (hidden, d_out) float64
    """
    for name, value in (("d_in", d_in), ("hidden", hidden), ("d_out", d_out)):
        check_int(name, value, 1, MAX_SIZE)
    check_memory(8 * hidden * (d_in + d_out), "the weights w1, w2")
    rng = _rng(seed, WEIGHTS_STREAM)
    w1 = rng.standard_normal((d_in, hidden))  # (D_in, H)
    w2 = rng.standard_normal((hidden, d_out))  # (H, D_out)
    return w1, w2
