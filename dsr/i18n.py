"""Languages dsr ships and their gettext catalogs.

A wheel carries compiled ``.mo`` files (built by the hatch build hook). A
source checkout may have only ``.po`` files; they are compiled in memory, so
no separate compile step is ever needed to run dsr.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
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
    # Swiss typesetting quotes with guillemets, points outward: «…» (Schreibweisungen
    # der Bundeskanzlei, 2.1.1 "Anführungszeichen"), not „…“.
    ("„", "«"),
    ("“", "»"),
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
    # US usage: "email" (AP, Chicago), "file a complaint", "effective immediately",
    # "toward", "mail" for "post".
    ("e-mail", "email"),
    ("lodge a complaint", "file a complaint"),
    (", with immediate effect", ", effective immediately"),
    ("towards", "toward"),
    ("sign it and send it by post", "sign it, and mail it"),
    # The serial comma of US legal writing (and of the CCPA itself: "collecting,
    # selling, or sharing", Cal. Civ. Code § 1798.110(a)(3)), in dsr's own lists;
    # wording quoted from a statute keeps the statute's punctuation.
    (", train or improve", ", train, or improve"),
    ("summarized or inferred", "summarized, or inferred"),
    (", datasets and models", ", datasets, and models"),
    ("training, validation and test", "training, validation, and test"),
    ("training, fine-tuning and improving", "training, fine-tuning, and improving"),
    ("development, training and improvement", "development, training, and improvement"),
    ("developing, training or improving", "developing, training, or improving"),
    ("collecting, selling or sharing", "collecting, selling, or sharing"),
)
CANADIAN_FRENCH = (
    # OQLF: « adresse courriel » is the usual Quebec term.
    ("adresse électronique", "adresse courriel"),
    # The shared sentences that retell a request say "données à caractère
    # personnel" (the GDPR's term); PIPEDA and P-39.1 say "renseignements
    # personnels" (masculine: "ceux", not "celles").
    (
        "d\u2019effacer mes données à caractère personnel, y compris celles utilisées",
        "d\u2019effacer mes renseignements personnels, y compris ceux utilisés",
    ),
    (
        "l\u2019accès à mes données à caractère personnel ainsi",
        "l\u2019accès à mes renseignements personnels ainsi",
    ),
    (
        "de mes données à caractère personnel aux fins de l\u2019entraînement",
        "de mes renseignements personnels aux fins de l\u2019entraînement",
    ),
    # A complaint to the OPC (PIPEDA s. 11) or the CAI (P-39.1 s. 81) is a
    # « plainte »; « réclamation » is the GDPR's word (Art. 77).
    (
        "j\u2019introduirai sans autre préavis une réclamation auprès de",
        "je déposerai sans autre préavis une plainte auprès de",
    ),
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
# custom in Czech, Slovak (STN 01 6910) and Slovenian). The catalogs' opening sentences follow it;
# a sentence that can open a letter or stand mid-letter is lowered there.
LOWER_CASE_AFTER_SALUTATION: Final = frozenset({"de", "cs", "sk", "sl"})


def after_salutation(text: str, language: str) -> str:
    """``text`` as the first words after the salutation, in ``language``'s custom."""
    if language.split("-")[0] in LOWER_CASE_AFTER_SALUTATION and text[:1].isupper():
        return text[:1].lower() + text[1:]
    return text


@dataclass(frozen=True)
class DateLine:
    """How a language dates a letter: the line's form and where it stands.

    ``town`` is the form with the member's town as dsr takes it from the
    address: its name in the nominative, as the post writes it. Where the
    language's custom puts the place in another case (cs "V Praze dne",
    fi "Helsingissä"), dsr cannot inflect an arbitrary town, so the form is
    the date alone, which that language's letters also use. ``typed`` is the
    form with a place the member typed (``--place``), which dsr prints as
    typed, so a member can write "V Praze". ``under_signature``: the date
    goes below the signature and no place line heads the letter.
    """

    town: str
    typed: str
    under_signature: bool = False


# Each language's date line, as its business letters write it (placeholders
# {place} and {date}; the date is Babel's long form in the letter's locale).
DATE_LINES: Final[dict[str, DateLine]] = {
    "bg": DateLine("{place}, {date}", "{place}, {date}"),  # София, 22 ноември 2026 г.  # noqa: RUF003
    # V Praze dne 22. listopadu 2026: locative. ČSN 01 6910 dates a letter without a place.
    "cs": DateLine("{date}", "{place} dne {date}"),
    # København, den 22. november 2026
    "da": DateLine("{place}, den {date}", "{place}, den {date}"),
    "de": DateLine("{place}, {date}", "{place}, {date}"),  # Berlin, 22. November 2026 (DIN 5008)
    "el": DateLine("{place}, {date}", "{place}, {date}"),  # Αθήνα, 22 Νοεμβρίου 2026
    # British, Irish and US letters: the date alone, below the sender's address.
    "en": DateLine("{date}", "{place}, {date}"),
    "es": DateLine("{place}, {date}", "{place}, {date}"),  # Madrid, 22 de noviembre de 2026
    # Tallinnas, 22. novembril 2026: inessive and adessive; the date alone.
    "et": DateLine("{date}", "{place}, {date}"),
    # Helsingissä 22. marraskuuta 2026: inessive, no comma; SFS 2487 dates without a place.
    "fi": DateLine("{date}", "{place} {date}"),
    "fr": DateLine("{place}, le {date}", "{place}, le {date}"),  # Paris, le 22 novembre 2026
    "ga": DateLine("{date}", "{place}, {date}"),  # as English letters in Ireland: the date alone
    "hr": DateLine("{place}, {date}", "{place}, {date}"),  # Zagreb, 22. studenoga 2026.
    "hu": DateLine("{place}, {date}", "{place}, {date}"),  # Budapest, 2026. november 22.
    "is": DateLine("{place}, {date}", "{place}, {date}"),  # Reykjavík, 22. nóvember 2026
    "it": DateLine("{place}, {date}", "{place}, {date}"),  # Roma, 22 novembre 2026
    "lt": DateLine("{place}, {date}", "{place}, {date}"),  # Vilnius, 2026 m. lapkričio 22 d.
    # Rīgā, 2026. gada 22. novembrī: locative; the date alone, as a document's date.
    "lv": DateLine("{date}", "{place}, {date}"),
    "mt": DateLine("{date}", "{place}, {date}"),  # as English letters in Malta: the date alone
    "nb": DateLine("{place}, {date}", "{place}, {date}"),  # Oslo, 22. november 2026
    "nl": DateLine("{place}, {date}", "{place}, {date}"),  # Amsterdam, 22 november 2026
    "pl": DateLine("{place}, {date} r.", "{place}, {date} r."),  # Warszawa, 22 listopada 2026 r.
    "pt": DateLine("{place}, {date}", "{place}, {date}"),  # Lisboa, 22 de novembro de 2026
    "ro": DateLine("{place}, {date}", "{place}, {date}"),  # București, 22 noiembrie 2026
    # V Bratislave 22. novembra 2026: locative. STN 01 6910 dates a letter without a place.
    "sk": DateLine("{date}", "{place} {date}"),
    "sl": DateLine("{place}, {date}", "{place}, {date}"),  # Ljubljana, 22. november 2026
    "sv": DateLine("{place} den {date}", "{place} den {date}"),  # Stockholm den 22 november 2026
    # Chinese letters have no place line: the date stands below the signature.
    "zh": DateLine("{date}", "{date}", under_signature=True),
}


def date_line(language: str) -> DateLine:
    """``language``'s date line (a regional form dates as its language does)."""
    return DATE_LINES.get(language) or DATE_LINES.get(language.split("-")[0]) or DATE_LINES["en"]


# The first day of a month, where the language writes it as an ordinal and
# CLDR's long date has the bare number: "1er octobre", "1º ottobre", "1η Οκτωβρίου".
FIRST_DAY: Final = {"fr": "1er", "it": "1\u00ba", "el": "1\u03b7"}
_FIRST_DAY = re.compile(r"^1(?=\D)")


def first_day_ordinal(date_text: str, language: str) -> str:
    """A long date that starts with day 1, in the language's ordinal form."""
    ordinal = FIRST_DAY.get(language.split("-")[0])
    return _FIRST_DAY.sub(ordinal, date_text, count=1) if ordinal else date_text


# Rules for a sentence once its placeholders are filled in, where the words
# around a date or a citation depend on what was filled in. Citations and
# dates bind their parts with no-break spaces, so the rules find them there.
_HU_POSSESSIVE = {"cikk": "cikke", "bekezdés": "bekezdése", "pont": "pontja"}
# "a GDPR 21. cikk (1) bekezdése alapján": before a postposition, the last
# unit of a citation takes the possessive (its possessor is the law named
# first), as the Hungarian GDPR cites: "6. cikk (1) bekezdésének a) pontja".
_HU_CITED = re.compile(
    r"(?<=\u00a0)(cikk|bekezdés|pont)(?=[ \u00a0](?:alapján|szerint|értelmében)\b)"
)
# The first of the month is "1η" (dsr.i18n.FIRST_DAY), feminine singular:
# "Την 1η Οκτωβρίου", "έως την 1η", "της 1ης" (plural "Στις 22 Οκτωβρίου").
_EL_FIRST = re.compile(r"\b(Σ|σ)?(τις|Τις|της|Της)([ \u00a0])1\u03b7(?=\u00a0)")  # noqa: RUF001
# "l'8 dicembre", "dall'11 novembre": the article elides before otto and undici.
_IT_ELIDED = re.compile(r"\b(il|dal|del|al|nel|sul)([ \u00a0])(?=(?:8|11)\u00a0)", re.IGNORECASE)
_IT_ELISION = {"il": "l\u2019", "dal": "dall\u2019", "del": "dell\u2019", "al": "all\u2019",
               "nel": "nell\u2019", "sul": "sull\u2019"}  # fmt: skip


# "a(z) %(controller)s": the article before a name filled in is "az" before a vowel
# sound, "a" before a consonant; an acronym read letter by letter starts with a vowel
# sound where its first letter's name does ("az X", "az SAP"; "a LinkedIn").
_HU_ARTICLE = re.compile(r"\b([Aa])\(z\)(\s+)(?=(\S+))")
_HU_VOWELS = frozenset("aáeéiíoóöőuúüű")


def _hungarian_article(match: re.Match[str]) -> str:
    capital, space, word = match.groups()
    first = word[:1]
    spelled = word.isupper() and len(word) <= 5 and first in "FLMNRSXY"
    article = "az" if first.lower() in _HU_VOWELS or spelled else "a"
    return (article.capitalize() if capital == "A" else article) + space


def _hungarian(text: str) -> str:
    text = _HU_ARTICLE.sub(_hungarian_article, text)
    return _HU_CITED.sub(lambda m: _HU_POSSESSIVE[m.group(1)], text)


def _greek(text: str) -> str:
    def article(match: re.Match[str]) -> str:
        preposition, word, space = match.groups()
        if word.lower() == "της":
            return f"{word}{space}1\u03b7\u03c2"
        capital = (preposition or word[0]).isupper()
        return f"{'Την' if capital else 'την'}{space}1\u03b7"

    return _EL_FIRST.sub(article, text)


def _italian(text: str) -> str:
    def elide(match: re.Match[str]) -> str:
        word = match.group(1)
        elided = _IT_ELISION[word.lower()]
        return elided[0].upper() + elided[1:] if word[0].isupper() else elided

    return _IT_ELIDED.sub(elide, text)


# Maltese: the article before a day of the month follows the number as it is
# said, as the official texts write it ("tas-27 ta' April 2016", "tat-30 ta'
# Mejju"): t- before tnejn, tlieta, tmienja..., s- before sitta, sebgħa..., d-
# before disgħa..., l- otherwise; "fi" with l- is "fl-" before a vowel sound
# (l-ewwel, erbgħa, għaxra, għoxrin) and "fil-" before a consonant (ħamsa, ħdax).
_MT_SUN = {
    **dict.fromkeys((2, 3, 8, 12, 13, 18, 22, 23, 28, 30), "t"),
    **dict.fromkeys((6, 7, 16, 17, 26, 27), "s"),
    **dict.fromkeys((9, 19, 29), "d"),
}
_MT_VOWEL_SOUND = frozenset({1, 4, 10, 14, 20, 24})
_MT_STEMS = {"l": "", "il": "i", "sal": "sa", "tal": "ta", "mill": "mi", "fl": "fi",
             "fil": "fi", "lill": "li", "bil": "bi", "mal": "ma", "bl": "bi"}  # fmt: skip
_MT_DAY = re.compile(
    r"(?<![\w\u2019'-])(l|il|sal|tal|mill|fl|fil|lill|bil|bl|mal)-(?=(\d{1,2})\u00a0)",
    re.IGNORECASE,
)


def _maltese(text: str) -> str:
    def article(match: re.Match[str]) -> str:
        word, day = match.group(1), int(match.group(2))
        stem = _MT_STEMS[word.lower()]
        if day in _MT_SUN:
            form = (stem or "i") + _MT_SUN[day]
        elif stem == "fi":
            form = "fl" if day in _MT_VOWEL_SOUND else "fil"
        elif stem in ("mi", "li"):
            form = stem + "ll"
        else:
            form = stem + "l" if stem else word.lower()
        return (form[0].upper() + form[1:] if word[0].isupper() else form) + "-"

    return _MT_DAY.sub(article, text)


# Estonian: a date in running text takes the adessive for "on" ("22. novembril 2026")
# and the elative for "from" ("alates 3. novembrist 2025"): each is the month's
# genitive stem (EKI's dictionary: jaanuar, jaanuari; september, septembri) with -l or
# -st. The catalog writes "kuupäeval <date>" and "kuupäevast <date>" (on, from the
# date), which CLDR's nominative date makes grammatical; the rule makes them native.
_ET_GENITIVE = {"jaanuar": "jaanuari", "veebruar": "veebruari", "märts": "märtsi",
                "aprill": "aprilli", "mai": "mai", "juuni": "juuni", "juuli": "juuli",
                "august": "augusti", "september": "septembri", "oktoober": "oktoobri",
                "november": "novembri", "detsember": "detsembri"}  # fmt: skip
_ET_DATE = re.compile(
    r"\b[Kk]uupäeva(l|st)[ \u00a0](\d{1,2}\.)\u00a0(" + "|".join(_ET_GENITIVE) + r")\u00a0(\d{4})\b"
)


def _estonian(text: str) -> str:
    def case(match: re.Match[str]) -> str:
        ending, day, month, year = match.groups()
        return f"{day}\u00a0{_ET_GENITIVE[month]}{ending}\u00a0{year}"

    return _ET_DATE.sub(case, text)


FILLED_IN: Final[dict[str, Callable[[str], str]]] = {
    "el": _greek,
    "et": _estonian,
    "hu": _hungarian,
    "it": _italian,
    "mt": _maltese,
}


def filled_in_rule(language: str) -> Callable[[str], str] | None:
    """The rule for ``language``'s sentences once their placeholders are filled in."""
    return FILLED_IN.get(language.split("-")[0])


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
        return derived_translations(translations(base), rule)
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


def derived_translations(source: Translations, rule: Callable[[str], str]) -> Translations:
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
