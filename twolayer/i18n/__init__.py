"""The app's two languages, English and Chinese: every text a visitor reads is marked where
it is written and translated for the visitor's own session.

- translate: the session's language (a context variable, never process-wide) and the
  marking functions _(), ngettext(), N_()
- catalogs: the gettext catalogs of locale/, compiled from their .po files in memory on
  first use (Babel), so a fresh checkout needs no build step
"""

from .translate import (
    LANGUAGES,
    N_,
    _,
    current,
    language,
    ngettext,
    number,
    resolve_with,
    use,
)

__all__ = ["LANGUAGES", "N_", "_", "current", "language", "ngettext", "number",
           "resolve_with", "use"]
