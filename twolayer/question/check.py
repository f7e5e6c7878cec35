"""A student's graph checked against the assignment's: every mistake it can name, each with
a hint that points without giving the answer, then the final word of an isomorphism test
(networkx) on operations, operand order, shapes and gradient marks, names aside.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from ..i18n import _, ngettext
from .match import digraph, first_difference, match, reversed_arrow
from .model import ARITY, Graph, Node, resolve, shown_shape, symbolic
from .reference import DATA, REFERENCE, WEIGHTS

# Every kind of finding, in the order a verdict lists them: the graph's structure first.
KINDS = {
    "empty": "the graph has no nodes",
    "duplicate": "two nodes share a name",
    "unknown_input": "an input names no node",
    "cycle": "a tensor is computed from itself",
    "no_shape": "a tensor with no operation and no shape",
    "wrong_arity": "an operation given the wrong number of inputs",
    "unused_input": "a tensor the graph starts from that nothing reads",
    "unused_result": "a computed tensor that nothing reads and is not the loss",
    "missing_relu": "no ReLU",
    "missing_loss": "the graph does not end in a loss",
    "loss_not_scalar": "the loss is not one number",
    "loss_mean": "the loss is a mean",
    "missing_square": "the errors are not squared",
    "w2_first": "w2 in the first product",
    "swapped_operands": "a product's operands swapped",
    "shapes_dont_chain": "a product of shapes that do not chain",
    "shapes_differ": "an elementwise operation on different shapes",
    "reversed_edge": "an arrow the wrong way round",
    "wrong_shape": "a shape that is not what its inputs give",
    "wrong_grad": "a gradient mark where none belongs, or none where one does",
    "differs": "the graph differs from the assignment's",
}
REFERENCE_SHAPES = {node.name: resolve(node.shape) for node in REFERENCE.nodes}
LEAF_ROLES = {REFERENCE_SHAPES[node.name]: node.name for node in REFERENCE.nodes if node.leaf}


@dataclass(frozen=True)
class Finding:
    """One mistake: its kind (a key of KINDS), what is wrong, a hint, the nodes it is on."""

    kind: str
    message: str
    hint: str
    node: str = ""  # the node it is about; '' for the whole graph
    related: tuple[str, ...] = ()  # other nodes it names


@dataclass
class Verdict:
    """correct; else the findings, in KINDS order. mapping: student name -> the
    assignment's, when correct."""

    correct: bool
    findings: list[Finding] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    def kinds(self) -> list[str]:
        return [finding.kind for finding in self.findings]

    def nodes(self) -> set[str]:
        """Every node a finding names."""
        return {n for f in self.findings for n in (f.node, *f.related) if n}


def check(graph: Graph) -> Verdict:
    """The student's graph against the assignment's.

    Returns a Verdict: correct (with the mapping of names) exactly when the graph is the
    assignment's but for names, line order and the equivalent spellings; else each mistake
    found, or one "differs" finding pointing at the first node that does.
    """
    fatal = _fatal(graph)
    if fatal:
        return Verdict(False, fatal)
    shapes, findings = infer(graph)
    # a shape as written where it is written (a wrong one is wrong), else as inferred
    stated = {n.name: resolve(n.shape) if n.shape is not None else shapes[n.name]
              for n in graph.nodes}
    mapping = match(graph, REFERENCE, stated, REFERENCE_SHAPES)
    if mapping is not None:
        return Verdict(True, [], mapping)
    structure = match(graph, REFERENCE, exact=False)
    findings = [*_leaves(graph), *_arity(graph), *_relu(graph), *_loss(graph), *findings,
                *_grads(graph, structure)]
    arrow = None if structure else reversed_arrow(graph, REFERENCE)
    if arrow:  # the rest are its symptoms on the two nodes
        findings = [f for f in findings if f.node not in arrow] + [_reversed(*arrow)]
    loss_nodes = {f.node for f in findings if f.kind == "loss_not_scalar"}
    findings = [f for f in findings if not (f.kind == "wrong_shape" and f.node in loss_nodes)]
    findings.sort(key=lambda f: list(KINDS).index(f.kind))
    return Verdict(False, findings or [_differs(graph, stated)])


# --- Structure: what must hold before anything else can be checked ---------------------------


def _fatal(graph: Graph) -> list[Finding]:
    """What makes every other check meaningless: no nodes, a name twice, an input that
    names no node, a cycle."""
    if not graph.nodes:
        return [Finding("empty", _("the graph is empty"), _("Start with the tensors the "
                        "network takes in, one a line: `name : shape`."))]
    found = [Finding("duplicate", _("two nodes are named {name}", name=name),
                     _("Each tensor has a name of its own: rename one of them."), name)
             for name, count in Counter(graph.names()).items() if count > 1]
    found += _unknown_inputs(graph)
    return found or _cycle(graph)


def _unknown_inputs(graph: Graph) -> list[Finding]:
    names = set(graph.names())
    return [Finding("unknown_input", _("{node} reads {name}, which is not a node; the nodes "
                                       "are {nodes}", node=node.name, name=name,
                                       nodes=", ".join(graph.names())),
                    _("Check the spelling, or give {name} a line of its own.", name=name),
                    node.name)
            for node in graph.nodes for name in dict.fromkeys(node.inputs) if name not in names]


def _cycle(graph: Graph) -> list[Finding]:
    try:
        cycle = [src for src, _dst in nx.find_cycle(digraph(graph))]
    except nx.NetworkXNoCycle:
        return []
    return [Finding("cycle", _("a cycle: {cycle}", cycle=" → ".join([*cycle, cycle[0]])),
                    _("A tensor cannot be computed from itself: follow the arrows from the "
                      "inputs towards the loss."), cycle[0], tuple(cycle[1:]))]


def _leaves(graph: Graph) -> list[Finding]:
    """Each tensor the graph starts from has a shape and is read."""
    found = []
    for node in graph.nodes:
        if node.leaf and node.shape is None:
            found.append(Finding("no_shape", _("{name} has no operation and no shape",
                                               name=node.name),
                                 _("Give a tensor the graph starts from its shape after a "
                                   "colon (rows×columns, in N, D_in, H, D_out or numbers), or "
                                   "give the operation that computes it."), node.name))
        if node.leaf and not graph.readers(node.name):
            found.append(Finding("unused_input", _("{name} is never used", name=node.name),
                                 _("Every tensor the graph starts from feeds an operation: "
                                   "connect {name}, or remove it.", name=node.name), node.name))
    return found


def _arity(graph: Graph) -> list[Finding]:
    """Each operation has as many inputs as it takes."""
    return [Finding("wrong_arity", ngettext("{name} applies {op} to {count} input; {op} takes "
                                            "{takes}", "{name} applies {op} to {count} inputs; "
                                            "{op} takes {takes}", len(node.inputs),
                                            name=node.name, op=node.op, takes=ARITY[node.op]),
                    _("Check which tensors the operation reads."), node.name)
            for node in graph.nodes if not node.leaf and len(node.inputs) != ARITY[node.op]]


# --- The network and its loss ---------------------------------------------------------------


def _relu(graph: Graph) -> list[Finding]:
    """The hidden layer's ReLU, or what stands in its place."""
    if any(node.op == "relu" for node in graph.nodes):
        return []
    other = next((n for n in graph.nodes if n.op in ("sigmoid", "tanh")), None)
    message = (_("{name} applies {op} where the assignment's hidden layer has a ReLU",
                 name=other.name, op=other.op) if other else _("the graph has no ReLU"))
    return [Finding("missing_relu", message, _("Which function does the hidden layer apply? "
                                               "Read the formula for y_pred again."),
                    other.name if other else "")]


def _loss(graph: Graph) -> list[Finding]:
    """The graph ends in one loss: a sum (not a mean) of squares, one number."""
    ends = [node for node in graph.nodes if not node.leaf and not graph.readers(node.name)]
    loss = next((node for node in ends if node.op in ("sum", "mean")), None)
    if loss is None:
        where = _("the graph ends at {name}, which is not a loss", name=ends[0].name) if ends \
            else _("the graph computes nothing")
        return [Finding("missing_loss", where, _("A loss is one number that measures the "
                                                 "errors: which operation turns a matrix into "
                                                 "one number?"), ends[0].name if ends else "")]
    found = [Finding("unused_result", _("{name} is computed but nothing uses it, and it is not "
                                        "the loss", name=node.name),
                     _("Every tensor computed leads on to the loss: connect {name}, or remove "
                       "it.", name=node.name), node.name) for node in ends if node != loss]
    return found + _loss_itself(graph, loss)


def _loss_itself(graph: Graph, loss: Node) -> list[Finding]:
    """The loss a sum, one number, of squares."""
    found = []
    if loss.op == "mean":
        found.append(Finding("loss_mean", _("{name} is a mean of the squared errors",
                                            name=loss.name),
                             _("Read the assignment's loss again: is it divided by the number "
                               "of entries?"), loss.name))
    if loss.shape is not None and resolve(loss.shape) != ():
        found.append(Finding("loss_not_scalar", _("{name} is given as {shape}, but a loss is "
                                                  "one number", name=loss.name,
                                                  shape=shown_shape(loss.shape)),
                             _("What shape is left after adding up every entry?"), loss.name))
    if not any(node.op == "square" for node in graph.nodes):
        found.append(Finding("missing_square", _("the errors are not squared before they are "
                                                 "added up"),
                             _("Read the assignment's loss again: what happens to each "
                               "difference before the sum?"), loss.name))
    return found


# --- Shapes, from the leaves down --------------------------------------------------------------


def infer(graph: Graph) -> tuple[dict[str, tuple | None], list[Finding]]:
    """Each tensor's shape in numbers, as its inputs give it (as given where they cannot),
    and the findings on the way: products that do not chain, shapes given wrong."""
    shapes: dict[str, tuple | None] = {}
    found: list[Finding] = []
    roles = _roles(graph)
    for name in nx.topological_sort(digraph(graph)):
        node = graph.node(name)
        given = resolve(node.shape)
        if node.leaf:
            shapes[name] = given
            continue
        computed, finding = _apply(node, [shapes[i] for i in node.inputs], roles)
        found += [finding] if finding else []
        if computed is not None and given is not None and computed != given:
            found.append(_wrong_shape(node, given))
        shapes[name] = computed if computed is not None else given
    if any(f.kind == "w2_first" for f in found):  # the other product's failure is its echo
        echoes = {n.name for n in graph.nodes if any(roles.get(i) == "w1" for i in n.inputs)}
        found = [f for f in found if f.kind == "w2_first" or f.node not in echoes]
    return shapes, found


def _roles(graph: Graph) -> dict[str, str]:
    """Which of the assignment's leaves each leaf is: by its shape, else by its name."""
    roles = {}
    for node in (node for node in graph.nodes if node.leaf):
        role = LEAF_ROLES.get(resolve(node.shape))
        if role or node.name in LEAF_ROLES.values():
            roles[node.name] = role or node.name
    return roles


def _apply(node: Node, inputs: list, roles: dict) -> tuple[tuple | None, Finding | None]:
    """The shape an operation gives its inputs' shapes, or None and why not."""
    if len(inputs) != ARITY[node.op] or any(shape is None for shape in inputs):
        return None, None
    if node.op == "matmul":
        return _product(node, *inputs, roles)
    if node.op in ("sub", "add", "mul"):
        if inputs[0] == inputs[1]:
            return inputs[0], None
        return None, Finding("shapes_differ", _("{formula}: {operands}, which are not the "
                                                "same shape", formula=_formula(node),
                                                operands=_operands(node, inputs)),
                             _("An elementwise operation takes two tensors of one shape: check "
                               "both."), node.name, node.inputs)
    if node.op in ("sum", "mean"):
        return (), None
    return (inputs[0][::-1] if node.op == "transpose" else inputs[0]), None


def _product(node: Node, a: tuple, b: tuple, roles: dict):
    """A @ B: (rows of A, columns of B) if they chain; else which mistake it is."""
    if len(a) == len(b) == 2 and a[1] == b[0]:
        return (a[0], b[1]), None
    if {roles.get(i) for i in node.inputs} == {"x", "w2"}:
        x, w2 = sorted(node.inputs, key=lambda i: roles[i] != "x")
        return None, Finding("w2_first", _("{name} multiplies {x} by {w2}, the second layer's "
                                           "weights", name=node.name, x=x, w2=w2),
                             _("{x} has D_in columns: which weight matrix has D_in rows?", x=x),
                             node.name, (w2,))
    if len(a) == len(b) == 2 and b[1] == a[0]:
        return None, Finding("swapped_operands", _("{formula}: {operands}, which do not chain "
                                                   "in this order", formula=_formula(node),
                                                   operands=_operands(node, (a, b))),
                             _("A @ B needs as many columns in A as rows in B: which goes "
                               "first?"), node.name)
    return None, Finding("shapes_dont_chain", _("{formula}: {operands}, which do not chain",
                                                formula=_formula(node),
                                                operands=_operands(node, (a, b))),
                         _("A @ B needs as many columns in A as rows in B: check the shapes of "
                           "both."), node.name, node.inputs)


def _wrong_shape(node: Node, given: tuple) -> Finding:
    """A shape given that its inputs do not give; the rule, never the shape itself."""
    rules = {"matmul": _("Work it out from the shapes of its inputs: a product keeps the rows "
                         "of its first operand and the columns of its second."),
             "sum": _("Work it out from the shapes of its inputs: a sum of every entry is one "
                      "number."),
             "transpose": _("Work it out from the shapes of its inputs: a transpose swaps rows "
                            "and columns.")}
    hint = rules.get(node.op) or _("Work it out from the shapes of its inputs: an elementwise "
                                   "operation keeps its inputs' shape.")
    return Finding("wrong_shape", _("{name} is given as {shape}, which does not match what "
                                    "{inputs} give", name=node.name,
                                    shape=shown_shape(symbolic(given)),
                                    inputs=", ".join(node.inputs)), hint, node.name)


def _formula(node: Node) -> str:
    return f"{node.name} = {' @ '.join(node.inputs) if node.op == 'matmul' else node.op}"


def _operands(node: Node, shapes) -> str:
    (first, second), (first_shape, second_shape) = node.inputs, shapes  # a binary operation
    return _("{first} is {first_shape} and {second} is {second_shape}", first=first,
             first_shape=shown_shape(symbolic(first_shape)), second=second,
             second_shape=shown_shape(symbolic(second_shape)))


# --- Gradients, arrows, and what is left -------------------------------------------------------


def _grads(graph: Graph, structure: dict | None) -> list[Finding]:
    """Gradient marks: on the weights, not on the data, never on a computed tensor. A leaf
    is known by its shape or name; by its place in the structure only failing both (the
    structure alone cannot tell x @ w1 from w1 @ x)."""
    roles = {**(structure or {}), **_roles(graph)}
    found = []
    for node in graph.nodes:
        role = roles.get(node.name)
        if not node.leaf and node.grad:
            found.append(Finding("wrong_grad", _("{name} is computed, yet marked to get a "
                                                 "gradient", name=node.name),
                                 _("A gradient mark goes on a tensor the graph starts from; "
                                   "those computed from it follow."), node.name))
        elif node.leaf and role in DATA and node.grad:
            found.append(Finding("wrong_grad", _("{name} is marked to get a gradient",
                                                 name=node.name),
                                 _("Gradient descent updates what the network learns: does it "
                                   "change {name}?", name=node.name), node.name))
        elif node.leaf and role in WEIGHTS and not node.grad:
            found.append(Finding("wrong_grad", _("{name} is not marked to get a gradient",
                                                 name=node.name),
                                 _("Which tensors does gradient descent update? Each needs its "
                                   "gradient."), node.name))
    return found


def _reversed(src: str, dst: str) -> Finding:
    return Finding("reversed_edge", _("the arrow between {src} and {dst} points the wrong "
                                      "way: here {src} feeds {dst}", src=src, dst=dst),
                   _("Data flows from the inputs to the loss: which of the two is computed "
                     "from the other?"), dst, (src,))


def _differs(graph: Graph, shapes: dict) -> Finding:
    """What no named mistake explains: where to look."""
    name, how = first_difference(graph, REFERENCE, shapes, REFERENCE_SHAPES)
    hints = {"differs": _("Look at {name}: the assignment computes nothing the way it is "
                          "computed here.", name=name),
             "stops": _("Look at {name}: the assignment goes on from it.", name=name),
             "repeats": _("Look at {name}: the same is computed twice.", name=name)}
    return Finding("differs", _("the graph differs from the assignment's"), hints[how], name)
