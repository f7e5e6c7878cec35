"""The language of the text being written, and the functions that mark text for it.

Streamlit runs each session's script on a thread of its own, and several at once, so the
language is a context variable set at the start of each run, never gettext.install():
one visitor's Chinese never leaks into another's English. Before a run sets it (a
widget's callback runs first), the app's resolver answers: the session's own choice.
Text is marked with named placeholders, _("iteration {t} of {total}", t=t,
total=total), never glued from pieces: word order differs between English and Chinese.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable

from .catalogs import catalog

LANGUAGES = {"en": "English", "zh": "中文"}
_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("twolayer_language",
                                                                      default=None)
_resolver: Callable[[], str | None] | None = None


def use(lang: str) -> None:
    """Write in lang from here on, in this thread (a session's script run)."""
    _language.set(lang if lang in LANGUAGES else "en")


def resolve_with(resolver: Callable[[], str | None]) -> None:
    """Where the language comes from when nothing set it in this thread (the app: the
    session's choice, read in a widget's callback)."""
    global _resolver
    _resolver = resolver


@contextlib.contextmanager
def language(lang: str):
    """Write in lang inside the block (a test, a feedback file in a teacher's language)."""
    token = _language.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _language.reset(token)


def current() -> str:
    lang = _language.get()
    if lang is None and _resolver is not None:
        lang = _resolver()
    return lang if lang in LANGUAGES else "en"


def _(message: str, /, **params) -> str:
    """message in the current language, its {placeholders} filled from params."""
    text = catalog(current()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, count: int, /, **params) -> str:
    """The form for count (English: one or many; Chinese: one form), filled from params."""
    text = catalog(current()).ngettext(singular, plural, count)
    return text.format(count=count, **params)


def N_(message: str) -> str:
    """Marks a text written once at import (a mistake's hint, a label) for the catalog; it
    is translated where it is shown, with _()."""
    return message


def number(value: float, digits: int = 3) -> str:
    """A number as the current language writes it (both group thousands with commas)."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}g}"
