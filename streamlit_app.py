"""The twolayer app's entry point (placeholder until the dashboard lands)."""

import streamlit as st

st.title("twolayer")
st.info("The dashboard is being built. Meanwhile, run `python -m twolayer compare` for the "
        "side-by-side comparison of manual backprop and autograd.")
