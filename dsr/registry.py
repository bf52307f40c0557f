"""Registries of law, jurisdictions, controllers and authorities.

Facts live in data files under ``dsr/data`` (TOML and JSON), each record with
``sources`` and ``last_verified``. This module only loads and indexes them;
adding a jurisdiction or a controller is adding a record.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from datetime import date
from functools import cache
from typing import Any, Final

from . import userdata
from .deadlines import Calendar
from .errors import LIST_AUTHORITIES, RegistryError, words
from .layout import rows, window_width
from .model import (
    Applicability,
    Authority,
    AuthorityForm,
    Controller,
    ControllerEntity,
    ControllerLabels,
    DeadlineCalendar,
    Instrument,
    Jurisdiction,
    LawFamily,
    PostalAddress,
    Provision,
)
from .resources import data_file
from .text import RECORD_RULES, refused_character, shape_problem, unbreakable_runs, url_host


def _toml(name: str) -> dict[str, Any]:
    with data_file(name).open("rb") as handle:
        return tomllib.load(handle)


def _date(value: Any, where: str, field: str = "last_verified") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise RegistryError(f"{where}: {field} is not a date: {value!r}") from error


NETWORKS = ("professional", "social")


def _network(value: Any, where: str) -> str | None:
    if value is None or value in NETWORKS:
        return value  # type: ignore[no-any-return]
    raise RegistryError(f"{where}: network must be one of {', '.join(NETWORKS)}, not {value!r}")


def _sources(record: dict[str, Any], where: str) -> tuple[str, ...]:
    sources = record.get("sources")
    if not sources:
        raise RegistryError(f"{where}: record has no sources")
    return tuple(str(s) for s in sources)


@cache
def _law() -> dict[str, Any]:
    return _toml("law.toml")


@cache
def instruments() -> dict[str, Instrument]:
    out = {}
    for key, rec in _law()["instruments"].items():
        where = f"law.toml instruments.{key}"
        out[key] = Instrument(
            id=key,
            style=rec.get("style", "eu"),
            abbreviation=dict(rec["abbreviation"]),
            title=dict(rec["title"]),
            sources=_sources(rec, where),
            last_verified=_date(rec["last_verified"], where),
            applies_from=_applies_from(rec, where),
        )
    return out


def _applies_from(rec: dict[str, Any], where: str) -> date | None:
    """The day a law began to apply, with the source that says so, or None."""
    if "applies_from" not in rec:
        return None
    if not str(rec.get("applies_from_source", "")).strip():
        raise RegistryError(f"{where}: applies_from without applies_from_source")
    return _date(rec["applies_from"], where, "applies_from")


@cache
def provisions() -> dict[str, Provision]:
    out = {}
    for key, rec in _law()["provisions"].items():
        where = f"law.toml provisions.{key}"
        out[key] = Provision(
            id=key,
            instrument=rec["instrument"],
            article=str(rec["article"]),
            unit=rec.get("unit", "article"),
            paragraph=rec.get("paragraph"),
            point=rec.get("point"),
            sources=_sources(rec, where),
            last_verified=_date(rec["last_verified"], where),
            in_force_from=(
                _date(rec["in_force_from"], where, "in_force_from")
                if "in_force_from" in rec
                else None
            ),
            replaces=rec.get("replaces"),
        )
    for key, provision in out.items():
        if provision.replaces is not None and provision.replaces not in out:
            raise RegistryError(f"law.toml provisions.{key}: replaces unknown {provision.replaces}")
    return out


def provision_on(provision_id: str, day: date) -> Provision | None:
    """The provision in force on ``day`` for a role: ``provision_id`` or the one it replaced.

    None where no provision of that chain was in force yet (the right did not exist).
    """
    known = provisions()
    found: Provision | None = known[provision_id]
    while found is not None and found.in_force_from is not None and day < found.in_force_from:
        found = known[found.replaces] if found.replaces else None
    return found


@cache
def documents() -> dict[str, dict[str, Any]]:
    """Other documents letters name (EDPB opinions), with provenance."""
    docs: dict[str, dict[str, Any]] = _law()["documents"]
    for key, rec in docs.items():
        _sources(rec, f"law.toml documents.{key}")
    return docs


@cache
def deadline_calendars() -> dict[str, DeadlineCalendar]:
    """Which days move a deadline, per law (``[deadline_calendars.*]`` in law.toml)."""
    out = {}
    for key, rec in _law().get("deadline_calendars", {}).items():
        where = f"law.toml deadline_calendars.{key}"
        try:
            calendar = Calendar.from_record(
                places=rec["places"],
                nonworking_weekdays=rec.get("nonworking_weekdays", ("sat", "sun")),
                roll_weekdays=rec.get("roll_weekdays"),
                categories=rec.get("categories"),
                extra_holidays=rec.get("extra_holidays", ()),
            )
        except (KeyError, ValueError) as error:
            raise RegistryError(f"{where}: {error}") from None
        out[key] = DeadlineCalendar(
            id=key,
            place=str(rec.get("place", "")),
            calendar=calendar,
            sources=_sources(rec, where),
            last_verified=_date(rec["last_verified"], where),
        )
    return out


@cache
def law_families() -> dict[str, LawFamily]:
    out = {}
    known = provisions()
    calendars = deadline_calendars()
    for key, rec in _law()["families"].items():
        where = f"law.toml families.{key}"
        roles = dict(rec["roles"])
        for role, provision_id in roles.items():
            if provision_id not in known:
                raise RegistryError(f"{where}: role {role} names unknown provision {provision_id}")
        if rec["deadline_calendar"] not in calendars:
            raise RegistryError(
                f"{where}: deadline_calendar names unknown calendar {rec['deadline_calendar']}"
            )
        out[key] = LawFamily(
            id=key,
            instrument=rec["instrument"],
            roles=roles,
            deadline_rule=rec["deadline_rule"],
            deadline_extension=rec.get("deadline_extension"),
            deadline_calendar=rec["deadline_calendar"],
            kinds=tuple(rec["kinds"]),
            statutory_deadline_kinds=tuple(rec["statutory_deadline_kinds"]),
            kind_deadline_rules=dict(rec.get("kind_deadline_rules", {})),
            beginning_with_from=(
                _date(rec["beginning_with_from"], where, "beginning_with_from")
                if "beginning_with_from" in rec
                else None
            ),
            beginning_with_rule=rec.get("beginning_with_rule"),
            objection_lever=rec.get("objection_lever", "objection"),
            data_term=rec.get("data_term", "personal data"),
            complaint_is_report=bool(rec.get("complaint_is_report", False)),
            remedy_rule=rec.get("remedy_rule"),
            remedy_kinds=tuple(rec.get("remedy_kinds", ())),
            sources=_sources(rec, where),
            last_verified=_date(rec["last_verified"], where),
        )
    return out


@cache
def applicability_rules() -> tuple[Applicability, ...]:
    """Rules under which an entity's establishment brings a law (Art. 3(1) GDPR)."""
    out = []
    known = law_families()
    for key, rec in _law().get("applicability", {}).items():
        where = f"law.toml applicability.{key}"
        if rec["family"] not in known or rec["provision"] not in provisions():
            raise RegistryError(f"{where}: unknown family or provision")
        out.append(
            Applicability(
                id=key,
                family=rec["family"],
                provision=rec["provision"],
                established_in=expand_groups(list(rec["established_in"])),
                residence_families=tuple(rec["residence_families"]),
                residence_law_applies=tuple(rec.get("residence_law_applies", ())),
                residence_roles=dict(rec.get("residence_roles", {})),
                sources=_sources(rec, where),
                last_verified=_date(rec["last_verified"], where),
            )
        )
    return tuple(out)


def applicable_law(
    jurisdiction: str, entity: ControllerEntity | None
) -> tuple[LawFamily, Applicability | None]:
    """The law family a request to ``entity`` from a resident of ``jurisdiction`` rests on.

    The law of residence, unless the entity's establishment brings another
    (for instance the GDPR for an entity established in the EU, Art. 3(1)):
    then that family, and the rule that made it apply.
    """
    residence = law_families()[jurisdictions()[jurisdiction].family]
    if entity is not None:
        for rule in applicability_rules():
            if (
                residence.id in rule.residence_families
                and entity.establishment in rule.established_in
            ):
                return law_families()[rule.family], rule
    return residence, None


def complaint_family(authority: Authority) -> LawFamily:
    """The law an authority applies: that of the jurisdictions it serves."""
    for code in authority.jurisdictions:
        found = jurisdictions().get(code)
        if found is not None:
            return law_families()[found.family]
    raise RegistryError(f"authorities.json {authority.slug}: serves no known jurisdiction")


@cache
def _jurisdiction_data() -> dict[str, Any]:
    return _toml("jurisdictions.toml")


@cache
def groups() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in _jurisdiction_data()["groups"].items()}


@cache
def jurisdictions() -> dict[str, Jurisdiction]:
    out = {}
    for code, rec in _jurisdiction_data()["jurisdictions"].items():
        country, _, subdivision = code.partition("-")
        out[code] = Jurisdiction(
            code=code,
            country=country,
            subdivision=subdivision or None,
            family=rec["family"],
            default_language=rec["default_language"],
            paper=rec["paper"],
            window=rec.get("window", "left"),
            residence=dict(rec.get("residence", {})),
            regional_forms=dict(rec.get("regional_forms", {})),
            letter_languages=tuple(rec.get("letter_languages", ())),
            complaint_needs_subdivision=bool(rec.get("complaint_needs_subdivision", False)),
        )
    return out


def expand_groups(codes: list[str]) -> tuple[str, ...]:
    """Replace group names (EU, EEA) by their member codes."""
    known = groups()
    out: list[str] = []
    for code in codes:
        out.extend(known.get(code, (code,)))
    return tuple(out)


# What a controller record may hold: every text single-line, without control or
# bidi characters, bounded, its words and combining marks as a member's
# (dsr.text.RECORD_RULES); addresses fit the window; links are web or mail links.
_RECORD_TEXT = (
    "service", "objection_form", "privacy_form", "dpo_form", "privacy_email", "dpo_email",
    "ai_setting_name", "ai_setting_path", "ai_setting_url", "ai_legal_basis", "network",
    "objection_form_name",
)  # fmt: skip
_ENTITY_TEXT = (
    "name", "attention", "attention_text", "lead_authority", "established_in", "country",
)  # fmt: skip
_RECORD_LINKS = ("objection_form", "privacy_form", "dpo_form", "ai_setting_url")
# Every field a record and an entity may have: another ("web_form", "privacy_emial")
# would be dropped without a word, and the letter go without what it was meant to say.
RECORD_FIELDS: Final = frozenset({
    *_RECORD_TEXT, "entities", "ai_training_since", "ai_training_jurisdictions",
    "profile_hosts", "sources", "last_verified", "notes", "labels",
})  # fmt: skip
ENTITY_FIELDS: Final = frozenset({
    *_ENTITY_TEXT, "address", "jurisdictions", "sources", "last_verified",
})  # fmt: skip


def _unknown_fields(record: dict[str, Any], known: frozenset[str], what: str) -> list[str]:
    """A problem for each field of ``record`` dsr does not read, with the near one."""
    problems = []
    for key in sorted(str(key) for key in record if key not in known):
        near = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else f"; use {', '.join(sorted(known))}"
        problems.append(f"{what}unknown field {key[:40]!r}{hint}")
    return problems


_RECORD_EMAILS = ("privacy_email", "dpo_email")
MAX_ADDRESS_LINES = 6
MAX_LIST = 200


def _text_problem(value: Any, key: str) -> str | None:
    """Why ``value`` cannot be the record's text ``key`` (a key of dsr.text.RECORD_RULES)."""
    if not isinstance(value, str):
        return f"must be text, not {type(value).__name__} {value!r:.60}"
    rule = RECORD_RULES[key]
    if len(value) > rule.limit:
        return f"is {len(value)} characters long; the limit is {rule.limit}"
    return refused_character(value) or shape_problem(value, rule)


def _strings_problem(value: Any, key: str) -> str | None:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        return f"must be a list of at most {MAX_LIST} texts, not {value!r:.60}"
    for item in value:
        problem = _text_problem(item, key)
        if problem:
            return f"{item!r:.60} {problem}"
    return None


RECIPIENT_ROOM = 8  # lines of 8 pt in the window (base.html.jinja's last setting)
# The longest translation of "Attn: Data Protection Officer" stands for an entity's "dpo".
_ATTENTION = "Attn: Person in charge of the protection of personal information"


def _recipient_rows(entity: dict[str, Any]) -> int:
    """Lines an entity's recipient block takes in the window at 8 pt, its country's included."""
    attention = entity.get("attention_text") or (_ATTENTION if entity.get("attention") else "")
    lines = [entity.get("name") or "", attention, *(entity.get("address") or ()), "COUNTRY"]
    width = window_width("left")
    return sum(rows(unbreakable_runs(str(line)), 8, width) for line in lines if line)


def check_controller_record(rec: Any, where: str) -> None:
    """Refuse a record whose fields have the wrong type or text dsr must not print.

    Checked: types, lengths, single lines without control or bidi characters,
    the words and combining marks of printed text (as a member's, by
    dsr.text.RECORD_RULES: no run no line can break over 64 characters, no
    stack of marks), address lines (at most six), ISO country codes, links (https only: a
    member opens them and pastes a letter into the forms) and profile hosts
    (host names, no wildcard). Raises RegistryError naming the field.
    """
    if not isinstance(rec, dict):
        raise RegistryError(f"{where}: not a record (an object) but {type(rec).__name__}")
    problems: list[str] = _unknown_fields(rec, RECORD_FIELDS, "")
    for field in _RECORD_TEXT:
        if rec.get(field) is not None:
            problem = _text_problem(rec[field], field)
            if problem:
                problems.append(f"{field} {problem}")
    for field in _RECORD_LINKS:
        value = rec.get(field)
        if isinstance(value, str) and url_host(value) is None:
            problems.append(f"{field} {value!r:.80} is not a plain https:// link")
    for field in _RECORD_EMAILS:
        value = rec.get(field)
        if isinstance(value, str) and not _email_ok(value):
            problems.append(f"{field} {value!r:.80} is not one e-mail address")
    for field in ("notes", "sources", "profile_hosts", "ai_training_jurisdictions"):
        if rec.get(field) is not None:
            problem = _strings_problem(rec[field], field)
            if problem:
                problems.append(f"{field}: {problem}")
    hosts = rec.get("profile_hosts")
    for host in hosts if isinstance(hosts, list) else ():
        if isinstance(host, str) and not _host_ok(host):
            problems.append(
                f"profile_hosts: {host!r:.80} is not a host name (lower-case, such as "
                "example.com; no '*', scheme or path)"
            )
    entities = rec.get("entities")
    if not isinstance(entities, list) or not entities or len(entities) > MAX_LIST:
        problems.append("entities must be a non-empty list of entity records")
        entities = []
    for number, entity in enumerate(entities, start=1):
        if not isinstance(entity, dict):
            problems.append(f"entity {number} is not a record but {type(entity).__name__}")
            continue
        problems += _unknown_fields(entity, ENTITY_FIELDS, f"entity {number} ")
        for field in _ENTITY_TEXT:
            if entity.get(field) is not None:
                problem = _text_problem(entity[field], f"entity {field}")
                if problem:
                    problems.append(f"entity {number} {field} {problem}")
        for field in ("country", "established_in"):
            code = entity.get(field)
            if isinstance(code, str) and code and not _country_ok(code):
                problems.append(
                    f"entity {number} {field} {code!r:.20} is not an ISO country code "
                    "whose deadlines dsr can count"
                )
        lines = entity.get("address")
        problem = _strings_problem(lines, "entity address") if lines is not None else None
        if problem:
            problems.append(f"entity {number} address: {problem}")
        elif isinstance(lines, list) and not 1 <= len(lines) <= MAX_ADDRESS_LINES:
            problems.append(
                f"entity {number} address has {len(lines)} lines; 1 to {MAX_ADDRESS_LINES} "
                "fit the window"
            )
        elif not any(problem.startswith(f"entity {number} ") for problem in problems):
            taken = _recipient_rows(entity)
            if taken > RECIPIENT_ROOM:
                problems.append(
                    f"entity {number}: its name, attention line and address would take "
                    f"{taken} lines in the envelope's window even in its smallest type; "
                    f"it holds {RECIPIENT_ROOM}"
                )
        for field in ("jurisdictions", "sources"):
            if entity.get(field) is not None:
                problem = _strings_problem(entity[field], f"entity {field}")
                if problem:
                    problems.append(f"entity {number} {field}: {problem}")
    problems.extend(_labels_problems(rec))
    if problems:
        raise RegistryError(f"{where}: " + "; ".join(problems))


# A controller's own names in other languages for what letters quote in English.
LABEL_NAMES = ("ai_setting_name", "ai_setting_path", "objection_form_name")
_LABEL_FIELDS = frozenset((*LABEL_NAMES, "sources", "last_verified"))
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")


def _labels_problems(rec: dict[str, Any]) -> list[str]:
    """What is wrong with a record's ``labels`` table: ``labels.<language>.<name>``.

    Each language's names are the controller's own wording, so each table needs
    its sources and last_verified; a name needs the English name it stands for.
    """
    labels = rec.get("labels")
    if labels is None:
        return []
    if not isinstance(labels, dict) or len(labels) > MAX_LIST:
        return [f"labels must be a table of at most {MAX_LIST} languages, not {labels!r:.60}"]
    problems: list[str] = []
    for language, table in labels.items():
        where = f"labels.{language}"
        if not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language):
            problems.append(f"{where}: {language!r:.20} is not a language tag such as fr or de-CH")
            continue
        if language.split("-")[0] == "en":
            problems.append(f"{where}: the English names are the record's own fields")
            continue
        if not isinstance(table, dict):
            problems.append(f"{where} must be a table, not {type(table).__name__}")
            continue
        unknown = sorted(str(key) for key in table if key not in _LABEL_FIELDS)
        if unknown:
            problems.append(
                f"{where}: unknown field {', '.join(unknown)}; "
                f"the fields are {', '.join(sorted(_LABEL_FIELDS))}"
            )
        names = [name for name in LABEL_NAMES if table.get(name) is not None]
        if not names:
            problems.append(f"{where} names none of {', '.join(LABEL_NAMES)}")
        for name in names:
            problem = _text_problem(table[name], name)
            if problem:
                problems.append(f"{where}.{name} {problem}")
            elif rec.get(name) is None:
                problems.append(f"{where}.{name} stands for an English {name} the record lacks")
        origin = "the controller's own pages the names come from"
        problems += _provenance_problems(table, where, origin)
    return problems


def _provenance_problems(table: dict[str, Any], where: str, origin: str) -> list[str]:
    """What is wrong with a record's ``sources`` and ``last_verified``."""
    problems = []
    sources = table.get("sources")
    problem = _strings_problem(sources, "sources") if sources is not None else None
    if not sources or problem:
        problems.append(f"{where}.sources must list {origin}" + (f": {problem}" if problem else ""))
    verified = table.get("last_verified")
    try:
        _date(verified, where)
    except RegistryError:
        problems.append(f"{where}.last_verified must be a date (YYYY-MM-DD), not {verified!r:.30}")
    return problems


def _labels(rec: dict[str, Any], where: str) -> dict[str, ControllerLabels]:
    return {
        language: ControllerLabels(
            language=language,
            ai_setting_name=table.get("ai_setting_name"),
            ai_setting_path=table.get("ai_setting_path"),
            objection_form_name=table.get("objection_form_name"),
            sources=tuple(str(s) for s in table["sources"]),
            last_verified=_date(table["last_verified"], f"{where} labels.{language}"),
        )
        for language, table in (rec.get("labels") or {}).items()
    }


_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _host_ok(value: str) -> bool:
    """A host name a profile URL may be on: dotted labels of a-z, 0-9 and inner hyphens."""
    labels = value.split(".")
    return (
        len(value) <= 253
        and len(labels) >= 2
        and all(_HOST_LABEL.fullmatch(label) for label in labels)
    )


def _email_ok(value: str) -> bool:
    local, at, domain = value.partition("@")
    forbidden = set(' \t,;<>"()[]\\:')
    return bool(
        local and at and "." in domain and "@" not in domain
        and not forbidden & set(value) and refused_character(value) is None
    )  # fmt: skip


@cache
def _countries() -> frozenset[str]:
    """Countries an entity may be in: ISO codes whose public holidays dsr knows."""
    import holidays

    return frozenset(str(code) for code in holidays.list_supported_countries())


def _country_ok(code: str) -> bool:
    return code in _countries() and code.isascii() and code.isupper()


def _check_lead_authority(entity: ControllerEntity, where: str) -> None:
    """A lead authority is one a law gives that role (the GDPR's one-stop shop, Art. 56(1):
    the authority of the main establishment), of the entity's own country."""
    if entity.lead_authority is None:
        return
    authority = authorities().get(entity.lead_authority)
    if authority is None:
        raise RegistryError(words(f"{where}: lead_authority {entity.lead_authority!r} is no "
                                  "authority dsr knows ('", LIST_AUTHORITIES, "')"))  # fmt: skip
    family = complaint_family(authority)
    countries = {jurisdictions()[code].country for code in authority.jurisdictions
                 if code in jurisdictions()}  # fmt: skip
    if "lead_authority" not in family.roles or entity.establishment not in countries:
        raise RegistryError(
            f"{where}: lead_authority {entity.lead_authority!r} cannot lead for an entity "
            f"established in {entity.establishment}: a lead authority is the one of the "
            "country of the entity's main establishment, under a law that gives that role "
            "(the GDPR, Art. 56(1)); leave it out where there is none"
        )


def controller_from_record(slug: str, rec: dict[str, Any], where: str) -> Controller:
    """Build a Controller from a record in dsr's format; raises RegistryError."""
    check_controller_record(rec, where)
    try:
        entities = tuple(
            ControllerEntity(
                name=ent["name"],
                address=PostalAddress(tuple(ent["address"]), ent["country"]),
                attention=ent.get("attention"),
                attention_text=ent.get("attention_text"),
                jurisdictions=expand_groups(ent["jurisdictions"]),
                lead_authority=ent.get("lead_authority"),
                established_in=ent.get("established_in", ""),
                sources=_sources(ent, f"{where} entity {ent['name']}"),
                last_verified=_date(ent["last_verified"], where),
            )
            for ent in rec["entities"]
        )
        for entity in entities:
            _check_lead_authority(entity, f"{where} entity {entity.name!r}")
        since = rec.get("ai_training_since")
        return Controller(
            slug=slug,
            service=rec["service"],
            entities=entities,
            objection_form=rec.get("objection_form"),
            privacy_form=rec.get("privacy_form"),
            privacy_email=rec.get("privacy_email"),
            dpo_email=rec.get("dpo_email"),
            ai_setting_name=rec.get("ai_setting_name"),
            ai_setting_path=rec.get("ai_setting_path"),
            ai_setting_url=rec.get("ai_setting_url"),
            ai_training_since=_date(since, where, "ai_training_since") if since else None,
            ai_training_jurisdictions=expand_groups(rec.get("ai_training_jurisdictions", [])),
            ai_legal_basis=rec.get("ai_legal_basis"),
            profile_hosts=tuple(rec.get("profile_hosts", ())),
            sources=_sources(rec, where),
            last_verified=_date(rec["last_verified"], where),
            notes=tuple(rec.get("notes", ())),
            network=_network(rec.get("network"), where),
            objection_form_name=rec.get("objection_form_name"),
            labels=_labels(rec, where),
        )
    except KeyError as error:
        raise RegistryError(f"{where}: missing field {error.args[0]!r}") from None
    except (TypeError, AttributeError) as error:
        raise RegistryError(f"{where}: malformed record ({error})") from None


@cache
def builtin_controllers() -> dict[str, Controller]:
    return {
        slug: controller_from_record(slug, rec, f"controllers.toml {slug}")
        for slug, rec in _toml("controllers.toml").items()
    }


_SESSION_CONTROLLERS: dict[str, Controller] = {}


def register_controller(controller: Controller) -> None:
    """Make a controller read from a file available to this process's letters."""
    _SESSION_CONTROLLERS[controller.slug] = controller


def controller(slug: str) -> Controller | None:
    """One controller by slug, reading only its own file if it was imported."""
    if slug in _SESSION_CONTROLLERS:
        return _SESSION_CONTROLLERS[slug]
    if slug in builtin_controllers():
        return builtin_controllers()[slug]
    return userdata.imported_controller(slug, controller_from_record)


def controllers() -> dict[str, Controller]:
    """Imported controllers, then built-ins (which win), then this process's own."""
    imported = userdata.imported_controllers(controller_from_record)
    return {**imported, **builtin_controllers(), **_SESSION_CONTROLLERS}


def imported_record(slug: str) -> dict[str, Any] | None:
    """The record of a controller the user imported, as it is now (``userdata.imported_record``)."""
    return userdata.imported_record(slug, controller_from_record)


# Each per-language form of an authority: its own name and address in that language.
_FORM_FIELDS = frozenset(("name", "address", "sources", "last_verified", "note"))
MAX_FORMS = 12


def _language_tag_problem(tag: Any) -> str | None:
    """Why ``tag`` is no language a form may be in: a BCP 47 tag CLDR knows (el, zh-Hant, fr-CA)."""
    if not isinstance(tag, str) or not _LANGUAGE_TAG.fullmatch(tag):
        return f"{tag!r:.20} is not a BCP 47 language tag such as el, zh-Hant or fr-CA"
    from babel import localedata  # only when the registry is loaded; `dsr --help` stays fast

    if not localedata.exists(tag.replace("-", "_")):
        return f"{tag!r} is a well-formed tag, but no language CLDR knows"
    return None


def authority_forms_problems(rec: Any) -> list[str]:
    """What is wrong with an authority record's ``language`` and ``forms``.

    ``forms`` maps a language tag to the name and address the authority itself
    publishes in that language, each with its sources and last_verified; the
    form in ``language`` is the primary one and must equal the record's
    ``name`` and ``address``.
    """
    if not isinstance(rec, dict):
        return [f"not a record (an object) but {type(rec).__name__}"]
    problems: list[str] = []
    primary = rec.get("language")
    problem = _language_tag_problem(primary)
    if problem:
        problems.append(f"language (of the primary name and address): {problem}")
    forms = rec.get("forms")
    if not isinstance(forms, dict) or not forms or len(forms) > MAX_FORMS:
        return [
            *problems,
            f"forms must be an object of 1 to {MAX_FORMS} languages, not {forms!r:.60}",
        ]
    for tag, form in forms.items():
        where = f"forms.{tag}"
        problem = _language_tag_problem(tag)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        if not isinstance(form, dict):
            problems.append(f"{where} must be an object, not {type(form).__name__}")
            continue
        unknown = sorted(str(key) for key in form if key not in _FORM_FIELDS)
        if unknown:
            problems.append(
                f"{where}: unknown field {', '.join(unknown)}; "
                f"the fields are {', '.join(sorted(_FORM_FIELDS))}"
            )
        problem = _text_problem(form.get("name"), "authority name")
        if problem:
            problems.append(f"{where}.name {problem}")
        lines = form.get("address")
        if lines is not None:
            problem = _strings_problem(lines, "authority address")
            if problem:
                problems.append(f"{where}.address: {problem}")
            elif len(lines) > MAX_ADDRESS_LINES:
                problems.append(
                    f"{where}.address has {len(lines)} lines; at most {MAX_ADDRESS_LINES} "
                    "fit the window"
                )
        if form.get("note") is not None:
            problem = _text_problem(form["note"], "authority note")
            if problem:
                problems.append(f"{where}.note {problem}")
        origin = "the authority's own pages the form comes from"
        problems += _provenance_problems(form, where, origin)
    if isinstance(primary, str) and primary in forms and isinstance(forms[primary], dict):
        form = forms[primary]
        if form.get("name") != rec.get("name"):
            problems.append(
                f"forms.{primary}.name differs from the record's name (the primary form)"
            )
        if form.get("address") != rec.get("address"):
            problems.append(
                f"forms.{primary}.address differs from the record's address (the primary form)"
            )
    elif isinstance(primary, str) and not _language_tag_problem(primary):
        problems.append(f"forms has no form in the primary language {primary!r}")
    return problems


def _form(tag: str, form: dict[str, Any], country: str, where: str) -> AuthorityForm:
    lines = form.get("address")
    return AuthorityForm(
        language=tag,
        name=form["name"],
        address=PostalAddress(tuple(lines), country) if lines is not None else None,
        sources=tuple(form["sources"]),
        last_verified=_date(form["last_verified"], f"{where} forms.{tag}"),
        note=form.get("note"),
    )


@cache
def authorities() -> dict[str, Authority]:
    with data_file("authorities.json").open(encoding="utf-8") as handle:
        records = json.load(handle)["authorities"]
    out = {}
    for rec in records:
        where = f"authorities.json {rec['slug']}"
        problems = authority_forms_problems(rec)
        if problems:
            raise RegistryError(f"{where}: " + "; ".join(problems))
        out[rec["slug"]] = Authority(
            slug=rec["slug"],
            name=rec["name"],
            name_en=rec["name_en"],
            language=rec["language"],
            forms={
                tag: _form(tag, form, rec["country"], where) for tag, form in rec["forms"].items()
            },
            address=PostalAddress(tuple(rec["address"]), rec["country"]),
            jurisdictions=tuple(rec["jurisdictions"]),
            complaint_languages=tuple(rec["complaint_languages"]),
            email=rec.get("email"),
            webform=rec.get("webform"),
            web=rec.get("web"),
            sources=_sources(rec, where),
            last_verified=_date(rec["last_verified"], where),
            note=rec.get("note"),
        )
    return out


def authority_for(jurisdiction: str) -> Authority | None:
    """The authority that takes complaints from residents of ``jurisdiction``."""
    for authority in authorities().values():
        if jurisdiction in authority.jurisdictions:
            return authority
    return None


def subdivisions_of(country: str) -> list[str]:
    """Jurisdiction codes below a country, e.g. the German Länder."""
    return sorted(code for code in jurisdictions() if code.startswith(f"{country}-"))
