"""The computational graph, alive: the hand-drawn graph beside autograd's own, at any iteration."""

import streamlit as st

from twolayer import ui
from twolayer.i18n import _
from twolayer.ui import graph_view as view

config = ui.page(view.OPTIONS, runs=1.2)
st.title(_("Computational graph"))
st.markdown(_(
    "Left, the graph drawn by hand: `h = x @ w1`, `h_relu = relu(h)`, `y_pred = h_relu @ w2`, "
    "then the loss, with the shape, the value and the gradient arriving at every tensor. Right, "
    "the graph autograd itself recorded for the same loss, walked from `loss.grad_fn`, with "
    "PyTorch's own node names and the size of the gradient each node received and sent."
))
edges, line, playing = view.controls(config)
ui.report_divergence(config, ui.training_run(config, "numpy"))
view.check_memory(config)
view.scrubber(config, edges, line, playing)
st.caption(view.memory_note(config))
ui.downloads(config)
