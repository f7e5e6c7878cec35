"""The computational graph of the forward pass, with the gradient along every edge, as DOT."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..i18n import N_, _
from ..outputs.svg import DrawEdge, DrawNode


@dataclass(frozen=True)
class Node:
    """A tensor (ellipse) or an operation (box) of the forward pass."""

    name: str
    kind: str  # "input", "weight", "tensor" or "op"
    shape: tuple[int, ...] = ()  # () for ops and for the scalar loss


@dataclass(frozen=True)
class Edge:
    """Data flowing forward from src to dst; its gradient flows back along it."""

    src: str
    dst: str
    grad: str = ""  # the backward-pass name of dL/d(src), empty where no gradient flows
    formula: str = ""  # how the backward pass computes it


def forward_graph(config: Config) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges of y_pred = relu(x @ w1) @ w2 and its squared-error loss.

    Ops carry the shape of what they output. Along a tensor -> op edge flows the
    gradient of that tensor, with the line of the backward pass that computes it.
    """
    n, d_in, hidden, d_out = config.n, config.d_in, config.hidden, config.d_out
    mean = config.loss == "mean"
    reduce_op = "mean" if mean else "sum"
    grad_sq = "1/(N·D_out)" if mean else "1"
    nodes = [
        Node("x", "input", (n, d_in)), Node("w1", "weight", (d_in, hidden)),
        Node("matmul 1", "op", (n, hidden)), Node("h", "tensor", (n, hidden)),
        Node("relu", "op", (n, hidden)), Node("h_relu", "tensor", (n, hidden)),
        Node("w2", "weight", (hidden, d_out)), Node("matmul 2", "op", (n, d_out)),
        Node("y_pred", "tensor", (n, d_out)), Node("y", "input", (n, d_out)),
        Node("subtract", "op", (n, d_out)), Node("square", "op", (n, d_out)),
        Node(reduce_op, "op", ()), Node("loss", "tensor", ()),
    ]
    edges = [
        Edge("x", "matmul 1"),
        Edge("w1", "matmul 1", "grad_w1", "x.T @ grad_h"),
        Edge("matmul 1", "h", "grad_h"),
        Edge("h", "relu", "grad_h", "grad_h_relu * (h > 0)"),
        Edge("relu", "h_relu", "grad_h_relu"),
        Edge("h_relu", "matmul 2", "grad_h_relu", "grad_y_pred @ w2.T"),
        Edge("w2", "matmul 2", "grad_w2", "h_relu.T @ grad_y_pred"),
        Edge("matmul 2", "y_pred", "grad_y_pred"),
        Edge("y_pred", "subtract", "grad_y_pred", f"2 * {grad_sq} * (y_pred - y)"
             if mean else "2.0 * (y_pred - y)"),
        Edge("y", "subtract"),
        Edge("subtract", "square", "grad_diff",
             f"2 * (y_pred - y) * {grad_sq}" if mean else "2 * (y_pred - y)"),
        Edge("square", reduce_op, "grad_square", grad_sq),
        Edge(reduce_op, "loss", "grad_loss", "1"),
    ]
    return nodes, edges


def shape_text(shape: tuple[int, ...]) -> str:
    """(64, 100) -> '64×100'; () -> 'scalar' (in the session's language)."""
    return "×".join(str(d) for d in shape) if shape else _("scalar")


HIGHLIGHT = "#ff8c00"

# Each line of the manual backward pass: the hand-drawn edge its gradient flows back
# along, and the nodes of autograd's graph that compute the same tensor.
LINKS = {
    "grad_y_pred": (("y_pred", "subtract"), ("PowBackward0", "SubBackward0")),
    "grad_w2": (("w2", "matmul 2"), ("MmBackward0·w2", "AccumulateGrad·w2")),
    "grad_h_relu": (("h_relu", "matmul 2"), ("MmBackward0·w2",)),
    "grad_h": (("h", "relu"), ("ReluBackward0",)),
    "grad_w1": (("w1", "matmul 1"), ("MmBackward0·w1", "AccumulateGrad·w1")),
}
LINK_NOTES = {  # shown translated: _(LINK_NOTES[line])
    "grad_y_pred": N_("PowBackward0 turns the incoming 1s into 2·(y_pred − y); SubBackward0 "
                      "passes it on to y_pred (and nothing to y, which needs no gradient)."),
    "grad_w2": N_("MmBackward0 of h_relu @ w2 sends h_reluᵀ · grad to w2, where AccumulateGrad "
                  "stores it in w2.grad."),
    "grad_h_relu": N_("The same MmBackward0 sends grad · w2ᵀ back to h_relu."),
    "grad_h": N_("ReluBackward0 multiplies the incoming gradient by the mask h > 0."),
    "grad_w1": N_("MmBackward0 of x @ w1 sends xᵀ · grad to w1 (nothing to x); AccumulateGrad "
                  "stores it in w1.grad."),
}


FILLS = {"input": "#eef2f7", "weight": "#ffe9c7", "tensor": "#e3f1e5", "op": "#ffffff"}


def drawing(nodes: list[Node], edges: list[Edge], view: str = "backward",
            values: dict[str, list[str]] | None = None, highlight: str | None = None):
    """The hand-drawn graph, ready to draw: (DrawNodes, DrawEdges).

    view "forward": arrows along the data flow, labelled with the shape that flows.
    view "backward": arrows against it, each with the chain-rule line of its gradient.
    values: extra label lines per node (e.g. summaries at one iteration).
    highlight: a backward line (a key of LINKS) whose edge and tensor are emphasized.
    """
    if view not in ("forward", "backward"):
        raise ValueError(f"view must be 'forward' or 'backward', got {view!r}")
    values = values or {}
    marked = LINKS[highlight][0] if highlight else ("", "")
    shapes = {node.name: node.shape for node in nodes}
    drawn_nodes = [
        DrawNode(node.name, (node.name, shape_text(node.shape), *values.get(node.name, [])),
                 "rounded" if node.kind == "op" else "box", FILLS[node.kind],
                 *((HIGHLIGHT, 3) if node.name == marked[0] else ("#333333", 1)))
        for node in nodes
    ]
    drawn_edges = []
    for edge in edges:
        hot = (edge.src, edge.dst) == marked
        if view == "forward":
            label, color = shape_text(shapes[edge.src]), "#555555"
        else:
            label, color = edge_label(edge), "#c0392b" if edge.grad else "#999999"
        drawn_edges.append(DrawEdge(edge.src, edge.dst, label, HIGHLIGHT if hot else color,
                                    back=view == "backward", width=3 if hot else 1))
    return drawn_nodes, drawn_edges


def dot_text(name: str, drawn_nodes: list[DrawNode], drawn_edges: list[DrawEdge]) -> str:
    """Graphviz DOT for a drawing, top to bottom."""
    lines = [f"digraph {name} {{", "  rankdir=TB;", "  nodesep=0.2;", "  ranksep=0.35;",
             '  node [fontname="Helvetica", fontsize=12, margin="0.08,0.04"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for node in drawn_nodes:
        label = "\\n".join(node.lines)
        style = '"rounded,filled"' if node.shape == "rounded" else "filled"
        lines.append(f'  "{node.id}" [label="{label}", shape=box, style={style}, '
                     f'fillcolor="{node.fill}", color="{node.stroke}", penwidth={node.width}];')
    for edge in drawn_edges:
        attrs = f'label="{edge.label}", fontcolor="{edge.color}", color="{edge.color}", ' \
                f"penwidth={edge.width}"
        if edge.back:
            attrs += ", dir=back"
        lines.append(f'  "{edge.src}" -> "{edge.dst}" [{attrs}];')
    lines.append("}")
    return "\n".join(lines)


def edge_label(edge: Edge) -> str:
    """What flows back along an edge: 'grad_h = grad_h_relu * (h > 0)', or why nothing does."""
    if not edge.grad:
        return _("no gradient: data")
    return f"{edge.grad} = {edge.formula}" if edge.formula else edge.grad


def graph_dot(config: Config, view: str = "backward", values=None, highlight=None) -> str:
    """The hand-drawn graph of a configuration, as DOT."""
    return dot_text("twolayer", *drawing(*forward_graph(config), view, values, highlight))


def autograd_drawing(graph, values: dict[str, list[str]] | None = None,
                     highlight: str | None = None):
    """Autograd's own graph, ready to draw, arrows in the gradient's direction."""
    values = values or {}
    marked = set(LINKS[highlight][1]) if highlight else set()
    drawn_nodes = []
    for node in graph.nodes:
        title = f"{node.name} ({node.leaf})" if node.name == "AccumulateGrad" else node.name
        fill = HIGHLIGHT if node.id in marked else "#f3eefc"
        drawn_nodes.append(DrawNode(node.id, (title, *values.get(node.id, [])), "rounded", fill))
    drawn_edges = [DrawEdge(src, dst, color="#7b5ea7") for src, dst in graph.edges]
    return drawn_nodes, drawn_edges

