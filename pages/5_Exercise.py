"""Exercise: the assignment's seven `# TODO` blanks, done here and checked line by line."""

import streamlit as st

from twolayer import ui
from twolayer.ui import exercise_view as view

ui.page(view.OPTIONS, configurable=False)
st.title("Exercise: fill in the assignment's blanks")
st.markdown(
    "The assignment's two cells, as it wrote them, with its seven `# TODO` blanks to "
    "complete: method 1 computes the gradients by hand in numpy, method 2 lets PyTorch's "
    "autograd compute them. Name things your own way; a blank is judged by what it "
    "computes. **Check** runs each blank on its own, with the assignment's values "
    "everywhere else, so one mistake does not spill into the next, at three points: "
    f"{view.points_text()} (sizes that all differ, so a misplaced transpose cannot hide). "
    "Then both cells run whole with your lines. Your lines are read, never run as Python: "
    "only plain assignments and the calls the blanks need are allowed."
)
english = view.controls()
checked = view.results()
view.score(checked)
view.link_note()
view.cells(english, checked)
if checked is not None:
    st.subheader("Whole run: your lines in the full loop")
    st.markdown("Both cells, 500 iterations each, on the assignment's sizes with seed 0: the "
                "loss each printed, over the assignment's answers'.")
    view.whole_run()
