"""Can the installed fonts print this text? Ask fontconfig, as Pango will.

A character no font covers would print as an empty box and vanish from the
PDF's text, so dsr refuses it up front, naming the character.
"""

from __future__ import annotations

import subprocess
import unicodedata
from functools import cache

# Latin, Greek and Cyrillic are covered by Noto Serif, which dsr installs.
ALWAYS_COVERED = 0x0530


@cache
def _covered(codepoint: int) -> bool:
    try:
        result = subprocess.run(
            ["fc-list", f":charset={codepoint:x}", "family"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return True  # no fontconfig to ask: let the renderer decide
    return bool(result.stdout.strip())


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
