"""Exercise: the assignment's two questions. 1: the computational graph, built node by node
and checked. 2: the seven `# TODO` blanks, done here and checked line by line."""

import streamlit as st

from twolayer import ui
from twolayer.i18n import _
from twolayer.ui import exercise_view as view
from twolayer.ui import question_view as question

ui.page((*view.OPTIONS, *question.OPTIONS), configurable=False)
st.title(_("Exercise: the assignment's two questions"))
st.header(_("Question 1 · the computational graph"))
st.markdown(_(
    "The assignment first asks for the computational graph of this regression problem: "
    "the forward pass `y_pred = relu(x @ w1) @ w2` and the loss, the sum of "
    "`(y_pred - y) ** 2`. Build it node by node: each tensor (x, w1, w2, y and every one "
    "computed on the way) with its shape, each computed one with its operation and its "
    "inputs in order, and a `grad` on the inputs that get a gradient. It is drawn as you "
    "go and checked against the assignment's graph; names and the order of the lines are "
    "yours to choose."
))
editing, drawn = st.columns([1, 1])
with editing:
    graph, problem = question.editor()
verdict = question.verdict_of(graph)
with drawn:
    question.drawing(graph, verdict)
question.findings(verdict, problem)
if verdict is not None and verdict.correct:
    question.backward(graph, verdict)
if graph is not None and graph.nodes:
    question.downloads(graph)

st.header(_("Question 2 · the code"))
st.markdown(_(
    "The assignment's two cells, as it wrote them, with its seven `# TODO` blanks to "
    "complete: method 1 computes the gradients by hand in numpy, method 2 lets PyTorch's "
    "autograd compute them. Name things your own way; a blank is judged by what it "
    "computes. **Check** runs each blank on its own, with the assignment's values "
    "everywhere else, so one mistake does not spill into the next, at three points: "
    "{points} (sizes that all differ, so a misplaced transpose cannot hide). "
    "Then both cells run whole with your lines. Your lines are read, never run as Python: "
    "only plain assignments and the calls the blanks need are allowed.",
    points=view.points_text()
))
english = view.controls(question.as_comment())
checked = view.results()
view.score(checked)
view.link_note()
view.cells(english, checked)
if checked is not None:
    st.subheader(_("Whole run: your lines in the full loop"))
    st.markdown(_("Both cells, 500 iterations each, on the assignment's sizes with seed 0: "
                  "the loss each printed, over the assignment's answers'."))
    view.whole_run()
