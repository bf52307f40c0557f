from __future__ import annotations

import pytest

from dsr import registry
from dsr.citations import format_citation


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
        ("dpa2018.164A", "en", "s. 164A DPA 2018"),
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
