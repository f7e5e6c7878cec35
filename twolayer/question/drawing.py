"""A student's graph as DOT: the forward pass (with the nodes a finding names in red), the
backward pass (each arrow labelled with the gradient flowing back along it), and a plain
file to download that dotfile.read() reads back as the same graph.

Every name and shape is escaped before it is written into DOT: a label can neither break
the file nor add statements to it.
"""

from __future__ import annotations

import re

from ..i18n import _
from .check import Verdict
from .model import Graph, shape_text, shown_shape
from .reference import DATA, GRADIENTS

RED, INK, TENSOR_FILL, OP_FILL = "#c0392b", "#333333", "#e3f1e5", "#ffffff"
SPECIAL = re.compile(r'[\\"{}|<>]')
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def escape(text: str) -> str:
    """text as the inside of a DOT quoted string: quotes and backslashes escaped, the
    characters records and HTML labels give a meaning ({ } | < >) too, a newline as \\n."""
    text = SPECIAL.sub(lambda m: "\\" + m[0], CONTROL.sub(" ", text))
    return text.replace("\n", "\\n")


def _quoted(text: str) -> str:
    return f'"{escape(text)}"'


def _ids(graph: Graph) -> tuple[dict[str, str], list[str]]:
    """An ID per name (a name's first node), and the names inputs give that no node has."""
    ids = {}
    for index, node in enumerate(graph.nodes):
        ids.setdefault(node.name, f"t{index}")
    missing = list(dict.fromkeys(n for node in graph.nodes for n in node.inputs if n not in ids))
    ids.update({name: f"u{k}" for k, name in enumerate(missing)})
    return ids, missing


def _header(name: str) -> list[str]:
    return [f"digraph {name} {{", "  rankdir=TB;",
            '  node [fontname="Helvetica", fontsize=12];',
            '  edge [fontname="Helvetica", fontsize=10];']


def _drawing(graph: Graph, flagged: set[str], labels=None, back: bool = False) -> str:
    """Tensors as ellipses, each operation as a box between its inputs and its result.
    labels(node, input or None) -> an arrow's label (None: into the result)."""
    ids, missing = _ids(graph)
    lines = _header("question")
    # an input that names no node is drawn too, dashed: the drawing shows what it reads
    lines += [f"  {ids[name]} [label={_quoted(name + ' ?')}, shape=ellipse, style=dashed, "
              f'color="{RED}", fontcolor="{RED}"];' for name in missing]
    for index, node in enumerate(graph.nodes):
        color = RED if node.name in flagged else INK
        lines.append(_tensor(f"t{index}", node, color))
        if not node.leaf:
            lines += _operation(index, node, ids, color, labels, back)
    return "\n".join([*lines, "}"]) + "\n"


def _tensor(node_id: str, node, color: str) -> str:
    """A tensor's ellipse: its name, shape and gradient mark."""
    text = "\n".join(t for t in (node.name, shown_shape(node.shape),
                                 "grad" if node.grad else "") if t)
    return (f"  {node_id} [label={_quoted(text)}, shape=ellipse, style=filled, "
            f'fillcolor="{TENSOR_FILL}", color="{color}", penwidth={2 if color == RED else 1}];')


def _operation(index: int, node, ids: dict, color: str, labels, back: bool) -> list[str]:
    """An operation's box, the arrows from its inputs into it and from it to its result."""
    lines = [f"  o{index} [label={_quoted(node.op)}, shape=box, style=filled, "
             f'fillcolor="{OP_FILL}", color="{color}"];']
    arrows = [(ids[name], f"o{index}", name) for name in node.inputs]
    for src, dst, name in [*arrows, (f"o{index}", f"t{index}", None)]:
        label = f", label={_quoted(labels(node, name))}" if labels else ""
        lines.append(f"  {src} -> {dst} [{'dir=back, ' if back else ''}color=\"{INK}\"{label}];")
    return lines


def forward_dot(graph: Graph, verdict: Verdict | None = None) -> str:
    """The graph as DOT for st.graphviz_chart: the nodes a finding names are red."""
    return _drawing(graph, verdict.nodes() if verdict else set())


def backward_dot(graph: Graph, mapping: dict[str, str]) -> str:
    """The graph with the gradient flowing back along each arrow, in the assignment's names
    (mapping: student name -> the assignment's, as a correct Verdict gives it)."""
    def label(node, name):
        if name is None and graph.readers(node.name):  # into a result: its gradient's name
            role = mapping.get(node.name)
            return GRADIENTS[role][0] if role in GRADIENTS else f"grad_{node.name}"
        # out of an input, what flows back to it; into the loss, where backprop starts
        return _gradient(mapping.get(name or node.name), name or node.name)
    return _drawing(graph, set(), label, back=True)


def _gradient(role: str | None, name: str) -> str:
    """What flows back to a tensor: 'grad_h = grad_h_relu * (h > 0)', or that nothing does."""
    if role in DATA:
        return _("no gradient: data")
    if role in GRADIENTS:
        grad, formula = GRADIENTS[role]
        return f"{grad} = {formula}"
    return f"grad_{name}"


def to_dot(graph: Graph) -> str:
    """The graph as a DOT file to download: tensors as nodes, each operation on the arrows
    into its result, in style (b) of twolayer.question.dotfile, which reads it back as the
    same graph."""
    ids, missing = _ids(graph)
    lines = _header("computational_graph") + ['  ops_="edges";']
    lines += [f"  {ids[name]} [label={_quoted(name)}];" for name in missing]
    for index, node in enumerate(graph.nodes):
        text = "\n".join(t for t in (node.name, shape_text(node.shape)) if t)
        attrs = [f"label={_quoted(text)}"]
        attrs += [f"shape_={_quoted(shape_text(node.shape))}"] if node.shape is not None else []
        attrs += ["grad=true"] if node.grad else []
        attrs += [f"op_={_quoted(node.op)}"] if node.op else []
        lines.append(f"  t{index} [{', '.join(attrs)}];")
        for position, name in enumerate(node.inputs):
            lines.append(f"  {ids[name]} -> t{index} [label={_quoted(f'{node.op} ({position})')}];")
    return "\n".join([*lines, "}"]) + "\n"


def to_svg(graph: Graph) -> str:
    """The forward graph as a standalone SVG file (laid out here: no Graphviz needed)."""
    from ..outputs.svg import DrawEdge, DrawNode, svg_text

    ids, missing = _ids(graph)
    nodes = [DrawNode(ids[name], (f"{name} ?",), "box", stroke=RED) for name in missing]
    edges = []
    for index, node in enumerate(graph.nodes):
        lines = tuple(t for t in (node.name, shown_shape(node.shape),
                                  "grad" if node.grad else "") if t)
        nodes.append(DrawNode(f"t{index}", lines, "box", fill=TENSOR_FILL))
        if not node.leaf:
            nodes.append(DrawNode(f"o{index}", (node.op,), "rounded", fill=OP_FILL))
            edges += [DrawEdge(ids[name], f"o{index}") for name in node.inputs]
            edges.append(DrawEdge(f"o{index}", f"t{index}"))
    return svg_text(nodes, edges)
