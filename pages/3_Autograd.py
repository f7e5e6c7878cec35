"""Method 2: PyTorch autograd: the code that ran, its loss curve, its agreement with method 1."""

import streamlit as st

from twolayer import autograd, loss, ui
from twolayer.checking.compare import summarize
from twolayer.i18n import _
from twolayer.outputs import figures

config = ui.page(runs=2)
st.title(_("Autograd (PyTorch)"))
notices = st.container()
curve, facts = st.columns([2, 1])
chart = curve.empty()
run = ui.training_run(config, "torch", ui.grow_in(chart))
chart.plotly_chart(figures.loss_curve(run, labels=figures.translated(_, figures.LOSS_CURVE)),
                   key="curve_torch")
reference = ui.training_run(config, "numpy")
with notices:
    ui.report_divergence(config, run)
with facts:
    ui.autograd_facts(run, summarize(reference, run))

st.subheader(_("The code that ran"))
st.caption(_("Read from the package with inspect.getsource; the loss is the one the manual "
             "method uses (twolayer/loss.py). backward() fills w1.grad and w2.grad; no gradient "
             "formula is written by hand. After the update the gradients are cleared by setting "
             "them to None, as optimizer.zero_grad() does by default; the assignment's "
             "w1.grad.zero_() gives the same numbers, a little more slowly."))
ui.show_code(loss.loss_scale, loss.squared_error, autograd.forward_loss, autograd.descend)
ui.downloads(config)
