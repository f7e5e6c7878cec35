"""Pieces of the Comparison page: its tabs and the sentence that says how far apart the
two methods ended."""

from __future__ import annotations

import streamlit as st

from ..config import Config
from ..training import TrainingRun
from . import options as page_options
from .shared import data_view

# Only the open tab runs and is sent to the browser: a class opening the page at once gets
# two charts each, not four charts, a table and the live controls (README, "A class on one
# server").
TABS = {"curves": "Loss curves", "agree": "Do they agree?", "live": "Watch it train"}
OPTIONS = (page_options.Option("tab", "curves", tuple(TABS)),)  # in the URL: a link opens it


def tabs():
    """The page's tabs, each with .open: True for the one chosen (in the URL as tab=)."""
    return page_options.tabs("tab", TABS)


def agreement(summary: dict, iterations: int) -> None:
    """The largest relative loss difference in one sentence, below the curves."""
    largest = summary["max_rel_loss_diff"]
    if largest is None or summary["diverged_at_numpy"] is not None \
            or summary["diverged_at_torch"] is not None:
        return  # the divergence notice above says what happened
    st.markdown(
        f"**Do they agree?** Over {iterations:,} iterations the two losses differ by at most "
        f"{largest:.1e} of their value; they end at {summary['final_loss_numpy']:.6g} "
        f"(manual) and {summary['final_loss_torch']:.6g} (autograd). The next tab overlays "
        "them, plots the difference and has the figures and downloads."
    )


def notes(config: Config, run_numpy: TrainingRun, run_torch: TrainingRun) -> None:
    """Below the curves: why the assignment's own two runs differ, or what the network
    learned of data that can be learned; and what the mean loss does to the step."""
    if config.data == "noise":
        st.info(
            "Why do the assignment's two printed runs differ (33681168.85… vs 28156636.0 at "
            "t=0)? Each method drew its own random initial weights, and method 2 ran in "
            "float32. Here both start from the same w1 and w2, and in float64 they agree to "
            "float precision."
        )
    else:
        data_view(config, run_numpy, run_torch)
    if config.loss == "mean":
        factor = config.n * config.d_out
        st.info(f"The mean loss divides the sum by N·D_out = {factor:,}, and so its gradient: "
                f"at η = {config.learning_rate:g} every step is {factor:,} times shorter than "
                f"the summed loss's at the same η. η·N·D_out = "
                f"{config.learning_rate * factor:g} takes the summed loss's steps.")
