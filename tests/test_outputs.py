"""The graph, the figures, the downloads and the URL parsing the app builds on."""

import io
import json

import numpy as np
import pytest

import twolayer as tl
from twolayer.checking.compare import loss_differences
from twolayer.config import config_from_strings
from twolayer.graph.drawing import forward_graph, graph_dot
from twolayer.methods import train
from twolayer.outputs.export import config_json, losses_csv, weights_npz


def test_graph_has_every_node_with_its_shape():
    nodes, edges = forward_graph(tl.Config(n=8, d_in=5, hidden=4, d_out=3))
    shapes = {node.name: node.shape for node in nodes}
    assert shapes == {
        "x": (8, 5), "w1": (5, 4), "matmul 1": (8, 4), "h": (8, 4), "relu": (8, 4),
        "h_relu": (8, 4), "w2": (4, 3), "matmul 2": (8, 3), "y_pred": (8, 3), "y": (8, 3),
        "subtract": (8, 3), "square": (8, 3), "sum": (), "loss": (),
    }
    names = set(shapes)
    assert all(e.src in names and e.dst in names for e in edges)


def test_graph_edges_carry_the_backward_lines():
    _, edges = forward_graph(tl.Config())
    grads = {(e.src, e.dst): (e.grad, e.formula) for e in edges}
    assert grads[("w1", "matmul 1")] == ("grad_w1", "x.T @ grad_h")
    assert grads[("h", "relu")] == ("grad_h", "grad_h_relu * (h > 0)")
    assert grads[("h_relu", "matmul 2")] == ("grad_h_relu", "grad_y_pred @ w2.T")
    assert grads[("w2", "matmul 2")] == ("grad_w2", "h_relu.T @ grad_y_pred")
    assert grads[("y_pred", "subtract")] == ("grad_y_pred", "2.0 * (y_pred - y)")
    assert grads[("x", "matmul 1")] == ("", "")  # data: no gradient


def test_graph_dot_is_valid_and_sized():
    dot = graph_dot(tl.Config(hidden=50, loss="mean"))
    assert dot.startswith("digraph twolayer {") and dot.rstrip().endswith("}")
    assert 'label="w1\\n1000×50"' in dot
    assert '"mean" -> "loss"' in dot and "1/(N·D_out)" in dot
    assert dot.count("->") == 13


def _runs(**changes):
    config = tl.Config(iterations=20, **changes)
    return train("numpy", config), train("torch", config)


def test_losses_csv_round_trips():
    run_numpy, run_torch = _runs()
    text = losses_csv(run_numpy, run_torch)
    lines = text.splitlines()
    assert lines[0] == "t,loss_numpy,loss_torch" and len(lines) == 21
    table = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    np.testing.assert_array_equal(table[:, 1], run_numpy.losses)
    np.testing.assert_array_equal(table[:, 2], run_torch.losses)


def test_losses_csv_leaves_stopped_runs_empty():
    diverged = train("numpy", tl.Config(n=1024, iterations=20))
    fine = train("numpy", tl.Config(n=1024, iterations=20, loss="mean"))
    lines = losses_csv(diverged, fine).splitlines()
    assert len(lines) == 21
    assert lines[diverged.diverged_at + 1].split(",")[1] == "inf"
    assert lines[-1].split(",")[1] == ""


def test_config_json_and_weights_npz():
    config = tl.Config(seed=4)
    assert json.loads(config_json(config)) == config.as_dict()
    run_numpy, run_torch = _runs()
    with np.load(io.BytesIO(weights_npz(run_numpy, run_torch))) as saved:
        assert sorted(saved.files) == ["w1_numpy", "w1_torch", "w2_numpy", "w2_torch"]
        np.testing.assert_array_equal(saved["w1_torch"], run_torch.w1)


def test_figures_plot_exactly_the_losses():
    from twolayer.outputs import figures

    run_numpy, run_torch = _runs()
    fig = figures.loss_curve(run_numpy, figures.log_range(run_numpy, run_torch))
    np.testing.assert_array_equal(fig.data[0].y, run_numpy.losses)
    assert fig.layout.yaxis.type == "log"
    both = figures.overlay(run_numpy, run_torch)
    assert [t.name for t in both.data] == ["manual backprop (numpy)", "autograd (torch)"]
    diff = figures.difference(run_numpy, run_torch)
    expected, relative = loss_differences(run_numpy, run_torch)
    floor = figures.floor_of(expected, relative)  # exact zeros are drawn there
    np.testing.assert_array_equal(diff.data[0].y, np.where(expected == 0, floor, expected))


def test_figures_leave_out_the_diverged_loss():
    from twolayer.outputs import figures

    run = train("numpy", tl.Config(n=1024))
    fig = figures.loss_curve(run)
    assert len(fig.data[0].y) == run.diverged_at and np.isfinite(fig.data[0].y).all()
    assert f"diverged at t={run.diverged_at}" in fig.layout.title.text


def test_config_from_strings_reads_a_share_link():
    config, warnings = config_from_strings({"seed": "7", "hidden": "50",
                                            "learning_rate": "1e-4", "loss": "mean"})
    assert warnings == []
    assert config == tl.Config(seed=7, hidden=50, learning_rate=1e-4, loss="mean")


@pytest.mark.parametrize("field, raw, fragment", [
    ("seed", "x", "seed must be an integer, got 'x'; using the default seed=0"),
    ("n", "0", "n must be an integer from 1 to 100,000, got 0; using the default n=64"),
    ("hidden", "1.5", "hidden must be an integer, got '1.5'"),
    ("learning_rate", "fast", "learning_rate must be a number, got 'fast'"),
    ("learning_rate", "-1", "learning_rate must be a positive finite number, got -1.0"),
    ("iterations", "1e9", "iterations must be an integer, got '1e9'"),
    ("dtype", "float16", "dtype must be one of 'float64', 'float32', got 'float16'"),
    ("loss", "", "loss must be one of 'sum', 'mean', got ''"),
])
def test_config_from_strings_falls_back_per_field(field, raw, fragment):
    config, warnings = config_from_strings({field: raw, "seed" if field != "seed" else "n": "5"})
    assert len(warnings) == 1 and fragment in warnings[0]
    assert getattr(config, field) == getattr(tl.Config(), field)
    assert config.seed == 5 or field == "seed"


def test_config_from_strings_refuses_oversized_combinations():
    config, warnings = config_from_strings({"n": "100000", "d_in": "100000", "seed": "2"})
    assert (config.n, config.d_in, config.seed) == (64, 1000, 2)
    assert "would need 150 GiB" in warnings[0] and "using the default sizes" in warnings[0]


def test_download_names_tell_runs_apart():
    from twolayer.lockstep import Options
    from twolayer.outputs.export import run_tag

    base = tl.Config()
    assert run_tag(base) == "seed0_n64_din1000_h100_dout10_lr1e-06_it500_float64_sum"
    changes = [{"learning_rate": 2e-6}, {"dtype": "float32"}, {"loss": "mean"},
               {"iterations": 100}, {"d_in": 500}, {"d_out": 5}]
    tags = {run_tag(base.replace(**change)) for change in changes} | {run_tag(base)}
    assert len(tags) == len(changes) + 1
    assert run_tag(base, Options(bug="factor_2_missing")).endswith(
        "_float64-float64_relu_factor_2_missing")


def test_records_csv_round_trips_a_lockstep_run():
    from twolayer.lockstep import RECORDS, lockstep
    from twolayer.outputs.export import records_csv

    result = lockstep(tl.Config(iterations=5))
    lines = records_csv(result).splitlines()
    assert lines[0] == "t," + ",".join(RECORDS) and len(lines) == 6
    table = np.loadtxt(io.StringIO(records_csv(result)), delimiter=",", skiprows=1)
    np.testing.assert_array_equal(table[:, 1], result.records["loss_numpy"])


def test_exact_zeros_sit_on_a_floor_not_in_gaps():
    from twolayer.lockstep import Options, lockstep
    from twolayer.outputs import figures

    result = lockstep(tl.Config(iterations=60), Options("float32", "float32"))
    fig = figures.lockstep_drift(result)
    values = result.records["abs_loss_diff"][:60]
    assert (values == 0).any()  # float32 rounds both losses to the same number at times
    shown = np.asarray(fig.data[0].y, dtype=float)
    floor = figures.floor_of(*(result.records[n][:60] for n in figures.DRIFT))
    assert np.all(shown[values == 0] == floor) and np.isfinite(shown).all()
    assert fig.data[-1].name == "0: exact agreement"


def test_sweep_axis_covers_the_rates_not_one():
    from twolayer.lockstep import learning_rate_sweep
    from twolayer.outputs import figures

    sweep = learning_rate_sweep(tl.Config(iterations=30), np.array([1e-7, 1e-6, 1e-4]))
    fig = figures.learning_rate_sweep(sweep, 1e-6)
    xs = np.concatenate([np.asarray(t.x, dtype=float) for t in fig.data])
    assert xs.max() <= 1e-4 and not fig.layout.annotations and not fig.layout.shapes
