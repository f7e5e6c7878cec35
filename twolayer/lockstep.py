"""The lock-step explorer: both methods stepped side by side, and where they drift.

Everything here runs the two methods from the same data and weights, one
iteration at a time, each in its own dtype and optionally with a variant
(a ReLU convention or an injected bug) from twolayer.variants.
"""

from __future__ import annotations

import linecache
import math
from dataclasses import dataclass

import numpy as np

from .advice import mean_learning_rate
from .autograd import one_torch_thread, resolve_device, to_tensors
from .compare import (
    DEFAULT_EPS,
    FD_TOLERANCE,
    config_arrays,
    norm_relative_error,
    numeric_gradients,
    relative_difference,
    sample_indices,
    tolerance,
    verdict,
)
from .config import DTYPES, Config, check_choice, check_int
from .loss import loss_scale
from .manual import start_numpy
from .rounding import agreement_bounds, update_bound
from .tasks import finish, training_task
from .variants import BUGS, VARIANT_SOURCES, resolve

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


class Pair:
    """The two methods' state, stepped together."""

    def __init__(self, config: Config, options: Options, arrays=None):
        self.functions = resolve(options.bug, options.relu)[0]
        x, y, w1, w2 = arrays if arrays is not None else config_arrays(config)
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
        return {name: value for name, (value, _) in self.peaks().items()}

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
    note = BUGS[bug].note if bug in BUGS else ""
    where = _failing_line(error)
    if where is None:
        return f"A step failed: {str(error).splitlines()[0]}. {note}".strip()
    code, local_vars = where
    detail = _matmul_shapes(code, local_vars) or str(error).splitlines()[0]
    return f"Shape error in `{code}`: {detail}. {note}".strip()


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
    return (f"{left} is {shape_l} and {right} is {shape_r}, so {left} @ {right} "
            f"needs {shape_l[-1]} == {shape_r[0]}")


# --- Three-way gradient check inside a lock-step run -------------------------------


def lockstep_gradcheck(config: Config, options: Options = Options(), at_iteration: int = 0,
                       samples: int = 20, eps: float = DEFAULT_EPS) -> dict:
    """Manual vs autograd vs central finite differences at one iteration of a lock-step run.

    Each method's gradient is read from the step it actually takes, so a wrong
    update (a flipped sign, gradients that pile up) is caught as well as a wrong
    backward pass. That step is taken with a probe learning rate, a power of two
    large enough that w - rate * grad keeps every digit of the gradient. The
    finite differences are taken in float64 at each method's own weights.
    """
    with one_torch_thread():
        return finish(gradcheck_task(config, options, at_iteration, samples, eps))


def gradcheck_task(config: Config, options: Options = Options(), at_iteration: int = 0,
                   samples: int = 20, eps: float = DEFAULT_EPS, arrays=None):
    """lockstep_gradcheck() as a task: yields after every step on the way to at_iteration."""
    check_int("at_iteration", at_iteration, 0, config.iterations - 1)
    check_int("samples", samples, 1, 10_000)
    pair = Pair(config.validated(), options.checked(), arrays)
    try:
        for t in range(at_iteration):
            pair.step()
            yield t + 1, at_iteration + 1
        before_n = (pair.w1.astype(np.float64), pair.w2.astype(np.float64))
        before_t = tuple(w.astype(np.float64) for w in pair.torch_weights())
        picks = [sample_indices(w.shape, samples, config.seed + k)
                 for k, w in enumerate(before_n)]
        numeric_n = _numeric(pair, before_n, picks, eps)
        numeric_t = _numeric(pair, before_t, picks, eps)
        pair.learning_rate = _probe_rate(before_n, numeric_n)
        pair.step()
    except (ValueError, RuntimeError) as error:
        return {"error": shape_error_message(error, options.bug)}
    after_n = (pair.w1.astype(np.float64), pair.w2.astype(np.float64))
    after_t = tuple(w.astype(np.float64) for w in pair.torch_weights())
    rate = pair.learning_rate
    manual = Side(_applied(before_n, after_n, picks, rate), numeric_n,
                  _bounds(pair, before_n, options.dtype_numpy, picks, rate))
    autograd = Side(_applied(before_t, after_t, picks, rate), numeric_t,
                    _bounds(pair, before_t, options.dtype_torch, picks, rate))
    return _gradcheck_report(manual, autograd, eps)


def _probe_rate(weights, grads) -> float:
    """A power of two (so scaling by it is exact) with rate * |grad| >= |w| for w1 and w2.

    With the real learning rate, late in training w - lr * grad rounds away most
    digits of a tiny step; this rate makes the step at least as large as w.
    """
    ratios = [np.max(np.abs(w)) / np.max(np.abs(g)) for w, g in zip(weights, grads, strict=True)
              if np.max(np.abs(g)) > 0 and np.isfinite(g).all()]
    return 2.0 ** math.ceil(math.log2(max(ratios))) if ratios and max(ratios) > 0 else 1.0


def _applied(before, after, picks, rate) -> list[np.ndarray]:
    """-(w_after - w_before) / rate at the picked entries of w1 and w2."""
    return [(b[rows, cols] - a[rows, cols]) / rate
            for b, a, (rows, cols) in zip(before, after, picks, strict=True)]


def _numeric(pair: Pair, weights, picks, eps) -> list[np.ndarray]:
    """Central differences of the float64 loss at the picked entries of w1 and w2."""
    return numeric_gradients(*pair.data64, *weights, pair.scale, picks, eps)


@dataclass(frozen=True)
class Side:
    """One method in the gradient check, per matrix (w1, w2): the gradient its step
    applied, the finite differences at its weights, and the rounding bound of the first."""

    applied: list[np.ndarray]
    numeric: list[np.ndarray]
    bound: list[np.ndarray]


def _bounds(pair: Pair, weights, dtype: str, picks, rate: float) -> list[np.ndarray]:
    """Per picked entry: how far a method's applied gradient may be from the exact one.

    The rounding bound of its backward pass in its dtype (twolayer.rounding), plus the
    probe step's own rounding, divided back by the rate.
    """
    step = agreement_bounds(*pair.data64, *weights, pair.scale, dtype)
    bounds = []
    for grad_bound, w, (rows, cols) in zip((step.grad_w1, step.grad_w2), weights, picks,
                                           strict=True):
        grad = np.abs(w[rows, cols]) / rate + grad_bound[rows, cols]  # |grad| <= |w| / rate
        update = update_bound(w[rows, cols], grad, rate, dtype) / rate
        bounds.append(grad_bound[rows, cols] + update)
    return bounds


def _gradcheck_report(manual: Side, autograd: Side, eps: float) -> dict:
    """Relative errors of the three comparisons per matrix, each with its tolerance."""
    report = {"eps": eps, "entries_checked": int(sum(a.size for a in manual.applied))}
    for k, name in enumerate(("w1", "w2")):
        m, a = manual.applied[k], autograd.applied[k]
        # Where the methods' weights differ (one in float32), so do their exact gradients:
        # the finite differences at each method's weights measure by how much.
        gap = np.abs(manual.numeric[k] - autograd.numeric[k])
        comparisons = {
            "manual_vs_autograd": (m, a, manual.bound[k] + autograd.bound[k] + gap,
                                   3 * FD_TOLERANCE),
            "manual_vs_numeric": (m, manual.numeric[k], manual.bound[k], FD_TOLERANCE),
            "autograd_vs_numeric": (a, autograd.numeric[k], autograd.bound[k], FD_TOLERANCE),
        }
        for pair_name, (left, right, bound, extra) in comparisons.items():
            error = norm_relative_error(left, right)
            limit = tolerance(bound, left, right, extra)
            report[f"rel_err_{pair_name}_{name}"] = error
            report[f"tolerance_{pair_name}_{name}"] = limit
            report[f"verdict_{pair_name}_{name}"] = verdict(error, limit)
        report[f"values_{name}"] = {"manual": m.tolist(), "autograd": a.tolist(),
                                    "numeric": manual.numeric[k].tolist()}
    return report


# --- ReLU at zero, sum vs mean, learning-rate sweep -------------------------------


RELU_DEMO_ITERATIONS = 50  # enough to see whether w1 ever moves


def relu_zero_demo(config: Config) -> dict[str, dict]:
    """From w1 = 0 (every h is exactly 0), each ReLU convention: does w1 ever move?"""
    with one_torch_thread():
        return finish(relu_zero_task(config))


def relu_zero_task(config: Config, arrays=None):
    """relu_zero_demo() as a task."""
    outcome = {}
    short = config.replace(iterations=min(config.iterations, RELU_DEMO_ITERATIONS))
    conventions = ("relu", "clamp", "maximum")
    total = len(conventions) * short.iterations
    for k, relu in enumerate(conventions):
        pair = Pair(short, Options(relu=relu, zero_w1=True), arrays)
        losses = []
        for t in range(short.iterations):
            losses.append(pair.step()[0])
            yield k * short.iterations + t + 1, total
        outcome[relu] = {"final_loss": losses[-1], "first_loss": losses[0],
                         "max_abs_w1": float(np.max(np.abs(pair.w1))),
                         "max_abs_w1_torch": float(np.max(np.abs(pair.torch_weights()[0])))}
    return outcome


def sum_vs_mean(config: Config):
    """The summed run at lr and the mean run at lr * N * D_out: (run_sum, run_mean)."""
    return finish(sum_vs_mean_task(config))


def sum_vs_mean_task(config: Config, arrays=None):
    """sum_vs_mean() as a task: the two runs one after the other."""
    x, y, w1, w2 = arrays if arrays is not None else config_arrays(config)
    mean = config.replace(loss="mean", learning_rate=mean_learning_rate(config))
    runs = []
    for k, variant in enumerate((config.replace(loss="sum"), mean)):
        training = start_numpy(x, y, w1, w2, variant.learning_rate, variant.iterations,
                               variant.loss, variant.dtype)
        runs.append((yield from training_task(training, k * config.iterations,
                                              2 * config.iterations)))
    return tuple(runs)


SWEEP_DECADES = (-3, 1.5)  # learning rates from 1e-3 to 10**1.5 times the current one
SWEEP_POINTS = 10


def sweep_rates(config: Config) -> np.ndarray:
    """The learning rates a sweep tries, log-spaced around the current one."""
    center = math.log10(config.learning_rate)
    low, high = SWEEP_DECADES
    return np.logspace(center + low, center + high, SWEEP_POINTS)


def learning_rate_sweep(config: Config, rates: np.ndarray | None = None) -> dict[str, list]:
    """Final loss against learning rate (numpy method); None where training diverged."""
    return finish(sweep_task(config, rates))


def sweep_task(config: Config, rates: np.ndarray | None = None, arrays=None):
    """learning_rate_sweep() as a task; a run that diverges stops there, so the rates past
    the largest stable step cost only a few iterations each."""
    rates = sweep_rates(config) if rates is None else rates
    x, y, w1, w2 = arrays if arrays is not None else config_arrays(config)
    finals, diverged = [], []
    total = len(rates) * config.iterations
    for k, rate in enumerate(rates):
        training = start_numpy(x, y, w1, w2, float(rate), config.iterations, config.loss,
                               config.dtype)
        run = yield from training_task(training, k * config.iterations, total)
        finals.append(None if run.diverged_at is not None else run.final_loss)
        diverged.append(run.diverged_at)
    return {"learning_rate": [float(r) for r in rates], "final_loss": finals,
            "diverged_at": diverged}
