"""Every page's frame: page setup, navigation, and the configuration sidebar.

The configuration lives in st.session_state["config"] (a frozen Config) and is
mirrored into the URL's query string. Widgets are re-seeded from it on every
run, because Streamlit drops a widget's state when the page that drew it
changes, and their on_change callbacks write back into it.
"""

from __future__ import annotations

import streamlit as st

from ..config import (
    DTYPES,
    LOSSES,
    MAX_ITERATIONS,
    MAX_SEED,
    MAX_SIZE,
    Config,
    config_from_strings,
    parse_field,
    validate,
)

# The fields a page's URL carries, under the CLI's names.
URL_FIELDS = ("seed", "n", "d_in", "hidden", "d_out", "learning_rate", "iterations", "dtype",
              "loss")

PAGES = (  # (file, label): the entry page first
    ("streamlit_app.py", "Comparison"),
    ("pages/1_Computational_Graph.py", "Computational Graph"),
    ("pages/2_Manual_Backprop.py", "Manual Backprop"),
    ("pages/3_Autograd.py", "Autograd"),
    ("pages/4_Lock_step.py", "Lock-step"),
)

LABELS = {
    "seed": ("seed", "Seeds the data x, y and the initial weights w1, w2."),
    "n": ("N — examples", "Rows of x and y."),
    "d_in": ("D_in — input size", "Columns of x; rows of w1."),
    "hidden": ("H — hidden units", "Columns of w1; rows of w2."),
    "d_out": ("D_out — output size", "Columns of y and w2."),
    "learning_rate": ("learning rate η", "Step of gradient descent, e.g. 1e-6 (the assignment's)."),
    "iterations": ("iterations", "Gradient descent steps (the assignment: 500)."),
    "dtype": ("dtype", "float64 agrees to ~1e-12 between methods; float32 drifts."),
    "loss": ("loss", "sum: Σ (y_pred − y)², the assignment's. mean: divided by N·D_out."),
}
MAXIMA = {"seed": MAX_SEED, "n": MAX_SIZE, "d_in": MAX_SIZE, "hidden": MAX_SIZE,
          "d_out": MAX_SIZE, "iterations": MAX_ITERATIONS}


def page(title: str, icon: str) -> Config:
    """Set up a page and its sidebar; the page's validated Config (or an error and a stop)."""
    st.set_page_config(page_title=f"{title} · twolayer", page_icon=icon, layout="wide")
    config = _current_config()
    _navigation(config)
    _sidebar(config)
    _write_url(config)
    for warning in st.session_state.pop("url_warnings", []):
        st.warning(f"Link parameter ignored: {warning}.")
    for error in st.session_state.pop("input_errors", []):
        st.sidebar.error(error)
    try:
        validate(config)
    except ValueError as error:
        st.error(f"This configuration can't run: {error}.")
        st.stop()
    return config


def _current_config() -> Config:
    """The session's Config; on a session's first run, the one its URL describes."""
    if "config" not in st.session_state:
        params = {name: st.query_params[name] for name in URL_FIELDS if name in st.query_params}
        config, warnings = config_from_strings(params, URL_FIELDS)
        st.session_state["config"] = config
        st.session_state["url_warnings"] = warnings
    return st.session_state["config"]


def _url_values(config: Config) -> dict[str, str]:
    return {name: _text(name, getattr(config, name)) for name in URL_FIELDS}


def _text(name: str, value) -> str:
    return f"{value:g}" if name == "learning_rate" else str(value)


def _write_url(config: Config) -> None:
    """Mirror the configuration into the query string, so the address bar is a share link."""
    wanted = _url_values(config)
    if {k: st.query_params.get(k) for k in wanted} != wanted:
        st.query_params.from_dict(wanted)


def _navigation(config: Config) -> None:
    """Links to every page, carrying the configuration along."""
    with st.sidebar:
        st.markdown("### twolayer")
        for path, label in PAGES:
            st.page_link(path, label=label, query_params=_url_values(config))
        st.divider()


def _sidebar(config: Config) -> None:
    """The configuration widgets, seeded from config, writing back through callbacks."""
    with st.sidebar:
        st.markdown("**Configuration** (assignment notation)")
        for name in ("seed", "n", "d_in", "hidden", "d_out", "iterations"):
            _number(name, getattr(config, name))
        _seed_state("learning_rate", _text("learning_rate", config.learning_rate))
        label, help_text = LABELS["learning_rate"]
        st.text_input(label, key="w_learning_rate", help=help_text,
                      on_change=_on_change, args=("learning_rate",))
        _choice("dtype", config.dtype, DTYPES)
        _choice("loss", config.loss, LOSSES)
        st.button("Reset to the assignment", on_click=_reset, width="stretch",
                  help="N=64, D_in=1000, H=100, D_out=10, η=1e-6, 500 iterations, "
                       "float64, summed loss, seed 0.")


def _seed_state(name: str, value) -> None:
    st.session_state[f"w_{name}"] = value


def _number(name: str, value: int) -> None:
    _seed_state(name, value)
    label, help_text = LABELS[name]
    low = 0 if name == "seed" else 1
    st.number_input(label, min_value=low, max_value=MAXIMA[name], step=1, key=f"w_{name}",
                    help=help_text, on_change=_on_change, args=(name,))


def _choice(name: str, value: str, options: tuple[str, ...]) -> None:
    _seed_state(name, value)
    label, help_text = LABELS[name]
    st.radio(label, options, key=f"w_{name}", help=help_text, horizontal=True,
             on_change=_on_change, args=(name,))


def _on_change(name: str) -> None:
    """A widget changed: store its value in the Config, or keep the old one and say why."""
    raw = st.session_state[f"w_{name}"]
    try:
        value = parse_field(name, raw) if isinstance(raw, str) else raw
    except ValueError as error:
        st.session_state["input_errors"] = [f"{error}. Kept the previous value."]
        return
    st.session_state["config"] = st.session_state["config"].replace(**{name: value})


def _reset() -> None:
    st.session_state["config"] = Config()
