"""Question 1, the computational graph: read from text, a table or DOT, and checked."""

import pydot
import pytest

import twolayer as tl
from twolayer.graph.drawing import graph_dot
from twolayer.question import (
    KINDS,
    MAX_NODES,
    REFERENCE,
    Graph,
    GraphError,
    Node,
    backward_dot,
    check,
    dotfile,
    forward_dot,
    from_rows,
    parse,
    read,
    to_dot,
    to_rows,
    to_text,
)
from twolayer.question.reference import TEXT

LINES = TEXT.splitlines()


def edit(**changes: str) -> str:
    """The reference text with some lines replaced (by the name they define) or dropped."""
    out = []
    for line in LINES:
        name = line.split("=")[0].split(":")[0].strip()
        if name not in changes:
            out.append(line)
        elif changes[name]:
            out.append(changes[name])
    return "\n".join(out) + "\n"


def kinds(text: str) -> list[str]:
    return check(parse(text)).kinds()


# --- Accepted: the assignment's graph, however it is written ---------------------------------

RENAMED = """\
inputs : N×D_in
W_a : D_in×H, grad
z = inputs @ W_a : N×H
a = relu(z) : N×H
W_b : H×D_out, grad
out = a @ W_b : N×D_out
target : N×D_out
e = out - target : N×D_out
e2 = e ** 2 : N×D_out
J = sum(e2) : scalar
"""

EQUIVALENT = {
    "the reference itself": TEXT,
    "other names, loss J": RENAMED,
    "lines in reverse order": "\n".join(reversed(LINES)) + "\n",
    "comments and blank lines": "# the forward pass\n\n" + TEXT.replace(
        "h = x @ w1 : N×H", "h = x @ w1 : N×H   # first layer\n"),
    "square as d * d": edit(sq="sq = diff * diff : N×D_out"),
    "square as pow(d, 2)": edit(sq="sq = pow(diff, 2) : N×D_out"),
    "square as np.square and d.pow(2)": edit(sq="sq = np.square(diff) : N×D_out"),
    "square as a method": edit(sq="sq = diff.pow(2)"),
    "y - y_pred before the square": edit(diff="diff = y - y_pred : N×D_out"),
    "relu as np.maximum(h, 0)": edit(h_relu="h_relu = np.maximum(h, 0) : N×H"),
    "relu as maximum(0, h)": edit(h_relu="h_relu = maximum(0, h) : N×H"),
    "relu as torch.clamp(h, min=0)": edit(h_relu="h_relu = torch.clamp(h, min=0) : N×H"),
    "relu as clip(h, 0, None)": edit(h_relu="h_relu = np.clip(h, 0, None)"),
    "relu as F.relu and h.clamp(min=0)": edit(h_relu="h_relu = F.relu(h)",
                                               y_pred="y_pred = h_relu.dot(w2)"),
    "products as np.dot, torch.mm, x.dot": edit(h="h = np.dot(x, w1)",
                                               y_pred="y_pred = torch.mm(h_relu, w2)"),
    "shapes in numbers": edit(x="x : 64×1000", w1="w1 : (1000, 100), grad",
                              w2="w2 : [100, 10], grad", y="y : 64,1000".replace("1000", "10")),
    "shapes in x, *, mixed": edit(x="x : N x D_in", w1="w1 : D_in*100, requires_grad=True",
                                  w2="w2 : H×10, grad", y="y : 64×D_out"),
    "scalar as () and as 1": edit(loss="L = np.sum(sq) : ()"),
    "scalar as 1, reduce_sum": edit(loss="loss = tf.reduce_sum(sq) : 1"),
    "computed shapes left out": "\n".join(line.split(":")[0] if "=" in line else line
                                          for line in LINES) + "\n",
}


@pytest.mark.parametrize("text", EQUIVALENT.values(), ids=EQUIVALENT.keys())
def test_the_assignments_graph_is_accepted_in_each_equivalent_form(text):
    verdict = check(parse(text))
    assert verdict.correct, verdict.findings
    assert verdict.findings == []
    assert sorted(verdict.mapping.values()) == sorted(REFERENCE.names())


def test_a_correct_verdict_maps_the_students_names_to_the_assignments():
    mapping = check(parse(RENAMED)).mapping
    assert mapping == {"inputs": "x", "W_a": "w1", "z": "h", "a": "h_relu", "W_b": "w2",
                       "out": "y_pred", "target": "y", "e": "diff", "e2": "sq", "J": "loss"}


# --- Caught: each classic mistake, by its name -----------------------------------------------

MISTAKES = {
    "missing_relu": edit(h_relu="", y_pred="y_pred = h @ w2 : N×D_out"),
    "missing_relu ": edit(h_relu="h_relu = sigmoid(h) : N×H"),
    "missing_loss": edit(loss=""),
    "loss_mean": edit(loss="loss = mean(sq) : scalar"),
    "loss_not_scalar": edit(loss="loss = sum(sq) : N×D_out"),
    "missing_square": edit(sq="", loss="loss = sum(diff) : scalar"),
    "w2_first": edit(h="h = x @ w2 : N×H", y_pred="y_pred = h_relu @ w1 : N×D_out"),
    "swapped_operands": edit(h="h = w1 @ x : N×H"),
    "shapes_dont_chain": edit(x="x : D_in×N"),
    "reversed_edge": edit(w2="w2 = matmul(y_pred) : H×D_out",
                          y_pred="y_pred = matmul(h_relu) : N×D_out"),
    "wrong_shape": edit(h="h = x @ w1 : N×D_out"),
    "wrong_grad": edit(x="x : N×D_in, grad"),
    "wrong_grad ": edit(w2="w2 : H×D_out"),
    "wrong_grad  ": edit(h="h = x @ w1 : N×H, grad"),
    "cycle": edit(h="h = h_relu @ w1 : N×H"),
    "duplicate": TEXT + "h = x @ w1 : N×H\n",
    "unknown_input": edit(h="h = x @ W1 : N×H"),
    "unused_input": TEXT + "b : H\n",
    "unused_result": TEXT + "extra = relu(y_pred)\n",
    "no_shape": edit(x="x"),
    "wrong_arity": edit(h_relu="h_relu = relu(h, w1) : N×H"),
    "shapes_differ": edit(y="y : N×H"),
    "differs": edit(y_pred="y_pred = h_relu @ w2 : N×D_out",
                    loss="loss = sum(sq) : scalar\nloss2 = sum(loss)"),
}


@pytest.mark.parametrize("kind,text", MISTAKES.items(), ids=MISTAKES.keys())
def test_each_named_mistake_is_caught_with_its_kind_first(kind, text):
    verdict = check(parse(text))
    assert not verdict.correct
    assert verdict.findings[0].kind == kind.strip(), verdict.findings
    assert verdict.mapping == {}


def test_every_kind_of_finding_is_reachable_and_declared():
    # "empty" comes from an empty graph; the rest from the mistakes above
    seen = {k.strip() for k in MISTAKES} | set(check(Graph()).kinds())
    assert seen == set(KINDS)


def test_structural_findings_stop_the_check_before_shapes_and_loss():
    verdict = check(parse(edit(h="h = h_relu @ w1 : N×D_out", loss="")))
    assert verdict.kinds() == ["cycle"]
    assert set(verdict.findings[0].related) | {verdict.findings[0].node} == {"h", "h_relu"}


@pytest.mark.parametrize("text,words", [
    (edit(h="h = x @ W1 : N×H"), ("W1", "the nodes are x, w1")),
    (edit(h="h = w1 @ x : N×H"), ("w1 is D_in×H", "x is N×D_in")),
    (edit(x="x : D_in×N"), ("x is D_in×N", "w1 is D_in×H")),
    (edit(h="h = x @ w1 : N×D_out"), ("h is given as N×D_out", "x, w1")),
    (TEXT + "h = x @ w1 : N×H\n", ("two nodes are named h",)),
])
def test_a_finding_names_the_nodes_and_shapes_it_is_about(text, words):
    message = check(parse(text)).findings[0].message
    assert all(word in message for word in words), message


@pytest.mark.parametrize("text", [text for kind, text in MISTAKES.items() if kind != "differs"])
def test_no_hint_gives_the_answer_away(text):
    # the hints point at a rule or a question; none writes the assignment's lines
    answers = ("x @ w1", "h_relu @ w2", "relu(h)", "y_pred - y", "sum(", "N×H", "D_in×H")
    for finding in check(parse(text)).findings:
        assert not any(answer in finding.hint for answer in answers), finding.hint


def test_the_reversed_arrow_is_named_without_its_symptoms():
    verdict = check(parse(MISTAKES["reversed_edge"]))
    assert verdict.kinds() == ["reversed_edge"]
    assert (verdict.findings[0].related, verdict.findings[0].node) == (("y_pred",), "w2")


def test_a_difference_is_swappable_only_where_it_is_squared():
    # y - y_pred is wrong where the sign survives: the loss sums it directly
    loose = "x : N×D_in\nw : D_in×D_out, grad\np = x @ w\ny : N×D_out\n"
    assert check(parse(edit(diff="diff = y - y_pred : N×D_out"))).correct
    assert not check(parse(loose + "d = y - p\nloss = sum(d) : scalar")).correct


# --- Refused by the notation: named, with the line -------------------------------------------


@pytest.mark.parametrize("line,words", [
    ("h = relu(x @ w1) : N×H", "one operation a line: give x @ w1 its own line"),
    ("h = x / w1", "unknown operation '/'; the known ones are matmul (@, mm, dot)"),
    ("h = softplus(x)", "unknown operation 'softplus'; the known ones are matmul"),
    ("h = __import__('os')", "unknown operation '__import__'"),
    ("h = x[0]", "x[0] (Subscript) is not allowed"),
    ("h = x.T", "x.T (Attribute) is not allowed"),
    ("import os", "import os (Import) is not allowed"),
    ("h = lambda: 0", "cannot read"),
    ("h = np.maximum(h, 1)", "1 (Constant) is not allowed"),
    ("h = torch.clamp(h, max=0)", "the only keyword known is min=0"),
    ("sq = diff ** 3", "the only power known is ** 2"),
    ("x : N×K", "size 'K' in the shape 'N×K' is unknown"),
    ("x : N×9999999", "not between 1 and 1000000"),
    ("h = x", "= x has no operation"),
    ("x @ w1", "give the result a name"),
    ("a; b", "one node a line"),
    ("h-1 = x", "cannot read"),
])
def test_the_notation_refuses_what_is_not_on_its_allow_list(line, words):
    with pytest.raises(GraphError, match="^line 2: ") as error:
        parse("x : N×D_in\n" + line)
    assert words in str(error.value)
    assert error.value.line == 2


@pytest.mark.parametrize("text,bound", [
    ("x" * 10_001, "MAX_TEXT"),
    ("x : " + "N×" * 100 + "N", "MAX_LINE"),
    ("\n".join(f"x{i} : N" for i in range(MAX_NODES + 1)), "MAX_NODES"),
    ("a" * 41 + " : N", "MAX_NAME"),
    ("x : " + "×".join("N" * 9), "MAX_RANK"),
])
def test_the_notation_refuses_what_is_over_a_bound_naming_it(text, bound):
    with pytest.raises(GraphError, match=bound):
        parse(text)


def test_the_notation_reads_shapes_grads_and_aliases_into_canonical_nodes():
    nodes = parse("x : (64, 1000)\nw1 : D_in x H, requires_grad=True\nh = np.dot(x, w1)\n"
                  "s = h * h : 1\n").nodes
    assert nodes == (Node("x", None, (), (64, 1000)), Node("w1", None, (), ("D_in", "H"), True),
                     Node("h", "matmul", ("x", "w1")), Node("s", "square", ("h",), ()))
    assert [n.line for n in nodes] == [1, 2, 3, 4]


@pytest.mark.parametrize("text", [TEXT, RENAMED, *MISTAKES.values()])
def test_to_text_reads_back_as_the_same_graph(text):
    graph = parse(text)
    assert parse(to_text(graph)) == graph


# --- The table editor ------------------------------------------------------------------------


def test_rows_read_as_the_same_graph_as_the_text():
    rows = [{"node": "x", "operation": "tensor", "inputs": "", "shape": "N×D_in", "grad": False},
            {"node": "w1", "operation": "tensor", "inputs": None, "shape": "D_in×H", "grad": True},
            {"node": "h", "operation": "@", "inputs": "x, w1", "shape": "N×H",
             "grad": float("nan")},
            {"node": None, "operation": None, "inputs": None, "shape": None, "grad": None},
            {"node": "h_relu", "operation": "ReLU", "inputs": "h", "shape": "N×H", "grad": "no"},
            {"node": "w2", "operation": "", "inputs": "", "shape": "H×D_out", "grad": "yes"},
            {"node": "y_pred", "operation": "matmul", "inputs": "h_relu,w2", "shape": "N×D_out"},
            {"node": "y", "operation": "tensor", "inputs": "", "shape": "N×D_out"},
            {"node": "diff", "operation": "-", "inputs": "y_pred, y", "shape": "N×D_out"},
            {"node": "sq", "operation": "mul", "inputs": "diff, diff", "shape": "N×D_out"},
            {"node": "loss", "operation": "np.sum", "inputs": "sq", "shape": "scalar"}]
    graph = from_rows(rows)
    assert graph == REFERENCE
    assert [n.line for n in graph.nodes] == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11]


@pytest.mark.parametrize("text", [TEXT, RENAMED, *MISTAKES.values()])
def test_to_rows_reads_back_as_the_same_graph(text):
    graph = parse(text)
    assert from_rows(to_rows(graph)) == graph


@pytest.mark.parametrize("row,words", [
    ({"node": "h", "operation": "softmax", "inputs": "x"}, "row 2: unknown operation 'softmax'"),
    ({"node": "h", "operation": "tensor", "inputs": "x"}, "row 2: h has inputs"),
    ({"node": "h h", "operation": "@", "inputs": "x, x"}, "row 2: 'h h' is not a name"),
    ({"node": "h", "operation": "@", "inputs": "x, 0"}, "row 2: '0' is not a name"),
    ({"node": "h", "operation": "@", "inputs": "x", "shape": "N×Q"}, "row 2: size 'Q'"),
    ({"node": "h", "operation": "relu", "inputs": "x", "grad": "maybe"}, "row 2: the grad cell"),
    ({"node": 3, "operation": "relu"}, "row 2: the node cell is not text"),
])
def test_rows_are_refused_with_the_row_named(row, words):
    with pytest.raises(GraphError) as error:
        from_rows([{"node": "x", "shape": "N×D_in"}, row])
    assert str(error.value).startswith(words)


def test_too_many_rows_are_refused_before_any_is_read():
    with pytest.raises(GraphError, match="more than 240 rows"):
        from_rows([{"node": "x"}] * 10**6)


# --- DOT files, both styles --------------------------------------------------------------------

OPS_AS_NODES = r"""
digraph "my graph" {
  node [shape=box];  // Graphviz's own shape attribute, not a tensor's shape
  x [label="x (N×D_in)", shape=ellipse];
  w1 [label="w1\nD_in×H\ngrad"];
  m1 [label="MatMul"];
  w1 -> m1 [label="1"];
  x -> m1 [label="0"];
  m1 -> h;
  h [label="h: N×H"];
  h -> r;
  r [label="ReLU"];
  r -> "h relu";
  "h relu" [label="h_relu [64, 100]"];
  w2 [label="w2", shape_="H×D_out", grad=true];
  m2 [label="@"];
  "h relu" -> m2;  w2 -> m2;
  m2 -> y_pred [color="red"];
  y_pred [label=<<b>y_pred</b><br/>64×10>];
  y [label="y\n64×10"];
  s [label="-"];  y_pred -> s;  y -> s;
  p [label="**2"];  s -> p;
  sum1 [label="sum"];  p -> sum1;
  sum1 -> loss;
  loss [label="loss: scalar"];
}
"""

OPS_ON_EDGES = """
digraph {
  x [label="x\\nN×D_in"]; y [label="y (N×D_out)"];
  w1 [label="w1 (D_in×H), requires_grad"]; w2 [label="w2 (H×D_out)", grad=true];
  w1 -> h [label="@ (1)"];
  x -> h [label="@ (0)"];
  h -> h_relu [label="relu"];
  h_relu -> y_pred [label="matmul"]; w2 -> y_pred [label="matmul"];
  y -> d [label="-"]; y_pred -> d [label="-"];
  d -> sq [label="**2"];
  sq -> "the loss" [label="sum"];
  "the loss" [label="L\\nscalar"];
}
"""


@pytest.mark.parametrize("text", [OPS_AS_NODES, OPS_ON_EDGES], ids=["ops as nodes",
                                                                   "ops on edges"])
def test_both_dot_styles_read_as_the_assignments_graph(text):
    verdict = check(read(text))
    assert verdict.correct, verdict.findings


def test_ops_as_nodes_reads_names_shapes_and_marks_from_odd_labels():
    graph = read(OPS_AS_NODES)
    assert graph.node("h_relu").shape == (64, 100)
    assert graph.node("y_pred") == Node("y_pred", "matmul", ("h_relu", "w2"), (64, 10))
    assert graph.node("x") == Node("x", None, (), ("N", "D_in"))  # shape=ellipse: its outline
    assert graph.node("w1").grad and graph.node("w2").shape == ("H", "D_out")
    assert graph.node("h").inputs == ("x", "w1")  # by the numbered arrows, not their order


def test_ops_on_edges_reads_the_order_on_the_arrows_and_the_swap_before_the_square():
    graph = read(OPS_ON_EDGES)
    assert graph.node("h").inputs == ("x", "w1")
    assert graph.node("d").inputs == ("y", "y_pred")  # as drawn, and accepted: it is squared
    assert graph.node("L") == Node("L", "sum", ("sq",), ())


def test_a_reversed_arrow_drawn_in_dot_is_named():
    text = OPS_ON_EDGES.replace("w2 -> y_pred", "y_pred -> w2")
    verdict = check(read(text))
    assert verdict.kinds() == ["reversed_edge"]


@pytest.mark.parametrize("text,words", [
    ("digraph {\n a -> b;\n c -> ;\n}", "line 3: the DOT does not parse"),
    ("digraph { a -> b [label=\"x\"; }", "line 1: the DOT does not parse"),
    ("graph { a -- b }", "directed"),
    ("digraph { a } digraph { b }", "one graph"),
    ("digraph { {a b} -> c }", "group"),
    ('digraph { x -> h [label="@"]; w -> h [label="relu"] }', "say matmul and relu"),
    ('digraph { x -> h [label="@"]; h -> k [label="softmax"] }', "'softmax', which is not"),
    ('digraph { m [label="@"]; m -> a; m -> b }', "one result"),
    ('digraph { x -> h }', "an arrow from x to h joins two tensors"),
    ('digraph { "a b" -> m; m [label="relu"] }', "'a b' is not a name"),
    ('digraph { x [label="x (N×Q)"] }', "size 'Q'"),
    ("digraph {" + "{" * 20 + "}" * 20 + "}", "nested more than 8"),
])
def test_dot_that_cannot_be_read_is_a_graph_error_that_says_where(text, words):
    with pytest.raises(GraphError) as error:
        read(text)
    assert words in str(error.value)


def test_a_dot_parse_error_carries_its_line():
    with pytest.raises(GraphError) as error:
        read("digraph {\n a -> b;\n\n c -> ;\n}")
    assert error.value.line == 4


@pytest.mark.parametrize("text,bound", [
    ("digraph {\n" + "\n".join(f"n{i};" for i in range(1000)) + "\n}", "60 nodes"),
    ("digraph {\n" + "\n".join(f"n{i} -> n{i + 1};" for i in range(1000)) + "\n}", "240 arrows"),
    ("digraph { " + "a -> b; " * 241 + "}", "240 arrows"),
    ('digraph { a [label="' + "x" * 250_000 + '"] }', "200 KB"),
])
def test_huge_dot_is_refused_before_pydot_parses_it(text, bound, monkeypatch):
    def never(_):
        raise AssertionError("parsed")
    monkeypatch.setattr(dotfile, "_parse", never)
    with pytest.raises(GraphError, match=bound):
        read(text)


def test_the_parsed_graph_is_counted_before_a_graph_is_built():
    # 61 nodes: under the coarse bound read before parsing, over the exact one after it
    text = "digraph { " + " ".join(f"n{i};" for i in range(MAX_NODES + 1)) + " }"
    with pytest.raises(GraphError, match="more than 60 nodes"):
        read(text)


# --- The app's own Computational Graph page ---------------------------------------------------


def test_the_apps_backward_graph_reads_back_as_the_assignments():
    # its arrows out of w1 and w2 carry grad_w1 and grad_w2: the marks
    verdict = check(read(graph_dot(tl.Config(), view="backward")))
    assert verdict.correct, verdict.findings
    assert verdict.mapping["subtract"] == "diff" and verdict.mapping["square"] == "sq"


def test_the_apps_forward_graph_has_shapes_and_lacks_only_the_gradient_marks():
    verdict = check(read(graph_dot(tl.Config(), view="forward")))
    assert [(f.kind, f.node) for f in verdict.findings] == [("wrong_grad", "w1"),
                                                            ("wrong_grad", "w2")]


def test_the_apps_graph_of_the_mean_loss_is_named_as_a_mean():
    verdict = check(read(graph_dot(tl.Config(loss="mean"), view="backward")))
    assert verdict.kinds() == ["loss_mean"]


def test_a_zero_at_the_end_of_a_gradients_label_is_not_an_input_position():
    edge = dotfile._dot_edge("h", "relu", {"label": '"grad_h = grad_h_relu * (h > 0)"'})
    assert edge.order is None
    assert dotfile._dot_edge("w1", "m", {"label": '"@ (1)"'}).order == 1
    assert dotfile._dot_edge("w1", "m", {"taillabel": "1"}).order == 1


# --- Drawing and writing DOT ----------------------------------------------------------------

MARKUP = ('<b>x</b>', 'say "hi"', 'back\\slash', '{a|b}', 'two\nlines')


def _labels(dot_text: str) -> dict[str, str]:
    """Each node's label as pydot reads it back (quotes and escapes decoded)."""
    (graph,) = pydot.graph_from_dot_data(dot_text)
    return {n.get_name(): dotfile._label(n.get("label")) for n in graph.get_nodes()
            if n.get("label")}


def test_forward_dot_escapes_every_label_and_still_parses():
    nodes = tuple(Node(name, None, (), ("N",)) for name in MARKUP)
    nodes += (Node("sum_all", "add", MARKUP[:2], ()),)
    text = forward_dot(Graph(nodes))
    labels = _labels(text)
    assert [labels[f"t{i}"] for i in range(len(MARKUP))] == [f"{m}\nN" for m in MARKUP]
    assert '"say \\"hi\\"\\nN"' in text and "\\<b\\>x\\</b\\>" in text
    assert "]\n  x [" not in text and text.count("->") == 3  # nothing injected


def test_forward_dot_colours_the_nodes_a_finding_names():
    graph = parse(MISTAKES["swapped_operands"])
    text = forward_dot(graph, check(graph))
    red = [line.split()[0] for line in text.splitlines() if "#c0392b" in line]
    assert red == ["t2", "o2"]  # h, and the product that computes it
    assert "#c0392b" not in forward_dot(graph)


def test_forward_dot_draws_an_unknown_input_dashed():
    text = forward_dot(parse(edit(h="h = x @ W1 : N×H")))
    assert 'label="W1 ?", shape=ellipse, style=dashed' in text
    assert pydot.graph_from_dot_data(text)


def test_backward_dot_labels_each_arrow_with_its_gradient_in_the_assignments_names():
    graph = parse(RENAMED)
    text = backward_dot(graph, check(graph).mapping)
    for label in ("grad_w1 = x.T @ grad_h", "grad_w2 = h_relu.T @ grad_y_pred",
                  "grad_h = grad_h_relu * (h \\> 0)", "grad_h_relu = grad_y_pred @ w2.T",
                  "grad_y_pred = 2.0 * (y_pred - y)", "grad_loss = 1", "grad_y_pred",
                  "no gradient: data"):
        assert f'label="{label}"' in text, label
    assert text.count("no gradient: data") == 2 and text.count("dir=back") == 15
    assert pydot.graph_from_dot_data(text)


@pytest.mark.parametrize("text", [TEXT, RENAMED, *EQUIVALENT.values(),
                                  *(t for k, t in MISTAKES.items() if k != "unknown_input")])
def test_to_dot_reads_back_as_the_same_graph(text):
    graph = parse(text)
    assert read(to_dot(graph)) == graph


def test_to_dot_draws_an_input_that_names_no_node_as_a_tensor_without_a_shape():
    # an arrow needs a node to start from: read back, W1 is a leaf, and the check says so
    graph = read(to_dot(parse(MISTAKES["unknown_input"])))
    assert graph.node("W1") == Node("W1", None, (), None)
    assert check(graph).kinds()[:1] == ["no_shape"]


def test_to_dot_round_trips_graphs_only_dot_can_give():
    graph = read('digraph { x [label="x: N×D_in"]; m [label="matmul"]; x -> m; '
                 'r [label="relu"]; r -> out }')
    assert [(n.name, n.op, n.inputs) for n in graph.nodes] == [
        ("x", None, ()), ("matmul", "matmul", ("x",)), ("out", "relu", ())]
    assert read(to_dot(graph)) == graph
    assert check(graph).kinds()[:1] == ["wrong_arity"]
