"""Attack review 9b, findings 2 to 4: a batch row's annexes, and ``dsr batch --defaults``."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from dsr.batch import STATE_FILE, _render_group
from dsr.cli import main
from dsr.inputs import parse_request
from tests.conftest import pdf_text

ROWS = (
    "kind,jurisdiction,name,address,account-email,date\n"
    'objection,DE,Alice A,"Hauptstraße 1, 10115 Berlin",a@example.org,2026-11-22\n'
    'objection,DE,Bob B,"Hauptstraße 2, 10115 Berlin",b@example.org,2026-11-22\n'
)
COMPLAINT = {
    "kind": "complaint",
    "jurisdiction": "DE-BE",
    "name": "Mallory M",
    "address": "Hauptstraße 9, 10115 Berlin",
    "account-email": "m@example.org",
    "date": "2026-11-22",
    "request-date": "2026-09-01",
    "request-kind": "objection",
}
ALICES_LETTER = "letters/0001-a-objection-de.pdf"
COPY_IT_OUT = "copy the file you mean to enclose out of that folder"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def annex_pdf(path: Path, text: str = "GOODANNEX") -> Path:
    """A one-page PDF showing ``text`` (made directly: no engine to wait for)."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET".encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path


def complaint_rows(folder: Path, enclose: str) -> Path:
    source = folder / "rows2.jsonl"
    source.write_text(json.dumps({**COMPLAINT, "enclose": enclose}) + "\n", encoding="utf-8")
    return source


# 2 (CRITICAL): a row enclosed another member's letter, which an earlier batch wrote.


def test_2_a_row_never_encloses_a_letter_an_earlier_batch_wrote(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    code, output = invoke("batch", str(rows), "-o", str(tmp_path / "letters"), "--jobs", "1")
    assert code == 0, output
    assert (tmp_path / ALICES_LETTER).is_file()
    mout = tmp_path / "mout"
    code, output = invoke(
        "batch", str(complaint_rows(tmp_path, ALICES_LETTER)), "-o", str(mout), "--jobs", "1"
    )
    assert code == 2, output
    assert f"Error: row 1: enclose: {ALICES_LETTER}: inside {tmp_path / 'letters'}" in output
    assert COPY_IT_OUT in output
    assert not list(mout.glob("*.pdf"))
    # `dsr letter --enclose` is the member's own choice: still allowed.
    args = ["letter", *(f"--{key}={value}" for key, value in COMPLAINT.items())]
    code, output = invoke(
        *args, "--enclose", str(tmp_path / ALICES_LETTER), "-o", str(tmp_path / "c.txt")
    )
    assert code == 0, output


@pytest.mark.parametrize("mark", ["state", "lock", "report", "manifest", "nested", "this run"])
def test_2_no_file_from_a_folder_dsr_batch_writes_into(
    tmp_path: Path, dsr_home: Path, mark: str
) -> None:
    letters = tmp_path / "letters"
    name = "sub/0001-a-objection-de.pdf" if mark == "nested" else "0001-a-objection-de.pdf"
    annex_pdf(letters / name, "ALICE")
    marks = {
        "state": (STATE_FILE, ""),
        "nested": (STATE_FILE, ""),
        "lock": (".dsr-batch.lock", "1234 run\n"),
        "report": (
            "report.csv",
            "row,status,file,message\r\n1,written,0001-a-objection-de.pdf,\r\n",
        ),
    }
    if mark in marks:
        (letters / marks[mark][0]).write_text(marks[mark][1], encoding="utf-8")
    if mark == "manifest":  # its state file and report deleted, still listed: the letter
        # in it is known by dsr's mark on it (a listed folder without a batch's files is
        # not one: attack 12b #2, a manifest listing "/")
        line = json.dumps({"batch": str(letters.resolve())}) + "\n"
        (dsr_home / "manifest.jsonl").write_text(line, encoding="utf-8")
        with pikepdf.open(letters / name, allow_overwriting_input=True) as marked:
            marked.docinfo["/Creator"] = "dsr"
            marked.save(letters / name)
    out = letters if mark == "this run" else tmp_path / "out"  # holds the lock while it runs
    source = complaint_rows(tmp_path, f"letters/{name}")
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1")
    assert code == 2, output
    if mark == "manifest":
        assert f"Error: row 1: enclose: letters/{name}: " in output
        assert "a letter dsr wrote" in output
        return
    assert f"Error: row 1: enclose: letters/{name}: inside " in output
    assert COPY_IT_OUT in output


def test_2_a_folder_with_a_report_csv_of_its_own_is_not_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    annex_pdf(docs / "consent.pdf")
    (docs / "report.csv").write_text("member,consented\nAlice,yes\n", encoding="utf-8")
    source = complaint_rows(tmp_path, "docs/consent.pdf")
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1")
    assert code == 0, output


def test_2_an_output_folder_swapped_in_after_the_check_is_refused_as_it_is_read(
    tmp_path: Path,
) -> None:
    """The folder checked at validation is swapped for dsr's output folder before the
    worker reads the annex: the worker checks the folders again as it opens them."""
    docs = tmp_path / "docs"
    annex_pdf(docs / "consent.pdf", "MINE")
    letters = tmp_path / "letters"
    annex_pdf(letters / "consent.pdf", "ALICE")  # as if Alice's letter
    (letters / STATE_FILE).write_text("", encoding="utf-8")
    values = {**COMPLAINT, "enclose": [str(docs.resolve() / "consent.pdf")]}
    request = parse_request(values, today=date(2026, 11, 22))
    docs.rename(tmp_path / "old-docs")
    letters.rename(docs)
    out = tmp_path / "out"
    out.mkdir()
    done = _render_group([(1, request, "0001-m-complaint-de.pdf", "x")], str(out))
    assert len(done) == 1
    assert done[0][4].startswith(f"enclose: {docs.resolve() / 'consent.pdf'}: inside "), done
    assert COPY_IT_OUT in done[0][4]
    assert not list(out.glob("*.pdf"))


# 3 (HIGH): a relative `enclose` in --defaults failed every row ("not an absolute path").


@pytest.mark.parametrize("value", ['"consent.pdf"', '["consent.pdf"]'])
def test_3_a_relative_annex_in_defaults_is_enclosed_in_every_rows_letter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    batch = tmp_path / "batch"
    annex_pdf(batch / "consent.pdf")
    rows = batch / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    settings = tmp_path / "settings"
    settings.mkdir()
    defaults = settings / "def.toml"
    defaults.write_text(f"enclose = {value}\n", encoding="utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # read beside the batch file, as a row's annex is
    out = tmp_path / "out"
    code, output = invoke(
        "batch", str(rows), "-o", str(out), "--defaults", str(defaults), "--jobs", "1"
    )
    assert code == 0, output
    letters = sorted(out.glob("*.pdf"))
    assert len(letters) == 2
    for letter in letters:
        assert "GOODANNEX" in pdf_text(letter).split("\f")[-1]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"missing.pdf"', "missing.pdf: no such file in the batch file's folder"),
        ('"../consent.pdf"', "../consent.pdf: '..' is not accepted"),
        ('"letters/0001.pdf"', "letters/0001.pdf: inside "),
    ],
)
def test_3_an_unusable_annex_in_defaults_is_refused_once_before_any_row(
    tmp_path: Path, value: str, problem: str
) -> None:
    batch = tmp_path / "batch"
    annex_pdf(tmp_path / "consent.pdf")
    annex_pdf(batch / "letters" / "0001.pdf")
    (batch / "letters" / STATE_FILE).write_text("", encoding="utf-8")
    rows = batch / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    defaults = tmp_path / "def.toml"
    defaults.write_text(f"enclose = {value}\n", encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("batch", str(rows), "-o", str(out), "--defaults", str(defaults))
    assert code == 2, output
    assert output.startswith(f"Error: --defaults: enclose: {problem}"), output
    assert output.count("Error:") == 1, output
    assert not out.exists()


# 4 (MEDIUM): --defaults errors said --profile; a bad value failed every row.


@pytest.mark.parametrize("case", ["fifo", "toml", "device", "key"])
def test_4_an_unusable_defaults_file_is_named_as_defaults(tmp_path: Path, case: str) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    defaults = tmp_path / "def.toml"
    if case == "fifo":
        os.mkfifo(defaults)
    elif case == "toml":
        defaults.write_text("kind = \n", encoding="utf-8")
    elif case == "key":
        defaults.write_text('colour = "red"\n', encoding="utf-8")
    else:
        defaults = Path("/dev/zero")
    code, output = invoke(
        "batch", str(rows), "-o", str(tmp_path / "out"), "--defaults", str(defaults)
    )
    assert code == 2, output
    assert output.startswith("Error: --defaults: "), output
    assert "--profile" not in output


def test_4_a_bad_value_in_defaults_is_refused_once_naming_its_key(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS, encoding="utf-8")
    defaults = tmp_path / "def.toml"
    defaults.write_text(
        'situation = ["a"]\nrequest_kind = "objectoin"\ndate = "31.11.2026"\nlang = "en"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = invoke("batch", str(rows), "-o", str(out), "--defaults", str(defaults))
    assert code == 2, output
    assert output.splitlines() == [
        "Error: --defaults: situation: must be text, not list ['a']",
        "Error: --defaults: request-kind: 'objectoin' is not a request kind; use one of "
        "objection|art21|erasure|access (the kind of letter you sent the controller)",
        "Error: --defaults: date: '31.11.2026' is not a date; use YYYY-MM-DD",
    ]
    assert not out.exists()
