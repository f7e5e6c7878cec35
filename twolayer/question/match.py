"""A student's graph against the assignment's with names aside: networkx's DiGraphMatcher
on the operations and the order of their operands (and, when exact, shapes and gradient
marks); where they differ, the first node that does, and whether one reversed arrow is all.
"""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
from networkx.algorithms.isomorphism import DiGraphMatcher

from .model import Graph, Node

ORDERED = ("matmul", "sub")  # the operations whose operands may not change places


def digraph(graph: Graph, shapes: dict | None = None) -> nx.DiGraph:
    """A node per tensor (its op, shape and mark), an arrow per input: on it, the input's
    positions where their order counts, else how many times it is taken."""
    shapes = shapes or {}
    g = nx.DiGraph()
    for node in graph.nodes:
        g.add_node(node.name, op=node.op or "leaf", shape=shapes.get(node.name), grad=node.grad)
    for node in graph.nodes:
        positions: dict[str, list[int]] = {}
        for position, name in enumerate(node.inputs):
            positions.setdefault(name, []).append(position)
        free = node.op not in ORDERED or sign_free(graph, node)
        for name, where in positions.items():
            g.add_edge(name, node.name, order=len(where) if free else tuple(where))
    return g


def sign_free(graph: Graph, node: Node) -> bool:
    """A difference that is only ever squared: y - y_pred does as well as y_pred - y."""
    readers = graph.readers(node.name)
    return node.op == "sub" and bool(readers) and all(r.op == "square" for r in readers)


def match(student: Graph, reference: Graph, shapes=None, reference_shapes=None,
          exact: bool = True) -> dict[str, str] | None:
    """student name -> reference name if the two graphs are the same but for names (exact:
    shapes and gradient marks too), else None."""
    if len(student.nodes) != len(reference.nodes):
        return None
    keys = ("op", "shape", "grad") if exact else ("op",)
    matcher = DiGraphMatcher(digraph(student, shapes), digraph(reference, reference_shapes),
                             node_match=lambda a, b: all(a[k] == b[k] for k in keys),
                             edge_match=lambda a, b: a["order"] == b["order"])
    return dict(matcher.mapping) if matcher.is_isomorphic() else None


def signatures(graph: Graph, shapes: dict, ids: dict) -> dict[str, int]:
    """Each tensor's structure as a number: equal numbers, equal subgraphs (ids shared
    between graphs numbers them alike; numbers, not nested text, so a DAG stays small)."""
    found: dict[str, int] = {}
    for name in nx.topological_sort(digraph(graph)):
        node = graph.node(name)
        if node.leaf:
            key = ("leaf", shapes.get(name))
        else:
            inputs = [found[i] for i in node.inputs]
            free = node.op not in ORDERED or sign_free(graph, node)
            key = (node.op, tuple(sorted(inputs) if free else inputs))
        found[name] = ids.setdefault(key, len(ids))
    return found


def first_difference(student: Graph, reference: Graph, shapes: dict,
                     reference_shapes: dict) -> tuple[str, str]:
    """(the first student node, in the order data flows, that the assignment's graph has no
    counterpart of, and "differs"); or, where it has one for each, the node the graph stops
    at too soon ("stops"), or where it repeats one ("repeats")."""
    ids: dict = {}
    theirs = signatures(reference, reference_shapes, ids)
    mine = signatures(student, shapes, ids)
    for name in mine:
        if mine[name] not in theirs.values():
            return name, "differs"
    loss = next(iter(reversed(theirs.values())))
    for name in mine:
        if not student.readers(name) and mine[name] != loss:
            return name, "stops"
    seen: dict[int, str] = {}
    return next(((n, "repeats") for n in mine if seen.setdefault(mine[n], n) != n),
                (next(iter(mine), ""), "differs"))


def reversed_arrow(student: Graph, reference: Graph) -> tuple[str, str] | None:
    """(a, b) if the student's arrow a -> b, turned round, gives the assignment's graph."""
    if len(student.nodes) != len(reference.nodes) or _arrows(student) != _arrows(reference):
        return None  # turning an arrow round keeps both counts: nothing else can match
    for node in student.nodes:
        for position, name in enumerate(node.inputs):
            source = student.node(name)
            if source is None or source.leaf:
                continue  # turned round, a leaf would need an operation of its own
            for candidate in _turned(student, node, position, source):
                if match(candidate, reference, exact=False) is not None:
                    return name, node.name
    return None


def _arrows(graph: Graph) -> int:
    return sum(len(node.inputs) for node in graph.nodes)


def _turned(graph: Graph, node: Node, position: int, source: Node):
    """The graph with node's input at position made to read node instead, at each place."""
    rest = node.inputs[:position] + node.inputs[position + 1:]
    turned = replace(node, inputs=rest) if rest else replace(node, op=None, inputs=())
    for at in range(len(source.inputs) + 1):
        fed = replace(source, inputs=source.inputs[:at] + (node.name,) + source.inputs[at:])
        yield Graph(tuple(turned if n is node else fed if n is source else n
                          for n in graph.nodes))
