"""Every shipped language, every kind that applies: checked on the PDF text.

Language identity (lingua; Maltese by its own letters), no English left, the
law's local name, Babel's long date, and glyph coverage of the fonts.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from click.testing import CliRunner
from fontTools.ttLib import TTCollection, TTFont
from lingua import Language, LanguageDetectorBuilder

from dsr import registry
from dsr.cli import main
from dsr.i18n import DERIVED, letter_locale, shipped_languages, translations
from tests.conftest import ROOT, pdf_text

# language: (jurisdiction, lingua language or None, name, address)
LANGUAGES: dict[str, tuple[str, Language | None, str, str]] = {
    "bg": ("BG", Language.BULGARIAN, "Мария Иванова", "ул. Витоша 1, 1000 София"),
    "cs": ("CZ", Language.CZECH, "Jana Nováková", "Národní 1, 110 00 Praha 1"),
    "da": ("DK", Language.DANISH, "Mette Nielsen", "Vesterbrogade 1, 1620 København V"),
    "de": ("DE", Language.GERMAN, "Erika Mustermann", "Hauptstraße 1, 10115 Berlin"),
    "el": ("GR", Language.GREEK, "Μαρία Παπαδοπούλου", "Ερμού 1, 105 63 Αθήνα"),
    "en": ("IE", Language.ENGLISH, "Aoife Murphy", "5 Main Street, Dublin 8, D08 XY12"),
    "es": ("ES", Language.SPANISH, "Lucía García", "Calle Mayor 1, 28013 Madrid"),
    "et": ("EE", Language.ESTONIAN, "Mari Tamm", "Viru 1, 10140 Tallinn"),
    "fi": ("FI", Language.FINNISH, "Anna Virtanen", "Mannerheimintie 1, 00100 Helsinki"),
    "fr": ("FR", Language.FRENCH, "Marie Dupont", "12 rue de la Paix, 75002 Paris"),
    "ga": ("IE", Language.IRISH, "Aoife Ní Bhriain", "5 Main Street, Dublin 8, D08 XY12"),
    "hr": ("HR", Language.CROATIAN, "Ana Horvat", "Ilica 1, 10000 Zagreb"),
    "hu": ("HU", Language.HUNGARIAN, "Nagy Anna", "Váci utca 1, 1052 Budapest"),
    "is": ("IS", Language.ICELANDIC, "Anna Jónsdóttir", "Laugavegur 1, 101 Reykjavík"),
    "it": ("IT", Language.ITALIAN, "Giulia Rossi", "Via Roma 1, 00184 Roma"),
    "lt": ("LT", Language.LITHUANIAN, "Ona Kazlauskienė", "Gedimino pr. 1, 01103 Vilnius"),
    "lv": ("LV", Language.LATVIAN, "Anna Bērziņa", "Brīvības iela 1, LV-1010 Rīga"),
    "mt": ("MT", None, "Maria Borg", "Triq ir-Repubblika 1, Valletta VLT 1117"),
    "nb": ("NO", Language.BOKMAL, "Kari Nordmann", "Karl Johans gate 1, 0154 Oslo"),
    "nl": ("NL", Language.DUTCH, "Sanne de Vries", "Damrak 1, 1012 LG Amsterdam"),
    "pl": ("PL", Language.POLISH, "Anna Kowalska", "ul. Prosta 1, 00-850 Warszawa"),
    "pt": ("PT", Language.PORTUGUESE, "Ana Silva", "Rua Augusta 1, 1100-048 Lisboa"),
    "ro": ("RO", Language.ROMANIAN, "Maria Popescu", "Strada Lipscani 1, 030031 București"),
    "sk": ("SK", Language.SLOVAK, "Mária Horváthová", "Hlavná 1, 811 01 Bratislava"),
    "sl": ("SI", Language.SLOVENE, "Ana Novak", "Prešernov trg 1, 1000 Ljubljana"),
    "sv": ("SE", Language.SWEDISH, "Anna Andersson", "Storgatan 1, 114 55 Stockholm"),
    "zh-Hant": ("HK", Language.CHINESE, "陳大文", "Flat 1, 1 Queens Road Central, Central"),
}

CATALOGUED = [tag for tag in shipped_languages() if tag not in DERIVED]
DETECTOR = LanguageDetectorBuilder.from_languages(
    *{entry[1] for entry in LANGUAGES.values() if entry[1] is not None}
).build()
SITUATION = {
    "en": "As a journalist I protect my sources; my contacts must not be inferred by AI models.",
}


def kinds_for(language: str) -> list[str]:
    code = LANGUAGES[language][0]
    return list(registry.law_families()[registry.jurisdictions()[code].family].kinds)


def cases() -> list[tuple[str, str]]:
    return [(lang, kind) for lang in CATALOGUED for kind in kinds_for(lang)]


def test_every_catalogued_language_is_in_the_table() -> None:
    assert set(CATALOGUED) <= set(LANGUAGES)


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], str]:
    folder = tmp_path_factory.mktemp("languages")
    cache: dict[tuple[str, str], str] = {}

    def run(language: str, kind: str) -> str:
        if (language, kind) not in cache:
            code, _, name, address = LANGUAGES[language]
            if kind == "complaint" and code == "DE":
                code = "DE-BE"
            out = folder / f"{language}-{kind}.pdf"
            args = [
                "letter", "--kind", kind, "--jurisdiction", code, "--name", name,
                "--address", address, "--account-email", "member@example.org",
                "--lang", language, "--date", "2026-11-22", "-o", str(out),
            ]  # fmt: skip
            if kind == "art21":
                args += ["--situation", "· " * 12 + "2026"]  # language-neutral
            if kind in ("complaint", "reminder"):
                args += ["--request-date", "2026-09-01", "--request-kind", "objection"]
            result = CliRunner().invoke(main, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            cache[(language, kind)] = " ".join(pdf_text(out).split())
        return cache[(language, kind)]

    return run


def letter_recipient(code: str, kind: str, language: str) -> str:
    """Whom the letter goes to, by name: a closing may name the addressee (Chinese 此致)."""
    if kind == "complaint":
        authority = registry.authority_for(code)
        assert authority is not None
        return authority.name_in(language)
    entity = registry.controller("linkedin").entity_for(code)  # type: ignore[union-attr]
    assert entity is not None
    return entity.name


def english_sentences(kind: str, render: Callable[[str, str], str]) -> list[str]:
    text = render("en", kind) if "en" in CATALOGUED else ""
    return [s.strip() for s in re.split(r"(?<=[.;:])\s", text) if len(s.split()) >= 6]


MALTESE_MARKERS = ("ħ", "ġ", "għ", "ż", "tal-", "il-")


@pytest.mark.parametrize(("language", "kind"), cases())
def test_letter_reads_as_its_language(
    render: Callable[[str, str], str], language: str, kind: str
) -> None:
    code, lingua, name, _ = LANGUAGES[language]
    text = render(language, kind)
    body = text.replace(name, " ")
    if lingua is not None:
        assert DETECTOR.detect_language_of(body) == lingua
    else:  # lingua has no Maltese: its letters and articles must be there
        assert sum(body.count(marker) for marker in MALTESE_MARKERS) >= 20, body[:300]
    if language != "en":
        leftovers = [s for s in english_sentences(kind, render) if s in text]
        assert leftovers == [], leftovers
    jurisdiction = registry.jurisdictions()[code]
    family = registry.law_families()[jurisdiction.family]
    instrument = registry.instruments()[family.instrument]
    base = language.split("-")[0]
    law = instrument.abbreviation.get(base) or instrument.abbreviation["en"]
    # A reminder cites the law only where the original request had a statutory deadline.
    if kind != "reminder" or "objection" in family.statutory_deadline_kinds:
        assert " ".join(law.split()) in text
    # The catalog's own words come back unchanged from the PDF: no glyph was lost.
    catalog = translations(language)
    addressee = "to an authority" if kind == "complaint" else "to a company"
    for context, phrase in ((addressee, "Dear Sir or Madam,"), (addressee, "Yours faithfully,"),
                            (None, "Reference")):  # fmt: skip
        said = catalog.pgettext(context, phrase) if context else catalog.gettext(phrase)
        if said != "-":  # "-": the language's letters have no salutation
            said %= {"recipient": letter_recipient(code, kind, language)}
            assert " ".join(said.split()) in text, phrase
    locale = letter_locale(language, jurisdiction.country)
    long_date = " ".join(format_date(date(2026, 11, 22), "long", locale=locale).split())
    assert long_date in text


def _font_coverage() -> set[int]:
    covered: set[int] = set()
    for family in ("Noto Serif", "Noto Serif:bold", "Noto Serif CJK HK"):
        spec = subprocess.run(
            ["fc-match", "-f", "%{file}:%{index}", family],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        path, _, index = spec.rpartition(":")
        if path.endswith(".ttc"):
            font = TTCollection(path).fonts[int(index or 0)]
        else:
            font = TTFont(path)
        covered.update(font.getBestCmap())
    return covered


@pytest.mark.parametrize("language", CATALOGUED)
def test_fonts_cover_every_character_of_the_catalog(language: str) -> None:
    covered = _font_coverage()
    folder = language.replace("-", "_")
    with (ROOT / "locales" / folder / "LC_MESSAGES" / "letters.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            missing.update(ch for ch in text if ord(ch) not in covered and not ch.isspace())
    assert missing == set()


EU_EEA = [
    *"AT BE BG HR CY CZ DK EE FI FR GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split(),
    "NO", "IS", "LI", "DE-BE",
]  # fmt: skip


@pytest.mark.parametrize("code", EU_EEA)
def test_complaint_goes_out_in_the_authoritys_language(code: str, tmp_path: Path) -> None:
    authority = registry.authority_for(code)
    assert authority is not None
    language = next((x for x in authority.complaint_languages if x in CATALOGUED), None)
    if language is None:
        pytest.fail(f"{code}: no catalog for {authority.complaint_languages}")
    name, address = {lang: (entry[2], entry[3]) for lang, entry in LANGUAGES.items()}.get(
        language, ("A B", "")
    )
    country = code.split("-")[0]
    address = LANGUAGES[language][3] if LANGUAGES[language][0] == country else {
        "AT": "Stephansplatz 1, 1010 Wien", "BE": "Rue Neuve 1, 1000 Bruxelles",
        "CY": "Leoforos Makariou 1, 1065 Nicosia", "LU": "1 rue du Fort, L-1111 Luxembourg",
        "LI": "Städtle 1, 9490 Vaduz", "DE": "Hauptstraße 1, 10115 Berlin",
        "IE": "5 Main Street, Dublin 8, D08 XY12",
        "MT": "Triq ir-Repubblika 1, Valletta VLT 1117",
    }[country]  # fmt: skip
    out = tmp_path / "complaint.pdf"
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "complaint", "--jurisdiction", code, "--name", name,
         "--address", address, "--account-email", "member@example.org",
         "--date", "2026-11-22", "--request-date", "2026-09-01", "--request-kind", "objection", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # Written in the authority's language (or its regional form, en-GB for Ireland).
    assert re.search(rf", {language}(-[A-Za-z]+)?,", result.output), result.output
    text = " ".join(pdf_text(out).split())
    assert " ".join(authority.name_in(language).split()) in text
