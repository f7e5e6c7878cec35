"""A small evaluator for a student's lines: Python's syntax, an allow-list of meanings.

Student code is never executed as Python. It is parsed with `ast`, checked against an
allow-list before anything runs (statement and expression kinds, attribute names,
call targets, keyword names, constants), then walked node by node here, calling only
the numpy and torch functions and methods listed below on values of known types. The
model is `ast.literal_eval`: a walk over a short list of node types that refuses
everything else, with the construct and its position in the message.

Before an operation runs, the shape of its result is predicted from its operands'
shapes and refused if it is far larger than the arrays in scope; the text, the
nesting, the number of steps and the time a run may take are bounded too. Every
failure, whether refused here or raised by numpy or torch, is a CodeError.
"""

from __future__ import annotations

import ast
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_TEXT = 2000  # characters of one blank
MAX_LINES = 40
MAX_DEPTH = 30  # nesting of the syntax tree
MAX_NODES = 600
MAX_EXPONENT = 8  # x ** k with a constant |k| at most this
MAX_INT = 10**12  # integers, constants and results of integer arithmetic
MAX_STEPS = 20_000  # nodes one run may evaluate
MIN_ELEMENTS = 100_000  # an array may always have this many entries
GROWTH = 4  # ...or this many times the largest array in scope
MAX_PRINTS = 5_000  # print() calls one evaluator keeps (a whole run prints 500 per cell)


BLANK_FILE = "<blank>"  # the file name parse() gives a blank's text


def clock() -> float:
    """The clock of every time bound here: CPU seconds this thread has used. On a busy
    server a check waits for a core; waiting must not count against a student's lines.
    One thread does all their work (the app runs numpy and torch on one thread each)."""
    return time.thread_time()


class CodeError(Exception):
    """A student's code refused or failed; the message says what, where, and why."""

    def __init__(self, message: str, node: ast.AST | None = None):
        where = ""
        if node is not None and hasattr(node, "lineno"):
            where = f"line {node.lineno}, column {node.col_offset + 1}: "
        super().__init__(where + message)


class Module:
    """np or torch as student code sees them: only their listed functions."""

    def __init__(self, name: str, functions: dict[str, Callable]):
        self.name, self.functions = name, functions


@dataclass(frozen=True)
class Method:
    """A value's method, looked up from the allow-list, waiting for its call."""

    owner: object
    name: str


@dataclass(frozen=True)
class Function:
    """A module function from the allow-list, waiting for its call."""

    module: str
    name: str
    call: Callable


def _torch():
    import torch

    return torch


# --- What may be called, with which keywords ------------------------------------------

NUMPY_FUNCTIONS = ("maximum", "minimum", "where", "dot", "matmul", "sum", "mean", "square",
                   "multiply", "transpose", "zeros", "zeros_like", "ones_like", "heaviside",
                   "greater", "abs")
TORCH_FUNCTIONS = ("tensor", "from_numpy", "as_tensor", "maximum", "minimum", "zeros",
                   "zeros_like", "ones_like", "relu", "clamp", "mm", "matmul", "sum", "mean",
                   "pow", "mul", "sub", "add", "where", "square", "abs")
TORCH_CONSTANTS = ("float", "float32", "float64", "double")
NUMPY_CONSTANTS = ("float32", "float64")
METHODS = frozenset(("dot", "sum", "mean", "clamp", "clamp_min", "pow", "backward", "sub_",
                     "add_", "mul_", "zero_", "item", "relu", "mm", "matmul", "t", "float",
                     "double", "to", "copy", "clone", "detach", "astype", "transpose",
                     "square", "abs", "requires_grad_", "reshape", "view", "sub", "add",
                     "mul", "div", "div_", "maximum", "minimum"))
PROPERTIES = frozenset(("T", "grad", "shape", "dtype", "requires_grad", "data"))
KEYWORDS = frozenset(("dtype", "device", "requires_grad", "alpha", "min", "max", "axis",
                      "dim", "keepdims", "keepdim", "retain_graph"))
BUILTINS = ("print", "float", "abs", "int")
FORBIDDEN_NAMES = frozenset(("np", "torch", *BUILTINS))
BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@",
          ast.Pow: "**"}
COMPARE = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "==",
           ast.NotEq: "!="}
AUGMENT = (ast.Add, ast.Sub, ast.Mult, ast.Div)

EXPRESSIONS = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call, ast.Attribute, ast.Name,
               ast.Constant, ast.Tuple, ast.Subscript, ast.keyword, ast.Load, ast.Store,
               ast.USub, ast.UAdd, *BINARY, *COMPARE)
STATEMENTS = (ast.Module, ast.Expr, ast.Assign, ast.AugAssign)
DESCRIBED = {  # refused constructs, named as a student would call them
    ast.Import: "import", ast.ImportFrom: "import", ast.Lambda: "lambda",
    ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string",
    ast.FunctionDef: "a function definition", ast.AsyncFunctionDef: "a function definition",
    ast.ClassDef: "a class definition", ast.For: "a for loop", ast.While: "a while loop",
    ast.If: "an if statement", ast.With: "a with block", ast.Try: "try/except",
    ast.Starred: "a starred argument", ast.Dict: "a dict", ast.List: "a list",
    ast.Set: "a set", ast.IfExp: "a conditional expression", ast.BoolOp: "and/or",
    ast.NamedExpr: "the walrus operator", ast.Slice: "a slice", ast.Delete: "del",
    ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Return: "return",
    ast.Raise: "raise", ast.Assert: "assert", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.AnnAssign: "an annotated assignment", ast.Pass: "pass",
    ast.Break: "break", ast.Continue: "continue",
}


def parse(text: str) -> ast.Module:
    """A blank's text as a syntax tree checked against the allow-list (nothing runs)."""
    if len(text) > MAX_TEXT:
        raise CodeError(f"the blank has {len(text):,} characters; at most {MAX_TEXT:,}")
    if text.count("\n") + 1 > MAX_LINES:
        raise CodeError(f"the blank has more than {MAX_LINES} lines")
    _warnings_are_errors()
    try:
        tree = ast.parse(text, filename=BLANK_FILE)
    except SyntaxError as error:
        line, column = error.lineno or 1, (error.offset or 1)
        raise CodeError(f"line {line}, column {column}: syntax error: {error.msg}") from None
    except (ValueError, MemoryError, RecursionError):  # e.g. a NUL byte, absurd nesting
        raise CodeError("the text cannot be read as Python") from None
    _check_tree(tree)
    return tree


def _warnings_are_errors() -> None:
    """Python's tokenizer warns about text like `1if x`; in a blank that is a syntax error.

    The warning would otherwise be a line in the server's log. The filter is keyed on the
    blank's file name and (re)installed here, not with catch_warnings, which is not
    thread-safe; anything that resets the filters (a test runner) cannot lose it.
    """
    if not any(f[2] is SyntaxWarning and f[3] is not None and f[3].pattern == BLANK_FILE
               for f in warnings.filters):
        warnings.filterwarnings("error", category=SyntaxWarning, module=BLANK_FILE)


def _check_tree(tree: ast.Module) -> None:
    nodes = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise CodeError(f"the blank is too long: more than {MAX_NODES} syntax nodes")
        if depth > MAX_DEPTH:
            raise CodeError(f"expressions nest deeper than {MAX_DEPTH} levels", node)
        _check_node(node)
        children = list(ast.iter_child_nodes(node))
        stack.extend((child, depth + 1) for child in reversed(children))  # reading order


def _check_node(node: ast.AST) -> None:
    if isinstance(node, STATEMENTS):
        _check_statement(node)
    elif not isinstance(node, EXPRESSIONS):
        name = DESCRIBED.get(type(node), type(node).__name__)
        raise CodeError(f"{name} is not allowed here: write plain assignments and calls", node)
    elif isinstance(node, ast.Constant):
        _check_constant(node)
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise CodeError(f"the name {node.id!r} is not allowed (no names starting with _)",
                            node)
    elif isinstance(node, ast.Attribute):
        if node.attr not in METHODS | PROPERTIES | set(NUMPY_FUNCTIONS) | \
                set(TORCH_FUNCTIONS) | set(TORCH_CONSTANTS) | set(NUMPY_CONSTANTS):
            raise CodeError(f"the attribute .{node.attr} is not allowed here", node)
    elif isinstance(node, ast.keyword):
        if node.arg is None or node.arg not in KEYWORDS:
            raise CodeError(f"the keyword argument {node.arg or '**'}= is not allowed", node)
    elif isinstance(node, ast.Compare) and len(node.ops) != 1:
        raise CodeError("a chained comparison is not allowed: compare two things at once",
                        node)
    elif isinstance(node, ast.BinOp | ast.Compare):
        _check_operator(node)
    elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub | ast.UAdd):
        raise CodeError("only - and + are allowed before a value", node)
    elif isinstance(node, ast.Tuple) and len(node.elts) > 4:
        raise CodeError("a tuple of more than 4 values is not allowed", node)
    elif isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Compare):
        raise CodeError("indexing is allowed only with a mask, as in a[h < 0]", node)


def _check_statement(node: ast.AST) -> None:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            for name in names:
                if not isinstance(name, ast.Name | ast.Subscript):
                    raise CodeError("assign to plain names (or a[mask]) only", name)
                if isinstance(name, ast.Name) and name.id in FORBIDDEN_NAMES:
                    raise CodeError(f"{name.id!r} cannot be assigned", name)
    elif isinstance(node, ast.AugAssign):
        data = isinstance(node.target, ast.Attribute) and node.target.attr == "data"
        if not (isinstance(node.target, ast.Name | ast.Subscript) or data):
            raise CodeError("augmented assignment to plain names (or w.data) only", node)
        if not isinstance(node.op, AUGMENT):
            raise CodeError("only +=, -=, *= and /= are allowed", node)
        if isinstance(node.target, ast.Name) and node.target.id in FORBIDDEN_NAMES:
            raise CodeError(f"{node.target.id!r} cannot be assigned", node)


def _check_constant(node: ast.Constant) -> None:
    value = node.value
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str | bytes):
        raise CodeError("strings are not allowed here", node)
    if isinstance(value, complex) or not isinstance(value, int | float):
        raise CodeError(f"the constant {value!r} is not allowed", node)
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise CodeError(f"the number {value} is too large", node)


def _check_operator(node: ast.AST) -> None:
    op = node.op if isinstance(node, ast.BinOp) else node.ops[0]
    if type(op) not in BINARY and type(op) not in COMPARE:
        raise CodeError(f"the operator {type(op).__name__} is not allowed", node)
    if isinstance(op, ast.Pow):
        exponent = _constant_number(node.right)
        if exponent is None or abs(exponent) > MAX_EXPONENT:
            raise CodeError(f"** needs a constant exponent from -{MAX_EXPONENT} to "
                            f"{MAX_EXPONENT}", node)


def _constant_number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant_number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return node.value
    return None


# --- Running a checked tree -------------------------------------------------------------


class Evaluator:
    """Runs checked trees against a scope of names (a dict it reads and writes).

    output: where print(...) goes, one tuple of values per call.
    deadline: the clock() after which a run stops with a CodeError.
    """

    def __init__(self, scope: dict, output: list | None = None,
                 deadline: float | None = None):
        self.scope = scope
        self.output = output if output is not None else []
        self.deadline = deadline
        self.steps = 0
        self.limit = _element_limit(scope)
        self.modules = {"np": Module("np", {n: getattr(np, n) for n in NUMPY_FUNCTIONS}),
                        "torch": _torch_module()}

    def run(self, tree: ast.Module) -> None:
        """Every statement of the tree, in order; a CodeError at the first failure."""
        self.steps = 0  # MAX_STEPS bounds one run of one tree; the deadline, the whole
        with np.errstate(all="ignore"):  # inf and NaN are values here, not warnings
            for statement in tree.body:
                self._statement(statement)

    # Statements

    def _statement(self, node: ast.AST) -> None:
        self._tick(node)
        if isinstance(node, ast.Expr):
            self._value(node.value)
        elif isinstance(node, ast.Assign):
            value = self._value(node.value)
            for target in node.targets:
                self._assign(target, value, node)
        elif isinstance(node, ast.AugAssign):
            self._augment(node)

    def _assign(self, target: ast.AST, value, node: ast.AST) -> None:
        if isinstance(target, ast.Tuple):
            if not isinstance(value, tuple) or len(value) != len(target.elts):
                raise CodeError(f"cannot unpack into {len(target.elts)} names", node)
            for name, item in zip(target.elts, value, strict=True):
                self._assign(name, item, node)
        elif isinstance(target, ast.Name):
            self.scope[target.id] = _plain(value, node)
        else:  # a[mask] = value
            array, mask = self._value(target.value), self._value(target.slice)
            if not (_is_array(array) and _is_array(mask)) or \
                    not (_is_array(value) or _is_number_like(value)):
                raise CodeError("a[mask] = value needs an array, a mask and a number", target)
            self._guard(lambda: array.__setitem__(mask, value), target)

    def _augment(self, node: ast.AugAssign) -> None:
        symbol = BINARY[type(node.op)]
        if isinstance(node.target, ast.Subscript):
            current = self._value(node.target)
            self._assign(node.target, self._binary(symbol, current,
                                                   self._value(node.value), node), node)
            return
        if isinstance(node.target, ast.Attribute):  # w.data -= ...: the tensor's own values
            current, value = self._value(node.target), self._value(node.value)
            self._check_shape(_broadcast(_shape(current), _shape(value), node), node)
            self._in_place(symbol, current, value, node)
            return
        name = node.target.id
        current, value = self._load(name, node.target), self._value(node.value)
        self._check_shape(_broadcast(_shape(current), _shape(value), node), node)
        if _is_array(current):  # in place, as Python does for arrays and tensors
            result = self._in_place(symbol, current, value, node)
        else:
            result = self._binary(symbol, current, value, node)
        self.scope[name] = _plain(result, node)

    def _in_place(self, symbol: str, current, value, node):
        if not (_is_array(value) or _is_number_like(value)):
            raise CodeError(f"{symbol}= is not allowed with {_describe(value)}", node)
        method = {"+": "__iadd__", "-": "__isub__", "*": "__imul__", "/": "__itruediv__"}
        return self._guard(lambda: getattr(current, method[symbol])(value), node)

    # Expressions

    def _value(self, node: ast.AST):
        self._tick(node)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._load(node.id, node)
        if isinstance(node, ast.Tuple):
            return tuple(self._value(item) for item in node.elts)
        if isinstance(node, ast.UnaryOp):
            operand = self._value(node.operand)
            return self._guard(lambda: -operand if isinstance(node.op, ast.USub) else +operand,
                               node)
        if isinstance(node, ast.BinOp):
            return self._binary(BINARY[type(node.op)], self._value(node.left),
                                self._value(node.right), node)
        if isinstance(node, ast.Compare):
            return self._binary(COMPARE[type(node.ops[0])], self._value(node.left),
                                self._value(node.comparators[0]), node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Subscript):
            array, mask = self._value(node.value), self._value(node.slice)
            if not (_is_array(array) and _is_array(mask)):
                raise CodeError("a[mask] needs an array and a mask", node)
            return self._guard(lambda: array[mask], node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise CodeError(f"{type(node).__name__} is not allowed here", node)

    def _load(self, name: str, node: ast.AST):
        if name in self.modules:
            return self.modules[name]
        if name in BUILTINS:
            return Function("builtins", name, _BUILTIN_CALLS[name])
        if name not in self.scope:
            known = ", ".join(sorted(k for k in self.scope if not k.startswith("_"))[:12])
            raise CodeError(f"the name {name!r} is not defined here (defined: {known})", node)
        return self.scope[name]

    def _attribute(self, node: ast.Attribute):
        owner = self._value(node.value)
        name = node.attr
        if isinstance(owner, Module):
            if name in owner.functions:
                return Function(owner.name, name, owner.functions[name])
            if owner.name == "torch" and name in TORCH_CONSTANTS:
                return getattr(_torch(), name)
            if owner.name == "np" and name in NUMPY_CONSTANTS:
                return getattr(np, name)
            raise CodeError(f"{owner.name}.{name} is not allowed here", node)
        if not _is_array(owner) and not isinstance(owner, np.number | np.bool_):
            raise CodeError(f".{name} is not allowed on {_describe(owner)}", node)
        if name in PROPERTIES:
            return self._guard(lambda: getattr(owner, name), node)
        if name in METHODS and hasattr(owner, name):
            return Method(owner, name)
        raise CodeError(f".{name} is not allowed on {_describe(owner)}", node)

    def _call(self, node: ast.Call):
        target = self._value(node.func)
        args = [_as_type(self._value(arg)) for arg in node.args]
        kwargs = {k.arg: _as_type(self._value(k.value)) for k in node.keywords}
        if isinstance(target, Function):
            if target.module == "builtins":
                return self._builtin(target.name, args, kwargs, node)
            self._check_shape(_predict(target.name, args, kwargs, node, self.limit), node)
            return self._guard(lambda: target.call(*args, **kwargs), node)
        if isinstance(target, Method):
            self._check_shape(_predict(target.name, [target.owner, *args], kwargs, node,
                                       self.limit), node)
            method = getattr(target.owner, target.name)
            return self._guard(lambda: method(*args, **kwargs), node)
        raise CodeError(f"{_describe(target)} cannot be called", node)

    def _builtin(self, name: str, args, kwargs, node):
        if kwargs:
            raise CodeError(f"{name}() takes no keyword arguments here", node)
        if name == "print":
            if len(self.output) >= MAX_PRINTS:
                raise CodeError(f"more than {MAX_PRINTS:,} print() calls", node)
            self.output.append(tuple(_printed(arg) for arg in args))
            return None
        if len(args) != 1 or not _is_number_like(args[0]):
            raise CodeError(f"{name}() takes one number here", node)
        result = self._guard(lambda: _BUILTIN_CALLS[name](args[0]), node)
        if isinstance(result, int) and abs(result) > MAX_INT:
            raise CodeError(f"{name}() gives too large a number", node)
        return result

    def _binary(self, symbol: str, left, right, node: ast.AST):
        for side in (left, right):
            if not (_is_array(side) or _is_number_like(side)):
                raise CodeError(f"{symbol} is not allowed on {_describe(side)}", node)
        if symbol == "@":
            self._check_shape(_matmul_shape(_shape(left), _shape(right), node), node)
        else:
            self._check_shape(_broadcast(_shape(left), _shape(right), node), node)
        if not (_is_array(left) or _is_array(right)):
            return _scalar_arithmetic(symbol, left, right, node)
        operations = {"+": lambda: left + right, "-": lambda: left - right,
                      "*": lambda: left * right, "/": lambda: left / right,
                      "@": lambda: left @ right, "**": lambda: left ** right,
                      ">": lambda: left > right, ">=": lambda: left >= right,
                      "<": lambda: left < right, "<=": lambda: left <= right,
                      "==": lambda: left == right, "!=": lambda: left != right}
        return self._guard(operations[symbol], node)

    # Bounds

    def _tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise CodeError(f"the run took more than {MAX_STEPS:,} steps", node)
        if self.deadline is not None and clock() > self.deadline:
            raise CodeError("the run took too long (its computing time is bounded) and was "
                            "stopped", node)

    def _check_shape(self, shape: tuple[int, ...] | None, node: ast.AST) -> None:
        if shape is not None and math.prod(shape) > self.limit:
            dims = "×".join(str(d) for d in shape)
            raise CodeError(f"this would make a {dims} array ({math.prod(shape):,} entries), "
                            f"far larger than the arrays in scope (limit {self.limit:,})", node)

    def _guard(self, operation: Callable, node: ast.AST):
        """Run one operation; whatever numpy or torch raises becomes a CodeError."""
        try:
            return operation()
        except CodeError:
            raise
        except Exception as error:  # noqa: BLE001 - every library error is the student's
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise CodeError(f"{_source(node)}: {message[:300]}", node) from None


def _torch_module() -> Module:
    torch = _torch()
    return Module("torch", {name: getattr(torch, name) for name in TORCH_FUNCTIONS})


_BUILTIN_CALLS = {"print": print, "float": float, "abs": abs, "int": int}


def _printed(value):
    """What print() keeps of a value: numbers, one-entry arrays (their shape matters to the
    checks) as copies outside autograd's graph, and only a description of anything else,
    so that prints hold no large arrays nor graphs alive."""
    if _is_number_like(value) or value is None:
        return value
    if _is_array(value) and math.prod(_shape(value)) == 1:
        return value.detach().clone() if hasattr(value, "detach") else np.array(value)
    if _is_array(value):
        return f"<{type(value).__name__} of shape {_dims(_shape(value))}>"
    return f"<{_describe(value)}>"


def _as_type(value):
    """float and int given as arguments (as in .astype(float)) mean the types."""
    if isinstance(value, Function) and value.module == "builtins" and value.name in ("float",
                                                                                      "int"):
        return {"float": float, "int": int}[value.name]
    return value


def _plain(value, node):
    """Only data may be stored under a name: no functions, methods or modules."""
    if isinstance(value, Function | Method | Module):
        raise CodeError("a function or method must be called where it is named", node)
    return value


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray) or type(value).__name__ in ("Tensor", "Parameter")


def _is_number_like(value) -> bool:
    return isinstance(value, int | float | np.number | np.bool_)


def _describe(value) -> str:
    if isinstance(value, Module):
        return f"the module {value.name}"
    if isinstance(value, Function | Method):
        return f"{value.name}()"
    return type(value).__name__


def _source(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - a name for the message only
        text = type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _scalar_arithmetic(symbol: str, left, right, node):
    if symbol == "**" and (abs(left) > 10**6 or abs(right) > MAX_EXPONENT):
        raise CodeError("** on such large numbers is not allowed", node)
    operations = {"+": lambda: left + right, "-": lambda: left - right,
                  "*": lambda: left * right, "/": lambda: left / right,
                  "**": lambda: left ** right, ">": lambda: left > right,
                  ">=": lambda: left >= right, "<": lambda: left < right,
                  "<=": lambda: left <= right, "==": lambda: left == right,
                  "!=": lambda: left != right}
    if symbol not in operations:
        raise CodeError(f"{symbol} needs arrays", node)
    try:
        result = operations[symbol]()
    except (ZeroDivisionError, OverflowError) as error:
        raise CodeError(f"{_source(node)}: {error}", node) from None
    if isinstance(result, int) and not isinstance(result, bool) and abs(result) > MAX_INT:
        raise CodeError(f"{_source(node)} is too large a number", node)
    if isinstance(result, complex):
        raise CodeError(f"{_source(node)} is not a real number", node)
    return result


# --- Shapes, predicted before anything runs ------------------------------------------------


def _element_limit(scope: dict) -> int:
    largest = max((math.prod(_shape(v)) for v in scope.values() if _is_array(v)), default=0)
    return max(MIN_ELEMENTS, GROWTH * largest)


def _shape(value) -> tuple[int, ...]:
    if _is_array(value):
        return tuple(int(d) for d in value.shape)
    return ()


def _broadcast(a: tuple, b: tuple, node) -> tuple:
    result = []
    for x, y in zip(((1,) * (len(b) - len(a)) + a), ((1,) * (len(a) - len(b)) + b),
                    strict=True):
        if x != y and 1 not in (x, y):
            raise CodeError(f"{_source(node)}: shapes {_dims(a)} and {_dims(b)} do not match",
                            node)
        result.append(max(x, y))
    return tuple(result)


def _matmul_shape(a: tuple, b: tuple, node) -> tuple:
    if not a or not b:
        raise CodeError(f"{_source(node)}: @ needs arrays on both sides", node)
    inner_a, inner_b = a[-1], b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise CodeError(f"{_source(node)}: {_dims(a)} @ {_dims(b)} needs {inner_a} == "
                        f"{inner_b} (the inner sizes)", node)
    return a[:-1] + b[:-2] + b[-1:] if len(b) > 1 else a[:-1]


def _dims(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


SAME_SHAPE = {"copy", "clone", "detach", "float", "double", "to", "astype", "relu", "clamp",
              "clamp_min", "square", "abs", "requires_grad_", "zero_", "tensor", "from_numpy",
              "as_tensor", "zeros_like", "ones_like", "pow"}
ELEMENTWISE = {"maximum", "minimum", "multiply", "heaviside", "greater", "where", "mul",
               "sub", "add", "div", "sub_", "add_", "mul_", "div_"}


def _predict(name: str, args: list, kwargs: dict, node, limit: int) -> tuple:
    """The shape a call would return, or a CodeError if it cannot or should not run."""
    shapes = [_shape(a) for a in [*args, *kwargs.values()] if _is_array(a)]
    if name in ("zeros",):
        return _creation_shape(args, node)
    if name in ("reshape", "view"):
        return _reshape(args, node)
    if name in ("dot", "matmul", "mm"):
        arrays = [a for a in args if _is_array(a)]
        if len(arrays) != 2:
            raise CodeError(f"{name}() needs two arrays", node)
        return _matmul_shape(_shape(arrays[0]), _shape(arrays[1]), node)
    if name in ("transpose", "t"):
        return tuple(reversed(shapes[0])) if shapes else None
    if name in ("sum", "mean", "item", "backward"):
        return ()
    if name in ELEMENTWISE or name in SAME_SHAPE:
        if not shapes:
            return _shape_of_data(args, node)
        result = ()
        for shape in shapes:  # an array given as min= or alpha= broadcasts too
            result = _broadcast(result, shape, node)
        return result
    raise CodeError(f"{name}() is not allowed here", node)  # every allowed call is predicted


def _creation_shape(args, node) -> tuple:
    dims = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
    if not dims or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                           for d in dims):
        raise CodeError("zeros() needs sizes as whole numbers", node)
    return tuple(dims)


def _reshape(args, node) -> tuple:
    array, dims = args[0], args[1:]
    if len(dims) == 1 and isinstance(dims[0], tuple):
        dims = dims[0]
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims) \
            or math.prod(dims) != math.prod(_shape(array)):
        raise CodeError("reshape() must keep the number of entries (no -1)", node)
    return tuple(dims)


def _shape_of_data(args, node) -> tuple | None:
    """torch.tensor(data) of a number or of an array keeps its shape; nothing else."""
    if args and _is_number_like(args[0]):
        return ()
    raise CodeError("this call needs an array", node)
