"""The computational graph, alive: the hand-drawn graph beside autograd's own, at any iteration."""

import time

import streamlit as st

from twolayer import ui
from twolayer.graph.drawing import LINK_NOTES, dot_text
from twolayer.ui import graph_view, options

config = ui.page("Computational Graph", "🕸️", graph_view.OPTIONS, runs=1.2)
st.title("Computational graph")
st.markdown(
    "Left, the graph drawn by hand: `h = x @ w1`, `h_relu = relu(h)`, `y_pred = h_relu @ w2`, "
    "then the loss, with the shape, the value and the gradient arriving at every tensor. Right, "
    "the graph autograd itself recorded for the same loss, walked from `loss.grad_fn`, with "
    "PyTorch's own node names and the size of the gradient each node received and sent."
)

view_col, line_col, play_col = st.columns([2, 2, 1])
view = options.radio(
    "view", "Edges show", graph_view.VIEWS, container=view_col,
    format_func=lambda v: {"backward": "backward: gradients, with the chain rule",
                           "forward": "forward: data and its shape"}[v])
line = options.select(
    "line", "Follow one line of the manual backward pass", graph_view.LINE_CHOICES,
    container=line_col, format_func=lambda name: "—" if name == "none" else name)
line = None if line == "none" else line
playing = play_col.toggle("▶ Play", key="graph_play",
                          help=f"Step through the iterations on their own: a full pass takes "
                               f"{graph_view.PLAY_RATE} s. Toggle to pause.")
graph_view.set_playing(config, playing)
ui.report_divergence(config, ui.training_run(config, "numpy"))
graph_view.check_memory(config)


@st.fragment(run_every=graph_view.GRAPH_FRAME if playing else None)
def scrubber():
    # Everything is computed before anything is drawn, so that the progress line, both
    # graphs and the heatmap change together rather than one after another.
    if playing:  # a progress line, not the slider: a widget would race the clock for t
        t = graph_view.advance(config, time.monotonic())
    else:
        t = options.value("t")
    name = options.value("tensor")
    state = graph_view.graph_state(config, t)
    hand, autograd = graph_view.drawings(config, state, view, line)
    values, block, shape = graph_view.heatmap(config, t, name)

    if playing:
        st.progress(t / max(config.iterations - 1, 1), text=f"iteration t = {t} (playing)")
    else:
        options.iteration_slider("t", "iteration t", config.iterations,
                                 "Values and gradients at the start of this iteration.")
    if line:
        st.code(graph_view.code_line(line), language="python")
        st.caption(LINK_NOTES[line])
    graphs, below = st.container(), st.container()
    with below:  # filled first: a browser draws the heatmap at once, the graphs take longer
        if config.data == "sine":  # the curve the weights of iteration t draw
            st.plotly_chart(graph_view.fit_at(config, t), key="fit_at_t")
        options.select("tensor", "Heatmap of", graph_view.HEATMAP_TENSORS)
        st.plotly_chart(graph_view.heatmap_figure(name, t, values, block, shape),
                        key="graph_heatmap")
        if not playing:  # files of a frame that is gone by the next tick help nobody
            graph_view.exports(hand, autograd, t)
    left, right = graphs.columns([3, 2])
    with left:
        st.markdown("**By hand** (the manual method's tensors)")
        st.graphviz_chart(dot_text("twolayer", *hand))
    with right:
        st.markdown("**Autograd's own graph** (from `loss.grad_fn`)")
        st.graphviz_chart(dot_text("autograd", *autograd))


scrubber()
st.caption(graph_view.memory_note(config))
ui.downloads(config)
