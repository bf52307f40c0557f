"""Languages dsr ships and their gettext catalogs.

A wheel carries compiled ``.mo`` files (built by the hatch build hook). A
source checkout may have only ``.po`` files; they are compiled in memory, so
no separate compile step is ever needed to run dsr.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from typing import Final

from babel import Locale, localedata
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .resources import resource_dir

DOMAIN = "letters"


def locale_id(language: str) -> str:
    """A BCP 47 tag as dsr takes it (``de-CH``) -> Babel's identifier (``de_CH``)."""
    return str(Locale.parse(language, sep="-"))


SWISS_GERMAN_TERMS = (
    # The FADP's own terms replace the GDPR's (DSG: "Personendaten", "bearbeiten").
    ("personenbezogenen Daten", "Personendaten"),
    ("personenbezogene Daten", "Personendaten"),
    ("Verarbeitung", "Bearbeitung"),
    ("verarbeiten", "bearbeiten"),
    ("verarbeitet", "bearbeitet"),
)
SWISS_FRENCH_TERMS = (
    # The LPD says "données personnelles" where the RGPD says "à caractère personnel".
    ("données à caractère personnel", "données personnelles"),
)


def swiss_german(text: str) -> str:
    """Swiss Standard German: "ss" for "ß", and the FADP's terms."""
    for gdpr_term, fadp_term in SWISS_GERMAN_TERMS:
        text = text.replace(gdpr_term, fadp_term)
    return text.replace("ß", "ss")


def swiss_french(text: str) -> str:
    """Swiss French letters use the LPD's terms."""
    for gdpr_term, lpd_term in SWISS_FRENCH_TERMS:
        text = text.replace(gdpr_term, lpd_term)
    return text


US_ENGLISH = (
    ("Dear Sir or Madam,", "Dear Sir or Madam:"),
    ("Yours faithfully,", "Sincerely,"),
    ("summarised", "summarized"),
    ("organisation", "organization"),
)
CANADIAN_FRENCH = (
    # OQLF: « adresse courriel » is the usual Quebec term.
    ("adresse électronique", "adresse courriel"),
)


def _replacing(pairs: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    def rule(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return rule


def unchanged(text: str) -> str:
    return text


# Regional forms derived from a catalog by spelling and terminology rules,
# where that is all that differs; a real <lang>_<REGION> catalog wins.
DERIVED: dict[str, tuple[str, Callable[[str], str]]] = {
    "de-CH": ("de", swiss_german),
    "fr-CH": ("fr", swiss_french),
    "fr-CA": ("fr", _replacing(CANADIAN_FRENCH)),
    "en-GB": ("en", unchanged),  # dsr's English is British
    "en-US": ("en", _replacing(US_ENGLISH)),
}


# Languages whose letters go on in lower case after the salutation's comma
# ("Sehr geehrte Damen und Herren, / hiermit ..."; DIN 5008, and the same
# custom in Czech and Slovenian). The catalogs' opening sentences follow it;
# a sentence that can open a letter or stand mid-letter is lowered there.
LOWER_CASE_AFTER_SALUTATION: Final = frozenset({"de", "cs", "sl"})


def after_salutation(text: str, language: str) -> str:
    """``text`` as the first words after the salutation, in ``language``'s custom."""
    if language.split("-")[0] in LOWER_CASE_AFTER_SALUTATION and text[:1].isupper():
        return text[:1].lower() + text[1:]
    return text


@cache
def shipped_languages() -> tuple[str, ...]:
    """Languages with a catalog (or derived from one), as BCP 47 tags, sorted."""
    root = resource_dir("locales")
    tags = set()
    for po in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        tags.add(po.parent.parent.name.replace("_", "-"))
    tags.update(tag for tag, (base, _) in DERIVED.items() if base in tags)
    return tuple(sorted(tags))


@cache
def translations(language: str) -> Translations:
    """The catalog for ``language``, from ``.mo`` if built, else from ``.po``."""
    folder = resource_dir("locales") / locale_id(language) / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    po = folder / f"{DOMAIN}.po"
    if language in DERIVED and not po.is_file():
        base, rule = DERIVED[language]
        return _derived(translations(base), rule)
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po.is_file():
        raise FileNotFoundError(f"no catalog for language {language!r}")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale_id(language), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _derived(source: Translations, rule: Callable[[str], str]) -> Translations:
    """A copy of ``source`` with ``rule`` applied to every translated string."""
    catalog = source._catalog  # gettext keeps messages here; copying beats re-parsing
    derived = Translations()
    derived._catalog = {
        key: rule(value) if isinstance(value, str) else value for key, value in catalog.items()
    }
    derived.plural = source.plural
    derived.domain = source.domain
    return derived


def language_name(language: str, in_language: str | None = None) -> str:
    """The language's own name (or its name in ``in_language``)."""
    locale = Locale.parse(locale_id(language))
    name = locale.get_display_name(Locale.parse(locale_id(in_language or language)))
    return name or language


def letter_locale(language: str, country: str) -> str:
    """The locale that formats dates and numbers: language plus the member's country.

    ``en`` for a member in Germany formats as ``en_DE`` (22 November 2026),
    ``de`` in Austria as ``de_AT`` (Jänner); without CLDR data for the pair,
    the language alone.
    """
    base = str(Locale.parse(language, sep="-"))
    if base.endswith(f"_{country}"):
        return base
    if localedata.exists(f"{base}_{country}"):
        return f"{base}_{country}"
    return base
