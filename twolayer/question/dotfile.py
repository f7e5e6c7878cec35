"""A DOT file (Graphviz) read as a Graph, in either of two styles, detected.

(a) Operations as nodes: a node whose label is an operation ("@", "MatMul", "relu",
    "-", "**2", "sum", "matmul 1") takes its inputs from its in-arrows; a tensor node
    ("x", "w1 (D_in×H)", "h\\n64×100", "loss: scalar") is a leaf if no arrow enters it,
    else the result of the operation feeding it. An operation with no tensor after it is
    its own result, named after it. The app's own Computational Graph is of this style.
(b) Tensors as nodes, each operation on the arrows into its result:
    x -> h [label="@"]; w1 -> h [label="@ (1)"]; h -> h_relu [label="relu"].

Inputs are in the order of a "0"/"1" on the arrow (label, taillabel or headlabel), else
the order the arrows appear. A shape comes from the label or a shape_ attribute (Graphviz's
own `shape` is the node's outline); a leaf gets a gradient from "grad" or "requires_grad"
in its label, an attribute grad=true, or (style a) an arrow out of it labelled with its
gradient's name (grad_w1), as the app's backward view labels them. A top-level
ops_="edges" or ops_="nodes" names the style outright.

The file is bounded before pydot parses it (size, arrows, names, nesting) and the graph
pydot makes is counted before a Graph is built from it.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from dataclasses import dataclass

from ..i18n import _
from .model import (
    MAX_NAME,
    MAX_NODES,
    NAME,
    Graph,
    GraphError,
    Node,
    check_name,
    lookup,
    op_node,
    parse_shape,
)

MAX_BYTES = 200 * 1024
MAX_EDGES = 4 * MAX_NODES
MAX_DEPTH = 8  # nesting of { }: pydot's parser recurses into each
MAX_TOKENS = 2 * (MAX_NODES + MAX_EDGES)  # names outside [ ]: twice what such a graph needs
MAX_ATTRIBUTES = 4 * (MAX_NODES + MAX_EDGES)  # name=value pairs: four a node or an arrow

# pyparsing's parser is not thread-safe (pydot says so); the app's sessions share it.
_PARSER_LOCK = threading.Lock()

SKIPPED = re.compile(r'"(?:[^"\\]|\\.)*"|/\*.*?\*/|//[^\n]*|^\s*#[^\n]*', re.S | re.M)
GRAD_WORD = re.compile(r"[,;]?\s*[(\[]?\s*\b(?:requires_grad(?:\s*=\s*true)?|grad)\b\s*[)\]]?",
                       re.I)
INLINE = re.compile(r"(?P<title>[^:(\[]+?)\s*(?::\s*(?P<a>.*)|(?P<b>\(.*\))|(?P<c>\[.*\]))")
ORDER = re.compile(r"(?:^|\s)\(?\s*(\d)\s*\)?$")
TRUE = ("true", "1", "yes")


@dataclass(frozen=True)
class DotNode:
    """A node as the file gives it: its label's title and shape, its marks."""

    id: str
    title: str
    shape: str | None
    grad: bool
    op: str | None  # the operation its title names (style a)
    computed_by: str | None  # an op_ attribute: the operation that computes it (style b)


@dataclass(frozen=True)
class DotEdge:
    src: str
    dst: str
    label: str
    order: int | None


def read(text: str) -> Graph:
    """The graph a DOT text draws.

    Raises GraphError for a text over the bounds (MAX_BYTES, MAX_EDGES arrows, MAX_NODES
    nodes), one that does not parse (with its line), or a drawing it cannot read as a
    computational graph (naming the node).
    """
    _prescan(text)
    dot = _parse(text)
    attrs, edges = _collect(dot)
    if len(attrs) > MAX_NODES:
        raise GraphError(_("more than {limit} nodes (MAX_NODES)", limit=MAX_NODES))
    if len(edges) > MAX_EDGES:
        raise GraphError(_("more than {limit} arrows (4 × MAX_NODES)", limit=MAX_EDGES))
    nodes = {node_id: _dot_node(node_id, a) for node_id, a in attrs.items()}
    if _ops_on_edges(dot, nodes, edges):
        return _from_edge_ops(nodes, edges)
    return _from_op_nodes(nodes, edges)


# --- Bounds and parsing -------------------------------------------------------------------


def _prescan(text: str) -> None:
    """Refuse a text too big for the parser before it starts."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise GraphError(_("the file is larger than {limit} KB", limit=MAX_BYTES // 1024))
    bare, depth = _skeleton(SKIPPED.sub(lambda m: '""' if m[0][0] == '"' else " ", text))
    if depth > MAX_DEPTH:
        raise GraphError(_("braces nested more than {limit} deep", limit=MAX_DEPTH))
    if bare.count("=") > MAX_ATTRIBUTES:
        raise GraphError(_("more than {limit} attributes", limit=MAX_ATTRIBUTES))
    bare = re.sub(r"\[[^\]]*\]", " ", bare)  # attribute lists
    if len(re.findall(r"->|--", bare)) > MAX_EDGES:
        raise GraphError(_("more than {limit} arrows (4 × MAX_NODES)", limit=MAX_EDGES))
    if len(re.findall(r'[^\s{}\[\];,=:<>"-]+|""', bare)) > MAX_TOKENS:
        raise GraphError(_("more than {limit} nodes (MAX_NODES)", limit=MAX_NODES))


def _skeleton(text: str) -> tuple[str, int]:
    """The text without its HTML labels (<...>, nested), and the deepest nesting of { }."""
    kept, angle, brace, deepest = [], 0, 0, 0
    for char in text:
        if char == "<":
            angle += 1
        elif char == ">" and angle:
            angle -= 1
            kept.append('""' if not angle else "")
        elif not angle:
            kept.append(char)
            brace += (char == "{") - (char == "}")
            deepest = max(deepest, brace)
    return "".join(kept), deepest


def _parse(text: str):
    """pydot's graph of the text. pydot.graph_from_dot_data runs this same parser but prints
    its error and returns None; called directly, the error and its line are ours to report."""
    from pydot.dot_parser import GraphParser
    from pyparsing import ParseBaseException

    with _PARSER_LOCK:
        try:
            graphs = list(GraphParser.parser.parse_string(text))
        except ParseBaseException as error:
            raise GraphError(_("the DOT does not parse: {reason}", reason=error.msg),
                             error.lineno) from None
        except RecursionError:
            raise GraphError(_("the DOT is nested too deeply")) from None
        except Exception as error:  # the file's failure, never the app's
            raise GraphError(_("pydot cannot read it ({error})",
                               error=type(error).__name__)) from None
    if len(graphs) != 1:
        raise GraphError(_("a file holds one graph"))
    if graphs[0].get_type() != "digraph":
        raise GraphError(_("a computational graph is directed: write digraph { a -> b }"))
    return graphs[0]


def _collect(dot) -> tuple[dict[str, dict], list[DotEdge]]:
    """Every node's attributes (nodes named only by an arrow too) and every arrow, the
    top graph's first, then each subgraph's, each in the order written."""
    attrs: dict[str, dict] = {}
    edges: list[DotEdge] = []
    graphs = [dot]
    while graphs:
        graph = graphs.pop(0)
        for node in graph.get_nodes():
            node_id = _unquote(node.get_name())
            if node_id not in ("node", "edge", "graph"):
                attrs.setdefault(node_id, {}).update(node.get_attributes())
        for edge in sorted(graph.get_edges(), key=lambda e: e.obj_dict.get("sequence", 0)):
            src, dst = _endpoint(edge.get_source()), _endpoint(edge.get_destination())
            attrs.setdefault(src, {})
            attrs.setdefault(dst, {})
            edges.append(_dot_edge(src, dst, edge.get_attributes()))
        graphs += graph.get_subgraphs()
    return attrs, edges


def _unquote(raw: str) -> str:
    """An ID as written: "a \\"b\\"" -> a "b"."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1].replace('\\"', '"').replace("\\\n", "")
    return raw


def _endpoint(raw) -> str:
    """An arrow's end: a node's ID without its port (a:n, "a b":s)."""
    if not isinstance(raw, str):
        raise GraphError(_("an arrow from or to a group { ... }: draw one arrow per pair of "
                           "nodes"))
    if raw.startswith('"'):
        quoted = re.match(r'"(?:[^"\\]|\\.)*"', raw, re.S)
        return _unquote(quoted[0]) if quoted else raw
    return raw.split(":", 1)[0]


def _label(raw: str, node_id: str = "") -> str:
    """A label's text: escapes decoded (\\n a new line, \\N the node's ID), HTML stripped."""
    if raw.startswith("<") and raw.endswith(">"):
        text = re.sub(r"<br\s*/?>", "\n", raw[1:-1], flags=re.I)
        return html.unescape(re.sub(r"<[^>]*>", "", text))
    text = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    return re.sub(r"\\(.)", lambda m: _escape(m[1], node_id), text.replace("\\\n", ""), flags=re.S)


def _escape(char: str, node_id: str) -> str:
    return "\n" if char in "nlr" else node_id if char == "N" else char


# --- Nodes and arrows -----------------------------------------------------------------------


def _dot_node(node_id: str, attrs: dict) -> DotNode:
    """A node's label and attributes, read: title, shape, gradient mark, operation."""
    text = _label(attrs["label"], node_id) if "label" in attrs else node_id
    flags = (_label(attrs.get(key, "")).lower() in TRUE for key in ("grad", "requires_grad"))
    grad = any(flags) or bool(GRAD_WORD.search(text))
    title, shape = _split(GRAD_WORD.sub("", text))
    if "shape_" in attrs:
        shape = _label(attrs["shape_"])
    computed_by = _label(attrs["op_"]) if "op_" in attrs else None
    return DotNode(node_id, title or node_id, shape, grad, _op_of(title), computed_by)


def _split(text: str) -> tuple[str, str | None]:
    """(title, shape text) of a label: 'h\\n64×100', 'h (N×H)', 'h: N×H', 'h [64, 100]'."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return "", None
    if len(lines) > 1:
        return lines[0], lines[1]
    inline = None if _op_of(lines[0]) else INLINE.fullmatch(lines[0])
    if inline is None:
        return lines[0], None
    return inline["title"], inline["a"] or inline["b"] or inline["c"]


def _op_of(title: str) -> str | None:
    """The operation a node's title names: 'MatMul', 'matmul 1', '**2', 'maximum(h, 0)'."""
    candidates = (title, re.sub(r"[\s_#]*\d+$", "", title), re.sub(r"\(.*\)$", "", title))
    return next((op for c in candidates if c.strip() and (op := lookup(c))), None)


def _dot_edge(src: str, dst: str, attrs: dict) -> DotEdge:
    """An arrow: its label, and the input position it gives ('1', '@ (1)', taillabel=1)."""
    label = _label(attrs.get("label", "")).strip()
    order = _position(label)
    for key in ("taillabel", "headlabel"):
        order = order or ORDER.fullmatch(_label(attrs.get(key, "")).strip())
    return DotEdge(src, dst, label, int(order[1]) if order else None)


def _position(label: str) -> re.Match | None:
    """The position at the end of a label that is a position alone or an operation and one
    (not the 0 that ends 'grad_h = grad_h_relu * (h > 0)')."""
    order = ORDER.search(label)
    head = label[: order.start()].strip() if order else ""
    return order if order and (not head or lookup(head)) else None


def _edge_op(edge: DotEdge) -> str:
    """The operation written on an arrow, without its position: '@ (1)' -> '@'."""
    order = _position(edge.label)
    return (edge.label[: order.start()] if order else edge.label).strip()


def _ordered(edges: list[DotEdge]) -> list[DotEdge]:
    """Arrows in input order: a numbered one at its place, the others as they appear."""
    fixed = {e.order: e for e in edges if e.order is not None and e.order < len(edges)}
    rest = iter([e for e in edges if e not in fixed.values()])
    return [fixed[i] if i in fixed else next(rest) for i in range(len(edges))]


def _ops_on_edges(dot, nodes: dict[str, DotNode], edges: list[DotEdge]) -> bool:
    """Style (b): named outright, or an arrow labelled with an operation, or an op_ mark."""
    named = _label(dot.get("ops_") or "").strip().lower()
    if named in ("edges", "nodes"):
        return named == "edges"
    return (any(lookup(_edge_op(e)) for e in edges if _edge_op(e))
            or any(n.computed_by for n in nodes.values()))


def _name(node: DotNode) -> str:
    """The tensor name a node's title gives, or an error naming the node."""
    try:
        return check_name(node.title)
    except GraphError as error:
        raise GraphError(_("node {node!r}: {error}", node=node.id[:MAX_NAME],
                           error=error)) from None


def _arrows(edges: list[DotEdge]) -> tuple[dict[str, list[DotEdge]], dict[str, list[DotEdge]]]:
    """The arrows into each node and out of each, in the order written."""
    into: dict[str, list[DotEdge]] = {}
    out: dict[str, list[DotEdge]] = {}
    for edge in edges:
        into.setdefault(edge.dst, []).append(edge)
        out.setdefault(edge.src, []).append(edge)
    return into, out


# --- Style (b): tensors as nodes, operations on the arrows ----------------------------------


def _from_edge_ops(nodes: dict[str, DotNode], edges: list[DotEdge]) -> Graph:
    """Style (b): a node with arrows in is computed by the operation they carry."""
    into, _out = _arrows(edges)
    names = {node_id: _name(node) for node_id, node in nodes.items()}
    built = []
    for node_id, node in nodes.items():
        arrows = _ordered(into.get(node_id, []))
        shape = _shape(node)
        if not arrows and not node.computed_by:
            built.append(Node(names[node_id], None, (), shape, node.grad))
            continue
        spelling = _common_op(node, names[node_id], arrows)
        built.append(op_node(names[node_id], spelling, [names[e.src] for e in arrows], shape,
                             node.grad))
    return Graph(tuple(built))


def _common_op(node: DotNode, name: str, arrows: list[DotEdge]) -> str:
    """The one operation the arrows into a tensor carry."""
    spellings = [_edge_op(e) for e in arrows if _edge_op(e)]
    spellings += [node.computed_by] if node.computed_by else []
    for spelling in spellings:
        if lookup(spelling) is None:
            raise GraphError(_("the arrow into {name} says {spelling!r}, which is not an "
                               "operation (see the known ones in the notation's help)",
                               name=name, spelling=spelling[:MAX_NAME]))
    ops = sorted({lookup(s) for s in spellings})
    if not ops:
        raise GraphError(_('arrows enter {name} but none names the operation: label them, '
                           'e.g. label="@"', name=name))
    if len(ops) > 1:
        listed = functools.reduce(lambda a, b: _("{first} and {second}", first=a, second=b), ops)
        raise GraphError(_("the arrows into {name} say {ops}: all arrows into a tensor carry "
                           "its one operation (is an arrow reversed?)", name=name, ops=listed))
    return ops[0]


def _shape(node: DotNode):
    """The shape a node's label or shape_ gives, or an error naming the node."""
    try:
        return parse_shape(node.shape or "")
    except GraphError as error:
        raise GraphError(_("node {node!r}: {error}", node=node.title[:MAX_NAME],
                           error=error)) from None


# --- Style (a): operations as nodes -----------------------------------------------------------


def _from_op_nodes(nodes: dict[str, DotNode], edges: list[DotEdge]) -> Graph:
    """Style (a): each operation node and the tensor after it make one computed node."""
    into, out = _arrows(edges)
    names = {i: _name(n) for i, n in nodes.items() if not n.op}
    result = {i: _result(n, out.get(i, []), nodes) for i, n in nodes.items() if n.op}
    for op_id, tensor_id in result.items():
        names[op_id] = names[tensor_id] if tensor_id else _own_name(nodes[op_id], names)
    for node_id, node in nodes.items():
        if not node.op:
            _check_fed(node, into.get(node_id, []), nodes)
    built = []
    for node_id, node in nodes.items():
        if node.op:
            built.append(_computed(node, result[node_id], into.get(node_id, []), nodes, names))
        elif not into.get(node_id):
            grad = node.grad or _grad_arrow(names[node_id], out.get(node_id, []))
            built.append(Node(names[node_id], None, (), _shape(node), grad))
    return Graph(tuple(built))


def _result(op: DotNode, arrows: list[DotEdge], nodes: dict[str, DotNode]) -> str | None:
    """The tensor node an operation feeds, if it feeds one."""
    tensors = [e.dst for e in arrows if not nodes[e.dst].op]
    if len(set(tensors)) > 1:
        first, second = (nodes[t].title for t in tensors[:2])
        raise GraphError(_("the operation {op!r} feeds {first} and {second}: an operation has "
                           "one result (is an arrow reversed?)", op=op.title[:MAX_NAME],
                           first=first, second=second))
    return tensors[0] if tensors else None


def _check_fed(tensor: DotNode, arrows: list[DotEdge], nodes: dict[str, DotNode]) -> None:
    """A tensor is fed by one operation, or by none (a leaf)."""
    for arrow in arrows:
        if not nodes[arrow.src].op:
            raise GraphError(_("an arrow from {src} to {dst} joins two tensors: where "
                               "operations are nodes, one sits between them",
                               src=nodes[arrow.src].title, dst=tensor.title))
    if len(arrows) > 1:
        raise GraphError(_("{name} is the result of {count} operations: a tensor has one",
                           name=tensor.title, count=len(arrows)))


def _computed(op: DotNode, tensor_id, arrows, nodes, names) -> Node:
    """The node an operation computes: its result's name, shape and marks."""
    tensor = nodes[tensor_id] if tensor_id else None
    shape = _shape(tensor) if tensor and tensor.shape else _shape(op)
    return op_node(names[op.id], op.op, [names[e.src] for e in _ordered(arrows)], shape,
                   bool(tensor and tensor.grad))


def _own_name(op: DotNode, taken: dict[str, str]) -> str:
    """A name for an operation's unnamed result: 'matmul 2' -> matmul_2."""
    base = re.sub(r"\W+", "_", op.title, flags=re.A).strip("_")[: MAX_NAME - 4] or op.op
    base = base if NAME.fullmatch(base) else f"op_{base}"
    name, count = base, 1
    while name in taken.values():
        count += 1
        name = f"{base}_{count}"
    return name


def _grad_arrow(name: str, arrows: list[DotEdge]) -> bool:
    """An arrow out of a leaf labelled with its gradient's name: 'grad_w1 = x.T @ grad_h'."""
    pattern = re.compile(rf"\bgrad_{re.escape(name)}\b")
    return any(pattern.search(e.label) for e in arrows)
