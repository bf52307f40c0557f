"""The Typst engine (dsr.typeset): the same letters as WeasyPrint's, read off the PDFs.

Every shipped language and every kind that applies, and every jurisdiction's
own templates, are set by both engines; the text a reader sees must be the
same, in the same order. The window-envelope positions are compared word by
word (poppler's bounding boxes), and user text that looks like Typst markup
or code must come out as the very characters typed.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dsr import pdf, typeset
from dsr.batch import run_batch
from dsr.cli import main
from dsr.composition import compose
from dsr.document import parse_html
from dsr.inputs import parse_request
from dsr.render import render_html
from tests.conftest import pdf_words, printed_text
from tests.test_languages import LANGUAGES, cases

TODAY = date(2026, 11, 22)

# Jurisdictions with templates of their own, and paper or window of their own.
OWN_TEMPLATES = [
    ("objection", "GB", "en", "10 Downing Street, London SW1A 2AA"),
    ("complaint", "GB", "en", "10 Downing Street, London SW1A 2AA"),
    ("objection", "CH", "fr", "Rue du Rhône 1, 1204 Genève"),
    ("complaint", "CH", "it", "Via Nassa 1, 6900 Lugano"),
    ("access", "CH", "de", "Bahnhofstrasse 1, 8001 Zürich"),
    ("objection", "CA", "en", "1 Wellington St, Ottawa ON K1A 0A9"),
    ("erasure", "CA", "fr", "1 Wellington St, Ottawa ON K1A 0A9"),
    ("complaint", "CA-QC", "fr", "1 rue Sainte-Catherine, Montréal QC H2X 1Z4"),
    ("access", "HK", "en", "Flat 1, 1 Queens Road Central, Central"),
    ("complaint", "HK", "zh-Hant", "Flat 1, 1 Queens Road Central, Central"),
    ("objection", "US-CA", "en", "1 Market St, San Francisco CA 94105"),
    ("erasure", "US-CA", "en", "1 Market St, San Francisco CA 94105"),
    ("reminder", "DE", "de", "Hauptstraße 1, 10115 Berlin"),
]


def letter_html(values: dict[str, Any]) -> str:
    base = {
        "name": "Erika Mustermann",
        "account-email": "member@example.org",
        "profile-url": "https://www.linkedin.com/in/erika-mustermann",
        "date": "2026-11-22",
    }
    request = parse_request({**base, **values}, today=TODAY)
    return render_html(compose(request))


def both_engines(document: str, folder: Path, stem: str) -> tuple[Path, Path]:
    typst_file = folder / f"{stem}-typst.pdf"
    weasy_file = folder / f"{stem}-weasyprint.pdf"
    typst_file.write_bytes(typeset.letter_pdf(document))  # raises if Typst cannot set it
    weasy_file.write_bytes(pdf.html_to_pdf(document)[0])
    return typst_file, weasy_file


def same_text(document: str, typst_file: Path, weasy_file: Path) -> bool:
    """The same words in the same order; web and e-mail addresses, references and dates intact.

    Where Typst breaks a line at a hyphen in Polish, Spanish, Portuguese,
    Croatian or Slovak, it repeats the hyphen on the next line, as their
    typography asks (``e-`` / ``-mail``); that one difference is allowed, but
    never inside an address, a reference or a date.
    """
    typst_text, weasy_text = printed_text(typst_file), printed_text(weasy_file)
    body = parse_html(document).find("body")
    assert body is not None
    text = body.text().replace("\u2060", "")  # word joiners (dsr.typography) print nothing
    words = [word.group() for word in typeset.verbatim_words(text)]
    assert words  # every letter has its reference
    for word in words:
        assert word.strip(".,;:()") in typst_text, word
    return typst_text.replace("--", "-") == weasy_text


def language_case(language: str, kind: str) -> dict[str, Any]:
    code, _, name, address = LANGUAGES[language]
    if kind == "complaint" and code == "DE":
        code = "DE-BE"
    values = {"kind": kind, "jurisdiction": code, "lang": language, "name": name}
    values["address"] = address
    if kind == "art21":
        values["situation"] = "Journalist.\nI protect my sources: 2026."
    if kind in ("complaint", "reminder"):
        values["request-date"] = "2026-09-01"
        values["request-kind"] = "objection"
    return values


@pytest.mark.parametrize(("language", "kind"), cases())
def test_typst_letter_reads_as_weasyprints_in_every_language(
    language: str, kind: str, tmp_path: Path
) -> None:
    document = letter_html(language_case(language, kind))
    typst_file, weasy_file = both_engines(document, tmp_path, f"{language}-{kind}")
    assert same_text(document, typst_file, weasy_file)
    assert re.sub(r"\s+", "", LANGUAGES[language][2]) in printed_text(typst_file)
    lang = PdfReader(typst_file).trailer["/Root"]["/Lang"]
    assert lang == PdfReader(weasy_file).trailer["/Root"]["/Lang"]
    assert lang.split("-")[0] == language.split("-")[0]


@pytest.mark.parametrize(("kind", "code", "language", "address"), OWN_TEMPLATES)
def test_typst_letter_reads_as_weasyprints_in_every_jurisdiction(
    kind: str, code: str, language: str, address: str, tmp_path: Path
) -> None:
    values = {"kind": kind, "jurisdiction": code, "lang": language, "address": address}
    if kind in ("complaint", "reminder"):
        values["request-date"] = "2026-09-01"
        values["request-kind"] = "objection"
    document = letter_html(values)
    typst_file, weasy_file = both_engines(document, tmp_path, f"{code}-{kind}")
    assert same_text(document, typst_file, weasy_file)
    typst_box = PdfReader(typst_file).pages[0].mediabox
    weasy_box = PdfReader(weasy_file).pages[0].mediabox
    assert (round(typst_box.width), round(typst_box.height)) == (
        round(weasy_box.width),
        round(weasy_box.height),
    )  # A4, or US Letter in Canada and California


def words_at(path: Path) -> list[tuple[str, float, float]]:
    """Page 1's words with the left and top of their boxes, in millimetres."""
    _, _, words = pdf_words(path)[0]
    return [(word.text, word.left / 72 * 25.4, word.top / 72 * 25.4) for word in words]


def position(words: list[tuple[str, float, float]], wanted: str) -> tuple[float, float]:
    return next((x, y) for word, x, y in words if word == wanted)


@pytest.mark.parametrize(
    ("code", "language", "address", "window"),
    [
        ("DE", "de", "Hauptstraße 1, 10115 Berlin", (20, 57, 105, 90)),  # DIN 5008 form B
        ("CH", "de", "Bahnhofstrasse 1, 8001 Zürich", (118, 50, 210, 90)),  # right window
        ("US-CA", "en", "1 Market St, San Francisco CA 94105", (20, 57, 105, 90)),
    ],
)
def test_typst_puts_the_address_where_weasyprint_does(
    code: str, language: str, address: str, window: tuple[int, int, int, int], tmp_path: Path
) -> None:
    """Recipient, return line, information block and date within 1.5 mm of WeasyPrint's."""
    values = {"kind": "objection", "jurisdiction": code, "lang": language, "address": address}
    typst_file, weasy_file = both_engines(letter_html(values), tmp_path, code)
    typst_words, weasy_words = words_at(typst_file), words_at(weasy_file)
    recipient = "LinkedIn"
    anchors = [recipient, "2026-", "Mustermann", "member@example.org"]
    for wanted in anchors:
        found = [w for w in typst_words if w[0].startswith(wanted)]
        assert found, wanted
    for word in {w for w, _, _ in weasy_words if w.startswith(("LinkedIn", "member@", "Erika"))}:
        tx, ty = position(typst_words, word)
        wx, wy = position(weasy_words, word)
        assert abs(tx - wx) < 1.5, (word, tx, wx)
        assert abs(ty - wy) < 1.5, (word, ty, wy)
    left, top, right, bottom = window
    x, y = position(typst_words, recipient)
    assert left <= x <= right
    assert top <= y <= bottom


HOSTILE = [
    '#panic("typst code") *bold* _emph_ $x^2$ `raw` <label> @ref',
    '] [ } { \\ " // not a comment /* nor this */ = not a heading',
    '#read("/etc/passwd") #import "@preview/x:1.0.0"',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_is_never_typst_markup(text: str, tmp_path: Path) -> None:
    values = {
        "kind": "art21",
        "jurisdiction": "DE",
        "lang": "de",
        "address": "Hauptstraße 1, 10115 Berlin",
        "name": "Erika #Mustermann*",
        "situation": text,
    }
    path = tmp_path / "hostile.pdf"
    path.write_bytes(typeset.letter_pdf(letter_html(values)))
    printed = printed_text(path)
    assert re.sub(r"\s+", "", text) in printed
    assert "Erika#Mustermann*" in printed
    assert "root:" not in printed


def test_string_literals_escape_quotes_backslashes_and_controls() -> None:
    assert typeset.string('a"b\\c\nd\x01') == '"a\\"b\\\\c\\nd\\u{1}"'


def test_page_furniture_is_the_letters_own(tmp_path: Path) -> None:
    values = language_case("de", "art21")
    path = tmp_path / "furniture.pdf"
    path.write_bytes(typeset.letter_pdf(letter_html(values)))
    pages = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [[line for line in page.splitlines() if line.strip()] for page in pages if page.strip()]
    assert len(pages) >= 2
    reference = re.search(r"Mein Zeichen: (\S+)", "\n".join(pages[1])).group(1)  # type: ignore[union-attr]
    for number, lines in enumerate(pages, start=1):
        assert lines[-1] == f"Seite {number} von {len(pages)}"
        if number > 1:
            assert lines[0] == f"Erika Mustermann · Mein Zeichen: {reference}"
    reader = PdfReader(path)
    assert reader.metadata is not None
    assert reader.metadata["/Author"] == "Erika Mustermann"
    assert reader.metadata["/CreationDate"] == "D:20261122000000Z"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[0].startswith("Widerspruch")


def test_markup_outside_the_letter_templates_is_refused() -> None:
    document = letter_html(language_case("de", "objection"))
    with pytest.raises(typeset.UnsupportedMarkup, match="<table>"):
        typeset.typst_source(document.replace("<main>", "<main><table></table>"))
    with pytest.raises(typeset.UnsupportedMarkup, match='<input class="field wide">'):
        typeset.typst_source(document.replace("<main>", '<main><p><input class="field wide"></p>'))


def test_batch_writes_with_weasyprint_what_typst_cannot_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "members.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,lang\n"
        'objection,DE,Erika Mustermann,"Hauptstraße 1, 10115 Berlin",erika@example.org,de\n'
        'objection,DE,Max Muster,"Hauptstraße 2, 10115 Berlin",max@example.org,de\n',
        encoding="utf-8",
    )
    real = typeset.letter_pdf

    def refuse_max(document: str) -> bytes:
        if "Max Muster" in document:
            raise typeset.UnsupportedMarkup("pretend Typst cannot set this one")
        return real(document)

    monkeypatch.setattr(typeset, "letter_pdf", refuse_max)
    report = run_batch(source, tmp_path / "out", today=TODAY, jobs=1)
    assert [r.status for r in report.results] == ["written", "written"]
    producers = {
        r.file: str((PdfReader(tmp_path / "out" / r.file).metadata or {})["/Producer"])
        for r in report.results
    }
    assert producers["0001-mustermann-objection-de.pdf"].startswith("Typst")
    assert producers["0002-muster-objection-de.pdf"].startswith("WeasyPrint")
    assert "MaxMuster" in printed_text(tmp_path / "out" / "0002-muster-objection-de.pdf")
    assert [r.message for r in report.results] == [
        "",
        "set with WeasyPrint: pretend Typst cannot set this one",
    ]
    result = CliRunner().invoke(
        main, ["batch", str(source), "-o", str(tmp_path / "cli"), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Note: 1 letter set with WeasyPrint, not Typst "
        "(row 2: pretend Typst cannot set this one); see report.csv"
    ) in result.output


@pytest.mark.parametrize(
    "extra",
    [
        {"name": "Erika 😀 Mustermann"},
        {"name": "Zoë Ångström Nguyễn"},
        {"situation": "أنا صحفية وأحمي مصادري. Ich bin Journalistin."},
        {"situation": "x" * 200},  # one word wider than the page, the longest dsr takes
        {"situation": "Ich bin Journalistin und schütze meine Quellen. " * 75},  # pages of it
    ],
)
def test_unusual_text_reads_as_weasyprints(extra: dict[str, str], tmp_path: Path) -> None:
    values = {
        "kind": "art21",
        "jurisdiction": "DE",
        "lang": "de",
        "address": "Hauptstraße 1, 10115 Berlin",
        "situation": "Ich bin Journalistin und schütze meine Quellen.",
        **extra,
    }
    document = letter_html(values)
    typst_file, weasy_file = both_engines(document, tmp_path, "unusual")
    assert same_text(document, typst_file, weasy_file)


def test_a_malformed_date_is_refused_not_a_crash() -> None:
    document = letter_html(language_case("de", "objection"))
    broken = re.sub(r'(name="dcterms.created" content=")[^"]*', r"\1yesterday", document)
    with pytest.raises(typeset.UnsupportedMarkup, match="metadata"):
        typeset.letter_pdf(broken)
