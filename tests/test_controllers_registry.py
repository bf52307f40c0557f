"""The controller registry holds the entities the shared reference names, region by region."""

from __future__ import annotations

import tomllib
from datetime import date
from typing import Any

import pytest

from dsr import registry
from dsr.model import Controller, ControllerEntity
from dsr.resources import data_file

EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
EEA = ["NO", "IS", "LI"]
EU_EEA = [*EU, *EEA]

NEW = ("facebook", "instagram", "google", "microsoft", "openai", "anthropic", "x", "reddit")
NEW_ALL = (*NEW, "pinterest")

META_IE = ("Merrion Road", "Dublin 4", "D04 X2K5")
META_US = ("1 Meta Way", "Menlo Park, CA 94025")

# slug -> region -> (entity name, address lines, address country); None = no entity recorded.
EXPECTED: dict[str, dict[str, tuple[str, tuple[str, ...], str] | None]] = {
    "facebook": {
        "EU": ("Meta Platforms Ireland Limited", META_IE, "IE"),
        "CH": ("Meta Platforms Ireland Limited", META_IE, "IE"),
        "GB": None,
        "US": ("Meta Platforms, Inc.", META_US, "US"),
    },
    "instagram": {
        "EU": ("Meta Platforms Ireland Limited", META_IE, "IE"),
        "CH": ("Meta Platforms Ireland Limited", META_IE, "IE"),
        "GB": None,
        "US": ("Meta Platforms, Inc.", META_US, "US"),
    },
    "google": {
        "EU": ("Google Ireland Limited", ("Gordon House", "Barrow Street", "Dublin 4"), "IE"),
        "CH": ("Google Ireland Limited", ("Gordon House", "Barrow Street", "Dublin 4"), "IE"),
        "GB": (
            "Google LLC",
            ("1600 Amphitheatre Parkway", "Mountain View, California 94043"),
            "US",
        ),
        "US": (
            "Google LLC",
            ("1600 Amphitheatre Parkway", "Mountain View, California 94043"),
            "US",
        ),
    },
    "microsoft": {
        "EU": (
            "Microsoft Ireland Operations Limited",
            ("One Microsoft Place", "South County Business Park", "Leopardstown", "Dublin 18"),
            "IE",
        ),
        "CH": (
            "Microsoft Ireland Operations Limited",
            ("One Microsoft Place", "South County Business Park", "Leopardstown", "Dublin 18"),
            "IE",
        ),
        "GB": (
            "Microsoft Ireland Operations Limited",
            ("One Microsoft Place", "South County Business Park", "Leopardstown", "Dublin 18"),
            "IE",
        ),
        "US": ("Microsoft Corporation", ("One Microsoft Way", "Redmond, Washington 98052"), "US"),
    },
    "openai": {
        "EU": (
            "OpenAI Ireland Limited",
            (
                "1st Floor",
                "The Liffey Trust Centre",
                "117-126 Sheriff Street Upper",
                "Dublin 1",
                "D01 YC43",
            ),
            "IE",
        ),
        "CH": (
            "OpenAI Ireland Limited",
            (
                "1st Floor",
                "The Liffey Trust Centre",
                "117-126 Sheriff Street Upper",
                "Dublin 1",
                "D01 YC43",
            ),
            "IE",
        ),
        "GB": ("OpenAI OpCo, LLC", ("1455 Third Street", "San Francisco, California 94158"), "US"),
        "US": ("OpenAI OpCo, LLC", ("1455 Third Street", "San Francisco, California 94158"), "US"),
    },
    "anthropic": {
        "EU": (
            "Anthropic Ireland, Limited",
            ("6th Floor", "South Bank House", "Barrow Street", "Dublin 4", "D04 TR29"),
            "IE",
        ),
        "CH": (
            "Anthropic Ireland, Limited",
            ("6th Floor", "South Bank House", "Barrow Street", "Dublin 4", "D04 TR29"),
            "IE",
        ),
        "GB": (
            "Anthropic Ireland, Limited",
            ("6th Floor", "South Bank House", "Barrow Street", "Dublin 4", "D04 TR29"),
            "IE",
        ),
        "US": ("Anthropic PBC", ("548 Market St", "PMB 90375", "San Francisco, CA 94104"), "US"),
    },
    "x": {
        "EU": (
            "X Internet Unlimited Company",
            ("One Cumberland Place", "Fenian Street", "Dublin 2", "D02 AX07"),
            "IE",
        ),
        "CH": (
            "X Internet Unlimited Company",
            ("One Cumberland Place", "Fenian Street", "Dublin 2", "D02 AX07"),
            "IE",
        ),
        "GB": (
            "X Internet Unlimited Company",
            ("One Cumberland Place", "Fenian Street", "Dublin 2", "D02 AX07"),
            "IE",
        ),
        "US": ("X Corp.", ("865 FM 1209", "Building 2", "Bastrop, TX 78602"), "US"),
    },
    "reddit": {
        "EU": (
            "Reddit Netherlands B.V.",
            ("Euro Business Center", "Looiersgracht 43", "1016 VR Amsterdam"),
            "NL",
        ),
        "CH": (
            "Reddit Netherlands B.V.",
            ("Euro Business Center", "Looiersgracht 43", "1016 VR Amsterdam"),
            "NL",
        ),
        "GB": ("Reddit, Inc.", ("548 Market St. #16093", "San Francisco, CA 94104"), "US"),
        "US": ("Reddit, Inc.", ("548 Market St. #16093", "San Francisco, CA 94104"), "US"),
    },
    "pinterest": {
        "EU": (
            "Pinterest Europe Ltd.",
            ("Waterloo Exchange", "3rd Floor", "Waterloo Road", "Dublin 4"),
            "IE",
        ),
        "CH": (
            "Pinterest Europe Ltd.",
            ("Waterloo Exchange", "3rd Floor", "Waterloo Road", "Dublin 4"),
            "IE",
        ),
        "GB": (
            "Pinterest Europe Ltd.",
            ("Waterloo Exchange", "3rd Floor", "Waterloo Road", "Dublin 4"),
            "IE",
        ),
        "US": None,
    },
}

# Regions whose residents the US-side entity (the "US" row) also serves.
SAME_AS_US = ("CA", "HK")

LEAD_IEDPC = {"facebook", "instagram", "google", "openai", "x"}
LEAD_NONE = {"microsoft", "anthropic", "reddit", "pinterest"}


def _controller(slug: str) -> Controller:
    return registry.controllers()[slug]


def _raw() -> dict[str, Any]:
    with data_file("controllers.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_at_least_eight_controllers() -> None:
    controllers = registry.controllers()
    assert len(controllers) >= 8
    assert set(NEW_ALL) | {"linkedin"} <= set(controllers)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_entities_per_region(slug: str) -> None:
    controller = _controller(slug)
    for region, expected in EXPECTED[slug].items():
        codes = EU_EEA if region == "EU" else [region]
        if region == "US":
            codes = [region, *SAME_AS_US]
        for code in codes:
            entity = controller.entity_for(code)
            if expected is None:
                assert entity is None, (slug, code)
                continue
            assert entity is not None, (slug, code)
            name, lines, country = expected
            assert entity.name == name, (slug, code)
            assert entity.address.lines == lines, (slug, code)
            assert entity.address.country == country, (slug, code)


def _entity(slug: str, code: str) -> ControllerEntity:
    entity = _controller(slug).entity_for(code)
    assert entity is not None, (slug, code)
    return entity


def test_concrete_examples() -> None:
    assert _entity("openai", "DE").name == "OpenAI Ireland Limited"
    assert _entity("openai", "DE-BY").name == "OpenAI Ireland Limited"
    assert _entity("openai", "US").name == "OpenAI OpCo, LLC"
    assert _entity("openai", "GB").name == "OpenAI OpCo, LLC"
    assert _entity("facebook", "NO").name == "Meta Platforms Ireland Limited"
    assert _entity("facebook", "HK").name == "Meta Platforms, Inc."
    assert _entity("x", "GB").name == "X Internet Unlimited Company"
    assert _entity("google", "GB").name == "Google LLC"
    assert _entity("microsoft", "GB").name == "Microsoft Ireland Operations Limited"
    assert _entity("anthropic", "GB").name == "Anthropic Ireland, Limited"
    assert _entity("reddit", "LI").name == "Reddit Netherlands B.V."
    assert _entity("reddit", "GB").name == "Reddit, Inc."


@pytest.mark.parametrize("slug", NEW_ALL)
def test_lead_authority(slug: str) -> None:
    for entity in _controller(slug).entities:
        if slug in LEAD_IEDPC and entity.address.country == "IE":
            assert entity.lead_authority == "iedpc", entity
            assert "iedpc" in registry.authorities()
        else:
            assert entity.lead_authority is None, entity


def test_attention() -> None:
    assert _entity("microsoft", "FR").attention == "dpo"
    assert _entity("microsoft", "GB").attention == "dpo"
    assert _entity("x", "FR").attention == "dpo"
    assert _entity("facebook", "FR").attention is None
    assert _entity("openai", "FR").attention is None
    raw = _raw()
    texts = {
        (slug, ent["name"]): ent.get("attention_text")
        for slug in NEW_ALL
        for ent in raw[slug]["entities"]
    }
    assert texts[("facebook", "Meta Platforms Ireland Limited")] == "ATTN: Privacy Operations"
    assert texts[("instagram", "Meta Platforms, Inc.")] == "ATTN: Privacy Operations"
    assert texts[("microsoft", "Microsoft Corporation")] == "Microsoft Privacy"
    assert texts[("x", "X Corp.")] == "Attn: Privacy Policy Inquiry"
    for key, text in texts.items():
        entity = next(e for e in _controller(key[0]).entities if e.name == key[1])
        assert not (text and entity.attention), key


def test_contact_and_ai_facts() -> None:
    c = registry.controllers()
    assert c["facebook"].objection_form == "https://www.facebook.com/help/contact/712876720715583"
    assert c["instagram"].objection_form == "https://help.instagram.com/contact/767264225370182"
    assert c["facebook"].privacy_form == "https://help.meta.com/support/privacy/"
    assert c["google"].privacy_form == "https://support.google.com/policies/troubleshooter/7575787"
    assert c["google"].ai_setting_name == "Keep Activity"
    assert c["microsoft"].privacy_form == "https://aka.ms/privacyresponse"
    assert c["microsoft"].ai_setting_name is None
    assert c["microsoft"].ai_legal_basis is None
    assert c["openai"].dpo_email == "dpo@openai.com"
    assert c["openai"].privacy_email == "privacy@openai.com"
    assert c["openai"].ai_setting_name == "Improve the model for everyone"
    assert c["anthropic"].dpo_email == "dpo@anthropic.com"
    assert c["anthropic"].privacy_email == "privacy@anthropic.com"
    assert c["anthropic"].ai_setting_url == "https://claude.ai/settings/data-privacy-controls"
    assert c["x"].privacy_form == "https://help.x.com/forms/privacy"
    assert c["x"].ai_setting_url == "https://x.com/settings/grok_settings"
    assert c["x"].ai_legal_basis is None
    assert c["reddit"].dpo_email == "dpo@reddit.com"
    assert c["reddit"].privacy_email == "redditdatarequests@reddit.com"
    assert c["reddit"].objection_form is None
    for slug in ("facebook", "instagram", "google", "openai", "pinterest"):
        assert c[slug].ai_legal_basis == "legitimate interests", slug
    # No new record states a training start date: none is confirmed by company or regulator.
    for slug in NEW_ALL:
        assert c[slug].ai_training_since is None, slug


def test_profile_hosts() -> None:
    c = registry.controllers()
    assert c["facebook"].profile_hosts == ("facebook.com",)
    assert c["instagram"].profile_hosts == ("instagram.com",)
    assert c["x"].profile_hosts == ("x.com", "twitter.com")
    assert c["reddit"].profile_hosts == ("reddit.com",)
    assert c["pinterest"].profile_hosts == ("pinterest.com",)
    for slug in ("google", "microsoft", "openai", "anthropic"):
        assert c[slug].profile_hosts == (), slug


@pytest.mark.parametrize("slug", NEW_ALL)
def test_sources_and_verification(slug: str) -> None:
    controller = _controller(slug)
    assert controller.sources
    assert any("controllers.md" in s for s in controller.sources)
    assert controller.last_verified == date(2026, 8, 22)
    assert controller.entities
    for entity in controller.entities:
        assert entity.sources, entity
        assert entity.last_verified == date(2026, 8, 22), entity
        assert entity.address.lines, entity
        assert entity.address.country in {"IE", "NL", "US"}, entity
        # Addresses are printed without the country; it comes from `country`.
        assert entity.address.lines[-1] not in {"Ireland", "USA", "Netherlands"}, entity


@pytest.mark.parametrize("slug", NEW_ALL)
def test_unverified_facts_are_flagged(slug: str) -> None:
    notes = _raw()[slug].get("notes", [])
    assert isinstance(notes, list)
    assert notes, slug
    joined = " ".join(notes)
    if slug in {"facebook", "instagram"}:
        assert "UNVERIFIED: Swiss controller" in joined
        assert "UNVERIFIED, left out: UK controller" in joined
    if slug == "microsoft":
        assert "UNVERIFIED, left out: ai_legal_basis" in joined
    if slug == "x":
        assert "UNVERIFIED, left out: ai_legal_basis" in joined


def test_linkedin_is_unchanged() -> None:
    linkedin = _controller("linkedin")
    assert [e.name for e in linkedin.entities] == [
        "LinkedIn Ireland Unlimited Company",
        "LinkedIn Corporation",
    ]
    assert linkedin.ai_training_since == date(2025, 11, 3)


def test_every_url_is_https_and_every_email_has_an_at() -> None:
    url_keys = ("objection_form", "privacy_form", "dpo_form", "ai_setting_url")
    email_keys = ("privacy_email", "dpo_email")
    raw = _raw()
    for slug, record in raw.items():
        for key in url_keys:
            value = record.get(key)
            if value is not None:
                assert isinstance(value, str)
                assert value.startswith("https://"), (slug, key, value)
        for key in email_keys:
            value = record.get(key)
            if value is not None:
                assert isinstance(value, str)
                local, at, domain = value.partition("@")
                assert at == "@", (slug, key, value)
                assert local, (slug, key, value)
                assert "." in domain, (slug, key, value)


def objection_text(controller: str, lang: str) -> str:
    """A German member's objection to ``controller``, as text with whitespace collapsed."""
    from datetime import date

    from dsr.composition import compose
    from dsr.inputs import parse_request
    from dsr.render import render_text

    values = {"kind": "objection", "jurisdiction": "DE", "controller": controller, "lang": lang,
              "name": "Erika Mustermann", "address": "Hauptstraße 1, 10115 Berlin",
              "account-email": "erika@example.org", "date": "2026-11-22"}  # fmt: skip
    return " ".join(render_text(compose(parse_request(values, today=date(2026, 11, 22)))).split())


@pytest.mark.parametrize(
    ("controller", "lang", "phrase"),
    [
        ("linkedin", "en", "I am a member of LinkedIn"),
        ("google", "en", "I have an account with Google"),
        ("linkedin", "de", "Ich bin Mitglied bei LinkedIn"),
        ("openai", "de", "Ich habe ein Nutzerkonto bei ChatGPT"),
        ("reddit", "fr", "membre"),
    ],
)
def test_members_of_networks_and_account_holders_elsewhere(
    controller: str, lang: str, phrase: str
) -> None:
    """Social networks call their users members; Google or OpenAI do not."""
    assert phrase in objection_text(controller, lang)


@pytest.mark.parametrize(
    ("controller", "phrase", "absent"),
    [
        ("linkedin", "to present myself professionally", "for my own purposes"),
        (
            "facebook",
            "I published my profile and my contributions to communicate",
            "professionally",
        ),
        ("google", "I use Google for my own purposes", "I published my profile"),
    ],
)
def test_the_default_situation_fits_the_service(controller: str, phrase: str, absent: str) -> None:
    """Without --situation, the objection's grounds fit what the member did on the service."""
    text = objection_text(controller, "en")
    assert phrase in text
    assert absent not in text
