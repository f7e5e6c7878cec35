"""python -m twolayer: output formats and exit codes."""

import json
import subprocess
import sys

import numpy as np
import pytest

import twolayer as tl
from twolayer.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_prints_t_and_loss_like_the_assignment(capsys, default_arrays):
    code, out, err = run_cli(capsys, "train", "--method", "numpy")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert len(lines) == 500
    expected = tl.train_numpy(*default_arrays, 1e-6, 500).losses
    for t, line in enumerate(lines):
        index, loss = line.split(" ")
        assert int(index) == t
        assert float(loss) == expected[t]  # repr round-trips exactly
    assert lines[0] == f"0 {float(expected[0])!r}"


def test_train_json_torch(capsys):
    code, out, _ = run_cli(capsys, "train", "--method", "torch", "--iterations", "5",
                           "--seed", "3", "--json")
    result = json.loads(out)
    assert code == 0
    assert result["method"] == "torch" and result["diverged_at"] is None
    assert result["config"]["seed"] == 3 and result["config"]["iterations"] == 5
    assert len(result["losses"]) == 5 and result["final_loss"] == result["losses"][-1]
    assert result["ms_per_iter"] > 0


def test_train_divergence_exits_1_with_advice(capsys):
    code, out, err = run_cli(capsys, "train", "--n", "1024", "--json")
    result = json.loads(out)
    assert code == 1
    assert result["diverged_at"] == len(result["losses"]) - 1
    assert result["losses"][-1] is None  # inf is written as null: JSON has no inf
    lines = err.strip().splitlines()
    t = result["diverged_at"]
    assert lines[0] == f"twolayer: numpy diverged at iteration {t} (loss inf/NaN)."
    # the advice names a rate that trains, and the mean loss's matching rate (N·D_out = 10,240)
    assert "η = 1e-07 trains (checked over the first 100 iterations)" in lines[1]
    assert "the matching step is η·N·D_out = 0.001024" in lines[1]


def test_compare_json_has_the_promised_keys_and_agrees(capsys):
    code, out, _ = run_cli(capsys, "compare", "--json")
    result = json.loads(out)
    assert code == 0
    for key in ("max_abs_loss_diff", "max_rel_loss_diff", "max_abs_w1_diff",
                "max_abs_w2_diff", "final_loss_numpy", "final_loss_torch",
                "ms_per_iter_numpy", "ms_per_iter_torch"):
        assert isinstance(result[key], float), key
    assert result["max_rel_loss_diff"] < 1e-9
    assert result["max_abs_w1_diff"] < 1e-12
    assert result["final_loss_numpy"] == pytest.approx(result["final_loss_torch"], rel=1e-9)


def test_compare_text_lists_each_figure(capsys):
    code, out, _ = run_cli(capsys, "compare", "--iterations", "10")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("max |loss difference|, absolute")
    assert [line.split() for line in lines[-2:]] == [["diverged", "at,", "numpy", "never"],
                                                     ["diverged", "at,", "torch", "never"]]
    assert "None" not in out


def test_compare_text_says_why_a_diverged_run_has_no_weights_or_speed(capsys):
    code, out, _ = run_cli(capsys, "compare", "--n", "1024")
    assert code == 1 and "None" not in out
    rows = {line[:36].strip(): line[36:].strip() for line in out.splitlines()}
    assert rows["max |w1 difference|, final weights"] == \
        "— (a run diverged: its weights are inf/NaN)"
    assert rows["ms/iteration, numpy"] == "— (diverged)"
    assert rows["diverged at, torch"] == "iteration 6"


def test_gradcheck_text_echoes_the_check_and_says_pass_or_fail(capsys):
    code, out, _ = run_cli(capsys, "gradcheck", "--at-iteration", "100", "--samples", "5")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == ("gradient check after 100 iterations: float64, 10 sampled entries of "
                        "w1 and w2, finite-difference step 1e-05")
    assert [line.split()[0:3] for line in lines[1:]] == [
        ["manual", "vs", "autograd"], ["manual", "vs", "finite"], ["autograd", "vs", "finite"]]
    assert all(line.endswith("PASS") and " vs tolerance " in line for line in lines[1:])


def test_gradcheck_says_float32_guarantees_no_digit_late_in_training(capsys):
    code, out, _ = run_cli(capsys, "gradcheck", "--dtype", "float32", "--at-iteration", "100")
    assert code == 0
    assert all("NO DIGIT GUARANTEED" in line for line in out.splitlines()[1:])


def test_gradcheck_json(capsys):
    code, out, _ = run_cli(capsys, "gradcheck", "--json", "--samples", "5",
                           "--at-iteration", "10")
    result = json.loads(out)
    assert code == 0 and result["entries_checked"] == 10 and result["at_iteration"] == 10
    assert result["rel_err_manual_vs_numeric"] < 1e-6
    assert result["rel_err_manual_vs_autograd"] < 1e-12


def test_bench_json_reports_ratios(capsys):
    code, out, _ = run_cli(capsys, "bench", "--json", "--iterations", "5", "--repeats", "1")
    result = json.loads(out)
    assert code == 0
    assert set(result["ms_per_iter"]) == {"numpy", "numpy_floor", "torch", "torch_floor"}
    ms = result["ms_per_iter"]
    assert result["ratio_numpy"] == pytest.approx(ms["numpy"] / ms["numpy_floor"])
    assert result["ratio_torch"] == pytest.approx(ms["torch"] / ms["torch_floor"])


def test_bench_text(capsys):
    code, out, _ = run_cli(capsys, "bench", "--iterations", "5", "--repeats", "1")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("N=64 D_in=1000 H=100 D_out=10")
    assert lines[2].startswith("numpy manual backprop") and lines[2].endswith("x")
    assert lines[3].startswith("torch autograd")


@pytest.mark.parametrize("argv, message", [
    ([], "the following arguments are required: command"),
    (["fly"], "argument command: invalid choice: 'fly'"),
    (["train", "--n", "abc"], "argument --n: invalid int value: 'abc'"),
    (["train", "--n", "0"], "n must be an integer from 1 to 100,000, got 0"),
    (["train", "--learning-rate", "-1"], "learning_rate must be a positive finite number"),
    (["train", "--learning-rate", "nan"], "learning_rate must be a positive finite number"),
    (["train", "--iterations", "0"], "iterations must be an integer from 1"),
    (["train", "--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
    (["train", "--loss", "l1"], "argument --loss: invalid choice: 'l1'"),
    (["train", "--method", "jax"], "argument --method: invalid choice: 'jax'"),
    (["train", "--device", "cuda"], "--device cuda applies to --method torch"),
    (["compare", "--n", "100000", "--d-in", "100000"], "would need 150 GiB, over the memory"),
    (["compare", "--memory-budget-mb", "1"], "over the memory budget of 1 MiB"),
    (["compare", "--memory-budget-mb", "nan"], "--memory-budget-mb must be a positive number"),
    (["compare", "--memory-budget-mb", "-3"], "--memory-budget-mb must be a positive number"),
    (["gradcheck", "--samples", "0"], "samples must be an integer from 1"),
    (["gradcheck", "--at-iteration", "600"], "at_iteration must be an integer from 0 to 500"),
    (["bench", "--repeats", "0"], "repeats must be an integer from 1 to 100"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("twolayer: error: ") and message in err


def test_module_entry_point_in_a_real_process():
    ok = subprocess.run([sys.executable, "-m", "twolayer", "train", "--iterations", "2"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.splitlines()[0].startswith("0 ")
    bad = subprocess.run([sys.executable, "-m", "twolayer", "train", "--hidden", "-4"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr == "twolayer: error: hidden must be an integer from 1 to 100,000, got -4\n"


def test_cuda_request_without_gpu_exits_2():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: cuda is valid here")
    bad = subprocess.run([sys.executable, "-m", "twolayer", "train", "--method", "torch",
                          "--device", "cuda"], capture_output=True, text=True)
    assert bad.returncode == 2 and "needs a CUDA GPU" in bad.stderr
    assert len(bad.stderr.splitlines()) == 1


def test_train_float32_output(capsys, default_arrays):
    code, out, _ = run_cli(capsys, "train", "--dtype", "float32", "--iterations", "3")
    losses = [float(line.split()[1]) for line in out.splitlines()]
    expected = tl.train_numpy(*default_arrays, 1e-6, 3, dtype="float32").losses
    assert code == 0 and np.array_equal(losses, expected)
