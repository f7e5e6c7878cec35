"""The assignment's question 1, "give the computational graph", checked: a student's
forward graph of y_pred = relu(x @ w1) @ w2 and its summed squared-error loss, read from
text, a table or a DOT file, compared with the assignment's, names aside.

- model: Graph and Node, the operations and their spellings, shapes, the bounds, GraphError
- notation: the text notation, one node a line, read through an ast allow-list; and back
- rows: the table editor's rows, and back
- dotfile: a DOT file read with pydot, operations as nodes or on the arrows
- reference: the assignment's graph, and the gradient each of its tensors receives
- match: networkx isomorphism, names aside; the first node that differs; a reversed arrow
- check: check(graph) -> Verdict: the named mistakes with hints, then the isomorphism's word
- drawing: the graph as DOT, forward (mistakes in red) and backward; DOT and SVG files
- share: a graph's text in a link, and back, bounded
"""

from .check import KINDS, Finding, Verdict, check
from .dotfile import read
from .drawing import backward_dot, forward_dot, to_dot, to_svg
from .model import MAX_DIM, MAX_LINE, MAX_NAME, MAX_NODES, MAX_TEXT, Graph, GraphError, Node
from .notation import parse, to_text
from .reference import REFERENCE
from .rows import from_rows, to_rows

__all__ = ["KINDS", "MAX_DIM", "MAX_LINE", "MAX_NAME", "MAX_NODES", "MAX_TEXT", "REFERENCE",
           "Finding", "Graph", "GraphError", "Node", "Verdict", "backward_dot", "check",
           "forward_dot", "from_rows", "parse", "read", "to_dot", "to_rows", "to_svg",
           "to_text"]
