"""The re-attack of the third attack's fixes (2026-12-07): each bypass, with a test."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import files, track, userdata
from dsr.cli import main
from dsr.errors import InvalidRequest
from dsr.outputs import mailbox

HEADER = "kind,jurisdiction,name,address,account-email,date\n"
GOOD = "objection,DE,Bob B,Hauptstraße 1 10115 Berlin,b@example.org,2026-11-22\n"
STRAY = 'objection,DE,"Mallory M,Hauptstraße 1 10115 Berlin,m@example.org,2026-11-22\n'


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


OBJECTION_DE = 'kind = "objection"\njurisdiction = "DE"\n'


def batch_with_defaults(tmp_path: Path, source: Path, defaults: str) -> tuple[int, str]:
    """``dsr batch SOURCE`` into tmp_path/out as text, with ``defaults`` as --defaults."""
    toml = tmp_path / "def.toml"
    toml.write_text(defaults, encoding="utf-8")
    return invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells",
        "--defaults", str(toml),
    )  # fmt: skip


# 1 (CRITICAL): a one-line or empty manifest.jsonl of the user's was deleted.


@pytest.mark.parametrize("content", [b"my notes\n", b"", b'{"file":"x"}\nmy diary entry\n', b"\n"])
def test_1_a_manifest_dsr_did_not_write_is_kept(content: bytes, dsr_home: Path) -> None:
    (dsr_home / "manifest.jsonl").write_bytes(content)
    userdata.forget()
    assert (dsr_home / "manifest.jsonl").read_bytes() == content


# 2 (HIGH): a planted manifest made forget delete any file it named with its sha256.


def test_2_forget_deletes_only_names_dsr_writes(dsr_home: Path) -> None:
    (dsr_home / "sub").mkdir()
    planted = {"tax.txt": b"tax", "sub/deep.txt": b"deep"}
    lines = []
    for name, data in planted.items():
        (dsr_home / name).write_bytes(data)
        lines.append(json.dumps({"file": name, "sha256": hashlib.sha256(data).hexdigest()}))
    (dsr_home / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    userdata.forget()
    for name, data in planted.items():
        assert (dsr_home / name).read_bytes() == data


# 3 (CRITICAL): an annex swapped for a link (or hard link) after the check was read in.


def test_3_an_annex_is_read_without_following_what_was_swapped_in(tmp_path: Path) -> None:
    (tmp_path / "secret.pdf").write_bytes(b"secret")
    folder = tmp_path / "batch"
    folder.mkdir()
    annex = folder / "ann.pdf"
    annex.write_bytes(b"%PDF-1.4 mine")
    checked = annex.resolve()
    assert files.read_confined(checked) == b"%PDF-1.4 mine"
    annex.unlink()
    annex.symlink_to(tmp_path / "secret.pdf")
    with pytest.raises(files.UnsafeFile):
        files.read_confined(checked)
    annex.unlink()
    os.link(tmp_path / "secret.pdf", annex)
    with pytest.raises(files.UnsafeFile):
        files.read_confined(checked)
    annex.unlink()
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "ann.pdf").write_bytes(b"%PDF other")
    folder.rename(tmp_path / "old")
    folder.symlink_to(tmp_path / "real")  # a folder on the way swapped for a link
    with pytest.raises(files.UnsafeFile):
        files.read_confined(checked)


# 4, 5 (HIGH): a stray quote closed by a later one, or running past the reader's
# limit, swallowed the rows in between without a word.


def test_4_a_cell_holding_rows_refuses_the_file(tmp_path: Path, dsr_home: Path) -> None:
    closing = 'objection,DE,Trudy T",Hauptstraße 1 10115 Berlin,t@example.org,2026-11-22\n'
    source = tmp_path / "q1.csv"
    source.write_text(HEADER + GOOD + STRAY + GOOD * 58 + closing + GOOD * 9, encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2
    assert "lines 3 to 62 are read as one row" in output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


def test_5_a_cell_past_the_readers_limit_refuses_the_file(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "q2.csv"
    source.write_text(HEADER + GOOD + STRAY + GOOD * 2998, encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2
    assert "line 3" in output
    assert not (tmp_path / "out").exists()


def test_4_an_address_over_several_lines_is_still_one_cell(tmp_path: Path, dsr_home: Path) -> None:
    row = 'objection,DE,Bob B,"Hauptstraße 1\n10115 Berlin",b@example.org,2026-11-22\n'
    source = tmp_path / "q3.csv"
    source.write_text(HEADER + row * 3, encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output


# 6 (HIGH): encoded words in an address reached the To: header.


@pytest.mark.parametrize(
    "address",
    [
        "legal@=?utf-8?q?evil.example?=",
        "=?utf-8?q?spy=40evil.example=3E?=@acme.com",
        "=?utf-8?q?a=0D=0ABcc=3A_spy=40evil.example?=@acme.com",
        '"quoted local"@acme.com',
        "a@b",
    ],
)
def test_6_an_address_a_reader_would_decode_is_refused(address: str) -> None:
    with pytest.raises(InvalidRequest):
        mailbox("Acme", address, "controller")


def test_6_the_members_email_with_an_encoded_word_is_refused(
    tmp_path: Path, dsr_home: Path
) -> None:
    code, output = invoke(
        "letter", "--kind", "erasure", "--controller", "openai", "--jurisdiction", "DE",
        "--name", "E M", "--address", "Hauptstraße 1, 10115 Berlin",
        "--account-email", "e@example.org", "--email", "=?utf-8?q?spy=40evil.example?=@x.org",
        "--date", "2026-11-22", "-o", str(tmp_path / "x.eml"),
    )  # fmt: skip
    assert code == 2
    assert output.startswith("Error: --email:")


# 12 (MEDIUM): a foreign store with a requests table but a newer schema was deleted.


def test_12_a_store_of_a_schema_dsr_does_not_know_is_kept(dsr_home: Path) -> None:
    connection = sqlite3.connect(dsr_home / "tracking.sqlite3")
    connection.execute("CREATE TABLE requests (id INTEGER)")
    connection.execute("PRAGMA user_version = 7")
    connection.commit()
    connection.close()
    userdata.forget()
    assert (dsr_home / "tracking.sqlite3").exists()


def test_12_the_schema_versions_forget_knows_are_the_stores(tmp_path: Path) -> None:
    assert userdata.STORE_SCHEMA_VERSIONS == track.SCHEMA_VERSION
    connection = sqlite3.connect(tmp_path / "s.sqlite3")
    for number, migration in enumerate(track.MIGRATIONS, 1):
        connection.execute(migration)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(requests)")}
        assert userdata.STORE_FIRST_COLUMNS <= columns <= userdata.STORE_COLUMNS, number
    assert columns == userdata.STORE_COLUMNS
    connection.close()


# Review 5 #3 (LOW): another program's SQLite file with a ``requests`` table and a small
# user_version was taken for dsr's store and deleted by ``forget``.
@pytest.mark.parametrize(
    "schema",
    [
        ["CREATE TABLE requests (id INTEGER, url TEXT, body BLOB)"],
        [track.MIGRATIONS[0], "CREATE TABLE invoices (id INTEGER)"],
        [track.MIGRATIONS[0], "ALTER TABLE requests ADD COLUMN iban TEXT"],
    ],
)
def test_12_another_programs_store_with_a_requests_table_is_kept(
    schema: list[str], dsr_home: Path
) -> None:
    connection = sqlite3.connect(dsr_home / "tracking.sqlite3")
    for statement in schema:
        connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    userdata.forget()
    assert (dsr_home / "tracking.sqlite3").exists()


# Review 5 (HIGH): the check read the file otherwise than the rows are read (TSV with a
# quote inside a cell), and missed swallowed rows with few separators.


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "c3.tsv",
            "kind\tjurisdiction\tname\taddress\taccount-email\tdate\n"
            "objection\tDE\tBob B\tHauptstraße 1 10115 Berlin\tb@example.org\t2026-11-22\n"
            'objection\tDE\t"Mallory" M\t"Hauptstraße 1 10115 Berlin\tm@example.org\t2026-11-22\n'
            + "objection\tDE\tBob B\tHauptstraße 1 10115 Berlin\tb@example.org\t2026-11-22\n"
            * 27,
        ),
        (
            "c4.csv",
            HEADER
            + GOOD
            + STRAY
            + "".join(f"objection,DE,Member {i},Hauptstraße {i} 10115 Berlin\n" for i in range(27))
            + 'objection,DE,Trudy",x,t@example.org,2026-11-22\n'
            + GOOD,
        ),
    ],
)
def test_5_rows_swallowed_by_a_stray_quote_refuse_the_file(
    name: str, content: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


# Review 6 (HIGH): a cell past the reader's limit after a literal quote in the row, other
# line endings, a U+2028 before it, or short rows swallowed into an address.


def _row(i: int, sep: str = ",") -> str:
    return sep.join(
        ["objection", "DE", f"Member {i}", f"Hauptstrasse {i} 10115 Berlin", f"m{i}@example.org",
         "2026-11-22"]
    )  # fmt: skip


def _file(case: str) -> tuple[str, str]:
    head = HEADER.rstrip("\n")
    oneil = 'objection,DE,Mallory O"Neil,"Hauptstrasse 1 10115 Berlin,m@example.org,2026-11-22'
    rows = [_row(i) for i in range(3, 3003)]
    if case == "literal-quote":
        return "b.csv", "\n".join([head, _row(1), oneil, *rows]) + "\n"
    if case == "semicolons-crlf":
        body = [head.replace(",", ";"), _row(1, ";"), oneil.replace(",", ";")]
        return "d.csv", "\r\n".join(body + [_row(i, ";") for i in range(3, 3003)]) + "\r\n"
    if case == "cr-only":
        return "e.csv", "\r".join([head, _row(1), oneil, *rows]) + "\r"
    if case == "line-separator-before":
        first = _row(1).replace("Hauptstrasse 1", "Hauptstrasse\u20281")
        bad = 'objection,DE,Mallory,"Hauptstrasse 1 10115 Berlin,m@example.org,2026-11-22'
        return "c2.csv", "\n".join([head, first, bad, *rows]) + "\n"
    short = [f"objection,DE,Member {i},Street {i}" for i in range(3, 7)]
    closing = 'objection,DE,Member 7,"Street 7",m7@example.org,2026-11-22'
    bad = 'objection,DE,Mallory,"Hauptstrasse 1'
    return "a.csv", "\n".join([head, _row(1), bad, *short, closing, _row(8)]) + "\n"


@pytest.mark.parametrize(
    "case",
    ["literal-quote", "semicolons-crlf", "cr-only", "line-separator-before", "short-rows"],
)
def test_6_no_stray_quote_loses_rows_silently(case: str, tmp_path: Path, dsr_home: Path) -> None:
    name, content = _file(case)
    source = tmp_path / name
    source.write_bytes(content.encode("utf-8"))
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


def test_6_short_rows_swallowed_into_a_situation_refuse_the_file(
    tmp_path: Path, dsr_home: Path
) -> None:
    """The kind is not the first column, and the swallowed rows are short."""
    source = tmp_path / "s1.csv"
    source.write_text(
        "name,kind,jurisdiction,address,account-email,date,situation\n"
        'Bob,art21,DE,Hauptstrasse 1 10115 Berlin,b@example.org,2026-11-22,"I am a journalist\n'
        '\nand must protect my sources."\n'
        'Mallory,art21,DE,Hauptstrasse 1 10115 Berlin,m@example.org,2026-11-22,"I am\n'
        "Carol,art21,DE,Hauptstrasse 1\nDave,art21,DE,Hauptstrasse 2\n"
        'Eve,art21,DE,x,e@example.org,2026-11-22,"end"\n',
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "check the quotes" in output


def test_6_addresses_and_situations_over_several_lines_are_accepted(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "ok.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,date,situation\n"
        'art21,DE,Bob B,"Flat 1, 1 Main Street\n10115 Berlin",b@example.org,2026-11-22,'
        '"I am a journalist.\n\nMy posts name my sources, whom I must protect."\n',
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output


# Review 7 (HIGH): short rows, the kind not first or written "objection ", swallowed.
REVIEW_7 = {
    "t1.csv": 'name,kind,jurisdiction,address,account-email,date,situation,language\nMember 1,objection,DE,Hauptstrasse 1 10115 Berlin,m1@example.org,2026-11-22\nMallory,objection,DE,"Hauptstrasse 2 10115 Berlin,m2@example.org,2026-11-22\nMember 3,objection,DE,Hauptstrasse 3 10115 Berlin,m3@example.org,2026-11-22\nMember 4,objection,DE,Hauptstrasse 4 10115 Berlin,m4@example.org,2026-11-22\nMember 5,objection,DE,Hauptstrasse 5 10115 Berlin,m5@example.org,2026-11-22\nMember 6,objection,DE,Hauptstrasse 6 10115 Berlin,m6@example.org,2026-11-22\nMember 7,objection,DE,"Hauptstrasse 7 10115 Berlin",m7@example.org,2026-11-22\nMember 8,objection,DE,Hauptstrasse 8 10115 Berlin,m8@example.org,2026-11-22\n',
    "t2.csv": 'kind,jurisdiction,name,address,account-email,date,situation,language,notes\nobjection ,DE,Member 1,Hauptstrasse 1 10115 Berlin,m1@example.org,2026-11-22\nobjection,DE,Mallory,Hauptstrasse 2 10115 Berlin,m2@example.org,2026-11-22,"I object\nobjection ,DE,Member 3,Hauptstrasse 3 10115 Berlin,m3@example.org,2026-11-22\nobjection ,DE,Member 4,Hauptstrasse 4 10115 Berlin,m4@example.org,2026-11-22\nobjection ,DE,Member 5,Hauptstrasse 5 10115 Berlin,m5@example.org,2026-11-22\nobjection ,DE,Member 6,Hauptstrasse 6 10115 Berlin,m6@example.org,2026-11-22\nobjection ,DE,Member 7,Hauptstrasse 7 10115 Berlin,m7@example.org,2026-11-22\nobjection ,DE,Member 8,Hauptstrasse 8 10115 Berlin,m8@example.org,2026-11-22\nobjection ,DE,Member 9,Hauptstrasse 9 10115 Berlin,m9@example.org,2026-11-22\nobjection ,DE,Member 10,Hauptstrasse 10 10115 Berlin,m10@example.org,2026-11-22\nobjection ,DE,Member 11,Hauptstrasse 11 10115 Berlin,m11@example.org,2026-11-22\nobjection ,DE,Member 12,Hauptstrasse 12 10115 Berlin,m12@example.org,2026-11-22\nobjection ,DE,Member 13,Hauptstrasse 13 10115 Berlin,m13@example.org,2026-11-22\nobjection ,DE,Member 14,Hauptstrasse 14 10115 Berlin,m14@example.org,2026-11-22\nobjection ,DE,Member 15,Hauptstrasse 15 10115 Berlin,m15@example.org,2026-11-22\nobjection ,DE,Member 16,Hauptstrasse 16 10115 Berlin,m16@example.org,2026-11-22\nobjection ,DE,Member 17,Hauptstrasse 17 10115 Berlin,m17@example.org,2026-11-22\nobjection ,DE,Member 18,Hauptstrasse 18 10115 Berlin,m18@example.org,2026-11-22\nobjection ,DE,Member 19,Hauptstrasse 19 10115 Berlin,m19@example.org,2026-11-22\nobjection ,DE,Member 20,Hauptstrasse 20 10115 Berlin,m20@example.org,2026-11-22\nobjection ,DE,Member 21,Hauptstrasse 21 10115 Berlin,m21@example.org,2026-11-22\nobjection ,DE,Member 22,Hauptstrasse 22 10115 Berlin,m22@example.org,2026-11-22\nobjection ,DE,Member 23,Hauptstrasse 23 10115 Berlin,m23@example.org,2026-11-22\nobjection ,DE,Member 24,Hauptstrasse 24 10115 Berlin,m24@example.org,2026-11-22\nobjection ,DE,Member 25,Hauptstrasse 25 10115 Berlin,m25@example.org,2026-11-22\nobjection ,DE,Member 26,Hauptstrasse 26 10115 Berlin,m26@example.org,2026-11-22\nobjection ,DE,Member 27,Hauptstrasse 27 10115 Berlin,m27@example.org,2026-11-22\nobjection ,DE,Member 28,Hauptstrasse 28 10115 Berlin,m28@example.org,2026-11-22\nobjection ,DE,Member 29,Hauptstrasse 29 10115 Berlin,m29@example.org,2026-11-22\nobjection ,DE,Member 30,Hauptstrasse 30 10115 Berlin,m30@example.org,2026-11-22\nobjection ,DE,Member 31,Hauptstrasse 31 10115 Berlin,m31@example.org,2026-11-22\nobjection ,DE,Member 32,Hauptstrasse 32 10115 Berlin,m32@example.org,2026-11-22\nobjection ,DE,Member 33,Hauptstrasse 33 10115 Berlin,m33@example.org,2026-11-22,"x"\nobjection ,DE,Member 34,Hauptstrasse 34 10115 Berlin,m34@example.org,2026-11-22\n',
}


@pytest.mark.parametrize("name", sorted(REVIEW_7))
def test_7_rows_a_quote_swallows_are_found_by_their_kind(
    name: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / name
    source.write_text(REVIEW_7[name], encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


def test_7_a_situation_of_paragraphs_with_commas_is_accepted(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "legit.csv"
    source.write_text(
        'kind,jurisdiction,name,address,account-email,date,situation\nobjection,DE,Anna Muster,"c/o Muster\nHauptstrasse 1\n10115 Berlin",a@example.org,2026-11-22,"I object.\n\nParagraph two, with a ""quoted"" word, and commas.\n\nParagraph three.\nLine four."\nobjection,DE,Bob Beispiel,"Hauptstrasse 2\n10115 Berlin",b@example.org,2026-11-22,\nobjection,DE,Member 3,Hauptstrasse 3 10115 Berlin,m3@example.org,2026-11-22,\n',
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output


# Review 8 (HIGH): swallowed rows with a misspelled, empty or defaulted kind, or no kind column.
REVIEW_8 = {
    n: c
    for n, c in {
        "a.csv": 'kind,jurisdiction,name,address,account-email,date,situation,language,notes\nobjection,DE,Member 1,Hauptstrasse 1 10115 Berlin,m1@example.org,2026-11-22\nobjection,DE,Mallory,Hauptstrasse 2 10115 Berlin,m2@example.org,2026-11-22,"I object\nobjectoin,DE,Member 3,Hauptstrasse 3 10115 Berlin,m3@example.org,2026-11-22\nobjectoin,DE,Member 4,Hauptstrasse 4 10115 Berlin,m4@example.org,2026-11-22\nobjectoin,DE,Member 5,Hauptstrasse 5 10115 Berlin,m5@example.org,2026-11-22\nobjectoin,DE,Member 6,Hauptstrasse 6 10115 Berlin,m6@example.org,2026-11-22\nobjectoin,DE,Member 7,Hauptstrasse 7 10115 Berlin,m7@example.org,2026-11-22\nobjectoin,DE,Member 8,Hauptstrasse 8 10115 Berlin,m8@example.org,2026-11-22\nobjectoin,DE,Member 9,Hauptstrasse 9 10115 Berlin,m9@example.org,2026-11-22\nobjectoin,DE,Member 10,Hauptstrasse 10 10115 Berlin,m10@example.org,2026-11-22\nobjectoin,DE,Member 11,Hauptstrasse 11 10115 Berlin,m11@example.org,2026-11-22\nobjectoin,DE,Member 12,Hauptstrasse 12 10115 Berlin,m12@example.org,2026-11-22\nobjectoin,DE,Member 13,Hauptstrasse 13 10115 Berlin,m13@example.org,2026-11-22,"x"\nobjection,DE,Member 14,Hauptstrasse 14 10115 Berlin,m14@example.org,2026-11-22\n',
        "b.csv": 'kind,jurisdiction,name,address,account-email,date,situation,language,notes\n,DE,Member 1,Hauptstrasse 1 10115 Berlin,m1@example.org,2026-11-22\n,DE,Mallory,Hauptstrasse 2 10115 Berlin,m2@example.org,2026-11-22,"I object\n,DE,Member 3,Hauptstrasse 3 10115 Berlin,m3@example.org,2026-11-22\n,DE,Member 4,Hauptstrasse 4 10115 Berlin,m4@example.org,2026-11-22\n,DE,Member 5,Hauptstrasse 5 10115 Berlin,m5@example.org,2026-11-22\n,DE,Member 6,Hauptstrasse 6 10115 Berlin,m6@example.org,2026-11-22\n,DE,Member 7,Hauptstrasse 7 10115 Berlin,m7@example.org,2026-11-22\n,DE,Member 8,Hauptstrasse 8 10115 Berlin,m8@example.org,2026-11-22\n,DE,Member 9,Hauptstrasse 9 10115 Berlin,m9@example.org,2026-11-22\n,DE,Member 10,Hauptstrasse 10 10115 Berlin,m10@example.org,2026-11-22\n,DE,Member 11,Hauptstrasse 11 10115 Berlin,m11@example.org,2026-11-22\n,DE,Member 12,Hauptstrasse 12 10115 Berlin,m12@example.org,2026-11-22\n,DE,Member 13,Hauptstrasse 13 10115 Berlin,m13@example.org,2026-11-22,"x"\n,DE,Member 14,Hauptstrasse 14 10115 Berlin,m14@example.org,2026-11-22\n',
        "c.csv": 'jurisdiction,name,address,account-email,date,situation,language,notes\nDE,Member 1,Hauptstrasse 1 10115 Berlin,m1@example.org\nDE,Mallory,Hauptstrasse 2 10115 Berlin,m2@example.org,2026-11-22,"I object\nDE,Member 3,Hauptstrasse 3 10115 Berlin,m3@example.org\nDE,Member 4,Hauptstrasse 4 10115 Berlin,m4@example.org\nDE,Member 5,Hauptstrasse 5 10115 Berlin,m5@example.org\nDE,Member 6,Hauptstrasse 6 10115 Berlin,m6@example.org\nDE,Member 7,Hauptstrasse 7 10115 Berlin,m7@example.org\nDE,Member 8,Hauptstrasse 8 10115 Berlin,m8@example.org\nDE,Member 9,Hauptstrasse 9 10115 Berlin,m9@example.org\nDE,Member 10,Hauptstrasse 10 10115 Berlin,m10@example.org\nDE,Member 11,Hauptstrasse 11 10115 Berlin,m11@example.org\nDE,Member 12,Hauptstrasse 12 10115 Berlin,m12@example.org\nDE,Member 13,Hauptstrasse 13 10115 Berlin,m13@example.org,2026-11-22,"x"\nDE,Member 14,Hauptstrasse 14 10115 Berlin,m14@example.org\n',
        "d.tsv": 'jurisdiction\tname\taddress\taccount-email\tdate\tsituation\tlanguage\tnotes\nDE\tMember 1\tHauptstrasse 1 10115 Berlin\tm1@example.org\nDE\tMallory\tHauptstrasse 2 10115 Berlin\tm2@example.org\t2026-11-22\t"I object\nDE\tMember 3\tHauptstrasse 3 10115 Berlin\tm3@example.org\nDE\tMember 4\tHauptstrasse 4 10115 Berlin\tm4@example.org\nDE\tMember 5\tHauptstrasse 5 10115 Berlin\tm5@example.org\nDE\tMember 6\tHauptstrasse 6 10115 Berlin\tm6@example.org\nDE\tMember 7\tHauptstrasse 7 10115 Berlin\tm7@example.org\nDE\tMember 8\tHauptstrasse 8 10115 Berlin\tm8@example.org\nDE\tMember 9\tHauptstrasse 9 10115 Berlin\tm9@example.org\nDE\tMember 10\tHauptstrasse 10 10115 Berlin\tm10@example.org\nDE\tMember 11\tHauptstrasse 11 10115 Berlin\tm11@example.org\nDE\tMember 12\tHauptstrasse 12 10115 Berlin\tm12@example.org\nDE\tMember 13\tHauptstrasse 13 10115 Berlin\tm13@example.org\t2026-11-22\t"x"\nDE\tMember 14\tHauptstrasse 14 10115 Berlin\tm14@example.org\n',
        "e.csv": 'kind;jurisdiction;name;address;account-email;date;situation;language;notes\n;DE;Member 1;Hauptstrasse 1 10115 Berlin;m1@example.org;2026-11-22\n;DE;Mallory;Hauptstrasse 2 10115 Berlin;m2@example.org;2026-11-22;"I object\n;DE;Member 3;Hauptstrasse 3 10115 Berlin;m3@example.org;2026-11-22\n;DE;Member 4;Hauptstrasse 4 10115 Berlin;m4@example.org;2026-11-22\n;DE;Member 5;Hauptstrasse 5 10115 Berlin;m5@example.org;2026-11-22\n;DE;Member 6;Hauptstrasse 6 10115 Berlin;m6@example.org;2026-11-22\n;DE;Member 7;Hauptstrasse 7 10115 Berlin;m7@example.org;2026-11-22\n;DE;Member 8;Hauptstrasse 8 10115 Berlin;m8@example.org;2026-11-22\n;DE;Member 9;Hauptstrasse 9 10115 Berlin;m9@example.org;2026-11-22\n;DE;Member 10;Hauptstrasse 10 10115 Berlin;m10@example.org;2026-11-22\n;DE;Member 11;Hauptstrasse 11 10115 Berlin;m11@example.org;2026-11-22\n;DE;Member 12;Hauptstrasse 12 10115 Berlin;m12@example.org;2026-11-22\n;DE;Member 13;Hauptstrasse 13 10115 Berlin;m13@example.org;2026-11-22;"x"\n;DE;Member 14;Hauptstrasse 14 10115 Berlin;m14@example.org;2026-11-22\n',
    }.items()
}
REVIEW_8_DEFAULTS = 'kind = "objection"\n'


@pytest.mark.parametrize("name", sorted(REVIEW_8))
def test_8_rows_with_an_e_mail_or_a_date_are_never_text_of_a_cell(
    name: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / name
    source.write_text(REVIEW_8[name], encoding="utf-8")
    code, output = batch_with_defaults(tmp_path, source, REVIEW_8_DEFAULTS)
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


# Attack 9: rows of two cells (a jurisdiction, a name) swallowed into a situation; a
# header written with spaces is read the way the rows are.
@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("name,jurisdiction,address,account-email,situation", "Member {i},DE,Street {i},m{i}@example.org"),
        ("Name,Account Email,Address,Situation", "Member {i},m{i}@example.org,Street {i}"),
        ("name,kind,jurisdiction,address,situation", "Member {i},objection,DE,Street {i}"),
        ("name,date,jurisdiction,address,situation", "Member {i},22.11.2026,DE,Street {i}"),
    ],
)  # fmt: skip
def test_9_two_cell_rows_are_never_text_of_a_cell(
    header: str, row: str, tmp_path: Path, dsr_home: Path
) -> None:
    body = "\n".join(row.format(i=i) for i in range(3, 9))
    source = tmp_path / "short.csv"
    source.write_text(f'{header}\nMallory,,,"I object\n{body}\nend"\n', encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "reads as a member's row" in output
    assert "line 3 " in output
    assert not (tmp_path / "out").exists()


def test_9_prose_with_dates_and_commas_inside_a_situation_is_accepted(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "prose.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,date,situation\n"
        'objection,DE,Anna Muster,"c/o Muster, Hof 2\nHauptstrasse 1\n10115 Berlin",'
        'a@example.org,2026-11-22,"On 2025-11-03, LinkedIn began; I write to a@example.org.\n'
        'I am a doctor, and my posts name patients.\n\nAs of 22.11.2026 nothing changed."\n',
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output


# Attack 9a (HIGH): a stray quote in the header; a stray cell closed by the next row's
# own quote (every cell quoted, or a later quoted address); (MEDIUM) correct files refused.
H = "kind,jurisdiction,name,address,account-email,date"
ROW = 'objection,DE,Member {i},"Hauptstrasse {i}, 10115 Berlin",m{i}@example.org,2026-11-22'
QUOTED = '"objection","DE","Member {i}","Hauptstrasse {i}, 10115 Berlin","m{i}@example.org","x"'
SWALLOWED = {
    "header.csv": H + ',"situation\n' + "\n".join(ROW.format(i=i) for i in range(1, 6)),
    "header.tsv": (H + ',"situation\n').replace(",", "\t")
    + "\n".join(ROW.format(i=i).replace(",", "\t").replace('"', "") for i in range(1, 6)),
    "closed-by-next.csv": "name,situation,address,account-email\n"
    'Mallory,"I object as a nurse,Hauptstrasse 2 10115 Berlin,m@example.org\n'
    'Member 3,I teach,"Hauptstrasse 3, 10115 Berlin",m3@example.org\n',
    "all-quoted.csv": H.replace(",", '","').join('""')
    + ',"situation"\n'
    + QUOTED.format(i=1)
    + "\n"
    + QUOTED.format(i=2)[:-2]
    + "I object\n"
    + QUOTED.format(i=3)
    + "\n",
    "never-closed.csv": H + ",situation\n" + ROW.format(i=1) + ',"I object\n' + "and more\n",
}


@pytest.mark.parametrize("name", sorted(SWALLOWED))
def test_9_a_stray_quote_anywhere_refuses_the_file(
    name: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / name
    source.write_text(SWALLOWED[name], encoding="utf-8")
    code, output = batch_with_defaults(tmp_path, source, OBJECTION_DE)
    assert code == 2, output
    assert "check the quotes" in output or "check its quotes" in output
    assert not (tmp_path / "out").exists()


CORRECT = {
    "commas.csv": "kind,jurisdiction,name,address,account-email,situation\n"
    'art21,DE,Erika M,"Hauptstrasse 1, 10115 Berlin",e@example.org,"I am a nurse.\n'
    'My name, my employer, my shifts, my ward, and my photo are public.\nSo I am easy to find."\n',
    "date-first.csv": "kind,jurisdiction,name,address,account-email,situation\n"
    'art21,DE,Erika M,"Hauptstrasse 1, 10115 Berlin",e@example.org,"I am a nurse.\n'
    '2024-03-12, the day my ward was named online, I was harassed."\n',
    "e-mail-first.csv": "kind,jurisdiction,name,address,account-email,situation\n"
    'art21,DE,Erika M,"Hauptstrasse 1, 10115 Berlin",e@example.org,"I am a nurse.\n'
    'e@example.org, my work address, is on my profile for patients to see."\n',
    "country.csv": "kind,jurisdiction,name,address,account-email,situation\n"
    'art21,AT,Erika M,"Stephansplatz 1\n1010 Wien, AT",e@example.org,I am a nurse with '
    "public shifts.\n",
    "narrow.csv": "name,address,account-email,situation\n"
    'Erika M,"Hauptstrasse 1, 10115 Berlin",e@example.org,"I am a nurse.\n'
    'My shifts, ward, and photo are public."\n',
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_9_correct_multi_line_cells_are_accepted(name: str, tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / name
    source.write_text(CORRECT[name], encoding="utf-8")
    code, output = batch_with_defaults(
        tmp_path, source, 'kind = "art21"\njurisdiction = "DE"\ndate = "2026-11-22"\n'
    )
    assert code == 0, output


SAID = "I am a nurse, a mother, a patient, a voter, a neighbour, a friend, a singer, a cook, a runner, a reader, a driver, and a member, too"


def test_9_the_separator_of_a_file_with_cr_line_ends_is_its_header_s(
    tmp_path: Path, dsr_home: Path
) -> None:
    """9a #7 (MEDIUM): Mac Excel's CR-only file, cells with more commas than the file has
    semicolons, was read with commas."""
    rows = [
        "kind;jurisdiction;name;address;account-email;date;situation",
        "objection;DE;Erika M;Hauptstrasse 1, 10115 Berlin;e@example.org;2026-11-22;" + SAID,
        "objection;DE;Hans M;Hauptstrasse 2, 10115 Berlin;h@example.org;2026-11-22;" + SAID,
    ]  # fmt: skip
    source = tmp_path / "mac.csv"  # more commas than semicolons in the whole file
    source.write_bytes("\r".join(rows).encode() + b"\r")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output
    assert len(list((tmp_path / "out").glob("*.txt"))) == 2


# Attack 10a (HIGH): a stray cell closed by a quote just before a separator (an inch
# mark, 27"), with or without the member's own cells after the stray quote; (MEDIUM) a
# list of accounts with e-mail addresses, a long situation, Excel's sep= line.
INCH = "name,situation,address,account-email,place\n" + (
    "Member 1,I object as my shifts are public,Hauptstrasse 1 10115 Berlin,m1@example.org,Berlin\n"
    "{mallory}\n"
    'Member 3,My stalker watches me on a 27",Hauptstrasse 3 10115 Berlin,m3@example.org,Berlin\n'
    "Member 4,I object as my shifts are public,Hauptstrasse 4 10115 Berlin,m4@example.org,Berlin\n"
)
MALLORY = {
    "own-cells": 'Mallory,"I object because of night shifts,Hauptstrasse 2 10115 Berlin,m@example.org,Berlin',
    "no-own-cells": 'Mallory,"I object because of night shifts,Berlin',
    "last-column": 'Mallory,I work nights,Hauptstrasse 2 10115 Berlin,m@example.org,"Berlin',
    "leading-newline": 'Mallory,"I object because of night shifts,Hauptstrasse 2 10115 Berlin,m@example.org,Berlin\nMember 3,"',
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(MALLORY))
def test_10_a_stray_cell_closed_by_an_inch_mark_refuses_the_file(
    case: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "inch.csv"
    source.write_text(INCH.format(mallory=MALLORY[case]), encoding="utf-8")
    code, output = batch_with_defaults(tmp_path, source, OBJECTION_DE)
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


def test_10_lists_of_accounts_and_long_situations_are_accepted(
    tmp_path: Path, dsr_home: Path
) -> None:
    listing = "Accounts that harass me:\n- Instagram, s1@example.com\n- TikTok, s2@example.com\n"
    long = "".join(f"Incident {n}: they found me again.\n" for n in range(1, 46))
    source = tmp_path / "ok.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,situation\n"
        f'objection,DE,Erika M,"Hauptstrasse 1, 10115 Berlin",e@example.org,"{listing}"\n'
        f'objection,DE,Hans M,"Hauptstrasse 2, 10115 Berlin",h@example.org,"{long}"\n',
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output
    assert len(list((tmp_path / "out").glob("*.txt"))) == 2


def test_10_excel_s_sep_line_names_the_separator(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "sep.csv"
    source.write_text(
        "sep=;\nkind;jurisdiction;name;address;account-email;date\n"
        "objection;DE;Erika M;Hauptstrasse 1, 10115 Berlin;e@example.org;2026-11-22\n"
        'objection;DE;"Mallory;Hauptstrasse 2, 10115 Berlin;m@example.org;2026-11-22\n'
        "objection;DE;Hans M;Hauptstrasse 3, 10115 Berlin;h@example.org;2026-11-22\n",
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "lines 4 to 5" in output  # as an editor numbers them, the sep= line counted
    source.write_text(source.read_text("utf-8").replace('"Mallory', "Mallory"), encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output
    assert len(list((tmp_path / "out").glob("*.txt"))) == 3


# Attack 11a (HIGH): a stray cell closed by a quote in a later, ordinary row whose other
# cells are quoted, short, multi-line or hold "" (the row-like test read only the
# record's last line, or counted cells); two submissions opening and closing a quote;
# a CR alone in a CR LF file; (MEDIUM) prose lines of dates, e-mails, kinds, countries.
HELD = {
    "quoted-cells.csv": "name,situation,address,account-email\n"
    'Member 1,I work nights,"Hauptstrasse 1, 10115 Berlin",m1@example.org\n'
    'Mallory,"I object because of my night shifts\n'
    'Member 3,My stalker watches me on a 27","Hauptstrasse 3, 10115 Berlin",m3@example.org\n',
    "short-row.csv": "name,address,situation,account-email,place,reference\n"
    "Member 1,Hauptstrasse 1 10115 Berlin,I work nights,m1@example.org,Berlin\n"
    'Mallory,Hauptstrasse 2 10115 Berlin,"I object because of night shifts,m@example.org\n'
    'Member 3,Hauptstrasse 3 10115 Berlin,My stalker watches me on a 27",m3@example.org,Berlin\n',
    "multi-line-after.csv": "name,situation,account-email,address,place\n"
    'Mallory,"I object because of night shifts\n'
    'Member 3,My stalker watches me on a 27",m3@example.org,"Hauptstrasse 3\n10115 Berlin",Berlin\n',
    "escaped-quotes.csv": "name,address,situation,account-email,place\n"
    'Mallory,Hauptstrasse 2 10115 Berlin,"I object because of night shifts,m@example.org,Berlin\n'
    'Member 3,Hauptstrasse 3 10115 Berlin,"",m3@example.org,Berlin\n'
    'Member 5,Hauptstrasse 5 10115 Berlin,on a 27",m5@example.org,"Berlin, Mitte"\n',
    "two-submissions.csv": "name,address,account-email,situation,place,reference\n"
    'Mallory,Hauptstrasse 2 10115 Berlin,m@example.org,"I object because\n'
    "Member 3,Hauptstrasse 3 10115 Berlin,m3@example.org,I am a teacher\n"
    "Member 4,Hauptstrasse 4 10115 Berlin,m4@example.org,My ex tracks me\n"
    'Mallory Two,Hauptstrasse 9 10115 Berlin,m9@example.org,done"\n',
}


@pytest.mark.parametrize("name", sorted(HELD))
def test_11_rows_behind_a_stray_quote_are_found_where_the_header_puts_their_values(
    name: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / name
    source.write_text(HELD[name], encoding="utf-8")
    code, output = batch_with_defaults(tmp_path, source, OBJECTION_DE)
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


def test_11_a_carriage_return_alone_in_a_crlf_file_refuses_it(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "cr.csv"
    source.write_bytes(
        b"kind,jurisdiction,name,address,account-email,date,situation\r\n"
        b'objection,DE,Member 1,"Hauptstrasse 1, 10115 Berlin",m1@example.org,2026-11-22,'
        b"I work nights\rand weekends\r\n"
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "line 3 ends with CR LF, though the first row's line ends with CR" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "prose",
    [
        "Dates they found me:\n2024-03-12, 2024-04-02, 2024-05-20\nand since then weekly.",
        "Accounts that harass me:\nbad1@example.com, bad2@example.net\nThey write daily.",
        "I sent these requests:\naccess, erasure\nNo answer came.",
        "Where I lived:\n- Germany, DE\n- France, FR\nBoth addresses are public.",
    ],
)
def test_11_prose_lines_of_values_in_a_situation_are_accepted(
    prose: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "ok.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,date,situation\n"
        f'objection,DE,Erika M,"Hauptstrasse 1, 10115 Berlin",e@example.org,2026-11-22,"{prose}"\n'
        ",,,,,,\n,,,,,,\n",  # a spreadsheet's empty rows at the end
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output
    assert len(list((tmp_path / "out").glob("*.txt"))) == 1


def test_11_a_closing_quote_followed_by_text_is_refused_and_quotes_inside_text_kept(
    tmp_path: Path, dsr_home: Path
) -> None:
    """11a #11: '"Stop" he said' lost its quotes silently; a quote inside a cell's
    text ('She said "stop"') stays text; a quoted "sep=;" line names the separator."""
    head = "kind,jurisdiction,name,address,account-email,date,situation\n"
    row = 'objection,DE,Erika M,"Hauptstrasse 1, 10115 Berlin",e@example.org,2026-11-22,'
    source = tmp_path / "q.csv"
    source.write_text(head + row + '"Stop" he said and I left\n', encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "line 2: a quote that closes a cell is followed by more text" in output
    source.write_text(
        '"sep=;"\n' + (head + row).replace(",", ";").replace('"Hauptstrasse 1; 10115 Berlin"',
        "Hauptstrasse 1, 10115 Berlin") + 'She said "stop" to him\n',
        encoding="utf-8",
    )  # fmt: skip
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output
    (letter,) = (tmp_path / "out").glob("*.txt")
    assert 'She said "stop" to him' in " ".join(letter.read_text("utf-8").split())


# Attack 12a (HIGH): a row pasted one block to the right, values under columns without
# a name, R's NA; (MEDIUM) empty rows reported "pending"; a CR-only file with a CR LF in
# a quoted cell; a stray quote closed by the next row's opening quote at a line's end.
ROWS_12 = {
    "shifted.csv": "kind,jurisdiction,name,address,account-email,situation\n"
    "objection,DE,Member 1,Hauptstrasse 1 10115 Berlin,m1@example.org,I object\n"
    ",,,,,,objection,DE,Member 2,Hauptstrasse 2 10115 Berlin,m2@example.org,I object\n",
    "unnamed.csv": "kind,jurisdiction,name,address,account-email,,\n"
    "objection,DE,Member 1,Hauptstrasse 1 10115 Berlin,m1@example.org,My stalker finds me,\n",
    "r-na.csv": '"kind","jurisdiction","name","address","account-email","situation"\n'
    '"objection","DE","Erika M","Hauptstrasse 1, 10115 Berlin","e@example.org",NA\n',
}


@pytest.mark.parametrize("name", sorted(ROWS_12))
def test_12_a_value_that_would_be_lost_is_that_row_s_error(
    name: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / name
    source.write_text(ROWS_12[name], encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    report = (tmp_path / "out" / "report.csv").read_text("utf-8")
    assert "pending" not in report
    assert ",error," in report
    assert "past the last column" in output or "no name" in output or "'NA'" in output


def test_12_empty_rows_are_no_rows_and_never_pending(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "tail.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email\n"
        "objection,DE,Erika M,Hauptstrasse 1 10115 Berlin,e@example.org\n,,,,\n,,,,\n",
        encoding="utf-8",
    )
    for _ in range(2):
        code, output = invoke(
            "batch",
            str(source),
            "-o",
            str(tmp_path / "out"),
            "--format",
            "txt",
            "--multiline-cells",
        )
        assert code == 0, output
        report = (tmp_path / "out" / "report.csv").read_text("utf-8").splitlines()
        assert len(report) == 2, report  # the header and Erika's row


def test_12_a_cr_only_file_with_a_crlf_inside_quotes_is_read(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "mac.csv"
    source.write_bytes(
        b"kind;jurisdiction;name;address;account-email\r"
        b'objection;DE;Erika M;"c/o Muster\r\nHauptstrasse 1, 10115 Berlin";e@example.org\r'
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output


def test_12_a_stray_quote_closed_by_the_next_rows_opening_quote_refuses_the_file(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "lead.csv"
    source.write_text(
        "name,address,account-email,situation\n"
        'Mallory,Hauptstrasse 1 10115 Berlin,m@example.org,"I object\n'
        'Member 2,"\nHauptstrasse 2\n10115 Berlin",m2@example.org,I am a teacher\n',
        encoding="utf-8",
    )
    code, output = batch_with_defaults(tmp_path, source, OBJECTION_DE)
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


# Attack 13a (HIGH): a line break of another kind inside an unquoted cell split a row and
# wrote half a letter; pandas' nan, Excel's #N/A, NULL printed as text; (LOW) an index
# column; (MEDIUM) a list of accounts with a date after the e-mail refused.
@pytest.mark.parametrize(
    ("header_end", "inner"), [(b"\n", b"\r"), (b"\n", b"\r\n"), (b"\r\n", b"\n")]
)
def test_13_a_line_break_of_another_kind_outside_quotes_refuses_the_file(
    header_end: bytes, inner: bytes, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "mixed.csv"
    source.write_bytes(
        b"kind,jurisdiction,name,address,account-email,situation" + header_end
        + b"objection,DE,Member 1,Hauptstrasse 1 10115 Berlin,m1@example.org,I work nights"
        + inner + b"and patients wait for me" + header_end
    )  # fmt: skip
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "line 3 ends with" in output  # the first row's half set the ending: line 3 differs
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("marker", ["nan", "NaN", "#N/A", "NULL", "None", "#VALUE!"])
def test_13_missing_value_markers_are_that_row_s_error(
    marker: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "p.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,situation\n"
        f"objection,DE,Erika M,Hauptstrasse 1 10115 Berlin,e@example.org,{marker}\n",
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert f"situation: {marker!r} is how a program writes a missing value" in output
    assert not list((tmp_path / "out").glob("*.txt"))


def test_13_an_index_column_is_named_as_one(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "idx.csv"
    source.write_text(
        ",kind,jurisdiction,name,address,account-email\n"
        "0,objection,DE,Erika M,Hauptstrasse 1 10115 Berlin,e@example.org\n",
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "index=False, row.names=FALSE" in output


def test_13_a_list_of_accounts_with_more_cells_is_text(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "form.csv"
    source.write_text(
        "name,account-email,address,situation\n"
        'Erika M,e@example.org,"Hauptstrasse 1\n10115 Berlin","Accounts that harass me:\n'
        '- Instagram, bad1@example.com, since March 2024\n- TikTok, bad2@example.net, since May"\n',
        encoding="utf-8",
    )
    code, output = batch_with_defaults(tmp_path, source, OBJECTION_DE)
    assert code == 0, output


# Attack 14a (HIGH): rows of a name and an e-mail only (the rest from --defaults), a full
# row whose situation starts with a dash, swallowed by a stray quote; a line break of the
# file's own kind typed in an unquoted cell; (MEDIUM) an LF header over CR LF rows.
SWALLOWED_14 = {
    "thin.csv": "name,address,account-email,situation\n"
    'Mallory,"Street 1\nHans Muster,,hans@example.org,\nPetra Klein,,petra@example.org,\n'
    '10115 Berlin",m@example.org,I object\n',
    "dash.csv": "situation,name,address,account-email\n"
    '"I object,Mallory,Street 1 10115 Berlin,m@example.org\n'
    "- my ex follows me,Hans M,Street 2 10115 Berlin,hans@example.org\n"
    '- done",Trudy,Street 3 10115 Berlin,t@example.org\n',
}


@pytest.mark.parametrize("name", sorted(SWALLOWED_14))
def test_14_thin_and_dash_led_rows_behind_a_stray_quote_refuse_the_file(
    name: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / name
    source.write_text(SWALLOWED_14[name], encoding="utf-8")
    code, output = batch_with_defaults(
        tmp_path,
        source,
        'kind = "objection"\njurisdiction = "DE"\naddress = "c/o NGO, Hauptstrasse 9, 10115 Berlin"\n',
    )
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


def test_14_a_line_break_of_the_file_s_own_kind_outside_quotes_refuses_the_file(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "lf.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,situation\n"
        "objection,DE,Erika M,Hauptstrasse 1 10115 Berlin,e@example.org,I work nights\n"
        "and patients wait for me at home, so my address must not be found\n"
        "objection,DE,Otto N,Hauptstrasse 2 10115 Berlin,o@example.org,I teach\n",
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "line 3 holds 2 cells, and the file's rows hold 6" in output
    assert not (tmp_path / "out").exists()


def test_14_an_lf_header_over_crlf_rows_is_read(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "mixed.csv"
    source.write_bytes(
        b"kind,jurisdiction,name,address,account-email\n"
        b'objection,DE,Erika M,"c/o Muster\nHauptstrasse 1, 10115 Berlin",e@example.org\r\n'
        b"objection,DE,Otto N,Hauptstrasse 2 10115 Berlin,o@example.org\r\n"
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output


@pytest.mark.parametrize(
    ("suffix", "content"),
    [
        (".jsonl", '{"kind":"objection","jurisdiction":"DE","name":"E M","address":"Hauptstrasse 1 10115 Berlin","account-email":"e@example.org","situation":"nan"}\n'),
        (".jsonl", '{"kind":"objection","jurisdiction":"DE","name":"E M","address":"Hauptstrasse 1 10115 Berlin","account-email":"e@example.org","reference":NaN}\n'),
        (".yaml", "- kind: objection\n  jurisdiction: DE\n  name: E M\n  address: Hauptstrasse 1 10115 Berlin\n  account-email: e@example.org\n  situation: '#N/A'\n"),
    ],
)  # fmt: skip
def test_14_missing_value_markers_in_jsonl_and_yaml_are_that_row_s_error(
    suffix: str, content: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / f"rows{suffix}"
    source.write_text(content, encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "row 1:" in output
    assert "not a value" in output or "missing value" in output
    assert not list((tmp_path / "out").glob("*.txt"))


# Attack 15a (HIGH): a line break typed in an unquoted cell whose rest fills a name and an
# e-mail (a letter in a non-member's name) or holds an e-mail; a narrow sheet of
# companies; German Excel's and pandas' missing-value marks.
def test_15_the_rest_of_a_cell_after_a_typed_line_break_is_never_a_member(
    tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "phantom.csv"
    source.write_text(
        "name,account-email,situation\n"
        "Erika M,e@example.org,My ex harasses me and writes to me as\n"
        "Max Power, maxpower99@example.com\n"
        "Otto N,o@example.org,I teach\n",
        encoding="utf-8",
    )
    code, output = batch_with_defaults(
        tmp_path,
        source,
        'kind = "objection"\njurisdiction = "DE"\naddress = "c/o NGO, Hauptstrasse 9, 10115 Berlin"\n',
    )
    assert code == 2, output
    assert "line 3 holds 2 cells, and the file's rows hold 3" in output
    assert not (tmp_path / "out").exists()


def test_every_line_with_fewer_cells_is_named_in_one_refusal(
    tmp_path: Path, dsr_home: Path
) -> None:
    """Attack 26a #5: a volunteer needs one run, not one per short line."""
    source = tmp_path / "short.csv"
    rows = ["name,account-email,situation,lang"]
    for number in range(1, 15):
        cells = [f"Member {number}", f"m{number}@example.org", "I object to profiling", "de"]
        rows.append(",".join(cells[:3] if number % 2 else cells))
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, output = batch_with_defaults(
        tmp_path,
        source,
        'kind = "objection"\njurisdiction = "DE"\naddress = "Hauptstr. 9, 10115 Berlin"\n',
    )
    assert code == 2, output
    short_lines = [number + 1 for number in range(1, 15) if number % 2]
    named = [line for line in short_lines if f"line {line} holds 3 cells" in output]
    assert named == short_lines
    assert "the file's rows hold 4" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "between",
    [[], ["reference"], ["reference", "profile-url"], ["reference", "profile-url", "lang"]],
    ids=["2-columns", "3-columns", "4-columns (16a #4)", "5-columns"],
)
def test_15_a_sheet_of_companies_behind_a_stray_quote_refuses_the_file(
    between: list[str], tmp_path: Path, dsr_home: Path
) -> None:
    """However wide the header: a swallowed line with every column and a known company
    in its place is a row, even with only the company filled in."""
    gap = "," * len(between)
    source = tmp_path / "companies.csv"
    source.write_text(
        f"controller,{','.join([*between, 'situation'])}\n"
        f'facebook{gap},"I object\ngoogle{gap},\ninstagram{gap},\nx{gap},I object"\n'
        f"linkedin{gap},I object\n",
        encoding="utf-8",
    )
    person = tmp_path / "person.toml"
    person.write_text(
        'kind = "objection"\njurisdiction = "DE"\nname = "Erika M"\n'
        'address = "Hauptstrasse 1, 10115 Berlin"\naccount-email = "e@example.org"\n',
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells",
        "--defaults", str(person),
    )  # fmt: skip
    assert code == 2, output
    assert "check the quotes" in output


@pytest.mark.parametrize("mark", ["#NV", "#WERT!", "<NA>", "null", "n/a", "Err:502", "NAN"])
def test_15_missing_value_marks_in_any_case_and_locale(
    mark: str, tmp_path: Path, dsr_home: Path
) -> None:
    source = tmp_path / "marks.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,situation\n"
        f"objection,DE,Erika M,Hauptstrasse 1 10115 Berlin,e@example.org,{mark}\n"
        "objection,DE,Null,Hauptstrasse 2 10115 Berlin,n@example.org,\n",  # a surname
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "row 1: situation:" in output
    assert "row 2" not in output
