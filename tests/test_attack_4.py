"""The re-attack of the third attack's fixes (2026-12-07): each bypass, with a test."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import files, userdata
from dsr.cli import main
from dsr.errors import InvalidRequest
from dsr.outputs import mailbox

HEADER = "kind,jurisdiction,name,address,account-email,date\n"
GOOD = "objection,DE,Bob B,Hauptstraße 1 10115 Berlin,b@example.org,2026-11-22\n"
STRAY = 'objection,DE,"Mallory M,Hauptstraße 1 10115 Berlin,m@example.org,2026-11-22\n'


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


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
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2
    assert "lines 3 to 62" in output
    assert "runs over 60 lines" in output
    assert not (tmp_path / "out").exists()


def test_5_a_cell_past_the_readers_limit_refuses_the_file(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "q2.csv"
    source.write_text(HEADER + GOOD + STRAY + GOOD * 2998, encoding="utf-8")
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2
    assert "line 3" in output
    assert not (tmp_path / "out").exists()


def test_4_an_address_over_several_lines_is_still_one_cell(tmp_path: Path, dsr_home: Path) -> None:
    row = 'objection,DE,Bob B,"Hauptstraße 1\n10115 Berlin",b@example.org,2026-11-22\n'
    source = tmp_path / "q3.csv"
    source.write_text(HEADER + row * 3, encoding="utf-8")
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
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


def test_12_the_schema_versions_forget_knows_are_the_stores() -> None:
    from dsr import track

    assert userdata.STORE_SCHEMA_VERSIONS == track.SCHEMA_VERSION


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
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
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
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()
