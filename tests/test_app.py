"""Every page in Streamlit's AppTest: renders, charts the real runs, keeps one configuration."""

import subprocess
import sys

import numpy as np
import pytest
import streamlit as st
from apphelpers import PAGE_FILES, ROOT, chart, decode, open_page, trace_y

import twolayer as tl
from twolayer.compare import config_arrays
from twolayer.config import format_bytes

PAGES = list(PAGE_FILES)


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test trains for itself: no run is served from another test's cache."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def losses(config, method):
    x, y, w1, w2 = config_arrays(config)
    train = tl.train_numpy if method == "numpy" else tl.train_torch
    return train(x, y, w1, w2, config.learning_rate, config.iterations, config.loss,
                 config.dtype).losses


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_the_assignment_defaults(page):
    at = open_page(page)
    assert not at.exception
    assert at.session_state["config"] == tl.Config()
    assert len(at.warning) == 0 and len(at.error) == 0
    assert at.title[0].value
    # the sidebar shows the assignment's values
    assert at.sidebar.number_input(key="w_n").value == 64
    assert at.sidebar.number_input(key="w_d_in").value == 1000
    assert at.sidebar.text_input(key="w_learning_rate").value == "1e-06"
    # and the URL becomes a share link
    assert at.query_params["hidden"] == "100" and at.query_params["loss"] == "sum"


def test_comparison_charts_are_the_two_methods_runs():
    at = open_page("Comparison", seed=5, iterations=200)
    config = tl.Config(seed=5, iterations=200)
    np.testing.assert_array_equal(trace_y(at, "curve_numpy"), losses(config, "numpy"))
    np.testing.assert_array_equal(trace_y(at, "curve_torch"), losses(config, "torch"))
    overlay = chart(at, "overlay")
    assert [t["name"] for t in overlay["data"]] == ["manual backprop (numpy)",
                                                   "autograd (torch)"]
    # side by side with the same log axes
    left, right = chart(at, "curve_numpy")["layout"], chart(at, "curve_torch")["layout"]
    assert left["yaxis"]["type"] == right["yaxis"]["type"] == "log"
    assert left["yaxis"]["range"] == right["yaxis"]["range"]
    table = at.table[0].value
    rows = dict(zip(table["figure"], table["value"], strict=True))
    assert float(rows["max relative loss difference"]) < 1e-9
    assert "drew its own random initial weights" in at.info[0].value
    assert len(at.get("download_button")) == 3


def test_manual_page_shows_its_run_the_code_and_the_formulas():
    at = open_page("Manual Backprop", seed=2, hidden=30)
    config = tl.Config(seed=2, hidden=30)
    expected = losses(config, "numpy")
    np.testing.assert_array_equal(trace_y(at, "curve_numpy"), expected)
    printed = at.code[0].value.splitlines()
    assert printed[0] == f"0 {float(expected[0])!r}" and len(printed) == 10
    source = at.code[1].value
    assert "def backprop(" in source and "grad_w1 = x.T @ grad_h" in source
    assert "def descend(" in source
    latex = " ".join(item.value for item in at.latex)
    assert r"\mathbb{R}^{30 \times 10}" in latex  # grad_w2 is (H, D_out)
    assert r"\mathbb{R}^{1000 \times 30}" in latex  # grad_w1 is (D_in, H)


def test_autograd_page_shows_its_run_and_the_agreement():
    at = open_page("Autograd", seed=7, hidden=50)
    config = tl.Config(seed=7, hidden=50)
    np.testing.assert_array_equal(trace_y(at, "curve_torch"), losses(config, "torch"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["dtype · device"] == "float64 · cpu"
    assert float(metrics["max relative loss difference vs manual"]) < 1e-9
    assert "loss.backward()" in at.code[0].value
    assert "torch.no_grad()" in at.code[0].value


def graph_specs(at):
    return [g.proto.spec for g in at.get("graphviz_chart")]


def test_graph_page_draws_both_graphs():
    at = open_page("Computational Graph", n=32, hidden=40)
    assert not at.exception
    hand, autograd = graph_specs(at)
    x, _, w1, _ = config_arrays(tl.Config(n=32, hidden=40))
    assert f'label="h\\n32×40\\nvalue ‖·‖={np.linalg.norm(x @ w1):.3g} [' in hand
    assert '"relu" [label="relu\\n32×40\\nactive: ' in hand
    for node in ("SumBackward0", "PowBackward0", "SubBackward0", "MmBackward0·w2",
                 "ReluBackward0", "AccumulateGrad·w2", "MmBackward0·w1", "AccumulateGrad·w1"):
        assert f'"{node}" [label="' in autograd
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:4] == ["hand-drawn graph (DOT)", "hand-drawn graph (SVG)",
                          "autograd graph (DOT)", "autograd graph (SVG)"]
    # the memory the scrubber keeps is stated: 10 copies of (w1, w2) in float64
    kept = format_bytes(10 * (1000 * 40 + 40 * 10) * 8)
    assert f"10 copies, {kept} for this configuration" in at.caption[-1].value


def test_scrubber_moves_the_node_values():
    at = open_page("Computational Graph")
    before = graph_specs(at)
    at.slider(key="graph_t").set_value(120).run()
    after = graph_specs(at)
    assert not at.exception and before[0] != after[0] and before[1] != after[1]
    x, y, w1, w2 = config_arrays(tl.Config())
    loss_120 = tl.train_numpy(x, y, w1, w2, 1e-6, 121).losses[120]
    assert f'"loss" [label="loss\\nscalar\\nvalue ‖·‖={loss_120:.3g} ' in after[0]
    heatmap = chart(at, "graph_heatmap")
    assert heatmap["layout"]["title"]["text"].startswith("w1 at t=120, 1000×100")


def test_following_a_line_highlights_both_graphs_and_shows_it():
    at = open_page("Computational Graph")
    at.selectbox(key="graph_line").set_value("grad_w1").run()
    assert at.code[0].value == "grad_w1 = x.T @ grad_h  # (D_in, H)"
    hand, autograd = graph_specs(at)
    assert 'color="#ff8c00", penwidth=3, dir=back' in hand.split('"w1" -> "matmul 1"')[1] \
        .splitlines()[0]
    assert 'fillcolor="#ff8c00"' in autograd.split('"AccumulateGrad·w1" [')[1].splitlines()[0]
    assert 'fillcolor="#ff8c00"' not in autograd.split('"ReluBackward0" [')[1].splitlines()[0]


def test_forward_view_draws_the_data_flow():
    at = open_page("Computational Graph")
    at.radio(key="graph_view").set_value("forward").run()
    hand = graph_specs(at)[0]
    assert "dir=back" not in hand and '"x" -> "matmul 1" [label="64×1000"' in hand


@pytest.mark.parametrize("page", ["Comparison", "Manual Backprop", "Autograd"])
def test_sidebar_change_changes_the_chart(page):
    at = open_page(page)
    key = "curve_torch" if page == "Autograd" else "curve_numpy"
    before = trace_y(at, key)
    at.sidebar.number_input(key="w_seed").set_value(3).run()
    after = trace_y(at, key)
    assert not np.array_equal(before, after)
    method = "torch" if page == "Autograd" else "numpy"
    np.testing.assert_array_equal(after, losses(tl.Config(seed=3), method))
    assert at.query_params["seed"] == "3"


def test_learning_rate_typed_as_text():
    at = open_page("Manual Backprop")
    at.sidebar.text_input(key="w_learning_rate").set_value("5e-7").run()
    assert at.session_state["config"].learning_rate == 5e-7
    assert at.query_params["learning_rate"] == "5e-07"
    at.sidebar.text_input(key="w_learning_rate").set_value("fast").run()
    assert at.session_state["config"].learning_rate == 5e-7
    assert "learning_rate must be a number, got 'fast'" in at.sidebar.error[0].value
    assert not at.exception


def test_choices_and_reset():
    at = open_page("Manual Backprop")
    at.sidebar.radio(key="w_loss").set_value("mean").run()
    at.sidebar.radio(key="w_dtype").set_value("float32").run()
    config = at.session_state["config"]
    assert (config.loss, config.dtype) == ("mean", "float32")
    np.testing.assert_array_equal(trace_y(at, "curve_numpy"), losses(config, "numpy"))
    at.sidebar.button[0].click().run()
    assert at.session_state["config"] == tl.Config()
    assert at.sidebar.radio(key="w_loss").value == "sum"


def test_configuration_holds_across_pages():
    at = open_page("Comparison")
    at.sidebar.number_input(key="w_seed").set_value(9).run()
    at.sidebar.number_input(key="w_hidden").set_value(20).run()
    for page in ("Autograd", "Lock-step", "Computational Graph", "Manual Backprop",
                 "Comparison"):
        if PAGE_FILES[page]:
            at.switch_page(PAGE_FILES[page])
        else:
            at.switch_page("streamlit_app.py")
        at.run()
        assert not at.exception
        assert at.sidebar.number_input(key="w_seed").value == 9, page
        assert at.sidebar.number_input(key="w_hidden").value == 20, page
        assert at.query_params["seed"] == "9"


@pytest.mark.parametrize("page", PAGES)
def test_malformed_link_warns_and_uses_defaults(page):
    at = open_page(page, seed="abc", hidden="-5", dtype="float16", learning_rate="0")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for field in ("seed", "hidden", "dtype", "learning_rate"):
        assert f"using the default {field}=" in warnings
    assert at.session_state["config"] == tl.Config()


def test_oversized_link_warns_and_falls_back():
    at = open_page("Comparison", n=100000, d_in=100000)
    assert not at.exception
    assert "would need 150 GiB" in at.warning[0].value
    assert at.session_state["config"].n == 64


def test_oversized_sidebar_choice_is_an_error_not_a_crash():
    at = open_page("Manual Backprop")
    at.sidebar.number_input(key="w_n").set_value(100000).run()
    at.sidebar.number_input(key="w_d_in").set_value(100000).run()
    assert not at.exception
    assert "can't run" in at.error[0].value and "use smaller sizes" in at.error[0].value
    assert len(at.get("plotly_chart")) == 0


def test_divergence_is_reported_not_plotted():
    at = open_page("Comparison", n=1024)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 2 and all("diverged at iteration" in e for e in errors)
    assert "Lower the learning rate" in errors[0]
    y = trace_y(at, "curve_numpy")
    assert np.isfinite(y).all() and len(y) < 10


def test_pages_without_autograd_do_not_import_torch():
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from apphelpers import open_page\n"
        "for page in ('Manual Backprop',):\n"
        "    at = open_page(page)\n"
        "    assert not at.exception, page\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_lockstep_page_views():
    at = open_page("Lock-step", iterations=40)
    assert not at.exception and len(at.error) == 0
    drift = chart(at, "lockstep_drift")
    assert [t["name"] for t in drift["data"]][:2] == ["|Δ loss|", "|Δ loss| / loss"]
    losses_numpy = decode(chart(at, "lockstep_losses")["data"][0]["y"])
    np.testing.assert_array_equal(losses_numpy, losses(tl.Config(iterations=40), "numpy"))
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == 6 and all("green" in b for b in badges)
    sweep = chart(at, "lr_sweep")
    assert sweep["layout"]["xaxis"]["type"] == "log"
    assert any(t["name"] == "diverged" for t in sweep["data"])
    relu_table = at.table[2].value  # after the maxima and the sampled gradients
    assert relu_table["max |w1| at the end (numpy / torch)"][0] == "0 / 0"


def test_lockstep_page_shows_an_injected_bug():
    at = open_page("Lock-step", iterations=40)
    at.selectbox(key="ls_bug").set_value("relu_mask_dropped").run()
    assert not at.exception
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert any("red" in b and "manual vs finite differences" in b for b in badges)
    listing = at.get("html")[0].proto.body
    assert '<mark style="background:#ffd5d5;display:block">' in listing
    assert "BUG: the ReLU mask is dropped</mark>" in listing
    at.selectbox(key="ls_bug").set_value("transpose_wrong_side").run()
    assert not at.exception
    assert at.error[0].value.startswith("Shape error in `grad_h_relu = w2.T @ grad_y_pred`")


def test_play_advances_the_scrubber():
    at = open_page("Computational Graph", iterations=100)
    assert at.slider(key="graph_t").value == 0
    at.toggle(key="graph_play").set_value(True).run()
    assert at.slider(key="graph_t").value == 2  # steps of iterations // 50
    at.run()
    assert at.slider(key="graph_t").value == 4
    at.toggle(key="graph_play").set_value(False).run()
    assert at.slider(key="graph_t").value == 4 and not at.exception


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reports_divergence(page):
    at = open_page(page, learning_rate="1000", iterations=20)
    assert not at.exception
    assert at.error and all("diverged at iteration 3" in e.value for e in at.error)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query", [{"iterations": 1},
                                   {"n": 1, "d_in": 1, "hidden": 1, "d_out": 1},
                                   {"iterations": 2, "dtype": "float32", "loss": "mean"}])
def test_edge_configurations_render(page, query):
    at = open_page(page, **query)
    assert not at.exception and not at.error


@pytest.mark.parametrize("page, key", [("Computational Graph", "graph_t"),
                                       ("Lock-step", "ls_iteration")])
def test_lowering_iterations_keeps_the_slider_in_range(page, key):
    at = open_page(page, iterations=100)
    at.slider(key=key).set_value(90).run()
    at.sidebar.number_input(key="w_iterations").set_value(20).run()
    assert not at.exception and at.slider(key=key).value == 19


def test_graph_page_refuses_snapshots_over_the_budget(monkeypatch):
    # 6 MiB fits the run itself (4.4 MB) but not the 10 snapshots of (w1, w2) (7.7 MiB)
    monkeypatch.setenv("TWOLAYER_MEMORY_BUDGET_MB", "6")
    at = open_page("Computational Graph")
    assert not at.exception
    assert len(at.get("graphviz_chart")) == 0
    assert "The iteration scrubber can't run" in at.error[-1].value
