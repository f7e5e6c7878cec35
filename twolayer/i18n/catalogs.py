"""The translations of locale/LANG/LC_MESSAGES/twolayer.po, compiled in memory on first use.

The .po files are the source kept in the repository; Babel compiles one to gettext's
binary form once per process (a few milliseconds), so a fresh checkout, the README's two
commands and CI need no build step, and a compiled file can never be older than its .po.
English is the text as written: no catalog.
"""

from __future__ import annotations

import functools
import io
import pathlib

LOCALE = pathlib.Path(__file__).parent / "locale"
DOMAIN = "twolayer"


def po_path(lang: str) -> pathlib.Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalog(lang: str):
    """The translations into lang (a gettext translations object); the text as written
    for English or an unknown lang."""
    import gettext  # on first use: `import twolayer` stays light

    path = po_path(lang)
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compiled(path)))


def compiled(path: pathlib.Path) -> bytes:
    """A .po file as a .mo file's bytes; fuzzy entries left out, as msgfmt leaves them."""
    from babel.messages import mofile, pofile

    with open(path, "rb") as handle:
        messages = pofile.read_po(handle)
    out = io.BytesIO()
    mofile.write_mo(out, messages, use_fuzzy=False)
    return out.getvalue()
