"""Training: the assignment's own loop, determinism, divergence, inputs left alone."""

import hashlib
import subprocess
import sys

import numpy as np
import pytest

import twolayer as tl
from twolayer.autograd import start_torch
from twolayer.manual import start_numpy


def assignment_method_1(x, y, w1, w2, learning_rate, iterations):
    """The assignment's method-1 cell, as written there, collecting what it prints."""
    w1, w2 = w1.copy(), w2.copy()
    printed = []
    for _t in range(iterations):
        h = x.dot(w1)
        h_relu = np.maximum(h, 0)
        y_pred = h_relu.dot(w2)
        y_loss = ((y_pred - y) ** 2).sum()
        printed.append(y_loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_w1 = x.T @ ((grad_y_pred @ w2.T) * (h > 0))
        w1 -= grad_w1 * learning_rate
        w2 -= grad_w2 * learning_rate
    return np.array(printed), w1, w2


def test_train_numpy_prints_what_the_assignment_prints(default_arrays):
    expected, w1, w2 = assignment_method_1(*default_arrays, 1e-6, 500)
    run = tl.train_numpy(*default_arrays, 1e-6, 500)
    np.testing.assert_allclose(run.losses, expected, rtol=1e-13, atol=0)
    np.testing.assert_allclose(run.w1, w1, rtol=0, atol=1e-14)
    np.testing.assert_allclose(run.w2, w2, rtol=0, atol=1e-14)
    assert run.diverged_at is None and run.method == "numpy"


def test_losses_start_at_the_initial_weights(default_arrays):
    loss0, _, _ = tl.numpy_gradients(*default_arrays)
    run = tl.train_torch(*default_arrays, 1e-6, 1)
    assert run.losses.tolist() == [pytest.approx(loss0, rel=1e-14)]


def _digest(seed):
    x, y = tl.make_dataset(seed, 64, 1000, 10)
    w1, w2 = tl.init_weights(seed, 1000, 100, 10)
    return hashlib.sha256(b"".join(a.tobytes() for a in (x, y, w1, w2))).hexdigest()


def test_same_seed_same_bytes_in_another_process():
    code = ("import hashlib, twolayer as tl\n"
            "x, y = tl.make_dataset(7, 64, 1000, 10)\n"
            "w1, w2 = tl.init_weights(7, 1000, 100, 10)\n"
            "print(hashlib.sha256(b''.join(a.tobytes() for a in (x, y, w1, w2))).hexdigest())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == _digest(7) == _digest(7)
    assert _digest(8) != _digest(7)


def test_data_and_weights_are_standard_normal_float64_and_independent():
    x, y = tl.make_dataset(0, 64, 1000, 10)
    w1, w2 = tl.init_weights(0, 1000, 100, 10)
    assert x.shape == (64, 1000) and y.shape == (64, 10) and x.dtype == np.float64
    assert w1.shape == (1000, 100) and w2.shape == (100, 10) and w1.dtype == np.float64
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1) < 0.02
    assert abs(w1.mean()) < 0.02 and abs(w1.std() - 1) < 0.02
    # Data and weights come from different streams of the seed: not the same draws.
    assert not np.array_equal(x.ravel()[:100], w1.ravel()[:100])
    x_again, _ = tl.make_dataset(0, 64, 1000, 10)
    np.testing.assert_array_equal(x, x_again)


@pytest.mark.parametrize("train", [tl.train_numpy, tl.train_torch])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_inputs_are_not_mutated(default_arrays, train, dtype):
    copies = [a.copy() for a in default_arrays]
    run = train(*default_arrays, 1e-6, 20, dtype=dtype)
    for before, after in zip(copies, default_arrays, strict=True):
        np.testing.assert_array_equal(before, after)
    assert not np.shares_memory(run.w1, default_arrays[2])


@pytest.mark.parametrize("train", [tl.train_numpy, tl.train_torch])
def test_divergence_stops_and_is_reported(train):
    # The assignment's learning rate with N=1024: the summed loss grows with N and blows up.
    x, y = tl.make_dataset(0, 1024, 1000, 10)
    w1, w2 = tl.init_weights(0, 1000, 100, 10)
    run = train(x, y, w1, w2, 1e-6, 500)
    assert run.diverged_at is not None and run.diverged_at < 10
    assert len(run.losses) == run.diverged_at + 1
    assert not np.isfinite(run.losses[-1])
    assert np.isfinite(run.finite_losses).all() and len(run.finite_losses) == run.diverged_at
    assert run.losses[run.diverged_at - 1] > run.losses[0]


def test_both_methods_diverge_at_the_same_iteration():
    x, y = tl.make_dataset(0, 1024, 1000, 10)
    w1, w2 = tl.init_weights(0, 1000, 100, 10)
    runs = [t(x, y, w1, w2, 1e-6, 500) for t in (tl.train_numpy, tl.train_torch)]
    assert runs[0].diverged_at == runs[1].diverged_at


def test_mean_loss_survives_where_sum_diverges():
    x, y = tl.make_dataset(0, 1024, 1000, 10)
    w1, w2 = tl.init_weights(0, 1000, 100, 10)
    run = tl.train_numpy(x, y, w1, w2, 1e-6, 50, loss="mean")
    assert run.diverged_at is None and run.losses[-1] < run.losses[0]


def test_run_times_all_but_the_warm_up_iteration(default_arrays):
    run = tl.train_numpy(*default_arrays, 1e-6, 10)
    assert run.iterations_run == 10 and run.timed_iterations == 9 and run.seconds > 0
    assert run.ms_per_iter == pytest.approx(1000 * run.seconds / 9)
    assert run.final_loss == run.losses[-1]
    assert dict(run.records) == {}
    # one iteration is all warm-up, and a diverged run's few iterations are no speed
    assert tl.train_numpy(*default_arrays, 1e-6, 1).ms_per_iter is None
    x, y = tl.make_dataset(0, 1024, 1000, 10)
    assert tl.train_numpy(x, y, *default_arrays[2:], 1e-6, 50).ms_per_iter is None


@pytest.mark.parametrize("start", [start_numpy, start_torch])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_chunks_give_the_one_loop_result_bit_for_bit(default_arrays, start, dtype):
    whole = start(*default_arrays, 1e-6, 100, dtype=dtype).finish()
    training = start(*default_arrays, 1e-6, 100, dtype=dtype)
    done = [training.advance(k) for k in (1, 3, 40, 7, 1000)]
    assert done == [1, 3, 40, 7, 49] and training.done and training.advance(5) == 0
    chunked = training.result()
    np.testing.assert_array_equal(chunked.losses, whole.losses)
    np.testing.assert_array_equal(chunked.w1, whole.w1)
    np.testing.assert_array_equal(chunked.w2, whole.w2)


def test_a_chunked_run_stops_at_the_divergence():
    x, y = tl.make_dataset(0, 1024, 1000, 10)
    w1, w2 = tl.init_weights(0, 1000, 100, 10)
    training = start_numpy(x, y, w1, w2, 1e-6, 500)
    while not training.done:
        training.advance(2)
    run = training.result()
    assert training.t == run.diverged_at + 1 < 10 and not np.isfinite(run.losses[-1])
