"""The member's way through the form, from the values a page posts to a letter.

A letter is asked for in three steps, each a plain POST form that carries the
answers of the steps before it as hidden fields: where the member lives and which
company (``place``), what the member wants (``kind``), then the member's details,
the particular situation and the letter's language (``details``). Nothing is
stored between steps; the preview posts the same values again to download.

Validation is the library's: ``parse_request`` finds every problem, worded in
the member's language (dsr.ui) and with remedies named by the form's labels,
and a step shows those of its own fields.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import gettext
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache

import pycountry
from babel import Locale
from email_validator import EmailNotValidError, validate_email

from .. import choices, errors, registry, ui
from ..errors import DsrError, InvalidRequest, Problem
from ..i18n import language_name, locale_id
from ..inputs import FIELDS, field_key, parse_request
from ..model import Kind, Letter, Request
from ..pipeline import Document, document_of
from ..sending import deadline_label, kind_name, letter_kind_name
from ..track import Deadline, ical
from . import uploads

_ = ui.gettext
ngettext = ui.ngettext


class Step(enum.StrEnum):
    PLACE = "place"
    KIND = "kind"
    DETAILS = "details"


STEP_FIELDS: dict[Step, tuple[str, ...]] = {
    Step.PLACE: ("jurisdiction", "controller"),
    Step.KIND: ("kind",),
    Step.DETAILS: (
        "name",
        "address",
        "account-email",
        "email",
        "profile-url",
        "situation",
        "request-kind",
        "request-date",
        "outcome",
        "controller-complaint-date",
        "authority",
        "lang",
        "also-lang",
        "enclose",
    ),
}
# The fields the page carries (the form's own; "date" is today, "place" the address's town).
FORM_FIELDS = tuple(f for step in Step for f in STEP_FIELDS[step])
ANNEX_FIELD = "annex"  # a preview's hidden copy of an uploaded annex: name, then base64
MAX_ANNEXES = 5
MAX_ANNEX_BYTES = 4 * 1024 * 1024
MAX_ANNEX_PAGES = 50
MAX_TEXT = 4000  # no field the library reads is longer (situation's limit is lower)


def today() -> date:
    """The day on this computer's clock: a letter's date."""
    return datetime.now(UTC).astimezone().date()


def label(field_name: str) -> str:
    """A field's label on the page, in the member's language."""
    labels = {
        "jurisdiction": _("Where you live"),
        "controller": _("Company"),
        "kind": _("What you want"),
        "name": _("Your full name"),
        "address": _("Your postal address"),
        "account-email": _("The e-mail address of your account"),
        "email": _("E-mail address for the reply"),
        "profile-url": _("Your profile address (URL)"),
        "situation": _("Your particular situation"),
        "request-kind": _("What you asked for earlier"),
        "request-date": _("Date of your earlier letter"),
        "outcome": _("What happened"),
        "controller-complaint-date": _("Date of your complaint to the company"),
        "authority": _("Supervisory authority"),
        "lang": _("Language of the letter"),
        "also-lang": _("Courtesy translation"),
        "enclose": _("Enclosures (PDF)"),
        "date": _("Date of the letter"),
        "place": _("Place"),
        "reference": _("Reference"),
    }
    return labels.get(field_name, field_name)


def kind_sentence(kind: Kind, lever: str = "objection") -> str:
    """What a letter of this kind does, in one plain sentence; the objection letter as
    the member's law makes it (``LawFamily.objection_lever``): an objection, a
    withdrawal of consent, or California's opt-out."""
    if kind is Kind.OBJECTION and lever == "withdrawal":
        return _(
            "Withdraw your consent to the use of your data to train AI. Short enough for the "
            "company's own form."
        )
    if kind is Kind.OBJECTION and lever == "opt_out":
        return _(
            "Opt out of the sale and sharing of your personal information and limit the use "
            "of your sensitive personal information, as California law allows. It gives no "
            "general right to object to AI training."
        )
    sentences = {
        Kind.OBJECTION: _(
            "Object to the use of your data to train AI. Short enough for the company's own form."
        ),
        Kind.ART21: _(
            "A formal objection that explains your particular situation: the company must then "
            "stop, unless it shows compelling legitimate grounds that override your interests, "
            "or needs the data for legal claims."
        ),
        Kind.ERASURE: _(
            "Ask the company to erase your data, including copies in training data and models."
        ),
        Kind.ACCESS: _(
            "Ask what data the company holds about you, whether it trained AI on it, "
            "and who received it."
        ),
        Kind.COMPLAINT: _(
            "Complain to the data protection authority because the company did not answer "
            "your request, or did not answer it properly."
        ),
        Kind.REMINDER: _("Remind the company that the deadline for your request has passed."),
        Kind.CONTROLLER_COMPLAINT: _(
            "Complain to the company first. The UK Information Commissioner expects you to "
            "do this before you complain to them."
        ),
    }
    return sentences[kind]


def outcome_name(code: str) -> str:
    names = {
        "none": _("No answer within the deadline"),
        "refused": _("The company refused"),
        "insufficient": _("The answer was insufficient"),
    }
    return names.get(code, code)


# --- the values a page posts -------------------------------------------------------


def posted(form: Mapping[str, str]) -> dict[str, str]:
    """The form's fields the member gave, stripped; empty ones are not given."""
    values = {}
    for name in FORM_FIELDS:
        if name == "enclose":
            continue
        value = str(form.get(name, "") or "")[:MAX_TEXT]
        value = value.replace("\r\n", "\n").strip()
        if value:
            values[name] = value
    return values


@dataclass(frozen=True)
class Annex:
    """A PDF the member uploaded, to be appended to the letter."""

    name: str
    data: bytes

    @property
    def carried(self) -> str:
        """Its hidden field's value on the preview: the name, a newline, the bytes."""
        return self.name + "\n" + base64.b64encode(self.data).decode("ascii")


_SAFE_NAME = re.compile(r"[^\w.\- ]+")


def annex_name(filename: str, number: int) -> str:
    """A name fit for the letter's list of enclosures: the upload's own, tamed."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).strip(" ._")[:80]
    if not base.lower().endswith(".pdf"):
        base = f"annex-{number}.pdf" if not base else base + ".pdf"
    return base


def annex_problem(data: bytes) -> str | None:
    """Why these bytes cannot be appended as an annex, in the member's language."""
    if len(data) > MAX_ANNEX_BYTES:
        return _("The file is larger than {limit} MB.").format(limit=MAX_ANNEX_BYTES // 2**20)
    if not data.startswith(b"%PDF-"):
        return _("Only PDF files can be enclosed.")
    # Read in a child process, bounded in CPU time, memory and wall-clock time.
    found = uploads.checked(data, MAX_ANNEX_PAGES)
    if found is uploads.Verdict.ENCRYPTED:
        return _("The PDF is encrypted; enclose an unencrypted copy.")
    if found is uploads.Verdict.NO_PAGES:
        return _("The PDF has no pages.")
    if found is uploads.Verdict.TOO_MANY_PAGES:
        return ngettext(
            "The PDF has more than %(num)d page.",
            "The PDF has more than %(num)d pages.",
            MAX_ANNEX_PAGES,
        ) % {"num": MAX_ANNEX_PAGES}
    if found is not uploads.Verdict.OK:
        return _("This PDF cannot be read.")
    return None


def carried_annexes(values: list[str]) -> tuple[list[Annex], list[str]]:
    """The annexes a preview carried back, and the problems of those that are not PDFs."""
    annexes, problems = [], []
    if len(values) > MAX_ANNEXES:
        problems.append(
            ngettext(
                "You can attach up to %(num)d file.", "You can attach up to %(num)d files.",
                MAX_ANNEXES,
            ) % {"num": MAX_ANNEXES}
        )  # fmt: skip
    for number, value in enumerate(values[:MAX_ANNEXES], start=1):
        name, _newline, encoded = value.partition("\n")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            problems.append(_("One of your files did not arrive complete. Choose it again."))
            break
        problem = annex_problem(data)
        if problem:
            problems.append(f"{annex_name(name, number)}: {problem}")
            break  # one refused file is enough: the others are not read
        annexes.append(Annex(annex_name(name, number), data))
    return annexes, problems


# --- problems, the member's way ----------------------------------------------------


def _option_words(option: errors.Option) -> str:
    name = option.name
    shown = label(name) if name in FIELDS or name in FORM_FIELDS else name
    if option.value:
        if name == "kind":
            try:
                return f"«{kind_name(Kind(option.value))}»"
            except ValueError:
                pass
        return f"«{shown}: {option.value}»"
    return f"«{shown}»"


def _command_words(command: errors.Command) -> str:
    return _("the list on this page")


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Problems and remedies worded for the page, in the member's language."""
    with ui.speaking(language), errors.wording(_option_words, _command_words):
        yield


@dataclass
class Checked:
    """A step's values checked: its problems by field, and the request when whole."""

    values: dict[str, str]
    problems: dict[str, list[str]] = field(default_factory=dict)
    request: Request | None = None
    document: Document | None = None  # the request composed (checking composes it once)

    def add(self, field_name: str, message: str) -> None:
        self.problems.setdefault(field_name, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.problems


def _required(message: str) -> bool:
    return message == ui.gettext("is required")


def check(values: dict[str, str], step: Step, today: date) -> Checked:
    """``values`` as far as ``step``: the problems of its fields and the steps before.

    At the last step (and the preview) every problem counts and, with none, the
    request is parsed. The library's problems name their fields as the CLI's
    options; each is shown beside its own field."""
    checked = Checked(dict(values))
    asked = [
        f for s in Step for f in STEP_FIELDS[s] if list(Step).index(s) <= list(Step).index(step)
    ]
    try:
        request = parse_request({k: v for k, v in values.items() if k != "enclose"}, today=today)
    except InvalidRequest as error:
        for problem in _sorted(error.problems):
            field_name = problem.field if problem.field in FORM_FIELDS else ""
            if step is not Step.DETAILS and problem.field not in asked:
                continue  # a later step's field: asked for there
            checked.add(field_name or problem.field, _sentence(problem, values))
        return checked
    except DsrError as error:  # a registry fault: shown, not a traceback
        checked.add("", str(error))
        return checked
    if step is Step.DETAILS:
        try:  # some problems only composing finds (a reminder dated before the deadline)
            checked.document = document_of(request)
        except InvalidRequest as error:
            for problem in _sorted(error.problems):
                field_name = problem.field if problem.field in FORM_FIELDS else ""
                checked.add(field_name or problem.field, _sentence(problem, values))
            return checked
        except DsrError as error:
            checked.add("", str(error))
            return checked
        checked.request = request
    return checked


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {name: number for number, name in enumerate(FORM_FIELDS)}
    return sorted(problems, key=lambda p: order.get(p.field, len(order)))


EMAIL_FIELDS = ("account-email", "email")


def _sentence(problem: Problem, values: Mapping[str, str]) -> str:
    """A problem as a sentence beside its field: "is required" says what to enter, an
    address that is no e-mail address says what one looks like (the library's sentence
    quotes the value and the validator's English reason, for the command line)."""
    message = problem.message
    if _required(message):
        return required(problem.field)
    if problem.field in EMAIL_FIELDS and not _is_email(values.get(problem.field, "")):
        return _("Enter an e-mail address in the form name@example.org.")
    return message[:1].upper() + message[1:]


def _is_email(text: str) -> bool:
    try:
        validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def required(field_name: str) -> str:
    """What to do about a field left empty, in the member's language."""
    sentences = {
        "jurisdiction": _("Choose where you live."),
        "controller": _("Choose the company."),
        "kind": _("Choose what you want to do."),
        "name": _("Enter your full name."),
        "address": _("Enter your postal address."),
        "account-email": _("Enter the e-mail address of your account."),
        "situation": _("Describe your particular situation."),
        "request-kind": _("Choose what you asked for earlier."),
        "request-date": _("Enter the date of your earlier letter."),
        "outcome": _("Choose what happened."),
        "lang": _("Choose the language of the letter."),
    }
    return sentences.get(field_name) or _("This is required.")


def with_annexes(checked: Checked, annexes: list[Annex]) -> Document:
    """The checked request's document, the uploaded annexes appended and listed (the
    letter names them: composed again only then)."""
    assert checked.request is not None
    if not annexes and checked.document is not None:
        return checked.document
    request = dataclasses.replace(checked.request, enclosures=tuple(a.name for a in annexes))
    return document_of(request, tuple(a.data for a in annexes))


# --- what the form offers ----------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    description: str = ""
    group: str = ""


def countries(language: str) -> list[Choice]:
    """Where a member may live, by the country's name in ``language``; a country with
    regions (Germany's Länder, Canada's provinces) lists them after the country."""
    territories = Locale.parse(locale_id(language)).territories
    found = []
    for choice in choices.jurisdictions():
        country = territories.get(choice.country, choice.name)
        if "-" in choice.code:
            region = region_name(choice.code, language)
            found.append(Choice(choice.code, f"{country} \N{EN DASH} {region}", group=country))
        else:
            found.append(Choice(choice.code, country, group=country))
    found.sort(key=lambda c: (_collation_key(c.group, language), "-" in c.code, c.name))
    return found


@cache
def _subdivision_names(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[locale_id(language)], fallback=True
    )


def region_name(code: str, language: str) -> str:
    """A region's name (ISO 3166-2, from pycountry) in ``language`` where it has one."""
    found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    if found is None:
        return code
    if language.split("-")[0] == "en":  # iso-codes' English is partial: the ISO names
        return str(found.name)
    return _subdivision_names(language).gettext(found.name)


def _collation_key(text: str, language: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold() or text


def companies(query: str = "") -> list[Choice]:
    """The known companies, LinkedIn first, those matching ``query`` (any part of the
    service's or an entity's name, any case)."""
    wanted = query.casefold().strip()
    found = []
    for controller in choices.controllers():
        names = " ".join([controller.service, *(e.name for e in controller.entities)])
        if wanted and wanted not in names.casefold():
            continue
        found.append(Choice(controller.code, controller.service))
    found.sort(key=lambda c: (c.code != "linkedin", c.name.casefold()))
    return found


def kinds_offered(values: Mapping[str, str]) -> list[Choice]:
    """The kinds the member's law offers against this company, each with its sentence."""
    code = values.get("jurisdiction", "")
    jurisdiction = registry.jurisdictions().get(code)
    controller = registry.controller(field_key(values.get("controller") or "linkedin"))
    if jurisdiction is None or controller is None:
        return []
    entity = controller.entity_for(jurisdiction.code)
    family, _how = registry.applicable_law(jurisdiction.code, entity)
    authority = registry.authority_for(jurisdiction.code)
    # Where the authority acts on a report, not on a complaint (Switzerland's FDPIC),
    # the kind is named as what it is.
    report = authority is not None and registry.complaint_family(authority).complaint_is_report
    lever = family.objection_lever
    offered = [
        Choice(kind.value, kind_name(kind, lever), kind_sentence(kind, lever))
        if not (report and kind is Kind.COMPLAINT)
        else Choice(
            kind.value,
            _("Report to the data protection authority"),
            _(
                "Report the company to the data protection authority, which must open an "
                "investigation if there are sufficient signs of a breach."
            ),
        )
        for kind in Kind
        if kind.value in family.kinds
    ]
    # Where the law asks for a complaint to the company first (the UK), it comes first.
    first = {Kind.CONTROLLER_COMPLAINT.value: 0, Kind.COMPLAINT.value: 1}
    follow_ups = sorted((c for c in offered if c.code in first), key=lambda c: first[c.code])
    return [c for c in offered if c.code not in first] + follow_ups


def tracked_kind_name(kind: str, jurisdiction: str, controller: str) -> str:
    """A tracked letter's kind as the page names it, under the member's law."""
    found = registry.jurisdictions().get(jurisdiction)
    company = registry.controller(controller)
    if found is None or company is None or company.entity_for(found.code) is None:
        return kind_name(Kind(kind))
    family, _how = registry.applicable_law(found.code, company.entity_for(found.code))
    if kind == Kind.COMPLAINT.value and reports(found.code):
        return _("Report to the data protection authority")
    return kind_name(Kind(kind), family.objection_lever)


def objection_law(values: Mapping[str, str]) -> bool:
    """Whether the member's law makes the first letter an objection (not a withdrawal
    of consent or an opt-out)."""
    jurisdiction = registry.jurisdictions().get(values.get("jurisdiction", ""))
    controller = registry.controller(field_key(values.get("controller") or "linkedin"))
    if jurisdiction is None or controller is None:
        return False
    family, _how = registry.applicable_law(
        jurisdiction.code, controller.entity_for(jurisdiction.code)
    )
    return family.objection_lever == "objection"


def setting_of(values: Mapping[str, str]) -> tuple[str, str] | None:
    """The company's own setting against AI training, as (its name, its address)."""
    controller = registry.controller(field_key(values.get("controller") or "linkedin"))
    if controller is None or not controller.ai_setting_url or not controller.ai_setting_name:
        return None
    return controller.ai_setting_name, controller.ai_setting_url


def letter_languages(ui_language: str) -> list[Choice]:
    return [
        Choice(choice.code, f"{choice.name} ({language_name(choice.code, ui_language)})")
        if language_name(choice.code, ui_language) != choice.name
        else Choice(choice.code, choice.name)
        for choice in choices.languages()
    ]


def authorities() -> list[Choice]:
    found = [Choice(a.code, a.name) for a in choices.authorities()]
    found.sort(key=lambda c: c.name.casefold())
    return found


def company_name(values: Mapping[str, str]) -> str:
    controller = registry.controller(field_key(values.get("controller") or "linkedin"))
    return controller.service if controller else ""


def default_language(values: Mapping[str, str]) -> str:
    jurisdiction = registry.jurisdictions().get(values.get("jurisdiction", ""))
    return jurisdiction.default_language if jurisdiction else "en"


# --- what the member downloads -----------------------------------------------------


def file_name(letter: Letter, extension: str) -> str:
    company = re.sub(r"[^a-z0-9]+", "-", letter.service.casefold()).strip("-") or "company"
    return f"{letter.kind.value}-{company}-{letter.language}.{extension}"


def reports(jurisdiction: str) -> bool:
    """Whether the authority for ``jurisdiction`` acts on a report, not a complaint."""
    authority = registry.authority_for(jurisdiction)
    return authority is not None and registry.complaint_family(authority).complaint_is_report


def lever_of(letter: Letter) -> str:
    """What the letter's law makes of an objection (objection, withdrawal, opt_out)."""
    return registry.law_families()[letter.family].objection_lever


def deadline_calendar(letter: Letter, now: Callable[[], datetime]) -> bytes:
    """An iCalendar file with the letter's reply deadline, an alarm the day before."""
    summary = "{label}: {what}".format(
        label=deadline_label(letter),
        what=_("{kind} to {company} ({reference})").format(
            kind=letter_kind_name(letter),
            company=letter.recipient.name,
            reference=letter.reference,
        ),
    )
    description = _("Letter of {date} to {company}, reference {reference}.").format(
        date=letter.date.isoformat(), company=letter.recipient.name, reference=letter.reference
    )
    deadline = Deadline(
        uid=f"{letter.reference}@dsr.invalid",
        day=letter.deadline,
        stamp=now(),
        summary=summary,
        description=description,
        alarm=summary,
    )
    return ical([deadline])
