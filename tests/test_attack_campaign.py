"""The campaign review's attacks (issue 17): spreadsheets that unpack to far more than
they hold, a hidden sheet, a line break in a spreadsheet cell, a campaign's --from that
names two senders, a header holding "=". Each is refused with a clear error (exit 2, no
traceback) or read as the NGO sees the file; nothing else is lost."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from dsr import files
from dsr.cli import main
from dsr.inputs import jurisdiction_named
from tests.batch_tools import report_rows

HEADER = ["kind", "jurisdiction", "controller", "name", "address", "account-email", "lang",
          "date"]  # fmt: skip
ERIKA = ["objection", "DE", "linkedin", "Erika Mustermann", "Hauptstraße 1, 10115 Berlin",
         "erika@example.org", "de", "2026-11-02"]  # fmt: skip
OTTO = ["objection", "DE", "linkedin", "Otto Normal", "Hauptstraße 2, 10115 Berlin",
        "otto@example.org", "de", "2026-11-02"]  # fmt: skip


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def workbook(path: Path, *sheets: tuple[str, list[list[object]], str]) -> Path:
    """An .xlsx of ``(title, rows, state)`` sheets, in order."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_one_cell_at_the_sheets_last_corner_is_refused_not_a_crash(tmp_path: Path) -> None:
    """calamine would allocate the whole bounding box (549 GB) and abort the process."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(ERIKA)
    sheet["XFD1048576"] = "x"
    book.save(tmp_path / "members.xlsx")
    for args in (["--check"], ["-o", str(tmp_path / "out")]):
        code, output = run("batch", str(tmp_path / "members.xlsx"), *args)
        assert code == 2, output
        assert "members.xlsx: reading it needs more than" in output
        assert "Traceback" not in output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))


def _shared_string_bomb(path: Path, rows: int, cells: int, length: int) -> Path:
    """An .xlsx whose cells all point to one long shared string: small on disk, gigabytes
    once read (each cell its own copy)."""
    strings = [*HEADER, "x" * length]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName='
        '"/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Members" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target='
        '"sharedStrings.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.'
            'org/spreadsheetml/2006/main">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings)
            + "</sst>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>'
                + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(len(HEADER))).encode()
                + b"</row>"
            )
            line = ("<row>" + f'<c t="s"><v>{len(HEADER)}</v></c>' * cells + "</row>").encode()
            for _ in range(rows):
                sheet.write(line)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_a_shared_string_bomb_is_refused_within_the_memory_limit(tmp_path: Path) -> None:
    source = _shared_string_bomb(tmp_path / "members.xlsx", 20_000, 8, 32_767)
    assert source.stat().st_size < 200_000  # on disk; read, 5 GB
    start = time.monotonic()
    code, output = run("batch", str(source), "--check")
    assert code == 2, output
    assert "members.xlsx:" in output
    assert "Traceback" not in output
    assert "reading it needs more than" in output or "more than" in output
    assert time.monotonic() - start < 200


def test_the_first_visible_sheet_is_read_not_a_hidden_one(tmp_path: Path) -> None:
    forged = [*ERIKA[:3], "Mallory Forged", *ERIKA[4:]]
    source = workbook(
        tmp_path / "members.xlsx",
        ("Old", [HEADER, forged], "veryHidden"),
        ("Members", [HEADER, ERIKA], "visible"),
    )
    code, output = run("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 0, output
    letters = [p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.txt")]
    assert len(letters) == 1
    assert "Erika Mustermann" in letters[0]
    assert "Mallory" not in letters[0]
    # Named, a hidden sheet is read: the NGO asked for it.
    code, output = run("batch", str(source), "--check", "--sheet", "Old")
    assert code == 0, output


def test_a_line_break_in_one_cell_fails_that_row_only(tmp_path: Path) -> None:
    """Alt+Enter in a name, CR LF in an e-mail address: that member's row is refused, the
    others are written; no talk of quotes or lines, which a spreadsheet has none of."""
    broken_name = [*OTTO[:3], "Otto\nNormal", *OTTO[4:]]
    broken_mail = [*OTTO[:5], "otto@\r\nexample.org", *OTTO[6:]]
    source = workbook(
        tmp_path / "members.xlsx",
        ("Members", [HEADER, ERIKA, broken_name, broken_mail, ERIKA], "visible"),
    )
    code, output = run("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2, output
    assert "--trust-quotes" not in output
    assert "stray quote" not in output
    statuses = [row["status"] for row in report_rows(tmp_path)]
    assert statuses == ["written", "error", "error", "written"]


def test_a_from_that_names_another_sender_or_two_is_refused(tmp_path: Path) -> None:
    source = workbook(tmp_path / "members.xlsx", ("Members", [HEADER, ERIKA], "visible"))
    for given in ("x@evil.example <ngo@example.org>", "ngo@example.org, spy@evil.example"):
        code, output = run(
            "batch", str(source), "-o", str(tmp_path / "out"), "--mail-members", "--from", given
        )
        assert code == 2, output
        assert "--from" in output
        assert "Traceback" not in output
        assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_header_holding_an_equals_sign_can_be_mapped(tmp_path: Path) -> None:
    header = [*HEADER[:3], "Name (=Vor- und Nachname)", *HEADER[4:]]
    source = workbook(tmp_path / "members.xlsx", ("Members", [header, ERIKA], "visible"))
    code, output = run("batch", str(source), "--check", "--map", "Name (=Vor- und Nachname)=name")
    assert code == 0, output


def test_an_output_folder_swapped_during_a_run_is_not_written_into(tmp_path: Path) -> None:
    """The attack's M3: while a batch held out/, out/ was renamed and a link to another
    folder put at its name; every later file went into that folder. The folder a run
    locked is the only one it writes into, in the run's process and in its workers."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "report.csv").write_text("theirs\n", encoding="utf-8")
    with files.folder_lock(out, "dsr0123456789ab"):
        files.write_file(out, "first.txt", b"1")
        identity = files.pinned_identity(out)
        assert identity is not None
        out.rename(tmp_path / "moved")
        out.symlink_to(elsewhere)
        with pytest.raises(files.UnsafeFile, match="was replaced while dsr wrote into it"):
            files.write_file(out, "report.csv", b"ours", replace=True)
        with pytest.raises(files.UnsafeFile):  # as a worker is given it
            with files.pinned(str(out), identity):
                files.write_file(out, "0002-x.pdf", b"%PDF")
    assert (elsewhere / "report.csv").read_text(encoding="utf-8") == "theirs\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["report.csv"]
    assert (tmp_path / "moved" / "first.txt").read_bytes() == b"1"


def test_a_carriage_return_in_a_cell_never_starts_a_forged_row(tmp_path: Path) -> None:
    """Round 2, N1: a cell holding a CR alone (as Excel's _x000D_ reads back) ended its
    row, and the rest became a member of its own. It stays one cell of its row."""
    forged = "Otto Normal\rinjected,DE,linkedin,Mallory Forged,x,forged@evil.example"
    source = workbook(
        tmp_path / "members.xlsx",
        ("Members", [HEADER, ERIKA, [*OTTO[:3], forged, *OTTO[4:]], ERIKA], "visible"),
    )
    code, output = run("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2, output  # the row with the CR in its name is refused, alone
    rows = report_rows(tmp_path)
    assert [row["row"] for row in rows] == ["1", "2", "3"]  # no row was added
    assert [row["status"] for row in rows] == ["written", "error", "written"]
    letters = " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.txt"))
    assert "Mallory" not in letters
    assert "forged@evil.example" not in letters


def test_report_cells_are_no_formula_when_a_spreadsheet_splits_them_at_semicolons(
    tmp_path: Path,
) -> None:
    """Round 2, N2: Excel in most of Europe opens a CSV file at ";": a name "Jan
    Kowal;=2+3;x" gave a cell "=2+3". Every piece that would start a formula is quoted."""
    name = "Jan Kowal;=2+3;-1+1,@SUM(A1)"
    bad = [*ERIKA[:3], name, "", *ERIKA[5:]]  # no address: a failed row keeps its name
    source = workbook(tmp_path / "members.xlsx", ("Members", [HEADER, ERIKA, bad], "visible"))
    code, output = run("batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt")
    assert code == 2, output
    raw = (tmp_path / "out" / "report.csv").read_text(encoding="utf-8")
    for separator in (";", ",", "\t"):
        for line in raw.splitlines():
            for piece in line.split(separator):
                assert not piece.strip(' "').startswith(("=", "+", "-", "@")), (separator, piece)
    assert "Jan Kowal;'=2+3;'-1+1,'@SUM(A1)" in raw


def test_the_warning_for_columns_not_read_stays_short(tmp_path: Path) -> None:
    """Round 1, L1: 2,000 long column names printed a warning of megabytes."""
    header = [*HEADER, *(f"extra column {n} " + "x" * 200 for n in range(2000))]
    source = workbook(tmp_path / "members.xlsx", ("Members", [header, ERIKA], "visible"))
    code, output = run("batch", str(source), "--check")
    assert code == 0, output
    assert len(output) < 3000
    assert "and 1,988 more" in output


def test_a_from_with_a_space_in_its_address_is_refused(tmp_path: Path) -> None:
    source = workbook(tmp_path / "members.xlsx", ("Members", [HEADER, ERIKA], "visible"))
    code, output = run(
        "batch", str(source), "-o", str(tmp_path / "out"), "--mail-members", "--from",
        "ngo@ex ample.org",
    )  # fmt: skip
    assert code == 2, output
    assert "an e-mail address has no spaces" in output


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Canada (Québec)", "CA-QC"), ("Kanada (Québec)", "CA-QC"), ("Canada, Québec", "CA-QC"),
     ("CA (Québec)", "CA-QC"), ("Québec, Kanada", "CA-QC"), ("Québec (Kanada)", "CA-QC"),
     ("USA, California", "US-CA"), ("Deutschland (Bayern)", "DE-BY")],
)  # fmt: skip
def test_a_country_and_its_region_name_the_regions_law_in_either_order(
    typed: str, code: str
) -> None:
    """Campaigner round 2, N3: "Canada (Québec)" was federal Canada (PIPEDA, an English
    letter) while "Québec, Kanada" was Québec's law: the order of the words chose the law."""
    assert jurisdiction_named(typed) == (code, None)


def test_a_central_european_code_page_is_never_read_as_a_western_one(tmp_path: Path) -> None:
    """Campaigner round 2, N1: a CSV a Polish Excel saved (cp1250) was read as cp1252 and
    its letters signed "£ukasz ¯ó³kiewski". It is read as cp1250 now; given the encoding,
    the names are as typed too; a German cp1252 file is still read without a word."""
    polish = (
        "name;address;account-email\r\n"
        "Łukasz Żółkiewski;ul. Świętokrzyska 12, 00-916 Warszawa;l@example.org\r\n"
        "Paweł Wiśniewski;ul. Długa 5, 80-827 Gdańsk;p@example.org\r\n"
    )
    source = tmp_path / "members.csv"
    source.write_bytes(polish.encode("cp1250"))
    defaults = tmp_path / "defaults.toml"
    defaults.write_text('kind = "objection"\njurisdiction = "PL"\nlang = "pl"\n', "utf-8")
    found = tmp_path / "found"
    code, output = run(
        "batch", str(source), "-o", str(found), "--format", "txt", "--defaults", str(defaults)
    )  # fmt: skip
    assert code == 0, output
    assert "Łukasz Żółkiewski" in " ".join(p.read_text("utf-8") for p in found.glob("*.txt"))
    out = tmp_path / "out"
    code, output = run(
        "batch", str(source), "-o", str(out), "--format", "txt", "--defaults", str(defaults),
        "--encoding", "cp1250",
    )  # fmt: skip
    assert code == 0, output
    letters = " ".join(p.read_text(encoding="utf-8") for p in out.glob("*.txt"))
    assert "Łukasz Żółkiewski" in letters
    assert "Paweł Wiśniewski" in letters
    german = "name;address;account-email\r\nJörg Weiß-Müller;Hauptstraße 1, 10115 Berlin;j@example.org\r\n"
    source.write_bytes(german.encode("cp1252"))
    defaults.write_text('kind = "objection"\njurisdiction = "DE"\nlang = "de"\n', "utf-8")
    code, output = run("batch", str(source), "--check", "--defaults", str(defaults))
    assert code == 0, output


def test_the_defaults_country_tells_the_code_page_of_rows_that_name_none(tmp_path: Path) -> None:
    """F3's weak spot: "Hélène Lefèvre" reads as French in cp1252 and as Czech ("Hélčne")
    in cp1250; with no country in the rows the file was refused. --defaults naming France
    tells it."""
    source = tmp_path / "members.csv"
    source.write_bytes(
        "name;address;account-email\r\nHélène Lefèvre;12 rue de la Paix, 75002 Paris;"
        "h@example.org\r\n".encode("cp1252")
    )
    defaults = tmp_path / "defaults.toml"
    defaults.write_text('kind = "objection"\njurisdiction = "FR"\nlang = "fr"\n', "utf-8")
    out = tmp_path / "out"
    code, output = run(
        "batch", str(source), "-o", str(out), "--format", "txt", "--defaults", str(defaults)
    )
    assert code == 0, output
    letters = " ".join(p.read_text(encoding="utf-8") for p in out.glob("*.txt"))
    assert "Hélène Lefèvre" in letters
