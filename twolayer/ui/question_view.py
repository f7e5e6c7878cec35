"""Streamlit pieces of the Exercise page's question 1: the computational graph, built node by
node (as text or in a table, or from a .dot file), drawn live and checked.

The graph's text lives in st.session_state["graph_text"]: the text area writes it as it
changes, the table as it is edited, an upload when it is read. The address bar carries it
(?graph=, like the blanks' attempt), so a reload or a shared link shows the same graph.
"""

from __future__ import annotations

import streamlit as st

from ..i18n import LANGUAGES, N_, _, language
from ..question import (
    MAX_TEXT,
    GraphError,
    backward_dot,
    check,
    forward_dot,
    from_rows,
    parse,
    read,
    share,
    to_dot,
    to_rows,
    to_svg,
    to_text,
)
from ..question.dotfile import MAX_BYTES
from . import options as page_options
from .exercise_view import badge

STARTER = N_("""\
# One node a line. A tensor the graph starts from:  name : shape[, grad]
# A computed one:  name = operation : shape   (one operation a line)
x : N×D_in
""")
MODES = {"text": N_("Text, a node a line"), "table": N_("Table")}


def _link_graph(text: str) -> str:
    share.decode(text)  # a ValueError says what is wrong with it
    return text


OPTIONS = (page_options.Option("graph", "", reader=_link_graph),)


def graph_text() -> str:
    """The session's graph; on a first visit, the one its link carries, else the starter."""
    if "graph_text" not in st.session_state:
        link = page_options.value("graph")
        st.session_state["graph_text"] = share.decode(link) if link else _(STARTER)
    return st.session_state["graph_text"]


def untouched() -> bool:
    """True while the graph is the starter, in any language: nothing typed yet."""
    return graph_text() in _starters()


def _starters() -> set[str]:
    starters = set()
    for lang in LANGUAGES:
        with language(lang):
            starters.add(_(STARTER))
    return starters


def _keep(text: str) -> None:
    """A new graph text: stored, and put in the link if it fits."""
    st.session_state["graph_text"] = text
    encoded = share.encode(text)
    page_options.set_value("graph", encoded if len(encoded) <= share.MAX_LINK else "")


def _renew() -> None:
    """The text area and the table start again from graph_text (an upload, a mode switch)."""
    st.session_state["graph_inputs"] = st.session_state.get("graph_inputs", 0) + 1


def _key(name: str) -> str:
    return f"w_graph_{name}_{st.session_state.get('graph_inputs', 0)}"


def _typed() -> None:
    _keep(st.session_state.get(_key("text"), "")[:MAX_TEXT + 1])


def _uploaded() -> None:
    """A .dot file arrived: read (never run), and its graph becomes the text."""
    upload = st.session_state.get("w_graph_dot")
    if upload is None:
        return
    raw = upload.getvalue()
    try:
        graph = read(raw[:MAX_BYTES + 1].decode("utf-8", "strict"))  # read() refuses past it
    except (GraphError, UnicodeDecodeError) as error:
        reason = (_("it is not UTF-8 text") if isinstance(error, UnicodeDecodeError)
                  else error)
        st.session_state["graph_error"] = _("{name} can't be read: {reason}.",
                                            name=upload.name, reason=reason)
        return
    _keep(to_text(graph))
    _renew()


def editor() -> tuple[object, str | None]:
    """The inputs: a mode, the text area or the table, a .dot upload. Returns the graph
    they give (or None) and why there is none."""
    modes = {k: _(v) for k, v in MODES.items()}  # labels now: format_func runs anywhere
    mode = st.radio(_("Build it as"), tuple(MODES), format_func=modes.get, horizontal=True,
                    key="w_graph_mode", on_change=_renew)
    if mode == "table":
        found = _table()
    else:
        st.text_area(_("Your graph"), graph_text(), key=_key("text"), height=300,
                     on_change=_typed, max_chars=MAX_TEXT,
                     help=_("Inputs: `x : N×D_in`, `w1 : D_in×H, grad`. Computed: "
                            "`h = x @ w1 : N×H`. Operations: @, -, ** 2, relu(…), sum(…), "
                            "np.maximum(h, 0) …; shapes as symbols or numbers."))
        found = _parsed(graph_text())
    st.file_uploader(_("Or read a Graphviz file (.dot, .gv)"), type=["dot", "gv"],
                     key="w_graph_dot", on_change=_uploaded, max_upload_size=1,
                     help=_("Operations as nodes, or tensors as nodes with each operation "
                            "on its arrows. Read, never run."))
    if "graph_error" in st.session_state:
        st.error(st.session_state.pop("graph_error"))
    return found


def _parsed(text: str):
    try:
        return parse(text), None
    except GraphError as error:
        return None, str(error)


def _table():
    """The graph as an editable table, a node a row; edits become the graph's text."""
    graph, _problem = _parsed(graph_text())
    base = st.session_state.setdefault(_key("rows"), to_rows(graph) if graph else [])
    edited = st.data_editor(
        base, num_rows="dynamic", key=_key("table"), hide_index=True, width="stretch",
        column_config={
            "node": st.column_config.TextColumn(_("node"), help=_("its name: x, h, loss …")),
            "operation": st.column_config.TextColumn(
                _("operation"),
                help=_("tensor (an input), or matmul, relu, sub, square, sum …")),
            "inputs": st.column_config.TextColumn(
                _("inputs"), help=_("the nodes it reads, in order: x, w1")),
            "shape": st.column_config.TextColumn(_("shape"),
                                                 help=_("N×D_in, 64×1000, scalar")),
            "grad": st.column_config.CheckboxColumn(
                "grad", help=_("an input that gets a gradient")),
        })
    try:
        graph = from_rows(edited)
    except GraphError as error:
        return None, str(error)
    if to_text(graph) != graph_text():
        _keep(to_text(graph))
    return graph, None


def drawing(graph, verdict) -> None:
    """The graph as it stands, redrawn as it changes; what a finding names, in red."""
    if graph is not None and graph.nodes:
        st.graphviz_chart(forward_dot(graph, verdict), width="stretch")


def verdict_of(graph):
    """The graph checked against the assignment's (a few milliseconds: it is small)."""
    return check(graph) if graph is not None and graph.nodes else None


def findings(verdict, problem: str | None) -> None:
    """The verdict: the badge when the graph is right, else each finding with its hint."""
    if problem is not None:
        st.error(_("The graph can't be read: {problem}.", problem=problem),
                 icon=":material/block:")
        return
    if verdict is None or untouched():
        st.caption(_("Add the graph's nodes, a line each: it is drawn and checked as you "
                     "go."))
        return
    if verdict.correct:
        badge("correct", _("Your graph is the assignment's: every operation, its inputs in "
                           "order, every shape given, and gradients for w1 and w2 only."))
    for finding in verdict.findings:
        badge("wrong", _("{message}. {hint}", message=finding.message, hint=finding.hint))


def backward(graph, verdict) -> None:
    """The backward pass drawn on the student's graph: blank 2's lines, edge by edge."""
    st.markdown(_("**The backward pass on your graph**: the gradient that flows back along "
                  "each arrow. Blank 2 below computes grad_h_relu, grad_h and grad_w1 "
                  "along these arrows."))
    st.graphviz_chart(backward_dot(graph, verdict.mapping), width="stretch")


def downloads(graph) -> None:
    """The graph as SVG and as Graphviz DOT, for the homework."""
    left, right = st.columns(2)
    left.download_button(_("Download the graph as .svg"), to_svg(graph), "graph.svg",
                         "image/svg+xml", on_click="ignore", width="stretch")
    right.download_button(_("Download the graph as .dot"), to_dot(graph), "graph.dot",
                          "text/vnd.graphviz", on_click="ignore", width="stretch",
                          help=_("Graphviz's own format: this page reads it back."))


def as_comment() -> str:
    """The graph's text as comment lines, for the downloaded .py."""
    lines = [_("Question 1: the computational graph"), ""] + [
        line for line in graph_text().splitlines() if not line.lstrip().startswith("#")]
    return "\n".join(f"# {line}".rstrip() for line in lines) + "\n"
