"""Rounds 27b and 28b (HIGH, MEDIUM): a complaint that recounts a request under another
law than the one it was made under. `track escalate --jurisdiction` moved a Californian opt-out
to LinkedIn Corporation into a German GDPR complaint about LinkedIn Ireland, and
`--authority` sent a CCPA request's complaint to the Irish DPC under Art. 77 GDPR.
Read as the authority reads them: the letter is refused, naming the option, or its
facts are those of the tracked request."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dsr.cli import main

from .conftest import letter_args, pdf_text
from .store_tools import tamper

CALIFORNIAN = [
    "letter", "--kind", "objection", "--jurisdiction", "US-CA", "--controller", "linkedin",
    "--name", "Casey Example", "--address", "1 Main St, San Francisco, CA 94105",
    "--account-email", "casey@example.org", "--date", "2026-09-01",
]  # fmt: skip


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def tracked_californian(tmp_path: Path) -> None:
    code, message = run(*CALIFORNIAN, "-o", str(tmp_path / "us.pdf"), "--track")
    assert code == 0, message


# A Berlin member's access request, to the company the caller names (--controller ...).
BERLIN_ACCESS = [
    "letter", "--kind", "access", "--jurisdiction", "DE-BE", "--name", "Erika Mustermann",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
    "--date", "2026-09-01",
]  # fmt: skip


def company_file(
    folder: Path, slug: str = "beta", country: str = "DE", lead: str = "debaylda"
) -> Path:
    """A company record in dsr's format (LEAD_RECORD) under ``slug``, saved in ``folder``."""
    record = folder / f"{slug}.toml"
    record.write_text(
        LEAD_RECORD.format(country=country, lead=lead).replace("beta", slug), encoding="utf-8"
    )
    return record


def tracked_to_gamma(tmp_path: Path) -> None:
    """Gamma GmbH imported, and a Berlin member's request to it tracked as request 1."""
    assert run("controllers", "import", str(company_file(tmp_path, "gamma")))[0] == 0
    code, message = run(
        *BERLIN_ACCESS, "--controller", "gamma", "-o", str(tmp_path / "request.txt"), "--track"
    )
    assert code == 0, message


def change_behind_dsr(home: Path, column: str, change: Callable[[Any], Any]) -> None:
    """Request 1's JSON ``column`` changed by someone without the member's key."""
    with sqlite3.connect(home / "tracking.sqlite3") as connection:
        (kept,) = connection.execute(f"SELECT {column} FROM requests").fetchone()
    value = change(json.loads(kept))
    tamper(home, f"UPDATE requests SET {column} = ?", json.dumps(value), sealed=False)


@pytest.mark.parametrize("other", ["DE-BE", "FR", "IE", "GB", "CH", "CA"])
def test_escalate_keeps_the_country_the_request_was_made_from(tmp_path: Path, other: str) -> None:
    tracked_californian(tmp_path)
    target = tmp_path / "complaint.txt"
    code, message = run(
        "track", "escalate", "1", "-o", str(target), "--jurisdiction", other, "--date", "2026-12-01"
    )
    assert code == 2, message
    assert f"--jurisdiction: {other} is not a part of US-CA" in message
    assert not target.exists()


def test_escalate_takes_a_finer_jurisdiction_of_the_same_country(tmp_path: Path) -> None:
    code, message = run(*letter_args("objection", "DE", "de", tmp_path / "de.pdf"), "--track")
    assert code == 0, message
    target = tmp_path / "complaint.pdf"
    code, message = run(
        "track", "escalate", "1", "-o", str(target), "--jurisdiction", "DE-BY",
        "--date", "2026-12-30",
    )  # fmt: skip
    assert code == 0, message
    text = " ".join(pdf_text(target).split())
    assert "Bayerisches Landesamt für Datenschutzaufsicht" in text
    assert "LinkedIn Ireland Unlimited Company" in text


@pytest.mark.parametrize("authority", ["iedpc", "gbico", "frcnil"])
def test_a_complaint_goes_only_to_an_authority_of_the_request_s_law(
    tmp_path: Path, authority: str
) -> None:
    """Whatever the way in: a tracked request's escalation, or a letter written at once."""
    tracked_californian(tmp_path)
    target = tmp_path / "complaint.txt"
    code, message = run(
        "track", "escalate", "1", "-o", str(target), "--authority", authority,
        "--date", "2026-12-01",
    )  # fmt: skip
    assert code == 2, message
    assert "--authority:" in message
    assert "rests on the California Consumer Privacy Act" in message
    assert not target.exists()
    code, message = run(
        *CALIFORNIAN[:-2], "--kind", "complaint", "--request-kind", "objection",
        "--request-date", "2026-09-01", "--date", "2026-12-01", "--authority", authority,
        "-o", str(target),
    )  # fmt: skip
    assert code == 2, message
    assert "--authority:" in message
    assert not target.exists()


@pytest.mark.parametrize(("jurisdiction", "authority"), [("DE-BE", "iedpc"), ("CH", "iedpc")])
def test_a_complaint_to_another_authority_of_the_same_law_is_written(
    tmp_path: Path, jurisdiction: str, authority: str
) -> None:
    """A GDPR request to LinkedIn Ireland: the lead authority applies its law too (a
    Swiss member's request rests on the GDPR, Art. 3(1))."""
    member = {
        "DE-BE": ["--name", "Erika Mustermann", "--address", "Hauptstraße 1, 10115 Berlin"],
        "CH": ["--name", "Urs Muster", "--address", "Bahnhofstrasse 1, 8001 Zürich"],
    }[jurisdiction]
    target = tmp_path / "complaint.pdf"
    code, message = run(
        "letter", "--kind", "complaint", "--jurisdiction", jurisdiction, "--controller",
        "linkedin", *member, "--account-email", "m@example.org", "--request-kind", "objection",
        "--request-date", "2026-09-01", "--date", "2026-12-01", "--authority", authority,
        "-o", str(target),
    )  # fmt: skip
    assert code == 0, message
    assert "Data Protection Commission" in " ".join(pdf_text(target).split())


# Round 28b: the same country, another law (CA and CA-QC), a lead authority that leads
# nothing (another country's, another law's), and a folder of records in dsr's format.


@pytest.mark.parametrize(
    ("made_from", "address", "other"),
    [
        ("CA", "1 Main St, Toronto ON M5V 2T6", "CA-QC"),
        ("CA-QC", "1 rue Sainte-Catherine, Montréal QC H2X 1Z4", "CA"),
        ("DE-BE", "Hauptstraße 1, 10115 Berlin", "DE-BY"),
    ],
)
def test_escalate_keeps_the_law_the_request_was_made_under(
    tmp_path: Path, made_from: str, address: str, other: str
) -> None:
    code, message = run(
        "letter", "--kind", "access", "--jurisdiction", made_from, "--controller", "linkedin",
        "--name", "Alice Example", "--address", address, "--account-email", "a@example.org",
        "--date", "2026-09-01", "-o", str(tmp_path / "request.txt"), "--track",
    )  # fmt: skip
    assert code == 0, message
    target = tmp_path / "complaint.txt"
    code, message = run(
        "track", "escalate", "1", "-o", str(target), "--jurisdiction", other, "--date", "2026-12-01"
    )
    assert code == 2, message
    assert f"--jurisdiction: {other} " in message
    assert not target.exists()


LEAD_RECORD = """[beta]
service = "Beta"
sources = ["https://beta.example/privacy"]
last_verified = 2026-08-22
[[beta.entities]]
name = "Beta GmbH"
address = ["Hauptstraße 9", "80331 München"]
country = "{country}"
jurisdictions = ["EU", "GB", "US", "CA"]
lead_authority = "{lead}"
sources = ["https://beta.example/imprint"]
last_verified = 2026-08-22
"""


@pytest.mark.parametrize(("country", "lead"), [("DE", "gbico"), ("CH", "chedoeb"), ("DE", "iedpc")])
def test_a_lead_authority_leads_only_for_its_own_country_under_the_gdpr(
    tmp_path: Path, country: str, lead: str
) -> None:
    record = company_file(tmp_path, country=country, lead=lead)
    target = tmp_path / "complaint.txt"
    code, message = run(
        "letter", "--kind", "complaint", "--jurisdiction", "DE-BE", "--controller-file",
        str(record), "--name", "Erika Mustermann", "--address", "Hauptstraße 1, 10115 Berlin",
        "--account-email", "e@example.org", "--request-kind", "access",
        "--request-date", "2026-09-01", "--date", "2026-12-01", "-o", str(target),
    )  # fmt: skip
    assert code == 2, message
    assert f"lead_authority '{lead}' cannot lead for an entity established in {country}" in message
    assert not target.exists()
    code, message = run("controllers", "import", str(record))
    assert code == 2, message
    assert "cannot lead" in message


def test_a_lead_authority_leads_only_where_the_entity_is_established(tmp_path: Path) -> None:
    """Round 29b: an entity with a Berlin address established in the US has no lead
    authority under Art. 56(1) GDPR."""
    record = tmp_path / "delta.toml"
    text = LEAD_RECORD.format(country="DE", lead="debfdi")
    record.write_text(text.replace('country = "DE"', 'country = "DE"\nestablished_in = "US"'))
    code, message = run("controllers", "import", str(record))
    assert code == 2, message
    assert "cannot lead for an entity established in US" in message


def test_a_tracked_request_keeps_the_company_it_went_to(tmp_path: Path) -> None:
    """Round 29b: importing another company under the same key later does not change
    whom a tracked request's reminder and complaint name."""
    tracked_to_gamma(tmp_path)
    first = tmp_path / "gamma.toml"
    second = tmp_path / "other" / "gamma.toml"
    second.parent.mkdir()
    second.write_text(
        first.read_text()
        .replace("Beta GmbH", "Gamma Holdings Limited")
        .replace('"Hauptstraße 9", "80331 München"', '"1 Grand Canal Square", "Dublin 2, D02 P820"')
        .replace('country = "DE"', 'country = "IE"')
        .replace("debaylda", "iedpc")
    )
    assert run("controllers", "import", str(second))[0] == 0
    reminder = tmp_path / "reminder.txt"
    code, message = run("track", "remind", "1", "-o", str(reminder), "--date", "2026-10-10")
    assert code == 0, message
    text = " ".join(reminder.read_text(encoding="utf-8").split())
    assert "Beta GmbH" in text
    assert "Gamma Holdings" not in text


def test_a_lead_authority_of_the_entity_s_country_is_named(tmp_path: Path) -> None:
    record = company_file(tmp_path)
    code, message = run("controllers", "import", str(record))
    assert code == 0, message


def test_a_folder_of_records_in_dsr_s_format_is_imported(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    company_file(folder)
    (folder / "broken.toml").write_text("[x\n", encoding="utf-8")
    code, message = run("controllers", "import", str(folder))
    assert code == 2, message  # one file skipped
    assert "Imported 1 controller, skipped 1." in message
    assert "broken.toml" in message
    empty = tmp_path / "empty"
    empty.mkdir()
    code, message = run("controllers", "import", str(empty))
    assert code == 2, message
    assert "no controller records in it" in message


def test_adopt_shows_whom_a_follow_up_writes_to_and_refuses_another_company(
    tmp_path: Path, dsr_home: Path
) -> None:
    """Round 30b: a tracked request's kept company record changed behind dsr's back
    (another company, the attacker's e-mail): adopt listed the letter's recipient, and
    adopting it sent the reminder, with the member's data, to the attacker."""
    tracked_to_gamma(tmp_path)

    def another_company(record: Any) -> Any:
        record["entities"][0]["name"] = "Evil Holdings Ltd"
        record["privacy_email"] = "attacker@evil.example"
        return record

    change_behind_dsr(dsr_home, "controller_record", another_company)
    code, message = run("track", "adopt", "--also", "1", "--yes")
    assert code == 2, message
    assert "a follow-up writes to: Evil Holdings Ltd" in message
    assert "attacker@evil.example" in message
    assert "CHECK: that is not the company the letter went to" in message
    assert "dsr cannot check a request your key did not seal" in message
    code, message = run(
        "track", "remind", "1", "-o", str(tmp_path / "r.eml"), "--date", "2026-10-10"
    )
    assert code == 2, message
    assert not (tmp_path / "r.eml").exists()


@pytest.mark.parametrize("placeholder", ["%(nosuch)s", "%(date)d"])
def test_a_user_catalog_with_a_wrong_placeholder_is_named(tmp_path: Path, placeholder: str) -> None:
    """Round 30b: a member's edited catalog with a placeholder the original lacks was
    reported at a template line with Python's own words; now the .po file, its line and
    the message are named."""

    source = tmp_path / "mine"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    catalog = source / "locales" / "de" / "LC_MESSAGES" / "letters.po"
    text = catalog.read_text(encoding="utf-8")
    found = re.search(r'msgstr "([^"]*%\(date\)s[^"]*)"', text)
    assert found is not None
    edited = found.group(1).replace("%(date)s", placeholder, 1)
    catalog.write_text(text[: found.start(1)] + edited + text[found.end(1) :], encoding="utf-8")
    target = tmp_path / "reminder.txt"
    code, message = run(
        *letter_args("reminder", "DE-BE", "de", target), "--request-kind", "access",
        "--request-date", "2026-09-01", "--template-dir", str(source),
    )  # fmt: skip
    assert code == 2, message
    assert f"{catalog}, line " in message
    assert "the translation of" in message
    assert not target.exists()


def test_adopt_refuses_a_kept_company_record_it_cannot_check(
    tmp_path: Path, dsr_home: Path
) -> None:
    """Round 31b: the kept record's e-mail and address changed, its name kept: adopt
    showed no warning, and the reminder went to the attacker's address."""
    tracked_to_gamma(tmp_path)

    def another_address(record: Any) -> Any:
        record["privacy_email"] = "attacker@evil.example"
        record["entities"][0]["address"] = ["Evil Street 1", "66666 Nowhere"]
        return record

    change_behind_dsr(dsr_home, "controller_record", another_address)
    code, message = run("track", "adopt", "--also", "1", "--yes")
    assert code == 2, message
    assert "dsr cannot check a request your key did not seal" in message
    assert "attacker@evil.example" in message  # shown in the listing


@pytest.mark.parametrize(
    ("original", "edited", "why"),
    [
        ("Sehr geehrte Damen und Herren,", "Sehr <b>geehrte</b> Damen,<style>p{display:none}</style>", "markup"),
        ("Sehr geehrte Damen und Herren,", "Sehr 50% geehrte Damen,", "TypeError"),
        ("Sehr geehrte Damen und Herren,", "Sehr geehrte %(controller)s,", "KeyError"),
    ],
)  # fmt: skip
def test_a_user_catalog_holds_text_only(
    tmp_path: Path, original: str, edited: str, why: str
) -> None:
    """Round 31b: markup in a member's catalog became the letter's markup (a <style>
    hid every paragraph of the PDF); a % or a placeholder the template does not give
    failed at a template line."""
    source = tmp_path / "mine"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    catalog = source / "locales" / "de" / "LC_MESSAGES" / "letters.po"
    text = catalog.read_text(encoding="utf-8")
    assert f'msgstr "{original}"' in text
    catalog.write_text(text.replace(f'msgstr "{original}"', f'msgstr "{edited}"', 1))
    target = tmp_path / "complaint.html"
    code, message = run(*letter_args("complaint", "DE-BE", "de", target), "--template-dir",
                        str(source))  # fmt: skip
    assert code == 2, message
    assert f"{catalog}, line " in message
    assert why in message
    assert not target.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [("inputs", '{"email": "attacker@evil.example"}'), ("controller", "google")],
)
def test_adopt_never_takes_a_row_its_key_did_not_seal(
    tmp_path: Path, dsr_home: Path, column: str, value: str
) -> None:
    """Round 32b: a built-in company's row keeps no company record, and its follow-ups
    are made from the row's inputs: any column changed behind dsr's back (the member's
    e-mail address, the company) was adopted with --also and sent on."""
    code, message = run(*letter_args("access", "DE-BE", "de", tmp_path / "a.txt"), "--track")
    assert code == 0, message
    if column == "inputs":
        change_behind_dsr(dsr_home, "inputs", lambda inputs: {**inputs, **json.loads(value)})
    else:
        tamper(dsr_home, f"UPDATE requests SET {column} = ?", value, sealed=False)
    code, message = run("track", "adopt", "--also", "1", "--yes")
    assert code == 2, message
    assert "dsr cannot check a request your key did not seal" in message
    target = tmp_path / "r.eml"
    code, message = run("track", "remind", "1", "-o", str(target), "--date", "2026-12-10")
    assert code == 2, message
    assert not target.exists()


def test_a_company_record_s_wrong_date_names_its_field(tmp_path: Path) -> None:
    """Round 32b: ai_training_since = "soon" was reported as "last_verified"."""
    record = tmp_path / "beta.toml"
    text = LEAD_RECORD.format(country="DE", lead="debaylda")
    record.write_text(
        text.replace('service = "Beta"', 'service = "Beta"\nai_training_since = "soon"')
    )
    code, message = run("controllers", "import", str(record))
    assert code == 2, message
    assert "ai_training_since is not a date: 'soon'" in message


@pytest.mark.parametrize(
    ("where", "field"), [("record", "web_form"), ("entity", "lead_authoritiy")]
)
def test_a_company_record_s_unknown_field_is_named(tmp_path: Path, where: str, field: str) -> None:
    """Round 33b: a misspelt field ("web_form", "lead_authoritiy") was dropped without a
    word, and the letter went without what the record's author meant it to say."""
    text = LEAD_RECORD.format(country="DE", lead="debaylda")
    if where == "record":
        text = text.replace('service = "Beta"', f'service = "Beta"\n{field} = "x"')
    else:
        text = text.replace('lead_authority = "debaylda"', f'{field} = "iedpc"')
    record = tmp_path / "beta.toml"
    record.write_text(text)
    code, message = run("controllers", "import", str(record))
    assert code == 2, message
    assert f"unknown field '{field}'" in message


def test_an_e_mail_to_a_company_without_an_address_says_where_the_letter_goes(
    tmp_path: Path,
) -> None:
    """Round 33b: an .eml to a company that publishes no e-mail address had no To: and
    no word about it. Issue 15: no e-mail is written without a To:; dsr says where the
    letter goes instead."""
    record = company_file(tmp_path)
    target = tmp_path / "letter.eml"
    code, message = run(*BERLIN_ACCESS, "--controller-file", str(record), "-o", str(target))
    assert code == 2, message
    assert "publishes no e-mail address for this request, so dsr writes no e-mail" in message
    assert "post the PDF (-o letter.pdf)" in message
    assert not target.exists()


def test_forget_and_import_leave_another_member_s_companies_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 34b: in a shared data folder, one member's forget deleted another's imported
    company (and dsr's list of what it stored), and one member's import replaced it."""
    record = company_file(tmp_path, "gamma")
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path / "b-config"))
        assert run("controllers", "import", str(record))[0] == 0
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path / "a-config"))
        code, message = run("controllers", "import", str(record))
        assert code == 2, message
        assert "imported with another key" in message
        code, message = run(
            *BERLIN_ACCESS, "--controller", "google", "-o", str(tmp_path / "a.txt"), "--track"
        )
        assert code == 0, message
        code, message = run("forget", "--yes")
        assert code == 0, message
        assert "another member imported it" in message
        assert "dsr did not write it" not in message
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path / "b-config"))
        code, message = run(*BERLIN_ACCESS, "--controller", "gamma", "-o", str(tmp_path / "b.txt"))
        assert code == 0, message
        code, message = run("forget", "--yes")
        assert code == 0, message
        assert "another member imported it" not in message


@pytest.mark.parametrize("last_line", ["Atlanta, Georgia", "Tarapoto, San Martín"])
def test_a_record_whose_address_ends_in_a_state_named_as_a_country_is_skipped(
    tmp_path: Path, last_line: str
) -> None:
    """Round 35b: "Atlanta, Georgia" (the US state) was read as the country Georgia: the
    letter's address said GEORGIEN and the deadline moved for Georgia's holiday."""

    record = {"name": "Acme Corp", "slug": "acme", "relevant-countries": ["all"],
              "address": f"Acme Corp\n100 Main St\n{last_line}",
              "email": "privacy@acme.example", "categories": ["commerce"]}  # fmt: skip
    target = tmp_path / "acme.json"
    target.write_text(json.dumps(record))
    code, message = run("controllers", "import", str(target))
    assert code == 2, message
    assert "the name of a country and of a part of one" in message


def test_a_profile_s_bad_annex_is_named_as_the_profile_s(tmp_path: Path) -> None:
    """Round 37b: a profile's annex that is no PDF was named as --enclose, an option the
    member never typed."""
    (tmp_path / "fake.pdf").write_text("%PDF-1.4 not really\n")
    profile = tmp_path / "me.toml"
    profile.write_text('enclose = "fake.pdf"\n')
    target = tmp_path / "x.txt"
    code, message = run(
        *letter_args("access", "DE-BE", "de", target), "--profile", str(profile),
    )  # fmt: skip
    assert code == 2, message
    assert f"--profile: {profile}: enclose: " in message
    assert "--enclose:" not in message
    assert not target.exists()


def test_dsr_s_own_catalogs_pass_the_check_a_member_s_catalog_gets() -> None:
    """An unedited `templates --source` export is a member's catalog too: every shipped
    translation must pass the same check (the Chinese closing uses a placeholder its
    original has not, as its template gives it)."""
    from babel.messages.pofile import read_po

    from dsr.render import _translation_problem
    from dsr.resources import resource_dir

    refused = []
    for po in sorted(resource_dir("locales").glob("*/LC_MESSAGES/letters.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string and _translation_problem(message):
                    refused.append(f"{po.parent.parent.name}:{message.lineno}")
    assert refused == []
