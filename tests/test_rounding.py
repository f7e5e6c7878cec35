"""The float32 tolerance: a worst-case rounding bound, derived, and shown to hold on any kernel.

The bound (twolayer.checking.rounding) rests on one fact: a sum of K products computed with
unit roundoff u is off by at most gamma(K) = K u / (1 - K u) times the sum of the
products' magnitudes, in any order of summation. float32 has u = 2**-24 ~ 6e-8;
the sums here have K = D_in = 1000 (h, grad_w1 via N), H = 100 (y_pred), N = 64
and D_out = 10. Nothing in it was measured, so it holds for every BLAS kernel and
thread count; the kernel test below checks that on several.
"""

import fractions
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from stepcheck import worst_ratios

import twolayer as tl
from twolayer.checking.rounding import (
    UNIT_ROUNDOFF,
    agreement_bounds,
    cast_error,
    gamma,
    product_bound,
    step_bounds,
)
from twolayer.data import arrays as config_arrays
from twolayer.manual import backprop, numpy_gradients

U32 = UNIT_ROUNDOFF["float32"]
ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_gamma_is_highams_and_refuses_where_it_is_unbounded():
    assert gamma(1000, U32) == pytest.approx(1000 * 2.0**-24 / (1 - 1000 * 2.0**-24), rel=1e-15)
    assert gamma(1, U32) > U32
    with pytest.raises(ValueError, match="gamma"):
        gamma(2**24, U32)


def exact_product(a, b):
    """a @ b in exact rational arithmetic, as float64 (rounded once at the end)."""
    exact = fractions.Fraction
    rows, inner, cols = a.shape[0], a.shape[1], b.shape[1]
    return np.array([[float(sum(exact(float(a[i, k])) * exact(float(b[k, j]))
                                for k in range(inner)))
                      for j in range(cols)] for i in range(rows)])


def test_product_bound_holds_for_float32_products_and_their_cast_inputs():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((6, 40)), rng.standard_normal((40, 4))  # float64, not float32
    computed = (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float64)
    error = np.abs(computed - exact_product(a, b))
    bound = product_bound(a, cast_error(a, "float32"), b, cast_error(b, "float32"), U32)
    assert np.all(error <= bound)
    assert np.all(error > 0)  # float32 did round, so the check had something to bound


def test_float32_steps_of_both_methods_stay_within_the_bound():
    # Along each method's own float32 run, iterations 0..30: loss, grad_w1, grad_w2 and
    # the update w - lr * grad, against exact arithmetic at the same weights.
    worst = worst_ratios()
    assert all(value <= 1.0 for value in worst.values()), worst


KERNELS = [  # what other machines of this kind may pick, emulated here
    {"OPENBLAS_CORETYPE": "Nehalem", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "OMP_NUM_THREADS": "1"},
    {"OPENBLAS_CORETYPE": "SandyBridge", "MKL_ENABLE_INSTRUCTIONS": "AVX"},
    {"OPENBLAS_CORETYPE": "Haswell", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "OMP_NUM_THREADS": "2"},
    {"OPENBLAS_CORETYPE": "SkylakeX", "ATEN_CPU_CAPABILITY": "default"},
]
NEEDS = {"Nehalem": "sse4_2", "SandyBridge": "avx", "Haswell": "avx2", "SkylakeX": "avx512f"}


def cpu_flags() -> set[str]:
    """The instruction sets this CPU has (a kernel it lacks dies of SIGILL, not rounding)."""
    try:
        text = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.startswith("flags")
            for flag in line.split(":", 1)[1].split()}


@pytest.mark.slow  # a child process per kernel
@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k["OPENBLAS_CORETYPE"])
def test_the_bound_holds_on_other_blas_kernels_and_thread_counts(kernel):
    # On the Nehalem kernel an h of 8e-6 at iteration 4 (seed 0) rounds to the other side
    # of 0 in numpy's float32, the ReLU mask flips and one column of w1 moves by 4e-3:
    # the bound allows for that because |h| is within its own rounding bound there.
    if NEEDS[kernel["OPENBLAS_CORETYPE"]] not in cpu_flags():
        pytest.skip(f"this CPU has no {NEEDS[kernel['OPENBLAS_CORETYPE']]}: the kernel cannot "
                    "run here")
    env = {**os.environ, **kernel, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "stepcheck.py")], env=env,
                         capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    worst = json.loads(out.stdout)
    assert all(value <= 1.0 for value in worst.values()), (kernel, worst)


def test_the_bound_is_informative_early_and_says_when_it_is_not():
    config = tl.Config()
    x, y, w1, w2 = config_arrays(config)
    loss, grad_w1, grad_w2 = backprop(x, y, w1, w2, 1.0)
    bound = step_bounds(x, y, w1, w2, 1.0, "float32")
    assert bound.loss < 0.05 * loss  # the loss's first digit is certain
    assert np.linalg.norm(bound.grad_w1) < 0.5 * np.linalg.norm(grad_w1)
    assert np.linalg.norm(bound.grad_w2) < 0.5 * np.linalg.norm(grad_w2)
    # By t = 100, y_pred - y is tiny against |h_relu| @ |w2|: the worst case of rounding
    # y_pred exceeds the loss, and float32 guarantees none of its digits.
    late = tl.train_numpy(x, y, w1, w2, config.learning_rate, 100)
    late_loss, _, _ = backprop(x, y, late.w1, late.w2, 1.0)
    assert step_bounds(x, y, late.w1, late.w2, 1.0, "float32").loss > late_loss


def test_the_bound_can_fail():
    x, y, w1, w2 = config_arrays(tl.Config())
    exact = backprop(x, y, w1, w2, 1.0)
    got32 = numpy_gradients(*(a.astype(np.float32) for a in (x, y, w1, w2)))
    # float32 results break float64's bound: it is tied to the precision
    tight = step_bounds(x, y, w1, w2, 1.0, "float64")
    assert abs(got32[0] - exact[0]) > tight.loss
    assert np.any(np.abs(got32[1] - exact[1]) > tight.grad_w1)
    # and a gradient without its factor 2 (off by half) is outside float32's bound (14% for
    # grad_w1 here, 2% for grad_w2)
    loose = agreement_bounds(x, y, w1, w2, 1.0, "float32")
    for got, want, bound in ((got32[1], exact[1], loose.grad_w1), (got32[2], exact[2],
                                                                   loose.grad_w2)):
        assert np.linalg.norm(got / 2 - want) > np.linalg.norm(bound)


def test_near_ties_are_counted():
    # w1 = 0 puts every h exactly at 0: every mask entry is a tie (within rounding of 0)
    x, y, w1, w2 = config_arrays(tl.Config(n=6, d_in=5, hidden=4, d_out=3))
    bound = step_bounds(x, y, np.zeros_like(w1), w2, 1.0, "float32")
    assert bound.ties == 6 * 4
    assert step_bounds(x, y, w1, w2, 1.0, "float32").ties == 0
