"""The domain model: what a request is, and the letter composed from it.

A :class:`Request` holds what the member said. :func:`dsr.composition.compose`
turns it into a :class:`Letter`, which carries every resolved fact (recipient,
citations, deadline, locale), so rendering is a pure function of the letter.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the holidays package loads only when a deadline is computed
    from .deadlines import Calendar


def field_key(key: object) -> str:
    """A key or a choice as dsr reads it: case, spaces, ``_`` and ``-`` alike.

    ``"Account_Email "``, ``"account email"`` and ``"ACCOUNT-EMAIL"`` are all
    ``"account-email"``; ``"Controller_Complaint"`` is ``"controller-complaint"``.
    One rule for option names, profile keys, batch columns and library keys,
    and for the values of kinds, outcomes, controllers and authorities.
    """
    return "-".join(str(key).lower().replace("_", " ").replace("-", " ").split())


def _normalised(value: object) -> object:
    """``" Art21 "``, ``"ERASURE"``, ``"controller_complaint"``: as :func:`field_key` reads it."""
    if isinstance(value, str):
        return field_key(value)
    return value


class Kind(enum.StrEnum):
    """Letter kinds, by their CLI names.

    ``Kind(" Art21 ")`` is ``Kind.ART21``: a kind is normalised wherever it
    comes from (flags, batch rows, profiles, the library).
    """

    OBJECTION = "objection"
    ART21 = "art21"
    ERASURE = "erasure"
    ACCESS = "access"
    COMPLAINT = "complaint"
    REMINDER = "reminder"
    CONTROLLER_COMPLAINT = "controller-complaint"

    @classmethod
    def _missing_(cls, value: object) -> Kind | None:
        normalised = _normalised(value)
        for member in cls:
            if member.value == normalised:
                return member
        return None

    @classmethod
    def requests(cls) -> tuple[Kind, ...]:
        """The kinds that make a request to the controller, which a follow-up can be about."""
        return (cls.OBJECTION, cls.ART21, cls.ERASURE, cls.ACCESS)

    @property
    def follows_up(self) -> bool:
        """Whether a letter of this kind is about an earlier request."""
        return self in (Kind.COMPLAINT, Kind.REMINDER, Kind.CONTROLLER_COMPLAINT)


class Outcome(enum.StrEnum):
    """What happened after the original request, for a complaint."""

    NONE = "none"
    REFUSED = "refused"
    INSUFFICIENT = "insufficient"

    @classmethod
    def _missing_(cls, value: object) -> Outcome | None:
        normalised = _normalised(value)
        return next((m for m in cls if m.value == normalised), None)


@dataclass(frozen=True)
class Source:
    """Where a fact comes from."""

    title: str
    url: str = ""


@dataclass(frozen=True)
class Provision:
    """A structured legal provision: instrument, article, paragraph, point."""

    id: str
    instrument: str
    article: str
    unit: str = "article"
    paragraph: str | None = None
    point: str | None = None
    sources: tuple[str, ...] = ()
    last_verified: dt.date | None = None
    in_force_from: dt.date | None = None  # None: in force for every date dsr writes
    replaces: str | None = None  # the provision that applied before ``in_force_from``


@dataclass(frozen=True)
class Instrument:
    """A law, with its official short name and abbreviation per language."""

    id: str
    style: str
    abbreviation: dict[str, str]
    title: dict[str, str]
    sources: tuple[str, ...]
    last_verified: dt.date
    applies_from: dt.date | None = None  # the day it began to apply, where recorded


@dataclass(frozen=True)
class PostalAddress:
    """An address as printed: the lines above the country, and the country."""

    lines: tuple[str, ...]
    country: str


@dataclass(frozen=True)
class AuthorityForm:
    """An authority's name and postal address in one language, as it writes them itself.

    ``address`` is None where the authority gives its name in this language
    but no address of its own in it (or none could be verified): letters then
    print the primary form's address under this name.
    """

    language: str
    name: str
    address: PostalAddress | None
    sources: tuple[str, ...]
    last_verified: dt.date
    note: str | None = None


def _is_region(subtag: str) -> bool:
    return (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit())


@dataclass(frozen=True)
class Authority:
    """A data protection supervisory authority.

    ``name`` and ``address`` are its primary form, in ``language``; ``forms``
    holds every form the authority publishes, keyed by BCP 47 tag, the primary
    one included. A letter uses the form in its own language, else the primary
    one: never a name or address dsr translated itself.
    """

    slug: str
    name: str
    name_en: str
    language: str
    forms: dict[str, AuthorityForm]
    address: PostalAddress
    jurisdictions: tuple[str, ...]
    complaint_languages: tuple[str, ...]
    email: str | None
    webform: str | None
    web: str | None
    sources: tuple[str, ...]
    last_verified: dt.date
    note: str | None = None

    @property
    def names(self) -> dict[str, str]:
        """The name in each language the authority publishes one in."""
        return {tag: form.name for tag, form in self.forms.items()}

    @property
    def addresses(self) -> dict[str, PostalAddress]:
        """The postal address in each language the authority publishes one in."""
        return {tag: form.address for tag, form in self.forms.items() if form.address is not None}

    def form_for(self, language: str) -> AuthorityForm:
        """The form a letter in ``language`` names the authority by.

        The exact tag, then the tag without its region (``fr-CH`` -> ``fr``,
        never across scripts: ``zh-Hant`` does not fall back to ``zh``), else
        the primary form.
        """
        subtags = language.split("-")
        while subtags:
            found = self.forms.get("-".join(subtags))
            if found is not None:
                return found
            if len(subtags) == 1 or not _is_region(subtags[-1]):
                break
            subtags.pop()
        return self.forms[self.language]

    def name_in(self, language: str) -> str:
        """The authority's own name in the letter's language, else its primary name."""
        return self.form_for(language).name

    def address_in(self, language: str) -> PostalAddress:
        """The authority's own address in the letter's language, else its primary address."""
        return self.form_for(language).address or self.address


@dataclass(frozen=True)
class ControllerEntity:
    """The legal entity that controls a service's data in some jurisdictions."""

    name: str
    address: PostalAddress
    attention: str | None
    attention_text: str | None
    jurisdictions: tuple[str, ...]
    lead_authority: str | None
    sources: tuple[str, ...]
    last_verified: dt.date
    established_in: str = ""  # ISO country; the address's country unless the record says

    @property
    def establishment(self) -> str:
        """The country the entity is established in."""
        return self.established_in or self.address.country


@dataclass(frozen=True)
class Applicability:
    """A rule that makes a law apply because of where a controller entity is established."""

    id: str
    family: str
    provision: str
    established_in: tuple[str, ...]
    residence_families: tuple[str, ...]
    sources: tuple[str, ...]
    last_verified: dt.date
    residence_law_applies: tuple[str, ...] = ()  # residence families whose law applies too
    residence_roles: dict[str, str] = field(default_factory=dict)  # kind -> role in that law


@dataclass(frozen=True)
class ControllerLabels:
    """A service's own names, in one language, for what a letter quotes in English.

    Each name is the service's wording on its own pages in ``language`` (help
    centre, privacy notice), recorded with those pages in ``sources``; None where
    no such page was found, and the letter then quotes the English name.
    """

    language: str
    ai_setting_name: str | None
    ai_setting_path: str | None
    objection_form_name: str | None
    sources: tuple[str, ...]
    last_verified: dt.date


@dataclass(frozen=True)
class ServiceLabel:
    """A service's name for a setting, menu or form, as one letter quotes it.

    ``local`` is the service's own name in the letter's language; the letter
    quotes it with ``english`` in brackets. Without it the letter quotes the
    English name and says that it is the English name.
    """

    english: str
    local: str | None = None


@dataclass(frozen=True)
class Controller:
    """A service people object to, with its entities and AI-training facts."""

    slug: str
    service: str
    entities: tuple[ControllerEntity, ...]
    objection_form: str | None
    privacy_form: str | None
    privacy_email: str | None
    dpo_email: str | None
    ai_setting_name: str | None
    ai_setting_path: str | None
    ai_setting_url: str | None
    ai_training_since: dt.date | None
    ai_training_jurisdictions: tuple[str, ...]
    ai_legal_basis: str | None
    profile_hosts: tuple[str, ...]
    sources: tuple[str, ...]
    last_verified: dt.date
    notes: tuple[str, ...] = ()
    network: str | None = None  # "professional" or "social": users are members; else accounts
    objection_form_name: str | None = None  # the objection form's English name
    labels: dict[str, ControllerLabels] = field(default_factory=dict)  # language tag -> names

    def labels_in(self, language: str) -> ControllerLabels | None:
        """The service's own names in ``language`` (``fr-CA`` falls back to ``fr``)."""
        return self.labels.get(language) or self.labels.get(language.split("-")[0])

    def entity_for(self, jurisdiction: str) -> ControllerEntity | None:
        """The entity responsible for members resident in ``jurisdiction``."""
        country = jurisdiction.split("-")[0]
        for entity in self.entities:
            if jurisdiction in entity.jurisdictions or country in entity.jurisdictions:
                return entity
        return None


@dataclass(frozen=True)
class Jurisdiction:
    """A place of residence: it decides law, controller entity, authority, paper."""

    code: str
    country: str
    subdivision: str | None
    family: str
    default_language: str
    paper: str
    window: str = "left"
    letter_languages: tuple[str, ...] = ()
    residence: dict[str, str] = field(default_factory=dict)
    regional_forms: dict[str, str] = field(default_factory=dict)
    complaint_needs_subdivision: bool = False


@dataclass(frozen=True)
class LawFamily:
    """The provisions each letter kind rests on, and the deadline rule."""

    id: str
    instrument: str
    roles: dict[str, str]
    deadline_rule: str
    deadline_extension: str | None
    deadline_calendar: str
    kinds: tuple[str, ...]
    statutory_deadline_kinds: tuple[str, ...]
    sources: tuple[str, ...]
    last_verified: dt.date
    kind_deadline_rules: dict[str, str] = field(default_factory=dict)
    objection_lever: str = "objection"  # its objection letter: objection|withdrawal|opt_out
    data_term: str = "personal data"  # what the law calls it ("personal information": PIPEDA)
    complaint_is_report: bool = False  # its authority acts on a report (FADP Art. 49)
    remedy_rule: str | None = None  # period for the remedy against an unanswered request
    remedy_kinds: tuple[str, ...] = ()  # the request kinds that remedy covers

    beginning_with_from: dt.date | None = None  # from then, periods include their first day
    beginning_with_rule: str | None = None  # the family's rule for such periods

    def deadline_rule_for(self, kind: str, start: dt.date | None = None) -> str:
        """The rule that counts the period for a letter of ``kind`` (default: the family's),
        for a period starting on ``start`` (a law can change how it counts)."""
        if kind in self.kind_deadline_rules:
            return self.kind_deadline_rules[kind]
        if self.beginning_with_rule and self.begins_with(start):
            return self.beginning_with_rule
        return self.deadline_rule

    def begins_with(self, start: dt.date | None) -> bool:
        """Whether a period starting on ``start`` includes that day ("one month beginning
        with the relevant time", Art. 12A(1) UK GDPR), so it ends a day earlier."""
        return (
            self.beginning_with_from is not None
            and start is not None
            and start >= self.beginning_with_from
        )


@dataclass(frozen=True)
class DeadlineCalendar:
    """A law's days that move a deadline, as a registry record with provenance.

    ``calendar`` may name the place ``"controller"``; bind it to the controller
    entity's country with ``calendar.bind(country)`` before counting.
    """

    id: str
    place: str  # the place whose holidays the law names, in words
    calendar: Calendar
    sources: tuple[str, ...]
    last_verified: dt.date


@dataclass(frozen=True)
class TimelineEntry:
    """One step of the correspondence a complaint recounts."""

    date: dt.date
    event: str  # request, reminder, controller-complaint, reply
    annex: int | None = None


@dataclass(frozen=True)
class Requester:
    """The member writing the letter."""

    name: str
    address: PostalAddress
    email: str | None
    place: str  # the town from the address, in the nominative, or what the member typed
    place_typed: bool = False  # typed by the member, in the form the date line needs


@dataclass(frozen=True)
class Blank:
    """A detail a template kit leaves for the member to fill in: by hand on a
    printed kit, in a form field on a fillable one.

    ``name`` names the form field; ``width`` is its width class, a key of
    ``[blanks]`` in templates/layout.toml (``field``, ``wide``, ``date``,
    ``text``). A Letter lists its blanks in ``Letter.blanks``; the templates'
    ``blank`` macro (templates/_blank.html.jinja) sets each one, and
    dsr.typeset sets that macro's mark for Typst.
    """

    name: str
    width: str = "field"


@dataclass(frozen=True)
class Account:
    """How the controller identifies the member."""

    email: str
    profile_url: str | None


@dataclass(frozen=True)
class Request:
    """What the member asked for: validated input, facts not yet resolved."""

    kind: Kind
    jurisdiction: str
    controller: str
    requester: Requester
    account: Account
    language: str
    date: dt.date
    situation: str | None = None
    request_date: dt.date | None = None
    request_kind: Kind | None = None  # for a complaint or reminder: the request actually made
    controller_complaint_date: dt.date | None = None  # GB: when a s.164A complaint was made
    outcome: Outcome = Outcome.NONE
    enclosures: tuple[str, ...] = ()
    authority: str | None = None
    reference: str | None = None
    also_lang: str | None = None  # the language of a courtesy translation, if one follows

    def __post_init__(self) -> None:
        # The library takes kinds as text too: "Art21" and " ERASURE " name kinds.
        object.__setattr__(self, "kind", Kind(self.kind))
        if self.request_kind is not None:
            object.__setattr__(self, "request_kind", Kind(self.request_kind))
        object.__setattr__(self, "outcome", Outcome(self.outcome))


@dataclass(frozen=True)
class Party:
    """A sender or recipient block as printed."""

    name: str
    lines: tuple[str, ...]
    country: str
    country_name: str | None = None
    attention: str | None = None
    attention_text: str | None = None


@dataclass(frozen=True)
class Letter:
    """A letter with every fact resolved; templates only format it."""

    kind: Kind
    language: str
    locale: str
    paper: str
    family: str
    jurisdiction: str
    reference: str
    date: dt.date
    place: str
    sender: Party
    sender_email: str | None
    recipient: Party
    recipient_is_authority: bool
    controller_name: str
    controller_address: str
    service: str
    account: Account
    country_name: str
    citations: dict[str, str]
    law_abbreviation: str
    law_title: str
    window: str
    deadline_is_statutory: bool
    request_deadline_is_statutory: bool
    deadline: dt.date
    deadline_months: int
    deadline_days: int
    objection_form: str | None
    privacy_form: str | None
    ai_setting_name: str | None
    ai_setting_path: str | None
    ai_setting_url: str | None
    ai_training_since: dt.date | None
    edpb_opinion: str
    cjeu_case: str
    authority_name: str | None = None
    authority_email: str | None = None
    recipient_email: str | None = None
    web_form: str | None = None
    authority_webform: str | None = None
    lead_authority_name: str | None = None
    situation: str | None = None
    request_date: dt.date | None = None
    request_kind: Kind | None = None  # the request a complaint or reminder is about
    request_deadline: dt.date | None = None
    request_deadline_provision: str | None = None  # the law's period for that request, cited
    remedy_deadline: dt.date | None = None  # last day for the remedy against no answer (QC s.43)
    request_objection_lever: str = "objection"  # what an earlier objection letter did
    data_term: str = "personal data"  # the letter's law's term, from its family's record
    request_data_term: str = "personal data"  # the term of the law the request was made under
    request_citations: dict[str, str] = field(default_factory=dict)  # the request's law, cited
    controller_complaint_date: dt.date | None = None
    authority_role: str | None = None  # "residence", "lead" or "chosen": why it gets the complaint
    next_authority_name: str | None = None  # where a complaint about this letter would go
    law_authority_name: str | None = None  # who takes a complaint under the letter's own law
    next_authority_takes_reports: bool = False  # that authority acts on a report, not a complaint
    establishment_country: str | None = None  # set where the entity's establishment brings the law
    deadline_business_days: int = 0
    general_deadline: dt.date | None = None  # the family's usual period, where the kind has its own
    general_deadline_days: int = 0
    outcome: Outcome = Outcome.NONE
    enclosures: tuple[str, ...] = ()
    provisions_cited: tuple[str, ...] = field(default=())
    translation_into: str | None = None
    translation_of: str | None = None
    timeline: tuple[TimelineEntry, ...] = ()
    fillable: bool = False
    # A template kit's blanks, by the field they stand for ("place", "account.email",
    # "sender.lines.0", "deadline", "signature"): the field keeps its printed text
    # and type, and the templates set it as a blank (see Blank).
    blanks: dict[str, Blank] = field(default_factory=dict)
    place_typed: bool = False  # ``place`` is as the member typed it (see dsr.i18n.DateLine)
    # The lead supervisory authority (another than the addressee): its registry key,
    # for the sentence that names it with its country (see complaint.html.jinja).
    lead_authority: str | None = None
    lead_authority_country: str | None = None  # its country's name in the letter's language
    service_network: str | None = None  # see Controller.network
    # The service's names the objection quotes, in the letter's language where the
    # service's own pages give one: its setting, and with the objection form, the
    # setting's menu path and the form's name (None where the letter quotes none).
    ai_setting: ServiceLabel | None = None
    ai_setting_place: ServiceLabel | None = None
    objection_form_label: ServiceLabel | None = None
    names_in_english: bool = False  # a non-English letter quotes one of them in English only

    @property
    def sender_country_line(self) -> str:
        """The country added to the sender's address abroad, unless a line already names it.

        A Hong Kong address written in Chinese begins with 香港; the return line
        would otherwise end "… 香港 · 香港".
        """
        name = self.country_name.casefold()
        for line in (line.casefold().strip() for line in self.sender.lines):
            # Latin names are matched as a whole line; Chinese ones where they open or end it.
            wide = not name.isascii() and (line.startswith(name) or line.endswith(name))
            if line == name or wide:
                return ""
        return self.country_name
