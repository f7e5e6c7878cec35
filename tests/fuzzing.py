"""Hypothesis strategies for the checker's fuzz: students' lines built from the names,
attributes, operators and values the evaluator allows (and many it refuses), including
the values at its bounds: tuples, nested tuples, dtypes, shapes, constants at ±MAX_INT;
whole attempts built from them, and whole files bent the ways files arrive bent.
"""

import contextlib
import json
import pathlib

import numpy as np
from hypothesis import strategies as st

from twolayer.exercise import BLANKS, values
from twolayer.exercise import evaluator as ev

NAMES = ["x", "y", "w1", "w2", "h", "h_relu", "y_pred", "grad_y_pred", "grad_w2", "N", "H",
         "D_in", "t", "learning_rate", "np", "torch", "print", "float", "int", "abs", "z",
         "x_tensor", "y_tensor", "loss", "dtype", "device", "open", "eval", "__import__",
         "__builtins__", "getattr", "type", "object", "sys", "os"]
ATTRIBUTES = sorted(ev.METHODS | ev.PROPERTIES | set(ev.NUMPY_FUNCTIONS) |
                    set(ev.TORCH_FUNCTIONS)) + [
    "__class__", "__globals__", "__dict__", "__subclasses__", "__reduce__", "__init__",
    "mro", "fromfile", "load", "save", "tofile", "system", "numpy", "storage", "format",
    "ctypes", "base", "untyped_storage", "data_ptr", "tolist", "register_hook", "grad_fn"]
KEYWORDS = sorted(ev.KEYWORDS) + ["out", "gradient", "shape", "file", "create_graph"]
OPERATORS = ["+", "-", "*", "/", "@", "**", "//", "%", ">", "<", "==", ">=", "is", "in",
             "and", "or", "&", "|", "<<"]

BOUNDS = [str(n) for n in (values.MAX_INT, values.MAX_INT + 1, -values.MAX_INT,
                            ev.MAX_EXPONENT, ev.MAX_EXPONENT + 1, 2**31, 2**63, 10**6)]
VALUES = [  # values of every kind, and the ways around them a student found
    "(1, 2)", "(N, H)", "()", "(N, D_in, H, H)", "(w1, w1)", "((N, H), (N,))", "(x, (1,))",
    "(N - 1,)", "x.shape", "h.shape", "(1.5, 2)", "(True,)", "np.float32", "np.float64",
    "torch.float", "torch.float64", "torch.double", "float", "int", "x.dtype", "dtype",
    "device", "(np.float64, (H, 60))", "(np.float64, 3)", "None", "np.sum", "torch.relu",
    "x.sum", "print", "np", "torch"]

constants = st.one_of(
    st.integers(-10, 10).map(str), st.integers(-10**15, 10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr), st.sampled_from(
        ["True", "False", "None", "'a'", "b''", "1j", "...", "1e308", "-0.0", *BOUNDS,
         *VALUES]))


def _expressions(children):
    binary = st.tuples(children, st.sampled_from(OPERATORS), children).map(
        lambda p: f"({p[0]} {p[1]} {p[2]})")
    unary = st.tuples(st.sampled_from(["-", "+", "~", "not "]), children).map("".join)
    attribute = st.tuples(children, st.sampled_from(ATTRIBUTES)).map(
        lambda p: f"{p[0]}.{p[1]}")
    arguments = st.lists(children, max_size=3).map(", ".join)
    keywords = st.lists(st.tuples(st.sampled_from(KEYWORDS), children), max_size=2).map(
        lambda items: "".join(f", {k}={v}" for k, v in items))
    call = st.tuples(children, arguments, keywords).map(
        lambda p: f"{p[0]}({p[1]}{p[2] if p[1] else p[2][2:]})")
    subscript = st.tuples(children, children).map(lambda p: f"{p[0]}[{p[1]}]")
    other = st.sampled_from(["lambda: x", "[v for v in x]", "f'{x}'", "*x", "x[::2]",
                             "(z := x)"])
    return st.one_of(binary, unary, attribute, call, subscript, other)


expressions = st.recursive(st.one_of(st.sampled_from(NAMES), constants), _expressions,
                           max_leaves=12)
statements = st.one_of(
    st.tuples(st.sampled_from(NAMES), expressions).map(lambda p: f"{p[0]} = {p[1]}"),
    st.tuples(st.sampled_from(NAMES), st.sampled_from(["+=", "-=", "*=", "/=", "//="]),
              expressions).map(" ".join),
    expressions,
    st.tuples(expressions, expressions, expressions).map(lambda p: f"{p[0]}[{p[1]}] = {p[2]}"))
programs = st.lists(statements, min_size=1, max_size=4).map("\n".join)
texts = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(
    NAMES + ATTRIBUTES[:20] + OPERATORS + ["(", ")", ".", ",", "=", "\n", "[", "]", ":",
                                           " ", "'", "0", "1e9"]), max_size=40).map("".join))



# --- Lines of allowed pieces only: deep into the evaluator, to its values and bounds ------

ALLOWED_NAMES = ["x", "y", "w1", "w2", "h", "h_relu", "y_pred", "grad_y_pred", "grad_w2", "N",
                 "H", "D_in", "D_out", "t", "learning_rate", "x_tensor", "y_tensor", "loss",
                 "dtype", "device", "z"]
CALLS = [f"np.{n}" for n in ev.NUMPY_FUNCTIONS] + [f"torch.{n}" for n in ev.TORCH_FUNCTIONS]
METHODS = sorted(ev.METHODS)
ALLOWED_OPERATORS = ["+", "-", "*", "/", "@", "**", ">", "<", "==", ">=", "<=", "!="]
small = st.one_of(st.integers(-3, 9).map(str), st.sampled_from(
    ["0.5", "2.0", "1e-6", "True", "None", *BOUNDS, *VALUES]))


def _allowed(children):
    arguments = st.lists(children, max_size=3).map(", ".join)
    keywords = st.lists(st.tuples(st.sampled_from(sorted(ev.KEYWORDS)), children),
                        max_size=2).map(lambda items: "".join(f", {k}={v}" for k, v in items))
    return st.one_of(
        st.tuples(children, st.sampled_from(ALLOWED_OPERATORS), children).map(
            lambda p: f"({p[0]} {p[1]} {p[2] if p[1] != '**' else '2'})"),
        st.tuples(st.sampled_from(CALLS), arguments, keywords).map(
            lambda p: f"{p[0]}({p[1]}{p[2] if p[1] else p[2][2:]})"),
        st.tuples(children, st.sampled_from(METHODS), arguments).map(
            lambda p: f"{p[0]}.{p[1]}({p[2]})"),
        st.tuples(children, st.sampled_from(sorted(ev.PROPERTIES))).map(
            lambda p: f"{p[0]}.{p[1]}"),
        st.tuples(children, children).map(lambda p: f"{p[0]}[{p[1]} > 0]"),
        st.lists(children, min_size=1, max_size=4).map(lambda v: f"({', '.join(v)},)"))


allowed_expressions = st.recursive(st.one_of(st.sampled_from(ALLOWED_NAMES), small), _allowed,
                                   max_leaves=8)
allowed_statements = st.one_of(
    st.tuples(st.sampled_from(ALLOWED_NAMES), allowed_expressions).map(
        lambda p: f"{p[0]} = {p[1]}"),
    st.tuples(st.sampled_from(ALLOWED_NAMES), st.sampled_from(["+=", "-=", "*="]),
              allowed_expressions).map(" ".join),
    allowed_expressions)
allowed_programs = st.lists(allowed_statements, min_size=1, max_size=4).map("\n".join)


# --- Whole attempts and files ---------------------------------------------------------------

ANSWERS = {b.number: b.answer for b in BLANKS}
FIXTURE = (pathlib.Path(__file__).parent / "fixtures" / "assignment_answers.py").read_text(
    encoding="utf-8")
booleans = st.booleans


def attempts():
    """The answers with some blanks replaced by generated lines, or with generated lines
    after an answer (some harmless, most changing a name or failing)."""
    replaced = st.dictionaries(st.integers(1, 7), programs | allowed_programs, min_size=1,
                               max_size=3)
    extended = st.tuples(st.integers(1, 7), st.lists(allowed_statements, min_size=1,
                                                     max_size=2)).map(
        lambda p: {p[0]: ANSWERS[p[0]] + "\n" + "\n".join(p[1])})
    harmless = st.tuples(st.integers(1, 7), st.lists(allowed_expressions, min_size=1,
                                                     max_size=2)).map(
        lambda p: {p[0]: ANSWERS[p[0]] + "\n" + "\n".join(f"z{k} = {e}" for k, e in
                                                           enumerate(p[1]))})
    return st.one_of(replaced, extended, harmless).map(lambda d: ANSWERS | d)


def _notebook(text: str, cuts: list[int]) -> bytes:
    cells = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return json.dumps({"cells": [{"cell_type": "code", "source": c.splitlines(True)}
                                 for c in cells], "nbformat": 4}).encode()


def files():
    """Completed assignments, bent the ways files arrive bent: a blank replaced, tabs,
    CRLF, a marker lost or doubled, a byte order mark, random bytes, a notebook split into
    cells at random places, JSON of random shape."""
    blank = st.tuples(st.integers(0, 6), programs | allowed_programs).map(_replace_blank)
    bent = st.tuples(blank, st.sampled_from(["", "tabs", "crlf", "lose", "double", "bom"]))
    texts = bent.map(lambda p: _bend(*p))
    noise = st.binary(max_size=300)
    split = st.tuples(texts, st.lists(st.integers(0, len(FIXTURE)), max_size=4)).map(
        lambda p: _notebook(p[0].decode("utf-8", "replace"), sorted(p[1])))
    shapes = st.recursive(st.none() | st.integers() | st.text(max_size=10),
                          lambda c: st.lists(c, max_size=3) | st.dictionaries(
                              st.sampled_from(["cells", "source", "cell_type", "x"]), c,
                              max_size=3), max_leaves=10).map(
        lambda v: json.dumps(v).encode())
    return st.one_of(texts, noise, split, shapes)


def _replace_blank(choice) -> str:
    number, lines = choice
    answer = ANSWERS[number + 1]
    indent = BLANKS[number].indent
    return FIXTURE.replace("\n".join(indent + line for line in answer.split("\n")),
                           "\n".join(indent + line for line in lines.split("\n")), 1)


def _bend(text: str, how: str) -> bytes:
    if how == "tabs":
        text = text.replace("    ", "\t")
    elif how == "crlf":
        text = text.replace("\n", "\r\n")
    elif how == "lose":
        text = text.replace("# TODO", "#", 1)
    elif how == "double":
        text = text.replace("# TODO", "# TODO\n# TODO", 1)
    raw = text.encode()
    return b"\xef\xbb\xbf" + raw if how == "bom" else raw


def assert_scope_as_the_answer_leaves_it(number: int, text: str) -> None:
    """A blank graded correct changed nothing but its own names: every other name of the
    cell, at the first point, as the answer leaves it (an independent comparison)."""
    import torch

    from twolayer.exercise.evaluator import Evaluator, parse
    from twolayer.exercise.points import POINTS, Context, state_before

    own = {2: {"grad_w1"}, 3: {"w1", "w2"}, 4: {"x_tensor", "y_tensor"}, 5: {"y_pred"},
           7: {"w1", "w2"}}.get(number, set())
    problem, t = POINTS[0]
    after = []
    for lines in (text, ANSWERS[number]):
        scope = state_before(number, problem, t, Context.new())
        names = set(scope)
        with torch.no_grad() if number == 7 else contextlib.nullcontext():
            Evaluator(scope, []).run(parse(lines))
        after.append(scope)
    yours, theirs = after
    for name in names - own:
        a, b = yours[name], theirs[name]
        if isinstance(b, torch.Tensor):
            assert a.requires_grad == b.requires_grad, name
            a, b = a.detach().numpy(), b.detach().numpy()
        if isinstance(b, np.ndarray):
            assert np.array_equal(a, b, equal_nan=b.dtype.kind == "f"), name
        else:  # a number, the dtype, the device
            assert a == b or (a != a and b != b), name
