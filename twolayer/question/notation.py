"""The text notation: one node a line, `name : shape[, grad]` for a tensor the graph starts
from and `name = operation : shape` for a computed one.

    x : N×D_in
    w1 : D_in×H, grad
    h = x @ w1 : N×H
    loss = sum(sq) : scalar

The part before the last colon is parsed with Python's `ast` and walked against an
allow-list (names, the operators @ - + * and ** 2, calls of known operations on names,
the constants 0, 2 and None, the keyword min=0); nothing is ever evaluated. Everything
else is a GraphError naming the construct and its line.
"""

from __future__ import annotations

import ast
import re

from ..i18n import _
from .model import (
    ARITY,
    MAX_LINE,
    MAX_NAME,
    MAX_NODES,
    MAX_TEXT,
    Graph,
    GraphError,
    Node,
    canonical,
    check_name,
    lookup,
    op_node,
    parse_shape,
    shape_text,
)

# Modules whose functions may be called by their dotted name: np.maximum, F.relu, ...
MODULES = frozenset(("np", "numpy", "torch", "nn", "functional", "F", "tf", "math", "jnp",
                     "jax"))
BINARY = {ast.MatMult: "@", ast.Sub: "-", ast.Add: "+", ast.Mult: "*"}
OTHER_OPERATORS = {ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<",
                   ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
GRAD = re.compile(r"(?:^|,)\s*(?:requires_grad(?:\s*=\s*True)?|grad)\s*$")


def parse(text: str) -> Graph:
    """The graph a text gives, one node a line; blank lines and # comments are skipped.

    Raises GraphError, with the line, for anything it cannot read or any bound exceeded
    (MAX_TEXT characters, MAX_LINE a line, MAX_NODES nodes).
    """
    if len(text) > MAX_TEXT:
        raise GraphError(_("the text is longer than {limit} characters (MAX_TEXT)",
                           limit=MAX_TEXT))
    nodes = []
    for number, raw in enumerate(text.splitlines(), 1):
        if len(raw) > MAX_LINE:
            raise GraphError(_("longer than {limit} characters (MAX_LINE)", limit=MAX_LINE),
                             number)
        code = raw.split("#", 1)[0].strip()
        if not code:
            continue
        if len(nodes) == MAX_NODES:
            raise GraphError(_("more than {limit} nodes (MAX_NODES)", limit=MAX_NODES), number)
        nodes.append(parse_line(code, number))
    return Graph(tuple(nodes))


def parse_line(code: str, line: int = 0) -> Node:
    """One node from one line: the shape and grad mark follow its last colon."""
    head, colon, tail = code.rpartition(":")
    if not colon:
        head, tail = code, ""
    statement = _statement(head, line)
    grad = GRAD.search(tail)
    shape = parse_shape(tail[: grad.start()] if grad else tail, line)
    if isinstance(statement, ast.Expr):
        if not isinstance(statement.value, ast.Name):
            raise GraphError(_("give the result a name: name = {code}",
                               code=_text(statement.value)), line)
        return Node(check_name(statement.value.id, line), None, (), shape, bool(grad), line)
    spelling, inputs = _operation(statement.value, line)
    return op_node(statement.targets[0].id, spelling, inputs, shape, bool(grad), line)


def _statement(head: str, line: int) -> ast.stmt:
    """The line's one statement: a name alone, or one name assigned."""
    try:
        body = ast.parse(head.strip(), mode="exec").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        reason = error.msg if hasattr(error, "msg") else _("not Python syntax")
        raise GraphError(_("cannot read {code!r}: {reason}", code=head.strip()[:MAX_NAME],
                           reason=reason), line) from None
    if not body:
        raise GraphError(_("a name comes before the colon"), line)
    if len(body) != 1:
        raise GraphError(_("one node a line"), line)
    statement = body[0]
    if isinstance(statement, ast.Expr):
        return statement
    if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)):
        return statement
    raise _refused(statement, line, _("a line is `name : shape` or `name = operation : shape`"))


def _operation(expr: ast.expr, line: int) -> tuple[str, tuple[str, ...]]:
    """(the operation's spelling, its input names) of the right-hand side."""
    if isinstance(expr, ast.BinOp):
        return _binary(expr, line)
    if isinstance(expr, ast.Call):
        return _call(expr, line)
    if isinstance(expr, ast.Name):
        raise GraphError(_("= {name} has no operation: a line computes one tensor",
                           name=expr.id), line)
    raise _refused(expr, line, _("the right-hand side is one operation on names"))


def _binary(expr: ast.BinOp, line: int) -> tuple[str, tuple[str, ...]]:
    """a @ b, a - b, a + b, a * b, a ** 2."""
    if isinstance(expr.op, ast.Pow):  # only the square has a meaning here
        if _constant(expr.right) != 2:
            raise GraphError(_("{code}: the only power known is ** 2", code=_text(expr)), line)
        return "**2", (_operand(expr.left, line),)
    spelling = BINARY.get(type(expr.op))
    if spelling is None:  # canonical() raises, listing the known operations
        canonical(OTHER_OPERATORS.get(type(expr.op), type(expr.op).__name__), line)
    return spelling, (_operand(expr.left, line), _operand(expr.right, line))


def _operand(expr: ast.expr, line: int) -> str:
    """An input's name; anything computed belongs on a line of its own."""
    if isinstance(expr, ast.Name):
        return check_name(expr.id, line)
    if isinstance(expr, ast.BinOp | ast.Call | ast.UnaryOp):
        raise GraphError(_("one operation a line: give {code} its own line", code=_text(expr)),
                         line)
    raise _refused(expr, line, _("an operand is a tensor's name"))


def _call(expr: ast.Call, line: int) -> tuple[str, tuple[str, ...]]:
    """A known function or method: relu(h), np.maximum(h, 0), h.clamp(min=0), d.pow(2)."""
    spelling, owner = _callee(expr.func, line)
    op = canonical(spelling, line)
    names = [owner] if owner else []
    constants = []
    for arg in expr.args:
        value = _constant(arg)
        if value is _NOT:
            names.append(_operand(arg, line))
        else:
            constants.append(value)
    for keyword in expr.keywords:
        if keyword.arg != "min" or _constant(keyword.value) != 0:
            raise GraphError(_("{code}: the only keyword known is min=0", code=_text(expr)),
                             line)
        constants.append(0)
    _check_constants(spelling, op, names, constants, _text(expr), line)
    return spelling, tuple(names)


_NOT = object()


def _constant(expr: ast.expr):
    """The value of 0, 2 or None written as a constant; _NOT for anything else."""
    if isinstance(expr, ast.Constant) and (expr.value is None or (
            type(expr.value) in (int, float) and expr.value in (0, 2))):
        return expr.value
    return _NOT


def _check_constants(spelling, op, names, constants, text, line) -> None:
    """The constants a call may take, by what it means: maximum(h, 0) is a ReLU, pow(d, 2)
    a square; a plain relu(h) takes none."""
    name = spelling.rsplit(".", 1)[-1].lower()
    if name == "maximum":
        ok = len(names) == 1 and constants == [0]
    elif name in ("clamp", "clip", "clamp_min"):
        ok = len(names) == 1 and constants in ([0], [0, None])
    elif name in ("pow", "power"):
        ok = len(names) == 1 and constants == [2]
    else:
        ok = not constants
    if not ok:
        forms = {"relu": _("{code}: write maximum(h, 0), clamp(h, min=0) or clip(h, 0, None)",
                           code=text),
                 "square": _("{code}: write pow(d, 2) or power(d, 2)", code=text)}
        raise GraphError(forms.get(op) or _("{code}: write {op} of tensor names, with no "
                                            "constants", code=text, op=op), line)


def _callee(func: ast.expr, line: int) -> tuple[str, str | None]:
    """(the function's dotted name, the tensor a method is called on, or None)."""
    if isinstance(func, ast.Name):
        return func.id, None
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or not parts:
        raise _refused(func, line, _("call an operation by its name"))
    parts.append(func.id)
    dotted = ".".join(reversed(parts))
    if all(part in MODULES for part in parts[1:]):
        return dotted, None
    if len(parts) == 2:  # a method on a tensor: x.dot(w1), d.pow(2), sq.sum()
        return parts[0], check_name(func.id, line)
    raise _refused(func, line, _("call an operation by its name"))


def _refused(node: ast.AST, line: int, rule: str) -> GraphError:
    """The error for a construct off the allow-list: what it is, and the rule."""
    return GraphError(_("{code} ({construct}) is not allowed: {rule}", code=_text(node),
                        construct=type(node).__name__, rule=rule), line)


def _text(node: ast.AST) -> str:
    """A construct as written, shortened for a message (unparsed, never evaluated)."""
    text = ast.unparse(node)
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 3] + "..."


# --- Back to text -----------------------------------------------------------------------------

FORMS = {"matmul": "{} @ {}", "sub": "{} - {}", "add": "{} + {}", "mul": "{} * {}",
         "square": "{} ** 2"}


def to_text(graph: Graph) -> str:
    """The graph in the notation, one node a line; parse() reads it back as the same graph."""
    return "\n".join(_line(node) for node in graph.nodes) + "\n"


def _line(node: Node) -> str:
    """A node as one line of the notation."""
    tail = ", ".join(t for t in (shape_text(node.shape), "grad" if node.grad else "") if t)
    if node.leaf:
        return f"{node.name} : {tail}" if tail else node.name
    if node.op in FORMS and len(node.inputs) == ARITY[node.op]:
        expression = FORMS[node.op].format(*node.inputs)
    else:
        expression = f"{node.op}({', '.join(node.inputs)})"
    return f"{node.name} = {expression}" + (f" : {tail}" if tail else "")


__all__ = ["lookup", "parse", "parse_line", "to_text"]
