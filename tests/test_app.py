"""Every page in Streamlit's AppTest: renders, charts the real runs, keeps one configuration."""

import math
import subprocess
import sys

import numpy as np
import pytest
import streamlit as st
from apphelpers import PAGE_FILES, ROOT, chart, decode, open_page, trace_y

import twolayer as tl
from twolayer.config import format_bytes
from twolayer.data import arrays as config_arrays
from twolayer.data.table import sample_csv
from twolayer.methods import train

pytestmark = pytest.mark.slow  # every page run in Streamlit's AppTest: the app's own loop

# The pages with the sidebar's configuration (tests/test_exercise_app.py has the Exercise
# page's, tests/test_grade_app.py the Grade page's)
PAGES = [page for page in PAGE_FILES if page not in ("Exercise", "Grade")]


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test trains for itself: no run is served from another test's cache."""
    clear_caches()
    yield
    clear_caches()


def clear_caches():
    from twolayer.ui import compute

    st.cache_data.clear()
    if compute.STORE is not None:
        compute.STORE.clear()


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


@pytest.mark.parametrize("page", PAGES)
def test_a_first_visit_sees_the_configuration_as_text(page):
    at = open_page(page, configure=False, seed=7, hidden=50, data="teacher")
    assert not at.exception and not at.sidebar.number_input and not at.sidebar.radio
    (line,) = [c.value for c in at.sidebar.caption if c.value.startswith("**Configuration**")]
    config = at.session_state["config"]
    assert line.split("  \n") == [
        "**Configuration**",
        f"N={config.n}, D_in={config.d_in}, H=50, D_out={config.d_out}",
        f"η={config.learning_rate:g}, {config.iterations:,} iterations, seed 7",
        "float64, sum loss, a teacher network + noise",
    ]
    at.session_state["configure"] = True  # what opening the expander's callback stores
    at.run()
    assert at.sidebar.number_input(key="w_seed").value == 7
    assert at.sidebar.number_input(key="w_hidden").value == 50


def test_comparison_charts_are_the_two_methods_runs():
    at = open_page("Comparison", seed=5, iterations=200)
    config = tl.Config(seed=5, iterations=200)
    np.testing.assert_array_equal(trace_y(at, "curve_numpy"), losses(config, "numpy"))
    np.testing.assert_array_equal(trace_y(at, "curve_torch"), losses(config, "torch"))
    # side by side with the same log axes
    left, right = chart(at, "curve_numpy")["layout"], chart(at, "curve_torch")["layout"]
    assert left["yaxis"]["type"] == right["yaxis"]["type"] == "log"
    assert left["yaxis"]["range"] == right["yaxis"]["range"]
    assert "drew its own random initial weights" in at.info[0].value
    (sentence,) = [m.value for m in at.markdown if m.value.startswith("**Do they agree?**")]
    largest = float(sentence.split("differ by at most ")[1].split()[0])
    assert 0 <= largest < 1e-9  # float64 both ways: rounding level
    # the first view is the two curves alone; the rest waits in the other tabs, unsent
    assert len(at.get("plotly_chart")) == 2 and not at.table and not at.get("download_button")


def test_comparison_agree_tab_overlays_and_sums_up_the_same_runs():
    at = open_page("Comparison", seed=5, iterations=200, tab="agree")
    config = tl.Config(seed=5, iterations=200)
    overlay = chart(at, "overlay")
    assert [t["name"] for t in overlay["data"]] == ["manual backprop (numpy)",
                                                   "autograd (torch)"]
    np.testing.assert_array_equal(trace_y(at, "overlay"), losses(config, "numpy"))
    np.testing.assert_array_equal(trace_y(at, "overlay", 1), losses(config, "torch"))
    table = at.table[0].value
    rows = dict(zip(table["figure"], table["value"], strict=True))
    assert float(rows["max relative loss difference"]) < 1e-9
    assert len(at.get("download_button")) == 3
    assert at.query_params["tab"] == "agree"  # a copied link opens this tab


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
    assert f'label="h\\n32×40\\nvalue ‖·‖={np.linalg.norm(x @ w1):.3g}\\nin [' in hand
    assert '"relu" [label="relu\\n32×40\\nactive: ' in hand
    for node in ("SumBackward0", "PowBackward0", "SubBackward0", "MmBackward0·w2",
                 "ReluBackward0", "AccumulateGrad·w2", "MmBackward0·w1", "AccumulateGrad·w1"):
        assert f'"{node}" [label="' in autograd
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:4] == ["hand-drawn graph (DOT)", "hand-drawn graph (SVG)",
                          "autograd graph (DOT)", "autograd graph (SVG)"]
    # the memory the scrubber keeps is stated: 10 copies of (w1, w2) in float64
    kept = format_bytes(10 * (1000 * 40 + 40 * 10) * 8)
    assert f"10 copies, {kept} for this configuration" in at.main.caption[-1].value


def test_scrubber_moves_the_node_values():
    at = open_page("Computational Graph")
    before = graph_specs(at)
    at.slider(key="w_opt_t").set_value(120).run()
    after = graph_specs(at)
    assert not at.exception and before[0] != after[0] and before[1] != after[1]
    x, y, w1, w2 = config_arrays(tl.Config())
    loss_120 = tl.train_numpy(x, y, w1, w2, 1e-6, 121).losses[120]
    assert f'"loss" [label="loss\\nscalar\\nvalue ‖·‖={loss_120:.3g}\\n' in after[0]
    heatmap = chart(at, "graph_heatmap")
    assert heatmap["layout"]["title"]["text"].startswith("w1 at t=120, 1000×100")


def test_following_a_line_highlights_both_graphs_and_shows_it():
    at = open_page("Computational Graph")
    at.selectbox(key="w_opt_line").set_value("grad_w1").run()
    assert at.code[0].value == "grad_w1 = x.T @ grad_h  # (D_in, H)"
    hand, autograd = graph_specs(at)
    assert 'color="#ff8c00", penwidth=3, dir=back' in hand.split('"w1" -> "matmul 1"')[1] \
        .splitlines()[0]
    assert 'fillcolor="#ff8c00"' in autograd.split('"AccumulateGrad·w1" [')[1].splitlines()[0]
    assert 'fillcolor="#ff8c00"' not in autograd.split('"ReluBackward0" [')[1].splitlines()[0]


def test_forward_view_draws_the_data_flow():
    at = open_page("Computational Graph")
    at.radio(key="w_opt_view").set_value("forward").run()
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


def button(at, label: str):
    """The button with this label, wherever it is."""
    return next(b for b in at.get("button") if b.label == label)


def test_choices_and_reset():
    at = open_page("Manual Backprop")
    at.sidebar.radio(key="w_loss").set_value("mean").run()
    at.sidebar.radio(key="w_dtype").set_value("float32").run()
    config = at.session_state["config"]
    assert (config.loss, config.dtype) == ("mean", "float32")
    np.testing.assert_array_equal(trace_y(at, "curve_numpy"), losses(config, "numpy"))
    button(at, "Reset to the assignment").click().run()
    assert at.session_state["config"] == tl.Config()
    assert at.sidebar.radio(key="w_loss").value == "sum"


def test_switching_to_the_mean_loss_offers_to_keep_the_steps():
    # The mean-loss trap: at the same η the mean's steps are N·D_out = 640 times shorter.
    at = open_page("Comparison")
    at.sidebar.radio(key="w_loss").set_value("mean").run()
    note = " ".join(c.value for c in at.sidebar.caption)
    assert "N·D_out = 640 times smaller" in note and "barely moves" in note
    assert "η·N·D_out = 0.00064 takes the summed loss's steps" in at.info[-1].value
    button(at, "Keep the steps: η = 0.00064").click().run()
    config = at.session_state["config"]
    assert (config.loss, config.learning_rate) == ("mean", 0.00064)
    # and it retraces the summed run at η = 1e-6, scaled by N·D_out
    scaled = trace_y(at, "curve_numpy") * 640
    np.testing.assert_allclose(scaled, losses(tl.Config(), "numpy"), rtol=1e-9)
    assert not any(b.label.startswith("Keep the steps") for b in at.get("button"))


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
    assert len(errors) == 2 and all("diverged at iteration 6" in e for e in errors)
    y = trace_y(at, "curve_numpy")
    assert np.isfinite(y).all() and len(y) == 6
    at = open_page("Comparison", n=1024, tab="agree")
    assert len(at.error) == 2
    rows = dict(zip(at.table[0].value["figure"], at.table[0].value["value"], strict=True))
    assert rows["ms / iteration, manual backprop (numpy)"] == "— (diverged: too few iterations " \
        "to time)"


def test_divergence_advice_finds_a_rate_and_applies_it_in_one_click():
    at = open_page("Comparison", n=1024)
    button(at, "Find a learning rate that trains").click().run()
    advice = at.info[0].value
    assert "η = 1e-07 trains" in advice and "η·N·D_out = 0.001024" in advice
    button(at, "Use the mean loss with η = 0.001024").click().run()
    config = at.session_state["config"]
    assert (config.loss, config.learning_rate, config.n) == ("mean", 0.001024, 1024)
    assert not at.error and at.query_params["learning_rate"] == "0.001024"
    assert trace_y(at, "curve_numpy")[-1] < 1e-2 * trace_y(at, "curve_numpy")[0]


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


def badge_rows(at) -> dict[str, str]:
    """The gradient check's table: comparison -> its row of badges."""
    (table,) = [m.value for m in at.markdown if "-badge[" in m.value]
    rows = [line.split(" | ", 1) for line in table.splitlines()[2:]]
    return {label.strip("| "): cells for label, cells in rows}


def test_lockstep_page_views():
    at = open_page("Lock-step", iterations=40)
    assert not at.exception and len(at.error) == 0
    drift = chart(at, "lockstep_drift")
    assert [t["name"] for t in drift["data"]][:2] == ["|Δ loss|", "|Δ loss| / loss"]
    losses_numpy = decode(chart(at, "lockstep_losses")["data"][0]["y"])
    np.testing.assert_array_equal(losses_numpy, losses(tl.Config(iterations=40), "numpy"))
    # the other sections are tabs that run when opened: none of their work is done yet
    assert len(at.get("plotly_chart")) == 2 and len(at.table) == 1  # the maxima
    from twolayer.serving.cache import MISSING
    from twolayer.ui import compute

    config = tl.Config(iterations=40)
    for key in (("relu zero", config), ("sum vs mean", config), ("sweep", config)):
        assert compute.STORE.get(key) is MISSING, key
    at = open_page("Lock-step", iterations=40, section="check")
    rows = badge_rows(at)
    assert len(rows) == 3 and all(r.count("green-badge") == 2 for r in rows.values())
    relu_table = open_page("Lock-step", iterations=40, section="relu").table[0].value
    assert relu_table["max |w1| at the end (numpy / torch)"][0] == "0 / 0"
    at = open_page("Lock-step", iterations=40, section="mean")  # 12 runs, on opening
    sweep = chart(at, "lr_sweep")
    assert sweep["layout"]["xaxis"]["type"] == "log"
    assert any(t["name"] == "diverged" for t in sweep["data"])
    assert chart(at, "sum_vs_mean")["data"][1]["name"].startswith("mean loss × N·D_out")


def test_lockstep_page_shows_an_injected_bug():
    at = open_page("Lock-step", iterations=40, section="check")
    at.selectbox(key="w_opt_bug").set_value("relu_mask_dropped").run()
    assert not at.exception
    rows = badge_rows(at)
    assert "red-badge" in rows["manual vs finite differences"]
    assert "red-badge" not in rows["autograd vs finite differences"]
    listing = at.get("html")[0].proto.body
    marked = ('<mark style="background:#ffd5d5;display:inline-block;width:100%">'
              "    grad_h = grad_h_relu  # BUG: the ReLU mask is dropped</mark>\n")
    # the marked line is followed by the next line of code, not by a blank line
    assert marked + "    grad_w1 = x.T @ grad_h" in listing
    at.selectbox(key="w_opt_bug").set_value("transpose_wrong_side").run()
    assert not at.exception
    assert at.error[0].value.startswith("Shape error in `grad_h_relu = w2.T @ grad_y_pred`")
    at = open_page("Lock-step", iterations=40, bug="transpose_wrong_side")
    assert at.error[0].value.startswith("Shape error in `grad_h_relu = w2.T @ grad_y_pred`")
    # nothing ran, so no empty charts and no table of nothing
    keys = [c.proto.id for c in at.get("plotly_chart")]
    assert not any("lockstep_drift" in k or "lockstep_losses" in k for k in keys)
    assert "No iteration ran" in at.info[0].value


def test_play_keeps_its_pace_however_slow_the_frames():
    at = open_page("Computational Graph", iterations=100)
    assert at.slider(key="w_opt_t").value == 0
    at.toggle(key="graph_play").set_value(True).run()
    clock = at.session_state["graph_clock"]
    assert not at.exception and clock.playing and clock.last is not None
    first = at.session_state["options"]["t"]  # one frame's worth: 100 / 50 s × 0.5 s = 1
    # while playing, a progress line stands in for the slider (a widget would race the clock)
    assert at.get("progress")[0].proto.text == f"iteration t = {first} (playing)"
    # the scrubber moves by wall time, 100 iterations per PLAY_RATE s: a frame that took 2 s
    clock.last -= 2.0
    at.run()
    t = at.session_state["options"]["t"]
    assert t - first in (4, 5)  # 4 for the 2 s, + the run's own time
    assert at.get("progress")[0].proto.text == f"iteration t = {t} (playing)"
    heatmap = chart(at, "graph_heatmap")["layout"]["title"]["text"]
    assert heatmap.startswith(f"w1 at t={t},")  # the heatmap shows the same iteration
    at.toggle(key="graph_play").set_value(False).run()
    assert at.slider(key="w_opt_t").value == t and not at.exception
    assert at.query_params["t"] == str(t)  # paused: the link holds the iteration


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


@pytest.mark.parametrize("page, key", [("Computational Graph", "w_opt_t"),
                                       ("Lock-step", "w_opt_at_iteration")])
def test_lowering_iterations_keeps_the_slider_in_range(page, key):
    at = open_page(page, iterations=100, section="check")  # Lock-step's slider is there
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


def test_lockstep_options_are_in_the_link_and_a_link_restores_them():
    at = open_page("Lock-step", iterations=40, section="check")
    at.selectbox(key="w_opt_bug").set_value("factor_2_missing").run()
    at.selectbox(key="w_opt_relu").set_value("clamp").run()
    at.selectbox(key="w_opt_dtype_torch").set_value("float32").run()
    at.slider(key="w_opt_at_iteration").set_value(7).run()
    link = {k: at.query_params[k] for k in ("bug", "relu", "dtype_numpy", "dtype_torch",
                                            "at_iteration", "iterations", "section")}
    assert link == {"bug": "factor_2_missing", "relu": "clamp", "dtype_numpy": "float64",
                    "dtype_torch": "float32", "at_iteration": "7", "iterations": "40",
                    "section": "check"}
    shared = open_page("Lock-step", **link)  # a fresh session opening the copied link
    assert not shared.exception and not shared.warning
    assert shared.selectbox(key="w_opt_bug").value == "factor_2_missing"
    assert shared.selectbox(key="w_opt_relu").value == "clamp"
    assert shared.selectbox(key="w_opt_dtype_torch").value == "float32"
    assert shared.slider(key="w_opt_at_iteration").value == 7


def test_malformed_lockstep_options_warn_and_fall_back():
    at = open_page("Lock-step", iterations=40, bug="typo", at_iteration="40", relu="gelu")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "bug must be one of 'none'" in warnings and "using the default bug='none'" in warnings
    assert "at_iteration must be an iteration from 0 to 39, got 40" in warnings
    assert "using the default relu='relu'" in warnings
    assert at.selectbox(key="w_opt_bug").value == "none"


@pytest.mark.parametrize("page, name, default", [("Comparison", "tab", "curves"),
                                                ("Lock-step", "section", "drift")])
def test_a_malformed_tab_in_a_link_warns_and_opens_the_first(page, name, default):
    at = open_page(page, iterations=20, **{name: "summary"})
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert f"{name} must be one of '{default}'" in warning and "got 'summary'" in warning
    assert at.query_params[name] == default and len(at.get("plotly_chart")) == 2


def test_graph_options_are_in_the_link():
    at = open_page("Computational Graph", iterations=100, t=42, view="forward", line="grad_h",
                   tensor="grad_w1")
    assert not at.exception and not at.warning
    assert at.slider(key="w_opt_t").value == 42
    assert at.radio(key="w_opt_view").value == "forward"
    assert chart(at, "graph_heatmap")["layout"]["title"]["text"].startswith("grad_w1 at t=42")
    at.selectbox(key="w_opt_line").set_value("grad_w2").run()
    assert at.query_params["line"] == "grad_w2" and at.query_params["t"] == "42"


def test_other_pages_links_leave_the_lockstep_options_behind():
    at = open_page("Lock-step", iterations=40, bug="factor_2_missing")
    at.switch_page("pages/2_Manual_Backprop.py").run()
    assert "bug" not in at.query_params and at.query_params["iterations"] == "40"


def test_choosing_a_late_bug_moves_the_check_to_where_it_bites():
    # Gradients not zeroed: the first step is the correct one, so t = 0 shows all green.
    at = open_page("Lock-step", iterations=40, section="check")
    at.selectbox(key="w_opt_bug").set_value("grads_not_zeroed").run()
    assert at.slider(key="w_opt_at_iteration").value == 1
    assert "red-badge" in badge_rows(at)["autograd vs finite differences"]
    at.slider(key="w_opt_at_iteration").set_value(0).run()
    assert "does not show yet" in at.warning[0].value and "t = 1" in at.warning[0].value


def test_lockstep_tables_and_downloads_are_readable():
    at = open_page("Lock-step", iterations=40)
    maxima = at.table[0].value
    labels = list(maxima["numpy − torch"])
    assert labels[:2] == ["|Δ loss|, absolute", "|Δ loss| / loss, relative"]
    assert not any("max_abs" in label for label in labels)
    assert all(t.isdigit() for t in maxima["at iteration t"])
    downloads = {b.proto.label: b.proto for b in at.get("download_button")}
    assert "Per-iteration differences (CSV)" in downloads
    assert "Configuration and options (JSON)" in downloads


@pytest.mark.parametrize("field, typed, message", [
    ("seed", -3, "seed must be an integer from 0 to 4,294,967,295, got -3"),
    ("iterations", 200000, "iterations must be an integer from 1 to 100,000, got 200000"),
    ("n", 0, "n must be an integer from 1 to 100,000, got 0"),
])
def test_out_of_range_numbers_are_refused_in_the_sidebar(field, typed, message):
    at = open_page("Manual Backprop")
    before = at.session_state["config"]
    at.sidebar.number_input(key=f"w_{field}").set_value(typed).run()
    assert not at.exception
    assert message + ". Kept the previous value." in at.sidebar.error[0].value
    assert at.session_state["config"] == before
    assert at.sidebar.number_input(key=f"w_{field}").value == getattr(before, field)
    assert at.query_params[field] == str(getattr(before, field))


def test_speed_says_what_it_covers():
    at = open_page("Comparison", iterations=50, tab="agree")
    rows = list(at.table[0].value["figure"])
    assert "ms / iteration, manual backprop (numpy), over 49 iterations (the first, a warm-up, " \
           "left out)" in rows


SAMPLE = sample_csv().encode()


def upload(at, content: bytes, name: str = "houses.csv"):
    at.get("file_uploader")[0].set_value((name, content, "text/csv"))
    return at.run()


def test_choosing_the_sine_starts_it_from_its_own_values():
    at = open_page("Comparison")
    at.sidebar.selectbox(key="w_data").set_value("sine").run()
    config = at.session_state["config"]
    assert (config.data, config.n, config.d_in, config.d_out, config.hidden) == \
        ("sine", 200, 2, 1, 50)
    assert (config.learning_rate, config.iterations) == (1e-4, 3000)
    keys = [w.key for w in at.sidebar.number_input]
    assert "w_d_in" not in keys and "w_d_out" not in keys and "w_noise" in keys
    fit = chart(at, "fit_curve")
    assert [t["name"] for t in fit["data"]][:3] == ["training rows", "validation rows", "sin t"]
    assert at.query_params["data"] == "sine" and at.query_params["noise"] == "0.1"
    assert len(trace_y(at, "curve_numpy", 1)) == 3000  # the validation curve
    # a link that names only the kind starts from the kind's own values too
    linked = open_page("Manual Backprop", data="sine", seed=2)
    assert linked.session_state["config"] == config.replace(seed=2)


def test_a_teacher_at_the_assignments_sizes_is_said_to_overfit_and_can_be_learned():
    at = open_page("Comparison", data="teacher", learning_rate="1e-5", iterations=100)
    assert "the student can memorize the rows" in at.info[0].value
    button(at, "Learn the teacher: N = 2,000, D_in = 20, σ = 0.3, η = 3e-05, 1,000 "
               "iterations").click().run()
    config = at.session_state["config"]
    assert (config.n, config.d_in, config.noise) == (2000, 20, 0.3) and not at.exception
    assert not any("memorize" in i.value for i in at.info)  # 20,000 numbers, 3,000 weights
    assert chart(at, "predicted")["layout"]["xaxis"]["title"]["text"] == "true y"


def test_a_csv_upload_trains_on_its_columns_and_the_link_carries_the_settings():
    at = open_page("Comparison")
    at.sidebar.selectbox(key="w_data").set_value("csv").run()
    assert at.session_state["config"].data == "noise"  # nothing to train on before a file
    assert at.get("file_uploader")  # the uploader, to bring one
    upload(at, SAMPLE)
    config = at.session_state["config"]
    assert (config.data, config.n, config.d_in, config.d_out) == ("csv", 300, 5, 1)
    assert config.targets == ("price_k",) and not at.exception and not at.error
    assert at.query_params["inputs"] == "area_m2,rooms,age_years,distance_km"
    assert at.query_params["csv"] == config.csv and chart(at, "predicted")
    at.sidebar.multiselect(key="w_inputs").set_value(["area_m2", "rooms"]).run()
    assert at.session_state["config"].d_in == 3
    # a fresh session opening the link has the settings but not the file
    # (a first visit, whose configuration widgets open by themselves to take the file)
    shared = open_page("Comparison", configure=False,
                       **{k: at.query_params[k] for k in at.query_params})
    assert "carries the CSV settings" in shared.info[0].value
    assert not shared.get("plotly_chart") and shared.get("file_uploader")
    upload(shared, SAMPLE)
    assert shared.session_state["config"].inputs == ("area_m2", "rooms")  # the link's choice


@pytest.mark.parametrize("text, message", [
    ("x,y\n" + "1,2\n" * 5, "the file has 5 rows of data; at least 8"),
    ("x,,y\n" + "1,2,3\n" * 9, "column 2 has an empty header"),
    ("a,b\n" + "p,q\n" * 9, "no column holds only numbers"),
    ("x,x\n" + "1,2\n" * 9, "two columns are named 'x'"),
    ("x\n" + "1\n" * 9, "only one numeric column ('x')"),
    ("x,y\n1,\xff", "the file is not UTF-8 text"),
])
def test_a_bad_csv_upload_is_explained_and_changes_nothing(text, message):
    at = open_page("Comparison")
    at.sidebar.selectbox(key="w_data").set_value("csv").run()
    upload(at, text.encode("latin-1"))
    assert not at.exception and at.session_state["config"].data == "noise"
    assert message in at.sidebar.error[0].value
    assert at.sidebar.error[0].value.startswith("The CSV file can't be used: ")


def live_t(at) -> int:
    return at.session_state["live"].run.t


def test_live_training_plays_pauses_steps_and_resets():
    at = open_page("Comparison", iterations=80, tab="live")
    button(at, "Step 1").click().run()
    assert live_t(at) == 1 and not at.exception
    button(at, "Step 10").click().run()
    assert live_t(at) == 11
    at.number_input(key="live_k").set_value(7).run()
    button(at, "Step 7").click().run()
    assert live_t(at) == 18
    assert len(trace_y(at, "live_curve_numpy")) == 18  # the curves are the run so far
    button(at, "▶ Play").click().run()
    playing = live_t(at)
    assert playing > 18  # a frame's worth at 100 iterations/s
    at.run()
    assert live_t(at) > playing
    button(at, "⏸ Pause").click().run()
    paused = live_t(at)
    at.run()
    at.run()
    assert live_t(at) == paused and not at.session_state["live"].clock.playing
    assert at.get("progress")[0].proto.text.startswith(f"iteration {paused} of 80 · paused")
    button(at, "↺ Reset").click().run()
    assert live_t(at) == 0 and not at.session_state["live"].clock.playing


def test_a_finished_live_run_is_the_finished_run_bit_for_bit():
    config = tl.Config(iterations=40)
    open_page("Comparison", iterations=40)  # the finished runs, now in the cache
    at = open_page("Comparison", iterations=40, tab="live")
    at.selectbox(key="live_speed").set_value(math.inf).run()
    button(at, "▶ Play").click().run()
    for _ in range(200):
        if at.session_state["live"].run.done:
            break
        at.run()
    live = at.session_state["live"]
    assert live.run.done and not live.clock.playing and live.same_as_cached
    assert "identical to the run trained in one go" in at.success[0].value
    expected = {m: train(m, config) for m in ("numpy", "torch")}
    for run in live.run.runs():
        np.testing.assert_array_equal(run.losses, expected[run.method].losses)
        np.testing.assert_array_equal(run.w1, expected[run.method].w1)


def test_a_live_run_follows_the_configuration_and_refuses_bad_steps():
    at = open_page("Comparison", iterations=30, tab="live")
    at.number_input(key="live_k").set_value(31).run()
    button(at, "Step 31").click().run()
    assert "A step must be from 1 to 30 iterations" in at.warning[0].value
    button(at, "Step 1").click().run()
    assert live_t(at) == 1
    at.sidebar.number_input(key="w_seed").set_value(4).run()
    assert "live" not in at.session_state  # another configuration: a new live run, if asked
    assert not at.get("plotly_chart") and button(at, "▶ Play")  # nothing trains until then
