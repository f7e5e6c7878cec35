"""Every page's frame: page setup, navigation, and the configuration sidebar.

The configuration lives in st.session_state["config"] (a frozen Config) and is
mirrored into the URL's query string. Widgets are re-seeded from it on every
run, because Streamlit drops a widget's state when the page that drew it
changes, and their on_change callbacks write back into it.

The sidebar shows the configuration as text; its widgets sit in an expander that
is sent only while open. A page without input widgets loads faster: the first one
costs a fresh browser 0.35-0.6 s of CPU, a tenth of the whole page, which a class
of ten opening the app at once pays ten times over (docs/classroom.md, "No input widgets
in a first view's sidebar").
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ..config import (
    KINDS,
    SPECS,
    Config,
    check_field,
    choices,
    config_from_strings,
    field_text,
    parse_field,
    url_fields,
    validate,
)
from ..data import preset
from ..i18n import LANGUAGES, N_, _
from ..i18n import use as use_language
from ..serving.budget import check_compute
from . import compute, data_panel
from . import options as page_options
from .options import Option


@dataclass(frozen=True)
class Page:
    """One page of the app: its file, its label, its icon and the end of its address."""

    file: str
    label: str
    icon: str
    url: str


PAGES = (  # the one list of pages: the navigation, the sidebar's links, the addresses
    Page("pages/0_Comparison.py", N_("Comparison"), "⚖️", "Comparison"),  # the entry page
    Page("pages/1_Computational_Graph.py", N_("Computational Graph"), "🕸️",
         "Computational_Graph"),
    Page("pages/2_Manual_Backprop.py", N_("Manual Backprop"), "✍️", "Manual_Backprop"),
    Page("pages/3_Autograd.py", N_("Autograd"), "🔥", "Autograd"),
    Page("pages/4_Lock_step.py", N_("Lock-step"), "👣", "Lock_step"),
    Page("pages/5_Exercise.py", N_("Exercise"), "✍️", "Exercise"),
    Page("pages/6_Grade.py", N_("Grade"), "📊", "Grade"),
)


def navigation():
    """The app's pages for st.navigation, the first one at the address's root; the page the
    address asks for, to run. The sidebar draws its own links (they carry the configuration),
    so Streamlit's menu stays hidden."""
    st.set_page_config(layout="wide")
    use_language(language())
    pages = [st.Page(p.file, title=f"{_(p.label)} · twolayer", icon=p.icon, url_path=p.url,
                     default=k == 0) for k, p in enumerate(PAGES)]
    return st.navigation(pages, position="hidden")


def language() -> str:
    """The visit's language: the sidebar's switch (for the whole visit), else the address's
    lang=zh or lang=en, else the browser's (zh-* is Chinese, anything else English)."""
    state = st.session_state
    if "lang" not in state:
        asked = st.query_params.get("lang")
        if asked in LANGUAGES:
            state["lang"], state["lang_chosen"] = asked, True
        else:
            browser = (st.context.locale or "").lower()
            state["lang"] = "zh" if browser.startswith("zh") else "en"
    return state["lang"]


def _language_switch() -> None:
    """The sidebar's switch: the visit's language, kept in its links from then on."""
    st.session_state["w_lang"] = st.session_state["lang"]
    st.sidebar.segmented_control("Language · 语言", tuple(LANGUAGES), format_func=LANGUAGES.get,
                                 key="w_lang", on_change=_language_switched,
                                 label_visibility="collapsed")


def _language_switched() -> None:
    chosen = st.session_state.get("w_lang")
    if chosen in LANGUAGES:  # None when the selected option is clicked again: unchanged
        st.session_state["lang"], st.session_state["lang_chosen"] = chosen, True


def _lang_param() -> dict[str, str]:
    """lang= in links once the visitor chose it (else each browser keeps its own)."""
    return {"lang": st.session_state["lang"]} if st.session_state.get("lang_chosen") else {}


def page(options: tuple[Option, ...] = (), runs: float = 1.0,
         configurable: bool = True) -> Config:
    """Set up a page and its sidebar; the page's validated Config (or an error and a stop).

    options: the page's own options, kept beside the configuration in the session and
    the URL (read them with twolayer.ui.options).
    runs: how many whole runs of one method the page computes, for the compute budget.
    configurable: False for a page that runs fixed sizes of its own (Exercise): no
    configuration widgets, though the URL and the links keep the configuration.
    """
    # Again in the page: with the router's call alone, Streamlit 1.67 drew pages centred
    # (a 736 px main block), the graphs too small to read
    st.set_page_config(layout="wide")
    use_language(language())  # here too: a page can run without the router (AppTest)
    compute.setup()
    config = _current_config()
    option_values = page_options.current(options, config)
    _navigation(config)
    _write_url(config, option_values)
    for warning in st.session_state.pop("url_warnings", []):
        st.warning(_("Link parameter ignored: {warning}.", warning=warning))
    if not configurable:
        st.sidebar.caption(_("This page runs the assignment's own sizes; the configuration "
                             "applies to the other pages."))
        return config
    _sidebar(config)
    for error in st.session_state.pop("input_errors", []):
        st.sidebar.error(error)
    if data_panel.file_missing(config):
        st.info(_("This link carries the CSV settings (inputs {inputs}; targets {targets}) "
                  "but not the file: upload it in the sidebar to train on it.",
                  inputs=", ".join(config.inputs), targets=", ".join(config.targets)))
        st.stop()
    try:
        validate(config, compute.memory_budget())
        check_compute(config, runs, N_("This page"), compute.compute_budget())
    except ValueError as error:
        st.error(_("This configuration can't run: {error}.", error=error))
        st.stop()
    return config


def _current_config() -> Config:
    """The session's Config; on a session's first run, the one its URL describes."""
    if "config" not in st.session_state:
        readable = [name for name, spec in SPECS.items() if spec.url]
        params = {name: st.query_params[name] for name in readable if name in st.query_params}
        kind = params.get("data", "noise")  # fields a link leaves out: its kind's own
        start = preset(Config(), kind) if kind in KINDS else Config()
        config, warnings = config_from_strings(params, readable, compute.memory_budget(),
                                               start)
        st.session_state["config"] = config
        st.session_state["url_warnings"] = warnings
    return st.session_state["config"]


def _url_values(config: Config) -> dict[str, str]:
    return {name: field_text(name, getattr(config, name)) for name in url_fields(config.data)}


def _write_url(config: Config, option_values: dict) -> None:
    """Mirror the configuration and the page's options into the query string, so the
    address bar is a share link."""
    wanted = {**_url_values(config), **page_options.url_text(option_values), **_lang_param()}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _navigation(config: Config) -> None:
    """Links to every page, carrying the configuration along."""
    with st.sidebar:
        st.markdown("### twolayer")
        _language_switch()
        for entry in PAGES:
            st.page_link(entry.file, label=_(entry.label),
                         query_params={**_url_values(config), **_lang_param()})
        st.divider()


def _sidebar(config: Config) -> None:
    """The configuration as text, and its widgets (seeded from config, writing back
    through callbacks) in an expander, drawn only while it is open."""
    with st.sidebar:
        st.caption(_("**Configuration**  \n{headline}", headline=headline(config)))
        panel = _panel(config)
    if not panel.open:
        return
    with panel:
        data_panel.data_panel(config, _on_change)
        if config.data == "csv" or st.session_state.get("csv_requested"):
            data_panel.csv_upload()
        for name in ("seed", "n", "d_in", "hidden", "d_out", "iterations"):
            if name not in KINDS[config.data].fixed:  # the data's own sizes show as text
                _number(name, getattr(config, name))
        _seed_state("learning_rate", field_text("learning_rate", config.learning_rate))
        spec = SPECS["learning_rate"]
        st.text_input(_(spec.label), key="w_learning_rate", help=_(spec.help),
                      on_change=_on_change, args=("learning_rate",))
        _choice("dtype", config.dtype)
        _choice("loss", config.loss)
        _loss_switch_note(config)
        st.button(_("Reset to the assignment"), on_click=_reset, width="stretch",
                  help=_("N=64, D_in=1000, H=100, D_out=10, η=1e-6, 500 iterations, "
                         "float64, summed loss, seed 0."))


def headline(config: Config) -> str:
    """The configuration in a few short lines of the assignment's notation (markdown)."""
    kind = _(KINDS[config.data].label)
    losses = _("{dtype}, sum loss, {kind}", dtype=config.dtype, kind=kind) \
        if config.loss == "sum" else _("{dtype}, mean loss, {kind}", dtype=config.dtype, kind=kind)
    return "  \n".join((
        f"N={config.n}, D_in={config.d_in}, H={config.hidden}, D_out={config.d_out}",
        _("η={rate:g}, {iterations:,} iterations, seed {seed}", rate=config.learning_rate,
          iterations=config.iterations, seed=config.seed),
        losses,
    ))


def _panel(config: Config):
    """The expander of the configuration widgets: closed until the visitor opens it, then
    open on every page of their session; open anyway while a CSV link waits for its file."""
    opened = st.session_state.get("configure", False) or data_panel.file_missing(config) \
        or bool(st.session_state.get("csv_requested"))
    st.session_state["w_configure"] = opened
    return st.expander(_("Change the configuration"), key="w_configure",
                       on_change=_panel_toggled)


def _panel_toggled() -> None:
    st.session_state["configure"] = st.session_state["w_configure"]


def _seed_state(name: str, value) -> None:
    st.session_state[f"w_{name}"] = value


def _number(name: str, value: int) -> None:
    # No min_value/max_value: the browser would keep an out-of-range entry to itself, red
    # and silent; the callback checks the range and says why a value was refused.
    _seed_state(name, value)
    spec = SPECS[name]
    st.number_input(_(spec.label), step=1, key=f"w_{name}", help=_(spec.help),
                    on_change=_on_change, args=(name,))


def _choice(name: str, value: str) -> None:
    _seed_state(name, value)
    spec = SPECS[name]
    labels = {value: _(OPTION_LABELS.get(value, value)) for value in choices(name)}
    st.radio(_(spec.label), choices(name), key=f"w_{name}", help=_(spec.help), horizontal=True,
             format_func=labels.get,
             on_change=_on_change, args=(name,))


OPTION_LABELS = {"sum": N_("sum"), "mean": N_("mean")}  # the loss's options; dtypes as they are


def _on_change(name: str) -> None:
    """A widget changed: store its value in the Config, or keep the old one and say why."""
    raw = st.session_state[f"w_{name}"]
    try:
        value = parse_field(name, raw) if isinstance(raw, str) else check_field(name, raw)
    except ValueError as error:
        st.session_state["input_errors"] = [_("{error}. Kept the previous value.", error=error)]
        return
    old = st.session_state["config"]
    try:
        st.session_state["config"] = data_panel.refit(old.replace(**{name: value}))
    except ValueError as error:
        st.session_state["input_errors"] = [_("{error}. Kept the previous value.", error=error)]
        return
    if name == "loss" and value != old.loss:  # the mean-loss trap: say it, offer the fix
        st.session_state["loss_switch"] = (value, old.learning_rate)


def _loss_switch_note(config: Config) -> None:
    """Right after the loss changed: the same η now takes steps N·D_out times smaller (to the
    mean) or larger (to the sum); a button keeps the steps as they were."""
    switch = st.session_state.get("loss_switch")
    if switch != (config.loss, config.learning_rate):
        return
    factor = config.n * config.d_out
    if config.loss == "mean":
        same_steps = config.learning_rate * factor
        st.caption(_("The mean's gradient is N·D_out = {factor:,} times smaller than the sum's: "
                     "at η = {rate:g} each step is {factor:,} times shorter and training barely "
                     "moves.", factor=factor, rate=config.learning_rate))
    else:
        same_steps = config.learning_rate / factor
        st.caption(_("The sum's gradient is N·D_out = {factor:,} times larger than the mean's: "
                     "at η = {rate:g} each step is {factor:,} times longer and may diverge.",
                     factor=factor, rate=config.learning_rate))
    st.button(_("Keep the steps: η = {rate:.3g}", rate=same_steps), key="keep_steps",
              on_click=apply_changes, args=({"learning_rate": float(f"{same_steps:.3g}")},))


def _reset() -> None:
    st.session_state["config"] = Config()


def apply_changes(changes: dict) -> None:
    """A button's callback: change some configuration fields at once."""
    st.session_state["config"] = st.session_state["config"].replace(**changes)
    st.session_state.pop("loss_switch", None)
