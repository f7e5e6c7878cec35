"""A graph's text for a link (?graph=...), and back: zlib-compressed, base64url.

Reading a link back is bounded like any visitor's input: the link's length, the size it
may inflate to (never past the notation's own MAX_TEXT), and UTF-8 text only.
"""

from __future__ import annotations

import base64
import binascii
import zlib

from ..i18n import _
from .model import MAX_TEXT

MAX_LINK = 1500  # characters: with the code blanks' attempt, a URL stays short enough


def encode(text: str) -> str:
    packed = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(link: str) -> str:
    """The text a link carries, or a ValueError saying why it cannot be read."""
    if len(link) > MAX_LINK:
        raise ValueError(_("the graph in the link is over {limit} characters", limit=MAX_LINK))
    try:
        packed = base64.urlsafe_b64decode(link + "=" * (-len(link) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, 4 * MAX_TEXT + 1)  # UTF-8: at most 4 bytes a char
        if len(raw) > 4 * MAX_TEXT or inflater.unconsumed_tail:
            raise ValueError(_("the graph in the link inflates past the notation's limit"))
        if not inflater.eof:  # cut short, or not zlib at all
            raise zlib.error("incomplete")
        return raw.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError):
        raise ValueError(_("the graph in the link is not one this page wrote")) from None
