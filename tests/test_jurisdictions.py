"""Every jurisdiction x every kind that applies: law, controller, authority,
deadline and paper, checked on the text extracted from the PDF."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from click.testing import CliRunner
from pypdf import PdfReader

from dsr.cli import main
from dsr.i18n import shipped_languages
from tests.conftest import SITUATION, pdf_text

IRELAND = "LinkedIn Ireland Unlimited Company"
CORPORATION = "LinkedIn Corporation"

# code: (locale for dates, controller, paper (width, height in pt), reply due, complaint authority)
JURISDICTIONS = {
    "DE": ("en_DE", IRELAND, (595, 842), date(2026, 12, 22), "Berliner Beauftragte"),
    "IE": ("en_IE", IRELAND, (595, 842), date(2026, 12, 22), "Data Protection Commission"),
    "GB": (
        "en_GB",
        CORPORATION,
        (595, 842),
        date(2026, 12, 21),  # one month beginning with 22 Nov (Art. 12A(1) UK GDPR)
        "Information Commissioner",
    ),
    "CH": (
        "en_CH",
        IRELAND,
        (595, 842),
        date(2026, 12, 22),
        "Federal Data Protection and Information Commissioner (FDPIC)",
    ),
    "CA": (
        "en_CA",
        CORPORATION,
        (612, 792),
        date(2026, 12, 22),
        "Office of the Privacy Commissioner of Canada",
    ),
    "CA-QC": (
        "en_CA",
        CORPORATION,
        (612, 792),
        date(2026, 12, 22),
        "Commission d'accès à l'information du Québec",
    ),
    # 40 days end on 1 Jan 2027, a general holiday; Saturday 2 Jan does not move (Cap. 1 s.71).
    "HK": (
        "en_HK",
        CORPORATION,
        (595, 842),
        date(2027, 1, 2),
        "Office of the Privacy Commissioner for Personal Data",
    ),
    "US-CA": (
        "en_US",
        CORPORATION,
        (612, 792),
        date(2027, 1, 6),
        "California Privacy Protection Agency",
    ),
}

# Complaint about a request of 2026-09-01: when its period ended.
REQUEST_DEADLINES = {
    "DE": date(2026, 10, 1),
    "IE": date(2026, 10, 1),
    "GB": date(2026, 9, 30),  # one month beginning with 1 Sep (Art. 12A(1) UK GDPR)
    "CH": date(2026, 10, 1),
    "CA": date(2026, 10, 1),
    "CA-QC": date(2026, 10, 1),
    "HK": date(2026, 10, 12),  # 11 Oct 2026 is a Sunday
    # The request was an opt-out (objection): 15 business days (11 CCR § 7026(f)), skipping
    # Labor Day (7 Sep) and Admission Day (9 Sep).
    "US-CA": date(2026, 9, 24),
}
# Kinds whose period differs from the family's: the CCPA opt-out, 15 business days from
# Sunday 22 Nov 2026, skipping Thanksgiving and the day after (26, 27 Nov).
REPLY_DUE_BY_KIND = {("US-CA", "objection"): date(2026, 12, 15)}

# The provisions each kind must cite, per jurisdiction (English citation forms).
LAW = {
    "DE": {
        "objection": ["Art. 21(1) GDPR", "Art. 12(3) GDPR"],
        "art21": [
            "Art. 21(1) GDPR",
            "Art. 18(1)(d) GDPR",
            "Art. 17(1)(c) GDPR",
            "Art. 15(1) GDPR",
            "Art. 77(1) GDPR",
        ],
        "erasure": ["Art. 17(1) GDPR", "Art. 17(2) GDPR", "Art. 19 GDPR"],
        "access": ["Art. 15(1) GDPR", "Art. 15(3) GDPR", "C-154/21"],
        "complaint": ["Art. 77(1) GDPR", "Art. 56(1) GDPR", "Art. 58(2)(c) GDPR"],
    },
    "GB": {
        "objection": ["Art. 21(1) UK GDPR", "Art. 12A(1) UK GDPR"],
        "art21": ["Art. 21(1) UK GDPR", "Art. 18(1)(d) UK GDPR", "Art. 17(1)(c) UK GDPR"],
        "erasure": ["Art. 17(1) UK GDPR", "Art. 19 UK GDPR"],
        "access": ["Art. 15(1) UK GDPR", "Art. 15(3) UK GDPR"],
        # From 19 June 2026 the complaint rests on s.165(2) alone (DUAA s.103(6) omits Art. 77).
        "complaint": ["s. 165(2) DPA 2018", "Information Commissioner"],
    },
    # LinkedIn Ireland is established in the EU: the GDPR applies (Art. 3(1)), the FADP too.
    "CH": {
        "objection": ["Art. 21(1) GDPR", "Art. 12(3) GDPR", "Art. 3(1) GDPR", "Art. 30(2)(b) FADP"],
        "art21": ["Art. 21(1) GDPR", "Art. 18(1)(d) GDPR", "Art. 3(1) GDPR"],
        "erasure": ["Art. 17(1) GDPR", "Art. 3(1) GDPR", "Art. 30(2)(b) FADP"],
        "access": ["Art. 15(1) GDPR", "Art. 15(3) GDPR", "Art. 25 FADP"],
        "complaint": ["Art. 49(1) FADP", "Art. 49(4) FADP", "not a party"],
    },
    "CA": {
        "objection": [
            "Sch. 1, cl. 4.3.8 PIPEDA",
            "Sch. 1, cl. 4.3 PIPEDA",
            "Sch. 1, cl. 4.5.3 PIPEDA",
        ],
        "erasure": ["does not create a general right to erasure", "Sch. 1, cl. 4.5.3 PIPEDA"],
        "access": ["Sch. 1, cl. 4.9 PIPEDA", "s. 8(1) PIPEDA", "s. 8(3) PIPEDA", "s. 8(5) PIPEDA"],
        "complaint": ["s. 11 PIPEDA"],
    },
    "CA-QC": {
        "objection": [
            "s. 12 of the Private Sector Act",
            "s. 14 of the Private Sector Act",
            "s. 9.1 of the Private Sector Act",
            "s. 8 of the Private Sector Act",
        ],
        "erasure": ["s. 28 of the Private Sector Act", "s. 23 of the Private Sector Act"],
        "access": [
            "s. 27 of the Private Sector Act",
            "s. 30 of the Private Sector Act",
            "s. 32 of the Private Sector Act",
        ],
        "complaint": ["s. 81 of the Private Sector Act"],
    },
    "HK": {
        "objection": ["DPP 3, Sch. 1 PDPO", "s. 2(3) PDPO", "no general right to object"],
        "erasure": ["s. 26 PDPO", "DPP 2(2), Sch. 1 PDPO"],
        "access": ["s. 18 PDPO", "s. 19(1) PDPO", "OPS003"],
        "complaint": ["s. 37 PDPO", "OPS001"],
    },
    "US-CA": {
        "objection": [
            "Cal. Civ. Code § 1798.120",
            "Cal. Civ. Code § 1798.121",
            "no general right to object",
        ],
        "erasure": ["Cal. Civ. Code § 1798.105", "Cal. Civ. Code § 1798.130(a)(2)"],
        "access": ["Cal. Civ. Code § 1798.110", "Cal. Civ. Code § 1798.130(a)(2)"],
        "complaint": ["California Consumer Privacy Act"],
    },
}
# The DPC is LinkedIn's lead authority itself, so an Irish complaint names no other.
LAW["IE"] = {**LAW["DE"], "complaint": ["Art. 77(1) GDPR", "Art. 58(2)(c) GDPR"]}

ADDRESSES = {
    "DE": "Hauptstraße 1, 10115 Berlin",
    "IE": "5 Main Street, Dublin 8, D08 XY12",
    "GB": "10 Downing Street, London SW1A 2AA",
    "CH": "Bahnhofstrasse 1, 8001 Zürich",
    "CA": "100 Queen Street, Ottawa ON K1P 1J9",
    "CA-QC": "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4",
    "HK": "Flat 1, 1 Queen's Road Central, Central",
    "US-CA": "1 Market Street, San Francisco, CA 94105",
}

KINDS = ["objection", "art21", "erasure", "access", "complaint"]
GDPR_OR_UK = {"DE", "IE", "GB", "CH"}  # CH: LinkedIn Ireland brings the GDPR (Art. 3(1))


def cases() -> list[tuple[str, str]]:
    return [
        (code, kind)
        for code in JURISDICTIONS
        for kind in KINDS
        if kind != "art21" or code in GDPR_OR_UK
    ]


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], bytes]:
    folder = tmp_path_factory.mktemp("matrix")

    def run(code: str, kind: str) -> bytes:
        jurisdiction = "DE-BE" if code == "DE" and kind == "complaint" else code
        out = folder / f"{code}-{kind}.pdf"
        args = [
            "letter", "--kind", kind, "--jurisdiction", jurisdiction,
            "--name", "Alex Example", "--address", ADDRESSES[code],
            "--account-email", "alex@example.org", "--lang", "en", "--date", "2026-11-22",
            "-o", str(out),
        ]  # fmt: skip
        if kind == "art21":
            args += ["--situation", SITUATION]
        if kind == "complaint":
            args += ["--request-date", "2026-09-01", "--request-kind", "objection"]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return out.read_bytes()

    return run


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("code", "kind"), cases())
def test_jurisdiction_matrix(render: Callable[[str, str], bytes], code: str, kind: str) -> None:
    locale, controller, paper, reply_due, authority = JURISDICTIONS[code]
    pdf = render(code, kind)
    text = flat(pdf_text(pdf))
    for cited in LAW[code][kind]:
        assert cited in text, cited
    assert controller in text
    other = CORPORATION if controller == IRELAND else IRELAND
    assert other not in text
    if kind == "complaint":
        assert authority in text
        assert format_date(REQUEST_DEADLINES[code], "long", locale=locale) in text
    else:
        reply_due = REPLY_DUE_BY_KIND.get((code, kind), reply_due)
        assert format_date(reply_due, "long", locale=locale) in text
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == paper


@pytest.mark.parametrize("code", ["CA", "CA-QC", "HK", "US-CA"])
def test_art21_outside_gdpr_names_the_kind_that_fits(code: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "art21", "--jurisdiction", code, "--name", "A", "--address", "x, y",
         "--account-email", "a@example.org", "--situation", SITUATION,
         "-o", str(tmp_path / "x.pdf")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output.startswith(
        f"Error: --kind: art21 is an objection under Art. 21(1) GDPR or UK GDPR, which do not "
        f"apply to LinkedIn for residents of {code}; use --kind objection, which rests on the "
    )


def test_hong_kong_letters_only_in_chinese_or_english(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "access", "--jurisdiction", "HK", "--name", "A", "--address", "x, y",
         "--account-email", "a@example.org", "--lang", "fr", "-o", str(tmp_path / "x.pdf")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output.startswith(
        "Error: --lang: requests in HK must be written in en or zh-Hant; use one of en"
    )


def test_default_languages(tmp_path: Path) -> None:
    from dsr.inputs import parse_request

    def language(code: str, kind: str = "objection") -> str:
        address = ADDRESSES.get(code.split("-")[0], "ul. Prosta 1, 00-850 Warszawa")
        values = {"kind": kind, "jurisdiction": code, "name": "A", "address": address,
                  "account-email": "a@example.org", "request-date": "2026-01-01", "request-kind": "objection"}  # fmt: skip
        return parse_request(values, today=date(2026, 11, 22)).language

    assert language("DE") == "de"
    assert language("CH") == "de-CH"
    assert language("CA") == "en"
    assert language("CA-QC") == "fr-CA"
    assert language("HK") == "en"
    assert language("DE-BE", "complaint") == "de"
    assert language("PL") == ("pl" if "pl" in shipped_languages() else "en")


def test_swiss_german_spelling_and_terms(tmp_path: Path) -> None:
    out = tmp_path / "ch.pdf"
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "CH", "--name", "Erika Muster",
         "--address", "Bahnhofstrasse 1, 8001 Zürich", "--account-email", "e@example.org",
         "--lang", "de", "--date", "2026-11-22", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = flat(pdf_text(out))
    assert "ß" not in text
    assert "Art. 21 Abs. 1 DSGVO" in text  # LinkedIn Ireland: the GDPR applies (Art. 3(1))
    assert "Art. 30 Abs. 2 Bst. b DSG" in text  # and the FADP too (its Art. 3(1))
    assert "Personendaten" in text
    assert "personenbezogen" not in text
    assert "Mit freundlichen Grüssen" in text


@pytest.mark.parametrize(
    ("code", "typed", "printed", "place"),
    [
        ("DE", "Hauptstraße 1, 10115 Berlin", ["Hauptstraße 1", "10115 Berlin"], "Berlin"),
        ("GB", "10 Downing Street, London SW1A 2AA", ["10 Downing Street", "London", "SW1A 2AA"], "London"),
        ("CH", "Bahnhofstrasse 1, 8001 Zürich", ["Bahnhofstrasse 1", "8001 Zürich"], "Zürich"),
        ("US-CA", "1 Market Street, San Francisco, CA 94105", ["1 Market Street", "San Francisco", "CA 94105"], "San Francisco"),
        ("CA-QC", "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4", ["1000 rue Sherbrooke Ouest", "Montréal QC H3A 3G4"], "Montréal"),
        ("IE", "5 Main Street, Dublin 8, D08 XY12", ["5 Main Street", "Dublin 8", "D08 XY12"], "Dublin"),
    ],
)  # fmt: skip
def test_addresses_follow_the_postal_format(
    code: str, typed: str, printed: list[str], place: str
) -> None:
    from dsr.inputs import parse_request

    values = {"kind": "objection", "jurisdiction": code, "name": "A", "address": typed,
              "account-email": "a@example.org", "lang": "en"}  # fmt: skip
    request = parse_request(values, today=date(2026, 11, 22))
    assert list(request.requester.address.lines) == printed
    assert request.requester.place == place


def test_an_address_without_the_countrys_postcode_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "A",
         "--address", "1 Main Street, Springfield", "--account-email", "a@example.org",
         "-o", str(tmp_path / "x.pdf")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        "Error: --address: has no postal code of DE in it (for example 26133)\n"
    )


@pytest.mark.parametrize(
    ("code", "lang", "address", "expected", "absent"),
    [
        ("US-CA", "en", "1 Market Street, San Francisco, CA 94105", ["Sincerely,", "Dear Sir or Madam:"], ["Yours faithfully"]),
        ("GB", "en", "10 Downing Street, London SW1A 2AA", ["Yours faithfully,"], ["Sincerely"]),
        ("CA-QC", "fr", "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4", ["adresse courriel"], ["adresse électronique"]),
        ("CH", "fr", "Rue du Rhône 1, 1204 Genève", ["données personnelles"], ["à caractère personnel"]),
    ],
)  # fmt: skip
def test_regional_forms(
    code: str, lang: str, address: str, expected: list[str], absent: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "letter.pdf"
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "access", "--jurisdiction", code, "--name", "Alex Example",
         "--address", address, "--account-email", "a@example.org", "--lang", lang,
         "--date", "2026-11-22", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = flat(pdf_text(out))
    for phrase in expected:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text
