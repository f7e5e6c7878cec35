"""A page's own options (Lock-step's bug, the graph's iteration, ...), in the session and the URL.

Like the configuration, an option lives in st.session_state (under "options") and
is mirrored into the query string by the frame, so a copied link reproduces the
page as shown: "this bug at this iteration". Widgets are re-seeded from it on every
run and write back through their callbacks.

An option may follow the visit's language (Exercise's comments: Chinese for a Chinese
visit): until the visitor or the link chooses it, its value is its language's default,
looked up again on every run, and it stays out of the URL, so a link does not carry a
language's default to a visitor who reads another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from ..config import Config
from ..i18n import _
from ..i18n import current as current_language


@dataclass(frozen=True)
class Option:
    """One option: its URL name, its default, and what it allows.

    choices: the allowed values (text); empty for an iteration t, which must lie in
    0 .. iterations - 1 of the configuration. default: a value, or a function of
    the configuration (e.g. Lock-step's dtypes follow the sidebar's). reader: for
    free text (Exercise's attempt), a check that returns the text or raises a
    ValueError saying what is wrong. An option whose value is "" stays out of the URL.
    by_language: (language, default) pairs that replace the default for a visit in
    that language (Exercise's comments: (("zh", "chinese"),)); such an option follows
    the visit's language until it is chosen, and stays out of the URL while it does.
    """

    name: str
    default: object
    choices: tuple[str, ...] = ()
    reader: Callable[[str], str] | None = None
    by_language: tuple[tuple[str, object], ...] = ()

    def default_for(self, config: Config):
        for lang, default in self.by_language:
            if lang == current_language():
                return default
        return self.default(config) if callable(self.default) else self.default

    def parse(self, text: str, config: Config):
        """The option's value from URL text, or a ValueError saying what is allowed."""
        if self.reader is not None:
            return self.reader(text)
        if self.choices:
            if text not in self.choices:
                allowed = ", ".join(repr(c) for c in self.choices)
                raise ValueError(_("{name} must be one of {allowed}, got {text!r}",
                                   name=self.name, allowed=allowed, text=text))
            return text
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError(_("{name} must be an integer, got {value!r}", name=self.name,
                               value=text)) from None
        if not 0 <= value < config.iterations:
            raise ValueError(_("{name} must be an iteration from 0 to {last}, got {value}",
                               name=self.name, last=config.iterations - 1, value=value))
        return value


def current(specs: tuple[Option, ...], config: Config) -> dict[str, object]:
    """This page's option values: the session's, else its URL's (warning on bad ones), else
    the defaults; an iteration past a lowered iterations count moves back to the last;
    an option that follows the language and was not chosen, its language's default now."""
    store = st.session_state.setdefault("options", {})
    following = st.session_state.setdefault("options_following", set())
    for spec in specs:
        if spec.by_language:
            following.add(spec.name)
        if spec.name not in store:
            store[spec.name] = _from_url(spec, config)
        elif spec.by_language and not _chosen(spec.name):
            store[spec.name] = spec.default_for(config)  # the visit's language may change
        elif _is_iteration(spec) and store[spec.name] > config.iterations - 1:
            store[spec.name] = config.iterations - 1
    return {spec.name: store[spec.name] for spec in specs}


def _chosen(name: str) -> bool:
    """True once the visitor or the link gave this option a value."""
    return name in st.session_state.setdefault("options_chosen", set())


def _choose(name: str) -> None:
    st.session_state.setdefault("options_chosen", set()).add(name)


def _is_iteration(spec: Option) -> bool:
    return not spec.choices and spec.reader is None


def _from_url(spec: Option, config: Config):
    if spec.name not in st.query_params:
        return spec.default_for(config)
    try:
        parsed = spec.parse(st.query_params[spec.name], config)
    except ValueError as error:
        default = spec.default_for(config)
        warning = (_("{error}; using the default {name}={default!r}", error=error,
                     name=spec.name, default=default) if default != "" else str(error))
        st.session_state.setdefault("url_warnings", []).append(warning)
        return default
    _choose(spec.name)  # a link's own value: it stays, whatever the language
    return parsed


def value(name: str):
    """An option's current value."""
    return st.session_state["options"][name]


def set_value(name: str, new) -> None:
    """Change an option (e.g. from a button's callback or a playing scrubber)."""
    st.session_state["options"][name] = new
    _choose(name)


def url_text(values: dict[str, object]) -> dict[str, str]:
    """The options for the URL: all but "" and those following the visit's language."""
    following = st.session_state.get("options_following", set())
    return {name: str(v) for name, v in values.items()
            if v != "" and not (name in following and not _chosen(name))}


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
        st.caption(_("{label}: 0 (the only iteration)", label=label))
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
    _choose(name)


def _changed(name: str, then=None, then_args: tuple = ()) -> None:
    st.session_state["options"][name] = st.session_state[f"w_opt_{name}"]
    _choose(name)
    if then is not None:
        then(*then_args)
