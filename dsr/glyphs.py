"""Can the installed fonts print this text? Ask fontconfig, as Pango will.

A character no font covers would print as an empty box and vanish from the
PDF's text, so dsr refuses it up front, naming the character. fontconfig is
asked once for the characters of every installed font, not once per
character (3,990 distinct Chinese characters took 44 s that way).

How wide text is set (``ems``) is measured here too, from the fonts' advance
widths (``data/glyph_widths.json``, made by ``advance_widths``): page one's
layout, the Typst engine and dsr.typography's line-breaking rules use it.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import subprocess
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, Final

from .resources import data_file

# Latin, Greek and Cyrillic are covered by Noto Serif, which dsr installs.
ALWAYS_COVERED = 0x0530


@cache
def _coverage() -> tuple[list[int], list[int]] | None:
    """The code points some installed font covers, as sorted, merged ranges (starts, ends)."""
    try:
        result = subprocess.run(
            ["fc-list", "--format", "%{charset}\\n"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None  # no fontconfig to ask: let the renderer decide
    if result.returncode != 0:
        return None
    ranges: list[tuple[int, int]] = []
    for token in result.stdout.split():  # "20-7e a0-17f 2e31"
        first, _, last = token.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    starts: list[int] = []
    ends: list[int] = []
    for low, high in sorted(ranges):
        if ends and low <= ends[-1] + 1:
            ends[-1] = max(ends[-1], high)
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends


def _covered(codepoint: int) -> bool:
    coverage = _coverage()
    if coverage is None:
        return True
    starts, ends = coverage
    index = bisect.bisect_right(starts, codepoint) - 1
    return index >= 0 and codepoint <= ends[index]


def unprintable(text: str) -> list[str]:
    """Characters of ``text`` that no installed font can print, as "U+XXXX NAME"."""
    missing = []
    for ch in dict.fromkeys(text):
        point = ord(ch)
        if point < ALWAYS_COVERED or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        if not _covered(point):
            missing.append(f"U+{point:04X} {unicodedata.name(ch, 'unnamed character')}")
    return missing


# The fonts dsr's letters name, in order (letter.css.jinja, letter.typ); other
# characters fall back to whichever installed font has them.
LETTER_FONTS = ("Noto Serif", "Noto Serif CJK HK", "Noto Serif CJK TC", "Noto Sans CJK HK")
BOLD_WIDER = 1.06  # the letterhead measures the bold name 6 % wider than regular text
WIDTH_STEP = 100  # widths are stored in hundredths of an em, rounded up


def advance_widths(estimate: Callable[[str], float]) -> list[list[int]]:
    """The characters the installed fonts set wider than ``estimate`` says, and how wide.

    ``[[first, last, hundredths of an em], ...]`` for runs of code points:
    the advance width in the first of dsr's fonts that has the character
    (regular, or bold less 6 %), else the widest of all installed fonts that
    have it, as the renderer may fall back to any of them. Read with
    fontTools; ``data/glyph_widths.json`` holds what this gives (a test keeps
    the two equal), so a letter needs no font file read to be measured.
    """
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

    def faces(path: str) -> list[Any]:
        try:
            if path.lower().endswith((".ttc", ".otc")):
                return list(TTCollection(path, lazy=True).fonts)
            return [TTFont(path, lazy=True)]
        except Exception:  # a font fontTools cannot read is not one to measure by
            return []

    def widths(paths: list[str], bold_factor: float = 1.0) -> dict[int, float]:
        out: dict[int, float] = {}
        for path in paths:
            for face in faces(path):
                units = face["head"].unitsPerEm
                metrics = face["hmtx"].metrics
                is_bold = bool(face["OS/2"].fsSelection & 0x20) if "OS/2" in face else False
                factor = bold_factor if is_bold else 1.0
                for point, glyph in (face.getBestCmap() or {}).items():
                    width = metrics.get(glyph, (0, 0))[0] / units / factor
                    out[point] = max(out.get(point, 0.0), width)
        return out

    def files(pattern: str) -> list[str]:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\\n", pattern],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
        return sorted({line for line in listed.splitlines() if line})

    chosen: dict[int, float] = {}
    for family in LETTER_FONTS:
        found = widths(files(f"{family}:style=Regular") + files(f"{family}:style=Bold"), BOLD_WIDER)
        for point, width in found.items():
            chosen.setdefault(point, width)
    for point, width in widths(files(":")).items():
        chosen.setdefault(point, width)
    runs: list[list[int]] = []
    for point in sorted(chosen):
        char = chr(point)
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Mn", "Me") or char.isspace():
            continue
        steps = math.ceil(round(chosen[point] * WIDTH_STEP, 6))
        if steps / WIDTH_STEP <= estimate(char):
            continue
        if runs and runs[-1][1] == point - 1 and runs[-1][2] == steps:
            runs[-1][1] = point
        else:
            runs.append([point, point, steps])
    return runs


# Widths ------------------------------------------------------------------------

# Noto Serif's advance widths in em, by groups of characters of about one width;
# CJK counts 1 em, Cyrillic and other letters by case.
_EM_WIDTHS: Final = (
    (" \u00a0'.,:;`/·\u2019\u2018", 0.26),
    ("jl-i!\u0131ł", 0.32),
    ("()[]tfIJ", 0.36),
    ("s_?ršř", 0.46),
    ('cz*çčž–“”„«»"', 0.5),  # noqa: RUF001
    ("FZPCTbdpqELYŁ", 0.62),
    ("hunBRXñßüű", 0.65),
    ("&OQNHÖ", 0.76),
    ("w%@æœ…", 0.88),
    ("MmŒ", 0.94),
    ("WÆ—", 1.05),
)
_EM_BY_CHAR: Final = {char: width for chars, width in _EM_WIDTHS for char in chars}


def estimated_em(char: str) -> float:
    """A character's width by its group, before the fonts' own widths are looked up."""
    if char >= "\u2e80":
        return 1.0
    if char in _EM_BY_CHAR:
        return _EM_BY_CHAR[char]
    if "\u0400" <= char <= "\u04ff":
        return 0.75 if char.isupper() else 0.65
    return 0.71 if char.isupper() else 0.57


@cache
def _wider() -> tuple[list[int], list[int], list[float]]:
    """``data/glyph_widths.json``: characters the fonts set wider than their group's width.

    ``⸻``, ``Ŵ`` or ``﷽`` are two to eight times as wide as a letter; measured as
    letters, they would push a name out of the letterhead.
    """
    with data_file("glyph_widths.json").open(encoding="utf-8") as handle:
        table = json.load(handle)
    runs: list[list[int]] = table["runs"]
    return [r[0] for r in runs], [r[1] for r in runs], [r[2] / table["step"] for r in runs]


@lru_cache(maxsize=8192)
def _em(char: str) -> float:
    firsts, lasts, widths = _wider()
    index = bisect.bisect_right(firsts, ord(char)) - 1
    if index >= 0 and ord(char) <= lasts[index]:
        return widths[index]
    return estimated_em(char)


def ems(text: str) -> float:
    """The width of ``text`` in dsr's fonts, in em: the header's layout and Typst use it.

    An upper bound: each character counts as wide as the installed font that
    sets it (or the widest that may), within a sixteenth of an em.
    """
    return sum(_em(char) for char in text)


def running_ems(text: str) -> list[float]:
    """The width of each beginning of ``text`` (``text[:i]`` for i = 0 ... len), in em.

    Measures every part of a long text in one pass: ``text[i:j]`` is
    ``running[j] - running[i]`` em wide.
    """
    return [0.0, *itertools.accumulate(map(_em, text))]
