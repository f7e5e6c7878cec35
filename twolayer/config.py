"""The run configuration and the one place where inputs are validated."""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

LOSSES = ("sum", "mean")
DTYPES = ("float64", "float32")
DEVICES = ("cpu", "cuda")
DATA_KINDS = ("noise", "teacher", "sine", "csv")
MAX_NOISE = 10.0  # σ far above the signal teaches nothing more
MAX_VALIDATION = 0.9  # the share of rows held out; some must be left to train on

MAX_SIZE = 100_000  # per dimension; the memory guard below is the real limit
MAX_ITERATIONS = 100_000  # enough for any lesson, and it bounds the loss history
MAX_SEED = 2**32 - 1  # what SeedSequence documents as a plain seed
DEFAULT_MEMORY_BUDGET = 2 * 2**30  # bytes: a 2 GiB share of a laptop or a hosted app
MEMORY_BUDGET_ENV = "TWOLAYER_MEMORY_BUDGET_MB"

SIZE_FIELDS = ("n", "d_in", "hidden", "d_out")


@dataclass(frozen=True)
class Config:
    """Everything that determines a run; frozen so that caches can key on it."""

    seed: int = 0  # the assignment draws unseeded; any fixed seed makes runs reproducible
    n: int = 64  # N: examples in the data set, the assignment's value
    d_in: int = 1000  # D_in: input dimension
    hidden: int = 100  # H: hidden units
    d_out: int = 10  # D_out: output dimension
    learning_rate: float = 1e-6  # the assignment's step, sized for the summed loss at N=64
    iterations: int = 500  # the assignment's loop length
    dtype: str = "float64"  # float64 lets the two methods agree to ~1e-12; float32 drifts
    loss: str = "sum"  # the assignment sums squared errors; "mean" divides by N*D_out
    device: str = "cpu"  # where autograd runs; the numpy method always runs on the CPU
    data: str = "noise"  # the assignment's random noise; "teacher", "sine", "csv" can be learned
    noise: float = 0.1  # σ of the Gaussian noise on y for "teacher" and "sine": the loss floor
    teacher_hidden: int = 0  # the teacher network's H; 0 for the student's own H
    validation: float = 0.25  # share held out: extra rows for generated data, a CSV's own rows
    csv: str = ""  # the uploaded file, by its digest (twolayer.data.table); never its bytes
    inputs: tuple[str, ...] = ()  # the CSV's input columns (a constant 1, the bias, is added)
    targets: tuple[str, ...] = ()  # the CSV's target columns
    standardize: bool = True  # CSV: mean 0, std 1, with the training rows' statistics

    def validated(self, memory_budget: int | None = None) -> Config:
        """Return self after checking every field and the memory the run needs."""
        validate(self, memory_budget)
        return self

    def replace(self, **changes) -> Config:
        """A copy with some fields changed (not validated)."""
        return replace(self, **changes)

    def as_dict(self) -> dict:
        """The fields as a plain dict in declaration order, ready for JSON (lists for the
        column tuples)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


FIELD_NAMES = tuple(f.name for f in fields(Config))


def check_int(name: str, value, low: int, high: int) -> int:
    """Raise ValueError unless value is an integer in [low, high]."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high:,}, got {value!r}")
    return int(value)


def check_learning_rate(value) -> float:
    """Raise ValueError unless value is a positive finite number."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise ValueError(f"learning_rate must be a positive finite number, got {value!r}")
    return float(value)


def check_choice(name: str, value, allowed: tuple[str, ...]) -> str:
    """Raise ValueError unless value is one of allowed."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def memory_budget(budget: int | None = None) -> int:
    """The byte budget: the argument, else $TWOLAYER_MEMORY_BUDGET_MB, else 2 GiB."""
    if budget is not None:
        if budget <= 0:
            raise ValueError(f"the memory budget must be positive, got {budget} bytes")
        return budget
    raw = os.environ.get(MEMORY_BUDGET_ENV)
    if raw is None:
        return DEFAULT_MEMORY_BUDGET
    return budget_from_mb(raw, MEMORY_BUDGET_ENV)


def budget_from_mb(raw, name: str) -> int:
    """Bytes from a number of MiB (text or number), or a ValueError naming its source."""
    return int(positive_number(raw, name, "MiB") * 2**20)


def positive_number(raw, name: str, unit: str) -> float:
    """A finite positive number from text (or a number), or a ValueError naming its source
    (an environment variable, a flag) and its unit."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of {unit}, got {raw!r}")
    return value


def estimate_bytes(n: int, d_in: int, hidden: int, d_out: int, dtype: str = "float64") -> int:
    """Peak bytes of one run: float64 data and weights plus a method's working arrays."""
    item = np.dtype(dtype).itemsize
    data = n * d_in + n * d_out  # x, y
    weights = d_in * hidden + hidden * d_out  # w1, w2
    inputs = 8 * (data + weights)  # made in float64, kept by the caller
    # A method keeps cast copies of the data, its weights, their gradients and the
    # final weights, plus h, h_relu, grad_h and y_pred, grad_y_pred.
    working = item * (data + 3 * weights + 3 * n * hidden + 2 * n * d_out)
    return inputs + working


def check_memory(needed: int, what: str, budget: int | None = None) -> None:
    """Raise ValueError when needed bytes exceed the budget, before anything is allocated."""
    limit = memory_budget(budget)
    if needed > limit:
        raise ValueError(
            f"{what} would need {format_bytes(needed)}, over the memory budget of "
            f"{format_bytes(limit)}; use smaller sizes (n, d_in, hidden, d_out)"
        )


def format_bytes(count: int) -> str:
    """1536 -> '1.5 KiB'."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.3g} {unit}" if unit != "B" else f"{count} B"
        size /= 1024
    raise AssertionError("unreachable")


def check_real(name: str, value, low: float, high: float) -> float:
    """Raise ValueError unless value is a finite number in [low, high]."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def check_columns(name: str, value) -> tuple[str, ...]:
    """Raise ValueError unless value is a tuple of distinct, non-empty column names."""
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{name} must be column names, got {value!r}")
    if len(set(value)) != len(value):
        raise ValueError(f"{name} names a column twice: {', '.join(value)}")
    return value


def check_field(name: str, value):
    """Raise ValueError unless value is allowed for the Config field name; return it."""
    if name == "seed":
        return check_int(name, value, 0, MAX_SEED)
    if name in SIZE_FIELDS:
        return check_int(name, value, 1, MAX_SIZE)
    if name == "learning_rate":
        return check_learning_rate(value)
    if name == "iterations":
        return check_int(name, value, 1, MAX_ITERATIONS)
    choices = {"dtype": DTYPES, "loss": LOSSES, "device": DEVICES, "data": DATA_KINDS}
    if name in choices:
        return check_choice(name, value, choices[name])
    return _check_data_field(name, value)


def _check_data_field(name: str, value):
    if name == "noise":
        return check_real(name, value, 0.0, MAX_NOISE)
    if name == "teacher_hidden":
        return check_int(name, value, 0, MAX_SIZE)
    if name == "validation":
        return check_real(name, value, 0.0, MAX_VALIDATION)
    if name == "csv":
        if not isinstance(value, str) or not all(c in "0123456789abcdef" for c in value):
            raise ValueError(f"csv must be a file's digest (hex digits), got {value!r}")
        return value
    if name in ("inputs", "targets"):
        return check_columns(name, value)
    if name == "standardize":
        if not isinstance(value, bool):
            raise ValueError(f"standardize must be true or false, got {value!r}")
        return value
    raise ValueError(f"unknown configuration field {name!r}")


def validate(config: Config, budget: int | None = None) -> None:
    """Raise ValueError naming the first field that is out of range, or the memory needed."""
    for name in FIELD_NAMES:
        check_field(name, getattr(config, name))
    check_data(config)
    rows = config.n + validation_rows(config)
    sizes = (rows, config.d_in, config.hidden, config.d_out)
    check_memory(estimate_bytes(*sizes, config.dtype), "this configuration", budget)


def check_data(config: Config) -> None:
    """The sizes and columns a data kind fixes: D_in = 2, D_out = 1 for the sine; a CSV's
    own columns; a target that is not also an input."""
    if config.data == "sine" and (config.d_in, config.d_out) != (2, 1):
        raise ValueError(f"the sine data has D_in = 2 (t and the constant 1) and D_out = 1, "
                         f"got D_in = {config.d_in}, D_out = {config.d_out}")
    if config.data != "csv":
        return
    if not config.csv or not config.inputs or not config.targets:
        raise ValueError("the CSV data needs a file, input columns and target columns")
    both = [name for name in config.targets if name in config.inputs]
    if both:
        raise ValueError(f"{both[0]!r} is chosen as an input and as a target")
    expected = (len(config.inputs) + 1, len(config.targets))
    if (config.d_in, config.d_out) != expected:
        raise ValueError(f"the CSV's columns give D_in = {expected[0]} (the inputs and the "
                         f"bias) and D_out = {expected[1]}, got {config.d_in}, {config.d_out}")


def validation_rows(config: Config) -> int:
    """Rows held out for validation: for generated data, as many extra rows as the share asks
    of N (N stays the training set); none for the assignment's noise; for a CSV, a share
    of the file's rows that config.n already excludes (counted here as zero extra)."""
    if config.data in ("noise", "csv") or config.validation == 0:
        return 0
    return max(1, math.ceil(config.validation * config.n / (1 - config.validation)))


def parse_field(name: str, text: str):
    """A Config field's value from text such as a URL query value; ValueError if malformed.

    Column lists are comma-separated; booleans are true/false.
    """
    kind = type(getattr(Config(), name))
    if kind is tuple:
        return check_field(name, tuple(c.strip() for c in text.split(",") if c.strip()))
    if kind is bool:
        words = {"true": True, "false": False}
        if text.strip().lower() not in words:
            raise ValueError(f"{name} must be true or false, got {text!r}")
        return words[text.strip().lower()]
    try:
        value = kind(text.strip())
    except ValueError:
        noun = {int: "an integer", float: "a number"}.get(kind, "text")
        raise ValueError(f"{name} must be {noun}, got {text!r}") from None
    return check_field(name, value)


def field_text(name: str, value) -> str:
    """A field's value as text for a URL: the inverse of parse_field."""
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def config_from_strings(values, names=FIELD_NAMES, budget=None,
                        defaults: Config | None = None) -> tuple[Config, list[str]]:
    """A Config from text values (e.g. a URL's query string) and a warning per bad field.

    A malformed or out-of-range field falls back to its default (from defaults, e.g. a
    data kind's starting values); if the fields are fine one by one but the whole would
    exceed the memory budget, every size falls back to its default.
    """
    defaults = defaults or Config()
    fields_ok, warnings = {}, []
    for name in names:
        if name not in values:
            continue
        try:
            fields_ok[name] = parse_field(name, values[name])
        except ValueError as error:
            default = getattr(defaults, name)
            warnings.append(f"{error}; using the default {name}={default!r}")
    config = fit_to_data(defaults.replace(**fields_ok))
    try:
        check_data(config)
    except ValueError as error:
        config = fit_to_data(config.replace(data="noise"))
        warnings.append(f"{error}; using the assignment's data")
    try:
        validate(config, budget)
    except ValueError as error:
        config = fit_to_data(config.replace(**{n: getattr(defaults, n) for n in SIZE_FIELDS}))
        warnings.append(f"{error}; using the default sizes")
    return config, warnings


def fit_to_data(config: Config) -> Config:
    """The configuration with the sizes its data kind fixes: D_in = 2 and D_out = 1 for the
    sine; for a CSV, its inputs plus the bias, and its targets."""
    if config.data == "sine":
        return config.replace(d_in=2, d_out=1)
    if config.data == "csv" and config.inputs and config.targets:
        return config.replace(d_in=len(config.inputs) + 1, d_out=len(config.targets))
    return config


def check_training(learning_rate, iterations, loss, dtype) -> None:
    """Validate the scalar arguments shared by both training functions."""
    check_learning_rate(learning_rate)
    check_int("iterations", iterations, 1, MAX_ITERATIONS)
    check_choice("loss", loss, LOSSES)
    check_choice("dtype", dtype, DTYPES)


def check_arrays(x, y, w1, w2) -> None:
    """Raise ValueError unless x (N, D_in), y (N, D_out), w1 (D_in, H), w2 (H, D_out) fit."""
    for name, array in (("x", x), ("y", y), ("w1", w1), ("w2", w2)):
        _check_array(name, array)
    _check_dim("y", y.shape[0], "x", x.shape[0], "N (rows)")
    _check_dim("w1", w1.shape[0], "x", x.shape[1], "D_in (w1 rows, x columns)")
    _check_dim("w2", w2.shape[0], "w1", w1.shape[1], "H (w2 rows, w1 columns)")
    _check_dim("w2", w2.shape[1], "y", y.shape[1], "D_out (columns)")


def _check_array(name: str, array) -> None:
    if not isinstance(array, np.ndarray) or array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D numpy array, got {_describe(array)}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name} must hold floats, got dtype {array.dtype}")


def check_validation(validation, x, y) -> None:
    """Raise ValueError unless validation is None or (x_val, y_val) with x's and y's columns."""
    if validation is None:
        return
    x_val, y_val = validation
    for name, array in (("x_val", x_val), ("y_val", y_val)):
        _check_array(name, array)
    _check_dim("y_val", y_val.shape[0], "x_val", x_val.shape[0], "the validation rows")
    _check_dim("x_val", x_val.shape[1], "x", x.shape[1], "D_in (columns)")
    _check_dim("y_val", y_val.shape[1], "y", y.shape[1], "D_out (columns)")


def _check_dim(name: str, got: int, other: str, want: int, what: str) -> None:
    if got != want:
        raise ValueError(f"{name} and {other} disagree on {what}: {got} vs {want}")


def _describe(value) -> str:
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} of shape {shape}" if shape is not None else type(value).__name__
