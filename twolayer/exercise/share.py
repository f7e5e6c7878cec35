"""An attempt as a short text for a link (?attempt=...), and back.

The blanks are written as JSON, compressed with zlib and encoded base64url. Reading
a link back is bounded like any visitor's input: the text's length, the size it may
inflate to (a small link cannot unpack into gigabytes), and what the JSON may hold.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from ..i18n import _
from .evaluator import MAX_TEXT
from .skeleton import BLANKS

MAX_LINK = 1800  # characters of the encoded attempt: with the rest, a URL under 2,000
# The largest attempt as JSON: a character is at most 12 (two \uXXXX escapes)
MAX_JSON = len(BLANKS) * (12 * MAX_TEXT + 16) + 64


def encode(attempt: dict[int, str]) -> str:
    """The attempt's non-empty blanks as base64url text (any length: see fits_link)."""
    blanks = {str(n): text for n, text in sorted(attempt.items()) if text.strip()}
    if not blanks:
        return ""
    packed = zlib.compress(json.dumps(blanks, separators=(",", ":")).encode("ascii"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def fits_link(encoded: str) -> bool:
    return len(encoded) <= MAX_LINK


def decode(text: str) -> dict[int, str]:
    """An attempt from a link's text; ValueError saying what is wrong with it."""
    if len(text) > MAX_LINK:
        raise ValueError(_("attempt is {count:,} characters long; at most {most:,}",
                           count=len(text), most=MAX_LINK))
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_JSON + 1)
        if len(raw) > MAX_JSON or not inflater.eof:
            raise ValueError("too large")
        blanks = json.loads(raw.decode("ascii"))
    except (binascii.Error, zlib.error, ValueError, UnicodeDecodeError):
        raise ValueError(_("attempt is not a link made by the Exercise page (damaged or "
                           "cut short?)")) from None
    return _checked(blanks)


def _checked(blanks) -> dict[int, str]:
    numbers = {str(b.number) for b in BLANKS}
    if not isinstance(blanks, dict) or not set(blanks) <= numbers or \
            not all(isinstance(v, str) and len(v) <= MAX_TEXT for v in blanks.values()):
        raise ValueError(_("attempt must hold blanks 1 to {count} as text of at most "
                           "{most:,} characters", count=len(BLANKS), most=MAX_TEXT))
    return {int(n): text for n, text in blanks.items()}
