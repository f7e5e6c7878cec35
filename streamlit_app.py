"""Entry page: manual backprop and autograd side by side, from the same data and weights."""

import streamlit as st

from twolayer import figures, ui
from twolayer.compare import summarize

config = ui.page("Comparison", "⚖️", runs=2)
st.title("Manual backprop vs autograd")
st.markdown(
    "A two-layer network `y_pred = relu(x @ w1) @ w2`, fitted by gradient descent on "
    f"`loss = {'' if config.loss == 'sum' else '(1/(N·D_out)) · '}Σ (y_pred − y)²`: on the "
    "left with the gradients worked out by hand in numpy, on the right with PyTorch autograd."
)

st.caption("Play trains both methods side by side as you watch, from the same weights; Step "
           "takes one iteration or a chosen number; Reset goes back to iteration 0.")
live = ui.live.controls(config)
if live is not None:  # the visitor is watching it train
    ui.live.player(live, lambda run_numpy, run_torch: ui.live.view(config, run_numpy,
                                                                   run_torch))
    st.stop()

notices = st.container()
left, right = (column.empty() for column in st.columns(2))
# While a run trains (when no visitor has asked for it before), its curve grows in place.
run_numpy = ui.training_run(config, "numpy", ui.grow_in(left))
run_torch = ui.training_run(config, "torch", ui.grow_in(right))
with notices:
    ui.report_divergence(config, run_numpy, run_torch)

y_range = figures.log_range(run_numpy, run_torch)
left.plotly_chart(figures.loss_curve(run_numpy, y_range), key="curve_numpy")
right.plotly_chart(figures.loss_curve(run_torch, y_range), key="curve_torch")

if config.data == "noise":
    st.info(
        "Why do the assignment's two printed runs differ (33681168.85… vs 28156636.0 at t=0)? "
        "Each method drew its own random initial weights, and method 2 ran in float32. Here "
        "both start from the same w1 and w2, and in float64 they agree to float precision."
    )
else:
    ui.data_view(config, run_numpy, run_torch)

overlay, difference = st.columns(2)
overlay.plotly_chart(figures.overlay(run_numpy, run_torch), key="overlay")
difference.plotly_chart(figures.difference(run_numpy, run_torch), key="difference")

if config.loss == "mean":
    factor = config.n * config.d_out
    st.info(f"The mean loss divides the sum by N·D_out = {factor:,}, and so its gradient: at "
            f"η = {config.learning_rate:g} every step is {factor:,} times shorter than the summed "
            f"loss's at the same η. η·N·D_out = {config.learning_rate * factor:g} takes the "
            "summed loss's steps.")

summary = summarize(run_numpy, run_torch)
st.subheader("Summary")
st.table(ui.summary_table(summary))
ui.downloads(config)
