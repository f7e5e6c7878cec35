"""Comparison: manual backprop and autograd side by side, from the same data and weights."""

import streamlit as st

from twolayer import ui
from twolayer.i18n import _
from twolayer.ui import comparison_view as view

config = ui.page(view.OPTIONS, runs=2)
st.title(_("Manual backprop vs autograd"))
loss_code = f"loss = {'' if config.loss == 'sum' else '(1/(N·D_out)) · '}Σ (y_pred − y)²"
st.markdown(_(
    "A two-layer network `y_pred = relu(x @ w1) @ w2`, fitted by gradient descent on "
    "`{loss}`: on the left with the gradients worked out by hand in numpy, on the right with "
    "PyTorch autograd.", loss=loss_code
))
curves, agree, live = view.tabs()  # only the open one runs
for tab, draw in ((curves, view.curves_tab), (agree, view.agreement_tab),
                  (live, view.live_tab)):
    if tab.open:
        with tab:
            draw(config)
