"""Entry page: manual backprop and autograd side by side, from the same data and weights."""

import streamlit as st

from twolayer import ui
from twolayer.checking.compare import summarize
from twolayer.outputs import figures

config = ui.page("Comparison", "⚖️", ui.comparison_view.OPTIONS, runs=2)
st.title("Manual backprop vs autograd")
st.markdown(
    "A two-layer network `y_pred = relu(x @ w1) @ w2`, fitted by gradient descent on "
    f"`loss = {'' if config.loss == 'sum' else '(1/(N·D_out)) · '}Σ (y_pred − y)²`: on the "
    "left with the gradients worked out by hand in numpy, on the right with PyTorch autograd."
)
curves_tab, agree_tab, live_tab = ui.comparison_view.tabs()  # only the open one runs

if live_tab.open:
    with live_tab:
        st.caption("Play trains both methods side by side as you watch, from the same weights; "
                   "Step takes one iteration or a chosen number; Reset goes back to iteration 0.")
        live = ui.live_view.controls(config)
        if live is not None:  # the visitor is watching it train
            ui.live_view.player(live, lambda run_numpy, run_torch: ui.live_view.view(
                config, run_numpy, run_torch))
    st.stop()

tab = curves_tab if curves_tab.open else agree_tab
with tab:
    notices = st.container()
    left, right = (column.empty() for column in st.columns(2))
# While a run trains (when no visitor has asked for it before), its curve grows in place.
run_numpy = ui.training_run(config, "numpy", ui.grow_in(left))
run_torch = ui.training_run(config, "torch", ui.grow_in(right))
with notices:
    ui.report_divergence(config, run_numpy, run_torch)
summary = summarize(run_numpy, run_torch)

with tab:
    if curves_tab.open:
        y_range = figures.log_range(run_numpy, run_torch)
        left.plotly_chart(figures.loss_curve(run_numpy, y_range), key="curve_numpy")
        right.plotly_chart(figures.loss_curve(run_torch, y_range), key="curve_torch")
        ui.comparison_view.agreement(summary, config.iterations)
        ui.comparison_view.notes(config, run_numpy, run_torch)
    else:
        left.plotly_chart(figures.overlay(run_numpy, run_torch), key="overlay")
        right.plotly_chart(figures.difference(run_numpy, run_torch), key="difference")
        st.subheader("Summary")
        st.table(ui.summary_table(summary))
        ui.downloads(config)
