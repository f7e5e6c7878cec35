"""Both methods stepped side by side, one iteration at a time, and where they drift.

Everything here runs the two methods from the same data and weights, each in its own
dtype and optionally with a variant (a ReLU convention or an injected bug) from
twolayer.variants, recording per iteration how far apart they are.
"""

from __future__ import annotations

import linecache
import math
from dataclasses import dataclass

import numpy as np

from .. import data
from ..autograd import one_torch_thread, resolve_device, to_tensors
from ..checking.compare import (
    relative_difference,
)
from ..config import DTYPES, Config, check_choice
from ..i18n import _
from ..loss import loss_scale
from ..tasks import finish
from ..variants import BUGS, VARIANT_SOURCES, resolve

RECORDS = ("loss_numpy", "loss_torch", "abs_loss_diff", "rel_loss_diff", "max_abs_w1_diff",
           "max_abs_w2_diff", "max_abs_grad_w1_diff", "max_abs_grad_w2_diff")
DIFFERENCES = RECORDS[2:]  # numpy against torch; the first two are each method's own loss


@dataclass(frozen=True)
class Options:
    """How the two methods differ in a lock-step run (the Config says what they share)."""

    dtype_numpy: str = "float64"
    dtype_torch: str = "float64"
    bug: str = "none"  # a key of variants.BUGS
    relu: str = "relu"  # a key of variants.RELU_CONVENTIONS
    zero_w1: bool = False  # start from w1 = 0, where the ReLU convention decides everything

    def checked(self) -> Options:
        check_choice("dtype_numpy", self.dtype_numpy, DTYPES)
        check_choice("dtype_torch", self.dtype_torch, DTYPES)
        resolve(self.bug, self.relu)
        return self


PLAIN = Options()  # both in the configuration's dtype, the plain ReLU, no bug


class Pair:
    """The two methods' state, stepped together."""

    def __init__(self, config: Config, options: Options, arrays=None):
        self.functions = resolve(options.bug, options.relu)[0]
        x, y, w1, w2 = data.arrays(config, arrays)
        if options.zero_w1:
            w1 = np.zeros_like(w1)
        self.learning_rate = config.learning_rate
        self.scale = loss_scale(config.loss, *y.shape)
        self.x, self.y = x.astype(options.dtype_numpy), y.astype(options.dtype_numpy)
        self.w1, self.w2 = w1.astype(options.dtype_numpy), w2.astype(options.dtype_numpy)
        device = resolve_device(config.device)
        self.x_tensor, self.y_tensor = to_tensors((x, y), options.dtype_torch, device)
        self.w1_tensor, self.w2_tensor = to_tensors((w1, w2), options.dtype_torch, device,
                                                    requires_grad=True)
        self.data64 = (x, y)  # float64, for finite differences

    def torch_weights(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.w1_tensor.detach().cpu().numpy(), self.w2_tensor.detach().cpu().numpy())

    def step(self):
        """One iteration of each: (loss_numpy, grads_numpy, loss_torch, grads_torch)."""
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported instead
            loss_n, g1_n, g2_n = self.functions["manual_step"](
                self.x, self.y, self.w1, self.w2, self.learning_rate, self.scale)
        loss_t, g1_t, g2_t = self.functions["autograd_step"](
            self.x_tensor, self.y_tensor, self.w1_tensor, self.w2_tensor,
            self.learning_rate, self.scale)
        return float(loss_n), (g1_n, g2_n), loss_t, (g1_t.cpu().numpy(), g2_t.cpu().numpy())


@dataclass(eq=False)
class Lockstep:
    """Per-iteration records of a lock-step run (NaN where nothing was recorded)."""

    records: dict[str, np.ndarray]
    iterations_run: int
    diverged_at: int | None = None
    error: str | None = None  # a readable message if a method failed (e.g. a shape error)

    def maxima(self) -> dict[str, float | None]:
        """The largest value of each difference over the run (None if nothing was recorded)."""
        return {name: value for name, (value, _at) in self.peaks().items()}

    def peaks(self) -> dict[str, tuple[float | None, int | None]]:
        """Each difference's largest value over the run and the iteration it came at."""
        peaks = {}
        for name in DIFFERENCES:
            values = self.records[name][: self.iterations_run]
            recorded = np.where(np.isnan(values), -np.inf, values)  # NaN: not recorded
            t = int(np.argmax(recorded)) if (recorded > -np.inf).any() else None
            peaks[name] = (None, None) if t is None else (float(values[t]), t)
        return peaks


def lockstep(config: Config, options: Options = Options()) -> Lockstep:
    """Run both methods side by side for config.iterations, recording where they differ."""
    with one_torch_thread():
        return finish(lockstep_task(config, options))


def lockstep_task(config: Config, options: Options = Options(), arrays=None):
    """lockstep() as a task (twolayer.tasks): yields after every iteration."""
    config.validated()
    options.checked()
    pair = Pair(config, options, arrays)
    records = {name: np.full(config.iterations, np.nan) for name in RECORDS}
    result = Lockstep(records, 0)
    for t in range(config.iterations):
        _record_weights(records, t, pair, *pair.torch_weights())
        try:
            loss_n, grads_n, loss_t, grads_t = pair.step()
        except (ValueError, RuntimeError) as error:
            result.error = shape_error_message(error, options.bug)
            break
        _record_step(records, t, loss_n, grads_n, loss_t, grads_t)
        result.iterations_run = t + 1
        if not (math.isfinite(loss_n) and math.isfinite(loss_t)):
            result.diverged_at = t
            break
        yield t + 1, config.iterations, result
    return result


def _record_weights(records, t, pair, w1_t, w2_t) -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        records["max_abs_w1_diff"][t] = np.max(np.abs(pair.w1 - w1_t))
        records["max_abs_w2_diff"][t] = np.max(np.abs(pair.w2 - w2_t))


def _record_step(records, t, loss_n, grads_n, loss_t, grads_t) -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        _record_differences(records, t, loss_n, grads_n, loss_t, grads_t)


def _record_differences(records, t, loss_n, grads_n, loss_t, grads_t) -> None:
    records["loss_numpy"][t], records["loss_torch"][t] = loss_n, loss_t
    records["abs_loss_diff"][t] = abs(loss_n - loss_t)
    records["rel_loss_diff"][t] = relative_difference(np.array(loss_n), np.array(loss_t))
    records["max_abs_grad_w1_diff"][t] = np.max(np.abs(grads_n[0] - grads_t[0]))
    records["max_abs_grad_w2_diff"][t] = np.max(np.abs(grads_n[1] - grads_t[1]))


def shape_error_message(error: Exception, bug: str) -> str:
    """A failed step as one readable sentence instead of a traceback."""
    note = _(BUGS[bug].note) if bug in BUGS and BUGS[bug].note else ""
    where = _failing_line(error)
    if where is None:
        return _("A step failed: {error}. {note}", error=str(error).splitlines()[0],
                 note=note).strip()
    code, local_vars = where
    detail = _matmul_shapes(code, local_vars) or str(error).splitlines()[0]
    return _("Shape error in `{code}`: {detail}. {note}", code=code, detail=detail,
             note=note).strip()


def _failing_line(error: Exception):
    """(source line, local variables) of the innermost frame in a variant's code."""
    found, tb = None, error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename.startswith("<twolayer variant"):
            found = (frame.f_code, tb.tb_lineno, frame.f_locals)
        tb = tb.tb_next
    if found is None:
        return None
    code, lineno, local_vars = found
    line = _variant_line(code, lineno) or linecache.getline(code.co_filename, lineno)
    return line.split("#")[0].strip(), local_vars


def _variant_line(code, lineno: int) -> str | None:
    source = VARIANT_SOURCES.get(code.co_filename)
    return source.splitlines()[lineno - 1] if source else None


def _matmul_shapes(code: str, local_vars: dict) -> str | None:
    """'w2.T is (10, 100) and grad_y_pred is (64, 10): inner sizes 100 and 64 differ'."""
    if "=" not in code or " @ " not in code:
        return None
    left, right = (side.strip() for side in code.split("=", 1)[1].split(" @ ", 1))
    try:  # the operands are plain names and .T of this package's own code
        shape_l = eval(left, {}, dict(local_vars)).shape  # noqa: S307
        shape_r = eval(right, {}, dict(local_vars)).shape  # noqa: S307
    except Exception:  # noqa: BLE001 - fall back to numpy's own message
        return None
    return _("{left} is {left_shape} and {right} is {right_shape}, so {left} @ {right} needs "
             "{left_size} == {right_size}", left=left, right=right, left_shape=shape_l,
             right_shape=shape_r, left_size=shape_l[-1], right_size=shape_r[0])


