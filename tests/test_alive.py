"""The graph explorer's data: autograd's own graph, snapshots, tensors at any iteration, SVG."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import twolayer as tl
from twolayer.data import arrays as config_arrays
from twolayer.graph.drawing import LINKS, autograd_drawing, drawing, forward_graph, graph_dot
from twolayer.graph.recorded import autograd_graph
from twolayer.graph.snapshots import (
    downsample,
    node_summaries,
    record_snapshots,
    snapshot_bytes,
    tensors_at,
    weights_at,
)
from twolayer.outputs.svg import svg_text


@pytest.fixture(scope="module")
def default_graph():
    x, y, w1, w2 = config_arrays(tl.Config())
    return autograd_graph(x, y, w1, w2), (x, y, w1, w2)


def test_autograd_graph_has_pytorchs_nodes_and_edges(default_graph):
    graph, _ = default_graph
    assert [n.name for n in graph.nodes] == [
        "SumBackward0", "PowBackward0", "SubBackward0", "MmBackward0", "ReluBackward0",
        "AccumulateGrad", "MmBackward0", "AccumulateGrad"]
    assert graph.edges == [
        ("SumBackward0", "PowBackward0"), ("PowBackward0", "SubBackward0"),
        ("SubBackward0", "MmBackward0·w2"), ("MmBackward0·w2", "ReluBackward0"),
        ("MmBackward0·w2", "AccumulateGrad·w2"), ("ReluBackward0", "MmBackward0·w1"),
        ("MmBackward0·w1", "AccumulateGrad·w1")]
    assert {n.id: n.leaf for n in graph.nodes if n.leaf} == {
        "MmBackward0·w2": "w2", "AccumulateGrad·w2": "w2",
        "MmBackward0·w1": "w1", "AccumulateGrad·w1": "w1"}


def test_mean_loss_adds_pytorchs_multiply():
    x, y, w1, w2 = config_arrays(tl.Config(n=8, d_in=6, hidden=5, d_out=3))
    graph = autograd_graph(x, y, w1, w2, loss="mean")
    assert graph.nodes[0].name == "MulBackward0" and graph.edges[0] == ("MulBackward0",
                                                                        "SumBackward0")


def test_autograd_nodes_compute_the_manual_lines(default_graph):
    graph, (x, y, w1, w2) = default_graph
    tensors = tensors_at(tl.Config(), w1, w2)
    sent, received = graph.sent, graph.received
    np.testing.assert_allclose(received["AccumulateGrad·w1"], tensors["grad_w1"], rtol=1e-10)
    np.testing.assert_allclose(received["AccumulateGrad·w2"], tensors["grad_w2"], rtol=1e-10)
    np.testing.assert_allclose(sent["ReluBackward0"][0], tensors["grad_h"], rtol=1e-10,
                               atol=1e-9)
    np.testing.assert_allclose(sent["MmBackward0·w2"][0], tensors["grad_h_relu"], rtol=1e-10)
    np.testing.assert_allclose(sent["SubBackward0"][0], tensors["grad_y_pred"], rtol=1e-10)
    assert sent["SubBackward0"][1] is None and sent["MmBackward0·w1"][0] is None  # y, x


def test_links_name_real_nodes_and_edges(default_graph):
    graph, _ = default_graph
    ids = {n.id for n in graph.nodes}
    hand_edges = {(e.src, e.dst) for e in forward_graph(tl.Config())[1]}
    for line, (edge, autograd_ids) in LINKS.items():
        assert edge in hand_edges, line
        assert set(autograd_ids) <= ids, line


@pytest.mark.parametrize("line", list(LINKS))
def test_choosing_a_line_highlights_both_graphs(default_graph, line):
    graph, _ = default_graph
    hand_nodes, hand_edges = drawing(*forward_graph(tl.Config()), highlight=line)
    hot_edges = [(e.src, e.dst) for e in hand_edges if e.width == 3]
    assert hot_edges == [LINKS[line][0]]
    assert [n.id for n in hand_nodes if n.width == 3] == [LINKS[line][0][0]]
    auto_nodes, _ = autograd_drawing(graph, highlight=line)
    assert {n.id for n in auto_nodes if n.fill == "#ff8c00"} == set(LINKS[line][1])


def test_forward_and_backward_views():
    forward = graph_dot(tl.Config(), view="forward")
    backward = graph_dot(tl.Config(), view="backward")
    assert '"h" -> "relu" [label="64×100"' in forward and "dir=back" not in forward
    assert '"h" -> "relu" [label="grad_h = grad_h_relu * (h > 0)"' in backward
    assert backward.count("dir=back") == 13
    with pytest.raises(ValueError, match="view must be 'forward' or 'backward'"):
        graph_dot(tl.Config(), view="sideways")


def test_snapshots_replay_the_exact_trajectory():
    config = tl.Config(iterations=120)
    kept = record_snapshots(config, every=50)
    assert sorted(kept.weights) == [0, 50, 100]
    assert kept.nbytes == 3 * (1000 * 100 + 100 * 10) * 8
    x, y, w1, w2 = config_arrays(config)
    for t in (0, 37, 50, 99, 119):
        expected = tl.train_numpy(x, y, w1, w2, 1e-6, t).w1 if t else w1
        np.testing.assert_array_equal(weights_at(kept, t)[0], expected)
    with pytest.raises(ValueError, match="iteration must be an integer from 0 to 119"):
        weights_at(kept, 120)


@pytest.mark.parametrize("t", [0, 73, 300])
def test_node_values_at_iteration_k_match_numpy_gradients(t):
    config = tl.Config()
    x, y, w1, w2 = config_arrays(config)
    w1_t, w2_t = weights_at(record_snapshots(config), t)
    loss, grad_w1, grad_w2 = tl.numpy_gradients(x, y, w1_t, w2_t)
    nodes = node_summaries(tensors_at(config, w1_t, w2_t))
    assert nodes["loss"]["value"]["max"] == loss
    assert nodes["w1"]["grad"]["norm"] == pytest.approx(np.linalg.norm(grad_w1), rel=1e-14)
    assert nodes["w2"]["grad"]["min"] == grad_w2.min()
    assert nodes["relu"]["active"] == np.mean(x @ w1_t > 0)
    assert nodes["h"]["value"]["shape"] == (64, 100)
    assert nodes["x"]["grad"] is None


def test_downsample_averages_blocks():
    matrix = np.arange(12.0).reshape(6, 2)
    small, block = downsample(matrix, max_side=3)
    assert block == (2, 1)
    np.testing.assert_array_equal(small, [[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]])
    big, block = downsample(np.ones((1000, 100)))
    assert big.shape == (100, 100) and block == (10, 1)
    odd, _ = downsample(np.ones((7, 1)), max_side=3)
    assert odd.shape == (3, 1) and np.all(odd == 1)  # the padding is ignored


def test_svg_export_is_valid_and_complete(default_graph):
    graph, _ = default_graph
    for nodes, edges in (drawing(*forward_graph(tl.Config()), "backward", None, "grad_h"),
                         autograd_drawing(graph)):
        svg = svg_text(nodes, edges)
        root = ET.fromstring(svg)
        texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        for node in nodes:
            assert node.lines[0] in texts
        lines = list(root.iter("{http://www.w3.org/2000/svg}line"))
        assert len(lines) == len(edges)
    assert "grad_h = grad_h_relu * (h &gt; 0)" in svg_text(
        *drawing(*forward_graph(tl.Config()), "backward"))


def test_snapshots_respect_the_memory_budget():
    config = tl.Config(n=4, d_in=20_000, hidden=2_000, d_out=4)  # w1: 320 MB
    assert snapshot_bytes(config) == 10 * 8 * 2_000 * 20_004
    with pytest.raises(ValueError, match="the scrubber's weight snapshots would need 2.98 GiB"):
        record_snapshots(config)


@pytest.mark.parametrize("t", [0, 1, 49])
def test_early_weights_need_no_snapshots_and_match_them(t):
    from twolayer.graph.snapshots import early_weights

    config = tl.Config(iterations=120)
    expected = weights_at(record_snapshots(config), t)
    got = early_weights(config, t)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    with pytest.raises(ValueError, match="iteration must be an integer from 0 to 49"):
        early_weights(config, 50)
