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

from .ui import N_, gettext, ngettext

# Control, format (bidi controls among them) and surrogate code points, and the
# line and paragraph separators: refused in every field. ZWJ and ZWNJ are part
# of words in several scripts.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ALLOWED_FORMAT = "\u200d\u200c"


@dataclass(frozen=True)
class FieldRule:
    """What one field of a request may hold: the one limit and character set every path uses.

    ``limit`` counts the characters of the text as dsr keeps it (spaces around
    it stripped, Unicode NFC); ``word`` bounds one word (``unbreakable_runs``);
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
        characters=N_(
            "letters A-Z and a-z, digits and . _ -, beginning with a letter or "
            "digit, no two dots together (it names the e-mail's attachment)"
        ),
    ),
    "enclose": FieldRule(4096),  # each file name
    "date": FieldRule(40),
    "request-date": FieldRule(40),
    "controller-complaint-date": FieldRule(40),
}
DEFAULT_RULE = FieldRule(200)  # kind, jurisdiction, controller, lang, authority...

# Every text of a controller record (dsr's format; datarequests.org's records are
# read into it) and of an authority's form, by its key; list items by their
# list's key. What a letter prints has the word limit of the member's name and
# address; links and e-mail addresses are one word each; notes and sources go
# to the terminal only. A label (``labels.<language>.<key>``) has its key's rule.
RECORD_RULES: Final[dict[str, FieldRule]] = {
    "service": FieldRule(200, word=64),
    "objection_form": FieldRule(500),
    "privacy_form": FieldRule(500),
    "dpo_form": FieldRule(500),
    "privacy_email": FieldRule(254),
    "dpo_email": FieldRule(254),
    "ai_setting_name": FieldRule(200, word=64),
    "ai_setting_path": FieldRule(300, word=64),
    "ai_setting_url": FieldRule(500),
    "ai_legal_basis": FieldRule(300, word=64),
    "network": FieldRule(20),
    "objection_form_name": FieldRule(200, word=64),
    "notes": FieldRule(2000),
    "sources": FieldRule(2000),
    "profile_hosts": FieldRule(253),
    "ai_training_jurisdictions": FieldRule(10),
    "entity name": FieldRule(200, word=64),
    "entity attention": FieldRule(200, word=64),
    "entity attention_text": FieldRule(200, word=64),
    "entity lead_authority": FieldRule(60),
    "entity established_in": FieldRule(2),
    "entity country": FieldRule(2),
    "entity address": FieldRule(100, word=64),
    "entity jurisdictions": FieldRule(10),
    "entity sources": FieldRule(2000),
    "authority name": FieldRule(200, word=64),
    "authority address": FieldRule(100, word=64),
    "authority note": FieldRule(2000),
}
# Longer text is counted as typed, not normalised first (NFC may join up to four
# characters into one): refusing a field of megabytes must not cost seconds.
_COUNT_AS_TYPED = 16


def field_rule(field: str) -> FieldRule:
    return FIELD_RULES.get(field, DEFAULT_RULE)


# Spaces no line breaks at (Unicode's line-breaking class GL): the no-break,
# figure and narrow no-break spaces. A member's text is kept with plain spaces
# in their place: they come in unseen, pasted from word processors and web
# pages ("M.\u00a0Dupont", "SW1A\u00a02AA"), and mean nothing a letter needs:
# kept, they would join words into runs no line can break (an unbreakable
# line runs off the page), make two names that look alike differ (in the
# e-mail's sender, a batch's file names, tracking), and decide the layout
# instead of the language's rules (dsr.typography puts no-break spaces where
# the letter's language asks for them).
NO_BREAK_SPACES: Final = "\u00a0\u2007\u202f"
_PLAIN_SPACES: Final = str.maketrans(dict.fromkeys(NO_BREAK_SPACES, " "))


def kept_text(field: str, value: str) -> str:
    """``field``'s text as dsr keeps it: stripped, NFC, plain spaces, line breaks as ``\\n``."""
    if field_rule(field).multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", value.translate(_PLAIN_SPACES).strip())


def length_problem(field: str, value: str) -> str | None:
    """Why ``value`` is too long for ``field`` (its one limit, in characters), or None."""
    limit = field_rule(field).limit
    stripped = value.strip()
    if len(stripped) > _COUNT_AS_TYPED * limit:
        length = len(stripped)
    else:
        length = len(kept_text(field, value))
    if length > limit:
        return ngettext(
            "is {length} character long; the limit is {limit}",
            "is {length} characters long; the limit is {limit}",
            length,
        ).format(length=length, limit=limit)
    return None


# Fields that go into an e-mail header (the sender's display name).
HEADER_FIELDS: Final = frozenset({"name", "email"})


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
        return gettext("contains '=?', which e-mail reads as the start of encoded text; remove it")
    if rule.pattern is not None and text and not rule.pattern.fullmatch(text):
        return gettext("use up to {limit} {characters}").format(
            limit=rule.limit, characters=gettext(rule.characters)
        )
    return shape_problem(text, rule)


def shape_problem(text: str, rule: FieldRule) -> str | None:
    """Why ``text`` would not keep to its place on the page, or None.

    Its longest run no line can break (a word, or words joined by no-break
    spaces or punctuation) is at most ``rule.word`` characters, and no
    character carries more than ``MAX_MARKS`` combining marks (stacked, they
    would be drawn through the lines above and below). The check of member
    fields and controller records alike.
    """
    stack, end = mark_stack(text)
    if stack > MAX_MARKS:
        base = end
        while base >= 0 and _is_mark(text[base]):
            base -= 1
        marks = " ".join(f"U+{ord(char):04X}" for char in text[base + 1 : end + 1][:3])
        where = (
            gettext("{character!r} followed by").format(character=text[base])
            if base >= 0
            else gettext("at the start:")
        )
        return gettext(
            "has {count} combining marks on one character ({where} {marks} ...); "
            "the limit is {limit}"
        ).format(count=stack, where=where, marks=marks, limit=MAX_MARKS)
    if rule.word is not None:
        longest = max(unbreakable_runs(text), key=len, default="")
        if len(longest) > rule.word:
            return gettext(
                "has a word of {length} characters ({start!r}...), "
                "counting text no line can break as one word; the limit is {limit}"
            ).format(length=len(longest), start=longest[:20], limit=rule.word)
    return None


# White space a line may break at: every space but the no-break ones.
_BREAKING_SPACE: Final = re.compile(r"[^\S\u00a0\u2007\u202f]+")
_LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
# Unicode Standard Annex #14 (line breaking): no line breaks at a space before
# closing punctuation, "!", "?", ",", ".", ":", ";" or "/" (rule LB13; "CL CP
# EX IS SY"), before a final quotation mark (LB15b) or a word joiner (LB11),
# between two em dashes (LB17), after opening punctuation (LB14), an opening
# quotation mark (LB15a), or a quotation mark before opening punctuation
# (LB15 of Pango's rules). Counted a little wider, so that a run is never
# shorter than the engines' (tests/test_properties.py asks Pango): "x ! ! !" or
# "( ( (" is one run.
_HOLDS_BEFORE: Final = frozenset(
    "!?,.:;/\u037e\u0589\u060c\u060d\u061b\u061f\u06d4\u2044\u203c\u2047\u2048\u2049"
    "\u3001\u3002\u30fb\ufe10\ufe11\ufe12\ufe13\ufe14\ufe15\ufe16\ufe50\ufe52\ufe54"
    "\ufe55\ufe56\ufe57\uff01\uff0c\uff0e\uff0f\uff1a\uff1b\uff1f\uff61\uff64"
    "\u2060\ufeff\u2014\u2e3a\u2e3b\u301c\u30a0\u30fc\u3005\u303b\u309d\u309e\u30fd\u30fe"
)
_HOLDS_AFTER: Final = frozenset("\u00a1\u00bf\u2e18")  # ¡ ¿ ⸘ open, though not Ps
_QUOTES: Final = frozenset("\"'")


def _holds(text: str, start: int, gap: re.Match[str]) -> bool:
    """Whether no line breaks at the white space ``gap`` after the run from ``start``."""
    if gap.end() == len(text):
        return False
    after = text[gap.end()]
    if after.isalnum() and text[gap.start() - 1].isalnum() and after not in _HOLDS_BEFORE:
        return False  # between two words: the common case, decided quickly
    after_kind = unicodedata.category(after)
    if after_kind in ("Pe", "Pf") or after in _HOLDS_BEFORE:
        return True
    index = gap.start() - 1  # the character before, its marks and joiners aside
    while index >= start and (
        unicodedata.category(text[index]) in ("Mn", "Mc", "Me") or text[index] in ALLOWED_FORMAT
    ):
        index -= 1
    if index < start:
        return False
    before = text[index]
    before_kind = unicodedata.category(before)
    if before_kind == "Ps" or before in _HOLDS_AFTER:
        return True
    if before_kind in ("Pi", "Pf") or before in _QUOTES:
        ahead = text[index - 1] if index > start else " "
        opens = after_kind == "Ps" or after in _HOLDS_AFTER
        return opens or (before_kind == "Pi" and (ahead.isspace() or ahead in "([{"))
    return False


def run_spans(text: str) -> list[tuple[int, int]]:
    """Where the runs of ``text`` no line can break start and end (see ``unbreakable_runs``)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for gap in _BREAKING_SPACE.finditer(text):
        spaces = gap.group()
        end = gap.start()
        if _LINE_BREAKS.isdisjoint(spaces):
            # Spaces other than the plain one (tab, em, ideographic ...) take
            # room at the end of a line; no line breaks before them, and after
            # them the rules of the characters around decide: counted as held.
            end += len(spaces.rstrip(" "))
            if not spaces.endswith(" ") or _holds(text, start, gap):
                continue
        if end > start:
            spans.append((start, end))
        start = gap.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def unbreakable_runs(text: str) -> list[str]:
    """The runs of ``text`` no line can break: the text cut where a line may break.

    A line breaks at a space, a tab or a line break, not at a no-break space
    (U+00A0, U+2007, U+202F) or a word joiner, not before another space
    (em, ideographic ...), nor where Unicode's line-breaking rules keep the
    text around a space together (``_holds``). Long words are measured by
    these runs, as the engines set them (``str.split`` would cut at no-break
    spaces, which no engine breaks at). Chinese text between two spaces counts
    as one run, though a line may break between its characters.
    """
    return [text[start:end] for start, end in run_spans(text)]


# Combining marks one character may carry: Vietnamese needs two (none once
# composed, as dsr keeps text), the longest in CLDR's data (3.6 million names,
# dates and units in over 700 locales, read with Babel: Tibetan has three,
# Chakma four) has four. A longer stack is drawn through the lines around it.
MAX_MARKS: Final = 4


def mark_stack(text: str) -> tuple[int, int]:
    """The most combining marks (nonspacing or enclosing) on one character, and where they end.

    A joiner between marks does not start a new character.
    """
    longest = count = end = 0
    for index, char in enumerate(text):
        if unicodedata.category(char) in ("Mn", "Me"):
            count += 1
            if count > longest:
                longest, end = count, index
        elif char not in ALLOWED_FORMAT:
            count = 0
    return longest, end


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me") or char in ALLOWED_FORMAT


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
                "Zl": gettext("the line separator"),
                "Zp": gettext("the paragraph separator"),
                "Cs": gettext("the lone surrogate"),
            }.get(category, gettext("the control character"))
            return gettext("contains {what} U+{code:04X}; remove it").format(
                what=what, code=ord(ch)
            )
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
