"""Letters state what happened and the law in force, never more.

Every test reads the letter as its reader does: the text extracted from the
PDF (Typst, and WeasyPrint where the engines could differ) or the text form.
The guard tests run over every jurisdiction, every kind its law offers and
every request kind, so a new template branch cannot slip an untrue sentence in.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.dates import format_date
from click.testing import CliRunner

from dsr import registry
from dsr.cli import main
from dsr.composition import compose
from dsr.deadlines import Calendar, DeadlineRule, period_beginning_with
from dsr.errors import InvalidRequest
from dsr.i18n import shipped_languages
from dsr.inputs import parse_request
from dsr.model import Kind, Letter, Request
from dsr.render import render_html, render_text
from tests.conftest import pdf_text

# A "today" no letter below is dated, so that it shows wherever a given date was lost.
FAKE_TODAY = date(2031, 1, 2)
LETTER_DATE = "2026-07-02"  # after 19 June 2026: s.164A DPA 2018 is in force
REQUEST_DATE = "2026-04-02"

ADDRESSES = {
    "AT": "Stephansplatz 1, 1010 Wien", "BE": "Rue Neuve 1, 1000 Bruxelles",
    "BG": "ul. Vitosha 1, 1000 Sofia", "HR": "Ilica 1, 10000 Zagreb",
    "CY": "Makariou 1, 1065 Nicosia", "CZ": "Václavské náměstí 1, 110 00 Praha",
    "DK": "Strøget 1, 1100 København", "EE": "Viru 1, 10111 Tallinn",
    "FI": "Mannerheimintie 1, 00100 Helsinki", "FR": "12 rue de la Paix, 75002 Paris",
    "DE": "Hauptstraße 1, 10115 Berlin", "GR": "Ermou 1, 105 63 Athina",
    "HU": "Váci utca 1, 1052 Budapest", "IE": "5 Main Street, Dublin 8, D08 XY12",
    "IT": "Via del Corso 1, 00186 Roma", "LV": "Brīvības iela 1, LV-1010 Rīga",
    "LT": "Gedimino pr. 1, 01103 Vilnius", "LU": "1 Grand-Rue, L-1661 Luxembourg",
    "MT": "1 Republic Street, Valletta VLT 1117", "NL": "Damrak 1, 1012 LG Amsterdam",
    "PL": "ul. Prosta 1, 00-850 Warszawa", "PT": "Rua Augusta 1, 1100-048 Lisboa",
    "RO": "Strada Lipscani 1, 030031 București", "SK": "Obchodná 1, 811 06 Bratislava",
    "SI": "Prešernov trg 1, 1000 Ljubljana", "ES": "Calle Mayor 1, 28013 Madrid",
    "SE": "Drottninggatan 1, 111 51 Stockholm", "NO": "Karl Johans gate 1, 0154 Oslo",
    "IS": "Laugavegur 1, 101 Reykjavík", "LI": "Städtle 1, 9490 Vaduz",
    "GB": "10 Downing Street, London SW1A 2AA", "CH": "Bahnhofstrasse 1, 8001 Zürich",
    "CA": "100 Queen Street, Ottawa ON K1P 1J9",
    "CA-QC": "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4",
    "HK": "Flat 1, 1 Queen's Road Central, Central",
    "US-CA": "1 Market Street, San Francisco, CA 94105",
}  # fmt: skip
SITUATION = "As a journalist I protect my sources; AI models must not reproduce my contacts."
FOLLOW_UPS = (Kind.COMPLAINT, Kind.REMINDER, Kind.CONTROLLER_COMPLAINT)


def address(code: str) -> str:
    return ADDRESSES.get(code) or ADDRESSES[code.split("-")[0]]


def family_for(code: str, controller: str = "linkedin") -> registry.LawFamily:  # type: ignore[name-defined]
    entity = registry.controller(controller).entity_for(code)  # type: ignore[union-attr]
    return registry.applicable_law(code, entity)[0]


def minimal(kind: str, code: str, **extra: Any) -> dict[str, Any]:
    """Only what the kind requires: every optional field absent."""
    values: dict[str, Any] = {
        "kind": kind, "jurisdiction": code, "name": "Alex Example", "address": address(code),
        "account-email": "alex@example.org", "date": LETTER_DATE,
    }  # fmt: skip
    if Kind(kind) is Kind.ART21:
        values["situation"] = SITUATION
    if Kind(kind) in (Kind.COMPLAINT, Kind.REMINDER):
        values["request-date"] = REQUEST_DATE
        values["request-kind"] = "objection"
    values.update(extra)
    return values


def combinations() -> Iterator[tuple[str, str]]:
    """Every jurisdiction with every kind its law offers (Länder only for complaints)."""
    for code, jurisdiction in registry.jurisdictions().items():
        for kind in family_for(code).kinds:
            if jurisdiction.complaint_needs_subdivision and kind == "complaint":
                continue
            if jurisdiction.subdivision and jurisdiction.country in registry.jurisdictions():
                if kind != "complaint":
                    continue
            yield code, kind


PAGE_LABEL = re.compile(r"^\D*\d+\D+\d+\D*$")  # "Page 1 of 2", "Seite 1 von 2"


def body(text: str) -> str:
    """The letter as read across pages: without page labels and running headers."""
    pages = text.split("\f")
    kept = []
    for number, page in enumerate(pages):
        lines = [line for line in page.splitlines() if line.strip()]
        if lines and PAGE_LABEL.match(lines[-1].strip()):
            lines = lines[:-1]
        if number and lines:
            lines = lines[1:]  # the running header: name and reference
        kept.append("\n".join(lines))
    return "\n".join(kept)


def typst_text(letter: Letter) -> str:
    from dsr.typeset import letter_pdf

    return body(pdf_text(letter_pdf(render_html(letter))))


def weasyprint_text(letter: Letter) -> str:
    from dsr.pipeline import letter_bytes

    return body(pdf_text(letter_bytes(letter)))


def flat(text: str) -> str:
    """Lines joined, hyphenation at line ends and spacing ignored."""
    return re.sub(r"\s+", " ", text.replace("\f", " ")).strip()


def dates_in(language: str, locale: str, *days: date) -> list[tuple[str, ...]]:
    """The long date as letters print it, each in every form a sentence may decline it
    to: CLDR's, its day never zero-padded (en_MT's "dd MMMM y" would be "02 July"), and
    in Estonian the adessive and the elative ("2. aprillil 2026", "2. aprillist 2026")."""
    pattern = Locale.parse(locale).date_formats["long"].pattern.replace("dd", "d")
    forms = []
    for day in days:
        written = flat(format_date(day, pattern, locale=locale))
        declined = ()
        if language.split("-")[0] == "et":
            stem = f"{day.day}. {ET_MONTH_GENITIVES[day.month - 1]}"
            declined = (f"{stem}l {day.year}", f"{stem}st {day.year}")
        forms.append((written, *declined))
    return forms


ET_MONTH_GENITIVES = ("jaanuari", "veebruari", "märtsi", "aprilli", "mai", "juuni", "juuli",
                      "augusti", "septembri", "oktoobri", "novembri", "detsembri")  # fmt: skip


def shows(text: str, forms: tuple[str, ...]) -> bool:
    """Whether ``text`` holds a date in one of its ``forms`` (``dates_in``)."""
    return any(form in text for form in forms)


# --- Guard: no letter is written with a value missing -----------------------------


@pytest.mark.parametrize(("code", "kind"), list(combinations()))
def test_no_letter_has_a_hole(code: str, kind: str) -> None:
    """Every kind of every family, optional fields absent: no None, no empty section,
    no 'today' where the member's date belongs; read from the PDF."""
    request = parse_request(minimal(kind, code), today=FAKE_TODAY)
    letter = compose(request)
    text = flat(typst_text(letter))
    assert not re.search(r"\bNone\b|\bUndefined\b|\(\s*\)|\[\s*\]", text), text
    (today,) = dates_in(letter.language, letter.locale, FAKE_TODAY)
    assert not shows(text, today)
    (letter_date,) = dates_in(letter.language, letter.locale, date.fromisoformat(LETTER_DATE))
    assert shows(text, letter_date)
    if Kind(kind) in (Kind.COMPLAINT, Kind.REMINDER):
        (asked,) = dates_in(letter.language, letter.locale, date.fromisoformat(REQUEST_DATE))
        assert shows(text, asked)
    grounds = "Grounds relating to my particular situation"
    if grounds in text:
        after = text.split(grounds, 1)[1].strip()
        assert after.startswith(SITUATION[:20]), after[:80]


@pytest.mark.parametrize("language", shipped_languages())
def test_no_hole_in_any_language(language: str) -> None:
    """Follow-ups and objections without optional fields, in every language: no None,
    no today's date, the request's own date present."""
    code = "HK" if language == "zh-Hant" else "DE-BE"
    for kind in ("objection", "erasure", "access", "complaint", "reminder"):
        where = code if kind == "complaint" or code == "HK" else "DE"
        request = parse_request(minimal(kind, where, lang=language), today=FAKE_TODAY)
        letter = compose(request)
        text = flat(render_text(letter))
        assert not re.search(r"\bNone\b|\bUndefined\b", text), (kind, text)
        (today,) = dates_in(letter.language, letter.locale, FAKE_TODAY)
        assert not shows(text, today), kind


@pytest.mark.parametrize("spelling", ["Art21", " ART21 ", "art_21"[:0] + "aRt21\t"])
def test_kind_is_normalised_everywhere(spelling: str, tmp_path: Path) -> None:
    """CLI, library, batch rows and profiles all read ' Art21 ' as art21 and then ask for
    the situation instead of writing 'None'."""
    assert Kind(spelling) is Kind.ART21
    values = {**minimal("objection", "DE"), "kind": spelling}
    with pytest.raises(InvalidRequest) as raised:
        parse_request(values, today=FAKE_TODAY)
    assert [p.field for p in raised.value.problems] == ["situation"]
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", spelling, "--jurisdiction", "DE", "--name", "A B", "--address",
         ADDRESSES["DE"], "--account-email", "a@example.org", "-o", str(tmp_path / "x.pdf")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "missing --situation" in result.output
    assert not (tmp_path / "x.pdf").exists()
    profile = tmp_path / "me.toml"
    profile.write_text(f'kind = "{spelling.strip()}"\njurisdiction = "DE"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["letter", "--profile", str(profile), "--name", "A B", "--address", ADDRESSES["DE"],
         "--account-email", "a@example.org", "-o", str(tmp_path / "y.pdf")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "missing --situation" in result.output
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "kind,jurisdiction,name,address,account_email,request_date,request_kind\n"
        f'"{spelling}",DE,A B,"{ADDRESSES["DE"]}",a@example.org,,\n'
        f'" ERASURE ",DE,C D,"{ADDRESSES["DE"]}",c@example.org,,\n'
        f'" Reminder ",DE,E F,"{ADDRESSES["DE"]}",e@example.org,2026-09-01,Access\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["batch", str(rows), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2  # the art21 row lacks its situation; the others are written
    assert "row 1: situation" in result.output
    written = sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
    assert [name.split("-")[2] for name in written] == ["erasure", "reminder"]


def test_library_request_takes_kinds_as_text() -> None:
    request = parse_request(minimal("objection", "DE"), today=FAKE_TODAY)
    from dataclasses import replace

    assert replace(request, kind=" Erasure ").kind is Kind.ERASURE  # type: ignore[arg-type]
    assert Request(**{**request.__dict__, "kind": "ACCESS"}).kind is Kind.ACCESS


# --- Follow-ups describe the request that was made ----------------------------------

# What a reader must find for each request kind, and must not find for the others.
MARKERS = {
    Kind.OBJECTION: "objected in writing to",
    Kind.ART21: "on grounds relating to my particular situation, to the processing",
    Kind.ERASURE: "in writing to erase my personal data",
    Kind.ACCESS: "in writing for access to my personal data",
}


# An objection letter objects, withdraws consent or opts out, as its family's law allows.
LEVERS = {
    "objection": "objected in writing to",
    "withdrawal": "I withdrew in writing any consent",
    "opt_out": "that I opt out of the sale and sharing",
}


def follow_up_cases() -> Iterator[tuple[str, Kind, Kind]]:
    """One jurisdiction per family (and the Swiss case), each follow-up, each request kind."""
    for code in ("DE-BE", "IE", "GB", "CH", "CA", "CA-QC", "HK", "US-CA"):
        family = family_for(code)
        for follow_up in FOLLOW_UPS:
            if follow_up.value not in family.kinds and follow_up is not Kind.COMPLAINT:
                continue
            where = code
            if follow_up is not Kind.COMPLAINT and code == "DE-BE":
                where = "DE"
            for request_kind in Kind.requests():
                if request_kind.value in family_for(where).kinds:
                    yield where, follow_up, request_kind


@pytest.mark.parametrize(("code", "follow_up", "request_kind"), list(follow_up_cases()))
def test_follow_up_states_the_request_actually_made(
    code: str, follow_up: Kind, request_kind: Kind
) -> None:
    values = minimal(
        follow_up.value, code, lang="en", **{"request-kind": request_kind.value,
                                             "request-date": REQUEST_DATE}
    )  # fmt: skip
    if code == "CA-QC":  # the s.43 period has run out: a late application gives its reason
        values["situation"] = "I was abroad without access to my mail until June 2026."
    letter = compose(parse_request(values, today=FAKE_TODAY))
    for read in (typst_text, weasyprint_text):
        text = flat(read(letter))
        markers = {**MARKERS, Kind.OBJECTION: LEVERS[letter.request_objection_lever]}
        if letter.request_data_term == "personal information":  # PIPEDA, Quebec (law.toml)
            markers[Kind.ERASURE] = "to destroy, erase or make anonymous my personal information"
            markers[Kind.ACCESS] = "in writing for access to my personal information"
        assert markers[request_kind] in text, (read.__name__, text)
        for other, marker in markers.items():
            if other is not request_kind:
                assert marker not in text, (other, text)
        # Never the old catch-all that claimed every request at once.
        assert "to erase the data already used and to give me information" not in text
        if letter.request_deadline_is_statutory:
            expired = flat(f"The time limit under {letter.request_deadline_provision} expired")
            # A line may break between a provision's parts ("7026(f)" / "(1)"), which the
            # flattened text shows as a space.
            assert expired in text.replace(") (", ")(")
        elif follow_up is not Kind.CONTROLLER_COMPLAINT:
            assert "period I set" in text


def test_statutory_periods_are_not_called_mine() -> None:
    """PIPEDA s.8(3), FADP Art. 25(7), CCPA § 1798.130 periods for access are the law's."""
    for code, provision in (
        ("CA", "s. 8(3) PIPEDA"), ("US-CA", "§ 1798.130(a)(2)"), ("HK", "s. 19(1)"),
    ):  # fmt: skip
        values = minimal("complaint", code, lang="en", **{"request-kind": "access"})
        text = flat(typst_text(compose(parse_request(values, today=FAKE_TODAY))))
        assert "period I set" not in text
        assert f"The time limit under {provision}" in text or (
            f"The time limit under Cal. Civ. Code {provision}" in text
        ), text
        assert "withdrew" not in text
        assert "express wishes" not in text


@pytest.mark.parametrize("language", [lang for lang in shipped_languages() if lang != "zh-Hant"])
def test_each_request_kind_reads_differently_in_every_language(language: str) -> None:
    """The catalogs keep the four request kinds apart: no language says the same for all."""
    sentences = set()
    for request_kind in Kind.requests():
        values = minimal(
            "complaint", "DE-BE", lang=language, **{"request-kind": request_kind.value}
        )
        letter = compose(parse_request(values, today=FAKE_TODAY))
        paragraphs = [flat(p) for p in render_text(letter).split("\n\n")]
        (asked,) = dates_in(language, letter.locale, date.fromisoformat(REQUEST_DATE))
        sentences.add(next(p for p in paragraphs if shows(p, asked)))
    assert len(sentences) == 4, sentences


def test_complaint_without_request_kind_is_refused_naming_the_choices(tmp_path: Path) -> None:
    args = ["letter", "--kind", "complaint", "--jurisdiction", "DE-BE", "--name", "A B",
            "--address", ADDRESSES["DE"], "--account-email", "a@example.org",
            "--request-date", "2026-09-01", "--date", "2026-11-22", "-o", str(tmp_path / "c.pdf")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "missing --request-kind" in result.output
    assert "objection|art21|erasure|access" in result.output
    result = CliRunner().invoke(main, [*args, "--request-kind", "complaint"])
    assert result.exit_code == 2
    assert "--request-kind: 'complaint' is not a request kind" in result.output
    assert not (tmp_path / "c.pdf").exists()


def test_escalating_a_tracked_access_request_claims_nothing_else(tmp_path: Path) -> None:
    def run(*args: str) -> None:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output

    run("letter", "--kind", "access", "--jurisdiction", "IE", "--name", "A B",
        "--address", ADDRESSES["IE"], "--account-email", "a@example.org",
        "--lang", "en", "--date", "2026-09-01", "--track", "-o", str(tmp_path / "a.pdf"))  # fmt: skip
    run("track", "escalate", "1", "--date", "2026-11-22", "-o", str(tmp_path / "c.pdf"))
    text = flat(pdf_text(tmp_path / "c.pdf").split("\f")[0])
    assert MARKERS[Kind.ACCESS] in text
    assert "erase" not in text
    assert "objected" not in text
    assert "stop using" not in text


# --- Which law applies follows from the entity's establishment ------------------------


def test_law_follows_the_entity_for_every_controller() -> None:
    """Art. 3(1) GDPR: an entity established in the EU/EEA brings the GDPR, whatever the
    member's residence; otherwise the law of residence applies."""
    rule = registry.applicability_rules()[0]
    assert rule.sources
    assert rule.last_verified
    eea = set(registry.expand_groups(["EU", "EEA"]))
    for slug, controller in registry.builtin_controllers().items():
        for code, jurisdiction in registry.jurisdictions().items():
            entity = controller.entity_for(code)
            if entity is None:
                continue
            family, applied = registry.applicable_law(code, entity)
            residence = jurisdiction.family
            if residence in ("gdpr", "uk"):
                assert family.id == residence, (slug, code)
            elif entity.establishment in eea:
                assert (family.id, applied is not None) == ("gdpr", True), (slug, code)
            else:
                assert family.id == residence, (slug, code)


def test_swiss_members_of_linkedin_ireland_have_the_gdpr(tmp_path: Path) -> None:
    values = minimal("art21", "CH", lang="en", date="2026-11-22")
    letter = compose(parse_request(values, today=FAKE_TODAY))
    text = flat(typst_text(letter))
    assert "Under Art. 21(1) GDPR, I object" in text
    assert "within one month" in text
    assert "Art. 12(3) GDPR" in text
    assert "22 December 2026" in text  # one month, Irish working days
    # An Art. 77 complaint goes to a GDPR authority: the lead one, not the FDPIC.
    assert "lodge a complaint with the Data Protection Commission under Art. 77(1) GDPR" in text
    assert "established in Ireland" in text
    assert "Art. 3(1) GDPR" in text
    report = compose(parse_request(minimal("complaint", "CH", lang="en"), today=FAKE_TODAY))
    assert "FDPIC" in report.recipient.name
    assert report.family == "ch"
    dpc = compose(
        parse_request(minimal("complaint", "CH", lang="en", authority="iedpc"), today=FAKE_TODAY)
    )
    text = flat(typst_text(dpc))
    assert "Under Art. 77(1) GDPR, I lodge a complaint" in text
    assert "lead supervisory authority for LinkedIn Ireland Unlimited Company" in text
    assert "place of habitual residence" not in text


def test_eu_complaints_name_the_irish_commission_with_its_country() -> None:
    letter = compose(parse_request(minimal("complaint", "FR", lang="en"), today=FAKE_TODAY))
    text = flat(typst_text(letter))
    assert "is the Irish Data Protection Commission (DPC)." in text


# --- United Kingdom after the Data (Use and Access) Act 2025 --------------------------


def uk_text(kind: str, **extra: Any) -> str:
    values = minimal(kind, "GB", lang="en", **extra)
    return flat(typst_text(compose(parse_request(values, today=FAKE_TODAY))))


def test_uk_complaint_rests_on_the_law_in_force_on_its_date() -> None:
    after = uk_text("complaint")
    assert "Under s. 165(2) DPA 2018, I complain" in after
    assert "Art. 77" not in after
    assert "supervisory authority" not in after
    assert "Information Commissioner" in after
    before = uk_text("complaint", date="2026-05-04", **{"request-date": "2026-03-01"})
    assert "Under Art. 77(1) UK GDPR, I complain" in before
    assert "s. 164A" not in before


def test_uk_complaint_mentions_s164a_only_when_made() -> None:
    assert "164A" not in uk_text("complaint")
    made = uk_text("complaint", **{"controller-complaint-date": "2026-06-25"})
    assert (
        "On 25 June 2026, I complained to LinkedIn Corporation about this under s. 164A(1)" in made
    )
    with pytest.raises(InvalidRequest) as raised:
        parse_request(
            minimal("complaint", "GB", **{"controller-complaint-date": "2026-06-01"}),
            today=FAKE_TODAY,
        )
    assert raised.value.problems[0].field == "controller-complaint-date"


def test_s164a_complaint_to_the_controller() -> None:
    text = uk_text("controller-complaint")
    assert "Under s. 164A(1) DPA 2018, I complain to LinkedIn Corporation" in text
    # s.164A(3): 30 days beginning when received, so the 29th day after a same-day receipt.
    assert (
        "(s. 164A(3) DPA 2018); if it reaches you on the date of this letter, by 31 July 2026"
        in text
    )
    assert "lodge a complaint with the Information Commissioner" in text
    with pytest.raises(InvalidRequest):
        parse_request(minimal("controller-complaint", "GB", date="2026-06-18"), today=FAKE_TODAY)
    with pytest.raises(InvalidRequest):
        parse_request(minimal("controller-complaint", "DE"), today=FAKE_TODAY)


def test_art12a_sentence_fits_each_kind() -> None:
    for kind in ("objection", "art21", "erasure", "access"):
        text = uk_text(kind)
        assert "Art. 12A(2) UK GDPR" in text, kind
        assert "is paused" not in text
        assert ("Art. 12A(5) UK GDPR" in text) is (kind == "access"), kind


def test_uk_letters_cite_no_cjeu_or_edpb_as_binding() -> None:
    for kind in ("objection", "art21", "erasure", "access", "complaint", "reminder"):
        text = uk_text(kind)
        assert "Court of Justice" not in text, kind
        assert "C-154/21" not in text, kind
        assert "European Data Protection Board" not in text, kind
    assert "recipients or categories of recipient" in uk_text("access")


def test_gb_escalation_offers_the_controller_complaint_first(tmp_path: Path) -> None:
    def run(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("letter", "--kind", "erasure", "--jurisdiction", "GB", "--name", "A B",
        "--address", ADDRESSES["GB"], "--account-email", "a@example.org", "--lang", "en",
        "--date", "2026-07-01", "--track", "-o", str(tmp_path / "e.pdf"))  # fmt: skip
    said = run("track", "escalate", "1", "--date", "2026-08-10", "-o", str(tmp_path / "cc.pdf"))
    assert "s.164A" in said
    first = flat(pdf_text(tmp_path / "cc.pdf").split("\f")[0])
    assert "I complain to LinkedIn Corporation" in first
    assert MARKERS[Kind.ERASURE] in first
    run("track", "escalate", "1", "--date", "2026-09-20", "-o", str(tmp_path / "ico.pdf"))
    ico = flat(pdf_text(tmp_path / "ico.pdf"))
    assert "Under s. 165(2) DPA 2018" in ico
    assert (
        "On 10 August 2026, I complained to LinkedIn Corporation about this under s. 164A(1)" in ico
    )
    assert "my complaint to LinkedIn Corporation" in ico  # in the correspondence, as an annex


# --- Access and erasure --------------------------------------------------------------


def test_access_asks_for_the_legal_basis_outside_article_15() -> None:
    for code in ("DE", "GB"):
        values = minimal("access", code, lang="en")
        text = flat(typst_text(compose(parse_request(values, today=FAKE_TODAY))))
        numbered = text.split("1. ", 1)[1].split("Please also provide")[0]
        assert "legal basis" not in numbered
        assert "for transparency, please tell me the legal basis" in text


def test_erasure_claims_no_objection_it_did_not_make() -> None:
    plain = flat(
        typst_text(compose(parse_request(minimal("erasure", "DE", lang="en"), today=FAKE_TODAY)))
    )
    assert "because I object" not in plain
    assert "Where I object to this processing under Art. 21(1) GDPR" in plain
    values = minimal("erasure", "DE", lang="en", situation=SITUATION)
    grounded = flat(typst_text(compose(parse_request(values, today=FAKE_TODAY))))
    assert "on the grounds relating to my particular situation set out above, I object" in grounded


def _unused(_: Callable[..., Any]) -> None:  # keeps the helper imports honest for mypy
    pass


@pytest.mark.parametrize("code", ["DE", "GB", "CH", "CA", "CA-QC", "HK", "US-CA"])
def test_the_recorded_lever_is_what_the_objection_letter_does(code: str) -> None:
    """A complaint says 'I objected', 'I withdrew consent' or 'I opted out' because the
    objection letter of that law did exactly that: read it and compare."""
    letter = compose(parse_request(minimal("objection", code, lang="en"), today=FAKE_TODAY))
    opening = flat(typst_text(letter)).split("Dear Sir or Madam", 1)[1][:400]
    verb = {"objection": "I object", "withdrawal": "I withdraw any consent", "opt_out": "I opt out"}
    assert verb[family_for(code).objection_lever] in opening, opening


def test_lower_case_after_the_salutation_is_each_catalogs_own_custom() -> None:
    """The set of languages that go on in lower case after 'Dear Sir or Madam,' agrees with
    how each catalog opens its letters, and a reminder (which opens with a sentence that
    also stands mid-letter) follows it."""
    from dsr.i18n import LOWER_CASE_AFTER_SALUTATION, translations

    opening = (
        "I object to %(controller)s and its affiliates using my personal data to develop, train "
        "or improve artificial intelligence models. My objection covers content-generating "
        "(generative) AI models and all other AI and machine-learning models."
    )
    for language in shipped_languages():
        first = translations(language).gettext(opening).lstrip()[:1]
        lowered = language.split("-")[0] in LOWER_CASE_AFTER_SALUTATION
        assert first.islower() is lowered or not first.isalpha(), language
        values = minimal("reminder", "HK" if language == "zh-Hant" else "DE", lang=language)
        letter = compose(parse_request(values, today=FAKE_TODAY))
        (asked,) = dates_in(language, letter.locale, date.fromisoformat(REQUEST_DATE))
        paragraphs = [flat(p) for p in render_text(letter).split("\n\n")]
        # The reminder's first paragraph after the salutation recounts the request.
        first_paragraph = next(p for p in paragraphs[1:] if shows(p, asked))
        start = first_paragraph[:1]
        if start.isalpha():
            assert start.islower() is lowered, (language, first_paragraph[:40])


def test_late_quebec_application_says_so_and_gives_the_reason() -> None:
    """s.43 P-39.1: 30 days from the deemed refusal; a late application states the lapse."""
    values = minimal(
        "complaint", "CA-QC", lang="en", date="2026-11-22",
        **{"request-kind": "access", "request-date": "2026-09-01"},
    )  # fmt: skip
    with pytest.raises(InvalidRequest) as raised:
        compose(parse_request(values, today=FAKE_TODAY))
    assert raised.value.problems[0].field == "situation"
    values["situation"] = "I was in hospital from 1 to 20 November 2026."
    text = flat(typst_text(compose(parse_request(values, today=FAKE_TODAY))))
    assert "that period ended on October 31, 2026, before this application" in text
    assert "I was in hospital from 1 to 20 November 2026." in text
    on_time = {**minimal("complaint", "CA-QC", lang="en", date="2026-10-20"),
               "request-kind": "access", "request-date": "2026-09-01"}  # fmt: skip
    text = flat(typst_text(compose(parse_request(on_time, today=FAKE_TODAY))))
    assert "before this application" not in text


def test_uk_periods_follow_the_text_in_force_on_the_day_they_start() -> None:
    """Art. 12A(1) UK GDPR from 5 Feb 2026: one month *beginning with* receipt, so the day
    before the corresponding date, unmoved; before, the ICO's count (corresponding date,
    next working day), and no Art. 12A sentence."""
    after = uk_text("access", date="2026-11-22")
    assert "Under Art. 12A(1) UK GDPR you must reply" in after
    assert "by 21 December 2026" in after
    before = uk_text("access", date="2026-01-20")
    assert "Under Art. 12(3) UK GDPR you must reply" in before
    assert "by 20 February 2026" in before
    assert "12A" not in before
    complaint = uk_text("complaint", date="2026-11-22", **{"request-date": "2026-09-01"})
    assert "The time limit under Art. 12A(1) UK GDPR expired on 30 September 2026" in complaint


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        ("2026-03-01", "31 March 2026"),  # not 28 March: (28 Feb + 1 month) is a short month's end
        ("2026-05-01", "31 May 2026"),
        ("2026-12-01", "31 December 2026"),
        ("2026-03-15", "14 April 2026"),
        ("2026-03-31", "30 April 2026"),
        ("2027-01-31", "28 February 2027"),  # no 31 February: the month's last day
        ("2027-01-29", "28 February 2027"),
        ("2028-01-30", "29 February 2028"),
    ],
)
def test_a_uk_month_beginning_with_a_day_ends_the_day_before_its_corresponding_date(
    received: str, last_day: str
) -> None:
    """Round 22b: a request of 1 March was told to answer by 28 March, and a reminder of
    29 March called the period expired while it ran."""
    assert f"by {last_day}" in uk_text("access", date=received)
    complaint = uk_text("complaint", date="2028-06-01", **{"request-date": received})
    assert f"The time limit under Art. 12A(1) UK GDPR expired on {last_day}" in complaint


def test_every_uk_month_beginning_with_a_day_holds_that_day_and_no_corresponding_date() -> None:
    """For each day from 5 Feb 2026 to the end of 2028: the period holds its first day,
    never the corresponding date of the next month, and every day before it."""
    family = registry.law_families()["uk"]
    rule = DeadlineRule.parse(family.deadline_rule_for("access", date(2026, 3, 1)))
    calendar = Calendar.for_roll("working_day", "GB", "ENG")  # the rule moves no last day
    day = date(2026, 2, 5)
    while day <= date(2028, 12, 31):
        last = period_beginning_with(rule, day, calendar)
        month, year = (day.month % 12) + 1, day.year + (day.month == 12)
        days_in_month = monthrange(year, month)[1]
        if day.day <= days_in_month:
            assert last == date(year, month, day.day) - timedelta(days=1), day
        else:
            assert last == date(year, month, days_in_month), day
        day += timedelta(days=1)


def laws_with_a_start() -> list[tuple[str, str]]:
    """(instrument, a jurisdiction whose requests rest on it) for every law whose first
    day of application the registry records."""
    found = {}
    for code, jurisdiction in registry.jurisdictions().items():
        instrument = registry.law_families()[jurisdiction.family].instrument
        if registry.instruments()[instrument].applies_from and "-" not in code:
            found.setdefault(instrument, code)
    return sorted(found.items())


@pytest.mark.parametrize(("instrument", "code"), laws_with_a_start())
def test_no_letter_is_dated_before_its_law_began_to_apply(instrument: str, code: str) -> None:
    """Round 22b: a letter dated 1995 gave a deadline under the GDPR."""
    first = registry.instruments()[instrument].applies_from
    assert first is not None
    with pytest.raises(InvalidRequest) as raised:
        compose(
            parse_request(
                minimal("access", code, date=str(first - timedelta(days=1))), today=FAKE_TODAY
            )
        )
    assert [p.field for p in raised.value.problems] == ["date"]
    assert "check the year" in raised.value.problems[0].message
    later = minimal("access", code, date=str(date(first.year + 1, first.month, first.day)))
    assert compose(parse_request(later, today=FAKE_TODAY)).kind is Kind.ACCESS


def test_the_recorded_first_days_are_the_laws_own() -> None:
    starts = {
        key: law.applies_from for key, law in registry.instruments().items() if law.applies_from
    }
    assert starts["gdpr"] == date(2018, 5, 25)  # Art. 99(2) GDPR
    assert {"gdpr", "ukgdpr", "fadp", "ccpa"} <= set(starts)


def test_a_complaint_announced_for_later_cites_the_law_in_force_then() -> None:
    """An art21 letter of 1 June 2026 is due after 19 June: s.165(2), not Art. 77."""
    text = uk_text("art21", date="2026-06-01")
    assert "lodge a complaint with the Information Commissioner under s. 165(2) DPA 2018" in text


def test_s164a_complaint_about_access_names_the_access_failure() -> None:
    text = uk_text(
        "controller-complaint", date="2026-11-22",
        **{"request-kind": "access", "request-date": "2026-09-01"},
    )  # fmt: skip
    assert "its handling of my request for access of 1 September 2026 infringes the UK GDPR" in text
    assert "Stop using my personal data" not in text
    assert "Comply with my request of 1 September 2026" in text


def test_swiss_follow_ups_speak_of_the_fadp_where_the_fdpic_acts() -> None:
    reminder = compose(parse_request(minimal("reminder", "CH", lang="en"), today=FAKE_TODAY))
    assert "report the matter to the Federal Data Protection and Information Commissioner" in (
        flat(typst_text(reminder))
    )
    values = minimal(
        "complaint", "CH", lang="en", date="2026-11-22",
        **{"request-kind": "access", "request-date": "2026-09-01"},
    )  # fmt: skip
    report = flat(typst_text(compose(parse_request(values, today=FAKE_TODAY))))
    assert "The time limit under Art. 25(7) FADP expired on 1 October 2026" in report
    assert "my request for access (Art. 25 FADP)" in report


def test_quebec_reminder_says_it_does_not_stop_the_s43_period() -> None:
    values = minimal(
        "reminder", "CA-QC", lang="en", date="2026-11-05",
        **{"request-kind": "access", "request-date": "2026-10-01"},
    )  # fmt: skip
    text = flat(typst_text(compose(parse_request(values, today=FAKE_TODAY))))
    assert "ends on November 30, 2026 (s. 43 of the Private Sector Act)" in text


def test_a_german_member_without_a_land_is_not_sent_to_the_bfdi() -> None:
    """The BfDI does not supervise companies (§ 40 BDSG: the Länder authorities do):
    without a Land, letters name no authority; with one, they name the Land's."""
    base = {
        "controller": "linkedin", "name": "Erika Mustermann", "lang": "de",
        "address": "Hauptstraße 1, 10115 Berlin", "account-email": "e@example.org",
        "date": "2026-11-22", "situation": "Ich bin Journalistin und schütze meine Quellen.",
        "request-date": "2026-09-01", "request-kind": "erasure",
    }  # fmt: skip

    def text(kind: str, jurisdiction: str) -> str:
        values = {**base, "kind": kind, "jurisdiction": jurisdiction}
        return render_text(compose(parse_request(values, today=date(2026, 11, 22))))

    for kind in ("art21", "reminder"):
        assert "Bundesbeauftragte" not in text(kind, "DE"), kind
        assert "Bundesbeauftragte" not in text(kind, "DE-BY"), kind
    assert "Bayerisches Landesamt" in text("art21", "DE-BY")
    assert "Beschwerde bei einer Aufsichtsbehörde" in " ".join(text("art21", "DE").split())


LOWERED_JURISDICTIONS = ("DE", "CZ", "SK", "SI", "CH", "GB", "CA", "CA-QC", "US-CA")


@pytest.mark.parametrize("language", ["de", "cs", "sk", "sl"])
def test_every_letter_goes_on_in_lower_case_after_the_salutation(language: str) -> None:
    """DIN 5008, STN 01 6910 and the Czech and Slovenian custom: whatever kind and
    jurisdiction, the first words after "Sehr geehrte Damen und Herren," are lower case,
    unless they are a name (the company's)."""
    from dsr.i18n import LOWER_CASE_AFTER_SALUTATION

    assert language in LOWER_CASE_AFTER_SALUTATION
    checked = 0
    for code, kind in combinations():
        if code not in LOWERED_JURISDICTIONS and not code.startswith("DE-"):
            continue
        try:
            letter = compose(parse_request(minimal(kind, code, lang=language), today=FAKE_TODAY))
        except InvalidRequest:
            continue  # not a language this jurisdiction's letters are written in
        paragraphs = [flat(p) for p in render_text(letter).split("\n\n")]
        opening = next(
            (number for number, p in enumerate(paragraphs) if p.rstrip().endswith(",")), None
        )
        if opening is None:
            continue
        first = paragraphs[opening + 1]
        for later in paragraphs[opening + 2 :]:  # a sentence after a full stop: a capital
            assert not later[:1].islower(), (language, code, kind, later[:60])
        if first.startswith(letter.controller_name) or not first[:1].isalpha():
            continue
        assert first[:1].islower(), (language, code, kind, first[:60])
        checked += 1
    assert checked >= 10
