"""Can the installed fonts print this text? Ask fontconfig, as Pango will.

A character no font covers would print as an empty box and vanish from the
PDF's text, so dsr refuses it up front, naming the character. fontconfig is
asked once for the characters of every installed font, not once per
character (3,990 distinct Chinese characters took 44 s that way).
"""

from __future__ import annotations

import bisect
import subprocess
import unicodedata
from functools import cache

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
