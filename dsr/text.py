"""Checks every piece of text passes before it goes into a letter, a header or a terminal.

Member input (flags, profiles, batch rows) and controller records (dsr's
format, datarequests.org's) are checked alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

# Control, format (bidi controls among them) and surrogate code points, and the
# line and paragraph separators: refused in every field. ZWJ and ZWNJ are part
# of words in several scripts.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ALLOWED_FORMAT = "\u200d\u200c"


@dataclass(frozen=True)
class FieldRule:
    """What one field of a request may hold: the one limit and character set every path uses.

    ``limit`` counts the characters of the text as dsr keeps it (spaces around
    it stripped, Unicode NFC); ``word`` bounds one word (no space in it);
    ``multiline`` fields hold line breaks; ``pattern`` is the whole character
    set of a field that has one, which ``characters`` says in words.
    """

    limit: int
    word: int | None = None
    multiline: bool = False
    pattern: re.Pattern[str] | None = None
    characters: str = ""


REFERENCE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))*")

# Every field of a request (the option names without dashes), for flags, profiles,
# batch rows and the library alike; a field not named here has DEFAULT_RULE.
FIELD_RULES: dict[str, FieldRule] = {
    "name": FieldRule(200, word=64),
    "address": FieldRule(400, word=64, multiline=True),
    "place": FieldRule(100, word=64),
    "situation": FieldRule(4000, word=200, multiline=True),
    "email": FieldRule(254),  # RFC 5321's longest path
    "account-email": FieldRule(254),
    "profile-url": FieldRule(2000),
    "reference": FieldRule(
        40,
        pattern=REFERENCE,
        characters="letters A-Z and a-z, digits and . _ -, beginning with a letter or "
        "digit, no two dots together (it names the e-mail's attachment)",
    ),
    "enclose": FieldRule(4096),  # each file name
    "date": FieldRule(40),
    "request-date": FieldRule(40),
    "controller-complaint-date": FieldRule(40),
}
DEFAULT_RULE = FieldRule(200)  # kind, jurisdiction, controller, lang, authority...
# Longer text is counted as typed, not normalised first (NFC may join up to four
# characters into one): refusing a field of megabytes must not cost seconds.
_COUNT_AS_TYPED = 16


def field_rule(field: str) -> FieldRule:
    return FIELD_RULES.get(field, DEFAULT_RULE)


def kept_text(field: str, value: str) -> str:
    """The text of ``field`` as dsr keeps it: stripped, NFC, line breaks as ``\\n``."""
    if field_rule(field).multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", value.strip())


def length_problem(field: str, value: str) -> str | None:
    """Why ``value`` is too long for ``field`` (its one limit, in characters), or None."""
    limit = field_rule(field).limit
    stripped = value.strip()
    if len(stripped) > _COUNT_AS_TYPED * limit:
        length = len(stripped)
    else:
        length = len(kept_text(field, value))
    if length > limit:
        return f"is {length} characters long; the limit is {limit}"
    return None


# Fields that go into an e-mail header (the sender's display name).
HEADER_FIELDS: Final = frozenset({"name"})


def field_problem(field: str, value: str) -> str | None:
    """Why ``value`` cannot be ``field``'s text, or None: its limit, characters and words.

    The one check of a field's text, for every path (flags, profiles, batch
    rows, the library, the e-mail writer) and every format.
    """
    problem = length_problem(field, value)
    if problem:
        return problem
    rule = field_rule(field)
    reason = refused_character(value.strip(" \t\r\n"), multiline=rule.multiline)
    if reason:
        return reason
    text = kept_text(field, value)
    if field in HEADER_FIELDS and "=?" in text:
        return "contains '=?', which e-mail reads as the start of encoded text; remove it"
    if rule.pattern is not None and text and not rule.pattern.fullmatch(text):
        return f"use up to {rule.limit} {rule.characters}"
    if rule.word is not None:
        longest = max(text.split(), key=len, default="")
        if len(longest) > rule.word:
            return (
                f"has a word of {len(longest)} characters ({longest[:20]!r}...); "
                f"the limit is {rule.word}"
            )
    return None


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


def printable(text: str) -> str:
    """``text`` safe for a terminal: control, bidi and surrogate characters escaped."""
    if refused_character(text) is None:
        return text
    return "".join(ch if refused_character(ch) is None else f"\\u{ord(ch):04x}" for ch in text)


_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def url_host(url: str, schemes: tuple[str, ...] = ("https",)) -> str | None:
    """The host ``url`` leads to, as DNS names it (lower case, IDNA), or None.

    None if it is no plain URL of ``schemes``. A URL holds no whitespace or
    backslash (browsers read ``\\`` as ``/``, so ``https://evil.example\\@host/``
    leads to evil.example), no joiner, and no user name or password, which
    could dress one host up as another. The host is compared as a browser
    resolves it: an internationalised name in its ASCII form (full-width
    letters and ideographic full stops are mapped, as IDNA maps them), one
    trailing dot dropped, and nothing but DNS labels left (no ``%``, no empty
    label, no IP literal in brackets).
    """
    if any(ch.isspace() or ch in "\\\u200c\u200d" for ch in url) or refused_character(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes or not host or "@" in parts.netloc:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if ascii_host.endswith("."):
        ascii_host = ascii_host[:-1]
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_DNS_LABEL.fullmatch(label) for label in labels):
        return None
    return ascii_host
