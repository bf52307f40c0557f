"""Attack review 10b, findings 2 to 6: what a batch row encloses, and the names dsr creates."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import files
from dsr.batch import OutputFolders, _render_group
from dsr.cli import main
from dsr.cliwords import cli_command, cli_option
from dsr.inputs import parse_request
from dsr.track import recorded_files
from tests.test_attack_9 import COMPLAINT, annex_pdf

RLO = "\u202e"
ALICE = [
    "--kind", "objection", "--jurisdiction", "DE", "--name", "Alice A",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "a@example.org",
    "--date", "2026-11-22",
]  # fmt: skip
ROWS = (
    "kind,jurisdiction,name,address,account-email,date\n"
    'objection,DE,Alice A,"Hauptstraße 1, 10115 Berlin",a@example.org,2026-11-22\n'
)
TRACKED = "a file dsr wrote, which its tracking store records ('dsr track list')"
# Attack review 11b #2: a copy of a letter dsr wrote names dsr as its creator too.
NO_LETTER = "a letter dsr wrote cannot be enclosed in a batch row, and neither can a copy of it"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def complaint_rows(folder: Path, enclose: str) -> Path:
    source = folder / "rows6.jsonl"
    source.write_text(json.dumps({**COMPLAINT, "enclose": enclose}) + "\n", encoding="utf-8")
    return source


# 2 (HIGH): a row enclosed a letter `dsr letter --track` wrote for another member.


def test_2_a_row_never_encloses_a_letter_the_tracking_store_records(tmp_path: Path) -> None:
    alice = tmp_path / "single" / "alice.pdf"
    code, output = invoke("letter", *ALICE, "--track", "-o", str(alice))
    assert code == 0, output
    out = tmp_path / "m6"
    source = complaint_rows(tmp_path, "single/alice.pdf")
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1")
    assert code == 2, output
    assert f"Error: row 1: enclose: single/alice.pdf: {TRACKED}" in output
    assert NO_LETTER in output
    assert not list(out.glob("0001-*"))
    # A copy is refused too (11b #2); the letter by `dsr letter` is enclosed.
    shutil.copy(alice, tmp_path / "alice-copy.pdf")
    source = complaint_rows(tmp_path, "alice-copy.pdf")
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1")
    assert code == 2, output
    assert "alice-copy.pdf: a letter dsr wrote (its PDF names dsr as its creator)" in output
    args = ["letter", *(f"--{key}={value}" for key, value in COMPLAINT.items())]
    code, output = invoke(*args, "--enclose", str(alice), "-o", str(tmp_path / "c.txt"))
    assert code == 0, output


def test_2_a_tracked_letter_moved_over_a_checked_annex_is_refused_as_it_is_read(
    tmp_path: Path,
) -> None:
    """The row's annex was a plain file at validation; before the worker reads it, the
    tracked letter is moved over it (same device and inode, another name)."""
    alice = tmp_path / "single" / "alice.txt"
    code, output = invoke("letter", *ALICE, "--track", "-o", str(alice))
    assert code == 0, output
    consent = annex_pdf(tmp_path / "docs" / "consent.pdf", "MINE")
    outputs = OutputFolders.known()  # as the batch reads the store, before the rows
    values = {**COMPLAINT, "enclose": [str(consent.resolve())]}
    request = parse_request(values, today=date(2026, 11, 22))
    alice.replace(consent)
    out = tmp_path / "out"
    out.mkdir()
    job = (1, request, "0001-m-complaint-de.pdf", "x")
    # A worker words the message as the CLI asked (a worker process starts without it).
    done = _render_group([job], str(out), outputs=outputs, said=(cli_option, cli_command))
    assert done[0][4].startswith(
        f"enclose: {consent.resolve()}: {TRACKED}, which may be another member's letter: "
        f"{NO_LETTER}"
    )
    assert not list(out.glob("*.pdf"))


def test_2_the_store_is_read_without_writing_and_a_foreign_one_records_nothing(
    dsr_home: Path,
) -> None:
    store = dsr_home / "tracking.sqlite3"
    assert recorded_files() == []  # none: none is created
    assert not store.exists()
    connection = sqlite3.connect(store)
    connection.execute("CREATE TABLE other (x TEXT)")
    connection.commit()
    connection.close()
    before = store.read_bytes()
    assert recorded_files() == []
    assert store.read_bytes() == before  # not migrated into dsr's schema
    store.write_text("not a database", encoding="utf-8")
    assert recorded_files() == []


# 3 (MEDIUM): a text-direction control in a folder dsr creates, or in DIR.zip.


def test_3_letter_creates_no_folder_with_a_direction_control(tmp_path: Path) -> None:
    folder = tmp_path / f"new{RLO}fdp.exe"
    code, output = invoke("letter", *ALICE, "-o", str(folder / "a.txt"))
    assert code == 2, output
    assert (
        "Error: --output: 'new\\u202efdp.exe' cannot name a new folder: use printable "
        "characters, with no text-direction control" in output
    )
    assert not folder.exists()


def test_3_batch_refuses_a_new_output_folder_with_a_direction_control_before_writing(
    tmp_path: Path,
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    out = tmp_path / f"L{RLO}fdp"
    code, output = invoke("batch", str(rows), "-o", str(out), "--format", "txt", "--zip")
    assert code == 2, output
    assert "Error: --output: 'L\\u202efdp' cannot name a new folder" in output
    assert not out.exists()


def test_3_batch_refuses_the_zip_name_before_any_letter_is_written(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    out = tmp_path / f"E{RLO}x"
    out.mkdir()  # the member's own folder: written into, but no DIR.zip made from its name
    code, output = invoke("batch", str(rows), "-o", str(out), "--format", "txt", "--zip")
    assert code == 2, output
    assert "Error: --zip: 'E\\u202ex.zip' cannot name a new file" in output
    assert not list(out.iterdir())


def test_3_make_dir_creates_no_folder_with_a_direction_control(tmp_path: Path) -> None:
    with pytest.raises(files.UnsafeFile, match="cannot name a new folder"):
        files.make_dir(tmp_path / "a" / f"b{RLO}c" / "d")
    assert not (tmp_path / "a").exists()


# 4 (MEDIUM): `templates --source --zip` made no zip and said nothing.


def test_4_templates_source_zip_makes_the_zip(tmp_path: Path) -> None:
    kit = tmp_path / "K"
    code, output = invoke("templates", "--source", "-o", str(kit), "--zip")
    assert code == 0, output
    assert f"Bundled into {tmp_path / 'K.zip'}" in output
    names = zipfile.ZipFile(tmp_path / "K.zip").namelist()
    assert "templates/base.html.jinja" in names
    assert len(names) == len([p for p in kit.rglob("*") if p.is_file()])


# 5 (LOW): a kit written in part with --force, then refused.


@pytest.mark.parametrize("planted", ["a folder where a file goes", "a link where a folder goes"])
def test_5_templates_source_force_checks_everything_before_writing(
    tmp_path: Path, planted: str
) -> None:
    kit = tmp_path / "K"
    code, output = invoke("templates", "--source", "-o", str(kit))
    assert code == 0, output
    base = kit / "templates" / "base.html.jinja"
    base.write_text("MINE", encoding="utf-8")  # written before page.css.jinja and letters/qc
    if planted == "a folder where a file goes":
        bad = kit / "templates" / "page.css.jinja"
        bad.unlink()
        bad.mkdir()
        message = f"Error: {bad} is not a regular file; remove it (or move it aside)"
    else:
        bad = kit / "templates" / "letters" / "qc"
        shutil.rmtree(bad)
        (tmp_path / "vdir").mkdir()
        bad.symlink_to(tmp_path / "vdir")
        message = f"Error: {bad} is a link or not a folder"
    code, output = invoke("templates", "--source", "-o", str(kit), "--force", "--zip")
    assert code == 2, output
    assert message in output
    assert "Wrote" not in output
    assert base.read_text(encoding="utf-8") == "MINE"
    assert not (tmp_path / "K.zip").exists()
    vdir = tmp_path / "vdir"
    assert not vdir.exists() or not any(vdir.iterdir())  # nothing written through the link


# 6 (LOW): dsr batch replaced a dangling link at a letter's name without --force.


def test_6_batch_keeps_a_dangling_link_at_a_letters_name_without_force(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    out = tmp_path / "o5"
    out.mkdir()
    link = out / "0001-a-objection-de.txt"
    link.symlink_to(tmp_path / "notthere.txt")
    code, output = invoke("batch", str(rows), "-o", str(out), "--format", "txt", "--jobs", "1")
    assert code == 2, output
    assert (
        "Error: row 1: a file with this name exists that this batch did not write; "
        "use --force to replace it"
    ) in output
    assert os.readlink(link) == str(tmp_path / "notthere.txt")
    assert not (tmp_path / "notthere.txt").exists()
