"""The forward graph, with shapes on the nodes and the backward gradient along each edge."""

import streamlit as st

from twolayer import ui
from twolayer.graph import graph_dot

config = ui.page("Computational Graph", "🕸️")
st.title("Computational graph")
st.markdown(
    "Forward, data flows from top to bottom: `h = x @ w1`, `h_relu = relu(h)`, "
    "`y_pred = h_relu @ w2`, then the loss. Backward, each red label is the gradient that "
    "flows back along its edge, written as the line of the manual backward pass that computes "
    "it. Every node shows its shape for the current configuration."
)
dot = graph_dot(config)
st.graphviz_chart(dot)
st.download_button("Graph (DOT)", dot, "twolayer_graph.dot", "text/vnd.graphviz",
                   on_click="ignore")
ui.downloads(config)
