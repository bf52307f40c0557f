# ruff: noqa: RUF001 - Greek letters and fullwidth colons of each language are the point
"""Each language's letter customs, read from the letters as their readers see them.

For every shipped language an objection to LinkedIn and a complaint to the
authority of a member writing in it are rendered: the text output, the PDF
(Typst) and the e-mail. The properties checked come from the language
review of 2026-12-07 (shared/reviews/2026-12-languages.md, defects 2-4, 6, 7):

- the date line is the language's declared one (dsr.i18n.DATE_LINES), with
  the town and no postcode, district or province after it, or the date alone,
  or (Chinese) the date below the signature;
- salutation and closing are those the catalog gives for the addressee, a
  company or an authority, and a salutation translated as "-" is left out;
- no e-mail Subject starts with a subject label in any language, and no mail
  header holds a no-break or doubled space, as any RFC 2047 reader decodes it;
- the lead authority is named in a sentence with its country, never after a
  colon as in a form.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, replace
from datetime import date
from email.header import decode_header, make_header
from functools import cache
from pathlib import Path

import pytest
from babel.dates import format_date
from click.testing import CliRunner

from dsr.cli import main
from dsr.composition import compose
from dsr.i18n import date_line, shipped_languages, translations
from dsr.inputs import parse_request, place_from_address, split_address
from dsr.model import Letter
from dsr.outputs import email_message
from dsr.render import render_html, render_text
from tests.conftest import pdf_text

TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Member:
    jurisdiction: str
    address: str
    town: str  # the town as the date line names it: no postcode, district or province


# A member writing in each language, where possible with the suffixes the
# review found in date lines: "Roma RM", "Praha 1", "København V", "Dublin 8".
MEMBERS = {
    "bg": Member("BG", "ул. Шипка 1, 1000 София", "София"),
    "cs": Member("CZ", "Karlova 1, 110 00 Praha 1", "Praha"),
    "da": Member("DK", "Vesterbrogade 1, 1620 København V", "København"),
    "de": Member("DE-BE", "Hauptstraße 1, 10115 Berlin", "Berlin"),
    "de-CH": Member("CH", "Bahnhofstrasse 1, 8001 Zürich", "Zürich"),
    "el": Member("GR", "Ερμού 1, 105 63 Αθήνα", "Αθήνα"),
    "en": Member("MT", "1 Republic Street, Valletta VLT 1117", "Valletta"),
    "en-GB": Member("IE", "5 Main Street, Dublin 8, D08 XY12", "Dublin"),
    "en-US": Member("US-CA", "1 Market Street, San Francisco, CA 94105", "San Francisco"),
    "es": Member("ES", "Calle Mayor 1, 28013 Madrid (Madrid)", "Madrid"),
    "et": Member("EE", "Viru 1, 10111 Tallinn", "Tallinn"),
    "fi": Member("FI", "Mannerheimintie 1, 00100 Helsinki", "Helsinki"),
    "fr": Member("FR", "12 rue de la Paix, 75002 Paris Cedex 02", "Paris"),
    "fr-CA": Member("CA-QC", "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4", "Montréal"),
    "fr-CH": Member("CH", "Rue du Rhône 1, 1204 Genève", "Genève"),
    "ga": Member("IE", "5 Sráid Mhór, Baile Átha Cliath 8, D08 XY12", "Baile Átha Cliath"),
    "hr": Member("HR", "Ilica 1, 10000 Zagreb", "Zagreb"),
    "hu": Member("HU", "Váci utca 1, 1052 Budapest V. kerület", "Budapest"),
    "is": Member("IS", "Laugavegur 1, 101 Reykjavík", "Reykjavík"),
    "it": Member("IT", "Via del Corso 1, 00186 Roma RM", "Roma"),
    "lt": Member("LT", "Gedimino pr. 1, LT-01103 Vilnius", "Vilnius"),
    "lv": Member("LV", "Brīvības iela 1, Rīga, LV-1050", "Rīga"),
    "mt": Member("MT", "Triq ir-Repubblika 1, Il-Belt Valletta VLT 1117", "Il-Belt Valletta"),
    "nb": Member("NO", "Karl Johans gate 1, 0154 Oslo", "Oslo"),
    "nl": Member("NL", "Damrak 1, 1012 LG Amsterdam", "Amsterdam"),
    "pl": Member("PL", "ul. Prosta 1, 00-850 Warszawa", "Warszawa"),
    "pt": Member("PT", "Rua Augusta 1, 1100-048 Lisboa", "Lisboa"),
    "ro": Member("RO", "Strada Lipscani 1, 030031 București Sector 3", "București"),
    "sk": Member("SK", "Obchodná 1, 811 06 Bratislava 1", "Bratislava"),
    "sl": Member("SI", "Prešernov trg 1, 1000 Ljubljana", "Ljubljana"),
    "sv": Member("SE", "Drottninggatan 1, 111 51 Stockholm", "Stockholm"),
    "zh-Hant": Member("HK", "香港中環皇后大道中1號1室", ""),
}
# Words that label a subject line, in every language dsr ships (and common
# mail forms): none may start an e-mail's Subject header.
SUBJECT_LABELS = (
    "Subject", "Subj", "Re", "Fwd", "Betreff", "Betr", "Objet", "Oggetto", "Asunto", "Assunto",
    "Subiect", "Referitor la", "Относно", "Тема", "Θέμα", "Onderwerp", "Betreft", "Předmět",
    "Vec", "Věc", "Temat", "Dotyczy", "Tárgy", "Aihe", "Asia", "Ämne", "Emne", "Efni", "Teema",
    "Tema", "Temats", "Predmet", "Zadeva", "Suġġett", "Ábhar", "Dalykas", "主旨", "事由", "標題",
    "關於", "有關",
)  # fmt: skip
LABEL = re.compile(
    r"^\s*(?:" + "|".join(re.escape(word) for word in SUBJECT_LABELS) + r")\.?\s*[:：]",
    re.IGNORECASE,
)


def test_every_shipped_language_has_a_member() -> None:
    assert set(MEMBERS) == set(shipped_languages())


@cache
def letter(language: str, kind: str) -> Letter:
    member = MEMBERS[language]
    values = {
        "kind": kind, "jurisdiction": member.jurisdiction, "controller": "linkedin",
        "name": "Alex Example", "address": member.address, "email": "alex@example.org",
        "account-email": "alex@example.org", "lang": language, "date": TODAY.isoformat(),
    }  # fmt: skip
    if kind == "complaint":
        values |= {"request-date": "2026-09-01", "request-kind": "objection"}
    return compose(parse_request(values, today=TODAY))


@cache
def pdf(language: str, kind: str) -> bytes:
    from dsr.typeset import letter_pdf

    return letter_pdf(render_html(letter(language, kind)))


def lines(data: bytes) -> list[str]:
    return [" ".join(line.split()) for line in pdf_text(data).splitlines() if line.strip()]


def paragraphs(language: str, kind: str) -> list[str]:
    return [" ".join(p.split()) for p in render_text(letter(language, kind)).split("\n\n")]


def date_text(language: str) -> str:
    return " ".join(format_date(TODAY, "long", locale=letter(language, "objection").locale).split())


KINDS = ("objection", "complaint")
CASES = [(language, kind) for language in sorted(MEMBERS) for kind in KINDS]


@pytest.mark.parametrize(("language", "kind"), CASES)
def test_the_date_line_is_the_languages_own(language: str, kind: str) -> None:
    """The town without postcode, district or province, in the declared pattern."""
    rule = date_line(language)
    today = date_text(language)
    town = MEMBERS[language].town
    assert letter(language, kind).place == town  # what the address gives as the town
    expected = " ".join((rule.town if town else "{date}").format(place=town, date=today).split())
    printed = lines(pdf(language, kind))
    assert printed.count(expected) == 1, (expected, printed[:15])
    # Nothing but the date's own figures: no postcode, no district number.
    assert not re.search(r"\d", expected.replace(today, "")), expected
    document = render_html(letter(language, kind))
    if rule.under_signature:  # below the signature; no date line above the subject
        assert "place-date" not in document.split("<main>")[1]
        assert printed[printed.index(expected) - 1].startswith("Alex Example")
        assert document.index('class="signature-name"') < document.index('class="signature-date"')
    else:
        assert document.index('class="place-date"') < document.index('class="subject"')


@pytest.mark.parametrize("language", sorted(MEMBERS))
def test_salutation_and_closing_suit_the_addressee(language: str) -> None:
    """Each letter opens and closes as the catalog says for its addressee."""
    catalog = translations(language)
    for kind, context in (("objection", "to a company"), ("complaint", "to an authority")):
        text = paragraphs(language, kind)
        recipient = letter(language, kind).recipient.name
        salutation = catalog.pgettext(context, "Dear Sir or Madam,")
        if salutation.strip() == "-":  # the language's letters open without one
            assert "-" not in text
            assert len(text[1]) > 60, text[:3]  # the body's first paragraph follows the subject
        else:
            assert text[1] == " ".join(salutation.split()), text[:3]
        closing = catalog.pgettext(context, "Yours faithfully,") % {"recipient": recipient}
        signature = catalog.pgettext(f"signature, {context}", "%(name)s") % {"name": "Alex Example"}
        ending = [" ".join(line.split()) for line in closing.split("\n")] + [signature]
        at = len(text) - text[::-1].index(ending[-1]) - 1  # the last paragraph that is it
        assert text[at - len(ending) + 1 : at + 1] == ending, text[-6:]
    company = catalog.pgettext("to a company", "Yours faithfully,")
    authority = catalog.pgettext("to an authority", "Yours faithfully,")
    if company != authority:  # the catalog tells them apart, so do the letters
        assert paragraphs(language, "objection")[-2:] != paragraphs(language, "complaint")[-2:]


@pytest.mark.parametrize(("language", "kind"), CASES)
def test_mail_headers_carry_no_label_and_no_odd_space(language: str, kind: str) -> None:
    written = letter(language, kind)
    if not written.recipient_email:  # a company with a form only: no e-mail is written to it
        written = replace(written, recipient_email="privacy@company.example")
    message = email_message(written, pdf=pdf(language, kind))
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    raw = message.split(b"\n\n", 1)[0].decode("ascii")
    assert parsed["Subject"] is not None
    for name in ("Subject", "To", "From"):
        value = str(parsed[name])
        folded = re.search(rf"^{name}:(.*(?:\n[ \t].*)*)", raw, re.MULTILINE)
        assert folded is not None
        # Every RFC 2047 reader: adjacent encoded words join without the space between them.
        unfolded = folded.group(1).replace("\n", "").strip()
        decoded = str(make_header(decode_header(unfolded)))
        # Python's own parser keeps the space between encoded words of a display name
        # (a reader's bug): addresses are read as RFC 2047 says, the Subject both ways.
        for text in (value, decoded) if name == "Subject" else (decoded,):
            for odd in ("\u00a0", "\u202f", "\u2060", "  "):
                assert odd not in text, repr(text)
            assert text == text.strip(), repr(text)
        if name == "Subject":
            assert decoded == value
            assert not LABEL.match(value), value
            assert letter(language, kind).reference in value


@pytest.mark.parametrize("language", sorted(MEMBERS))
def test_the_lead_authority_is_named_with_its_country(language: str) -> None:
    complaint = letter(language, "complaint")
    if complaint.lead_authority is None or complaint.family != "gdpr":
        pytest.skip("no GDPR complaint to another authority than the lead one")
    text = " ".join(render_text(complaint).split())
    lead = complaint.lead_authority_name
    assert lead is not None
    assert lead in text
    assert f": {lead}" not in text  # not as in a form
    assert f":\u00a0{lead}" not in text
    assert "DPC" in text


# --- what the review quoted, where a regression is likely ------------------------


def test_reviewed_wording_stays() -> None:
    complaint = {language: " ".join(render_text(letter(language, "complaint")).split())
                 for language in ("hu", "pl", "el", "fr", "de", "nl", "cs")}  # fmt: skip
    assert "fő felügyeleti hatóság" in complaint["hu"]
    assert "fogadó" not in complaint["hu"]
    assert "Wnoszę o: 1. przeprowadzenie postępowania" in complaint["pl"]
    assert "Με τιμή," in complaint["el"]
    assert "Με εκτίμηση" in " ".join(render_text(letter("el", "objection")).split())
    assert "est la Data Protection Commission (DPC) irlandaise" in complaint["fr"]
    assert "ist die irische Data Protection Commission (DPC)" in complaint["de"]
    assert "is de Ierse Data Protection Commission (DPC)" in complaint["nl"]
    assert "Navrhuji, abyste: 1. prošetřili" in complaint["cs"]
    objection = " ".join(render_text(letter("hu", "objection")).split())
    assert "bekezdése alapján" in objection
    assert "bekezdés alapján" not in objection
    assert "Met vriendelijke groet" in paragraphs("nl", "objection")


def test_edpb_sentence_says_not_always_anonymous() -> None:
    """fr, pt, mt read "can never be considered anonymous" before the review."""
    opinion = "In its Opinion %(opinion)s, the European Data Protection Board found that AI models"
    message = next(
        m for m in _catalog_ids() if m.startswith(opinion)
    )  # the one sentence, as the template has it
    expected = {
        "fr": "ne peuvent pas toujours être considérés comme anonymes",
        "pt": "nem sempre podem ser considerados anónimos",
        "mt": "mhux dejjem jistgħu jitqiesu anonimi",
        "it": "non sempre possono essere considerati anonimi",
    }
    for language, words in expected.items():
        assert words in translations(language).gettext(message)


def _catalog_ids() -> list[str]:
    from babel.messages.pofile import read_po

    from dsr.resources import resource_dir

    with (resource_dir("locales") / "letters.pot").open("rb") as handle:
        return [str(m.id) for m in read_po(handle) if m.id and isinstance(m.id, str)]


@pytest.mark.parametrize(
    ("typed", "country", "town"),
    [
        ("Via Roma 1, 00184 Roma RM", "IT", "Roma"),
        ("Via Roma 1, 00184 Roma (RM)", "IT", "Roma"),
        ("Karlova 1, 110 00 Praha 1", "CZ", "Praha"),
        ("Karlova 1, 110 00 Praha 1 - Staré Město", "CZ", "Praha"),
        ("Vesterbrogade 1, 1620 København V", "DK", "København"),
        ("1 Main Street, Dublin 2, D02 XY12", "IE", "Dublin"),
        ("1 Main Street, Dublin 2", "IE", "Dublin"),
        ("12 rue X, 75007 Paris Cedex 07", "FR", "Paris"),
        ("Rue X 1, 69003 Lyon 3e", "FR", "Lyon"),
        ("Str. X 1, 010336 București Sector 1", "RO", "București"),
        ("Váci utca 1, 1052 Budapest V. kerület", "HU", "Budapest"),
        # Magyar Posta's own order: town, street, postcode.
        ("Budapest, Váci utca 12., 1052", "HU", "Budapest"),
        ("Debrecen, Piac utca 1., 4024", "HU", "Debrecen"),
        ("1 Main Street, London, SW1A 2AA", "GB", "London"),
        ("Calle Mayor 1, 14440 Villanueva de Córdoba", "ES", "Villanueva de Córdoba"),
        ("Hauptstraße 1, 06108 Halle (Saale)", "DE", "Halle (Saale)"),
        ("1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4", "CA", "Montréal"),
        ("1 Market Street, San Francisco, CA 94105", "US", "San Francisco"),
        ("香港中環皇后大道中1號1室", "HK", ""),  # a street, not a town: no place
    ],
)
def test_the_town_is_the_towns_name(typed: str, country: str, town: str) -> None:
    assert place_from_address(split_address(typed), country) == town


def test_a_place_the_member_types_is_printed_as_typed() -> None:
    """cs letters give the date alone, unless the member writes the place in the locative."""
    values = {
        "kind": "objection", "jurisdiction": "CZ", "controller": "linkedin", "name": "A B",
        "address": "Karlova 1, 110 00 Praha 1", "account-email": "a@example.org",
        "lang": "cs", "date": TODAY.isoformat(), "place": "V Praze",
    }  # fmt: skip
    typed = compose(parse_request(values, today=TODAY))
    assert typed.place_typed
    line = render_html(typed).split('<p class="place-date">')[1].split("</p>")[0]
    assert " ".join(line.split()) == "V Praze dne 22. listopadu 2026"


def test_day_one_and_elision_follow_the_language() -> None:
    """el "Την 1η Οκτωβρίου", it "1º ottobre" and "l'8": the words around a filled-in date."""
    from dsr.i18n import filled_in_rule, first_day_ordinal

    assert first_day_ordinal("1\u00a0ottobre\u00a02026", "it") == "1\u00ba\u00a0ottobre\u00a02026"
    greek = filled_in_rule("el")
    assert greek is not None
    assert greek("Στις 1\u03b7\u00a0Οκτωβρίου\u00a02026, έγραψα") == (
        "Την 1\u03b7\u00a0Οκτωβρίου\u00a02026, έγραψα"
    )
    assert greek("έως τις 12\u00a0Οκτωβρίου") == "έως τις 12\u00a0Οκτωβρίου"
    italian = filled_in_rule("it")
    assert italian is not None
    assert italian("entro il 8\u00a0dicembre") == "entro l\u20198\u00a0dicembre"
    assert italian("entro il 18\u00a0dicembre") == "entro il 18\u00a0dicembre"
    values = {
        "kind": "complaint", "jurisdiction": "GR", "controller": "linkedin", "name": "A B",
        "address": "Ερμού 1, 105 63 Αθήνα", "account-email": "a@example.org", "lang": "el",
        "date": TODAY.isoformat(), "request-date": "2026-10-01", "request-kind": "objection",
    }  # fmt: skip
    text = " ".join(render_text(compose(parse_request(values, today=TODAY))).split())
    assert "Την 1η Οκτωβρίου 2026" in text
    assert "Στις 1" not in text


# Maltese: the article before a day follows the number as it is said (tas-27, tat-30).
MT_ASSIMILATED = {2: "t", 3: "t", 8: "t", 12: "t", 13: "t", 18: "t", 22: "t", 23: "t",
                  28: "t", 30: "t", 6: "s", 7: "s", 16: "s", 17: "s", 26: "s", 27: "s",
                  9: "d", 19: "d", 29: "d"}  # fmt: skip


@pytest.mark.parametrize("day", [1, 2, 6, 9, 15, 22, 27])
def test_maltese_day_articles_follow_the_number(day: int, tmp_path: Path) -> None:
    target = tmp_path / "letter.txt"
    args = [
        "letter", "--kind", "complaint", "--jurisdiction", "MT", "--controller", "linkedin",
        "--name", "Alex Example", "--address", "12 Triq ir-Repubblika, Valletta VLT 1117",
        "--account-email", "a@example.org", "--lang", "mt", "--date", f"2026-11-{day:02d}",
        "--request-date", f"2026-09-{day:02d}", "--request-kind", "objection", "-o", str(target),
    ]  # fmt: skip
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    articles = re.findall(r"(?<![\w\u2019'-])(\w*?)-(\d{1,2})\u00a0", text)
    assert articles, text
    for word, number in articles:
        sound = MT_ASSIMILATED.get(int(number), "l")
        assert word.lower().endswith(sound), (word, number)


# Estonian: a date in running text is in the adessive ("22. novembril 2026") or the
# elative ("alates 3. novembrist 2025"), not "kuupäeval 22. november 2026" (the et record).
ET_CASES = [
    ("complaint", {"request-kind": "objection", "request-date": "2026-09-30"}),
    ("complaint", {"request-kind": "access", "request-date": "2026-05-01"}),
    ("reminder", {"request-kind": "erasure", "request-date": "2026-10-01"}),
]


ET_GENITIVE = ("jaanuari", "veebruari", "märtsi", "aprilli", "mai", "juuni", "juuli", "augusti",
               "septembri", "oktoobri", "novembri", "detsembri")  # fmt: skip


@pytest.mark.parametrize(("kind", "more"), ET_CASES)
def test_estonian_dates_in_sentences_take_their_case(kind: str, more: dict[str, str]) -> None:
    values = {
        "kind": kind, "jurisdiction": "EE", "controller": "linkedin", "name": "Mari Maasikas",
        "address": "Tatari 1, 10134 Tallinn", "account-email": "m@example.org", "lang": "et",
        "date": TODAY.isoformat(), **more,
    }  # fmt: skip
    text = " ".join(render_text(compose(parse_request(values, today=TODAY))).split())
    assert not re.search(r"[Kk]uupäeva(l|st) \d", text), text
    months = "|".join(ET_GENITIVE)
    declined = re.findall(rf"\d{{1,2}}\. (?:{months})(?:l|st) \d{{4}}", text)
    assert declined, text
    if more["request-kind"] == "objection":
        assert "Alates 3. novembrist 2025 kasutab" in text
