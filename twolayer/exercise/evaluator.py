"""A small evaluator for a student's lines: Python's syntax, an allow-list of meanings.

Student code is never executed as Python. It is parsed with `ast`, checked against an
allow-list before anything runs (statement and expression kinds, attribute names,
call targets, keyword names, constants), then walked node by node here, calling only
the numpy and torch functions and methods listed below on values of known types. The
model is `ast.literal_eval`: a walk over a short list of node types that refuses
everything else, with the construct and its position in the message.

Every value it makes is of a known kind (twolayer.exercise.values: numbers, numeric
arrays and tensors, shapes, dtypes), checked before it is stored, passed or printed.
Before an operation runs, its cost is predicted from its operands' shapes
(twolayer.exercise.costs) and refused if its result would be far larger than the arrays
in scope or its work too long: one step's cost is bounded before it is taken. The text,
the nesting, the steps, the bytes a scope holds and the time a run may take are bounded
too. Every failure, whether refused here or raised by numpy or torch, is a CodeError.
"""

from __future__ import annotations

import ast
import math
import time
import warnings
from collections.abc import Callable

import numpy as np

from ..i18n import N_, _
from . import costs, values
from .errors import CodeError, OutOfTime, Text
from .values import MAX_INT, Function, Method, Module, describe, is_array, is_number

MAX_TEXT = 2000  # characters of one blank
MAX_LINES = 40
MAX_DEPTH = 30  # nesting of the syntax tree
MAX_NODES = 600
MAX_EXPONENT = 8  # x ** k with a constant |k| at most this
MAX_STEPS = 20_000  # nodes one run may evaluate
MIN_ELEMENTS = 100_000  # an array may always have this many entries
GROWTH = 4  # ...or this many times the largest array in scope
MAX_PRINTS = 5_000  # print() calls one evaluator keeps (a whole run prints 500 per cell)
# Memory: the arrays (and autograd's saved tensors) a scope holds, and those one statement
# makes on its way; the assignment's scope holds 3 MB, its longest line makes 2 MB.
MAX_SCOPE_BYTES = 64 * 2**20
MAX_STATEMENT_BYTES = 32 * 2**20


BLANK_FILE = "<blank>"  # the file name parse() gives a blank's text


def clock() -> float:
    """The clock of every time bound here: CPU seconds this thread has used. On a busy
    server a check waits for a core; waiting must not count against a student's lines.
    One thread does all their work (the app runs numpy and torch on one thread each)."""
    return time.thread_time()


def _torch():
    import torch

    return torch


# --- What may be called, with which keywords ------------------------------------------

NUMPY_FUNCTIONS = ("maximum", "minimum", "where", "dot", "matmul", "sum", "mean", "square",
                   "multiply", "transpose", "zeros", "zeros_like", "ones_like", "heaviside",
                   "greater", "abs", "clip", "power", "sign", "subtract", "add")
TORCH_FUNCTIONS = ("tensor", "from_numpy", "as_tensor", "maximum", "minimum", "zeros",
                   "zeros_like", "ones_like", "relu", "clamp", "clip", "mm", "matmul", "sum",
                   "mean", "pow", "mul", "sub", "add", "where", "square", "abs", "max",
                   *("Tensor", "FloatTensor", "DoubleTensor"))  # the legacy constructors
TORCH_CONSTANTS = ("float", "float32", "float64", "double")
NUMPY_CONSTANTS = ("float32", "float64")
METHODS = frozenset(("dot", "sum", "mean", "clamp", "clamp_min", "clip", "pow", "backward",
                     "sub_", "add_", "mul_", "zero_", "copy_", "item", "relu", "mm",
                     "matmul", "t", "float", "double", "to", "type", "copy", "clone",
                     "detach", "numpy", "astype", "transpose", "square", "abs",
                     "requires_grad_", "reshape", "view", "sub", "add", "mul", "div", "div_",
                     "maximum", "minimum"))
PROPERTIES = frozenset(("T", "grad", "shape", "dtype", "requires_grad", "data"))
KEYWORDS = frozenset(("dtype", "device", "requires_grad", "alpha", "min", "max", "axis",
                      "dim", "keepdims", "keepdim", "retain_graph", "gradient", "out",
                      *("sep", "end", "flush")))  # the last three: print's
PRINT_KEYWORDS = frozenset(("sep", "end", "flush"))
MAX_STRING = 200  # characters of a string printed (a label: "iter:", "损失：")
ATTRIBUTES = METHODS | PROPERTIES | set(NUMPY_FUNCTIONS) | set(TORCH_FUNCTIONS) | \
    set(TORCH_CONSTANTS) | set(NUMPY_CONSTANTS) | {"nn", "functional", "autograd", "linalg",
                                                   "norm"}
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
    ast.ListComp: N_("a list comprehension"), ast.SetComp: N_("a set comprehension"),
    ast.DictComp: N_("a dict comprehension"), ast.GeneratorExp: N_("a generator expression"),
    ast.JoinedStr: N_("an f-string"), ast.FormattedValue: N_("an f-string"),
    ast.FunctionDef: N_("a function definition"),
    ast.AsyncFunctionDef: N_("a function definition"),
    ast.ClassDef: N_("a class definition"), ast.For: N_("a for loop"),
    ast.While: N_("a while loop"), ast.If: N_("an if statement"),
    ast.With: N_("a with block"), ast.Try: "try/except",
    ast.Starred: N_("a starred argument"), ast.Dict: N_("a dict"), ast.List: N_("a list"),
    ast.Set: N_("a set"), ast.IfExp: N_("a conditional expression"), ast.BoolOp: "and/or",
    ast.NamedExpr: N_("the walrus operator"), ast.Slice: N_("a slice"), ast.Delete: "del",
    ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Return: "return",
    ast.Raise: "raise", ast.Assert: "assert", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.AnnAssign: N_("an annotated assignment"), ast.Pass: "pass",
    ast.Break: "break", ast.Continue: "continue",
}  # marked: a name a student reads; Python's own keywords stay as they are


def parse(text: str) -> ast.Module:
    """A blank's text as a syntax tree checked against the allow-list (nothing runs)."""
    if len(text) > MAX_TEXT:
        raise CodeError(N_("the blank has {count:,} characters; at most {most:,}"),
                        count=len(text), most=MAX_TEXT)
    if text.count("\n") + 1 > MAX_LINES:
        raise CodeError(N_("the blank has more than {most} lines"), most=MAX_LINES)
    _warnings_are_errors()
    try:
        tree = ast.parse(text, filename=BLANK_FILE)
    except SyntaxError as error:
        line, column = error.lineno or 1, (error.offset or 1)
        raise CodeError(N_("line {line}, column {column}: syntax error: {message}"),
                        line=line, column=column, message=error.msg) from None
    except (ValueError, MemoryError, RecursionError):  # e.g. a NUL byte, absurd nesting
        raise CodeError(N_("the text cannot be read as Python")) from None
    _check_tree(tree, _printed_strings(tree))
    return tree


def _printed_strings(tree: ast.Module) -> set[int]:
    """The string constants a blank may hold: print()'s own arguments and its sep= and end=
    (labels such as print("iter:", t, "loss:", loss)); a string anywhere else is refused."""
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "print":
            allowed |= {id(arg) for arg in node.args if isinstance(arg, ast.Constant)}
            allowed |= {id(k.value) for k in node.keywords if k.arg in PRINT_KEYWORDS}
    return allowed


def _quiet_libraries() -> None:
    """numpy's and torch's warnings about a student's lines (a deprecated overload, a
    non-leaf's .grad) are theirs to read in the result, not lines in the server's log."""
    if not any(f[0] == "ignore" and f[3] is not None and f[3].pattern == __name__
               for f in warnings.filters):
        warnings.filterwarnings("ignore", module=__name__)


def _warnings_are_errors() -> None:
    """Python's tokenizer warns about text like `1if x`; in a blank that is a syntax error.

    The warning would otherwise be a line in the server's log. The filter is keyed on the
    blank's file name and (re)installed here, not with catch_warnings, which is not
    thread-safe; anything that resets the filters (a test runner) cannot lose it.
    """
    if not any(f[2] is SyntaxWarning and f[3] is not None and f[3].pattern == BLANK_FILE
               for f in warnings.filters):
        warnings.filterwarnings("error", category=SyntaxWarning, module=BLANK_FILE)


def _check_tree(tree: ast.Module, strings: set[int]) -> None:
    nodes = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise CodeError(N_("the blank is too long: more than {most} syntax nodes"),
                            most=MAX_NODES)
        if depth > MAX_DEPTH:
            raise CodeError(N_("expressions nest deeper than {most} levels"), node,
                            most=MAX_DEPTH)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                id(node) in strings:
            if len(node.value) > MAX_STRING:
                raise CodeError(N_("a printed string of more than {most} characters"), node,
                                most=MAX_STRING)
        else:
            _check_node(node)
        children = list(ast.iter_child_nodes(node))
        stack.extend((child, depth + 1) for child in reversed(children))  # reading order


def _check_node(node: ast.AST) -> None:
    if isinstance(node, STATEMENTS):
        _check_statement(node)
    elif not isinstance(node, EXPRESSIONS):
        name = Text(DESCRIBED.get(type(node), type(node).__name__))
        raise CodeError(N_("{name} is not allowed here: write plain assignments and calls"),
                        node, name=name)
    elif isinstance(node, ast.Constant):
        _check_constant(node)
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise CodeError(N_("the name {name!r} is not allowed (no names starting with _)"),
                            node, name=node.id)
    elif isinstance(node, ast.Attribute):
        if node.attr not in ATTRIBUTES:
            raise CodeError(N_("the attribute .{name} is not allowed here"), node,
                            name=node.attr)
    elif isinstance(node, ast.keyword):
        if node.arg is None or node.arg not in KEYWORDS:
            raise CodeError(N_("the keyword argument {name}= is not allowed"), node,
                            name=node.arg or "**")
    elif isinstance(node, ast.Compare) and len(node.ops) != 1:
        raise CodeError(N_("a chained comparison is not allowed: compare two things at once"),
                        node)
    elif isinstance(node, ast.BinOp | ast.Compare):
        _check_operator(node)
    elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub | ast.UAdd):
        raise CodeError(N_("only - and + are allowed before a value"), node)
    elif isinstance(node, ast.Tuple) and len(node.elts) > 4:
        raise CodeError(N_("a tuple of more than 4 values is not allowed"), node)

    elif isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Compare):
        raise CodeError(N_("indexing is allowed only with a mask, as in a[h < 0]"), node)


def _check_statement(node: ast.AST) -> None:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            for name in names:
                data = isinstance(name, ast.Attribute) and name.attr == "data" and \
                    isinstance(name.value, ast.Name)  # w1.data = ..., the pre-0.4 update
                if not (isinstance(name, ast.Name | ast.Subscript) or data):
                    raise CodeError(N_("assign to plain names, a[mask] or w.data only"), name)
                if isinstance(name, ast.Name) and name.id in FORBIDDEN_NAMES:
                    raise CodeError(N_("{name!r} cannot be assigned"), name, name=name.id)
    elif isinstance(node, ast.AugAssign):
        data = isinstance(node.target, ast.Attribute) and node.target.attr == "data"
        if not (isinstance(node.target, ast.Name | ast.Subscript) or data):
            raise CodeError(N_("augmented assignment to plain names (or w.data) only"), node)
        if not isinstance(node.op, AUGMENT):
            raise CodeError(N_("only +=, -=, *= and /= are allowed"), node)
        if isinstance(node.target, ast.Name) and node.target.id in FORBIDDEN_NAMES:
            raise CodeError(N_("{name!r} cannot be assigned"), node, name=node.target.id)


def _check_constant(node: ast.Constant) -> None:
    value = node.value
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str | bytes):
        raise CodeError(N_("strings are not allowed here"), node)
    if isinstance(value, complex) or not isinstance(value, int | float):
        raise CodeError(N_("the constant {value!r} is not allowed"), node, value=value)
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise CodeError(N_("the number {value} is too large"), node, value=value)


def _check_operator(node: ast.AST) -> None:
    op = node.op if isinstance(node, ast.BinOp) else node.ops[0]
    if type(op) not in BINARY and type(op) not in COMPARE:
        raise CodeError(N_("the operator {name} is not allowed"), node,
                        name=type(op).__name__)
    if isinstance(op, ast.Pow):
        exponent = _constant_number(node.right)
        if exponent is None or abs(exponent) > MAX_EXPONENT:
            raise CodeError(N_("** needs a constant exponent from -{most} to {most}"), node,
                            most=MAX_EXPONENT)


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
        self.sizes = {name: _bytes(value) for name, value in scope.items()}
        self.total = sum(self.sizes.values())  # bytes the scope holds (aliases twice)
        self.held = 0  # bytes of the arrays the current statement has made
        _quiet_libraries()
        self.modules = {"np": Module("np", {n: getattr(np, n) for n in NUMPY_FUNCTIONS},
                                     {"linalg": Module("np.linalg", {"norm": np.linalg.norm})}),
                        "torch": _torch_module()}

    def run(self, tree: ast.Module) -> None:
        """Every statement of the tree, in order; a CodeError at the first failure."""
        self.steps = 0  # MAX_STEPS bounds one run of one tree; the deadline, the whole
        with np.errstate(all="ignore"):  # inf and NaN are values here, not warnings
            for statement in tree.body:
                self.held = 0
                self._statement(statement)

    # Statements

    def _statement(self, node: ast.AST) -> None:
        self._tick(node)
        if isinstance(node, ast.Expr):  # a value alone: computed, then dropped
            value = self._evaluate(node.value)
            if not isinstance(value, Function | Method | Module):  # named alone, as Python
                self._known(value, node.value)  # lets it: nothing happens
        elif isinstance(node, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple) and \
                    isinstance(node.value, ast.Tuple):  # a, b = b, a: each value on its own
                self._assign_pairs(node.targets[0], node.value, node)
                return
            value = self._value(node.value)
            for target in node.targets:
                self._assign(target, value, node)
        elif isinstance(node, ast.AugAssign):
            self._augment(node)

    def _assign_pairs(self, target: ast.Tuple, value: ast.Tuple, node: ast.AST) -> None:
        if len(target.elts) != len(value.elts):
            raise CodeError(N_("cannot unpack {values} values into {names} names"), node,
                            values=len(value.elts), names=len(target.elts))
        items = [self._value(item) for item in value.elts]  # all first, as Python does
        for name, item in zip(target.elts, items, strict=True):
            self._assign(name, item, node)

    def _assign(self, target: ast.AST, value, node: ast.AST) -> None:
        if isinstance(target, ast.Tuple):
            if not isinstance(value, tuple) or len(value) != len(target.elts):
                raise CodeError(N_("cannot unpack into {names} names"), node,
                                refused=False, names=len(target.elts))
            for name, item in zip(target.elts, value, strict=True):
                self._assign(name, item, node)
        elif isinstance(target, ast.Name):
            self._store(target.id, value, node)
        elif isinstance(target, ast.Attribute):  # w1.data = ...: the tensor's own values
            self._set_data(self._value(target.value), value, target)
        else:  # a[mask] = value
            array, mask = self._value(target.value), self._value(target.slice)
            if not (is_array(array) and is_array(mask)) or \
                    not (is_array(value) or is_number(value)):
                raise CodeError(N_("a[mask] = value needs an array, a mask and a number"),
                                target)
            self._cost(costs.elementwise([costs.shape_of(array), costs.shape_of(value)],
                                         target), target)
            self._operation(lambda: array.__setitem__(mask, value), [array, value], 1,
                            target, changed=array)
            self._restore(array)

    def _set_data(self, owner, value, node: ast.AST) -> None:
        """w.data = value: a tensor's values replaced (it stays the leaf autograd fills), by
        a tensor of its own shape and dtype."""
        if not (values.is_tensor(owner) and values.is_tensor(value)):
            raise CodeError(N_(".data = needs a tensor on both sides"), node, refused=False)
        if tuple(owner.shape) != tuple(value.shape) or owner.dtype != value.dtype:
            raise CodeError(N_(".data = needs a tensor of shape {shape} and {dtype}, got "
                               "{got_shape} and {got_dtype}"), node, refused=False,
                            shape=costs.dims(tuple(owner.shape)), dtype=owner.dtype,
                            got_shape=costs.dims(tuple(value.shape)), got_dtype=value.dtype)
        self._guard(lambda: setattr(owner, "data", value), node)

    def _store(self, name: str, value, node: ast.AST) -> None:
        """Keep a value under a name, within the bytes a scope may hold."""
        size = _bytes(value)
        total = self.total - self.sizes.get(name, 0) + size
        if total > MAX_SCOPE_BYTES:
            raise CodeError(N_("the names would hold {mb:.0f} MB of arrays (at most {most} MB)"),
                            node, mb=total / 2**20, most=MAX_SCOPE_BYTES // 2**20)
        self.scope[name] = value
        self.sizes[name], self.total = size, total

    def _restore(self, value) -> None:
        """A tensor changed in place in autograd's graph, which grew: its names' sizes."""
        if getattr(value, "grad_fn", None) is None:
            return
        for name, held in self.scope.items():
            if held is value:
                size = _bytes(value)
                self.total += size - self.sizes.get(name, 0)
                self.sizes[name] = size

    def _augment(self, node: ast.AugAssign) -> None:
        symbol = BINARY[type(node.op)]
        if isinstance(node.target, ast.Subscript):
            current = self._value(node.target)
            self._assign(node.target, self._binary(symbol, current,
                                                   self._value(node.value), node), node)
            return
        if isinstance(node.target, ast.Attribute):  # w.data -= ...: the tensor's own values
            current, value = self._value(node.target), self._value(node.value)
            self._in_place(symbol, current, value, node)
            return
        if isinstance(node.target, ast.Tuple):
            raise CodeError(N_("augmented assignment to plain names (or w.data) only"), node)
        name = node.target.id
        current, value = self._load(name, node.target), self._value(node.value)
        if is_array(current):  # in place, as Python does for arrays and tensors
            self._in_place(symbol, current, value, node)
            self._restore(current)
        else:
            self._store(name, self._binary(symbol, current, value, node), node)

    def _in_place(self, symbol: str, current, value, node):
        if not is_array(current) or not (is_array(value) or is_number(value)):
            raise CodeError(N_("{symbol}= is not allowed with {kind}"), node, symbol=symbol,
                            kind=describe(value))
        cost = costs.binary(symbol, current, value, node)
        if cost.shape != costs.shape_of(current):
            raise CodeError(N_("{code}: shapes {a} and {b} do not match"), node,
                            code=costs.source(node), a=costs.dims(costs.shape_of(current)),
                            b=costs.dims(costs.shape_of(value)))
        if is_array(value) and values.is_tensor(value) != values.is_tensor(current):
            raise CodeError(N_("{symbol}= mixes a numpy array and a torch tensor: method 1 is "
                               "numpy, method 2 torch"), node, symbol=symbol)
        method = {"+": "__iadd__", "-": "__isub__", "*": "__imul__", "/": "__itruediv__"}
        result = self._operation(lambda: getattr(current, method[symbol])(value),
                                 [current, value], cost.work, node)
        if result is NotImplemented:  # Python would raise a TypeError here
            raise CodeError(N_("{symbol}= is not possible between {a} and {b}"), node,
                            symbol=symbol, a=describe(current), b=describe(value))
        return result

    # Expressions

    def _value(self, node: ast.AST):
        """A node's value, of a known kind: what may be stored, passed or printed."""
        value = self._evaluate(node)
        if self._stored(node):
            return value
        return self._known(value, node)

    def _stored(self, node: ast.AST) -> bool:
        """A name of the scope: its value was checked when it was stored."""
        return isinstance(node, ast.Name) and node.id in self.scope

    def _known(self, value, node: ast.AST):
        value = values.known(value, self.limit, node)
        self.held += values.nbytes(value)
        if self.held > MAX_STATEMENT_BYTES:
            raise CodeError(N_("this line makes more than {most} MB of arrays on its way: "
                               "split it, or compute less"), node,
                            most=MAX_STATEMENT_BYTES // 2**20)
        return value

    def _evaluate(self, node: ast.AST):
        """A node's value, which may still be a module or a function (to be called)."""
        self._tick(node)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._load(node.id, node)
        if isinstance(node, ast.Tuple):
            return tuple(self._value(item) for item in node.elts)
        if isinstance(node, ast.UnaryOp):
            operand = self._value(node.operand)
            if is_array(operand):
                return self._operation(lambda: -operand if isinstance(node.op, ast.USub)
                                       else +operand, [operand],
                                       costs.elementwise([costs.shape_of(operand)], node).work,
                                       node)
            return _scalar_unary(node, operand)
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
            if not (is_array(array) and is_array(mask)):
                raise CodeError(N_("a[mask] needs an array and a mask"), node)
            return self._operation(lambda: array[mask], [array],
                                   max(1, math.prod(costs.shape_of(array))), node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise CodeError(N_("{name} is not allowed here"), node, name=type(node).__name__)

    def _load(self, name: str, node: ast.AST):
        if name in self.modules:
            return self.modules[name]
        if name in BUILTINS:
            return Function("builtins", name, _BUILTIN_CALLS[name])
        if name not in self.scope:
            known = ", ".join(sorted(k for k in self.scope if not k.startswith("_"))[:12])
            raise CodeError(N_("the name {name!r} is not defined here (defined: {known})"),
                            node, refused=False, name=name, known=known)
        return self.scope[name]

    def _attribute(self, node: ast.Attribute):
        owner = self._evaluate(node.value)
        name = node.attr
        if isinstance(owner, Function | Method):
            raise CodeError(N_(".{name} is not allowed on {kind}"), node, name=name,
                            kind=describe(owner))
        if not isinstance(owner, Module) and not self._stored(node.value):
            owner = self._known(owner, node.value)
        if isinstance(owner, Module):
            if name in owner.functions:
                return Function(owner.name, name, owner.functions[name])
            if name in owner.modules:
                return owner.modules[name]
            if owner.name == "torch" and name in TORCH_CONSTANTS:
                return getattr(_torch(), name)
            if owner.name == "np" and name in NUMPY_CONSTANTS:
                return getattr(np, name)
            raise CodeError(N_("{module}.{name} is not allowed here"), node,
                            module=owner.name, name=name)
        if not is_array(owner) and not isinstance(owner, np.number | np.bool_):
            raise CodeError(N_(".{name} is not allowed on {kind}"), node, name=name,
                            kind=describe(owner))
        if name in PROPERTIES:
            return self._guard(lambda: getattr(owner, name), node)
        if name in METHODS and hasattr(owner, name):
            return Method(owner, name)
        if name in METHODS:  # allowed, but not of this kind of value: torch's .mm on numpy
            raise CodeError(N_("{kind} has no .{name}"), node, refused=False,
                            kind=describe(owner), name=name)
        raise CodeError(N_(".{name} is not allowed on {kind}"), node, name=name,
                        kind=describe(owner))

    def _call(self, node: ast.Call):
        target = self._evaluate(node.func)
        if isinstance(target, Function) and target.name == "print":
            return self._print(node)
        args = [self._argument(arg) for arg in node.args]
        kwargs = {k.arg: _keyword(k.arg, self._argument(k.value), k) for k in node.keywords}
        if isinstance(target, Function) and target.module == "builtins":
            return self._builtin(target.name, args, kwargs, node)
        if isinstance(target, Function) and target.name == "backward":  # torch.autograd's
            _check_backward(args[0] if args else None, node)
        if isinstance(target, Function):
            cost, inputs = costs.predict(target.name, args, kwargs, node), args
            call = target.call
        elif isinstance(target, Method):
            inputs = [target.owner, *args]
            cost, call = costs.predict(target.name, inputs, kwargs, node), \
                getattr(target.owner, target.name)
            if target.name == "backward":
                _check_backward(target.owner, node)
        else:
            raise CodeError(N_("{kind} cannot be called"), node, kind=describe(target))
        self._cost(cost, node)
        if "out" in kwargs:  # numpy's out=: an array of the result's own shape, filled
            _check_out(target, kwargs["out"], cost, node)
        return self._operation(lambda: call(*args, **kwargs), inputs + list(kwargs.values()),
                               cost.work, node)

    def _argument(self, node: ast.AST):
        """An argument's value; float and int given as arguments (.astype(float)) are the
        types."""
        value = self._evaluate(node)
        if isinstance(value, Function) and value.module == "builtins" and \
                value.name in ("float", "int"):
            return {"float": float, "int": int}[value.name]
        if isinstance(value, Function) and value.name in LEGACY_TYPES:  # .type(FloatTensor)
            return value.call
        return value if self._stored(node) else self._known(value, node)

    def _print(self, node: ast.Call) -> None:
        """print(...): what it shows is kept (the checks read the loss from it); its labels
        are the only strings a blank may hold (parse() made sure of that)."""
        if len(self.output) >= MAX_PRINTS:
            raise CodeError(N_("more than {most:,} print() calls"), node, most=MAX_PRINTS)
        for keyword in node.keywords:
            if keyword.arg not in PRINT_KEYWORDS:
                raise CodeError(N_("print() takes no {name}= here"), keyword,
                                name=keyword.arg)
        shown = [arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                 else self._argument(arg) for arg in node.args]
        self.output.append(tuple(_printed(value) for value in shown))

    def _builtin(self, name: str, args, kwargs, node):
        if kwargs:
            raise CodeError(N_("{name}() takes no keyword arguments here"), node, name=name)
        if len(args) != 1 or not is_number(args[0]):
            raise CodeError(N_("{name}() takes one number here"), node, name=name)
        result = self._guard(lambda: _BUILTIN_CALLS[name](args[0]), node)
        if isinstance(result, int) and abs(result) > MAX_INT:
            raise CodeError(N_("{name}() gives too large a number"), node, name=name)
        return result

    def _binary(self, symbol: str, left, right, node: ast.AST):
        for side in (left, right):
            if not (is_array(side) or is_number(side)):
                raise CodeError(N_("{symbol} is not allowed on {kind}"), node, symbol=symbol,
                                kind=describe(side))
        if not (is_array(left) or is_array(right)):
            return _scalar_arithmetic(symbol, left, right, node)
        cost = costs.binary(symbol, left, right, node)
        self._cost(cost, node)
        operations = {"+": lambda: left + right, "-": lambda: left - right,
                      "*": lambda: left * right, "/": lambda: left / right,
                      "@": lambda: left @ right, "**": lambda: left ** right,
                      ">": lambda: left > right, ">=": lambda: left >= right,
                      "<": lambda: left < right, "<=": lambda: left <= right,
                      "==": lambda: left == right, "!=": lambda: left != right}
        return self._operation(operations[symbol], [left, right], cost.work, node)

    # Bounds

    def _tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise CodeError(N_("the run took more than {most:,} steps"), node, most=MAX_STEPS)
        if self.deadline is not None and clock() > self.deadline:
            raise OutOfTime(N_("the run took too long (its computing time is bounded) and was "
                               "stopped"), node)

    def _cost(self, cost: costs.Cost, node: ast.AST) -> None:
        """Refuse an operation whose result or work is too large, before it runs."""
        if cost.entries > self.limit:
            size = "×".join(str(d) for d in cost.shape)
            raise CodeError(N_("this would make a {size} array ({entries:,} entries), far "
                               "larger than the arrays in scope (limit {limit:,})"), node,
                            size=size, entries=cost.entries, limit=self.limit)
        if cost.work > costs.MAX_OP_WORK:
            raise CodeError(N_("this would take {work:,} multiply-adds, far more than the "
                               "blanks need (at most {most:,} in one operation)"), node,
                            work=cost.work, most=costs.MAX_OP_WORK)

    def _operation(self, operation: Callable, inputs: list, work: int, node: ast.AST,
                   changed=None):
        """Run one numpy or torch operation, within autograd's bounds; whatever the library
        raises becomes a CodeError. changed: the array an operation changes in place, whose
        graph node is new, when it returns nothing."""
        graph = costs.graph_after(inputs, work)
        costs.check_graph(graph, node)
        result = self._guard(operation, node)
        costs.record_graph(result if changed is None else changed, graph)
        return result

    def _guard(self, operation: Callable, node: ast.AST):
        """Run one operation; whatever numpy or torch raises becomes a CodeError."""
        try:
            return operation()
        except CodeError:
            raise
        except Exception as error:  # noqa: BLE001 - every library error is the student's
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise CodeError(f"{costs.source(node)}: {message[:300]}", node,
                            refused=False) from None


LEGACY_TYPES = ("Tensor", "FloatTensor", "DoubleTensor")


def _torch_module() -> Module:
    """torch with its listed functions, and torch.nn.functional.relu and
    torch.autograd.backward as students reach them."""
    import torch.nn.functional  # noqa: F401 - torch.nn.functional, loaded

    torch = _torch()
    functional = Module("torch.nn.functional", {"relu": torch.nn.functional.relu})
    modules = {"nn": Module("torch.nn", {}, {"functional": functional}),
               "autograd": Module("torch.autograd", {"backward": torch.autograd.backward})}
    return Module("torch", {name: getattr(torch, name) for name in TORCH_FUNCTIONS}, modules)


_BUILTIN_CALLS = {"print": print, "float": float, "abs": abs, "int": int}


def _keyword(name: str, value, node):
    """A keyword argument's value, of the kind its name takes."""
    ok = {"dtype": values.is_dtype, "device": values.is_device,
          "requires_grad": _is_flag, "keepdims": _is_flag, "keepdim": _is_flag,
          "retain_graph": _is_flag, "alpha": is_number,
          "axis": _is_axis, "dim": _is_axis}.get(name, lambda v: is_number(v) or is_array(v))
    if not ok(value):
        raise CodeError(N_("{name}= does not take {kind} here"), node, name=name,
                        kind=describe(value))
    return value


def _is_flag(value) -> bool:
    return isinstance(value, bool | np.bool_)


def _is_axis(value) -> bool:
    return value is None or isinstance(value, tuple) or \
        (isinstance(value, int | np.integer) and not isinstance(value, bool))


OUT_FUNCTIONS = frozenset(("subtract", "add", "multiply", "maximum", "minimum", "square",
                           "abs", "sign", "power", "clip"))  # numpy's elementwise ones


def _check_out(target, out, cost: costs.Cost, node) -> None:
    if not (isinstance(target, Function) and target.module == "np" and
            target.name in OUT_FUNCTIONS):
        raise CodeError(N_("out= is allowed only on numpy's elementwise functions, as in "
                           "np.subtract(w1, step, out=w1)"), node)
    if not isinstance(out, np.ndarray) or costs.shape_of(out) != cost.shape:
        raise CodeError(N_("out= takes a numpy array of the result's shape {shape}"), node,
                        refused=False, shape=costs.dims(cost.shape))


def _check_backward(tensor, node) -> None:
    work = costs.graph_of(tensor).work
    if work > costs.MAX_GRAPH_WORK:
        raise CodeError(N_("backward() through this graph would take {work:,} multiply-adds "
                           "(at most {most:,}): does a tensor keep growing from one "
                           "iteration to the next?"), node, work=work, most=costs.MAX_GRAPH_WORK)


def _printed(value):
    """What print() keeps of a value: numbers, one-entry arrays (their shape matters to the
    checks) as copies outside autograd's graph, and only a description of anything else,
    so that prints hold no large arrays nor graphs alive."""
    if is_number(value) or value is None or isinstance(value, tuple | str):
        return value
    if is_array(value) and math.prod(costs.shape_of(value)) == 1:
        return value.detach().clone() if hasattr(value, "detach") else np.array(value)
    if is_array(value):
        return Printed(type(value).__name__, costs.shape_of(value))
    return Printed(str(describe(value)))


class Printed:
    """An array print() showed but did not keep: its kind and shape (what a check of a
    printed loss can say of it)."""

    __slots__ = ("kind", "shape")

    def __init__(self, kind: str, shape: tuple | None = None):
        self.kind, self.shape = kind, shape  # shape None: not an array (a dtype, ...)

    def __str__(self) -> str:
        if self.shape is None:
            return f"<{self.kind}>"
        return _("<{kind} of shape {shape}>", kind=self.kind, shape=costs.dims(self.shape))

    def __eq__(self, other) -> bool:
        return str(self) == other if isinstance(other, str) else \
            isinstance(other, Printed) and str(self) == str(other)

    __hash__ = None


def _bytes(value) -> int:
    """What a value holds: its entries and, for a tensor, the graph it keeps alive."""
    return values.nbytes(value) + costs.graph_of(value).bytes if is_array(value) else 0


def _scalar_unary(node: ast.UnaryOp, operand):
    if not is_number(operand):
        raise CodeError(N_("- and + need a number or an array, not {kind}"), node,
                        kind=describe(operand))
    try:
        return -operand if isinstance(node.op, ast.USub) else +operand
    except Exception as error:  # noqa: BLE001 - numpy's bool has no minus
        raise CodeError(f"{costs.source(node)}: {error}", node) from None


def _scalar_arithmetic(symbol: str, left, right, node):
    if symbol == "**" and (abs(left) > 10**6 or abs(right) > MAX_EXPONENT):
        raise CodeError(N_("** on such large numbers is not allowed"), node)
    operations = {"+": lambda: left + right, "-": lambda: left - right,
                  "*": lambda: left * right, "/": lambda: left / right,
                  "**": lambda: left ** right, ">": lambda: left > right,
                  ">=": lambda: left >= right, "<": lambda: left < right,
                  "<=": lambda: left <= right, "==": lambda: left == right,
                  "!=": lambda: left != right}
    if symbol not in operations:
        raise CodeError(N_("{symbol} needs arrays"), node, symbol=symbol)
    try:
        result = operations[symbol]()
    except Exception as error:  # noqa: BLE001 - 1 / 0, int ** -1, True - False in numpy
        raise CodeError(f"{costs.source(node)}: {error}", node) from None
    if isinstance(result, int) and not isinstance(result, bool) and abs(result) > MAX_INT:
        raise CodeError(N_("{code} is too large a number"), node, code=costs.source(node))
    if isinstance(result, complex):
        raise CodeError(N_("{code} is not a real number"), node, code=costs.source(node))
    return result


def _element_limit(scope: dict) -> int:
    largest = max((math.prod(costs.shape_of(v)) for v in scope.values() if is_array(v)),
                  default=0)
    return max(MIN_ELEMENTS, GROWTH * largest)
