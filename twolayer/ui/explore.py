"""Streamlit pieces of the Lock-step page: its controls, cached runs, highlighted listings."""

from __future__ import annotations

import html
import math

import streamlit as st

from ..config import DTYPES, Config
from ..lockstep import (
    Lockstep,
    Options,
    learning_rate_sweep,
    lockstep,
    lockstep_gradcheck,
    relu_zero_demo,
    sum_vs_mean,
)
from ..variants import BUGS, RELU_CONVENTIONS, Listing


def lockstep_controls(config: Config) -> Options:
    """Each method's dtype, the ReLU convention and an injected bug, chosen on the page."""
    dtype_numpy, dtype_torch, relu, bug = st.columns(4)
    default = DTYPES.index(config.dtype)
    return Options(
        dtype_numpy=dtype_numpy.selectbox("dtype, manual (numpy)", DTYPES, index=default,
                                          key="ls_dtype_numpy"),
        dtype_torch=dtype_torch.selectbox("dtype, autograd (torch)", DTYPES, index=default,
                                          key="ls_dtype_torch"),
        relu=relu.selectbox("ReLU derivative at h = 0", tuple(RELU_CONVENTIONS),
                            format_func=lambda k: RELU_CONVENTIONS[k].label, key="ls_relu"),
        bug=bug.selectbox("Inject a bug (for teachers)", tuple(BUGS),
                          format_func=lambda k: BUGS[k].label, key="ls_bug"),
    )


@st.cache_data(max_entries=16, show_spinner="Stepping both methods side by side…")
def cached_lockstep(config: Config, options: Options) -> Lockstep:
    return lockstep(config, options)


@st.cache_data(max_entries=32, show_spinner="Checking gradients…")
def cached_gradcheck(config: Config, options: Options, at_iteration: int) -> dict:
    return lockstep_gradcheck(config, options, at_iteration)


@st.cache_data(max_entries=8, show_spinner="Training from w1 = 0 with each convention…")
def cached_relu_zero(config: Config) -> dict:
    return relu_zero_demo(config)


@st.cache_data(max_entries=8, show_spinner="Training with the sum and the mean loss…")
def cached_sum_vs_mean(config: Config):
    return sum_vs_mean(config)


@st.cache_data(max_entries=8, show_spinner="Sweeping the learning rate…")
def cached_sweep(config: Config) -> dict:
    return learning_rate_sweep(config)


def show_listings(listings: dict[str, Listing], names: tuple[str, ...]) -> None:
    """The code that ran, with the lines a variant changed highlighted."""
    blocks = []
    for name in names:
        listing = listings[name]
        lines = []
        for index, line in enumerate(listing.source.splitlines()):
            text = html.escape(line) or " "
            if index in listing.changed:
                text = f'<mark style="background:#ffd5d5;display:block">{text}</mark>'
            lines.append(text)
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks)
    st.html(f'<pre style="font-size:0.85rem;line-height:1.35;background:#f7f7f9;'
            f'padding:0.8rem;border-radius:0.4rem;overflow-x:auto">{body}</pre>')


CHECK_PAIRS = (("manual_vs_autograd", "manual vs autograd"),
               ("manual_vs_numeric", "manual vs finite differences"),
               ("autograd_vs_numeric", "autograd vs finite differences"))


def check_tolerance(options: Options) -> float:
    """What a relative error may reach and still pass: float32 keeps ~7 digits."""
    return 1e-6 if options.dtype_numpy == options.dtype_torch == "float64" else 1e-3


def gradcheck_badges(check: dict, tolerance: float) -> None:
    """One badge per comparison and matrix: green within tolerance, red beyond."""
    for name in ("w1", "w2"):
        for col, (pair, label) in zip(st.columns(3), CHECK_PAIRS, strict=True):
            with col:
                error_badge(f"{name}: {label}", check[f"rel_err_{pair}_{name}"], tolerance)


def error_badge(label: str, value: float | None, tolerance: float) -> None:
    """A green badge when a relative error is within tolerance, red when not, gray if unknown."""
    if value is None or math.isnan(value):
        st.badge(f"{label}: — (not finite: the run diverged)", color="gray")
        return
    ok = value <= tolerance
    st.badge(f"{label}: {value:.1e}", color="green" if ok else "red",
             icon=":material/check:" if ok else ":material/close:")
