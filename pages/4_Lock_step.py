"""Lock-step explorer: where and why manual backprop and autograd agree or drift."""

import streamlit as st

from twolayer import ui
from twolayer.i18n import _
from twolayer.ui import lockstep_view as view

config = ui.page(view.OPTIONS, runs=4.5)
st.title(_("Lock-step explorer"))
st.markdown(_(
    "Both methods start from the same data and weights and take their steps side by side; "
    "after every iteration the explorer compares their losses, weights and gradients. Choose a "
    "dtype for each method, a ReLU convention, or inject a classic bug, and watch where the two "
    "part ways. The address bar keeps these choices: a copied link shows the same view."
))
variant = view.lockstep_controls(config)
view.variant_note(variant)
drift, check, relu, mean = view.tabs()  # only the open one runs
if drift.open:
    with drift:
        view.drift_tab(config, variant)
if check.open:
    with check:
        view.check_tab(config, variant)
if relu.open:
    with relu:
        view.relu_tab(config)
if mean.open:
    with mean:
        view.mean_tab(config)
