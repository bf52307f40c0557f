"""What a request may choose, as typed lists for forms, completion and ``dsr list``.

Each function returns a tuple of small frozen records: the code a request
takes (``Kind``'s value, a jurisdiction code, a language tag, a slug) and what
a form shows beside it. Nothing here names a command-line option.

    >>> from dsr import kinds
    >>> [k.code for k in kinds()][:2]
    ['objection', 'art21']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel import Locale

from . import registry
from .i18n import language_name, shipped_languages
from .inputs import FIELDS, required_fields
from .model import Kind, Outcome
from .text import field_rule
from .ui import N_, gettext

# Marked for the "ui" catalog (dsr.ui.N_) and translated where shown (kinds()).
KIND_DESCRIPTIONS = {
    Kind.OBJECTION: N_("objection to AI training, short enough for the controller's web form"),
    Kind.ART21: N_("formal Art. 21(1) GDPR objection with your particular situation"),
    Kind.ERASURE: N_("erasure request, including data in training datasets and models"),
    Kind.ACCESS: N_("access request: was my data used for AI training, which models, who got it"),
    Kind.COMPLAINT: N_("complaint to the supervisory authority of your place of residence"),
    Kind.REMINDER: N_(
        "reminder after the deadline of your request passed (give the request's date)"
    ),
    Kind.CONTROLLER_COMPLAINT: N_(
        "UK only: complaint to the controller under s.164A DPA 2018, "
        "the step the Information Commissioner expects before a complaint to it"
    ),
}


@dataclass(frozen=True)
class KindChoice:
    """A letter kind: ``code`` is what ``parse_request`` takes as ``kind``."""

    code: str
    description: str
    required: tuple[str, ...]  # the fields a request of this kind must give
    follows_up: bool  # about an earlier request: needs its date and kind


@dataclass(frozen=True)
class JurisdictionChoice:
    """Where the member lives: ``code`` is ``DE``, ``DE-BY``, ``CA-QC``..."""

    code: str
    country: str  # ISO 3166 alpha-2
    name: str  # the country's English name
    law: str  # the law family the letters rest on
    default_language: str
    paper: str
    authority: str | None  # the slug of the authority complaints go to


@dataclass(frozen=True)
class LanguageChoice:
    """A language letters are written in: ``code`` is a BCP 47 tag."""

    code: str
    name: str  # in the language itself
    english_name: str


@dataclass(frozen=True)
class EntityChoice:
    name: str
    country: str
    jurisdictions: tuple[str, ...]


@dataclass(frozen=True)
class ControllerChoice:
    """A company letters go to: ``code`` is its slug."""

    code: str
    service: str
    entities: tuple[EntityChoice, ...]
    objection_form: str | None
    ai_setting_url: str | None
    last_verified: dt.date


@dataclass(frozen=True)
class AuthorityChoice:
    """A supervisory authority: ``code`` is its slug."""

    code: str
    name: str  # in its own language
    name_en: str
    jurisdictions: tuple[str, ...]
    address: tuple[str, ...]  # lines, the country code last
    email: str | None
    webform: str | None
    complaint_languages: tuple[str, ...]
    last_verified: dt.date


def fields() -> tuple[str, ...]:
    """The keys ``parse_request`` reads, in the order a form asks for them."""
    return FIELDS


def kinds() -> tuple[KindChoice, ...]:
    return tuple(
        KindChoice(
            code=kind.value,
            description=gettext(KIND_DESCRIPTIONS[kind]),  # in the interface's language
            required=tuple(required_fields(kind)),
            follows_up=kind.follows_up,
        )
        for kind in Kind
    )


@cache
def _country_names() -> dict[str, str]:
    return dict(Locale("en").territories)


def jurisdictions() -> tuple[JurisdictionChoice, ...]:
    names = _country_names()
    out = []
    for code, jurisdiction in registry.jurisdictions().items():
        authority = registry.authority_for(code)
        out.append(
            JurisdictionChoice(
                code=code,
                country=jurisdiction.country,
                name=names.get(jurisdiction.country, jurisdiction.country),
                law=jurisdiction.family,
                default_language=jurisdiction.default_language,
                paper=jurisdiction.paper,
                authority=authority.slug if authority else None,
            )
        )
    return tuple(out)


def languages() -> tuple[LanguageChoice, ...]:
    return tuple(
        LanguageChoice(code=tag, name=language_name(tag), english_name=language_name(tag, "en"))
        for tag in shipped_languages()
    )


def controllers() -> tuple[ControllerChoice, ...]:
    """The built-in companies and those imported into dsr's data folder."""
    return tuple(
        ControllerChoice(
            code=c.slug,
            service=c.service,
            entities=tuple(
                EntityChoice(e.name, e.address.country, tuple(e.jurisdictions)) for e in c.entities
            ),
            objection_form=c.objection_form,
            ai_setting_url=c.ai_setting_url,
            last_verified=c.last_verified,
        )
        for c in registry.controllers().values()
    )


def authorities() -> tuple[AuthorityChoice, ...]:
    return tuple(
        AuthorityChoice(
            code=a.slug,
            name=a.name,
            name_en=a.name_en,
            jurisdictions=tuple(a.jurisdictions),
            address=(*a.address.lines, a.address.country),
            email=a.email,
            webform=a.webform,
            complaint_languages=tuple(a.complaint_languages),
            last_verified=a.last_verified,
        )
        for a in registry.authorities().values()
    )


FIELD_TITLES = {
    "kind": "The kind of letter",
    "jurisdiction": "Where the member lives",
    "controller": "The company written to (default: linkedin)",
    "name": "The member's full name",
    "address": "The member's postal address; lines separated by commas or newlines",
    "email": "The e-mail address for replies (default: the account e-mail address)",
    "account-email": "The e-mail address the account is registered with",
    "profile-url": "The member's public profile URL (https://)",
    "lang": "The letter's language (default: the jurisdiction's)",
    "date": "The letter's date (default: today)",
    "situation": "art21: grounds relating to the member's particular situation",
    "request-date": "complaint, reminder: the date of the earlier request",
    "request-kind": "complaint, reminder: the kind of the earlier request",
    "controller-complaint-date": "GB complaint: the date of the complaint to the controller",
    "outcome": "complaint: what happened after the request",
    "enclose": "PDF files appended as annexes",
    "authority": "complaint: the authority written to (default: the jurisdiction's)",
    "place": "The place written before the date (default: the address's town)",
    "reference": "The reference number (default: derived from the request)",
}
DATE_FIELDS = ("date", "request-date", "controller-complaint-date")


def request_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of what ``parse_request`` takes, keys as :data:`FIELDS`.

    Choices are listed as their codes; ``parse_request`` also takes them in any
    case, and keys spelt with ``_`` or spaces. It checks more than a schema can
    say (an address's postcode, the law a kind needs), so a value the schema
    accepts may still be refused, naming its field.
    """
    enums: dict[str, list[str]] = {
        "kind": [k.value for k in Kind],
        "request-kind": [k.value for k in Kind.requests()],
        "jurisdiction": [j.code for j in jurisdictions()],
        "lang": [lang.code for lang in languages()],
        "controller": [c.code for c in controllers()],
        "authority": [a.code for a in authorities()],
        "outcome": [o.value for o in Outcome],
    }
    properties: dict[str, Any] = {}
    for field in FIELDS:
        rule = field_rule(field)
        text: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": rule.limit}
        if field in enums:
            text = {"type": "string", "enum": enums[field]}
        elif field in DATE_FIELDS:
            text = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
        elif field.endswith("email"):
            text["format"] = "email"
        elif field == "profile-url":
            text["format"] = "uri"
            text["pattern"] = "^https://"
        if field == "enclose":
            text = {"anyOf": [text, {"type": "array", "items": text, "minItems": 1}]}
        properties[field] = {"title": FIELD_TITLES.get(field, field), **text}
    conditions = [
        {
            "if": {"properties": {"kind": {"const": kind.code}}, "required": ["kind"]},
            "then": {"required": list(extra)},
        }
        for kind in kinds()
        if (extra := [f for f in kind.required if f not in required_fields(None)])
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "A dsr request",
        "description": "The values of one letter, as dsr.parse_request, a batch row and a "
        "profile take them.",
        "type": "object",
        "properties": properties,
        "required": required_fields(None),
        "additionalProperties": False,
        "allOf": conditions,
    }
