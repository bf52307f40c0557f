"""Every fact is a record with provenance, and the records agree with the reference."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dsr import registry
from tests.conftest import shared_reference

EU_EEA = [
    *"AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split(),
    "NO",
    "IS",
    "LI",
]


def test_thirty_eu_eea_states() -> None:
    assert len(EU_EEA) == 30
    assert set(EU_EEA) <= set(registry.jurisdictions())


def test_every_record_has_sources_and_a_verification_date() -> None:
    records = [
        *registry.provisions().values(),
        *registry.instruments().values(),
        *registry.law_families().values(),
        *registry.controllers().values(),
        *registry.authorities().values(),
        *registry.applicability_rules(),
        *registry.deadline_calendars().values(),
    ]
    records += [e for c in registry.controllers().values() for e in c.entities]
    for record in records:
        assert record.sources, record
        assert isinstance(record.last_verified, date), record
        assert record.last_verified <= date.today(), record  # noqa: DTZ011 - never in the future
    for key, document in registry.documents().items():
        assert document["sources"], key


@pytest.mark.parametrize("code", EU_EEA)
def test_every_state_has_an_authority_and_linkedin_ireland(code: str) -> None:
    linkedin = registry.controllers()["linkedin"]
    entity = linkedin.entity_for(code)
    assert entity is not None
    assert entity.name == "LinkedIn Ireland Unlimited Company"
    assert entity.address.lines == ("Wilton Plaza", "Wilton Place", "Dublin 2")
    authority = registry.authority_for(code)
    assert authority is not None, code
    assert authority.address.country == code


def test_german_laender_each_have_their_authority() -> None:
    laender = registry.subdivisions_of("DE")
    assert len(laender) == 16
    slugs = {registry.authority_for(code).slug for code in laender}  # type: ignore[union-attr]
    assert len(slugs) == 16
    assert registry.jurisdictions()["DE"].complaint_needs_subdivision


# Primary addresses written as the authority writes them in its own language, where
# the reference copy has an English, ASCII or third-party form (forms' sources and notes
# in authorities.json; language review 2026-12, defect 5).
OWN_FORM = {
    "EE": ["Tatari 39", "10134 Tallinn"],  # the reference's "39 Tatari St."
    "BE": ["Drukpersstraat 35", "1000 Brussel"],  # the GBA's Dutch page
    "BG": ["бул. „Проф. Цветан Лазаров” № 2", "гр. София 1592"],  # noqa: RUF001 - cpdp.bg
    "CY": ["Τ.Θ. 23378", "1682 Λευκωσία"],  # noqa: RUF001 - English gloss "(Nicosia)" dropped
    "FR": ["3 place de Fontenoy", "TSA 80715", "75334 PARIS CEDEX 07"],  # typography
    "LT": ["L. Sapiegos g. 17", "10312 Vilnius"],  # vdai.lrv.lt: "g.", not "str."
    "LV": ["Elijas iela 17", "Rīga", "LV-1050"],  # dvi.gov.lv
    "MT": ["Floor 2, Airways House", "High Street", "Sliema SLM 1549"],  # idpc.org.mt
    "RO": ["B-dul G-ral. Gheorghe Magheru 28-30", "Sector 1, cod poștal 010336", "București"],
    "IS": ["Laugavegur 166, 4. hæð", "105 Reykjavík"],  # island.is: Persónuvernd moved
}


def test_authorities_match_the_shared_reference() -> None:
    """Addresses come from ../shared/reference/authorities.json, line for line,
    except where the authority's own page writes them otherwise (OWN_FORM)."""
    reference = json.loads(shared_reference("authorities.json").read_text("utf-8"))
    by_country = {a["cc"]: a for a in reference["authorities"]}
    for code in EU_EEA:
        ours = registry.authority_for(code)
        assert ours is not None
        theirs = by_country[code]
        if code in OWN_FORM:
            assert list(ours.address.lines) == OWN_FORM[code], code
            assert list(ours.address.lines) != theirs["address"][: len(ours.address.lines)]
        else:
            assert list(ours.address.lines) == theirs["address"][: len(ours.address.lines)]
        assert ours.email == theirs.get("email")


def test_family_roles_point_at_known_provisions() -> None:
    family = registry.law_families()["gdpr"]
    assert family.roles["objection"] == "gdpr.21.1"
    assert family.roles["restriction"] == "gdpr.18.1.d"
    assert family.roles["erasure_after_objection"] == "gdpr.17.1.c"
    assert family.roles["complaint"] == "gdpr.77.1"
    assert family.roles["deadline"] == "gdpr.12.3"


def _addresses(record: object) -> dict[str, object]:
    """A record's web and e-mail addresses, by attribute, those it has."""
    names = ("webform", "web", "email", "objection_form", "privacy_form", "privacy_email",
             "dpo_email", "web_form")  # fmt: skip
    return {name: getattr(record, name) for name in names if getattr(record, name, None)}


def test_web_and_mail_addresses_are_addresses_alone() -> None:
    """A letter, a cover page or a draft prints these as they are: a note typed after a
    URL ("... (FDPIC page; ...)") would be printed as part of it, and a link would break."""
    records: list[object] = [*registry.authorities().values(), *registry.controllers().values()]
    records += [e for c in registry.controllers().values() for e in c.entities]
    checked = 0
    for record in records:
        for name, value in _addresses(record).items():
            assert isinstance(value, str), (record, name)
            assert not any(c.isspace() for c in value), (name, value)
            if "email" in name:
                assert value.count("@") == 1, (name, value)
            else:
                assert value.startswith("https://") or value.startswith("http://"), (name, value)
            checked += 1
    assert checked > 50
