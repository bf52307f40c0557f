"""Checks every piece of text passes before it goes into a letter, a header or a terminal.

Member input (flags, profiles, batch rows) and controller records (dsr's
format, datarequests.org's) are checked alike.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Control, format (bidi controls among them) and surrogate code points, and the
# line and paragraph separators: refused in every field. ZWJ and ZWNJ are part
# of words in several scripts.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ALLOWED_FORMAT = "\u200d\u200c"


def refused_character(text: str, multiline: bool = False) -> str | None:
    """Why ``text`` cannot go into a letter, or None: the first refused character, named."""
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        if ch == "\r" and multiline:
            continue  # CR LF, from a spreadsheet's cell: a line break
        category = unicodedata.category(ch)
        if category in REFUSED_CATEGORIES and ch not in ALLOWED_FORMAT:
            what = {
                "Zl": "the line separator",
                "Zp": "the paragraph separator",
                "Cs": "the lone surrogate",
            }.get(category, "the control character")
            return f"contains {what} U+{ord(ch):04X}; remove it"
    return None


def url_host(url: str, schemes: tuple[str, ...] = ("https",)) -> str | None:
    """The host ``url`` leads to, lower-cased, or None if it is no plain URL of ``schemes``.

    A URL holds no whitespace or backslash (browsers read ``\\`` as ``/``, so
    ``https://evil.example\\@host/`` leads to evil.example) and no user name
    or password, which could dress one host up as another.
    """
    if any(ch.isspace() or ch == "\\" for ch in url) or refused_character(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes or not host or "@" in parts.netloc:
        return None
    return host.lower().rstrip(".")
