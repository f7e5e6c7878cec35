"""The run configuration, each field declared once, and the one place inputs are validated.

A field's type, default, allowed range, sidebar label, help, number step and file-name tag
sit on the field itself (Spec, in the dataclass's metadata); the data kinds (KINDS) say
what each starts from, which fields are its own and which sizes it fixes. The validation,
the command line's flags, the links' fields, the sidebar and the download tags are all
derived from these.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from .i18n import N_, _

LOSSES = ("sum", "mean")
DTYPES = ("float64", "float32")
DEVICES = ("cpu", "cuda")
MAX_NOISE = 10.0  # σ far above the signal teaches nothing more
MAX_VALIDATION = 0.9  # the share of rows held out; some must be left to train on

MAX_SIZE = 100_000  # per dimension; the memory guard below is the real limit
MAX_ITERATIONS = 100_000  # enough for any lesson, and it bounds the loss history
MAX_SEED = 2**32 - 1  # what SeedSequence documents as a plain seed
DEFAULT_MEMORY_BUDGET = 2 * 2**30  # bytes: a 2 GiB share of a laptop or a hosted app
MEMORY_BUDGET_ENV = "TWOLAYER_MEMORY_BUDGET_MB"

SIZE_FIELDS = ("n", "d_in", "hidden", "d_out")


# --- The data kinds, each declared once ----------------------------------------------------


@dataclass(frozen=True)
class DataKind:
    """A kind of data: its name in the app, what it starts from, what it fixes.

    preset: the sizes, step and length it starts from when chosen (they train visibly well:
    checked over 12 seeds, no divergence below 3x these steps).
    fields: its own configuration fields (the sidebar shows them, links carry them, file
    names tag them), in that order.
    fixed: the sizes the data itself fixes, and how: shown as text, never asked for.
    """

    name: str
    label: str
    note: str
    preset: dict
    fields: tuple[str, ...] = ()
    fixed: dict = field(default_factory=dict)


KINDS = {kind.name: kind for kind in (
    DataKind("noise", N_("random noise (the assignment's)"),
             N_("x and y are independent random numbers: the network can only memorize them."),
             # the assignment's own values
             {"n": 64, "d_in": 1000, "hidden": 100, "d_out": 10, "learning_rate": 1e-6,
              "iterations": 500}),
    DataKind("teacher", N_("a teacher network + noise"),
             N_("y is a fixed random ReLU network of x (its own seed), plus noise of σ; "
                "validation rows come from the same network."),
             # the assignment's sizes, where 64 rows meet 100,000 weights: the student memorizes
             {"n": 64, "d_in": 1000, "hidden": 100, "d_out": 10, "learning_rate": 1e-5,
              "iterations": 500},
             ("noise", "teacher_hidden", "validation")),
    DataKind("sine", N_("a sine curve + noise"),
             N_("x = [t, 1] with t uniform on [−π, π] (the 1 is the bias), y = sin t + noise "
                "of σ. D_in = 2 and D_out = 1 are fixed by the data."),
             # 200 points of sin t; the fitted curve is within the noise (rms < 0.06) by the end
             {"n": 200, "d_in": 2, "hidden": 50, "d_out": 1, "learning_rate": 1e-4,
              "iterations": 3000},
             ("noise", "validation"), {"d_in": lambda config: 2, "d_out": lambda config: 1}),
    DataKind("csv", N_("your CSV file"),
             N_("Your file, from the sidebar: the inputs (plus a constant 1, the bias) and the "
                "targets you choose. N, D_in and D_out come from the file; it stays in this "
                "session's memory and is never written to disk."),
             # a file's sizes come from it; 50 hidden units and 1,000 steps suit a few hundred rows
             {"hidden": 50, "iterations": 1000},
             ("csv", "inputs", "targets", "validation", "standardize"),
             {"n": lambda config: config.n,  # the file's training rows (data.with_csv)
              "d_in": lambda config: len(config.inputs) + 1,  # the inputs and the bias
              "d_out": lambda config: len(config.targets)}),
)}
DATA_KINDS = tuple(KINDS)


# --- The configuration: each field's type, default, range, label, help, tag, once --------


@dataclass(frozen=True)
class Spec:
    """A configuration field's one home beside its type and default: how a value is checked
    (check(name, value) returns it or raises ValueError naming the field and its range), how
    the sidebar labels it, the help the sidebar and the command line give, the step of its
    number input, and its part of a download's file name (tag(value, config), or None).

    url: whether links carry it; a data kind's own fields are carried with their kind.
    """

    check: Callable
    label: str = ""
    help: str = ""
    step: float | None = None
    tag: Callable | None = None
    url: bool = True


def _spec(default, check, label="", help="", step=None, tag=None, url=True):
    return field(default=default,
                 metadata={"spec": Spec(check, label, help, step, tag, url)})


def _whole(low: int, high: int) -> Callable:
    return lambda name, value: check_int(name, value, low, high)


def _real(low: float, high: float) -> Callable:
    return lambda name, value: check_real(name, value, low, high)


def _one_of(choices: tuple[str, ...]) -> Callable:
    check = lambda name, value: check_choice(name, value, choices)  # noqa: E731
    check.choices = choices
    return check


def _plain(text: str) -> Callable:
    return lambda value, config: text.format(value)


@dataclass(frozen=True)
class Config:
    """Everything that determines a run; frozen so that caches can key on it."""

    # the assignment draws unseeded; any fixed seed makes runs reproducible
    seed: int = _spec(0, _whole(0, MAX_SEED), N_("seed"),
                      N_("Seeds the data x, y and the initial weights w1, w2."),
                      tag=_plain("seed{}"))
    # N: examples in the data set, the assignment's value
    n: int = _spec(64, _whole(1, MAX_SIZE), N_("N — examples"), N_("Rows of x and y."),
                   tag=_plain("n{}"))
    d_in: int = _spec(1000, _whole(1, MAX_SIZE), N_("D_in — input size"),  # the input dimension
                      N_("Columns of x; rows of w1."), tag=_plain("din{}"))
    hidden: int = _spec(100, _whole(1, MAX_SIZE), N_("H — hidden units"),  # hidden units
                        N_("Columns of w1; rows of w2."), tag=_plain("h{}"))
    d_out: int = _spec(10, _whole(1, MAX_SIZE), N_("D_out — output size"),  # the output dimension
                       N_("Columns of y and w2."), tag=_plain("dout{}"))
    # the assignment's step, sized for the summed loss at N=64
    learning_rate: float = _spec(1e-6, lambda name, value: check_learning_rate(value),
                                 N_("learning rate η"),
                                 N_("Step of gradient descent, e.g. 1e-6 (the assignment's)."),
                                 tag=lambda value, config: f"lr{value:g}")
    iterations: int = _spec(500, _whole(1, MAX_ITERATIONS), N_("iterations"),  # the assignment's
                            N_("Gradient descent steps (the assignment: 500)."),
                            tag=_plain("it{}"))
    # float64 lets the two methods agree to ~1e-12; float32 drifts
    dtype: str = _spec("float64", _one_of(DTYPES), N_("dtype"),
                       N_("float64 agrees to ~1e-12 between methods; float32 drifts."),
                       tag=_plain("{}"))
    # the assignment sums squared errors; "mean" divides by N*D_out
    loss: str = _spec("sum", _one_of(LOSSES), N_("loss"),
                      N_("sum: Σ (y_pred − y)², the assignment's. mean: divided by N·D_out."),
                      tag=_plain("{}"))
    # where autograd runs; the numpy method always runs on the CPU (tagged when not the CPU)
    device: str = _spec("cpu", _one_of(DEVICES), N_("device"), N_("Where autograd runs."),
                        tag=lambda value, config: "" if value == "cpu" else value, url=False)
    # the assignment's random noise; "teacher", "sine", "csv" can be learned
    data: str = _spec("noise", _one_of(DATA_KINDS), N_("data"),
                      N_("What the network is fitted to."),
                      tag=lambda value, config: "" if value == "noise" else value)
    # σ of the Gaussian noise on y for "teacher" and "sine": the loss floor
    noise: float = _spec(0.1, _real(0.0, MAX_NOISE), N_("noise σ"),
                         N_("Standard deviation of the Gaussian noise on y: the loss cannot "
                            "fall below σ² per output on new rows."), 0.05,
                         lambda value, config: f"sigma{value:g}")
    # the teacher network's H; 0 for the student's own H
    teacher_hidden: int = _spec(0, _whole(0, MAX_SIZE), N_("teacher's H"),
                                N_("Hidden units of the teacher network; 0 for the student's "
                                   "own H."), 1,
                                lambda value, config: f"th{value or config.hidden}")
    # share held out: extra rows for generated data, a CSV's own rows
    validation: float = _spec(0.25, _real(0.0, MAX_VALIDATION), N_("validation share"),
                              N_("Held out from training, to see what the network learned: "
                                 "extra rows for generated data, a share of a CSV's rows."),
                              0.05, lambda value, config: f"val{value:g}")
    # the uploaded file, by its digest (twolayer.data.table); never its bytes
    csv: str = _spec("", lambda name, value: _check_digest(value), N_("CSV file"),
                     N_("Train on a CSV file, with its input and target columns."),
                     tag=lambda value, config: value[:8])
    # the CSV's input columns (a constant 1, the bias, is added)
    inputs: tuple[str, ...] = _spec((), lambda name, value: check_columns(name, value),
                                    N_("inputs"),
                                    N_("The CSV's input columns (comma-separated)."))
    # the CSV's target columns
    targets: tuple[str, ...] = _spec((), lambda name, value: check_columns(name, value),
                                     N_("targets"),
                                     N_("The CSV's target columns (comma-separated)."))
    # CSV: mean 0, std 1, with the training rows' statistics
    standardize: bool = _spec(True, lambda name, value: _check_flag(name, value),
                              N_("standardize"),
                              N_("Mean 0 and std 1 per column, from the training rows' "
                                 "statistics."),
                              tag=lambda value, config: "std" if value else "raw")

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


SPECS: dict[str, Spec] = {f.name: f.metadata["spec"] for f in fields(Config)}
FIELD_NAMES = tuple(SPECS)
KIND_FIELDS = frozenset(name for kind in KINDS.values() for name in kind.fields)


def url_fields(kind: str) -> tuple[str, ...]:
    """The fields a link carries for a configuration of this data kind."""
    return tuple(n for n, s in SPECS.items() if s.url and n not in KIND_FIELDS) + \
        KINDS[kind].fields


def choices(name: str) -> tuple[str, ...] | None:
    """The values a field allows, when it is a choice."""
    return getattr(SPECS[name].check, "choices", None)


def check_int(name: str, value, low: int, high: int) -> int:
    """Raise ValueError unless value is an integer in [low, high]."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or not low <= value <= high:
        raise ValueError(_("{name} must be an integer from {low} to {high:,}, got {value!r}",
                           name=name, low=low, high=high, value=value))
    return int(value)


def check_learning_rate(value) -> float:
    """Raise ValueError unless value is a positive finite number."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise ValueError(_("learning_rate must be a positive finite number, got {value!r}",
                           value=value))
    return float(value)


def check_choice(name: str, value, allowed: tuple[str, ...]) -> str:
    """Raise ValueError unless value is one of allowed."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(_("{name} must be one of {choices}, got {value!r}", name=name,
                           choices=choices, value=value))
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
        raise ValueError(_(
            "{what} would need {needed}, over the memory budget of {limit}; use smaller "
            "sizes (n, d_in, hidden, d_out)",
            what=_(what), needed=format_bytes(needed), limit=format_bytes(limit)))


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
        raise ValueError(_("{name} must be a number from {low:g} to {high:g}, got {value!r}",
                           name=name, low=low, high=high, value=value))
    return float(value)


def check_columns(name: str, value) -> tuple[str, ...]:
    """Raise ValueError unless value is a tuple of distinct, non-empty column names."""
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(_("{name} must be column names, got {value!r}", name=name,
                           value=value))
    if len(set(value)) != len(value):
        raise ValueError(_("{name} names a column twice: {columns}", name=name,
                           columns=", ".join(value)))
    return value


def check_field(name: str, value):
    """Raise ValueError unless value is allowed for the Config field name; return it."""
    if name not in SPECS:
        raise ValueError(f"unknown configuration field {name!r}")
    return SPECS[name].check(name, value)


def _check_digest(value) -> str:
    if not isinstance(value, str) or not all(c in "0123456789abcdef" for c in value):
        raise ValueError(_("csv must be a file's digest (hex digits), got {value!r}",
                           value=value))
    return value


def _check_flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("{name} must be true or false, got {value!r}", name=name,
                           value=value))
    return value


def validate(config: Config, budget: int | None = None) -> None:
    """Raise ValueError naming the first field that is out of range, or the memory needed."""
    for name in FIELD_NAMES:
        check_field(name, getattr(config, name))
    check_data(config)
    rows = config.n + validation_rows(config)
    sizes = (rows, config.d_in, config.hidden, config.d_out)
    check_memory(estimate_bytes(*sizes, config.dtype), N_("this configuration"), budget)


def check_data(config: Config) -> None:
    """The sizes and columns a data kind fixes: D_in = 2, D_out = 1 for the sine; a CSV's
    own columns; a target that is not also an input."""
    if config.data == "sine" and (config.d_in, config.d_out) != (2, 1):
        raise ValueError(_("the sine data has D_in = 2 (t and the constant 1) and D_out = 1, "
                           "got D_in = {d_in}, D_out = {d_out}",
                           d_in=config.d_in, d_out=config.d_out))
    if config.data != "csv":
        return
    if not config.csv or not config.inputs or not config.targets:
        raise ValueError(_("the CSV data needs a file, input columns and target columns"))
    both = [name for name in config.targets if name in config.inputs]
    if both:
        raise ValueError(_("{column!r} is chosen as an input and as a target",
                           column=both[0]))
    expected = (len(config.inputs) + 1, len(config.targets))
    if (config.d_in, config.d_out) != expected:
        raise ValueError(_("the CSV's columns give D_in = {d_in} (the inputs and the bias) "
                           "and D_out = {d_out}, got {got_d_in}, {got_d_out}",
                           d_in=expected[0], d_out=expected[1], got_d_in=config.d_in,
                           got_d_out=config.d_out))


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
            raise ValueError(_("{name} must be true or false, got {value!r}", name=name,
                               value=text))
        return words[text.strip().lower()]
    try:
        value = kind(text.strip())
    except ValueError:
        message = {int: N_("{name} must be an integer, got {value!r}"),
                   float: N_("{name} must be a number, got {value!r}")}.get(
            kind, N_("{name} must be text, got {value!r}"))
        raise ValueError(_(message, name=name, value=text)) from None
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
            warnings.append(_("{error}; using the default {name}={default!r}", error=error,
                              name=name, default=default))
    config = fit_to_data(defaults.replace(**fields_ok))
    try:
        check_data(config)
    except ValueError as error:
        config = fit_to_data(config.replace(data="noise"))
        warnings.append(_("{error}; using the assignment's data", error=error))
    try:
        validate(config, budget)
    except ValueError as error:
        config = fit_to_data(config.replace(**{n: getattr(defaults, n) for n in SIZE_FIELDS}))
        warnings.append(_("{error}; using the default sizes", error=error))
    return config, warnings


def fit_to_data(config: Config) -> Config:
    """The configuration with the sizes its data kind fixes: D_in = 2 and D_out = 1 for the
    sine; for a CSV, its inputs plus the bias, and its targets (once they are chosen)."""
    kind = KINDS[config.data]
    if not kind.fixed or (config.data == "csv" and not (config.inputs and config.targets)):
        return config
    return config.replace(**{name: size(config) for name, size in kind.fixed.items()})


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
