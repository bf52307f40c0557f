"""The third outside attack (2026-12-07): each finding fixed, each with a test that failed before.

The review is kept on the dev machine (research/attack-review-3.md); the findings
are quoted in each test's docstring.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import userdata
from dsr.cli import main
from dsr.errors import InvalidRequest
from dsr.outputs import mailbox
from tests.store_tools import tamper

ERASURE = [
    "letter", "--kind", "erasure", "--controller", "openai", "--jurisdiction", "DE",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
    "--email", "e@example.org", "--date", "2026-11-22",
]  # fmt: skip
ROW = {
    "kind": "complaint", "jurisdiction": "DE-BE", "controller": "linkedin", "name": "Anna A",
    "address": "Hauptstraße 1, 10115 Berlin", "account-email": "a@example.org",
    "date": "2026-11-22", "request-date": "2026-09-01", "request-kind": "objection",
}  # fmt: skip
INJECTIONS = [
    "=?utf-8?q?A=0D=0ABcc:_spy@evil.example?=",
    "Anna =?utf-8?b?QQ0KQmNjOiBzcHlAZXZpbC5leGFtcGxl?= A",
    "=?UTF-8?Q?=1B]0;x=07?=",
]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


# 1 (CRITICAL): an encoded word in the name became a header of its own (Bcc: ...).


@pytest.mark.parametrize("name", INJECTIONS)
def test_1_an_encoded_word_in_the_name_is_refused(
    name: str, tmp_path: Path, dsr_home: Path
) -> None:
    code, output = invoke(*ERASURE, "--name", name, "-o", str(tmp_path / "x.eml"))
    assert code == 2, output
    assert "--name" in output
    assert "=?" in output
    assert not (tmp_path / "x.eml").exists()


@pytest.mark.parametrize("name", INJECTIONS)
def test_1_the_mail_writer_refuses_it_too(name: str) -> None:
    """A Letter the library composed itself meets the same rule."""
    with pytest.raises(InvalidRequest):
        mailbox(name, "e@example.org")


def test_1_a_subject_with_an_encoded_word_reads_back_as_typed(tmp_path: Path) -> None:
    """Data that reaches the Subject (a controller's name) is encoded whole, never decoded."""
    from email.message import EmailMessage

    from dsr.outputs import _set_subject

    message = EmailMessage()
    subject = "Objection to =?utf-8?q?X=0D=0ABcc:_spy@evil.example?= (Ref. 2026-A)"
    _set_subject(message, subject)
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert str(parsed["Subject"]) == subject


# 2 (CRITICAL): forget deleted another program's tracking.sqlite3 and manifest.jsonl.


def test_2_forget_keeps_files_with_dsrs_names_that_dsr_did_not_write(dsr_home: Path) -> None:
    foreign = {
        "tracking.sqlite3": b"not a database",
        "tracking.sqlite3-wal": b"x",
        "manifest.jsonl": b'{"other": 1}\n',
        "tax.txt": b"tax",
    }
    for name, data in foreign.items():
        (dsr_home / name).write_bytes(data)
    forgotten = userdata.forget()
    assert forgotten.removed == []
    for name, data in foreign.items():
        assert (dsr_home / name).read_bytes() == data


def test_2_another_programs_sqlite_database_is_kept(dsr_home: Path) -> None:
    connection = sqlite3.connect(dsr_home / "tracking.sqlite3")
    connection.execute("CREATE TABLE songs (title TEXT)")
    connection.commit()
    connection.close()
    userdata.forget()
    assert (dsr_home / "tracking.sqlite3").exists()


def test_2_dsrs_own_store_and_manifest_are_removed(tmp_path: Path, dsr_home: Path) -> None:
    code, output = invoke(
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "E M",
        "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
        "--date", "2026-11-22", "--track", "-o", str(tmp_path / "t.txt"),
    )  # fmt: skip
    assert code == 0, output
    assert (dsr_home / "tracking.sqlite3").exists()
    userdata.forget()
    assert not (dsr_home / "tracking.sqlite3").exists()
    assert not (dsr_home / "manifest.jsonl").exists()


# 3 (CRITICAL): a hard-linked annex in the batch file's folder pulled in a PDF from elsewhere.


def test_3_a_hard_linked_annex_is_that_rows_error(tmp_path: Path, dsr_home: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    batch = tmp_path / "batch"
    batch.mkdir()
    code, _ = invoke(
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "Secret S",
        "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "s@example.org",
        "--date", "2026-11-22", "-o", str(private / "secret.pdf"),
    )  # fmt: skip
    assert code == 0
    os.link(private / "secret.pdf", batch / "hl.pdf")
    rows = batch / "rows.jsonl"
    rows.write_text(json.dumps({**ROW, "enclose": "hl.pdf"}) + "\n" + json.dumps(ROW) + "\n")
    code, output = invoke("batch", str(rows), "-o", str(tmp_path / "out"), "--format", "pdf")
    assert code == 2
    assert "hard links" in output
    written = sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
    assert len(written) == 1  # the other row is written
    assert written[0].startswith("0002-")


# 4 (HIGH): a quote that never closes swallowed every row after it without a word.


def test_4_an_unclosed_quote_is_refused_before_anything_is_written(
    tmp_path: Path, dsr_home: Path
) -> None:
    header = "kind,jurisdiction,controller,name,address,account-email,date\n"
    good = "objection,DE,linkedin,Bob B,Hauptstraße 1 10115 Berlin,b@example.org,2026-11-22\n"
    bad = 'objection,DE,linkedin,"Mallory M,Hauptstraße 1 10115 Berlin,m@example.org,2026-11-22\n'
    rows = tmp_path / "rows.csv"
    rows.write_text(header + good + bad + good * 100, encoding="utf-8")
    code, output = invoke(
        "batch", str(rows), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2
    assert "line 3" in output
    assert "check the quotes" in output
    assert "lines 3 to 103" in output  # to the end of the file: the 100 rows after it
    assert not (tmp_path / "out").exists()


def test_4_a_quoted_cell_over_several_lines_is_still_one_cell(
    tmp_path: Path, dsr_home: Path
) -> None:
    header = "kind,jurisdiction,controller,name,address,account-email,date\n"
    row = 'objection,DE,linkedin,Bob B,"Hauptstraße 1\n10115 Berlin",b@example.org,2026-11-22\n'
    rows = tmp_path / "rows.csv"
    rows.write_text(header + row * 3, encoding="utf-8")
    code, output = invoke(
        "batch", str(rows), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output
    assert len(list((tmp_path / "out").glob("*.txt"))) == 3


# 10 (MEDIUM): a number of thousands of digits was an internal error, exit 1.


def test_10_a_number_too_long_to_read_is_a_clear_error(tmp_path: Path, dsr_home: Path) -> None:
    record = tmp_path / "big.json"
    record.write_text('{"slug": "acme", "service": "Acme", "x": ' + "9" * 5000 + "}")
    profile = tmp_path / "p.toml"
    profile.write_text('name = "E M"\nx = ' + "9" * 5000 + "\n")
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "big.json").write_text(record.read_text())
    for args in (
        ("controllers", "import", str(record)),
        ("controllers", "import", str(folder)),
        ("letter", "--profile", str(profile), "--kind", "objection", "-o", str(tmp_path / "a.txt")),
    ):
        code, output = invoke(*args)
        assert code == 2, (args, output)
        assert "4,300 digits" in output


# 12 (MEDIUM): rows of the tracking store edited by hand gave internal errors.


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("inputs", "[1, 2]"),
        ("kind", "bogus"),
        ("files", "5"),
        ("deadline", "9999-12-31"),
        ("file_hashes", "[" * 5000 + "]" * 5000),
        ("controller_record", '"text"'),
    ],
)
def test_12_a_row_dsr_did_not_write_is_named_not_a_crash(
    column: str, value: str, tmp_path: Path, dsr_home: Path
) -> None:
    code, output = invoke(
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "E M",
        "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
        "--date", "2026-11-22", "--track", "-o", str(tmp_path / "t.txt"),
    )  # fmt: skip
    assert code == 0, output
    tamper(dsr_home, f"UPDATE requests SET {column} = ?", value, sealed=True)
    for args in (("track", "list"), ("track", "remind", "1", "-o", str(tmp_path / "r.txt"))):
        code, output = invoke(*args)
        assert code == 2, (args, output)
        assert "holds a request dsr cannot read" in output


# 13 (MEDIUM): an internationalised domain was written wrongly; a non-ASCII local part
# failed only at output, exit 1.


def test_13_an_internationalised_domain_is_written_as_mail_systems_read_it(
    tmp_path: Path, dsr_home: Path
) -> None:
    code, output = invoke(
        *ERASURE[:-4], "--email", "erika@bücher.de", "--date", "2026-11-22",
        "--name", "Jörg Müller, Spy: <spy>; Evil <root>", "-o", str(tmp_path / "x.eml"),
    )  # fmt: skip
    assert code == 0, output
    message = email.message_from_bytes(
        (tmp_path / "x.eml").read_bytes(), policy=email.policy.default
    )
    # One mailbox: the name adds none (a name holding an e-mail address is refused as
    # no person's name: tests/test_inputs.py).
    (sender,) = message["From"].addresses
    assert sender.display_name == "Jörg Müller, Spy: <spy>; Evil <root>"
    assert sender.addr_spec == "erika@xn--bcher-kva.de"


def test_13_a_non_ascii_local_part_is_refused_up_front(tmp_path: Path, dsr_home: Path) -> None:
    code, output = invoke(
        *ERASURE[:-4], "--email", "jörg@example.org", "--date", "2026-11-22",
        "--name", "Jörg", "-o", str(tmp_path / "x.eml"),
    )  # fmt: skip
    assert code == 2
    assert output.startswith("Error: --email:")
    assert not (tmp_path / "x.eml").exists()


# 20 (LOW): the .ics file carried control characters from the store raw.


def test_20_the_calendar_escapes_control_characters(tmp_path: Path, dsr_home: Path) -> None:
    code, output = invoke(
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "E M",
        "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
        "--date", "2026-11-22", "--track", "-o", str(tmp_path / "t.txt"),
    )  # fmt: skip
    assert code == 0, output
    tamper(
        dsr_home, "UPDATE requests SET recipient = ?", "Evil\x1b]0;T\x07 Corp\u202e", sealed=True
    )
    code, output = invoke("track", "ics", "-o", str(tmp_path / "d.ics"))
    assert code == 0, output
    ics = (tmp_path / "d.ics").read_text(encoding="utf-8")
    assert "\x1b" not in ics
    assert "\x07" not in ics
    assert "\u202e" not in ics
    assert "Evil" in ics


# 16 (LOW): a name the member types for the output file may hold spaces and accents.


def test_16_an_output_name_with_spaces_and_accents_is_accepted(
    tmp_path: Path, dsr_home: Path
) -> None:
    target = tmp_path / "Widerspruch Müller.pdf"
    code, output = invoke(
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "E M",
        "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
        "--date", "2026-11-22", "-o", str(target),
    )  # fmt: skip
    assert code == 0, output
    assert target.is_file()
