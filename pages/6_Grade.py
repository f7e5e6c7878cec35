"""Grade: a class's files graded at once, the class at a glance, and the gradebook."""

import streamlit as st

from twolayer import ui
from twolayer.i18n import _
from twolayer.ui import grade_view as view

ui.page(configurable=False)
st.title(_("Grade a class"))
st.markdown(_(
    "Upload the students' completed assignments, many `.py` / `.ipynb` files or one `.zip` "
    "of them, and each is graded blank by blank as the Exercise page checks a student's: "
    "read, never run as Python. A student can grade their own file here too. The files "
    "stay in this browser session only: no other visitor sees them, nothing is written to "
    "disk, and they are dropped when the session ends."
))
uploaded = view.uploads()
if uploaded is None:
    st.info(_("Upload files to grade them. The command line does the same: "
              "`python -m twolayer grade FILES_OR_ZIPS --csv`."))
    st.stop()
grades = view.grades(*uploaded)
view.overview(grades)
if any(g.graded for g in grades):
    st.subheader(_("The class at a glance"))
    view.charts(grades)
    st.markdown(_("**Mistakes per blank**, by how many files made them:"))
    view.mistakes(grades)
st.subheader(_("Each file"))
chosen = view.table(grades)
if chosen is not None:
    view.file_blanks(chosen)
st.subheader(_("Similar submissions"))
view.similar_groups(grades)
st.subheader(_("Downloads"))
view.downloads(grades)
