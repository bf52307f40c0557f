"""How an address names a country: in the letter's language, and in capitals."""

from __future__ import annotations

import unicodedata

from babel import Locale

from .i18n import locale_id


def country_name(country: str, language: str) -> str:
    """The country's name in the letter's language (Babel's CLDR data)."""
    locale = Locale.parse(locale_id(language))
    name: str = locale.territories.get(country, country)
    return name


def postal_capitals(text: str) -> str:
    """Capitals for an address line; Greek capitals drop their accents (tonos)."""
    decomposed = unicodedata.normalize("NFD", text.upper())
    kept = "".join(
        ch
        for i, ch in enumerate(decomposed)
        if not (ch == "\u0301" and i and "\u0370" <= decomposed[i - 1] <= "\u03ff")
    )
    return unicodedata.normalize("NFC", kept)
