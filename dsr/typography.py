"""Each language's typesetting rules, applied to a letter's text before any engine sets it.

The rules only change the kind of whitespace or add invisible joiners, never
a letter: a no-break space (U+00A0) binds a word to the next, a word joiner
(U+2060) between two characters forbids a line break there. WeasyPrint (Pango)
and a browser honour both; dsr.typeset sets joined runs as unbreakable boxes
(Typst would copy the joiners into the PDF's text); the text output
(``wrap``) treats both as glue and drops the joiners. No rule makes a run no
line can break wider than a line out of text a line could break every
quarter line: at most three one-letter words are bound in a row, a citation
is kept whole up to 20 em, and no space is dropped between two characters
that would then hold together (tests/test_typography.py asks Pango where
lines may break, before and after).

- Czech, Slovak and Polish: a one-letter preposition or conjunction never
  ends a line; it is bound to the next word (cs: Internetová jazyková
  příručka, ÚJČ AV ČR, "Zalomení řádků a nevhodné výrazy na jejich konci",
  https://prirucka.ujc.cas.cz/?id=880, its chapter on letters, which follows
  ČSN 01 6910; sk: the same rule of Slovak typography, as summarised at
  https://tvorim.net/typografia/72-pisanie-zaverecnych-prac-a-tvorba-casopisov
  (the text of STN 01 6910 itself was not at hand);
  pl: Wielki słownik ortograficzny PWN, rule 54.8.1 (one-letter words move to
  the next line in titles) and Poradnia PWN, M. Bańko, "Czego nie zostawiać
  na końcu linijki" (good editorial practice in running text),
  https://sjp.pwn.pl/zasady/;629563 and
  https://sjp.pwn.pl/poradnia/haslo/Czego-nie-zostawiac-na-koncu-linijki;15723.html).
  Slovenian, Croatian and Hungarian orthographies state no such rule that
  could be found, so their text is left as it is.
- Traditional Chinese: a citation is never split across lines: a title in
  book-title marks 《…》〈…〉, a provision (第2(3)條, 附表1保障資料第3原則,
  第486章) and a Latin name set in Chinese text (LinkedIn Corporation). No
  line starts with closing punctuation or ends with opening punctuation,
  and a date (2026年12月7日) stays on one line. Chinese sets no space
  between sentences or words: white space that the letter's template puts
  between two Chinese characters or marks is dropped
  (W3C, Requirements for Chinese Text Layout, 6.1.1 "Prohibition rules for
  line start and line end" and 6.1.2 "Prohibition rules for unbreakable
  marks", which keeps Western words whole,
  https://www.w3.org/TR/clreq/#prohibition_rules_for_line_start_end; the
  characters are the Chinese (Traditional) kinsoku sets of ECMA-376 1st
  edition, Part 4, 2.3.1.16 <kinsoku>).
- Text output: East Asian wide and fullwidth characters take two columns
  (Unicode Standard Annex #11), so a Chinese line is as wide as a Latin one.

Sources read on 2026-12-07.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from .glyphs import ems

NBSP: Final = "\u00a0"
WORD_JOINER: Final = "\u2060"

# One-letter prepositions and conjunctions, per language (lower case; upper
# case, as at the start of a sentence, is bound too).
ONE_LETTER_WORDS: Final[dict[str, str]] = {
    "cs": "ksvzouai",
    "sk": "ksvzouai",
    "pl": "aiouwz",
}
# A word starts after the start of the text, a space or an opening mark (in
# Czech, Slovak and Polish the low and angle quotation marks open a quotation;
# an apostrophe does not).
_WORD_START: Final = r"(?<![^\s(\[{„‚«»‹›–—/])"  # noqa: RUF001


def _one_letter_pattern(letters: str, continued: bool) -> re.Pattern[str]:
    both = re.escape(letters + letters.upper())
    # The word and the one space before the next word; with ``continued``
    # also a space at the end, where the text goes on after markup. Only a
    # single space becomes a no-break space: a line break or a run of spaces
    # (in text set as typed) is left as it is.
    following = r"(?=\S|\Z)" if continued else r"(?=\S)"
    return re.compile(rf"{_WORD_START}([{both}]) {following}")


_ONE_LETTER: Final = {
    (lang, continued): _one_letter_pattern(words, continued)
    for lang, words in ONE_LETTER_WORDS.items()
    for continued in (False, True)
}
# One-letter words bound in a row ("a v Praze", "a i v tom"). A longer chain
# (a a a a ...) is no sentence; bound whole, it would be one run no line can
# break, running off the page: every fourth word of it stays free.
BOUND_MAX: Final = 3


def _bind_one_letter_words(text: str, pattern: re.Pattern[str]) -> str:
    out: list[str] = []
    start = row = 0
    previous_end = -1
    for match in pattern.finditer(text):
        row = row + 1 if match.start() == previous_end else 1
        previous_end = match.end()
        if row > BOUND_MAX:
            row = 0
            continue
        out += [text[start : match.start()], match.group(1), NBSP]
        start = match.end()
    return "".join(out) + text[start:]


# Traditional Chinese -----------------------------------------------------------

_NUMBER: Final = r"[0-9０-９〇零一二三四五六七八九十百千]+"  # noqa: RUF001
_PART: Final = r"(?:[(（][0-9０-９A-Za-z一二三四五六七八九十]{1,4}[)）])"  # noqa: RUF001
# A word of a Latin name: a capital or a digit first; "&", ".", "'" or "-"
# inside, never last ("AT&T", "O'Neill"): a name ends at a full stop.
# Each part is unambiguous, so matching is linear.
_NAME_WORD: Final = r"[A-Z0-9][A-Za-z0-9]*(?:[&.’'-][A-Za-z0-9]+)*"  # noqa: RUF001
# Citations kept on one line: titles in book-title marks, provisions, and
# Latin names (words with a capital or a digit first, one to six of them).
# Each is bounded (``_keep_whole``), so that none is wider than half a line.
_CITATION: Final = re.compile(
    r"《[^《》\n]{1,30}》"
    r"|〈[^〈〉\n]{1,30}〉"
    rf"|(?:附表{_NUMBER}(?:保障資料)?)?第{_NUMBER}{_PART}{{0,4}}"
    r"(?:條|条|原則|原则|章|款|項|项|段|節|节|部)"
    rf"|附表{_NUMBER}"
    rf"|{_NUMBER}年{_NUMBER}月{_NUMBER}日"
    rf"|(?<![A-Za-z0-9&.’'-]){_NAME_WORD}(?:[ \u00a0]{_NAME_WORD}){{1,5}}(?![A-Za-z0-9&’'-])"  # noqa: RUF001
)
# White space between two wide characters (Chinese characters or fullwidth marks).
_WIDE_CLASS: Final = r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
# Wide characters that hold on to their neighbour once the space between is
# gone, though a line may break at that space (Unicode Standard Annex #14):
# no line starts with the ideographic space, an iteration or prolonged sound
# mark, a small kana, a combining mark, the wave dash, the fullwidth percent,
# colon, semicolon or cent sign (classes BA, NS, CJ, CM, PO), none ends with a
# fullwidth dollar, pound, yen or won sign (PR). Between two of them the space
# stays, so that a row of fullwidth colons does not become one run no line
# can break, nor "漢 〪 〪 〪" a stack of marks (found by asking Pango,
# tests/test_typography.py).
_STARTS_NO_LINE: Final = (
    "\u3000\u3005\u301c\u302a-\u302f\u3035\u303b\u303c\u3041\u3043\u3045\u3047\u3049"
    "\u3063\u3083\u3085\u3087\u308e\u3095\u3096\u3099-\u309e\u30a0\u30a1\u30a3\u30a5"
    "\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6\u30fb-\u30fe\u31f0-\u31ff"
    "\uff05\uff1a\uff1b\uffe0"
)
_ENDS_NO_LINE: Final = "\uff04\uffe1\uffe5\uffe6"
_HOLDING: Final = _STARTS_NO_LINE + _ENDS_NO_LINE
_NO_LINE_START: Final = re.compile(f"[{_STARTS_NO_LINE}]")
_BETWEEN_WIDE: Final = re.compile(
    rf"(?<={_WIDE_CLASS})(?<![{_HOLDING}])[ \t\r\n]+(?={_WIDE_CLASS})"
    rf"|(?<={_WIDE_CLASS})[ \t\r\n]+(?={_WIDE_CLASS})(?![{_HOLDING}])"
)
CITATION_MAX: Final = 36  # characters
CITATION_EMS: Final = 20.0  # ems: about half a line of the letter, whatever the characters


def _keep_whole(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) > CITATION_MAX or ems(found) > CITATION_EMS:
        return found
    if found.isascii() or all(display_width(ch) == 1 for ch in found):
        return found.replace(" ", NBSP)  # Latin words do not break inside; spaces do
    return WORD_JOINER.join(found.replace(" ", NBSP))


def base_language(language: str) -> str:
    """``zh-Hant`` -> ``zh-hant``, ``cs-CZ`` -> ``cs``: the key of a language's rules."""
    parts = language.replace("_", "-").lower().split("-")
    if parts[0] == "zh":
        return "zh-hans" if "hans" in parts or "cn" in parts or "sg" in parts else "zh-hant"
    return parts[0]


def has_rules(language: str) -> bool:
    """Whether ``language`` has typesetting rules that change its text."""
    return base_language(language) in ONE_LETTER_WORDS or base_language(language) == "zh-hant"


def apply(text: str, language: str, *, continued: bool = False) -> str:
    """``text`` with ``language``'s line-breaking rules written into its whitespace.

    ``continued``: the text goes on after this piece (after inline markup),
    so white space at its end still precedes a word.
    """
    key = base_language(language)
    if key in ONE_LETTER_WORDS:
        return _bind_one_letter_words(text, _ONE_LETTER[key, continued])
    if key == "zh-hant":
        return _CITATION.sub(_keep_whole, _BETWEEN_WIDE.sub("", text))
    return text


def strip_joiners(text: str) -> str:
    """The text without word joiners (for output read as plain text)."""
    return text.replace(WORD_JOINER, "")


# Text output ------------------------------------------------------------------

# No line starts with these (closing punctuation, in Chinese and Latin use) ...
NO_BREAK_BEFORE: Final = frozenset(
    "!),.:;?]}¢·’”•‥…‧′、。〉》」』】〕〗〙〛〞︰︱︳︴︶︸︺︼︾﹀﹂﹄﹏﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞"  # noqa: RUF001
    "！），．：；？］｝｣､％"  # noqa: RUF001
)
# ... and no line ends with these (opening punctuation).
NO_BREAK_AFTER: Final = frozenset("([{£¥‘“‵〈《「『【〔〖〘〚〝︵︷︹︻︽︿﹁﹃﹙﹛﹝（［｛｢")  # noqa: RUF001
_GLUE: Final = frozenset((NBSP, WORD_JOINER, "\u200d", "\u202f"))


def char_width(char: str) -> int:
    """Columns ``char`` takes in a monospaced text: 2 if East Asian wide or fullwidth."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced text (Unicode Standard Annex #11)."""
    return sum(char_width(char) for char in text)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def may_break_between(before: str, after: str) -> bool:
    """A line may break between two characters not separated by a space.

    Only where one of them is East Asian (Latin words never break inside),
    neither is glue, no closing mark would start the line and no opening
    mark would end it, nor a mark or a character that holds on to the one
    before it (a prolonged sound mark, a small kana: ``_STARTS_NO_LINE``) or
    after it.
    """
    if before in _GLUE or after in _GLUE:
        return False
    if after in NO_BREAK_BEFORE or before in NO_BREAK_AFTER:
        return False
    if before in _ENDS_NO_LINE or _NO_LINE_START.match(after):
        return False
    if unicodedata.category(after) in ("Mn", "Mc", "Me"):
        return False  # a mark stays with its letter
    return _wide(before) or _wide(after)


BREAKING_SPACE: Final = frozenset(" \t\n\x0b\x0c\r")


def _pieces(text: str) -> list[tuple[str, str]]:
    """``text`` cut at every line-break opportunity: (the spaces before it, the piece).

    Spaces are kept as typed (each white-space character one space), as
    text set as typed has them.
    """
    pieces: list[tuple[str, str]] = []
    current: list[str] = []
    spaces = ""
    previous = ""
    for char in text:
        if char in BREAKING_SPACE:
            if current:
                pieces.append((spaces, "".join(current)))
                current, spaces = [], ""
            spaces += " "
            previous = ""
            continue
        if current and previous and may_break_between(previous, char):
            pieces.append((spaces, "".join(current)))
            current, spaces = [], ""
        elif (
            not current
            and pieces
            and (char in NO_BREAK_BEFORE or pieces[-1][1][-1] in NO_BREAK_AFTER)
        ):  # no break before a closing or after an opening mark, even at a space
            before, piece = pieces.pop()
            current, spaces = [piece, spaces], before
        current.append(char)
        previous = char
    if current:
        pieces.append((spaces, "".join(current)))
    return pieces


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines at most ``width`` columns wide, broken where its language allows.

    A line breaks at a space (which is dropped) or between East Asian
    characters, never before closing or after opening punctuation, never
    inside a Latin word, at a no-break space or at a word joiner. A piece
    wider than a line (a long web address) stands on a line of its own.
    """
    lines: list[str] = []
    line = ""
    used = 0
    for spaces, piece in _pieces(text):
        piece_width = display_width(piece)
        if not lines and not line:
            gap = spaces  # the text's own indent
        else:
            gap = spaces if line else ""
        if line and used + len(gap) + piece_width > width:
            lines.append(line)
            line, used = piece, piece_width
            continue
        line += gap + piece
        used += len(gap) + piece_width
    if line:
        lines.append(line)
    return lines
