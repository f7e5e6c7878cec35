"""A computational graph as a student gives it: named nodes, each a tensor the graph starts
from (a leaf) or the result of one operation on named inputs; shapes and gradient marks.

Every reader (the text notation, the table, a DOT file) builds the same Graph through the
functions here, so the spellings of an operation, the form of a shape and the bounds on
what a visitor may send are declared once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import N_, _

# --- Bounds, checked before anything is built -----------------------------------------------

MAX_NODES = 60  # the assignment's graph has 10; six times that is room for any attempt
MAX_LINE = 200  # characters of one line (or one table cell)
MAX_TEXT = 10_000  # characters of a whole text
MAX_NAME = 40
MAX_DIM = 10**6  # far above the assignment's sizes, and it keeps numbers short
MAX_RANK = 8  # the tensors here are matrices; a longer shape is a typo

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The assignment's sizes, by the names it gives them (and the configuration's spellings).
SYMBOLS = {"N": 64, "D_in": 1000, "H": 100, "D_out": 10}
SPELLINGS = {"N": "N", "n": "N", "D_in": "D_in", "d_in": "D_in", "H": "H", "hidden": "H",
             "D_out": "D_out", "d_out": "D_out"}

# --- Operations: each canonical name, how many inputs it takes, how it may be spelled -------

OPS = {
    "matmul": (2, ("@", "matmul", "mm", "dot")),
    "relu": (1, ("relu", "maximum", "clamp", "clip", "clamp_min")),
    "sub": (2, ("-", "sub", "subtract", "minus")),
    "square": (1, ("square", "**2", "pow", "power", "^2")),
    "sum": (1, ("sum", "reduce_sum")),
    # recognised so that a checker can name them as mistakes
    "mean": (1, ("mean", "reduce_mean")),
    "add": (2, ("+", "add", "plus")),
    "mul": (2, ("*", "mul", "multiply")),
    "transpose": (1, ("transpose",)),
    "sigmoid": (1, ("sigmoid",)),
    "tanh": (1, ("tanh",)),
}
ARITY = {op: arity for op, (arity, _spellings) in OPS.items()}
ALIASES = {spelling: op for op, (_arity, spellings) in OPS.items() for spelling in spellings}


# Where a reader's error is: a line of the text, a row of the table (the unit a reader names).
WHERE = {"line": N_("line {line}: {message}"), "row": N_("row {line}: {message}")}


class GraphError(ValueError):
    """A graph that cannot be read; the message says where (line, row or node) and why."""

    def __init__(self, message: str, line: int | None = None, unit: str = "line"):
        super().__init__(_(WHERE[unit], line=line, message=message) if line else message)
        self.line = line


@dataclass(frozen=True)
class Node:
    """A tensor: a leaf (op None) or the result of op on inputs, in order.

    shape: symbols or numbers as written, () for a scalar, None when not given.
    grad: marked as getting a gradient (requires_grad). line: where it was written.
    """

    name: str
    op: str | None = None
    inputs: tuple[str, ...] = ()
    shape: tuple[str | int, ...] | None = None
    grad: bool = False
    line: int = field(default=0, compare=False)  # two readings of one graph are equal

    @property
    def leaf(self) -> bool:
        return self.op is None


@dataclass(frozen=True)
class Graph:
    """The nodes in the order they were given; names are the links between them."""

    nodes: tuple[Node, ...] = ()

    def __post_init__(self):
        if len(self.nodes) > MAX_NODES:
            raise GraphError(_("more than {limit} nodes (MAX_NODES)", limit=MAX_NODES))

    def node(self, name: str) -> Node | None:
        """The first node of that name."""
        return next((node for node in self.nodes if node.name == name), None)

    def names(self) -> tuple[str, ...]:
        return tuple(node.name for node in self.nodes)

    def readers(self, name: str) -> tuple[Node, ...]:
        """The nodes that take name as an input."""
        return tuple(node for node in self.nodes if name in node.inputs)


# --- Names, operations, shapes ----------------------------------------------------------------


def check_name(name: str, line: int | None = None, unit: str = "line") -> str:
    """name itself, if it is an identifier of at most MAX_NAME characters."""
    if len(name) > MAX_NAME:
        raise GraphError(_("the name {name}... is longer than {limit} characters (MAX_NAME)",
                           name=name[:MAX_NAME], limit=MAX_NAME), line, unit)
    if not NAME.fullmatch(name):
        raise GraphError(_("{name!r} is not a name: use letters, digits and _, starting with "
                           "a letter or _", name=name), line, unit)
    return name


def lookup(spelling: str) -> str | None:
    """The canonical operation a spelling names ('np.dot', 'MatMul', '** 2'), or None."""
    text = spelling.strip().replace(" ", "")
    if "." in text.strip("."):  # np.sum, torch.nn.functional.relu: the function's own name
        text = text.rsplit(".", 1)[1]
    return ALIASES.get(text) or ALIASES.get(text.lower())


def known_operations() -> str:
    """Every operation with its other spellings, for a message."""
    def one(op: str) -> str:
        others = [s for s in OPS[op][1] if s != op]
        return f"{op} ({', '.join(others)})" if others else op
    return "; ".join(one(op) for op in OPS)


def canonical(spelling: str, line: int | None = None, unit: str = "line") -> str:
    """The canonical name of an operation; a GraphError listing the known ones if unknown."""
    op = lookup(spelling)
    if op is None:
        raise GraphError(_("unknown operation {spelling!r}; the known ones are {known}",
                           spelling=spelling[:MAX_NAME], known=known_operations()), line, unit)
    return op


def op_node(name: str, spelling: str, inputs, shape=None, grad=False, line: int = 0,
            unit: str = "line") -> Node:
    """A computed node, its operation normalised: d * d is square(d)."""
    op = canonical(spelling, line, unit)
    inputs = tuple(check_name(i, line, unit) for i in inputs)
    if op == "mul" and len(inputs) == 2 and inputs[0] == inputs[1]:
        op, inputs = "square", inputs[:1]
    return Node(check_name(name, line, unit), op, inputs, shape, grad, line)


SEPARATORS = re.compile(r"\s*(?:[×*,]|\s[xX]\s|(?<=\d)[xX](?=\d))\s*")


def parse_shape(text: str, line: int | None = None, unit: str = "line"):
    """'N×D_in', 'N x D_in', '64*1000', '(64, 1000)', '[N, H]' -> its dims; 'scalar', '()'
    and '1' -> (); '' -> None (not given)."""
    text = text.strip()
    if len(text) > MAX_LINE:
        raise GraphError(_("a shape longer than {limit} characters (MAX_LINE)", limit=MAX_LINE),
                         line, unit)
    if not text:
        return None
    inner = text[1:-1].strip() if text[0] + text[-1] in ("()", "[]") else text
    if inner.lower() in ("", "scalar", "1", "标量"):  # 标量: scalar as the page says it in Chinese
        return ()
    parts = SEPARATORS.split(inner)
    if parts[-1] == "" and len(parts) > 1:  # (64,) as Python writes a 1-tuple
        parts.pop()
    if len(parts) > MAX_RANK:
        raise GraphError(_("a shape of more than {limit} dimensions (MAX_RANK)",
                           limit=MAX_RANK), line, unit)
    return tuple(_dim(part, text, line, unit) for part in parts)


def _dim(part: str, text: str, line, unit) -> str | int:
    """One size: a symbol of the assignment's (in its own spelling) or a bounded number."""
    if part in SPELLINGS:
        return SPELLINGS[part]
    if part.isdigit() and part.isascii() and len(part) <= 7:
        if 1 <= int(part) <= MAX_DIM:
            return int(part)
        raise GraphError(_("size {size} in the shape {shape!r} is not between 1 and {limit} "
                           "(MAX_DIM)", size=part, shape=text, limit=MAX_DIM), line, unit)
    raise GraphError(_("size {size!r} in the shape {shape!r} is unknown: use N, D_in, H, D_out "
                       "or a number", size=part[:MAX_NAME], shape=text[:MAX_NAME]), line, unit)


def resolve(shape) -> tuple[int, ...] | None:
    """A shape in numbers: ('N', 1000) -> (64, 1000)."""
    return None if shape is None else tuple(SYMBOLS.get(d, d) for d in shape)


def symbolic(shape) -> tuple[str | int, ...] | None:
    """A shape in the assignment's symbols where a number is one of its sizes."""
    names = {size: symbol for symbol, size in SYMBOLS.items()}
    return None if shape is None else tuple(names.get(d, d) for d in shape)


def shape_text(shape) -> str:
    """('N', 'H') -> 'N×H'; () -> 'scalar'; None -> ''. The notation's own word, which the
    readers read back: files and the text keep it; a message or a drawing shows shown_shape."""
    if shape is None:
        return ""
    return "×".join(str(d) for d in shape) if shape else "scalar"


def shown_shape(shape) -> str:
    """shape_text as a visitor reads it: 'scalar' in the session's language."""
    return _("scalar") if shape == () else shape_text(shape)
