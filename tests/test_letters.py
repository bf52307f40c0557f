"""Every kind x member country x language, checked on the text a reader sees."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from lingua import Language, LanguageDetectorBuilder
from pypdf import PdfReader

from dsr.cli import main
from tests.conftest import GOLDEN, letter_args, pdf_text

KINDS = ["objection", "art21", "erasure", "complaint"]
LANGUAGES = ["en", "de", "fr"]
COUNTRIES = ["DE", "FR", "IE"]

DATES = {
    # letter date 2026-11-22; reply due 2026-12-22 (a Tuesday, no Irish holiday)
    "en": ("22 November 2026", "22 December 2026", "1 October 2026", "3 November 2025"),
    "de": ("22. November 2026", "22. Dezember 2026", "1. Oktober 2026", "3. November 2025"),
    "fr": ("22 novembre 2026", "22 décembre 2026", "1er octobre 2026", "3 novembre 2025"),
}

CITATIONS = {
    "en": {
        "objection": "Art. 21(1) GDPR",
        "legitimate_interest": "Art. 6(1)(f) GDPR",
        "restriction": "Art. 18(1)(d) GDPR",
        "erasure_after_objection": "Art. 17(1)(c) GDPR",
        "erasure_unlawful": "Art. 17(1)(d) GDPR",
        "erasure": "Art. 17(1) GDPR",
        "notify_public": "Art. 17(2) GDPR",
        "notify_recipients": "Art. 19 GDPR",
        "access": "Art. 15(1) GDPR",
        "deadline": "Art. 12(3) GDPR",
        "complaint": "Art. 77(1) GDPR",
        "complaint_progress": "Art. 77(2) GDPR",
        "order_compliance": "Art. 58(2)(c) GDPR",
        "lead_authority": "Art. 56(1) GDPR",
    },
    "de": {
        "objection": "Art. 21 Abs. 1 DSGVO",
        "legitimate_interest": "Art. 6 Abs. 1 lit. f DSGVO",
        "restriction": "Art. 18 Abs. 1 lit. d DSGVO",
        "erasure_after_objection": "Art. 17 Abs. 1 lit. c DSGVO",
        "erasure_unlawful": "Art. 17 Abs. 1 lit. d DSGVO",
        "erasure": "Art. 17 Abs. 1 DSGVO",
        "notify_public": "Art. 17 Abs. 2 DSGVO",
        "notify_recipients": "Art. 19 DSGVO",
        "access": "Art. 15 Abs. 1 DSGVO",
        "deadline": "Art. 12 Abs. 3 DSGVO",
        "complaint": "Art. 77 Abs. 1 DSGVO",
        "complaint_progress": "Art. 77 Abs. 2 DSGVO",
        "order_compliance": "Art. 58 Abs. 2 lit. c DSGVO",
        "lead_authority": "Art. 56 Abs. 1 DSGVO",
    },
    "fr": {
        "objection": "article 21, paragraphe 1, du RGPD",
        "legitimate_interest": "article 6, paragraphe 1, point f), du RGPD",
        "restriction": "article 18, paragraphe 1, point d), du RGPD",
        "erasure_after_objection": "article 17, paragraphe 1, point c), du RGPD",
        "erasure_unlawful": "article 17, paragraphe 1, point d), du RGPD",
        "erasure": "article 17, paragraphe 1, du RGPD",
        "notify_public": "article 17, paragraphe 2, du RGPD",
        "notify_recipients": "article 19 du RGPD",
        "access": "article 15, paragraphe 1, du RGPD",
        "deadline": "article 12, paragraphe 3, du RGPD",
        "complaint": "article 77, paragraphe 1, du RGPD",
        "complaint_progress": "article 77, paragraphe 2, du RGPD",
        "order_compliance": "article 58, paragraphe 2, point c), du RGPD",
        "lead_authority": "article 56, paragraphe 1, du RGPD",
    },
}

ROLES_BY_KIND = {
    "objection": ["objection", "deadline"],
    "art21": [
        "objection",
        "legitimate_interest",
        "restriction",
        "erasure_after_objection",
        "access",
        "deadline",
        "complaint",
    ],
    "erasure": [
        "erasure",
        "objection",
        "erasure_after_objection",
        "erasure_unlawful",
        "notify_recipients",
        "notify_public",
        "deadline",
    ],
    "complaint": ["complaint", "deadline", "order_compliance", "complaint_progress"],
}

AUTHORITIES = {
    "DE-BE": ("Berliner Beauftragte für Datenschutz und Informationsfreiheit", "Alt-Moabit 59-61"),
    "FR": ("Commission nationale de l’informatique et des libertés (CNIL)", "3 place de Fontenoy"),  # noqa: RUF001
    "IE": ("Data Protection Commission", "21 Fitzwilliam Square South"),
}

LINGUA = {"en": Language.ENGLISH, "de": Language.GERMAN, "fr": Language.FRENCH}
DETECTOR = LanguageDetectorBuilder.from_languages(*LINGUA.values()).build()


def jurisdiction_for(kind: str, country: str) -> str:
    return "DE-BE" if kind == "complaint" and country == "DE" else country


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str, str], bytes]:
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("letters")
    cache: dict[tuple[str, str, str], bytes] = {}

    def render(kind: str, country: str, lang: str) -> bytes:
        key = (kind, country, lang)
        if key not in cache:
            out = folder / f"{kind}-{country}-{lang}.pdf"
            args = letter_args(kind, jurisdiction_for(kind, country), lang, out)
            result: Result = CliRunner().invoke(main, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            cache[key] = out.read_bytes()
        return cache[key]

    return render


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("kind", KINDS)
def test_letter_as_read(
    rendered: Callable[[str, str, str], bytes], kind: str, country: str, lang: str
) -> None:
    pdf = rendered(kind, country, lang)
    text = flat(pdf_text(pdf))
    letter_date, reply_due, request_deadline, training_since = DATES[lang]

    if kind == "complaint":
        name, street = AUTHORITIES[jurisdiction_for(kind, country)]
        assert name in text
        assert street in text
        assert "LinkedIn Ireland Unlimited Company" in text  # the controller complained about
        assert request_deadline in text
        assert training_since in text
        lead = CITATIONS[lang]["lead_authority"]
        if country == "IE":
            assert lead not in text  # the DPC is the lead authority itself
        else:
            assert lead in text
            assert "Data Protection Commission" in text
    else:
        assert "LinkedIn Ireland Unlimited Company" in text
        assert "Wilton Plaza" in text
        assert "Dublin 2" in text
        assert reply_due in text
    assert letter_date in text
    for role in ROLES_BY_KIND[kind]:
        assert CITATIONS[lang][role] in text, (role, CITATIONS[lang][role])
    if kind == "objection":
        assert "https://www.linkedin.com/help/linkedin/ask/TS-DPRO" in text.replace(" ", "")
        assert "Data for Generative AI Improvement" in text
    if kind == "art21":
        assert "As a journalist I protect my sources" in text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_letter_is_written_in_its_language(
    rendered: Callable[[str, str, str], bytes], kind: str, lang: str
) -> None:
    text = pdf_text(rendered(kind, "FR", lang))
    # The prose, without the member's own words (the situation is English in every language).
    body = text.replace(
        "As a journalist I protect my sources; my posts and contacts must not be", ""
    )
    assert DETECTOR.detect_language_of(body) == LINGUA[lang]
    confidence = DETECTOR.compute_language_confidence(body, LINGUA[lang])
    assert confidence > 0.9, confidence


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_golden_text(
    rendered: Callable[[str, str, str], bytes], kind: str, lang: str, update_golden: bool
) -> None:
    """The whole letter as extracted from the PDF; rewrite with --update-golden."""
    text = pdf_text(rendered(kind, "DE", lang)) + "\n"
    golden = GOLDEN / f"{kind}-DE-{lang}.txt"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run pytest --update-golden"
    assert text == golden.read_text(encoding="utf-8")


def test_pdf_is_a4_with_metadata_and_embedded_fonts(
    rendered: Callable[[str, str, str], bytes],
) -> None:
    reader = PdfReader(io.BytesIO(rendered("art21", "DE", "de")))
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595  # 210 mm
        assert round(float(page.mediabox.height)) == 842  # 297 mm
    meta = reader.metadata
    assert meta is not None
    assert meta.author == "Erika Mustermann"
    assert meta.title
    assert "Art. 21 Abs. 1 DSGVO" in flat(meta.title)
    assert meta.subject == meta.title
    fonts = []
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
            fonts.append(str(font["/BaseFont"]))
    assert any("Noto-Serif" in f for f in fonts), fonts


def test_later_pages_carry_page_numbers_and_a_continuation_header(
    rendered: Callable[[str, str, str], bytes],
) -> None:
    pages = pdf_text(rendered("art21", "DE", "de")).split("\f")
    assert len(pages) >= 2
    assert "Seite 1 von" in pages[0]
    assert f"Seite 2 von {len(pages)}" in pages[1]
    header = [line for line in pages[1].splitlines() if line.startswith("Erika Mustermann · Mein")]
    assert len(header) == 1
    assert "Mein Zeichen: 2026-" in header[0]
    assert not [
        line for line in pages[0].splitlines() if line.startswith("Erika Mustermann · Mein")
    ]


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    outputs = []
    for name in ("a.pdf", "b.pdf"):
        out = tmp_path / name
        result = CliRunner().invoke(main, letter_args("erasure", "IE", "en", out))
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    meta = PdfReader(io.BytesIO(outputs[0])).metadata
    assert meta is not None
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20261122000000Z"


def test_reference_is_stable_and_in_subject_and_info_block(
    rendered: Callable[[str, str, str], bytes],
) -> None:
    from dsr.composition import make_reference
    from dsr.inputs import parse_request
    from tests.conftest import MEMBERS

    values = {
        "kind": "objection",
        "jurisdiction": "FR",
        "lang": "fr",
        "date": "2026-11-22",
        **MEMBERS["FR"],
    }
    reference = make_reference(parse_request(values, today=date(2026, 11, 22)))
    assert reference.startswith("2026-")
    assert len(reference) == 12
    text = pdf_text(rendered("objection", "FR", "fr"))
    assert text.count(reference) >= 2
