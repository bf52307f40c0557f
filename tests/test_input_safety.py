"""Hostile review 2026-12 (findings 9-13, 15, 16, 20, 22, 23): input, rows, exit codes, store."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsr import track
from dsr.cli import main
from dsr.errors import InvalidRequest
from dsr.formats import Format, WriteOptions
from dsr.inputs import parse_request
from dsr.resources import data_file
from tests.conftest import letter_args, with_values

TODAY = "2026-11-22"
BASE = {
    "kind": "objection",
    "jurisdiction": "DE",
    "name": "Erika Mustermann",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account-email": "erika@example.org",
    "lang": "en",
    "date": TODAY,
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def objection(output: Path, **extra: str) -> list[str]:
    return letter_args("objection", "DE", "en", output, **extra)


def encrypted_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def report(folder: Path) -> dict[int, dict[str, str]]:
    with (folder / "report.csv").open(encoding="utf-8", newline="") as handle:
        return {int(row["row"]): row for row in csv.DictReader(handle)}


# Finding 9: one bad row never aborts a batch ------------------------------------------


def test_each_bad_row_of_the_review_fails_alone(tmp_path: Path) -> None:
    annex = encrypted_pdf(tmp_path / "locked.pdf")
    complaint = {
        **BASE,
        "kind": "complaint",
        "jurisdiction": "DE-BE",
        "request-date": "2026-09-01",
        "request-kind": "objection",
    }
    rows: list[Any] = [
        {**BASE, "date": "9999-12-31"},
        {**BASE, "enclose": 5},
        {**BASE, "enclose": [1]},
        {**BASE, "enclose": [None]},
        {**BASE, "profile-url": "https://www.linkedin.com/in/\ud800"},
        {**complaint, "enclose": [annex.name]},
        {**BASE, "name": "Nul\u0000Byte"},
        {**BASE, "name": "Erika Letzte"},
    ]
    lines = [json.dumps(row) for row in rows]
    lines.insert(7, "{not json")  # row 8
    lines.insert(8, "[1, 2]")  # row 9: not an object
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, output = run("batch", str(source), "-o", str(out), "--jobs", "1", "--format", "txt")
    assert code == 2, output
    results = report(out)
    assert [n for n, r in results.items() if r["status"] == "written"] == [10]
    assert all(results[n]["status"] == "error" for n in range(1, 10))
    assert "out of range" in results[1]["message"]
    assert "enclose" in results[2]["message"]
    assert "enclose" in results[3]["message"]
    assert "surrogate" in results[5]["message"]
    assert "encrypted" in results[6]["message"]
    assert "not JSON" in results[8]["message"]
    for number in range(1, 10):
        assert f"Error: row {number}: " in output
    assert (out / results[10]["file"]).is_file()


def test_a_csv_field_over_the_csv_limit_fails_its_row_only(tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(BASE))
        writer.writerow(list(BASE.values()))
        writer.writerow([*list(BASE.values())[:2], "x" * 140_000, *list(BASE.values())[3:]])
        writer.writerow(list(BASE.values()))
    out = tmp_path / "out"
    code, output = run("batch", str(source), "-o", str(out), "--jobs", "1", "--format", "txt")
    assert code == 2, output
    results = report(out)
    assert [results[n]["status"] for n in (1, 2, 3)] == ["written", "error", "written"]


def test_an_exception_while_writing_a_row_is_that_rows_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dsr import batch

    real = batch._write

    def explode_on_row_2(folder: Path, job: Any, data: bytes, *rest: Any) -> Any:
        if job[0] == 2:
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return real(folder, job, data, *rest)

    monkeypatch.setattr(batch, "_write", explode_on_row_2)
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(json.dumps(BASE) for _ in range(3)) + "\n", encoding="utf-8")
    report_ = batch.run_batch(
        source,
        tmp_path / "out",
        today=__import__("datetime").date(2026, 11, 22),
        options=WriteOptions(Format.TXT),
    )
    assert [r.status for r in report_.results] == ["written", "error", "written"]
    assert "UnicodeEncodeError" in report_.results[1].message


def test_a_far_future_date_is_bad_input_not_an_internal_error(tmp_path: Path) -> None:
    code, output = run(*with_values(objection(tmp_path / "x.pdf"), date="9999-12-31"))
    assert code == 2
    assert output.startswith("Error: --date: 9999-12-31 is out of range")


def test_an_encrypted_annex_is_bad_input(tmp_path: Path) -> None:
    annex = encrypted_pdf(tmp_path / "locked.pdf")
    args = letter_args("complaint", "DE-BE", "en", tmp_path / "c.pdf", enclose=str(annex))
    code, output = run(*args)
    assert code == 2
    assert "encrypted" in output
    assert not (tmp_path / "c.pdf").exists()


# Finding 10 and 11: every text field checked alike -------------------------------------

REFUSED = ["\u202e", "\u2066", "\u0000", "\u001b", "\u2028", "\u2029", "\u200f", "\ud800"]
TEXT_FIELDS = ["name", "address", "place", "situation", "profile-url", "email", "reference"]


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_control_bidi_and_separator_characters_are_refused_in_every_field(
    field: str, char: str
) -> None:
    values = {**BASE, "kind": "art21", "situation": "As a journalist I protect my sources."}
    samples = {
        "profile-url": "https://www.linkedin.com/in/erika",
        "email": "erika@example.org",
        "reference": "A-1",
    }
    values[field] = samples.get(field, str(values.get(field, "Berlin"))) + char + "x"
    with pytest.raises(InvalidRequest) as caught:
        parse_request(values, today=__import__("datetime").date(2026, 11, 22))
    assert any(p.field == field for p in caught.value.problems), caught.value.problems


def test_the_reviews_profile_url_injection_is_refused(tmp_path: Path) -> None:
    url = "https://www.linkedin.com/in/erika\u202e\n\n\tI hereby WITHDRAW this objection.\n"
    code, output = run(*with_values(objection(tmp_path / "x.pdf"), profile_url=url))
    assert code == 2
    assert output.startswith("Error: --profile-url: ")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\@www.linkedin.com/in/x",
        "https://evil.example@www.linkedin.com/in/x",
        "https://user:pw@www.linkedin.com/in/x",
        "https://www.linkedin.com/in/er ika",
        "https://www.linkedin.com:99999/in/x",
        "https://[www.linkedin.com/in/x",
    ],
)
def test_the_host_check_reads_the_parsed_host(tmp_path: Path, url: str) -> None:
    code, output = run(*with_values(objection(tmp_path / "x.pdf"), profile_url=url))
    assert code == 2, output
    assert output.startswith("Error: --profile-url: ")


def test_line_separators_in_name_and_address_are_refused(tmp_path: Path) -> None:
    args = objection(tmp_path / "x.pdf")
    assert run(*with_values(args, name="Erika\u2028Mustermann"))[0] == 2
    assert run(*with_values(args, address="Hauptstraße 1\u2029 10115 Berlin"))[0] == 2
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps({**BASE, "name": "E\u2028M"}) + "\n", encoding="utf-8")
    code, output = run("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2
    assert "line separator U+2028" in output


def test_a_190_character_word_is_refused_as_a_name(tmp_path: Path) -> None:
    code, output = run(*with_values(objection(tmp_path / "x.pdf"), name="E " + "M" * 190))
    assert code == 2
    assert output.startswith("Error: --name: has a word of 190 characters")


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    field=st.sampled_from(["name", "address", "place", "profile-url", "reference", "email"]),
    text=st.text(
        alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Lu", "Zs"]),
        min_size=1,
        max_size=12,
    ),
)
def test_any_text_with_refused_characters_is_refused_whatever_the_field(
    field: str, text: str
) -> None:
    from dsr.text import refused_character

    values = {**BASE, "profile-url": "https://www.linkedin.com/in/e", "reference": "R1"}
    values[field] = f"{values.get(field, 'Berlin')}{text}"
    stripped = values[field].strip(" \t\r\n")  # around a value, spaces and tabs are dropped
    refused = refused_character(stripped, multiline=field == "address") is not None
    problems: list[Any] = []
    try:
        parse_request(values, today=__import__("datetime").date(2026, 11, 22))
    except InvalidRequest as error:
        problems = error.problems
    if refused:
        assert any(p.field == field for p in problems), (field, text, problems)
    else:
        assert not any("U+" in p.message for p in problems), (field, text, problems)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    fmt=st.sampled_from(["txt", "html", "eml"]),
    char=st.sampled_from(REFUSED),
    field=st.sampled_from(["name", "address", "profile-url"]),
)
def test_refused_characters_never_reach_any_output_format(fmt: str, char: str, field: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        row = {**BASE, "profile-url": "https://www.linkedin.com/in/e"}
        row[field] = row[field] + char
        source = Path(folder) / "rows.jsonl"
        source.write_text(json.dumps(row) + "\n", encoding="utf-8")
        out = Path(folder) / "out"
        code, _ = run("batch", str(source), "-o", str(out), "--format", fmt)
        assert code == 2
        assert report(out)[1]["status"] == "error"
        assert [p.name for p in out.iterdir() if p.suffix == f".{fmt}"] == []


# Finding 13: --controller-file keeps its company ---------------------------------------


def other_inc() -> dict[str, Any]:
    record = tomllib.loads(data_file("controllers.toml").read_text(encoding="utf-8"))["linkedin"]
    record = json.loads(json.dumps(record, default=str))
    record["service"] = "Othernet"
    for entity in record["entities"]:
        entity["name"] = "Other Inc"
    return dict(record)


@pytest.fixture(autouse=True)
def _own_session_controllers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Controllers from --controller-file stay in this test (they are process-wide)."""
    from dsr import registry

    monkeypatch.setattr(registry, "_SESSION_CONTROLLERS", {})


def test_a_tracked_controller_file_letter_is_reminded_to_the_same_company(
    tmp_path: Path,
) -> None:
    from dsr import registry

    company = tmp_path / "linkedin.json"
    company.write_text(json.dumps(other_inc()), encoding="utf-8")
    letter = tmp_path / "x.txt"
    args = [*objection(letter), "--controller-file", str(company), "--track"]
    code, output = run(*args)
    assert code == 0, output
    assert "to Other Inc" in output
    company.unlink()  # the reminder must not need the file
    registry._SESSION_CONTROLLERS.clear()  # as in a new process
    code, output = run(
        "track", "remind", "1", "-o", str(tmp_path / "r.txt"), "--date", "2027-01-10"
    )
    assert code == 0, output
    assert "to Other Inc" in output
    assert "Othernet" in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_controller_file_names_give_a_stable_slug(tmp_path: Path) -> None:
    company = tmp_path / "Zeta Corp.json"
    company.write_text(json.dumps(other_inc()), encoding="utf-8")
    code, output = run(*objection(tmp_path / "x.txt"), "--controller-file", str(company))
    assert code == 0, output
    assert "to Other Inc" in output


# Finding 15: hostile controller records -------------------------------------------------


def hostile_records() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []

    def entity_case(label: str, field: str, value: Any) -> None:
        record = other_inc()
        for entity in record["entities"]:
            entity[field] = value
        cases.append((label, record))

    def record_case(label: str, field: str, value: Any) -> None:
        record = other_inc()
        record[field] = value
        cases.append((label, record))

    entity_case("30 address lines", "address", ["Street 1"] * 30)
    entity_case("bidi name", "name", "Other\u202eInc")
    entity_case("CRLF name", "name", "Other Inc\r\nBcc: x@evil.example")
    entity_case("country XX", "country", "XX")
    entity_case("country 5", "country", 5)
    entity_case("lead authority list", "lead_authority", ["dpc"])
    record_case("name 5", "service", 5)
    record_case("OSC-8 link", "objection_form", "\x1b]8;;https://evil.example\x07x\x1b]8;;\x07")
    record_case("javascript link", "objection_form", "javascript:alert(1)")
    record_case("file link", "privacy_form", "file:///etc/passwd")
    record_case("two addresses", "privacy_email", "a@example.org, b@evil.example")
    return cases


@pytest.mark.parametrize(("label", "record"), hostile_records(), ids=lambda x: str(x)[:20])
def test_a_hostile_controller_file_is_refused_with_its_reason(
    tmp_path: Path, label: str, record: dict[str, Any]
) -> None:
    company = tmp_path / "acme.json"
    company.write_text(json.dumps(record), encoding="utf-8")
    code, output = run(*objection(tmp_path / "x.pdf"), "--controller-file", str(company))
    assert code == 2, (label, output)
    assert output.startswith("Error: --controller-file: "), output
    assert "\x1b" not in output
    assert "\u202e" not in output
    assert not (tmp_path / "x.pdf").exists()


def test_controllers_import_skips_hostile_records_and_keeps_good_ones(tmp_path: Path) -> None:
    for number, (label, record) in enumerate([*hostile_records(), ("good", other_inc())]):
        source = tmp_path / f"company{number}.json"
        source.write_text(json.dumps(record), encoding="utf-8")
        result = CliRunner().invoke(main, ["controllers", "import", str(source)])
        assert result.exit_code == (0 if label == "good" else 2), result.output
        assert "Traceback" not in result.output
        assert "internal error" not in result.output
        assert "\x1b" not in result.output
        assert "\u202e" not in result.output
        imported = "Imported 1 controller" if label == "good" else "Imported 0 controllers"
        assert imported in result.output, (label, result.output)


def test_a_datarequests_record_with_hostile_text_is_skipped(tmp_path: Path) -> None:
    record = {
        "slug": "evil",
        "relevant-countries": ["de"],
        "name": "Evil\u202eCorp",
        "address": "Evil Corp\nStreet 1\n10115 Berlin\nGermany",
        "categories": ["commerce"],
        "email": "privacy@evil.example",
    }
    source = tmp_path / "evil.json"
    source.write_text(json.dumps(record), encoding="utf-8")
    result = CliRunner().invoke(main, ["controllers", "import", str(source)])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert "\u202e" not in result.output
    assert "Imported 0 controllers" in result.output


# Finding 16: e-mail headers ---------------------------------------------------------------


def test_a_name_cannot_add_an_address_to_the_from_header(tmp_path: Path) -> None:
    out = tmp_path / "x.eml"
    code, output = run(*with_values(objection(out), name="Jörg Müller, spy@evil.example"))
    assert code == 2, output  # a name with an e-mail address in it signs for no one
    assert "is an e-mail address, not a person's name" in output
    assert not out.exists()
    # A comma, a group's colon and semicolon, an angle-bracketed mailbox: one display name.
    name = "Jörg Müller, Spy: <spy>; Evil <root>"
    # An e-mail goes only to a company that publishes an address (OpenAI does).
    code, output = run(*with_values(objection(out), name=name, controller="openai"))
    assert code == 0, output
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    sender = message["From"]
    assert [a.addr_spec for a in sender.addresses] == ["erika@example.org"]
    assert sender.addresses[0].display_name == name


# Finding 20: the tracking store ------------------------------------------------------------


def tracked_letter(tmp_path: Path, name: str = "x.pdf") -> tuple[int, str]:
    return run(*objection(tmp_path / name), "--track")


def test_a_corrupt_store_is_refused_before_the_letter_is_written(
    tmp_path: Path, dsr_home: Path
) -> None:
    (dsr_home / "tracking.sqlite3").write_bytes(os.urandom(4096))
    code, output = tracked_letter(tmp_path)
    assert code == 2, output
    assert "internal error" not in output
    assert "cannot be used" in output
    assert not (tmp_path / "x.pdf").exists()
    code, output = run("track", "list")
    assert code == 2
    assert "cannot be used" in output


def test_a_newer_store_is_refused_and_never_written(tmp_path: Path, dsr_home: Path) -> None:
    path = dsr_home / "tracking.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE requests (id INTEGER PRIMARY KEY, extra TEXT)")
    connection.execute(f"PRAGMA user_version = {track.SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    code, output = tracked_letter(tmp_path)
    assert code == 2
    assert "newer dsr" in output
    assert path.read_bytes() == before
    code, output = run("track", "list")
    assert code == 2
    assert "newer dsr" in output


def test_rows_are_read_by_column_name(tmp_path: Path, dsr_home: Path) -> None:
    assert tracked_letter(tmp_path)[0] == 0
    connection = sqlite3.connect(dsr_home / "tracking.sqlite3")
    columns = [row[1] for row in connection.execute("PRAGMA table_info(requests)")]
    backwards = ", ".join(reversed(columns))  # the same columns, in another order
    connection.execute(f"CREATE TABLE moved AS SELECT {backwards} FROM requests")
    connection.execute("DROP TABLE requests")
    connection.execute("ALTER TABLE moved RENAME TO requests")
    connection.commit()
    connection.close()
    assert [t.id for t in track.all_requests()] == [1]


def test_an_old_store_is_migrated_in_one_step(dsr_home: Path) -> None:
    connection = sqlite3.connect(dsr_home / "tracking.sqlite3")
    connection.execute(track.MIGRATIONS[0])
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    with track.connect() as migrated:
        version = migrated.execute("PRAGMA user_version").fetchone()[0]
        columns = {row[1] for row in migrated.execute("PRAGMA table_info(requests)")}
    assert version == track.SCHEMA_VERSION
    assert {"controller_complaint", "controller_complaint_file", "controller_record"} <= columns


def test_concurrent_creation_of_the_store(dsr_home: Path) -> None:
    code = (
        "import sys, time\n"
        "from dsr import track\n"
        "time.sleep(max(0.0, float(sys.argv[1]) - time.time()))\n"
        "track.connect().close()\n"
    )
    env = {**os.environ, "DSR_HOME": str(dsr_home)}
    for attempt in range(4):
        (dsr_home / "tracking.sqlite3").unlink(missing_ok=True)
        start = str(time.time() + 2.0)  # every process past its imports, then all at once
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", code, start], env=env, stderr=subprocess.PIPE, text=True
            )
            for _ in range(8)
        ]
        errors = [p.communicate()[1] for p in processes]
        assert all(p.returncode == 0 for p in processes), (attempt, errors)
    assert [t.id for t in track.all_requests()] == []


# Finding 22: exit codes ---------------------------------------------------------------------


def test_unknown_and_malformed_track_ids_exit_2(tmp_path: Path) -> None:
    out = str(tmp_path / "r.pdf")
    assert run("track", "remind", "99999999999999999999999", "-o", out)[0] == 2
    assert run("track", "remind", "0", "-o", out)[0] == 2
    code, output = run("track", "remind", "7", "-o", out)
    assert code == 2
    assert "no tracked request with id 7" in output
    assert run("track", "close", "7")[0] == 2


def test_an_error_in_the_users_template_folder_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "tpl" / "letters"
    folder.mkdir(parents=True)
    (folder / "objection.html.jinja").write_text("{{ letter.no_such_thing.deeper }}")
    code, output = run(*objection(tmp_path / "x.html"), "--template-dir", str(tmp_path / "tpl"))
    assert code == 2, output
    assert "internal error" not in output


def test_an_unreadable_annex_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not a PDF")
    args = letter_args("complaint", "DE-BE", "en", tmp_path / "c.pdf", enclose=str(broken))
    code, output = run(*args)
    assert code == 2, output
    assert "cannot read this PDF" in output


# Finding 23: smaller ---------------------------------------------------------------------


def test_a_broken_pipe_ends_quietly_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import dsr.commands.lists

    def reader_gone(*args: Any, **kwargs: Any) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(dsr.commands.lists, "_table", reader_gone)
    result = CliRunner().invoke(main, ["list", "authorities"])
    assert result.exit_code == 141  # as for SIGPIPE: the reader wanted no more
    assert result.output == ""


def test_a_broken_pipe_ends_quietly() -> None:
    dsr = [sys.executable, "-c", "from dsr.cli import main; main(prog_name='dsr')"]
    pipeline = subprocess.run(
        [*dsr, "list", "authorities"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pipeline.returncode == 0
    with subprocess.Popen(
        [*dsr, "list", "authorities"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as reader:
        assert reader.stdout is not None
        assert reader.stderr is not None
        reader.stdout.readline()
        reader.stdout.close()  # like `| head -1`
        errors = reader.stderr.read().decode()
    assert "Traceback" not in errors, errors
    assert "internal error" not in errors, errors
    assert "BrokenPipe" not in errors


@pytest.mark.parametrize("where", ["defaults", "profile"])
def test_enclose_as_one_string_in_a_toml_file_is_one_file(tmp_path: Path, where: str) -> None:
    from tests.test_attack_9 import annex_pdf

    # Not a letter dsr wrote, which no batch encloses (attack review 11b, #2).
    annex = annex_pdf(tmp_path / "a.pdf")
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'enclose = "{annex.name}"\n', encoding="utf-8")  # beside it
    complaint = {**BASE, "kind": "complaint", "jurisdiction": "DE-BE"}
    complaint |= {"request-date": "2026-09-01", "request-kind": "objection"}
    if where == "defaults":
        source = tmp_path / "rows.jsonl"
        source.write_text(json.dumps(complaint) + "\n", encoding="utf-8")
        code, output = run(
            "batch", str(source), "-o", str(tmp_path / "out"), "--defaults", str(settings_file)
        )
    else:
        args = letter_args("complaint", "DE-BE", "en", tmp_path / "c.pdf")
        code, output = run(*args, "--profile", str(settings_file))
    assert code == 0, output


def test_file_names_sort_past_row_9999(tmp_path: Path) -> None:
    from datetime import date

    from dsr.batch import output_name

    request = parse_request(BASE, today=date(2026, 11, 22))
    names = [output_name(n, request, "pdf", width=5) for n in (9999, 10000)]
    assert names == sorted(names)
    lines = [json.dumps({**BASE, "name": f"Erika M{n}"}) for n in range(1, 10_002)]
    lines[:-2] = ["{}"] * (len(lines) - 2)  # only the last two rows are letters
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1")
    written = sorted(p.name for p in out.glob("*.txt"))
    assert written == ["10000-m10000-objection-en.txt", "10001-m10001-objection-en.txt"]


# Finding 12: Ctrl-C at any moment ---------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="process groups and the fork server")
@pytest.mark.parametrize("delay", [0.3, 1.5, 3.0])
def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(
    tmp_path: Path, delay: float, dsr_home: Path
) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text(
        "\n".join(json.dumps({**BASE, "name": f"Erika M{n}"}) for n in range(60)) + "\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-c", "from dsr.cli import main; main(prog_name='dsr')"]
    process = subprocess.Popen(
        [*command, "batch", str(source), "-o", str(tmp_path / "out"), "--jobs", "2",
         "--engine", "weasyprint"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "DSR_HOME": str(dsr_home)},
    )  # fmt: skip
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    _, errors = process.communicate(timeout=120)
    text = errors.decode()
    if process.returncode == 0:
        return  # finished before the interrupt
    assert process.returncode == 130, text
    assert "Traceback" not in text, text
    assert "Exception in thread" not in text, text
    assert "Interrupted." in text


def test_skipped_records_never_print_a_terminal_escape(tmp_path: Path) -> None:
    folder = tmp_path / "companies"
    folder.mkdir()
    record = {
        "slug": "evil",
        "relevant-countries": ["de"],
        "name": "Evil Corp",
        "address": "Evil Corp\nStreet 1\n\x1b]8;;https://evil.example\x07Narnia\x1b]8;;\x07",
        "categories": ["commerce"],
        "email": "privacy@evil.example",
    }
    (folder / "evil.json").write_text(json.dumps(record), encoding="utf-8")
    (folder / "\x1b[31mred.json").write_text(json.dumps(record), encoding="utf-8")
    result = CliRunner().invoke(main, ["controllers", "import", str(folder)])
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "skipped 2" in result.output


def test_a_yaml_datetime_is_a_date_and_bounded() -> None:
    from datetime import UTC, date, datetime

    request = parse_request(
        {**BASE, "date": datetime(2026, 11, 22, 10, tzinfo=UTC)}, today=date(2026, 11, 22)
    )
    assert request.date == date(2026, 11, 22)
    with pytest.raises(InvalidRequest):
        parse_request(
            {**BASE, "date": datetime(9999, 12, 31, 10, tzinfo=UTC)}, today=date(2026, 11, 22)
        )
