"""compose(): resolve every fact a letter states from the registries.

Templates never compute a fact; this module does, once, so that a
:class:`~dsr.model.Letter` is complete and rendering is a pure function of it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import NamedTuple

from . import registry
from .addresses import country_name, postal_capitals
from .citations import format_citation
from .deadlines import Calendar, DeadlineRule, deadline_in, period_beginning_with
from .errors import LIST_AUTHORITIES, DsrError, InvalidRequest, Problem, worded
from .i18n import language_name, letter_locale
from .model import (
    Applicability,
    Authority,
    Controller,
    ControllerEntity,
    Instrument,
    Kind,
    LawFamily,
    Letter,
    Outcome,
    Party,
    Request,
    ServiceLabel,
)
from .ui import gettext

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def make_reference(request: Request) -> str:
    """A stable reference such as ``2026-K7Q2M9X``: same request, same reference.

    Derived from the request's identity, so re-rendering a letter (or its
    reminder) keeps its reference without storing anything.
    """
    identity = "\x1f".join(
        [
            request.kind.value,
            request.jurisdiction,
            request.controller,
            request.account.email.lower(),
            request.requester.name,
            request.date.isoformat(),
        ]
    )
    if request.kind.follows_up:  # about one request: two complaints about two requests differ
        identity += "\x1f".join(
            [
                "",
                request.request_kind.value if request.request_kind else "",
                request.request_date.isoformat() if request.request_date else "",
                request.authority or "",
            ]
        )
    number = int.from_bytes(hashlib.blake2b(identity.encode(), digest_size=8).digest(), "big")
    chars = []
    for _ in range(7):
        number, digit = divmod(number, 32)
        chars.append(CROCKFORD[digit])
    return f"{request.date.year}-{''.join(chars)}"


def _recipient_country(country: str, sender_country: str, language: str) -> str | None:
    """International mail ends with the destination country in capitals (UPU S42)."""
    if country == sender_country:
        return None
    return postal_capitals(country_name(country, language))


def complaint_authority(request: Request) -> Authority:
    """The authority a complaint goes to: ``--authority`` or the one of residence."""
    if request.authority:
        try:
            return registry.authorities()[request.authority]
        except KeyError:
            raise DsrError(f"unknown authority {request.authority!r}") from None
    authority = registry.authority_for(request.jurisdiction)
    if authority is None:
        raise DsrError(f"no supervisory authority is recorded for {request.jurisdiction}")
    return authority


def _controller(slug: str) -> Controller:
    found = registry.controller(slug)
    if found is None:
        raise DsrError(f"unknown controller {slug!r}")
    return found


def controller_entity(request: Request) -> ControllerEntity:
    controller = _controller(request.controller)
    entity = controller.entity_for(request.jurisdiction)
    if entity is None:
        raise DsrError(
            f"{controller.service} has no recorded controller entity for {request.jurisdiction}"
        )
    return entity


def _calendar(family: LawFamily, entity: ControllerEntity) -> Calendar:
    """Which days move a deadline of ``family``: its registry calendar, bound to the entity."""
    record = registry.deadline_calendars()[family.deadline_calendar]
    return record.calendar.bind(entity.address.country)


def _period_end(
    family: LawFamily, kind: str, start: date, calendar: Calendar, rule: DeadlineRule | None = None
) -> date:
    """Last day of ``family``'s period for ``kind`` that starts on ``start``.

    A period "beginning with" a day includes it (Art. 12A(1) UK GDPR, s.164A(3) DPA
    2018): ``period_beginning_with``.
    """
    rule = rule or DeadlineRule.parse(family.deadline_rule_for(kind, start))
    if family.begins_with(start):
        return period_beginning_with(rule, start, calendar)
    return deadline_in(rule, start, calendar)


def _refuse_before_the_law(laws: list[tuple[str, date | None, Instrument]]) -> None:
    """Refuse a letter dated, or a request made, before a law it cites or rests on
    began to apply (a typo of the year: a deadline under a law not yet in force);
    ``laws``: (the field, its day, the law)."""
    problems = []
    for field, day, instrument in laws:
        if day is not None and instrument.applies_from and day < instrument.applies_from:
            name = instrument.abbreviation.get("en") or instrument.title["en"]
            problems.append(
                Problem(
                    field,
                    gettext(
                        "{date} is before {since}, when the {law} began to apply; check the year"
                    ).format(
                        date=day.isoformat(), since=instrument.applies_from.isoformat(), law=name
                    ),
                )
            )
    if problems:
        raise InvalidRequest(problems)


def _citations(family: LawFamily, language: str, day: date) -> dict[str, str]:
    """Each role of ``family`` cited in ``language``, as the law stood on ``day``."""
    citations = {}
    for role, provision_id in family.roles.items():
        provision = registry.provision_on(provision_id, day)
        if provision is not None:
            citations[role] = format_citation(
                provision, registry.instruments()[provision.instrument], language
            )
    return citations


def _deadline_citation(family: LawFamily, kind: str, language: str, day: date) -> str:
    """The provision that set the period for a request of ``kind`` made on ``day``."""
    provision_id = family.roles.get(f"deadline_{kind}") or family.roles["deadline"]
    provision = registry.provision_on(provision_id, day) or registry.provisions()[provision_id]
    return format_citation(provision, registry.instruments()[provision.instrument], language)


def _authority_role(authority: Authority, jurisdiction: str, lead: Authority | None) -> str:
    """Why a complaint goes to ``authority``: "residence", "lead" or "chosen"."""
    country = jurisdiction.split("-")[0]
    serves_residence = registry.authority_for(jurisdiction) in (None, authority)
    if jurisdiction in authority.jurisdictions or (
        country in authority.jurisdictions and serves_residence
    ):
        return "residence"
    if lead is not None and lead.slug == authority.slug:
        return "lead"
    return "chosen"


class QuotedNames(NamedTuple):
    """The service's names an objection quotes, as that letter quotes them."""

    setting: ServiceLabel | None
    place: ServiceLabel | None
    form: ServiceLabel | None
    in_english: bool  # a non-English letter quotes one of them by its English name only


def quoted_names(controller: Controller, language: str) -> QuotedNames:
    """The setting, and with the objection form its menu path and the form's name.

    A letter in another language than English gives each name as the service
    names it in that language, where the controller record has the service's
    own wording from its pages in that language; otherwise the English name.
    """
    english = language.split("-")[0] == "en"
    own = None if english else controller.labels_in(language)

    def label(english_name: str | None, local: str | None) -> ServiceLabel | None:
        return ServiceLabel(english_name, local) if english_name else None

    setting = label(controller.ai_setting_name, own.ai_setting_name if own else None)
    with_form = bool(
        setting
        and controller.objection_form
        and controller.objection_form_name
        and controller.ai_setting_path
    )
    place = (
        label(controller.ai_setting_path, own.ai_setting_path if own else None)
        if with_form
        else None
    )
    form = (
        label(controller.objection_form_name, own.objection_form_name if own else None)
        if with_form
        else None
    )
    quoted = [name for name in (setting, place, form) if name is not None]
    return QuotedNames(
        setting, place, form, not english and any(name.local is None for name in quoted)
    )


def _refuse_other_law(
    request: Request,
    authority: Authority,
    family: LawFamily,
    request_family: LawFamily,
    applicability: Applicability | None,
    entity: ControllerEntity,
) -> None:
    """Refuse a complaint to an authority that does not apply the law the request to
    the controller rested on (or the law of residence that applied with it, FADP
    Art. 3(1)): the complaint would invoke a law the member did not write under."""
    if family.id == request_family.id:
        return
    if applicability is not None and family.id in applicability.residence_law_applies:
        return
    titles = registry.instruments()
    applied = titles[family.instrument].title["en"]
    rested = titles[request_family.instrument].title["en"]
    field = "authority" if request.authority else "jurisdiction"
    raise InvalidRequest(
        [
            Problem(
                field,
                str(
                    worded(
                        gettext(
                            "{authority} ({slug}) applies the {applied}, but a request from "
                            "{jurisdiction} to {entity} rests on the {rested}: the complaint "
                            "would invoke a law the request was not made under; choose an "
                            "authority that applies the {rested} ('{list_command}')"
                        ),
                        authority=authority.name_en,
                        slug=authority.slug,
                        applied=applied,
                        jurisdiction=request.jurisdiction,
                        entity=entity.name,
                        rested=rested,
                        list_command=LIST_AUTHORITIES,
                    )
                ),
            )
        ]
    )


def compose(request: Request) -> Letter:
    """Turn a validated request into a letter with every fact resolved."""
    jurisdiction = registry.jurisdictions()[request.jurisdiction]
    instruments = registry.instruments()
    provisions = registry.provisions()
    controller = _controller(request.controller)
    entity = controller_entity(request)
    language = request.language
    base = language.split("-")[0]
    names = quoted_names(controller, language)

    # The law the request to the controller rests on follows from where the
    # entity is established (Art. 3(1) GDPR) and where the member lives; a
    # complaint rests on the law its authority applies.
    request_family, applicability = registry.applicable_law(jurisdiction.code, entity)
    lead = registry.authorities().get(entity.lead_authority or "")
    authority: Authority | None = None
    if request.kind is Kind.COMPLAINT:
        authority = complaint_authority(request)
        family = registry.complaint_family(authority)
        _refuse_other_law(request, authority, family, request_family, applicability, entity)
    else:
        family = request_family
    instrument = instruments[family.instrument]
    laws: list[tuple[str, date | None, Instrument]] = [("date", request.date, instrument)]
    laws.append(("request-date", request.request_date, instruments[request_family.instrument]))

    citations = _citations(family, language, request.date)
    # The provision that sets this kind's period, where it is not the family's usual one
    # (the usual one stays cited for what else the letter asks: a CCPA opt-out letter
    # also asks for deletion, which keeps the 45 days).
    own_period = citations.get(f"deadline_{request.kind.value}")
    if own_period is not None:
        citations["deadline_general"] = citations["deadline"]
        citations["deadline"] = own_period
    if applicability is not None:
        provision = provisions[applicability.provision]
        citations["applicability"] = format_citation(
            provision, instruments[provision.instrument], language
        )
        # The law of residence applies too (FADP Art. 3(1)): the request rests on it as well.
        residence = registry.law_families()[jurisdiction.family]
        role = applicability.residence_roles.get(request.kind.value)
        if residence.id in applicability.residence_law_applies and role in residence.roles:
            provision = provisions[residence.roles[role]]
            citations["residence_law"] = format_citation(
                provision, instruments[provision.instrument], language
            )
            residence_instrument = instruments[residence.instrument]
            laws.append(("date", request.date, residence_instrument))  # cited too
            citations["residence_law_title"] = residence_instrument.title.get(
                base, residence_instrument.title["en"]
            )

    _refuse_before_the_law(laws)
    rule = DeadlineRule.parse(family.deadline_rule_for(request.kind.value, request.date))
    # A reminder sets a short new period of its own, counted like the law's.
    reply_rule = DeadlineRule(days=14, roll=rule.roll) if request.kind is Kind.REMINDER else rule
    calendar = _calendar(family, entity)
    reply_deadline = (
        deadline_in(reply_rule, request.date, calendar)
        if request.kind is Kind.REMINDER
        else _period_end(family, request.kind.value, request.date, calendar, reply_rule)
    )
    if request.kind is not Kind.COMPLAINT and "complaint" in family.roles:
        # A complaint announced in a request can be made once the reply is due: cite the
        # provision in force then (s.165(2) DPA 2018 replaces Art. 77 UK GDPR on 19 June 2026).
        announced = registry.provision_on(family.roles["complaint"], reply_deadline)
        if announced is not None:
            citations["complaint"] = format_citation(
                announced, instruments[announced.instrument], language
            )
    general_rule = DeadlineRule.parse(family.deadline_rule)
    general_deadline = (
        deadline_in(general_rule, request.date, calendar)
        if "deadline_general" in citations
        else None
    )

    # What the earlier request was, and when its period ran out.
    request_kind = request.request_kind if request.kind.follows_up else None
    request_deadline = (
        _period_end(
            request_family,
            (request_kind or Kind.OBJECTION).value,
            request.request_date,
            _calendar(request_family, entity),
        )
        if request.request_date and request.kind.follows_up
        else None
    )
    remedy_deadline = (
        deadline_in(
            DeadlineRule.parse(request_family.remedy_rule),
            request_deadline,
            _calendar(request_family, entity),
        )
        if request_family.remedy_rule
        and request_deadline is not None
        and request_kind is not None
        and request_kind.value in request_family.remedy_kinds
        else None
    )
    if (
        request.kind is Kind.COMPLAINT
        and request.outcome is Outcome.NONE
        and remedy_deadline is not None
        and request.date > remedy_deadline
        and not request.situation
    ):
        raise InvalidRequest(
            [
                Problem(
                    "situation",
                    gettext(
                        "the law's period for this application ended on {date}; give the "
                        "reasonable cause for the delay, which the letter asks the authority "
                        "to accept"
                    ).format(date=remedy_deadline.isoformat()),
                )
            ]
        )
    request_deadline_is_statutory = (
        request_kind is not None and request_kind.value in request_family.statutory_deadline_kinds
    )
    request_deadline_family = request_family
    if (
        authority is not None
        and applicability is not None
        and family.id != request_family.id
        and family.id in applicability.residence_law_applies
        and request_kind is not None
        and request_kind.value in family.statutory_deadline_kinds
        and request.request_date is not None
    ):
        # The FDPIC applies the FADP: its report cites the FADP's period (Art. 25(7)),
        # on which the request also rested.
        request_deadline_family = family
        request_deadline = _period_end(family, request_kind.value, request.request_date, calendar)

    sender_country = jurisdiction.country
    sender = Party(
        name=request.requester.name,
        lines=request.requester.address.lines,
        country=sender_country,
    )
    if authority is not None:
        # The authority as it writes its own name and address in the letter's language
        # (the Greek HDPA in Greek, UODO's President in Polish), else its primary form.
        recipient = Party(
            name=authority.name_in(language),
            lines=authority.address_in(language).lines or tuple(filter(None, [authority.email])),
            country=authority.address.country,
            country_name=_recipient_country(authority.address.country, sender_country, language),
        )
    else:
        recipient = Party(
            name=entity.name,
            lines=entity.address.lines,
            country=entity.address.country,
            country_name=_recipient_country(entity.address.country, sender_country, language),
            attention=entity.attention,
            attention_text=entity.attention_text,
        )
    if (
        request.kind in (Kind.COMPLAINT, Kind.REMINDER)
        and request.outcome is Outcome.NONE
        and request_deadline is not None
        and request.date <= request_deadline
    ):
        raise InvalidRequest(
            [
                Problem(
                    "request-date",
                    gettext(
                        "the controller has until {deadline} to answer the request of "
                        "{request_date}; a {kind} about no answer can be dated after that"
                    ).format(
                        deadline=request_deadline.isoformat(),
                        request_date=request.request_date,
                        kind=request.kind.value,
                    ),
                )
            ]
        )
    opinion = registry.documents()["edpb_opinion_ai_models"]
    recipients_case = registry.documents()["cjeu_recipients"]
    trains_here = not controller.ai_training_jurisdictions or (
        jurisdiction.code in controller.ai_training_jurisdictions
        or jurisdiction.country in controller.ai_training_jurisdictions
    )
    since = controller.ai_training_since if trains_here else None
    # Both objections (to AI training, and under Art. 21) state the training and its legal
    # basis as facts.
    objections = (Kind.OBJECTION, Kind.ART21)
    about_training = request.kind in objections or request_kind in objections
    if since is not None and about_training and request.date < since:
        # The letter states the training, on legitimate interests, as a fact.
        raise InvalidRequest(
            [
                Problem(
                    "date",
                    gettext(
                        "{date} is before {since}, when {service} began to train AI models on "
                        "members' data here, relying on its legitimate interests (its own "
                        "notice), which the letter states as a fact: date the letter on or "
                        "after that day"
                    ).format(
                        date=request.date.isoformat(),
                        since=since.isoformat(),
                        service=controller.service,
                    ),
                )
            ]
        )
    if (
        since is not None
        and request.kind.follows_up
        and request_kind in objections
        and request.request_date is not None
        and request.request_date < since
    ):
        # The complaint would recount an objection to training, and its lapsed period,
        # from before the training began.
        raise InvalidRequest(
            [
                Problem(
                    "request-date",
                    gettext(
                        "{date} is before {since}, when {service} began to train AI models on "
                        "members' data here (its own notice): an objection to that training is "
                        "dated on or after it"
                    ).format(
                        date=request.request_date.isoformat(),
                        since=since.isoformat(),
                        service=controller.service,
                    ),
                )
            ]
        )
    if since is not None and request.date < since:
        since = None  # not yet a fact on the letter's date: the complaint does not say it
    # Who takes a complaint under the letter's own law (art21 cites the provision): the
    # authority of residence if it applies that law, else the lead authority (a Swiss
    # member's GDPR letter to LinkedIn Ireland: the Irish DPC, not the FDPIC).
    # Where complaints go to the authority of a Land (DE), the country's own entry
    # (the BfDI) does not supervise companies (§ 40 BDSG): no authority is named.
    residence_authority = (
        None
        if jurisdiction.complaint_needs_subdivision
        else registry.authority_for(jurisdiction.code)
    )
    law_authority = next(
        (
            candidate
            for candidate in (residence_authority, lead)
            if candidate is not None and registry.complaint_family(candidate).id == family.id
        ),
        None,
    )
    # Where the member turns next (a reminder names no provision): the authority of
    # residence where its law applies too (the FDPIC for a Swiss member, whom `dsr track
    # escalate` reports to by default), else the one that applies the letter's law.
    residence_law_applies = applicability is not None and (
        jurisdiction.family in applicability.residence_law_applies
    )
    next_authority = (
        residence_authority
        if residence_authority is not None and residence_law_applies
        else law_authority
    )
    if jurisdiction.complaint_needs_subdivision:
        # Which Land's authority is not known: the letter says "a supervisory authority".
        next_authority = law_authority = None
    # The lead authority, where the letter goes to another one: named with its country
    # by a sentence of its own in each language (an adjective agrees with its name).
    lead_other = (
        lead if lead is not None and (authority is None or lead.slug != authority.slug) else None
    )
    return Letter(
        kind=request.kind,
        language=language,
        locale=letter_locale(language, jurisdiction.country),
        paper=jurisdiction.paper,
        family=family.id,
        jurisdiction=jurisdiction.code,
        reference=request.reference or make_reference(request),
        date=request.date,
        place=request.requester.place,
        place_typed=request.requester.place_typed,
        sender=sender,
        sender_email=request.requester.email,
        recipient=recipient,
        recipient_is_authority=authority is not None,
        controller_name=entity.name,
        controller_address=", ".join(
            [*entity.address.lines, country_name(entity.address.country, language)]
        ),
        service=controller.service,
        service_network=controller.network,
        account=request.account,
        country_name=(
            jurisdiction.residence.get(language)
            or jurisdiction.residence.get(base)
            or country_name(sender_country, language)
        ),
        citations=citations,
        law_abbreviation=instrument.abbreviation.get(base, instrument.abbreviation["en"]),
        law_title=instrument.title.get(base, instrument.title["en"]),
        window=jurisdiction.window,
        deadline_is_statutory=request.kind.value in family.statutory_deadline_kinds,
        request_deadline_is_statutory=request_deadline_is_statutory,
        deadline=reply_deadline,
        deadline_months=reply_rule.months,
        deadline_days=reply_rule.days,
        deadline_business_days=reply_rule.business_days,
        general_deadline=general_deadline,
        general_deadline_days=general_rule.days,
        objection_form=controller.objection_form,
        privacy_form=controller.privacy_form,
        ai_setting_name=controller.ai_setting_name,
        ai_setting_path=controller.ai_setting_path,
        ai_setting_url=controller.ai_setting_url,
        ai_setting=names.setting,
        ai_setting_place=names.place,
        objection_form_label=names.form,
        names_in_english=names.in_english,
        ai_training_since=since,
        edpb_opinion=str(opinion["number"]) if family.id in opinion["cited_in"] else "",
        cjeu_case=(
            str(recipients_case["number"]) if family.id in recipients_case["cited_in"] else ""
        ),
        authority_name=authority.name_in(language) if authority else None,
        authority_email=authority.email if authority else None,
        authority_role=(_authority_role(authority, jurisdiction.code, lead) if authority else None),
        next_authority_name=next_authority.name_in(language) if next_authority else None,
        law_authority_name=law_authority.name_in(language) if law_authority else None,
        next_authority_takes_reports=(
            next_authority is not None
            and registry.complaint_family(next_authority).complaint_is_report
        ),
        recipient_email=(
            authority.email if authority else (controller.privacy_email or controller.dpo_email)
        ),
        web_form=(
            authority.webform
            if authority
            else (controller.objection_form if request.kind is Kind.OBJECTION else None)
            or controller.privacy_form
        ),
        authority_webform=authority.webform if authority else None,
        lead_authority_name=lead_other.name_in(language) if lead_other else None,
        lead_authority=lead_other.slug if lead_other else None,
        lead_authority_country=(
            country_name(lead_other.address.country, language) if lead_other else None
        ),
        establishment_country=(
            country_name(entity.establishment, language)
            if applicability is not None and applicability.family == family.id
            else None
        ),
        situation=request.situation,
        request_date=request.request_date if request.kind.follows_up else None,
        request_kind=request_kind,
        request_deadline=request_deadline,
        remedy_deadline=remedy_deadline,
        request_objection_lever=request_family.objection_lever,
        data_term=family.data_term,
        request_data_term=request_family.data_term,
        request_citations=(
            _citations(request_family, language, request.request_date or request.date)
            if request.kind.follows_up
            else {}
        ),
        request_deadline_provision=(
            _deadline_citation(
                request_deadline_family,
                request_kind.value,
                language,
                request.request_date or request.date,
            )
            if request_kind is not None
            else None
        ),
        controller_complaint_date=request.controller_complaint_date,
        outcome=request.outcome,
        enclosures=tuple(Path(e).name for e in request.enclosures),
        provisions_cited=tuple(
            sorted(
                set(family.roles.values())
                | ({applicability.provision} if applicability is not None else set())
            )
        ),
    )


def compose_with_translation(request: Request, also: str) -> tuple[Letter, Letter]:
    """The letter and a courtesy translation of it into ``also``.

    The letter says a translation is attached and that it prevails; the
    translation says it is a courtesy translation and names the version
    that prevails.
    """
    from dataclasses import replace

    original = compose(request)
    translated = compose(replace(request, language=also, reference=original.reference))
    return (
        replace(original, translation_into=language_name(also, request.language)),
        replace(translated, translation_of=language_name(request.language, also)),
    )
