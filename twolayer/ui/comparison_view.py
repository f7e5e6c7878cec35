"""The Comparison page's tabs: the two loss curves, whether they agree, and a live run."""

from __future__ import annotations

import streamlit as st

from ..checking.compare import summarize
from ..config import Config
from ..i18n import N_, _
from ..training import TrainingRun
from . import live_view
from . import options as page_options
from .cache import training_run
from .shared import data_view, downloads, grow_in, report_divergence, summary_table

# Only the open tab runs and is sent to the browser: a class opening the page at once gets
# two charts each, not four charts, a table and the live controls (docs/classroom.md, "First
# views that draw only what is on screen").
TABS = {"curves": N_("Loss curves"), "agree": N_("Do they agree?"),  # shown: _()
        "live": N_("Watch it train")}
OPTIONS = (page_options.Option("tab", "curves", tuple(TABS)),)  # in the URL: a link opens it


def tabs():
    """The page's tabs, each with .open: True for the one chosen (in the URL as tab=)."""
    return page_options.tabs("tab", {value: _(label) for value, label in TABS.items()})


def curves_tab(config: Config) -> None:
    """Each method's loss curve, on one log scale, and a sentence on how far apart they
    ended."""
    from ..outputs import figures  # plotly loads once a chart is drawn

    run_numpy, run_torch = _runs(config)
    y_range = figures.log_range(run_numpy, run_torch)
    left, right = st.columns(2)
    labels = figures.translated(_, figures.LOSS_CURVE)
    left.plotly_chart(figures.loss_curve(run_numpy, y_range, labels), key="curve_numpy")
    right.plotly_chart(figures.loss_curve(run_torch, y_range, labels), key="curve_torch")
    _agreement(summarize(run_numpy, run_torch), config.iterations)
    _notes(config, run_numpy, run_torch)


def agreement_tab(config: Config) -> None:
    """The two curves overlaid, their difference, the figures and the downloads."""
    from ..outputs import figures

    run_numpy, run_torch = _runs(config)
    left, right = st.columns(2)
    left.plotly_chart(figures.overlay(run_numpy, run_torch,
                                      figures.translated(_, figures.OVERLAY)), key="overlay")
    right.plotly_chart(figures.difference(run_numpy, run_torch,
                                          figures.translated(_, figures.DIFFERENCE)),
                       key="difference")
    st.subheader(_("Summary"))
    st.table(summary_table(summarize(run_numpy, run_torch)))
    downloads(config)


def live_tab(config: Config) -> None:
    """Both methods trained side by side as the visitor watches."""
    st.caption(_("Play trains both methods side by side as you watch, from the same weights; "
                 "Step takes one iteration or a chosen number; Reset goes back to iteration 0."))
    live = live_view.controls(config)
    if live is not None:  # the visitor is watching it train
        live_view.player(live, lambda run_numpy, run_torch: live_view.view(config, run_numpy,
                                                                          run_torch))


def _runs(config: Config) -> tuple[TrainingRun, TrainingRun]:
    """Both methods' runs, from the cache; while one trains (no visitor asked for it
    before), its curve grows in place; then what diverged, if anything."""
    notices = st.container()
    left, right = (column.empty() for column in st.columns(2))
    run_numpy = training_run(config, "numpy", grow_in(left))
    run_torch = training_run(config, "torch", grow_in(right))
    left.empty()
    right.empty()
    with notices:
        report_divergence(config, run_numpy, run_torch)
    return run_numpy, run_torch


def _agreement(summary: dict, iterations: int) -> None:
    """The largest relative loss difference in one sentence, below the curves."""
    largest = summary["max_rel_loss_diff"]
    if largest is None or summary["diverged_at_numpy"] is not None \
            or summary["diverged_at_torch"] is not None:
        return  # the divergence notice above says what happened
    st.markdown(_(
        "**Do they agree?** Over {iterations:,} iterations the two losses differ by at most "
        "{largest:.1e} of their value; they end at {numpy:.6g} (manual) and {torch:.6g} "
        "(autograd). The next tab overlays them, plots the difference and has the figures and "
        "downloads.", iterations=iterations, largest=largest,
        numpy=summary["final_loss_numpy"], torch=summary["final_loss_torch"]))


def _notes(config: Config, run_numpy: TrainingRun, run_torch: TrainingRun) -> None:
    """Below the curves: why the assignment's own two runs differ, or what the network
    learned of data that can be learned; and what the mean loss does to the step."""
    if config.data == "noise":
        st.info(_(
            "Why do the assignment's two printed runs differ (33681168.85… vs 28156636.0 at "
            "t=0)? Each method drew its own random initial weights, and method 2 ran in "
            "float32. Here both start from the same w1 and w2, and in float64 they agree to "
            "float precision."
        ))
    else:
        data_view(config, run_numpy, run_torch)
    if config.loss == "mean":
        factor = config.n * config.d_out
        st.info(_("The mean loss divides the sum by N·D_out = {factor:,}, and so its gradient: "
                  "at η = {rate:g} every step is {factor:,} times shorter than the summed "
                  "loss's at the same η. η·N·D_out = {scaled:g} takes the summed loss's steps.",
                  factor=factor, rate=config.learning_rate,
                  scaled=config.learning_rate * factor))
