"""What an operation will cost, known before it runs: the size of its result and its work.

Every call and operator the evaluator allows is predicted here from its operands' shapes:
the result's shape (an upper bound where only the size matters, as for a sum) and its
work in multiply-adds (a product of (m, k) and (k, n) costs m·k·n, anything elementwise
one per entry). The evaluator refuses an operation whose result would be far larger than
the arrays in scope, or whose work exceeds MAX_OP_WORK, so that one step of a student's
lines costs a bounded time before it is taken. A name the table does not know is refused.

Autograd adds a cost of its own: a tensor's graph holds the tensors its operations saved
and makes backward() repeat their work. Each graph node the evaluator creates carries, in
its metadata, the work and the saved bytes of the whole graph below it (shared parts
counted twice: an upper bound), so that backward() and a growing graph are bounded too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..i18n import N_
from .errors import CodeError
from .values import is_array, is_number, is_tensor, nbytes

MAX_OP_WORK = 2**26  # multiply-adds of one operation: ten times the assignment's largest
# product (x.T @ grad_h: 1000·64·100), 0.05 s even for integers, which numpy's BLAS skips
MAX_GRAPH_WORK = 2**28  # of one backward(): forty times the assignment's graph
MAX_GRAPH_BYTES = 64 * 2**20  # saved by one graph: eighty times the assignment's


@dataclass(frozen=True)
class Cost:
    """An operation's result shape (an upper bound on its entries) and its work."""

    shape: tuple
    work: int

    @property
    def entries(self) -> int:
        return math.prod(self.shape)


def shape_of(value) -> tuple[int, ...]:
    """The shape a value has as data: an array's; a tuple is a row; a number has none."""
    if is_array(value):
        return tuple(int(d) for d in value.shape)
    if isinstance(value, tuple):
        return (len(value),)
    return ()


def elementwise(shapes: list[tuple], node) -> Cost:
    result: tuple = ()
    for shape in shapes:
        result = broadcast(result, shape, node)
    return Cost(result, max(1, math.prod(result)))


def broadcast(a: tuple, b: tuple, node) -> tuple:
    if a == b or not b:
        return a
    if not a:
        return b
    result = []
    for x, y in zip(((1,) * (len(b) - len(a)) + a), ((1,) * (len(a) - len(b)) + b),
                    strict=True):
        if x != y and 1 not in (x, y):
            raise CodeError(N_("{code}: shapes {a} and {b} do not match"), node,
                            refused=False, code=source(node), a=dims(a), b=dims(b))
        result.append(max(x, y))
    return tuple(result)


def matmul(a: tuple, b: tuple, node) -> Cost:
    """a @ b (numpy's dot rule, which bounds matmul's too): shape and multiply-adds."""
    if not a or not b:
        raise CodeError(N_("{code}: @ needs arrays on both sides"), node, code=source(node))
    if len(a) > 2 or len(b) > 2:  # a batched product copies its broadcast operands whole
        raise CodeError(N_("{code}: @ takes matrices and vectors here, not arrays of "
                           "{count} dimensions"), node, code=source(node),
                        count=max(len(a), len(b)))
    inner_a, inner_b = a[-1], b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise CodeError(N_("{code}: {a} @ {b} needs {inner_a} == {inner_b} (the inner sizes)"),
                        node, refused=False, code=source(node), a=dims(a), b=dims(b),
                        inner_a=inner_a, inner_b=inner_b)
    shape = a[:-1] + b[:-2] + b[-1:] if len(b) > 1 else a[:-1]
    return Cost(shape, max(1, math.prod(shape) * inner_a))


def binary(symbol: str, left, right, node) -> Cost:
    if symbol == "@":
        return matmul(shape_of(left), shape_of(right), node)
    return elementwise([shape_of(left), shape_of(right)], node)


SAME_SHAPE = frozenset(("copy", "clone", "detach", "float", "double", "to", "type", "astype",
                        "numpy", "relu", "clamp", "clamp_min", "clip", "square", "abs",
                        "sign", "requires_grad_", "zero_", "tensor", "from_numpy", "as_tensor",
                        "zeros_like", "ones_like", "pow", "power"))
ELEMENTWISE = frozenset(("maximum", "minimum", "max", "multiply", "heaviside", "greater",
                         "where", "mul", "sub", "subtract", "add", "div", "sub_", "add_",
                         "mul_", "div_", "copy_"))
LEGACY = frozenset(("Tensor", "FloatTensor", "DoubleTensor"))  # torch.FloatTensor(x)
DATA_KEYWORDS = ("min", "max", "alpha")  # keywords whose value is data that broadcasts


def predict(name: str, args: list, kwargs: dict, node) -> Cost:
    """The cost of calling `name` (a method's owner first in args), or a CodeError if it
    cannot or should not run."""
    if name == "zeros":
        shape = _creation_shape(args, node)
        return Cost(shape, max(1, math.prod(shape)))
    if name in ("reshape", "view"):
        return _reshape(args, node)
    if name in ("dot", "matmul", "mm"):
        return _product(name, args, node)
    if name in ("transpose", "t"):
        shape = shape_of(args[0]) if args else ()
        return Cost(tuple(reversed(shape)), max(1, math.prod(shape)))
    if name in ("sum", "mean", "item", "norm"):  # no larger than what they reduce
        shape = shape_of(args[0]) if args else ()
        return Cost(shape, max(1, math.prod(shape)))
    if name == "backward":  # its graph is bounded on its own (MAX_GRAPH_WORK)
        return Cost((), 1)
    if name in LEGACY:
        if not args or all(isinstance(a, int) for a in args):
            raise CodeError(N_("torch.{name}(sizes) makes a tensor of whatever memory held: "
                               "use torch.zeros(sizes), or torch.tensor(data)"), node, name=name)
        name = "tensor"
    if name in ELEMENTWISE or name in SAME_SHAPE:
        data = [shape_of(a) for a in args if is_array(a) or is_number(a) or
                isinstance(a, tuple)] + [shape_of(kwargs[k]) for k in DATA_KEYWORDS if k in kwargs]
        if not data:
            raise CodeError(N_("this call needs an array"), node)
        return elementwise(data, node)
    # every allowed call is predicted
    raise CodeError(N_("{name}() is not allowed here"), node, name=name)


def _creation_shape(args, node) -> tuple:
    sizes = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
    if not sizes or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                            for d in sizes):
        raise CodeError(N_("zeros() needs sizes as whole numbers"), node)
    return tuple(sizes)


def _reshape(args, node) -> Cost:
    array, sizes = args[0], args[1:]
    if len(sizes) == 1 and isinstance(sizes[0], tuple):
        sizes = sizes[0]
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in sizes) \
            or math.prod(sizes) != math.prod(shape_of(array)):
        raise CodeError(N_("reshape() must keep the number of entries (no -1)"), node)
    return Cost(tuple(sizes), max(1, math.prod(sizes)))


def _product(name: str, args, node) -> Cost:
    operands = [a for a in args if is_array(a) or is_number(a)]
    if len(operands) != 2:
        raise CodeError(N_("{name}() needs two arrays"), node, name=name)
    a, b = (shape_of(v) for v in operands)
    if not a or not b:  # np.dot(2, x) is a product by a number
        return elementwise([a, b], node)
    return matmul(a, b, node)


# --- Autograd's graphs --------------------------------------------------------------------


@dataclass(frozen=True)
class Graph:
    """The work backward() would repeat and the bytes the graph below a tensor saved."""

    work: int = 0
    bytes: int = 0


MAX_UNTAGGED = 64  # graph nodes walked below a tensor to reach the costs recorded under it


def graph_of(value) -> Graph:
    """What a tensor's graph costs, as the evaluator recorded it on the nodes it made
    (nothing for a leaf or an array). A node it did not make itself (a view such as .T, the
    node an in-place change of a view leaves) costs what the graphs below it do."""
    node = getattr(value, "grad_fn", None) if is_tensor(value) else None
    return _graph_below(node, [MAX_UNTAGGED])


def _graph_below(node, budget: list[int]) -> Graph:
    if node is None:
        return Graph()
    recorded = node.metadata.get("twolayer")
    if recorded is not None:
        return recorded
    budget[0] -= 1
    if budget[0] < 0:  # too far to know: as large as refused
        return Graph(MAX_GRAPH_WORK + 1, MAX_GRAPH_BYTES + 1)
    below = [_graph_below(child, budget) for child, _ in node.next_functions
             if child is not None]
    return Graph(sum(g.work for g in below), sum(g.bytes for g in below))


def graph_after(inputs: list, work: int) -> Graph | None:
    """The graph an operation on these inputs would make, or None if it makes none (no
    input tracked by autograd, or autograd off, as in torch.no_grad())."""
    tensors = [v for v in inputs if is_tensor(v) and v.requires_grad]
    if not tensors or not _grad_enabled():
        return None
    tensors += [v for v in inputs if is_tensor(v) and not v.requires_grad]  # saved too
    below = [graph_of(t) for t in tensors]
    return Graph(work + sum(g.work for g in below),
                 sum(nbytes(t) + g.bytes for t, g in zip(tensors, below, strict=True)))


def check_graph(graph: Graph | None, node) -> None:
    if graph is not None and graph.bytes > MAX_GRAPH_BYTES:
        raise CodeError(N_("autograd's graph would hold {mb:.0f} MB of saved tensors (at most "
                           "{most} MB): does a tensor keep growing from one iteration to the "
                           "next?"), node, mb=graph.bytes / 2**20, most=MAX_GRAPH_BYTES // 2**20)


def record_graph(result, graph: Graph | None) -> None:
    """Tag the graph node that made `result` with the cost of the graph below it."""
    node = getattr(result, "grad_fn", None) if graph is not None else None
    if node is not None:
        node.metadata["twolayer"] = graph


def _grad_enabled() -> bool:
    import torch  # loaded already: a tensor is at hand

    return torch.is_grad_enabled()


def dims(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def source(node) -> str:
    import ast

    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - a name for the message only
        text = type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."
