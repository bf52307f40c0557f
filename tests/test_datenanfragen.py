"""Importing datarequests.org company records as dsr controllers."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dsr.datenanfragen import (
    DATASET_DATE,
    DatenanfragenError,
    ImportReport,
    Skipped,
    convert_record,
    country_code,
    import_directory,
    load_record,
)
from dsr.errors import DsrError
from tests.conftest import shared_reference


@pytest.fixture(scope="module")
def companies() -> Path:
    return shared_reference("datenanfragen", "companies")


@pytest.fixture(scope="module")
def report(companies: Path) -> ImportReport:
    return import_directory(companies)


def good_record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "slug": "acme",
        "relevant-countries": ["de", "at"],
        "name": "ACME GmbH",
        "address": "Musterstraße 1\n10115 Berlin\nDeutschland",
        "email": "datenschutz@acme.example",
        "web": "https://acme.example",
        "sources": ["https://acme.example/datenschutz"],
        "quality": "verified",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def write(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


# Real records ----------------------------------------------------------------


def test_linkedin(companies: Path) -> None:
    record = load_record(companies / "linkedin.json")
    (entity,) = record["entities"]
    assert entity["name"] == "LinkedIn Ireland Unlimited Company"
    assert entity["address"] == ["Wilton Plaza", "Wilton Place, Dublin 2"]
    assert entity["country"] == "IE"
    assert entity["jurisdictions"] == ["EU", "EEA", "CH", "GB"]
    assert record["privacy_form"] == "https://www.linkedin.com/help/linkedin/ask/ppq"
    assert record["privacy_email"] is None
    assert "also runs: LinkedIn Learning (formerly Lynda.com)" in record["notes"]
    assert "datarequests.org quality: verified" in record["notes"]


def test_facebook(companies: Path) -> None:
    record = load_record(companies / "facebook.json")
    (entity,) = record["entities"]
    assert record["service"] == entity["name"] == "Meta Platforms Ireland Limited"
    assert entity["address"] == ["4 Grand Canal Square", "Grand Canal Harbour", "Dublin 2"]
    assert entity["country"] == "IE"
    assert record["privacy_form"] == "https://www.facebook.com/help/contact/540977946302970"
    assert record["privacy_email"] is None
    assert any(note.startswith("Various privacy controls") for note in record["notes"])


def test_google(companies: Path) -> None:
    record = load_record(companies / "google.json")
    (entity,) = record["entities"]
    assert entity["name"] == "Google LLC"
    assert entity["address"] == ["1600 Amphitheatre Pkwy", "Mountain View", "CA 94043"]
    assert entity["country"] == "US"  # "United States of America" in the record
    assert record["privacy_email"] == "data-access-requests@google.com"
    assert record["privacy_form"] == "https://takeout.google.com/"  # the webform


def test_provenance(companies: Path) -> None:
    record = load_record(companies / "google.json")
    assert record["sources"][0] == "datenanfragen/data companies/google.json (CC0-1.0)"
    assert "https://policies.google.com/privacy/update" in record["sources"]
    assert record["last_verified"] == DATASET_DATE == date(2026, 7, 21)
    assert record["entities"][0]["sources"] == record["sources"]
    assert record["entities"][0]["last_verified"] == DATASET_DATE
    assert record["objection_form"] is None
    assert record["profile_hosts"] == []
    later = load_record(companies / "google.json", last_verified=date(2026, 9, 1))
    assert later["last_verified"] == later["entities"][0]["last_verified"] == date(2026, 9, 1)


def test_whole_folder(companies: Path) -> None:
    started = time.perf_counter()
    result = import_directory(companies)
    assert time.perf_counter() - started < 20
    files = sorted(companies.glob("*.json"))
    assert len(result.converted) + len(result.skipped) == len(files)
    assert len(result.converted) > 2900  # 3,069 of 3,069 at datenanfragen/data 0a29c3d6
    assert all(s.reason.strip() for s in result.skipped)
    assert {"linkedin", "facebook", "google"} <= result.converted.keys()
    in_file_order = [p.stem for p in files if p.stem in result.converted]
    assert list(result.converted) == in_file_order  # every slug equals its file name


def test_every_converted_record_is_complete(report: ImportReport) -> None:
    for slug, record in report.converted.items():
        (entity,) = record["entities"]
        assert entity["address"], slug
        assert len(entity["country"]) == 2, slug
        assert entity["country"].isupper(), slug
        assert all(line.strip() == line and line for line in entity["address"]), slug
        assert entity["jurisdictions"], slug
        assert record["sources"][0] == f"datenanfragen/data companies/{slug}.json (CC0-1.0)"


# Bad inputs ------------------------------------------------------------------


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    write(tmp_path, "a-good.json", good_record())
    write(tmp_path, "b-invalid.json", '{"slug": "b",')
    write(tmp_path, "c-list.json", [good_record(slug="c")])
    write(tmp_path, "d-noname.json", good_record(slug="d", name=None))
    write(
        tmp_path,
        "e-noaddress.json",
        good_record(slug="e", address=None, webform="https://e.example/form"),
    )
    write(tmp_path, "f-country.json", good_record(slug="f", address="Hauptstr. 1\nAtlantis"))
    write(tmp_path, "g-slug.json", good_record(slug="G_Bad"))
    write(tmp_path, "h-dup.json", good_record())
    write(tmp_path, "notes.txt", "not a record")

    result = import_directory(tmp_path)

    assert list(result.converted) == ["acme"]
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert reasons["b-invalid.json"].startswith("not valid JSON: ")
    assert reasons["c-list.json"] == "not a JSON object but a list"
    assert reasons["d-noname.json"] == "missing field 'name'"
    assert reasons["e-noaddress.json"] == (
        "no postal address (the record has only an e-mail address and a web form; "
        "dsr writes postal letters)"
    )
    assert reasons["f-country.json"] == "cannot tell the country of address line 'Atlantis'"
    assert reasons["g-slug.json"] == "slug 'G_Bad' does not match ^[a-z0-9-]+$"
    assert reasons["h-dup.json"] == "duplicate slug 'acme' (also a-good.json)"
    assert "notes.txt" not in reasons
    assert all(isinstance(s, Skipped) for s in result.skipped)


def test_load_record_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", good_record(address=None, email=None))
    with pytest.raises(DatenanfragenError) as caught:
        load_record(path)
    assert caught.value.reason == "no postal address"
    assert str(caught.value) == f"{path}: no postal address"
    assert isinstance(caught.value, DsrError)
    with pytest.raises(DatenanfragenError, match="cannot read"):
        load_record(tmp_path / "missing.json")


def test_import_directory_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(DatenanfragenError, match="not a directory"):
        import_directory(tmp_path / "nope")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"slug": None}, "missing field 'slug'"),
        ({"name": "  "}, "missing field 'name'"),
        ({"name": 3}, "field 'name' is not a string: 3"),
        ({"relevant-countries": None}, "missing field 'relevant-countries'"),
        ({"relevant-countries": []}, "field 'relevant-countries' is empty"),
        ({"relevant-countries": ["germany"]}, "relevant-countries: unknown value 'germany'"),
        ({"address": "Deutschland"}, "address has no lines besides the country line"),
        ({"runs": "Foo"}, "field 'runs' is not a list of strings: 'Foo'"),
    ],
)
def test_convert_record_reasons(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(DatenanfragenError, match="^" + reason.replace("(", r"\(")):
        convert_record(good_record(**changes), "companies/acme.json")


# Conversion rules ------------------------------------------------------------


def test_relevant_countries() -> None:
    def jurisdictions(values: list[str]) -> list[str]:
        record = convert_record(good_record(**{"relevant-countries": values}), "x.json")
        result: list[str] = record["entities"][0]["jurisdictions"]
        return result

    assert jurisdictions(["de", "at"]) == ["DE", "AT"]
    assert jurisdictions(["all"]) == ["EU", "EEA", "CH", "GB"]
    assert jurisdictions(["gb", "ch"]) == ["GB", "CH"]
    assert jurisdictions(["all", "gb"]) == ["EU", "EEA", "CH", "GB"]


def test_contacts_and_notes() -> None:
    record = convert_record(
        good_record(
            webform="https://acme.example/privacy-form",
            runs=["Foo", "Bar"],
            comments=["Send by post."],
            quality="scraped",
        ),
        "companies/acme.json",
    )
    assert record["privacy_form"] == "https://acme.example/privacy-form"
    assert record["privacy_email"] == "datenschutz@acme.example"
    assert record["notes"] == [
        "also runs: Foo, Bar",
        "Send by post.",
        "website: https://acme.example",
        "datarequests.org quality: scraped",
    ]
    # A home page is not a privacy form: it goes to the notes only.
    assert convert_record(good_record(), "x.json")["privacy_form"] is None
    bare = convert_record(good_record(web=None, email=None, quality=None), "x.json")
    assert (bare["privacy_form"], bare["privacy_email"], bare["notes"]) == (None, None, [])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Deutschland", ("DE", None)),
        ("Germany", ("DE", None)),
        ("GERMANY.", ("DE", None)),
        ("Österreich", ("AT", None)),
        ("Schweiz", ("CH", None)),
        ("Suisse", ("CH", None)),
        ("Svizzera", ("CH", None)),
        ("The Netherlands", ("NL", None)),
        ("Nederland", ("NL", None)),
        ("Hrvatska", ("HR", None)),
        ("Polska", ("PL", None)),
        ("Sverige", ("SE", None)),
        ("Ελλάδα", ("GR", None)),
        ("United States of America", ("US", None)),
        ("United Kingdom", ("GB", None)),
        ("Czech Republic", ("CZ", None)),
        ("Republic of Singapore", ("SG", None)),
        ("Hong Kong", ("HK", None)),
        ("U.S.A.", ("US", None)),
        ("UK", ("GB", None)),
        ("L-1468 Luxembourg", ("LU", "L-1468 Luxembourg")),
        ("Ireland D02 X525", ("IE", "Ireland D02 X525")),
        ("Dublin 2, Ireland", ("IE", "Dublin 2")),
        ("10115 Berlin", None),
        ("Atlantis", None),
        ("Kongo", None),  # Congo in Polish, DR Congo in Norwegian: not guessed
    ],
)
def test_country_code(line: str, expected: tuple[str, str | None] | None) -> None:
    assert country_code(line) == expected


def test_country_in_a_line_with_postcode_keeps_the_line() -> None:
    record = convert_record(good_record(address="2, rue Foo\nL-1468 Luxembourg"), "x.json")
    (entity,) = record["entities"]
    assert (entity["address"], entity["country"]) == (["2, rue Foo", "L-1468 Luxembourg"], "LU")


def test_blank_lines_and_spaces_are_dropped() -> None:
    record = convert_record(good_record(address="  Musterstr. 1 \n\n10115 Berlin\nGermany\n"), "x")
    assert record["entities"][0]["address"] == ["Musterstr. 1", "10115 Berlin"]
