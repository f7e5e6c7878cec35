"""Autograd's own graph: the nodes PyTorch recorded for the loss, walked from loss.grad_fn."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..autograd import forward_loss, to_tensors
from ..config import LOSSES, check_arrays, check_choice
from ..loss import loss_scale


@dataclass(frozen=True)
class AutogradNode:
    """One backward function (MmBackward0, ReluBackward0, ...) or a leaf's AccumulateGrad."""

    id: str  # unique within the graph: the class name, with the leaf it feeds when ambiguous
    name: str  # PyTorch's class name
    leaf: str = ""  # "w1"/"w2" for AccumulateGrad and for the matmul that feeds it


@dataclass(eq=False)
class AutogradGraph:
    """The nodes and edges of loss.grad_fn, with the gradients each node handled.

    Edges run as the gradient does, from a node to each of its next_functions.
    received[id] is the gradient arriving at a node (for the forward op's output);
    sent[id] are the gradients it passes on, one per input (None where none is needed).
    """

    nodes: list[AutogradNode]
    edges: list[tuple[str, str]]
    received: dict[str, np.ndarray] = field(default_factory=dict)
    sent: dict[str, list[np.ndarray | None]] = field(default_factory=dict)


def autograd_graph(x, y, w1, w2, loss: str = "sum") -> AutogradGraph:
    """Run autograd's forward and backward once (float64, CPU) and record its graph."""
    check_arrays(x, y, w1, w2)
    check_choice("loss", loss, LOSSES)
    x_tensor, y_tensor = to_tensors((x, y), "float64", "cpu")
    leaves = to_tensors((w1, w2), "float64", "cpu", requires_grad=True)
    value, _ = forward_loss(x_tensor, y_tensor, *leaves, loss_scale(loss, *y.shape))
    graph, functions = _walk(value.grad_fn, {id(leaves[0]): "w1", id(leaves[1]): "w2"})
    for node_id, function in functions.items():
        function.register_hook(_recorder(graph, node_id))
    value.backward()
    return graph


def _walk(root, leaf_names: dict[int, str]):
    """Breadth-first over next_functions: (graph without gradients, {id: function})."""
    nodes, edges, functions, seen = [], [], {}, {}
    queue = [root]
    while queue:
        function = queue.pop(0)
        node = _node(function, leaf_names)
        seen[function] = node.id
        nodes.append(node)
        functions[node.id] = function
        for child, _ in function.next_functions:
            if child is None:
                continue
            if child not in seen and child not in queue:
                queue.append(child)
            edges.append((function, child))
    ids = {function: seen[function] for function in seen}
    return AutogradGraph(nodes, [(ids[a], ids[b]) for a, b in edges]), functions


def _node(function, leaf_names: dict[int, str]) -> AutogradNode:
    name = type(function).__name__
    variable = getattr(function, "variable", None)
    if variable is not None:
        leaf = leaf_names.get(id(variable), "")
    else:
        feeds = [getattr(c, "variable", None) for c, _ in function.next_functions if c]
        leaf = next((leaf_names.get(id(v), "") for v in feeds if v is not None), "")
    return AutogradNode(f"{name}·{leaf}" if leaf else name, name, leaf)


def _recorder(graph: AutogradGraph, node_id: str):
    def hook(grad_inputs, grad_outputs):
        graph.received[node_id] = _numpy(grad_outputs[0])
        graph.sent[node_id] = [None if g is None else _numpy(g) for g in grad_inputs]
    return hook


def _numpy(tensor) -> np.ndarray | None:
    return None if tensor is None else tensor.detach().cpu().numpy().copy()
