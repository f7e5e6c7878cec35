"""The lock-step explorer: agreement, drift, ReLU at zero, sum vs mean, injected bugs."""

import json
import math

import numpy as np
import pytest

import twolayer as tl
from twolayer.checking.advice import mean_learning_rate
from twolayer.cli import main
from twolayer.data import arrays as config_arrays
from twolayer.lockstep import (
    RECORDS,
    Options,
    learning_rate_sweep,
    lockstep,
    lockstep_gradcheck,
    relu_zero_demo,
    sum_vs_mean,
)
from twolayer.variants import BUGS, RELU_CONVENTIONS, resolve

SHORT = tl.Config(iterations=60)


def test_float64_lockstep_agrees_to_rounding():
    result = lockstep(tl.Config())
    assert result.iterations_run == 500 and result.error is None and result.diverged_at is None
    top = result.maxima()
    assert top["rel_loss_diff"] < 1e-9
    assert top["max_abs_w1_diff"] < 1e-12 and top["max_abs_w2_diff"] < 1e-12
    assert top["max_abs_grad_w1_diff"] < 1e-6 and top["max_abs_grad_w2_diff"] < 1e-6
    # The recorded losses are the methods' own training runs.
    x, y, w1, w2 = (*tl.make_dataset(0, 64, 1000, 10), *tl.init_weights(0, 1000, 100, 10))
    np.testing.assert_array_equal(result.records["loss_numpy"],
                                  tl.train_numpy(x, y, w1, w2, 1e-6, 500).losses)


def test_float32_drift_is_visible():
    same = lockstep(SHORT)
    mixed = lockstep(SHORT, Options(dtype_torch="float32"))
    # Autograd in float32 rounds w1 on the way in: at t = 0 the methods differ by exactly
    # the cast, max |w1 - fl32(w1)| (~1e-7), where two float64 runs start identical.
    _, _, w1, _ = config_arrays(SHORT)
    cast = np.max(np.abs(w1 - w1.astype(np.float32)))
    assert mixed.records["max_abs_w1_diff"][0] == cast > 0
    assert same.records["max_abs_w1_diff"][0] == 0
    # float32's unit roundoff is 2**29 (5e8) times float64's; a factor 1e3 between the
    # loss gaps leaves five orders of magnitude for the luck of rounding.
    assert mixed.maxima()["rel_loss_diff"] > 1e3 * same.maxima()["rel_loss_diff"]


def test_options_are_validated():
    with pytest.raises(ValueError, match="dtype_torch must be one of 'float64', 'float32'"):
        lockstep(SHORT, Options(dtype_torch="half"))
    with pytest.raises(ValueError, match="bug must be one of 'none'"):
        lockstep(SHORT, Options(bug="typo"))
    with pytest.raises(ValueError, match="relu must be one of 'relu', 'clamp', 'maximum'"):
        lockstep(SHORT, Options(relu="gelu"))
    with pytest.raises(ValueError, match="at_iteration must be an integer from 0 to 59"):
        lockstep_gradcheck(SHORT, Options(), at_iteration=60)


@pytest.mark.parametrize("at_iteration", [3, 400, 499])
def test_correct_code_passes_the_three_way_check(at_iteration):
    # Late in training too: the probe step keeps the gradient's digits, and the finite
    # differences step around ReLU kinks (at iteration 400 a plain 1e-5 step is 3e-2 off).
    check = lockstep_gradcheck(tl.Config(), Options(), at_iteration=at_iteration)
    for name in ("w1", "w2"):
        assert check[f"rel_err_manual_vs_autograd_{name}"] < 1e-8
        assert check[f"rel_err_manual_vs_numeric_{name}"] < 1e-6
        assert check[f"rel_err_autograd_vs_numeric_{name}"] < 1e-6
    assert check["entries_checked"] == 40


BUG_SIDES = {name: variant.side for name, variant in BUGS.items() if name != "none"}


@pytest.mark.parametrize("bug", [b for b in BUG_SIDES if b != "transpose_wrong_side"])
def test_finite_differences_catch_every_injected_bug(bug):
    check = lockstep_gradcheck(tl.Config(), Options(bug=bug), at_iteration=2)
    wrong = "manual" if BUG_SIDES[bug] == "manual" else "autograd"
    right = "autograd" if wrong == "manual" else "manual"
    worst = max(check[f"rel_err_{wrong}_vs_numeric_{n}"] for n in ("w1", "w2"))
    assert worst > 1e-2, bug
    for name in ("w1", "w2"):  # the other method stays right
        assert check[f"rel_err_{right}_vs_numeric_{name}"] < 1e-6


def test_transpose_bug_is_a_readable_shape_error():
    result = lockstep(SHORT, Options(bug="transpose_wrong_side"))
    assert result.iterations_run == 0
    assert result.error.startswith("Shape error in `grad_h_relu = w2.T @ grad_y_pred`: ")
    assert "w2.T is (10, 100) and grad_y_pred is (64, 10)" in result.error
    assert "Traceback" not in result.error
    check = lockstep_gradcheck(SHORT, Options(bug="transpose_wrong_side"))
    assert check["error"] == result.error


@pytest.mark.slow  # long runs
@pytest.mark.parametrize("bug, effect", [
    ("update_sign_flipped", "diverges"), ("grads_not_zeroed", "diverges"),
    ("factor_2_missing", "slower"), ("relu_mask_dropped", "differs"),
])
def test_bugs_show_in_the_lockstep_records(bug, effect):
    result = lockstep(tl.Config(), Options(bug=bug))
    clean = lockstep(tl.Config())
    if effect == "diverges":
        assert result.diverged_at is not None
    elif effect == "slower":
        assert result.records["loss_numpy"][-1] > 100 * clean.records["loss_numpy"][-1]
    assert result.maxima()["rel_loss_diff"] > 1e-3


def test_injected_lines_are_marked_in_the_listing():
    _, listings = resolve("relu_mask_dropped")
    backprop = listings["backprop"]
    (index,) = backprop.changed
    assert "grad_h = grad_h_relu  # BUG: the ReLU mask is dropped" in \
        backprop.source.splitlines()[index]
    _, clean = resolve("none")
    assert all(not listing.changed for listing in clean.values())
    assert "grad_h = grad_h_relu * (h > 0)" in clean["backprop"].source


def test_pytorch_splits_maximum_ties_evenly():
    import torch

    h = torch.zeros(3, requires_grad=True)
    torch.maximum(h, torch.zeros_like(h)).sum().backward()
    assert h.grad.tolist() == [0.5, 0.5, 0.5]


@pytest.mark.parametrize("relu", list(RELU_CONVENTIONS))
def test_each_relu_convention_matches_its_torch_op_from_w1_zero(relu):
    result = lockstep(SHORT, Options(relu=relu, zero_w1=True))
    assert result.maxima()["rel_loss_diff"] < 1e-12
    assert result.maxima()["max_abs_grad_w1_diff"] < 1e-9


def test_relu_at_zero_decides_whether_w1_moves():
    demo = relu_zero_demo(tl.Config())
    assert demo["relu"]["max_abs_w1"] == 0.0 and demo["relu"]["max_abs_w1_torch"] == 0.0
    assert demo["relu"]["final_loss"] == demo["relu"]["first_loss"]  # stuck
    for trains in ("clamp", "maximum"):
        assert demo[trains]["max_abs_w1"] > 0 and demo[trains]["max_abs_w1_torch"] > 0
        assert demo[trains]["final_loss"] < 0.1 * demo[trains]["first_loss"]


def test_sum_and_mean_coincide_after_scaling():
    config = tl.Config()
    run_sum, run_mean = sum_vs_mean(config)
    assert mean_learning_rate(config) == pytest.approx(1e-6 * 640)
    scaled = run_mean.losses * config.n * config.d_out
    assert np.max(np.abs(scaled - run_sum.losses) / run_sum.losses) < 1e-9
    np.testing.assert_allclose(run_mean.w1, run_sum.w1, rtol=0, atol=1e-10)


def test_learning_rate_sweep_marks_divergence():
    sweep = learning_rate_sweep(tl.Config(), np.array([1e-7, 1e-6, 1e-5]))
    assert sweep["diverged_at"][:2] == [None, None] and sweep["diverged_at"][2] is not None
    assert sweep["final_loss"][2] is None
    assert sweep["final_loss"][1] < sweep["final_loss"][0]
    # At N = 1024 the assignment's learning rate already diverges.
    big = learning_rate_sweep(tl.Config(n=1024, iterations=50), np.array([1e-6]))
    assert big["diverged_at"][0] is not None


def test_lockstep_cli_json(capsys):
    code = main(["lockstep", "--json", "--iterations", "20", "--dtype-torch", "float32"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["options"] == {"dtype_numpy": "float64", "dtype_torch": "float32",
                                 "bug": "none", "relu": "relu", "zero_w1": False}
    assert set(result["per_iteration"]) == set(RECORDS)
    assert all(len(v) == 20 for v in result["per_iteration"].values())
    for name, overall in result["max"].items():
        assert overall == max(result["per_iteration"][name])
    assert result["max"]["max_abs_w1_diff"] > 1e-8  # at least float32's cast of w1, ~1e-7


def test_lockstep_cli_text_and_errors(capsys):
    assert main(["lockstep", "--iterations", "10", "--every", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("t abs_loss_diff rel_loss_diff")
    assert [line.split()[0] for line in lines[1:]] == ["0", "5", "max"]
    assert main(["lockstep", "--bug", "transpose_wrong_side", "--iterations", "3"]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no header and no row of nothing before the error
    assert err.startswith("twolayer: Shape error in `grad_h_relu = w2.T @ grad_y_pred`")
    assert main(["lockstep", "--bug", "sideways"]) == 2
    assert "argument --bug: invalid choice" in capsys.readouterr().err


def test_gradient_check_past_a_divergence_is_not_a_number():
    check = lockstep_gradcheck(tl.Config(), Options(bug="update_sign_flipped"), at_iteration=20)
    assert math.isnan(check["rel_err_manual_vs_numeric_w1"])


def test_finite_difference_steps_stop_short_of_relu_kinks():
    from twolayer.checking.compare import kink_safe_steps

    x = np.array([[1.0, 2.0], [1.0, -1.0]])  # (N=2, D_in=2)
    far = np.array([[1.0], [0.0]])  # h[:, 0] = [1, 1]: kinks far away
    np.testing.assert_array_equal(kink_safe_steps(x, far, [0, 1], [0, 0], 1e-5), [1e-5, 1e-5])
    near = np.array([[1e-7], [0.0]])  # h[:, 0] = [1e-7, 1e-7]
    # w1[0, 0] moves h[:, 0] by [1, 1] per unit, w1[1, 0] by [2, -1]: half the way to 0
    np.testing.assert_allclose(kink_safe_steps(x, near, [0, 1], [0, 0], 1e-5), [5e-8, 2.5e-8])
    at_kink = np.array([[0.0], [0.0]])  # h = 0: the kink is at w1 itself, keep the step
    np.testing.assert_array_equal(kink_safe_steps(x, at_kink, [0], [0], 1e-5), [1e-5])


@pytest.mark.parametrize("bug", [b for b in BUG_SIDES if b != "transpose_wrong_side"])
def test_each_bug_shows_from_the_iteration_it_says(bug):
    # Before shows_from the buggy step is the correct one; at shows_from the check fails.
    first = BUGS[bug].shows_from
    for t in range(first):
        check = lockstep_gradcheck(SHORT, Options(bug=bug), at_iteration=t)
        assert all(check[k] == "pass" for k in check if k.startswith("verdict_")), (bug, t)
    check = lockstep_gradcheck(SHORT, Options(bug=bug), at_iteration=first)
    assert any(check[k] == "fail" for k in check if k.startswith("verdict_")), bug


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gradcheck_tolerances_pass_correct_code_and_fail_a_bug(dtype):
    both = {"dtype_numpy": dtype, "dtype_torch": dtype}
    clean = lockstep_gradcheck(tl.Config(), Options(**both), at_iteration=3)
    verdicts = [v for k, v in clean.items() if k.startswith("verdict_")]
    assert verdicts == ["pass"] * 6
    for key in (k for k in clean if k.startswith("tolerance_")):
        assert clean[key] < 0.5, key  # early in training even float32 keeps digits
    buggy = lockstep_gradcheck(tl.Config(), Options(bug="factor_2_missing", **both), 3)
    assert buggy["verdict_manual_vs_numeric_w2"] == "fail"
    assert buggy["verdict_autograd_vs_numeric_w2"] == "pass"


def test_late_float32_gradients_are_flagged_as_beyond_float32():
    # At t = 400, y_pred - y is ~1e-3 against products of ~1e3: float32's worst-case rounding
    # of y_pred exceeds the gradient, so no verdict is given, where 1e-3 used to fail it.
    check = lockstep_gradcheck(tl.Config(), Options(dtype_numpy="float32",
                                                    dtype_torch="float32"), at_iteration=400)
    assert {v for k, v in check.items() if k.startswith("verdict_")} == {"no digits"}


def test_peaks_give_the_largest_difference_and_its_iteration():
    result = lockstep(SHORT, Options(dtype_torch="float32"))
    for name, (value, t) in result.peaks().items():
        values = result.records[name][: result.iterations_run]
        assert value == np.nanmax(values) and values[t] == value, name
