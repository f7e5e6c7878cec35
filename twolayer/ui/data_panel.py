"""The sidebar's data section: which data, and that kind's own settings.

Choosing a kind starts it from its own sizes and step (twolayer.config.KINDS). A CSV
file's bytes stay in the visitor's session, in memory, and are registered by their
digest: the configuration, the cache and a shared link carry the digest, never the
file.
"""

from __future__ import annotations

import streamlit as st

from ..config import KINDS, SPECS, Config, fit_to_data
from ..data import csv_learning_rate, preset, with_csv
from ..data.table import MAX_BYTES, MIN_ROWS, digest, parse, register, sample_csv
from ..i18n import N_, _


def data_panel(config: Config, on_change) -> None:
    """The kind, then the kind's own settings; on_change(name) stores a widget's value."""
    st.session_state["w_data"] = config.data
    labels = {k: _(kind.label) for k, kind in KINDS.items()}  # made now: AppTest formats later
    st.selectbox(_(SPECS["data"].label), tuple(KINDS), format_func=labels.get,
                 key="w_data", on_change=_kind_chosen, help=_(SPECS["data"].help))
    kind = KINDS[config.data]
    st.caption(_(kind.note))
    if config.data == "csv":
        _csv_controls(config, on_change)
    for name in kind.fields:
        if SPECS[name].step is not None:  # a number of its own (the CSV's are its columns)
            _number(name, getattr(config, name), on_change)


def _number(name: str, value, on_change) -> None:
    spec = SPECS[name]
    st.session_state[f"w_{name}"] = value
    st.number_input(_(spec.label), step=spec.step, key=f"w_{name}", help=_(spec.help),
                    on_change=on_change, args=(name,))


def _kind_chosen() -> None:
    """A new kind: its starting sizes and step (a CSV waits for its file)."""
    kind = st.session_state["w_data"]
    config = st.session_state["config"]
    if kind == "csv":
        raw = st.session_state.get("csv_bytes")
        if raw is None:  # nothing to train on yet: keep the current data until a file comes
            st.session_state["csv_requested"] = True
            st.session_state["w_data"] = config.data
            return
        st.session_state["config"] = _fit_csv(preset(config, "csv"), raw, config.inputs,
                                              config.targets)
        return
    st.session_state["config"] = fit_to_data(preset(config, kind))


def _csv_controls(config: Config, on_change) -> None:
    if file_missing(config):
        st.caption(_("Waiting for the file: inputs {inputs}; targets {targets}.",
                     inputs=", ".join(config.inputs), targets=", ".join(config.targets)))
        return
    table = parse(st.session_state["csv_bytes"])
    numeric = table.numeric
    st.caption(_("{rows:,} rows; numeric columns: {columns}. N = {n} training rows, D_in = "
                 "{d_in} (with the bias), D_out = {d_out}.", rows=table.rows,
                 columns=", ".join(numeric), n=config.n, d_in=config.d_in, d_out=config.d_out))
    for name, label in (("inputs", N_("input columns")), ("targets", N_("target columns"))):
        st.session_state[f"w_{name}"] = list(getattr(config, name))
        st.multiselect(_(label), numeric, key=f"w_{name}", on_change=_columns_chosen,
                       args=(name,))
    st.session_state["w_standardize"] = config.standardize
    st.checkbox(_("standardize (mean 0, std 1 from the training rows)"), key="w_standardize",
                on_change=on_change, args=("standardize",))


def _columns_chosen(name: str) -> None:
    config = st.session_state["config"]
    columns = tuple(st.session_state[f"w_{name}"])
    inputs, targets = (columns, config.targets) if name == "inputs" else (config.inputs, columns)
    try:
        st.session_state["config"] = _fit_csv(config, st.session_state["csv_bytes"], inputs,
                                              targets)
    except ValueError as error:
        st.session_state["input_errors"] = [_("{error}. Kept the previous columns.",
                                              error=error)]


def csv_upload() -> None:
    """The uploader and a sample file: shown whenever the CSV kind is chosen or asked for."""
    st.file_uploader(_("CSV file (header row, numeric columns)"), type=["csv", "txt"],
                     key="w_csv_file", on_change=_uploaded,
                     max_upload_size=MAX_BYTES // 2**20,
                     help=_("At least {rows} rows. Comma, semicolon or tab separated.",
                            rows=MIN_ROWS))
    st.download_button(_("Sample CSV to try (house prices)"), sample_csv(), "houses.csv",
                       "text/csv", on_click="ignore", width="stretch")


def _uploaded() -> None:
    """A file arrived: check it, keep its bytes in the session, train on it."""
    upload = st.session_state.get("w_csv_file")
    if upload is None:
        return
    raw = upload.getvalue()
    try:
        table = parse(raw)
        numeric = table.numeric
        inputs, targets = numeric[:-1], numeric[-1:]  # the last numeric column as the target
        if not inputs:
            raise ValueError(_("only one numeric column ({column!r}): a network needs "
                               "inputs and a target", column=numeric[0]))
        config = st.session_state["config"]
        if config.csv == digest(raw) and config.inputs and config.targets:
            inputs, targets = config.inputs, config.targets  # a link's own choice of columns
        config = _fit_csv(preset(config, "csv"), raw, inputs, targets)
    except ValueError as error:
        st.session_state["input_errors"] = [_("The CSV file can't be used: {error}.",
                                              error=error)]
        return
    st.session_state["csv_bytes"] = raw
    st.session_state["config"] = config
    st.session_state.pop("csv_requested", None)


def _fit_csv(config: Config, raw: bytes, inputs, targets) -> Config:
    """config trained on the file's columns, with a step suited to its number of rows."""
    config = with_csv(config, raw, inputs, targets)
    return config.replace(learning_rate=csv_learning_rate(config.n))


def refit(config: Config) -> Config:
    """After a field changed: a CSV's N, D_in, D_out follow from its file and settings."""
    if config.data == "csv" and "csv_bytes" in st.session_state:
        return with_csv(config, st.session_state["csv_bytes"], config.inputs, config.targets)
    return fit_to_data(config)


def file_missing(config: Config) -> bool:
    """True when the configuration wants a CSV this session does not have (a shared link
    carries the settings, not the file)."""
    if config.data != "csv":
        return False
    raw = st.session_state.get("csv_bytes")
    if raw is None or digest(raw) != config.csv:
        return True
    register(raw)  # the process may have dropped it since: it keeps only the latest few
    return False
