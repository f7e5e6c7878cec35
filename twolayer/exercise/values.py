"""What a value in a student's lines may be: a short, closed list of kinds, each bounded.

Every value the evaluator makes is checked here before it is stored under a name, passed
to a function or printed; anything else is a CodeError naming it. The bounds of the
evaluator (an array's entries, a computation's cost) assume these kinds: an object array,
a nested tuple or a structured dtype would be a way around all of them.

- a number: a bool, an int within ±MAX_INT, a float; numpy's bool, integer and float
  scalars; None
- an array: a numpy ndarray or a dense CPU torch tensor, of a bool, integer or float
  dtype, with at most `limit` entries
- a shape: a flat tuple of at most MAX_SHAPE whole numbers (what .shape gives, what
  zeros() takes)
- a dtype (numpy's or torch's, of those kinds; float and int as types) or the CPU device

Modules and functions are never values: they may only be called where they are named.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..i18n import N_
from .errors import CodeError, Text

MAX_INT = 10**12  # integers, constants and results of integer arithmetic
MAX_SHAPE = 4  # entries of a tuple
NUMPY_KINDS = "biuf"  # bool, signed and unsigned integers, floats: no complex, object, str
PYTHON_TYPES = (float, int, bool)  # as in .astype(float)


class Module:
    """np or torch (or torch.nn.functional) as student code sees them: only their listed
    functions and submodules."""

    def __init__(self, name: str, functions: dict[str, Callable], modules: dict | None = None):
        self.name, self.functions, self.modules = name, functions, modules or {}


class Method:
    """A value's method, looked up from the allow-list, waiting for its call."""

    __slots__ = ("owner", "name")

    def __init__(self, owner, name: str):
        self.owner, self.name = owner, name


class Function:
    """A module function from the allow-list, waiting for its call."""

    __slots__ = ("module", "name", "call")

    def __init__(self, module: str, name: str, call: Callable):
        self.module, self.name, self.call = module, name, call


def _torch():
    import torch

    return torch


_TENSOR_TYPES: set[type] = set()  # torch.Tensor and Parameter, once torch is loaded


def is_tensor(value) -> bool:
    kind = type(value)
    if kind in _TENSOR_TYPES:
        return True
    if kind.__name__ in ("Tensor", "Parameter") and kind.__module__.startswith("torch"):
        _TENSOR_TYPES.add(kind)
        return True
    return False


def is_array(value) -> bool:
    return type(value) is np.ndarray or is_tensor(value)


def is_number(value) -> bool:
    """A real number or bool (Python's or numpy's); numpy's complex is not one."""
    if isinstance(value, np.complexfloating):
        return False
    return isinstance(value, bool | int | float | np.bool_ | np.integer | np.floating)


def tensor_dtypes() -> frozenset:
    torch = _torch()
    return frozenset((torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32,
                      torch.int64, torch.float32, torch.float64))  # no half precision: slow


def known(value, limit: int, node=None):
    """The value, if it is of a known kind within its bounds (a tuple comes back plain,
    as torch.Size is one); otherwise a CodeError that names what it is."""
    kind = type(value)
    if kind is np.ndarray:
        return _numpy_array(value, limit, node)
    if kind in _TENSOR_TYPES or is_tensor(value):
        return _tensor(value, limit, node)
    if kind in _PLAIN:
        return value
    if isinstance(value, bool | float | np.bool_ | np.integer | np.floating) and \
            not isinstance(value, np.complexfloating):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise CodeError(N_("the number {value} is too large (at most {most:.0e})"), node,
                            value=value, most=MAX_INT)
        return value
    if isinstance(value, tuple):
        return shape(value, node)
    if is_dtype(value) or is_device(value) or is_tensor_type(value):
        return value
    if isinstance(value, Module | Function | Method):
        raise CodeError(N_("a function or method must be called where it is named"), node)
    raise CodeError(N_("{kind} cannot be used as a value here"), node, kind=describe(value))


_PLAIN = frozenset((type(None), bool, float, np.float64, np.float32, np.int64, np.bool_))


def _numpy_array(value: np.ndarray, limit: int, node) -> np.ndarray:
    if value.dtype == np.float16:  # no BLAS for it: a product of it takes 20 times longer
        raise CodeError(N_("an array of float16 is not allowed: use float32 or float64"), node)
    if value.dtype.kind not in NUMPY_KINDS or value.dtype.fields is not None:
        raise CodeError(N_("an array of {dtype} is not allowed: only numbers (bool, int, "
                           "float)"), node, dtype=value.dtype)
    if value.size > limit:
        raise CodeError(N_("an array of {entries:,} entries is far larger than the arrays in "
                           "scope (limit {limit:,})"), node, entries=value.size, limit=limit)
    return value


def _tensor(value, limit: int, node):
    torch = _torch()
    if value.layout is not torch.strided or value.device.type != "cpu" or value.is_nested:
        raise CodeError(N_("only dense tensors on the CPU are allowed"), node)
    if value.dtype not in tensor_dtypes():
        raise CodeError(N_("a tensor of {dtype} is not allowed: only numbers (bool, int, "
                           "float)"), node, dtype=value.dtype)
    if value.numel() > limit:
        raise CodeError(N_("a tensor of {entries:,} entries is far larger than the arrays in "
                           "scope (limit {limit:,})"), node, entries=value.numel(), limit=limit)
    return value


def shape(value: tuple, node=None) -> tuple:
    """A tuple as a shape: flat, at most MAX_SHAPE whole numbers within ±MAX_INT."""
    if len(value) > MAX_SHAPE or not all(
            isinstance(d, int | np.integer) and not isinstance(d, bool) and abs(d) <= MAX_INT
            for d in value):
        raise CodeError(N_("a tuple may hold only up to {most} whole numbers, as a shape such "
                           "as (N, H) does"), node, most=MAX_SHAPE)
    return tuple(int(d) for d in value)


def is_dtype(value) -> bool:
    if isinstance(value, type):
        return value in PYTHON_TYPES or (issubclass(value, np.floating | np.integer | np.bool_)
                                         and np.dtype(value).kind in NUMPY_KINDS
                                         and value is not np.float16)
    if isinstance(value, np.dtype):
        return value.kind in NUMPY_KINDS and value.fields is None and \
            value.subdtype is None and value != np.float16
    return type(value).__name__ == "dtype" and type(value).__module__ == "torch" and \
        value in tensor_dtypes()


def is_tensor_type(value) -> bool:
    """torch.FloatTensor, torch.DoubleTensor, torch.Tensor: the legacy names of tensor types,
    as in x.type(torch.FloatTensor)."""
    torch = _torch()
    return value is torch.FloatTensor or value is torch.DoubleTensor or value is torch.Tensor


def is_device(value) -> bool:
    return type(value).__name__ == "device" and type(value).__module__ == "torch" and \
        value.type == "cpu"


def nbytes(value) -> int:
    """The bytes an array's entries take (0 for anything else)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if is_tensor(value):
        return value.numel() * value.element_size()
    return 0


def describe(value) -> Text:
    """A value's kind, as a message names it (in the message's language)."""
    if isinstance(value, Module):
        return Text(N_("the module {name}"), name=value.name)
    if isinstance(value, Function | Method):
        return Text(f"{value.name}()")
    if isinstance(value, tuple):
        return Text(N_("a tuple"))
    return Text(type(value).__name__)
