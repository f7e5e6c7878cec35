"""Streamlit pieces of the Computational Graph page: the scrubber and both graphs."""

from __future__ import annotations

import inspect

import streamlit as st

from .. import i18n, manual
from ..config import Config, format_bytes
from ..config import check_memory as check_memory_budget
from ..graph.drawing import (
    LINK_NOTES,
    LINKS,
    autograd_drawing,
    dot_text,
    drawing,
    forward_graph,
)
from ..graph.recorded import autograd_graph
from ..graph.snapshots import (
    DEFAULT_EVERY,
    downsample,
    early_weights,
    node_summaries,
    snapshot_bytes,
    snapshots_task,
    tensors_at,
    weights_at,
)
from ..i18n import N_, _
from ..outputs.svg import svg_text
from ..tasks import call_task
from . import options as page_options
from .cache import arrays
from .compute import cached, memory_budget
from .player import Clock

HEATMAP_TENSORS = ("x", "w1", "h", "h_relu", "w2", "y_pred", "grad_y_pred", "grad_w2",
                   "grad_h_relu", "grad_h", "grad_w1")


def snapshots(config: Config):
    """Weight snapshots of the manual run (shared, never modified: weights_at copies)."""
    return cached(("snapshots", config), lambda: snapshots_task(config, arrays=arrays(config)),
                  _("Training and keeping weight snapshots"))


def weights(config: Config, t: int):
    """(w1, w2) at iteration t, replayed once for both graphs and the heatmap; the first
    iterations straight from the start, so a first view waits for no snapshots."""
    def make():
        if t < DEFAULT_EVERY:
            return call_task(early_weights, config, t, arrays(config))
        return call_task(weights_at, snapshots(config), t, arrays(config))

    return cached(("weights at", config, t), make, _("Replaying to iteration {t}", t=t))


# The arguments of a cached task are fetched before it runs (in its lambda), outside the
# compute slot its run holds, so a task never waits for another while holding a core.


def graph_state(config: Config, t: int) -> dict:
    """Everything the two graphs show at iteration t, as small summaries (autograd's node
    labels among them: in the session's language, which is part of the key)."""
    return cached(("graph state", config, t, i18n.current()),
                  lambda: call_task(_graph_state, config, weights(config, t), arrays(config)),
                  _("Computing the graph at iteration {t}", t=t))


def _graph_state(config: Config, weights_t, data) -> dict:
    tensors = tensors_at(config, *weights_t, data)
    as64 = [tensors[name].astype("float64") for name in ("x", "y", "w1", "w2")]
    autograd = autograd_graph(*as64, config.loss)
    return {"nodes": node_summaries(tensors), "autograd": autograd_labels(autograd),
            "autograd_graph": autograd.nodes, "autograd_edges": autograd.edges}


def heatmap(config: Config, t: int, name: str):
    """One tensor at iteration t, block-averaged to at most 100×100: (values, block, shape)."""
    return cached(("heatmap", config, t, name),
                  lambda: call_task(_heatmap, config, weights(config, t), arrays(config), name),
                  _("Drawing {name} at iteration {t}", name=name, t=t))


def _heatmap(config: Config, weights_t, data, name: str):
    tensor = tensors_at(config, *weights_t, data)[name]
    values, block = downsample(tensor)
    return values, block, tensor.shape


def fit_at(config: Config, t: int):
    """The sine data and the curve the manual method's weights draw at iteration t."""
    from ..outputs import figures
    from .cache import dataset

    fits = {_("manual backprop at t = {t}", t=t): weights(config, t)}
    return figures.fit_curve(dataset(config), fits, _("The fitted curve at t = {t}", t=t),
                             figures.translated(_, figures.FIT_CURVE))


def heatmap_figure(name: str, t: int, values, block, shape):
    """The heatmap of one tensor at iteration t, rows running down as in a matrix."""
    import plotly.graph_objects as go

    size = {"name": name, "t": t, "rows": shape[0], "cols": shape[1] if len(shape) > 1 else 1}
    if block == (1, 1):
        title = _("{name} at t={t}, {rows}×{cols}", **size)
    else:
        title = _("{name} at t={t}, {rows}×{cols}, averaged over {block_rows}×{block_cols} "
                  "blocks", block_rows=block[0], block_cols=block[1], **size)
    fig = go.Figure(go.Heatmap(z=values, colorscale="RdBu", zmid=0))
    fig.update_layout(height=360, margin={"l": 40, "r": 20, "t": 40, "b": 40}, title=title)
    fig.update_yaxes(autorange="reversed", title=_("row block"))
    fig.update_xaxes(title=_("column block"))
    return fig


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def hand_labels(nodes: dict) -> dict[str, list[str]]:
    """Label lines per hand-drawn node: value and arriving-gradient summaries."""
    labels = {}
    for name, info in nodes.items():
        if name == "relu":
            labels[name] = [_("active: {share:.1f}% of units", share=100 * info["active"])]
            continue
        # Norm and range on lines of their own: narrower nodes keep the drawing's text large
        value = info["value"]
        lines = [_("value ‖·‖={norm}", norm=_fmt(value["norm"])),
                 _("in [{low}, {high}]", low=_fmt(value["min"]), high=_fmt(value["max"]))]
        if info["grad"]:
            g = info["grad"]
            lines += [_("grad ‖·‖={norm}", norm=_fmt(g["norm"])),
                      _("in [{low}, {high}]", low=_fmt(g["min"]), high=_fmt(g["max"]))]
        labels[name] = lines
    return labels


def autograd_labels(graph) -> dict[str, list[str]]:
    """Label lines per autograd node: the norm of the gradient it received and sent."""
    import numpy as np

    labels = {}
    for node in graph.nodes:
        lines = []
        received = graph.received.get(node.id)
        if received is not None:
            lines.append(_("receives ‖·‖={norm}", norm=_fmt(float(np.linalg.norm(received)))))
        sent = [g for g in graph.sent.get(node.id, []) if g is not None]
        for k, grad in enumerate(sent):  # one line per input keeps the node narrow
            norm = _fmt(float(np.linalg.norm(grad)))
            lines.append(_("sends ‖·‖={norm}", norm=norm) if k == 0
                         else _("and ‖·‖={norm}", norm=norm))
        labels[node.id] = lines
    return labels


def drawings(config: Config, state: dict, view: str, line: str | None):
    """(hand-drawn drawing, autograd drawing) for the current choices."""
    from ..graph.recorded import AutogradGraph

    hand = drawing(*forward_graph(config), view, hand_labels(state["nodes"]), line)
    graph = AutogradGraph(state["autograd_graph"], state["autograd_edges"])
    return hand, autograd_drawing(graph, state["autograd"], line)


def code_line(name: str) -> str:
    """The line of the manual backward pass that computes a gradient."""
    for line in inspect.getsource(manual.backprop).splitlines():
        if line.strip().startswith(f"{name} = "):
            return line.strip()
    raise LookupError(name)


def exports(hand, autograd, t: int) -> None:
    """DOT and SVG downloads of both graphs as shown, made only when clicked."""
    cols = st.columns(4)
    files = ((N_("hand-drawn graph (DOT)"), N_("hand-drawn graph (SVG)"), "twolayer", hand),
             (N_("autograd graph (DOT)"), N_("autograd graph (SVG)"), "autograd", autograd))
    for k, (dot_label, svg_label, name, drawn) in enumerate(files):
        cols[2 * k].download_button(
            _(dot_label), lambda name=name, drawn=drawn: dot_text(name, *drawn),
            f"{name}_graph_t{t}.dot", "text/vnd.graphviz", on_click="ignore", width="stretch")
        cols[2 * k + 1].download_button(
            _(svg_label), lambda drawn=drawn: svg_text(*drawn),
            f"{name}_graph_t{t}.svg", "image/svg+xml", on_click="ignore", width="stretch")


def check_memory(config: Config) -> None:
    """Stop the page with an error if the snapshots would not fit the memory budget."""
    try:
        check_memory_budget(snapshot_bytes(config), N_("the scrubber's weight snapshots"),
                            memory_budget())
    except ValueError as error:
        st.error(_("The iteration scrubber can't run: {error}, or fewer iterations.",
                   error=error))
        st.stop()


def memory_note(config: Config) -> str:
    """What the scrubber keeps in memory for this configuration."""
    kept = snapshots(config)
    return _("The scrubber keeps (w1, w2) every {every} iterations: {copies} copies, {size} "
             "for this configuration. Any other iteration is replayed from the nearest earlier "
             "copy (at most {steps} steps) and its tensors are recomputed by the manual "
             "method's own backprop.", every=kept.every, copies=len(kept.weights),
             size=format_bytes(kept.nbytes), steps=kept.every - 1)


LINE_CHOICES = ("none", *LINKS)
VIEWS = ("backward", "forward")
VIEW_LABELS = {"backward": N_("backward: gradients, with the chain rule"),  # shown: _()
               "forward": N_("forward: data and its shape")}
OPTIONS = (  # the page's own options, in its URL beside the configuration
    page_options.Option("view", "backward", VIEWS),
    page_options.Option("line", "none", LINE_CHOICES),
    page_options.Option("t", 0),
    page_options.Option("tensor", "w1", HEATMAP_TENSORS),
)
PLAY_RATE = 50  # a full pass of the iterations takes 50 s of Play, whatever their number
GRAPH_FRAME = 0.5  # a browser takes about that to lay out and draw both graphs


def clock(config: Config) -> Clock:
    """The scrubber's clock (twolayer.ui.player): iterations / PLAY_RATE a second."""
    kept = st.session_state.get("graph_clock")
    speed = config.iterations / PLAY_RATE
    if kept is None or kept.speed != speed:
        kept = st.session_state["graph_clock"] = Clock(speed=speed, frame=GRAPH_FRAME)
    return kept


def set_playing(config: Config, playing: bool) -> None:
    """Start or stop the scrubber's clock as the Play toggle says."""
    tick = clock(config)
    if playing and not tick.playing:
        tick.play()
    elif not playing and tick.playing:
        tick.pause()


def advance(config: Config, now: float) -> int:
    """Move the scrubber on by the wall time since the last frame, so that Play keeps its
    pace however long a frame takes to draw; loops back at the end."""
    tick = clock(config)
    steps = tick.due(now)
    tick.moved(steps, now)
    t = (page_options.value("t") + steps) % config.iterations
    page_options.set_value("t", t)
    return t


# --- The page's controls and its scrubber ---------------------------------------------------


def controls(config: Config) -> tuple[str, str | None, bool]:
    """What the edges show, a line of the backward pass to follow, and Play: (view, line,
    playing)."""
    view_col, line_col, play_col = st.columns([2, 2, 1])
    view = page_options.radio(
        "view", _("Edges show"), VIEWS, container=view_col,
        format_func={v: _(VIEW_LABELS[v]) for v in VIEWS}.get)
    line = page_options.select(
        "line", _("Follow one line of the manual backward pass"), LINE_CHOICES,
        container=line_col, format_func=lambda name: "—" if name == "none" else name)
    playing = play_col.toggle(_("▶ Play"), key="graph_play",
                              help=_("Step through the iterations on their own: a full pass "
                                     "takes {seconds} s. Toggle to pause.", seconds=PLAY_RATE))
    set_playing(config, playing)
    return view, None if line == "none" else line, playing


def scrubber(config: Config, view: str, line: str | None, playing: bool) -> None:
    """Both graphs and the heatmap at iteration t: the slider's, or Play's, redrawn every
    frame while it plays."""
    st.fragment(run_every=GRAPH_FRAME if playing else None)(_frame)(config, view, line,
                                                                   playing)


def _frame(config: Config, view: str, line: str | None, playing: bool) -> None:
    import time

    # Everything is computed before anything is drawn, so that the progress line, both
    # graphs and the heatmap change together rather than one after another.
    if playing:  # a progress line, not the slider: a widget would race the clock for t
        t = advance(config, time.monotonic())
    else:
        t = page_options.value("t")
    name = page_options.value("tensor")
    state = graph_state(config, t)
    hand, autograd = drawings(config, state, view, line)
    values, block, shape = heatmap(config, t, name)
    if playing:
        st.progress(t / max(config.iterations - 1, 1),
                    text=_("iteration t = {t} (playing)", t=t))
    else:
        page_options.iteration_slider("t", _("iteration t"), config.iterations,
                                      _("Values and gradients at the start of this iteration."))
    if line:
        st.code(code_line(line), language="python")
        st.caption(_(LINK_NOTES[line]))
    graphs, below = st.container(), st.container()
    with below:  # filled first: a browser draws the heatmap at once, the graphs take longer
        if config.data == "sine":  # the curve the weights of iteration t draw
            st.plotly_chart(fit_at(config, t), key="fit_at_t")
        page_options.select("tensor", _("Heatmap of"), HEATMAP_TENSORS)
        st.plotly_chart(heatmap_figure(name, t, values, block, shape), key="graph_heatmap")
        if not playing:  # files of a frame that is gone by the next tick help nobody
            exports(hand, autograd, t)
    left, right = graphs.columns([3, 2])
    with left:
        st.markdown(_("**By hand** (the manual method's tensors)"))
        st.graphviz_chart(dot_text("twolayer", *hand))
    with right:
        st.markdown(_("**Autograd's own graph** (from `loss.grad_fn`)"))
        st.graphviz_chart(dot_text("autograd", *autograd))
