"""The computational graph, alive: the hand-drawn graph beside autograd's own, at any iteration."""

import plotly.graph_objects as go
import streamlit as st

from twolayer import ui
from twolayer.graph import LINK_NOTES, dot_text
from twolayer.ui import graph_view

config = ui.page("Computational Graph", "🕸️")
st.title("Computational graph")
st.markdown(
    "Left, the graph drawn by hand: `h = x @ w1`, `h_relu = relu(h)`, `y_pred = h_relu @ w2`, "
    "then the loss, with the shape, the value and the gradient arriving at every tensor. Right, "
    "the graph autograd itself recorded for the same loss, walked from `loss.grad_fn`, with "
    "PyTorch's own node names and the size of the gradient each node received and sent."
)

view_col, line_col, play_col = st.columns([2, 2, 1])
view = view_col.radio(
    "Edges show", ("backward", "forward"), horizontal=True, key="graph_view",
    format_func=lambda v: {"backward": "backward: gradients, with the chain rule",
                           "forward": "forward: data and its shape"}[v])
line = line_col.selectbox(
    "Follow one line of the manual backward pass", graph_view.LINE_CHOICES, key="graph_line",
    format_func=lambda name: "—" if name == "none" else name)
line = None if line == "none" else line
playing = play_col.toggle("▶ Play", key="graph_play",
                          help="Step through the iterations on their own; toggle to pause.")
step = max(1, config.iterations // 50)
ui.report_divergence(config, ui.training_run(config, "numpy"))
graph_view.check_memory(config)


@st.fragment(run_every=1.0 if playing else None)
def scrubber():
    if playing:  # advance before the slider is drawn; loop back at the end
        st.session_state["graph_t"] = (st.session_state.get("graph_t", 0) + step) % \
            config.iterations
    t = ui.iteration_slider("iteration t", config.iterations, "graph_t",
                            "Values and gradients at the start of this iteration.")
    state = graph_view.graph_state(config, t)
    hand, autograd = graph_view.drawings(config, state, view, line)
    if line:
        st.code(graph_view.code_line(line), language="python")
        st.caption(LINK_NOTES[line])
    left, right = st.columns([2, 1])
    with left:
        st.markdown("**By hand** (the manual method's tensors)")
        st.graphviz_chart(dot_text("twolayer", *hand))
    with right:
        st.markdown("**Autograd's own graph** (from `loss.grad_fn`)")
        st.graphviz_chart(dot_text("autograd", *autograd))
    name = st.selectbox("Heatmap of", graph_view.HEATMAP_TENSORS, index=1, key="graph_tensor")
    values, block, shape = graph_view.heatmap(config, t, name)
    fig = go.Figure(go.Heatmap(z=values, colorscale="RdBu", zmid=0))
    fig.update_layout(height=360, margin={"l": 40, "r": 20, "t": 40, "b": 40},
                      title=f"{name} at t={t}, {shape[0]}×{shape[1] if len(shape) > 1 else 1}"
                            + (f", averaged over {block[0]}×{block[1]} blocks"
                               if block != (1, 1) else ""))
    fig.update_yaxes(autorange="reversed", title="row block")  # rows run down, as in a matrix
    fig.update_xaxes(title="column block")
    st.plotly_chart(fig, key="graph_heatmap")
    graph_view.exports(hand, autograd, t)


scrubber()
st.caption(graph_view.memory_note(config))
ui.downloads(config)
