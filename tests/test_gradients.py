"""The hand-written gradients against finite differences and against autograd."""

import numpy as np
import pytest

import twolayer as tl
from twolayer.checking.compare import gradcheck, relative_difference


def central_differences(x, y, w1, w2, loss):
    """Every entry of dL/dw1 and dL/dw2 by central differences, float64."""
    scale = tl.loss_scale(loss, *y.shape)

    def loss_at(a, b):
        return tl.squared_error(np.maximum(x @ a, 0) @ b, y, scale)

    eps = 1e-6
    grads = []
    for w in (w1, w2):
        g = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            step = np.zeros_like(w)
            step[index] = eps
            args_plus = (w1 + step, w2) if w is w1 else (w1, w2 + step)
            args_minus = (w1 - step, w2) if w is w1 else (w1, w2 - step)
            g[index] = (loss_at(*args_plus) - loss_at(*args_minus)) / (2 * eps)
        grads.append(g)
    return grads


def norm_rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_manual_gradients_match_finite_differences_everywhere(small_arrays, loss):
    x, y, w1, w2 = small_arrays
    # Non-trivial weights: a few steps away from the random start, all ReLUs kept distinct.
    run = tl.train_numpy(x, y, w1, w2, 1e-2, 5, loss=loss)
    _, grad_w1, grad_w2 = tl.numpy_gradients(x, y, run.w1, run.w2, loss=loss)
    numeric_w1, numeric_w2 = central_differences(x, y, run.w1, run.w2, loss)
    assert np.abs(grad_w1).max() > 0 and np.abs(grad_w2).max() > 0
    assert norm_rel(grad_w1, numeric_w1) < 1e-6
    assert norm_rel(grad_w2, numeric_w2) < 1e-6


@pytest.mark.parametrize("at_iteration", [0, 50, 300])
def test_gradcheck_at_default_size_is_tight(at_iteration):
    result = gradcheck(tl.Config(), samples=20, at_iteration=at_iteration)
    assert result["entries_checked"] == 40
    assert result["rel_err_manual_vs_numeric"] < 1e-6
    # Late in training y_pred - y cancels most digits (the loss is ~1e-3 of |y|**2),
    # so the two methods' different rounding shows up to ~1e-10 there.
    assert result["rel_err_manual_vs_autograd"] < (1e-13 if at_iteration == 0 else 1e-9)


def test_gradcheck_catches_a_wrong_gradient(small_arrays, monkeypatch):
    # Drop the ReLU mask from the manual pass: the finite differences must notice.
    import twolayer.manual as manual

    real = manual.backprop

    def unmasked(x, y, w1, w2, scale):
        loss, _, grad_w2 = real(x, y, w1, w2, scale)
        grad_y_pred = 2.0 * scale * (np.maximum(x @ w1, 0) @ w2 - y)
        return loss, x.T @ (grad_y_pred @ w2.T), grad_w2

    monkeypatch.setattr(manual, "backprop", unmasked)
    result = gradcheck(tl.Config(n=8, d_in=20, hidden=10, d_out=3))
    assert result["rel_err_manual_vs_numeric"] > 1e-2


@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_numpy_and_torch_gradients_agree(default_arrays, loss):
    loss_np, g1_np, g2_np = tl.numpy_gradients(*default_arrays, loss=loss)
    loss_t, g1_t, g2_t = tl.torch_gradients(*default_arrays, loss=loss)
    assert loss_np == pytest.approx(loss_t, rel=1e-13)
    assert norm_rel(g1_np, g1_t) < 1e-13
    assert norm_rel(g2_np, g2_t) < 1e-13
    assert isinstance(g1_t, np.ndarray) and g1_t.shape == (1000, 100)


def test_training_agrees_float64_for_500_iterations(default_arrays):
    run_np = tl.train_numpy(*default_arrays, 1e-6, 500)
    run_t = tl.train_torch(*default_arrays, 1e-6, 500)
    assert len(run_np.losses) == len(run_t.losses) == 500
    assert relative_difference(run_np.losses, run_t.losses).max() < 1e-9
    assert np.abs(run_np.w1 - run_t.w1).max() < 1e-12
    assert np.abs(run_np.w2 - run_t.w2).max() < 1e-12
    # and it did learn: the loss falls by over ten orders of magnitude
    assert run_np.losses[-1] < 1e-10 * run_np.losses[0]


def test_float32_training_tracks_the_float64_run(default_arrays):
    # Each float32 step is checked against its derived rounding bound in test_rounding.py;
    # this checks the whole run against the float64 run, with a stated margin. Rounding
    # alone keeps the first 100 losses within ~1e-6 of float64's, but where an h lies
    # within float32's rounding of 0 the ReLU mask can flip (seed 0, t = 4, on SSE
    # kernels): a column of w1 then moves by ~4e-3 and the loss by up to 1.5e-4 by
    # t = 100. 1e-2 is 65 times that; a wrong float32 step is off by O(1).
    run_64 = tl.train_numpy(*default_arrays, 1e-6, 500)
    for train in (tl.train_numpy, tl.train_torch):
        run_32 = train(*default_arrays, 1e-6, 500, dtype="float32")
        assert run_32.w1.dtype == np.float32 and run_32.diverged_at is None
        assert relative_difference(run_32.losses[:100], run_64.losses[:100]).max() < 1e-2
        # and it learns down to float32's floor: the float64 run falls by 6e11, float32's
        # by 1.6e11 here; 1e9 leaves a factor 160 for the floor's rounding luck.
        assert run_32.final_loss < 1e-9 * run_32.losses[0]


def test_sum_and_mean_share_the_loss_definition(default_arrays):
    x, y, w1, w2 = default_arrays
    loss_sum, g1_sum, _ = tl.numpy_gradients(x, y, w1, w2, loss="sum")
    loss_mean, g1_mean, _ = tl.numpy_gradients(x, y, w1, w2, loss="mean")
    assert loss_mean == pytest.approx(loss_sum / y.size, rel=1e-14)
    assert norm_rel(g1_mean, g1_sum / y.size) < 1e-13
