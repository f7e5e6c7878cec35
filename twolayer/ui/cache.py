"""Cached data, weights and runs, keyed on small values: the seed, the shapes, the Config.

Never keyed on arrays: Streamlit hashes large arrays from a sample, so two
different arrays could share a key. max_entries bounds the memory that many
visitors' configurations can take.
"""

from __future__ import annotations

import streamlit as st

from ..advice import stable_learning_rate
from ..compare import train
from ..config import Config
from ..data import init_weights, make_dataset
from ..run import TrainingRun


@st.cache_data(max_entries=16, show_spinner=False)
def dataset(seed: int, n: int, d_in: int, d_out: int):
    """x (N, D_in), y (N, D_out) for a seed and shape."""
    return make_dataset(seed, n, d_in, d_out)


@st.cache_data(max_entries=16, show_spinner=False)
def initial_weights(seed: int, d_in: int, hidden: int, d_out: int):
    """w1 (D_in, H), w2 (H, D_out) for a seed and shape."""
    return init_weights(seed, d_in, hidden, d_out)


@st.cache_data(max_entries=32, show_spinner="Training the network…")
def training_run(config: Config, method: str) -> TrainingRun:
    """One method's run for a configuration ("numpy" or "torch")."""
    x, y = dataset(config.seed, config.n, config.d_in, config.d_out)
    w1, w2 = initial_weights(config.seed, config.d_in, config.hidden, config.d_out)
    return train(method, config, (x, y, w1, w2))


@st.cache_data(max_entries=32, show_spinner="Trying smaller learning rates…")
def stable_rate(config: Config) -> float | None:
    """A learning rate that trains where config's diverges (twolayer.advice)."""
    x, y = dataset(config.seed, config.n, config.d_in, config.d_out)
    w1, w2 = initial_weights(config.seed, config.d_in, config.hidden, config.d_out)
    return stable_learning_rate(config, (x, y, w1, w2))
