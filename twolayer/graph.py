"""The computational graph of the forward pass, with the gradient along every edge, as DOT."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config


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
        Edge("subtract", "square", "grad_diff", f"2 * (y_pred - y) * {grad_sq}"),
        Edge("square", reduce_op, "grad_square", grad_sq),
        Edge(reduce_op, "loss", "grad_loss", "1"),
    ]
    return nodes, edges


def shape_text(shape: tuple[int, ...]) -> str:
    """(64, 100) -> '64×100'; () -> 'scalar'."""
    return "×".join(str(d) for d in shape) if shape else "scalar"


_STYLE = {
    "input": 'shape=ellipse, style=filled, fillcolor="#eef2f7"',
    "weight": 'shape=ellipse, style=filled, fillcolor="#ffe9c7"',
    "tensor": 'shape=ellipse, style=filled, fillcolor="#e3f1e5"',
    "op": 'shape=box, style="rounded,filled", fillcolor="#ffffff"',
}


def to_dot(nodes: list[Node], edges: list[Edge]) -> str:
    """Graphviz DOT: a shape on every node, in red on each edge the gradient flowing back."""
    lines = ["digraph twolayer {", "  rankdir=TB;", '  node [fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for node in nodes:
        label = f"{node.name}\\n{shape_text(node.shape)}"
        lines.append(f'  "{node.name}" [label="{label}", {_STYLE[node.kind]}];')
    for edge in edges:
        lines.append(f'  "{edge.src}" -> "{edge.dst}" [label="{edge_label(edge)}", '
                     f'fontcolor="{"#c0392b" if edge.grad else "#888888"}"];')
    lines.append("}")
    return "\n".join(lines)


def edge_label(edge: Edge) -> str:
    """What flows back along an edge: 'grad_h = grad_h_relu * (h > 0)', or why nothing does."""
    if not edge.grad:
        return "no gradient: data"
    return f"{edge.grad} = {edge.formula}" if edge.formula else edge.grad


def graph_dot(config: Config) -> str:
    """The forward graph of a configuration, as DOT."""
    return to_dot(*forward_graph(config))
