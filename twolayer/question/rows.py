"""The table editor's form of a graph: one row a node, with the columns node, operation
("tensor" for one the graph starts from), inputs ("a, b"), shape and grad.

Rows come from a data editor, so an empty cell may be None or NaN and a blank row is
skipped; errors name the row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import islice

from ..i18n import _
from .model import (
    MAX_LINE,
    MAX_NODES,
    Graph,
    GraphError,
    Node,
    check_name,
    op_node,
    parse_shape,
    shape_text,
)

COLUMNS = ("node", "operation", "inputs", "shape", "grad")
LEAF = "tensor"
TRUE, FALSE = ("true", "yes", "1", "grad", "x", "✓"), ("false", "no", "0", "")


def from_rows(rows) -> Graph:
    """The graph a table gives, one row a node (blank rows skipped).

    Raises GraphError, with the row, for a cell it cannot read or a bound exceeded.
    """
    rows = list(islice(rows, 4 * MAX_NODES + 1))  # blank rows are skipped, but not endlessly
    if len(rows) > 4 * MAX_NODES:
        raise GraphError(_("more than {limit} rows", limit=4 * MAX_NODES))
    nodes = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise GraphError(_("a row is a mapping of column to cell"), number, "row")
        cells = {column: _text(row.get(column), column, number) for column in COLUMNS[:4]}
        if not any(cells.values()):
            continue
        if len(nodes) == MAX_NODES:
            raise GraphError(_("more than {limit} nodes (MAX_NODES)", limit=MAX_NODES), number,
                             "row")
        nodes.append(_node(cells, _flag(row.get("grad"), number), number))
    return Graph(tuple(nodes))


def _node(cells: dict, grad: bool, number: int) -> Node:
    """One row's node: a tensor (no operation) or a computed one."""
    name, operation = cells["node"], cells["operation"]
    inputs = tuple(part.strip() for part in cells["inputs"].split(",") if part.strip())
    shape = parse_shape(cells["shape"], number, "row")
    if operation.lower() in ("", LEAF):
        if inputs:
            raise GraphError(_("{name} has inputs: give the operation that computes it",
                               name=name), number, "row")
        return Node(check_name(name, number, "row"), None, (), shape, grad, number)
    return op_node(name, operation, inputs, shape, grad, number, "row")


def _text(value, column: str, number: int) -> str:
    """A cell as text; an empty one (None, NaN) as ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, str):
        raise GraphError(_("the {column} cell is not text", column=column), number, "row")
    if len(value) > MAX_LINE:
        raise GraphError(_("the {column} cell is longer than {limit} characters (MAX_LINE)",
                           column=column, limit=MAX_LINE), number, "row")
    return value.strip()


def _flag(value, number: int) -> bool:
    """The grad cell: a checkbox's bool, or a word for one."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise GraphError(_("the grad cell is a yes or a no"), number, "row")


def to_rows(graph: Graph) -> list[dict]:
    """The graph as table rows; from_rows() reads them back as the same graph."""
    return [{"node": node.name, "operation": node.op or LEAF, "inputs": ", ".join(node.inputs),
             "shape": shape_text(node.shape), "grad": node.grad} for node in graph.nodes]
