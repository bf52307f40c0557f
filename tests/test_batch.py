"""dsr batch: validation of every row, report, names, resume, kill, formats."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dsr.batch import _render_group
from dsr.cli import main
from dsr.formats import Engine, Format, WriteOptions
from tests.conftest import flat, pdf_text, printed_text

TXT = WriteOptions(Format.TXT, Engine.TYPST)  # text letters, as --format txt writes them

HEADER = [
    "kind",
    "jurisdiction",
    "name",
    "address",
    "account_email",
    "lang",
    "situation",
    "request_date",
    "request_kind",
]
GOOD = [
    [
        "objection",
        "DE",
        "Erika Mustermann",
        "Hauptstraße 1, 10115 Berlin",
        "erika@example.org",
        "de",
        "",
        "",
        "",
    ],
    [
        "art21",
        "FR",
        "Marie Dupont",
        "12 rue de la Paix, 75002 Paris",
        "marie@example.org",
        "fr",
        "Journaliste, je protège mes sources.",
        "",
        "",
    ],
    [
        "complaint",
        "PL",
        "Anna Kowalska",
        "ul. Prosta 1, 00-850 Warszawa",
        "anna@example.org",
        "",
        "",
        "2026-09-01",
        "objection",
    ],
    [
        "access",
        "CH",
        "Erika Muster",
        "Bahnhofstrasse 1, 8001 Zürich",
        "e@example.org",
        "de",
        "",
        "",
        "",
    ],
    [
        "erasure",
        "GB",
        "John Smith",
        "10 Downing Street, London SW1A 2AA",
        "john@example.org",
        "en",
        "",
        "",
        "",
    ],
]
BAD = ["objection", "XX", "Bad Row", "x", "not-an-email", "de", "", "", ""]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def many_members(count: int) -> list[list[str]]:
    """``count`` rows cycling through GOOD, each member with a name of their own."""
    rows = [list(GOOD[i % len(GOOD)]) for i in range(count)]
    for number, row in enumerate(rows):
        row[2] = f"Member{number} Example{number}"
    return rows


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def report(folder: Path) -> list[dict[str, str]]:
    with (folder / "report.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_good_rows_are_written_and_bad_rows_reported(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "people.csv", [*GOOD[:2], BAD, *GOOD[2:]])
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--zip")
    assert code == 2
    # The row above a bad row is written: its last cell (request_kind) is a code, which
    # a line break typed without quotes cannot cut and leave valid.
    assert output.splitlines()[0] == (
        "Error: row 3: jurisdiction: 'XX' is not a jurisdiction dsr knows; run 'dsr list "
        "jurisdictions' for the codes; account-email: 'not-an-email' is not a valid e-mail "
        "address (An email address must have an @-sign.)"
    )
    rows = report(out)
    statuses = [r["status"] for r in rows]
    assert statuses == ["written", "written", "error", "written", "written", "written"]
    assert rows[0]["file"] == "0001-mustermann-objection-de.pdf"
    assert rows[3]["file"] == "0004-kowalska-complaint-pl.pdf"  # the authority's language
    assert rows[4]["file"] == "0005-muster-access-de-ch.pdf"  # names: [a-z0-9-] only
    text = " ".join(pdf_text(out / rows[3]["file"]).split())
    assert "Prezes Urzędu Ochrony Danych Osobowych" in text
    assert "RODO" in text
    # A Swiss member's access request to LinkedIn Ireland rests on the GDPR (Art. 3(1)).
    assert "Art. 15 Abs. 1 DSGVO" in " ".join(pdf_text(out / rows[4]["file"]).split())
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert sorted(archive.namelist()) == sorted(
            [r["file"] for r in rows if r["file"]] + ["report.csv", "summary.csv"]
        )


def test_rerun_skips_finished_rows_and_protects_changed_ones(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "people.csv", GOOD[:2])
    out = tmp_path / "out"
    assert invoke("batch", str(source), "-o", str(out))[0] == 0
    first = (out / "0001-mustermann-objection-de.pdf").read_bytes()
    code, output = invoke("batch", str(source), "-o", str(out))
    assert code == 0, output
    assert output.splitlines()[-1] == (
        f"2 of 2 letters written to {out} (2 unchanged from an earlier run)"
    )
    changed = [list(GOOD[0]), GOOD[1]]
    changed[0][3] = "Hauptstraße 2, 10115 Berlin"
    write_csv(source, changed)
    code, output = invoke("batch", str(source), "-o", str(out))
    assert code == 2
    assert "row 1: a finished file with this name was made from different input" in output
    assert (out / "0001-mustermann-objection-de.pdf").read_bytes() == first
    code, output = invoke("batch", str(source), "-o", str(out), "--force")
    assert code == 0, output
    assert (out / "0001-mustermann-objection-de.pdf").read_bytes() != first


def test_yaml_jsonl_and_defaults(tmp_path: Path) -> None:
    defaults = tmp_path / "defaults.toml"
    defaults.write_text('jurisdiction = "IE"\nlang = "en"\n', encoding="utf-8")
    member = {"kind": "objection", "name": "Aoife Murphy", "address": "5 Main Street, Dublin 8",
              "account_email": "aoife@example.ie"}  # fmt: skip
    jsonl = tmp_path / "people.jsonl"
    jsonl.write_text(json.dumps(member) + "\n", encoding="utf-8")
    yaml_file = tmp_path / "people.yaml"
    yaml_file.write_text(
        "- kind: access\n  name: Aoife Murphy\n  address: 5 Main Street, Dublin 8\n"
        "  account-email: aoife@example.ie\n",
        encoding="utf-8",
    )
    for source, expected in (
        (jsonl, "0001-murphy-objection-en-gb.txt"),
        (yaml_file, "0001-murphy-access-en-gb.txt"),
    ):
        out = tmp_path / source.stem / source.suffix[1:]
        code, output = invoke(
            "batch", str(source), "-o", str(out), "--defaults", str(defaults), "--format", "txt"
        )
        assert code == 0, output
        assert "Aoife Murphy" in (out / expected).read_text("utf-8")


def test_malformed_files_get_a_clear_error(tmp_path: Path) -> None:
    garbage = tmp_path / "people.csv"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    code, output = invoke("batch", str(garbage), "-o", str(tmp_path / "out"))
    assert code == 2
    assert output == (
        f"Error: {garbage}: line 1 is not UTF-8 text (byte 0); give the encoding it was saved "
        "in with --encoding NAME (Western European: cp1252; Central European: cp1250; Greek: "
        "cp1253; Turkish: cp1254; Baltic: cp1257; Cyrillic: cp1251), or save it as CSV UTF-8 "
        "(in Excel: Save As, CSV UTF-8)\n"
    )
    # A spreadsheet program's Latin-1 export is read as it is (tests/test_batch_spreadsheets.py).
    latin = tmp_path / "latin.csv"
    latin.write_bytes("kind,name\nobjection,Jürgen\n".encode("latin-1"))
    code, output = invoke("batch", str(latin), "-o", str(tmp_path / "out"))
    assert "not UTF-8" not in output
    other = tmp_path / "people.xlsx"
    other.write_text("x")
    code, output = invoke("batch", str(other), "-o", str(tmp_path / "out"))
    assert code == 2
    assert output.startswith(f"Error: {other}: cannot read this spreadsheet (")
    assert output.endswith("save it again as .xlsx or .ods\n")
    ragged = write_csv(tmp_path / "ragged.csv", [GOOD[0], [*GOOD[1], "extra"]])
    code, output = invoke("batch", str(ragged), "-o", str(tmp_path / "ragged"))
    assert code == 2
    assert "Error: row 2: has more values than the header has columns" in output
    above = report(tmp_path / "ragged")[0]  # its last cell, a code, is whole
    assert above["status"] == "written"


@pytest.mark.parametrize(("jobs", "fmt"), [("1", "txt"), ("2", "txt"), ("2", "pdf")])
def test_a_killed_run_resumes_cleanly(tmp_path: Path, jobs: str, fmt: str) -> None:
    """SIGKILL: the workers (from the fork server) die too, and a rerun finishes the rest."""
    rows = many_members(300)
    source = write_csv(tmp_path / "people.csv", rows)
    out = tmp_path / "out"
    env = {**os.environ}
    process = subprocess.Popen(
        [sys.executable, "-m", "dsr", "batch", str(source), "-o", str(out), "--format", fmt,
         "--jobs", jobs],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob(f"*.{fmt}"))) < 3:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.5)  # the workers die with their parent: nothing more appears
    finished_before = len(list(out.glob(f"*.{fmt}")))
    time.sleep(0.5)
    assert len(list(out.glob(f"*.{fmt}"))) == finished_before
    assert 3 <= finished_before < 300
    code, output = invoke("batch", str(source), "-o", str(out), "--format", fmt)
    assert code == 0, output
    assert len(list(out.glob(f"*.{fmt}"))) == 300
    assert not list(out.glob(".*.part"))
    statuses = [r["status"] for r in report(out)]
    assert statuses.count("written") + statuses.count("unchanged") == 300
    assert statuses.count("unchanged") >= finished_before - 1


def test_parallel_jobs_give_the_same_files(tmp_path: Path) -> None:
    rows = many_members(40)
    source = write_csv(tmp_path / "people.csv", rows)
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("batch", str(source), "-o", str(one), "--format", "txt")[0] == 0
    code, output = invoke("batch", str(source), "-o", str(two), "--format", "txt", "--jobs", "2")
    assert code == 0, output
    names = sorted(p.name for p in one.glob("*.txt"))
    assert len(names) == 40
    assert names == sorted(p.name for p in two.glob("*.txt"))
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes()


# Enough rows that a busy machine cannot finish them before the Ctrl-C arrives.
ROWS_FOR_CTRL_C = 3000


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_cleanly_keeping_finished_files(tmp_path: Path, jobs: str) -> None:
    rows = many_members(ROWS_FOR_CTRL_C)
    source = write_csv(tmp_path / "people.csv", rows)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "dsr", "batch", str(source), "-o", str(out), "--format", "txt",
         "--jobs", jobs],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.txt"))) < 3:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    finished = sorted(p.name for p in out.glob("*.txt"))
    assert 3 <= len(finished) < ROWS_FOR_CTRL_C
    assert not list(out.glob(".*.part"))
    rows_reported = report(out)
    assert len(rows_reported) == ROWS_FOR_CTRL_C  # every row, written or not
    written = [r for r in rows_reported if r["status"] == "written"]
    assert sorted(r["file"] for r in written) == finished  # the report matches the files
    assert {r["status"] for r in rows_reported} == {"written", "pending"}


def test_the_tracking_store_survives_a_kill(tmp_path: Path, dsr_home: Path) -> None:
    import sqlite3

    script = (
        "from types import SimpleNamespace as N\n"
        "from datetime import date\n"
        "from dsr import track\n"
        "from dsr.model import Kind\n"
        "letter = N(reference='R', kind=Kind.OBJECTION, recipient=N(name='X'), language='en',"
        " date=date(2026, 1, 1), deadline=date(2026, 2, 2))\n"
        "number = 0\n"
        "while True:\n"  # letters of their own references: each a request (one per letter)
        "    number += 1\n"
        "    own = N(**{**vars(letter), 'reference': f'R{number}'})\n"
        "    track.record(own, {'jurisdiction': 'IE'}, [])\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], env={**os.environ})
    database = dsr_home / "tracking.sqlite3"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        database.exists() and database.stat().st_size > 20000
    ):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = connection.execute("SELECT count(*) FROM requests").fetchone()[0]
    assert count > 10
    code, output = invoke("track", "list", "--json")
    assert code == 0, output
    assert len(json.loads(output)) == count


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_batch_pdfs_are_the_letters_dsr_letter_writes(tmp_path: Path, engine: str) -> None:
    """A batch PDF carries `dsr letter`'s text and metadata for the same row.

    WeasyPrint's (rows grouped, then split apart) reads line for line the same;
    Typst's breaks lines and pages elsewhere, so its text is compared in
    reading order without the page furniture.
    """
    source = write_csv(tmp_path / "people.csv", GOOD)
    out = tmp_path / "out"
    args = ("batch", str(source), "-o", str(out), "--jobs", "1", "--engine", engine)
    assert invoke(*args)[0] == 0
    row = GOOD[1]  # art21, FR, fr
    single = tmp_path / "single.pdf"
    code, output = invoke(
        "letter", "--kind", row[0], "--jurisdiction", row[1], "--name", row[2],
        "--address", row[3], "--account-email", row[4], "--lang", row[5],
        "--situation", row[6], "--controller", "linkedin", "-o", str(single),
    )  # fmt: skip
    assert code == 0, output
    batch_file = out / "0002-dupont-art21-fr.pdf"
    from pypdf import PdfReader

    batch_info = dict(PdfReader(batch_file).metadata or {})
    single_info = dict(PdfReader(single).metadata or {})
    if engine == "weasyprint":
        assert pdf_text(batch_file) == pdf_text(single)
        assert batch_info == single_info
    else:
        assert printed_text(batch_file) == printed_text(single)
        assert "MarieDupont" in printed_text(batch_file)
        assert batch_info.pop("/Producer").startswith("Typst ")
        assert single_info.pop("/Producer").startswith("WeasyPrint ")
        assert batch_info == single_info
        assert PdfReader(batch_file).trailer["/Root"]["/Lang"] == "fr"


def test_files_the_batch_did_not_write_or_that_changed_are_kept(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "people.csv", GOOD[:2])
    out = tmp_path / "out"
    out.mkdir()
    stranger = out / "0001-mustermann-objection-de.pdf"
    stranger.write_bytes(b"someone else's file")
    code, output = invoke("batch", str(source), "-o", str(out))
    assert code == 2
    assert "row 1: a file with this name exists that this batch did not write" in output
    assert stranger.read_bytes() == b"someone else's file"
    stranger.unlink()
    assert invoke("batch", str(source), "-o", str(out))[0] == 0
    edited = out / "0002-dupont-art21-fr.pdf"
    edited.write_bytes(edited.read_bytes() + b"% annotated\n")
    code, output = invoke("batch", str(source), "-o", str(out))
    assert code == 2
    assert "row 2: the file was changed after dsr wrote it; use --force" in output
    assert edited.read_bytes().endswith(b"% annotated\n")
    assert invoke("batch", str(source), "-o", str(out), "--force")[0] == 0
    assert not edited.read_bytes().endswith(b"% annotated\n")


def test_a_record_without_its_file_is_rendered_again(tmp_path: Path) -> None:
    """A kill between recording a file and renaming it leaves a record and no file."""
    source = write_csv(tmp_path / "people.csv", GOOD[:2])
    out = tmp_path / "out"
    assert invoke("batch", str(source), "-o", str(out), "--format", "txt")[0] == 0
    (out / "0001-mustermann-objection-de.txt").unlink()
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 0, output
    assert output.splitlines()[-1] == (
        f"2 of 2 letters written to {out} (1 unchanged from an earlier run)"
    )
    assert (out / "0001-mustermann-objection-de.txt").exists()


def test_progress_counts_every_row_against_the_total(tmp_path: Path) -> None:
    from datetime import date

    from dsr.batch import run_batch

    rows = many_members(40)
    source = write_csv(tmp_path / "people.csv", [*rows, BAD])
    calls: list[tuple[int, int]] = []
    report_ = run_batch(
        source, tmp_path / "out", today=date(2026, 11, 22), options=TXT, jobs=2,
        progress=lambda count, total: calls.append((count, total)),
    )  # fmt: skip
    assert len(report_.failed) == 1  # the bad row; row 40 above it ends in a code, whole
    assert {total for _, total in calls} == {40}  # the bad row is not to be written
    assert sum(count for count, _ in calls) == 40
    assert len(calls) == 5  # one group per language


def test_enclosed_pdfs_are_appended_to_each_rows_letter(tmp_path: Path) -> None:
    from tests.test_attack_9 import annex_pdf

    # Not made by dsr: a batch row never encloses a letter dsr wrote (attack review 11b #2).
    annex = annex_pdf(tmp_path / "earlier-request.pdf", "My earlier request of 1 September")
    member = dict(zip(HEADER, GOOD[2], strict=True))  # a complaint, in Polish
    rows = [{**member, "enclose": annex.name}, {**member, "name": "Jan Nowak"}]
    source = tmp_path / "people.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--jobs", "1")
    assert code == 0, output
    with_annex = pdf_text(out / "0001-kowalska-complaint-pl.pdf").split("\f")
    without = pdf_text(out / "0002-nowak-complaint-pl.pdf").split("\f")
    assert len(with_annex) == len(without) + 1
    assert "My earlier request of 1 September" in with_annex[-1]
    assert "Załącznik nr 1: earlier-request.pdf" in flat(with_annex[-1])


CAMPAIGN_MEMBERS = {  # jurisdiction: (name, address)
    "DE": ("Erika Mustermann", "Hauptstraße 1, 10115 Berlin"),
    "FR": ("Marie Dupont", "12 rue de la Paix, 75002 Paris"),
    "PL": ("Anna Kowalska", "ul. Prosta 1, 00-850 Warszawa"),
    "IE": ("Aoife Murphy", "5 Main Street, Dublin 8, D08 XY12"),
    "GB": ("John Smith", "10 Downing Street, London SW1A 2AA"),
    "CH": ("Erika Muster", "Bahnhofstrasse 1, 8001 Zürich"),
    "CA": ("Alex Tremblay", "100 Queen Street, Ottawa ON K1P 1J9"),
    "CA-QC": ("Julie Gagnon", "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4"),
    "HK": ("陳大文", "Flat 1, 1 Queens Road Central, Central"),
    "US-CA": ("Sam Lee", "1 Market Street, San Francisco, CA 94105"),
    "GR": ("Μαρία Παπαδοπούλου", "Ερμού 1, 105 63 Αθήνα"),
    "HU": ("Nagy Anna", "Váci utca 1, 1052 Budapest"),
    "LV": ("Anna Bērziņa", "Brīvības iela 1, LV-1010 Rīga"),
    "SE": ("Anna Andersson", "Storgatan 1, 114 55 Stockholm"),
    "DE-BY": ("Max Huber", "Marienplatz 1, 80331 München"),
}
CAMPAIGN_BAD = {  # row number: (field to spoil, value, what the report must say)
    17: ("account_email", "not-an-email", "account-email: 'not-an-email' is not a valid e-mail"),
    58: ("kind", "complain", "kind: 'complain'"),
    99: ("date", "2026-13-01", "date: '2026-13-01'"),
    140: ("jurisdiction", "XX", "jurisdiction: 'XX' is not a jurisdiction dsr knows"),
}


def test_a_mixed_campaign_gives_every_good_row_its_own_letter(tmp_path: Path) -> None:
    """Kinds x jurisdictions x languages with bad rows among them, in two workers:
    each good row's PDF is its own member's letter, in its language; bad rows are
    reported with their number and field."""
    from pypdf import PdfReader

    from dsr.kits import combinations

    rows: list[dict[str, str]] = []
    every = list(combinations(jurisdictions=list(CAMPAIGN_MEMBERS)))
    for code, kind, language in every + every[::3]:  # some letters twice, for two members
        name, address = CAMPAIGN_MEMBERS[code]
        number = len(rows) + 1
        row = {"kind": kind, "jurisdiction": code, "lang": language, "address": address,
               "name": f"{name} M{number:03d}", "account_email": f"m{number}@example.org",
               "date": "2026-11-22"}  # fmt: skip
        if kind == "art21":
            row["situation"] = "I am a journalist and protect my sources."
        if kind in ("complaint", "reminder"):
            row["request_date"] = "2026-09-01"
            row["request_kind"] = "objection"
        rows.append(row)
    for number, (field, value, _) in CAMPAIGN_BAD.items():
        rows[number - 1] = {**rows[number - 1], field: value}
    assert len(rows) >= 170
    source = tmp_path / "campaign.csv"
    columns = sorted({key for row in rows for key in row})
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--jobs", "2")
    assert code == 2
    for number, (_, _, message) in CAMPAIGN_BAD.items():
        assert f"Error: row {number}: {message}" in output
    reported = {int(r["row"]): r for r in report(out)}
    assert sorted(reported) == list(range(1, len(rows) + 1))
    for number, row in enumerate(rows, start=1):
        result = reported[number]
        if number in CAMPAIGN_BAD:
            assert result["status"] == "error"
            continue
        below = CAMPAIGN_BAD.get(number + 1)
        if below:  # held back: its last cell is text, and the bad line may be its rest
            assert result["status"] == "error"
            next_row = f"row {number + 1} (line {number + 2} of the file), is no valid row"
            assert next_row in result["message"]
            continue
        assert result["status"] == "written", result
        assert result["file"].startswith(f"{number:04d}-")
        assert result["file"].endswith(f"-{row['kind']}-{row['lang'].lower()}.pdf")
        reader = PdfReader(out / result["file"])
        text = flat(pdf_text(out / result["file"]))
        assert row["name"] in text, result["file"]  # its own member, nobody else's
        others = {f"M{n:03d}" for n in range(1, len(rows) + 1)} - {f"M{number:03d}"}
        assert not [word for word in text.split() if word in others], result["file"]
        assert reader.trailer["/Root"]["/Lang"] == row["lang"]


def test_a_letter_that_cannot_be_written_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With WeasyPrint, if a group's joint write fails, its letters are written one by
    one, and only the one that fails again is reported."""
    from dsr import pdf
    from dsr.errors import RenderError

    real = pdf.write_separately

    def fragile(documents: list[Any]) -> list[bytes]:
        if len(documents) > 1 or "Dupont" in (documents[0].metadata.authors or [""])[0]:
            raise RenderError("PDF rendering failed: simulated")
        return real(documents)

    monkeypatch.setattr(pdf, "write_separately", fragile)
    rows = [GOOD[0], GOOD[1], [*GOOD[0][:2], "Hans Beispiel", *GOOD[0][3:]]]
    source = write_csv(tmp_path / "people.csv", rows)
    out = tmp_path / "out"
    args = ("batch", str(source), "-o", str(out), "--jobs", "1", "--engine", "weasyprint")
    code, output = invoke(*args)
    assert code == 2
    assert "Error: row 2: PDF rendering failed: simulated" in output
    assert [r["status"] for r in report(out)] == ["written", "error", "written"]
    assert "Hans Beispiel" in flat(pdf_text(out / "0003-beispiel-objection-de.pdf"))


def test_batch_writes_emails_with_the_letter_attached(tmp_path: Path) -> None:
    from email import policy
    from email.parser import BytesParser

    source = write_csv(tmp_path / "people.csv", [GOOD[0], GOOD[2]])
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "eml")
    assert code == 2, output  # LinkedIn takes no e-mail (a form): no e-mail without a To
    complaint = BytesParser(policy=policy.default).parsebytes(
        (out / "0002-kowalska-complaint-pl.eml").read_bytes()
    )
    assert complaint["To"].addresses[0].addr_spec == "kancelaria@uodo.gov.pl"
    body = complaint.get_body(preferencelist=("plain",))
    assert body is not None
    assert "RODO" in body.get_content()
    attachment = next(complaint.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert "Anna Kowalska" in flat(pdf_text(attachment.get_content()))
    assert [r["status"] for r in report(out)] == ["error", "written"]
    assert "publishes no e-mail address" in report(out)[0]["message"]


def test_semicolon_and_tab_separated_files_are_read(tmp_path: Path) -> None:
    """Spreadsheets in many European locales export CSV with semicolons."""
    for name, delimiter in (("people.csv", ";"), ("people.tsv", "\t")):
        source = tmp_path / name
        with source.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(HEADER)
            writer.writerows(GOOD[:2])
        out = tmp_path / f"out-{delimiter == ';'}"
        code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
        assert code == 0, output
        assert [r["file"] for r in report(out)] == [
            "0001-mustermann-objection-de.txt",
            "0002-dupont-art21-fr.txt",
        ]
        text = (out / "0002-dupont-art21-fr.txt").read_text("utf-8")
        assert "Journaliste, je protège mes sources." in " ".join(text.split())


def _die_on_first_row(group: list[Any], out_dir: str, **options: Any) -> list[Any]:
    if any(job[0] == 1 for job in group):
        os._exit(1)  # as if the kernel had killed the worker
    return RENDER_GROUP(group, out_dir, **options)


RENDER_GROUP = _render_group


def test_a_worker_that_dies_is_reported_and_the_rest_can_be_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dsr.batch

    rows = many_members(40)
    source = write_csv(tmp_path / "people.csv", rows)
    out = tmp_path / "out"
    with monkeypatch.context() as patched:  # undone alone: DSR_HOME stays the test's
        patched.setattr(dsr.batch, "_render_group", _die_on_first_row)
        code, output = invoke(
            "batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "2"
        )
    assert code == 1
    assert "Error: a worker process died" in output
    assert "Traceback" not in output
    statuses = {r["status"] for r in report(out)}
    assert "pending" in statuses
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "2")
    assert code == 0, output
    assert len(list(out.glob("*.txt"))) == 40


def objections(path: Path, count: int, bad: int = 0) -> Path:
    """``count`` objections to LinkedIn from members in Germany; row ``bad`` has no e-mail address."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "jurisdiction", "controller", "name", "address", "account_email"])
        for number in range(1, count + 1):
            email = "not-an-email" if number == bad else f"m{number}@example.org"
            address = f"Hauptstraße {number % 200 + 1}, 10115 Berlin"
            writer.writerow(
                ["objection", "DE", "linkedin", f"Erika Muster{number}", address, email]
            )
    return path


def test_the_first_letter_of_100000_rows_comes_within_seconds(tmp_path: Path) -> None:
    """Issue 13: rows are validated and handed to the workers as they are read.

    Validating all 100,000 rows first kept the first letter waiting 16 s (on
    two cores); a bad row is reported as soon as it is found, while the batch
    goes on. The batch is stopped once both are seen.
    """
    import queue
    import threading

    source = objections(tmp_path / "members.csv", 100_000, bad=2_000)
    out = tmp_path / "out"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "dsr", "batch", str(source), "-o", str(out), "--format", "txt",
         "--jobs", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert process.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    stderr = process.stderr
    reader = threading.Thread(target=lambda: [lines.put(x.decode()) for x in stderr])
    reader.start()
    first = error = None
    try:
        while first is None and time.monotonic() < started + 60 and process.poll() is None:
            if any(out.glob("*.txt")):
                first = time.monotonic() - started
            time.sleep(0.01)
        while error is None and time.monotonic() < started + 60:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            error = line if line.startswith("Error: row 2000:") else None
        assert process.poll() is None, "the batch ended before the bad row was reported"
        assert not (out / "report.csv").exists()  # written at the end
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
        reader.join()
        stderr.close()
    assert first is not None
    assert first < 10, f"the first letter came after {first:.1f} s"
    assert error is not None
    assert error.startswith(
        "Error: row 2000: account-email: 'not-an-email' is not a valid e-mail address "
        "(An email address must have an @-sign.) (row 1999 (line 2000), above, is held back"
    )
    assert process.returncode == 130
    reported = report(out)
    assert len(reported) == 100_000
    assert reported[1_999]["status"] == "error"
    assert reported[1_998]["status"] == "error"  # held back: row 2000 may be its rest
    assert reported[0]["file"] == "000001-muster1-objection-de.txt"  # six digits: 100,000 rows


def test_bad_rows_are_reported_as_found_and_listed_again_at_the_end(tmp_path: Path) -> None:
    source = objections(tmp_path / "members.csv", 3, bad=2)
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2
    problem = "account-email: 'not-an-email' is not a valid e-mail address"
    lines = output.splitlines()
    assert lines[0].startswith("Error: row 1: not written yet: the next row, row 2 (line 3")
    assert lines[1].startswith(f"Error: row 2: {problem}")
    assert lines[2] == "Rows that failed (2; all in report.csv):"  # again, as a list
    assert lines[3].startswith("  row 1: not written yet")
    assert lines[4].startswith(f"  row 2: {problem}")
    assert lines[5:] == [
        "Kinds: 1 objection",
        "Jurisdictions: 1 DE",
        "Languages: 1 de",
        f"Summary in {tmp_path / 'out' / 'summary.csv'}",
        f"1 of 3 letters written to {tmp_path / 'out'}; 2 rows need fixing "
        f"(see {tmp_path / 'out' / 'report.csv'})",
    ]
    many = tmp_path / "many.csv"
    rows = "".join(f"objection,X{number:02d}\n" for number in range(25))  # 25 messages
    many.write_text("kind,jurisdiction\n" + rows, encoding="utf-8")
    code, output = invoke("batch", str(many), "-o", str(tmp_path / "many"), "--format", "txt")
    assert code == 2
    assert output.count("Error: row 25: ") == 1
    assert output.count("  row 25: ") == 0  # not among the first 20 listed again
    assert output.count("  row 20: ") == 1
    assert "Rows that failed (the first 20 of 25; all in report.csv):" in output
    assert output.splitlines()[-1] == (
        f"0 of 25 letters written to {tmp_path / 'many'}; 25 rows need fixing "
        f"(see {tmp_path / 'many' / 'report.csv'})"
    )
    assert len(report(tmp_path / "many")) == 25
    same = tmp_path / "same.csv"  # one message for every row: said once, rows listed
    same.write_text("kind,jurisdiction\n" + "objection,XX\n" * 25, encoding="utf-8")
    code, output = invoke("batch", str(same), "-o", str(tmp_path / "same"), "--format", "txt")
    assert code == 2
    assert output.count("'XX'") == 2  # as found, and in the list at the end
    assert output.count("Error: row ") == 1
    assert "Rows that failed (25; all in report.csv):" in output
    assert "  rows 1, 2, 3, 4, 5 and 20 more: name: is required" in output
    assert len(report(tmp_path / "same")) == 25


def test_a_file_past_the_row_limit_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    source = objections(tmp_path / "members.csv", 3)
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--max-rows", "2")
    assert code == 2
    assert output == (
        f"Error: {source}: more than 2 rows, the limit; split the file, or raise the limit "
        "with --max-rows\n"
    )
    assert not out.exists()


NORWAY = (
    "- kind: objection\n  jurisdiction: NO\n  name: Kari Nordmann\n"
    "  address: Karl Johans gate 1, 0154 Oslo\n  account-email: kari@example.no\n"
    "  reference: 007\n  date: 2026-11-22\n  situation: ~\n  lang: null\n"
)


def test_yaml_values_are_read_as_typed(tmp_path: Path) -> None:
    """Attack review 19: YAML 1.1 reads ``NO`` as false, ``007`` as 7 and a date as a date.

    dsr reads every YAML value as text, as a CSV cell: Norway stays Norway,
    and a name is the name typed, whatever it looks like (a name without a letter is
    no member's: tests/test_multiline_choice.py). A plain empty
    value, ``~`` or ``null`` is a value not given (quoted, ``"Null"`` is a name).
    """
    others = "".join(
        f"- {{kind: objection, jurisdiction: DE, name: {name}, address: 'Hauptstraße 1, "
        f"10115 Berlin', account-email: m{number}@example.org}}\n"
        for number, name in enumerate(["on", "yes", '"Null"', "0x1F"])
    )
    source = tmp_path / "members.yaml"
    source.write_text(NORWAY + others, encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 0, output
    files = [r["file"] for r in report(out)]
    assert files == [
        "0001-nordmann-objection-nb.txt",
        "0002-on-objection-de.txt",
        "0003-yes-objection-de.txt",
        "0004-null-objection-de.txt",
        "0005-0x1f-objection-de.txt",
    ]
    norway = flat((out / files[0]).read_text("utf-8"))
    assert "ref. 007" in norway.lower()
    assert "innen 22. desember 2026" in norway  # a month from the letter's date, 2026-11-22
    assert "Med vennlig hilsen Kari Nordmann" in norway  # Norwegian, the language for NO


def test_yaml_tags_and_a_broken_last_row_stop_the_batch_before_it_starts(tmp_path: Path) -> None:
    """The whole YAML file is checked before the first letter is written."""
    out = tmp_path / "out"
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text(NORWAY.replace("NO\n", "!!bool NO\n"), encoding="utf-8")
    code, output = invoke("batch", str(tagged), "-o", str(out), "--format", "txt")
    assert code == 2
    assert output == (
        f"Error: {tagged}: line 2: YAML tags (!!bool) are not accepted; "
        "write the value as plain text\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(NORWAY * 3 + "- kind: [objection\n", encoding="utf-8")
    code, output = invoke("batch", str(broken), "-o", str(out), "--format", "txt")
    assert code == 2
    assert output.startswith(f"Error: {broken}: not valid YAML: ")
    two = tmp_path / "two.yaml"
    two.write_text(NORWAY + "---\n" + NORWAY, encoding="utf-8")
    code, output = invoke("batch", str(two), "-o", str(out), "--format", "txt")
    assert output == f"Error: {two}: expected one YAML document, a list of rows; found more\n"
    assert not out.exists()
    alone = tmp_path / "alone.yaml"  # a value alone may be the text of the row above
    alone.write_text(NORWAY + "- just text\n" + NORWAY, encoding="utf-8")
    code, output = invoke("batch", str(alone), "-o", str(out), "--format", "txt")
    assert code == 2
    assert "line 10: row 2 is no member's row" in output
    assert not out.exists()
    odd = tmp_path / "odd.yaml"
    odd.write_text(NORWAY + "- [a, b]: c\n" + NORWAY, encoding="utf-8")
    code, output = invoke("batch", str(odd), "-o", str(out), "--format", "txt")
    assert code == 2
    # The row above an invalid item waits: the item may be its text (round 36a).
    assert [r["status"] for r in report(out)] == ["error", "error", "written"]
    assert "Error: row 2: a key must be an option name, not ['a', 'b']" in output


def test_true_or_false_is_refused_once_with_a_hint_to_quote_it(tmp_path: Path) -> None:
    """Attack review 19: ``false`` was "is required" and "must be text" at once."""
    row = {"kind": "objection", "jurisdiction": False, "name": True, "address": "x",
           "account_email": "k@example.no"}  # fmt: skip
    source = tmp_path / "members.jsonl"
    source.write_text(json.dumps(row) + "\n", encoding="utf-8")
    code, output = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2
    assert output.splitlines()[0] == (
        "Error: row 1: jurisdiction: must be text, not bool False (put the value in quotes); "
        "name: must be text, not bool True (put the value in quotes)"
    )


def test_any_error_while_validating_a_row_is_that_rows_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: not only parse_request's errors: checking the row's file, too."""
    from dsr import files

    real = files.same_file

    def fragile(first: Path, second: Path) -> bool:
        if first.name.startswith("0002-"):
            raise PermissionError(13, "Permission denied", str(first))
        return real(first, second)

    monkeypatch.setattr(files, "same_file", fragile)
    source = objections(tmp_path / "members.csv", 3)
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2
    assert output.startswith("Error: row 2: cannot be written: PermissionError: [Errno 13] ")
    assert [r["status"] for r in report(out)] == ["written", "error", "written"]


def test_an_interrupted_forced_run_reports_no_earlier_letter_as_written(tmp_path: Path) -> None:
    """Round 33a: rows read ahead but not yet rewritten when Ctrl-C stopped a --force run
    were listed as written, from the earlier run's state: their letters held the old text."""
    from datetime import date

    from dsr.batch import run_batch

    rows = [row for row in many_members(30) if row[0] == "objection"]
    source = write_csv(tmp_path / "people.csv", rows)
    out = tmp_path / "out"
    run_batch(source, out, today=date(2026, 11, 22), options=TXT, jobs=1)
    write_csv(source, [[*row[:6], "A new text of mine", *row[7:]] for row in rows])
    from dsr import batch

    real = batch._write
    calls = 0

    def stopped_at_the_fifth(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt  # Ctrl-C while later rows are read ahead
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "_write", stopped_at_the_fifth)
        with pytest.raises(KeyboardInterrupt):
            run_batch(source, out, today=date(2026, 11, 22), options=TXT, jobs=1, force=True)
    listed = report(out)
    assert any(row["status"] == "pending" for row in listed), listed
    for row in listed:
        if row["status"] == "written":
            assert "A new text of mine" in (out / row["file"]).read_text(encoding="utf-8"), row
