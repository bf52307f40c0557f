from __future__ import annotations

import pytest

from dsr import registry
from dsr.citations import _da, format_citation
from dsr.model import Provision


@pytest.mark.parametrize(
    ("provision", "language", "expected"),
    [
        ("gdpr.21.1", "en", "Art. 21(1) GDPR"),
        ("gdpr.21.1", "de", "Art. 21 Abs. 1 DSGVO"),
        ("gdpr.21.1", "fr", "article 21, paragraphe 1, du RGPD"),
        ("gdpr.17.1.c", "en", "Art. 17(1)(c) GDPR"),
        ("gdpr.17.1.c", "de", "Art. 17 Abs. 1 lit. c DSGVO"),
        ("gdpr.17.1.c", "fr", "article 17, paragraphe 1, point c), du RGPD"),
        ("gdpr.19", "en", "Art. 19 GDPR"),
        ("gdpr.19", "de", "Art. 19 DSGVO"),
        ("gdpr.19", "fr", "article 19 du RGPD"),
        ("gdpr.18.1.d", "de", "Art. 18 Abs. 1 lit. d DSGVO"),
        ("gdpr.12.3", "fr", "article 12, paragraphe 3, du RGPD"),
        ("ukgdpr.21.1", "en", "Art. 21(1) UK GDPR"),
        ("dpa2018.164A.1", "en", "s. 164A(1) DPA 2018"),
        ("fadp.30.2.b", "en", "Art. 30(2)(b) FADP"),
        ("fadp.30.2.b", "de", "Art. 30 Abs. 2 Bst. b DSG"),
        ("fadp.30.2.b", "fr", "art. 30, al. 2, let. b, LPD"),
        ("fadp.25", "de", "Art. 25 DSG"),
        ("pipeda.8.3", "en", "s. 8(3) PIPEDA"),
        ("pipeda.8.3", "fr", "paragraphe 8(3) de la LPRPDE"),
        ("pipeda.11", "fr", "article 11 de la LPRPDE"),
        ("pipeda.sch1.4.3.8", "en", "Sch. 1, cl. 4.3.8 PIPEDA"),
        ("pipeda.sch1.4.3.8", "fr", "article 4.3.8 de l\u2019annexe 1 de la LPRPDE"),
        ("qc.9.1", "en", "s. 9.1 of the Private Sector Act"),
        ("qc.9.1", "fr", "article 9.1 de la Loi sur le privé"),
        ("pdpo.dpp3", "en", "DPP 3, Sch. 1 PDPO"),
        ("pdpo.19.1", "en", "s. 19(1) PDPO"),
        ("pdpo.2.3", "de", "s. 2(3) PDPO"),
        ("ccpa.1798.130.a.2", "en", "Cal. Civ. Code § 1798.130(a)(2)"),
    ],
)
def test_citation_styles(provision: str, language: str, expected: str) -> None:
    found = registry.provisions()[provision]
    instrument = registry.instruments()[found.instrument]
    cited = format_citation(found, instrument, language)
    assert cited.replace("\u00a0", " ") == expected


def test_a_line_never_ends_on_the_label() -> None:
    found = registry.provisions()["gdpr.21.1"]
    cited = format_citation(found, registry.instruments()["gdpr"], "de")
    assert cited == "Art.\u00a021 Abs.\u00a01 DSGVO"


def test_unknown_language_is_an_error() -> None:
    found = registry.provisions()["gdpr.21.1"]
    with pytest.raises(KeyError, match="no citation style for language 'xx' and instrument 'gdpr'"):
        format_citation(found, registry.instruments()["gdpr"], "xx")


# The terminology table (shared/reference/terminology.md, Table A): each
# language's name for the GDPR and its citation of Art. 21(1) and Art. 17(1)(c).
TERMINOLOGY = {
    "bg": ("ОРЗД", "чл. 21, пар. 1 от ОРЗД", "чл. 17, пар. 1, буква „в“ от ОРЗД"),
    "cs": ("GDPR", "čl. 21 odst. 1 GDPR", "čl. 17 odst. 1 písm. c) GDPR"),
    "da": (
        "databeskyttelsesforordningen",
        "databeskyttelsesforordningens artikel 21, stk. 1",
        "databeskyttelsesforordningens artikel 17, stk. 1, litra c",
    ),
    "de": ("DSGVO", "Art. 21 Abs. 1 DSGVO", "Art. 17 Abs. 1 lit. c DSGVO"),
    "el": ("ΓΚΠΔ", "άρθρο 21 παρ. 1 ΓΚΠΔ", "άρθρο 17 παρ. 1 στοιχ. γ΄ ΓΚΠΔ"),
    "en": ("GDPR", "Art. 21(1) GDPR", "Art. 17(1)(c) GDPR"),
    "es": ("RGPD", "artículo 21.1 del RGPD", "artículo 17.1, letra c), del RGPD"),
    "et": ("IKÜM", "IKÜM art 21 lg 1", "IKÜM art 17 lg 1 p c"),
    "fi": (
        "tietosuoja-asetuksen",
        "tietosuoja-asetuksen 21 artiklan 1 kohta",
        "tietosuoja-asetuksen 17 artiklan 1 kohdan c alakohta",
    ),
    "fr": (
        "RGPD",
        "article 21, paragraphe 1, du RGPD",
        "article 17, paragraphe 1, point c), du RGPD",
    ),
    "ga": ("RGCS", "Airteagal 21(1) den RGCS", "pointe (c) d\u2019Airteagal 17(1) den RGCS"),
    "hr": (
        "Opće uredbe o zaštiti podataka",
        "članak 21. stavak 1. Opće uredbe o zaštiti podataka",
        "članak 17. stavak 1. točka (c) Opće uredbe o zaštiti podataka",
    ),
    "hu": ("GDPR", "GDPR 21. cikk (1) bekezdés", "GDPR 17. cikk (1) bekezdés c) pont"),
    "is": (
        "almennu persónuverndarreglugerðarinnar",
        "1. mgr. 21. gr. almennu persónuverndarreglugerðarinnar",
        "c-liður 1. mgr. 17. gr. almennu persónuverndarreglugerðarinnar",
    ),
    "it": ("GDPR", "art. 21, par. 1, GDPR", "art. 17, par. 1, lett. c), GDPR"),
    "lt": ("BDAR", "BDAR 21 straipsnio 1 dalis", "BDAR 17 straipsnio 1 dalies c punktas"),
    "lv": ("VDAR", "VDAR 21. panta 1. punkts", "VDAR 17. panta 1. punkta c) apakšpunkts"),
    "mt": ("GDPR", "l-Artikolu 21(1) tal-GDPR", "l-Artikolu 17(1)(c) tal-GDPR"),
    "nb": (
        "personvernforordningen",
        "personvernforordningen artikkel 21 nr. 1",
        "personvernforordningen artikkel 17 nr. 1 bokstav c",
    ),
    "nl": ("AVG", "artikel 21, lid 1, AVG", "artikel 17, lid 1, onder c, AVG"),
    "pl": ("RODO", "art. 21 ust. 1 RODO", "art. 17 ust. 1 lit. c RODO"),
    "pt": ("RGPD", "artigo 21.º, n.º 1, do RGPD", "artigo 17.º, n.º 1, alínea c), do RGPD"),
    "ro": ("RGPD", "art. 21 alin. (1) din RGPD", "art. 17 alin. (1) lit. c) din RGPD"),
    "sk": ("GDPR", "čl. 21 ods. 1 GDPR", "čl. 17 ods. 1 písm. c) GDPR"),
    "sl": (
        "Splošne uredbe",
        "prvi odstavek 21. člena Splošne uredbe",
        "točka (c) prvega odstavka 17. člena Splošne uredbe",
    ),
    "sv": (
        "dataskyddsförordningen",
        "artikel 21.1 i dataskyddsförordningen",
        "artikel 17.1 c i dataskyddsförordningen",
    ),
    "zh-Hant": (
        "《通用數據保障條例》",
        "《通用數據保障條例》第21(1)條",
        "《通用數據保障條例》第17(1)(c)條",
    ),
}


@pytest.mark.parametrize("language", sorted(TERMINOLOGY))
def test_terminology_table(language: str) -> None:
    name, objection, erasure = TERMINOLOGY[language]
    gdpr = registry.instruments()["gdpr"]
    assert gdpr.abbreviation[language.split("-")[0]] == name
    for provision_id, expected in (("gdpr.21.1", objection), ("gdpr.17.1.c", erasure)):
        cited = format_citation(registry.provisions()[provision_id], gdpr, language)
        assert cited.replace("\u00a0", " ") == expected


def test_every_shipped_language_is_in_the_terminology_table() -> None:
    from dsr.i18n import DERIVED, shipped_languages

    assert {tag for tag in shipped_languages() if tag not in DERIVED} <= set(TERMINOLOGY)


def test_danish_genitive_after_an_abbreviation_takes_an_apostrophe() -> None:
    fields = {f: None for f in Provision.__dataclass_fields__}
    provision = Provision(**{**fields, "article": "21", "paragraph": "1", "point": None})
    assert _da(provision, "UK GDPR").startswith("UK GDPR's artikel")
    assert _da(provision, "databeskyttelsesforordningen").startswith(
        "databeskyttelsesforordningens artikel"
    )


# Foreign statutes in a language they have no official text in: the language's own
# pattern (native translators' review of foreign citations, 2026-12-07), never the
# English "s. 12 of the Private Sector Act" or "Sch. 1, cl. 4.3.8 PIPEDA".
FOREIGN = ("fadp", "dpa2018", "pipeda", "qcprivate")
LETTER_LANGUAGES = (
    "bg cs da de el es et fi fr ga hr hu is it lt lv mt nb nl pl pt ro sk sl sv".split()
)


@pytest.mark.parametrize("language", LETTER_LANGUAGES)
def test_foreign_statutes_are_cited_in_the_language_s_own_pattern(language: str) -> None:
    instruments = registry.instruments()
    cited = [
        format_citation(provision, instruments[provision.instrument], language)
        for provision in registry.provisions().values()
        if provision.instrument in FOREIGN
    ]
    assert cited
    for citation in cited:
        assert " of the " not in citation, (language, citation)
        assert not citation.startswith(("s.\u00a0", "Sch.\u00a0", "Art.\u00a0")) or (
            language == "de" and citation.startswith("Art.\u00a0")  # Swiss DSG: Art. 30 Abs. 2
        ), (language, citation)


@pytest.mark.parametrize(
    ("language", "key", "expected"),
    [
        ("pl", "dpa2018.165.2", "art.\u00a0165 ust.\u00a02 DPA 2018"),
        ("pl", "pipeda.sch1.4.3.8", "pkt\u00a04.3.8 zał.\u00a01 do\u00a0PIPEDA"),
        ("de", "pipeda.8.3", "§\u00a08 Abs.\u00a03 PIPEDA"),
        ("de", "fadp.30.2.b", "Art.\u00a030 Abs.\u00a02 Bst.\u00a0b DSG"),
        ("mt", "dpa2018.165.2", "l-Artikolu\u00a0165(2) tad-DPA 2018"),
        ("mt", "pipeda.8.3", "l-Artikolu\u00a08(3) tal-PIPEDA"),
        ("lv", "dpa2018.165.2", "DPA 2018 165.\u00a0panta otrā\u00a0daļa"),
        ("nb", "pipeda.8.3", "PIPEDA §\u00a08 tredje\u00a0ledd"),
        ("fi", "pipeda.8.3", "PIPEDA:n 8\u00a0§:n 3\u00a0momentti"),
        ("hr", "qc.12", "članak\u00a012. zakona Private Sector Act"),
        ("pt", "qc.12", "artigo\u00a012.º da\u00a0Private Sector Act"),
        ("es", "fadp.30.2.b", "artículo\u00a030, apartado\u00a02, letra\u00a0b), de la\u00a0FADP"),
        ("es", "pipeda.8.3", "artículo\u00a08, apartado\u00a03, de la\u00a0PIPEDA"),
        ("es", "qc.12", "artículo\u00a012 de la\u00a0Private Sector Act"),
        ("fr", "dpa2018.165.2", "article\u00a0165, paragraphe\u00a02, du\u00a0DPA 2018"),
        ("fr", "pipeda.8.3", "paragraphe\u00a08(3) de la\u00a0LPRPDE"),
        ("sv", "pipeda.8.3", "8\u00a0§ tredje\u00a0stycket PIPEDA"),
        ("sv", "qc.12", "12\u00a0§ Private Sector Act"),
        ("pt", "dpa2018.164A.1", "artigo\u00a0164.º-A, n.º\u00a01, da\u00a0DPA 2018"),
        ("pt", "ukgdpr.12A.1", "artigo\u00a012.º-A, n.º\u00a01, do\u00a0UK GDPR"),
    ],
)
def test_reviewed_foreign_citations(language: str, key: str, expected: str) -> None:
    provision = registry.provisions()[key]
    instrument = registry.instruments()[provision.instrument]
    assert format_citation(provision, instrument, language) == expected


def test_the_gdpr_in_maltese_keeps_tal() -> None:
    provision = registry.provisions()["gdpr.21.1"]
    assert format_citation(provision, registry.instruments()["gdpr"], "mt").endswith("tal-GDPR")


def test_finnish_and_croatian_cite_every_law_in_the_genitive() -> None:
    """Finnish "tietosuoja-asetuksen 15 artiklan 1 kohta", Croatian "članak 15. stavak 1.
    Opće uredbe": the law's name in the genitive, for the UK GDPR too (native reviews)."""
    from dsr import registry

    for instrument in registry.instruments().values():
        if instrument.style not in ("eu", "uk-act", "ch", "ca", "qc"):
            continue  # cited in their English form (CCPA, the PDPO)
        finnish, croatian = instrument.abbreviation["fi"], instrument.abbreviation["hr"]
        assert finnish.endswith("n"), (instrument.id, finnish)
        assert croatian.endswith("-a") or croatian.split()[0] in ("zakona", "Opće"), (
            instrument.id,
            croatian,
        )
