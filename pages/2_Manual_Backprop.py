"""Method 1: the gradients by hand in numpy: formulas, the code that ran, its loss curve."""

import streamlit as st

from twolayer import loss, manual, ui
from twolayer.i18n import _
from twolayer.outputs import figures

config = ui.page()
st.title(_("Manual backprop (numpy)"))
notices = st.container()
formulas, curve = st.columns(2)
with formulas:
    st.subheader(_("The chain rule, line by line"))
    ui.gradient_formulas(config)
with curve:
    chart = st.empty()
    run = ui.training_run(config, "numpy", ui.grow_in(chart))
    chart.plotly_chart(figures.loss_curve(run, labels=figures.translated(_, figures.LOSS_CURVE)),
                       key="curve_numpy")
    st.markdown(_("The first iterations, printed as the assignment prints them "
                  "(`print(t, loss)`):"))
    st.code(ui.first_lines(run, 10), language="text")
with notices:
    ui.report_divergence(config, run)

st.subheader(_("The code that ran"))
st.caption(_("Read from the package with inspect.getsource: this is what produced the curve "
             "above. The loss is defined once, in twolayer/loss.py, and shared with autograd."))
ui.show_code(loss.loss_scale, loss.squared_error, manual.backprop, manual.descend)
ui.downloads(config)
