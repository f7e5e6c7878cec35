"""A page's own options (Lock-step's bug, the graph's iteration, ...), in the session and the URL.

Like the configuration, an option lives in st.session_state (under "options") and
is mirrored into the query string by the frame, so a copied link reproduces the
page as shown: "this bug at this iteration". Widgets are re-seeded from it on every
run and write back through their callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from ..config import Config


@dataclass(frozen=True)
class Option:
    """One option: its URL name, its default, and what it allows.

    choices: the allowed values (text); empty for an iteration t, which must lie in
    0 .. iterations - 1 of the configuration. default: a value, or a function of
    the configuration (e.g. Lock-step's dtypes follow the sidebar's). reader: for
    free text (Exercise's attempt), a check that returns the text or raises a
    ValueError saying what is wrong. An option whose value is "" stays out of the URL.
    """

    name: str
    default: object
    choices: tuple[str, ...] = ()
    reader: Callable[[str], str] | None = None

    def default_for(self, config: Config):
        return self.default(config) if callable(self.default) else self.default

    def parse(self, text: str, config: Config):
        """The option's value from URL text, or a ValueError saying what is allowed."""
        if self.reader is not None:
            return self.reader(text)
        if self.choices:
            if text not in self.choices:
                allowed = ", ".join(repr(c) for c in self.choices)
                raise ValueError(f"{self.name} must be one of {allowed}, got {text!r}")
            return text
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError(f"{self.name} must be an integer, got {text!r}") from None
        if not 0 <= value < config.iterations:
            raise ValueError(f"{self.name} must be an iteration from 0 to "
                             f"{config.iterations - 1}, got {value}")
        return value


def current(specs: tuple[Option, ...], config: Config) -> dict[str, object]:
    """This page's option values: the session's, else its URL's (warning on bad ones), else
    the defaults; an iteration past a lowered iterations count moves back to the last."""
    store = st.session_state.setdefault("options", {})
    for spec in specs:
        if spec.name not in store:
            store[spec.name] = _from_url(spec, config)
        elif _is_iteration(spec) and store[spec.name] > config.iterations - 1:
            store[spec.name] = config.iterations - 1
    return {spec.name: store[spec.name] for spec in specs}


def _is_iteration(spec: Option) -> bool:
    return not spec.choices and spec.reader is None


def _from_url(spec: Option, config: Config):
    if spec.name not in st.query_params:
        return spec.default_for(config)
    try:
        return spec.parse(st.query_params[spec.name], config)
    except ValueError as error:
        default = spec.default_for(config)
        instead = f"; using the default {spec.name}={default!r}" if default != "" else ""
        st.session_state.setdefault("url_warnings", []).append(f"{error}{instead}")
        return default


def value(name: str):
    """An option's current value."""
    return st.session_state["options"][name]


def set_value(name: str, new) -> None:
    """Change an option (e.g. from a button's callback or a playing scrubber)."""
    st.session_state["options"][name] = new


def url_text(values: dict[str, object]) -> dict[str, str]:
    return {name: str(v) for name, v in values.items() if v != ""}


def select(name: str, label: str, choices: tuple[str, ...],
           format_func: Callable[[str], str] = str, container=st, then=None,
           then_args: tuple = ()) -> str:
    """A selectbox bound to an option; then(*then_args) runs after a change is stored."""
    st.session_state[f"w_opt_{name}"] = value(name)
    return container.selectbox(label, choices, format_func=format_func, key=f"w_opt_{name}",
                               on_change=_changed, args=(name, then, then_args))


def radio(name: str, label: str, choices: tuple[str, ...],
          format_func: Callable[[str], str] = str, container=st) -> str:
    """A horizontal radio group bound to an option."""
    st.session_state[f"w_opt_{name}"] = value(name)
    return container.radio(label, choices, format_func=format_func, key=f"w_opt_{name}",
                           horizontal=True, on_change=_changed, args=(name,))


def iteration_slider(name: str, label: str, iterations: int, help_text: str | None = None) -> int:
    """A slider over 0 .. iterations-1 bound to an option; with one iteration, a caption."""
    if iterations == 1:
        st.caption(f"{label}: 0 (the only iteration)")
        return 0
    st.session_state[f"w_opt_{name}"] = value(name)
    return st.slider(label, 0, iterations - 1, key=f"w_opt_{name}", help=help_text,
                     on_change=_changed, args=(name,))


def tabs(name: str, labels: dict[str, str]):
    """st.tabs bound to an option (labels: value -> tab label), each tab with .open.

    Only the chosen tab's .open is True, so a page runs and sends that tab alone; a switch
    reruns the page (cached work comes back at once).
    """
    st.session_state[f"w_opt_{name}"] = labels[value(name)]
    return st.tabs(tuple(labels.values()), key=f"w_opt_{name}", on_change=_tab_changed,
                   args=(name, labels))


def _tab_changed(name: str, labels: dict[str, str]) -> None:
    label = st.session_state[f"w_opt_{name}"]
    st.session_state["options"][name] = next(v for v, text in labels.items() if text == label)


def _changed(name: str, then=None, then_args: tuple = ()) -> None:
    st.session_state["options"][name] = st.session_state[f"w_opt_{name}"]
    if then is not None:
        then(*then_args)
