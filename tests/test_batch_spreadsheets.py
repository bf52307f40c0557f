"""`dsr batch` reads campaigns as NGOs keep them: spreadsheets (.xlsx, .ods), and CSV
files in the encodings spreadsheet programs write (issue 17, first part: reading)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from dsr.batch import check_batch, open_batch_file
from dsr.sheets import cell_text
from tests.batch_tools import batch_text, report_rows
from tests.batch_tools import written as written_texts
from tests.conftest import pdf_text

HEADER = ["kind", "jurisdiction", "name", "address", "account-email", "lang"]
MEMBERS = [
    ["objection", "DE", "Jürgen Müller", "Hauptstraße 1, 10115 Berlin", "jm@example.org", "de"],
    ["objection", "FR", "Hélène Dupré", "12 rue de la Paix, 75002 Paris", "hd@example.org", "fr"],
]


def xlsx(path: Path, rows: list[list[Any]], title: str = "Mitglieder") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def ods(path: Path, rows: list[list[Any]]) -> Path:
    document = OpenDocumentSpreadsheet()
    table = Table(name="Members")
    for row in rows:
        table_row = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def written(run: Any, source: Path, out: Path, *options: str) -> list[str]:
    result = run("batch", str(source), "-o", str(out), "--jobs", "1", *options)
    assert result.exit_code == 0, result.output
    return [pdf_text(p).replace("\xa0", " ") for p in sorted(out.glob("*.pdf"))]


def test_an_xlsx_campaign_is_read_as_it_is(run: Any, tmp_path: Path) -> None:
    """The first sheet, its header as the CLI names fields; an empty row is skipped;
    a date cell (a date, or a date and time at midnight) reads as the date."""
    rows = [[*HEADER, "date"], MEMBERS[0] + [dt.date(2026, 11, 22)], [None] * 7]
    rows.append(MEMBERS[1] + [dt.datetime(2026, 11, 23)])  # noqa: DTZ001 - a sheet has no zone
    source = xlsx(tmp_path / "members.xlsx", rows)
    texts = written(run, source, tmp_path / "out")
    assert len(texts) == 2
    assert "Jürgen Müller" in texts[0]
    assert "22. November 2026" in texts[0]
    assert "Hélène Dupré" in texts[1]
    assert "23 novembre 2026" in texts[1]


def test_an_ods_campaign_is_read_as_it_is(run: Any, tmp_path: Path) -> None:
    source = ods(tmp_path / "members.ods", [HEADER, *MEMBERS])
    texts = written(run, source, tmp_path / "out")
    assert [("Jürgen Müller" in t, "Hélène Dupré" in t) for t in texts] == [
        (True, False),
        (False, True),
    ]


def test_a_sheet_is_chosen_by_name_and_an_unknown_one_is_named(run: Any, tmp_path: Path) -> None:
    source = xlsx(tmp_path / "members.xlsx", [HEADER, MEMBERS[0]], title="Kampagne")
    assert len(written(run, source, tmp_path / "out", "--sheet", "Kampagne")) == 1
    result = run("batch", str(source), "-o", str(tmp_path / "other"), "--sheet", "Nope")
    assert result.exit_code == 2
    assert "no sheet named 'Nope'; its sheets are 'Kampagne'" in result.output
    assert "--sheet" in result.output
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").iterdir())


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "latin-1"])
def test_csv_in_the_encodings_spreadsheet_programs_write(
    run: Any, tmp_path: Path, encoding: str
) -> None:
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in [HEADER, *MEMBERS]) + "\n"
    source = tmp_path / "members.csv"
    source.write_bytes(text.encode(encoding))
    assert open_batch_file(source).count == 2
    texts = written(run, source, tmp_path / "out")
    assert "Jürgen Müller" in texts[0]
    assert "Hélène Dupré" in texts[1]


def test_an_encoding_given_is_used_and_a_wrong_one_is_named(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    text = "\n".join(",".join(row) for row in [HEADER, MEMBERS[0]]) + "\n"
    source.write_bytes(
        text.replace("Hauptstraße 1, 10115 Berlin", '"Hauptstraße 1, 10115 Berlin"').encode(
            "cp1252"
        )
    )
    written(run, source, tmp_path / "out", "--encoding", "cp1252")
    result = run("batch", str(source), "-o", str(tmp_path / "two"), "--encoding", "klingon")
    assert result.exit_code == 2
    assert "'klingon' is not an encoding" in result.output
    assert "--encoding" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (10115.0, "10115"),  # a postcode typed as a number
        (2.5, "2.5"),
        (dt.date(2026, 1, 2), "2026-01-02"),
        (dt.datetime(2026, 1, 2), "2026-01-02"),  # noqa: DTZ001 - a sheet has no zone
        (dt.datetime(2026, 1, 2, 9, 30), "2026-01-02T09:30:00"),  # noqa: DTZ001
        (True, "true"),
        (None, ""),
        ("Straße", "Straße"),
    ],
)
def test_a_cell_reads_as_a_member_would_have_typed_it(cell: Any, text: str) -> None:
    assert cell_text(cell) == text


# What Excel's other ways of saving do to members' lists (issue 17)

TODAY = dt.date(2026, 12, 7)

GERMAN = 'kind = "objection"\njurisdiction = "DE"\nlang = "de"\n'


def test_letters_a_cp1252_csv_lost_fail_their_rows_only(tmp_path: Path) -> None:
    """Excel's "CSV (semicolon)" is cp1252: a Turkish dotless i is saved as "?". That row
    fails, naming the member and how to save the file; the others are written."""
    lines = [
        "name;address;account-email",
        "Jürgen Müller;Hauptstraße 1, 10115 Berlin;jm@example.org",
        "Mehmet Y\u0131lmaz;Hauptstraße 2, 10115 Berlin;my@example.org",
        "Paweł Wiśniewski;Długa 3, 10115 Berlin;pw@example.org",
        "Grete Weiß;Lindenallee 5, 50667 Köln;gw@example.org",
    ]
    content = "\r\n".join(lines).encode("cp1252", errors="replace") + b"\r\n"
    code, output = batch_text(tmp_path, content, GERMAN)
    assert code == 2, output
    rows = {row["row"]: row for row in report_rows(tmp_path)}
    assert (rows["2"]["status"], rows["2"]["name"]) == ("error", "Mehmet Y?lmaz")
    assert rows["2"]["message"] == (
        "name: 'Mehmet Y?lmaz' has \"?\" where a letter was: the file was saved in an "
        'encoding without that letter (Excel\'s "CSV" keeps Western European letters '
        'only); save it as "CSV UTF-8" (or .xlsx) and run again'
    )
    assert rows["3"]["message"].startswith(
        "name: 'Pawe? Wi?niewski' has \"?\" where a letter was (and so has address "
        "'D?uga 3, 10115 Berlin'): "
    )
    assert rows["4"]["status"] == "written"
    letters = written_texts(tmp_path)
    assert sorted(letters) == ["0001-muller-objection-de.txt", "0004-weiss-objection-de.txt"]
    assert not any("?" in text.split("\n\n")[0] for text in letters.values())


def excel_unicode_text(rows: list[list[str]]) -> bytes:
    """A sheet as Excel's "Unicode Text" saves it: UTF-16 with its BOM, tabs, CR LF."""
    return "\r\n".join("\t".join(row) for row in rows).encode("utf-16") + "\r\n".encode("utf-16-le")


def test_excel_unicode_text_is_read_as_tab_separated(tmp_path: Path) -> None:
    rows = [
        ["name", "address", "account-email"],
        ["Mehmet Y\u0131lmaz", "Hauptstraße 2, 10115 Berlin", "my@example.org"],
        ["Παπαδόπουλος Νίκος", "Lindenallee 5, 50667 Köln", "pn@example.org"],
    ]
    code, output = batch_text(tmp_path, excel_unicode_text(rows), GERMAN, name="members.txt")
    assert code == 0, output
    texts = list(written_texts(tmp_path).values())
    assert "Mehmet Y\u0131lmaz" in texts[0]
    assert "Παπαδόπουλος Νίκος" in texts[1]


def test_a_txt_file_without_tabs_is_refused_naming_what_is_read(tmp_path: Path) -> None:
    content = "name,address\nErika Muster,Hauptstraße 1\n"
    code, output = batch_text(tmp_path, content, GERMAN, name="members.txt")
    assert code == 2, output
    assert (
        f"Error: {tmp_path / 'members.txt'}: a .txt file is read as tab-separated text "
        "(Excel's \"Unicode Text\"), and its first line holds no tab; give the members' "
        "list as .xlsx, .ods, .csv, .tsv, .yaml or .jsonl, with a header line naming its "
        "columns"
    ) in output.splitlines()
    assert not (tmp_path / "out").exists()


def test_a_postcode_in_a_number_cell_gets_its_leading_zero_back(run: Any, tmp_path: Path) -> None:
    """A PLZ column formatted as numbers holds 1067 for 01067: the letter says 01067;
    an Austrian 3-digit number cannot be one cut short by zeros, and says so."""
    header = ["kind", "jurisdiction", "name", "street", "postcode", "city", "account-email"]
    erika = ["objection", "DE", "Erika Muster", "Prager Straße 1", 1067, "Dresden", "e@x.org"]
    anna = ["objection", "AT", "Anna Huber", "Ringstraße 1", 123, "Wien", "ah@example.org"]
    [text] = written(run, xlsx(tmp_path / "plz.xlsx", [header, erika]), tmp_path / "out")
    assert "Prager Straße 1\n01067 Dresden" in text
    found = check_batch(xlsx(tmp_path / "both.xlsx", [header, erika, anna]), today=TODAY)
    assert [(r.row, r.message) for r in found.problems] == [(2, (
        "postcode: '123' has too few digits for a postcode of AT (for example 1010): it "
        "looks like a number cell that lost its leading zeros; format the column as text "
        "and type the postcode again"
    ))]  # fmt: skip


# CSV files a Central or Eastern European Excel saves: its own code page (issue 17, N1)

PARTS_HEADER = "first-name;last-name;street;postcode;city;country;account-email\r\n"


@pytest.mark.parametrize(
    ("code_page", "row", "name", "street"),
    [
        ("cp1250", "Łukasz;Żółkiewski;ul. Świętokrzyska 12;00-116;Warszawa;Polska;l@example.org",
         "Łukasz Żółkiewski", "ul. Świętokrzyska 12"),
        ("cp1250", "Jiří;Černý;Vodičkova 12;110 00;Praha;Česko;j@example.org",
         "Jiří Černý", "Vodičkova 12"),
        ("cp1254", "Ayşe;Şahin;Şehit Karaoğlanoğlu Caddesi 5;1010;Lefkoşa;K\u0131br\u0131s;a@example.org",
         "Ayşe Şahin", "Şehit Karaoğlanoğlu Caddesi 5"),
        ("cp1257", "Rūta;Kazlauskienė;Gedimino pr. 9;01103;Vilnius;Lietuva;r@example.org",
         "Rūta Kazlauskienė", "Gedimino pr. 9"),
        ("cp1253", "Γιάννης;Παπαδάκης;Οδός Ερμού 12;105 63;Αθήνα;Ελλάδα;g@example.org",
         "Γιάννης Παπαδάκης", "Οδός Ερμού 12"),
    ],
)  # fmt: skip
def test_a_csv_in_its_countrys_code_page_is_read_in_it(
    run: Any, tmp_path: Path, code_page: str, row: str, name: str, street: str
) -> None:
    """Campaigner round 2, N1: a CSV a Polish, Czech, Turkish, Lithuanian or Greek Excel
    saved was read as cp1252 and signed "£ukasz ¯ó³kiewski" (or refused, suggesting
    cp1252 for Greek). Its names and streets are now read in the code page that gives
    them letters of the row's country's language, and written as typed."""
    content = (PARTS_HEADER + row + "\r\n").encode(code_page)
    code, output = batch_text(tmp_path, content, 'kind = "objection"\n')
    assert code == 0, output
    assert "Warning" not in output
    [letter] = written_texts(tmp_path).values()
    assert name in letter.splitlines()  # the signature, exactly
    assert not any(sign in letter for sign in "£¯³¹¿þð")
    defaults = tmp_path / "defaults.toml"
    [pdf] = written(run, tmp_path / "members.csv", tmp_path / "pdf", "--defaults", str(defaults))
    assert name in pdf.splitlines()  # the sender and the signature
    assert street in pdf.splitlines()  # the sender's address


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ("name;address;country;account-email\r\n"
         "Jürgen Weiß-Müller;Hauptstraße 1, 10115 Berlin;Deutschland;j@example.org\r\n"
         "Grete Köhler;Lindenallee 5, 50667 Köln;Deutschland;g@example.org\r\n",
         ["Jürgen Weiß-Müller", "Grete Köhler"]),
        ("name;address;country;account-email\r\n"
         "Hélène Lefèvre;3 rue des Frères Lumière, 69008 Lyon;France;h@example.org\r\n"
         "François Thérèse;1 place de l'Église, 75001 Paris;France;f@example.org\r\n",
         ["Hélène Lefèvre", "François Thérèse"]),
    ],
)  # fmt: skip
def test_a_western_csv_is_read_as_cp1252_without_a_word(
    tmp_path: Path, content: str, names: list[str]
) -> None:
    code, output = batch_text(tmp_path, content.encode("cp1252"), 'kind = "objection"\n')
    assert code == 0, output
    assert "Warning" not in output
    assert "Error" not in output
    letters = list(written_texts(tmp_path).values())
    assert [name in letter.splitlines() for name, letter in zip(names, letters, strict=True)] == [
        True,
        True,
    ]


def test_a_code_page_the_letters_cannot_tell_is_refused_naming_the_readings(
    tmp_path: Path,
) -> None:
    """A Turkish name in a German address, saved in cp1254: read as cp1252 "Ayşe" is
    "Ayþe", a name Icelandic letters make as well; neither the name nor the country
    settles it. The file is refused, naming how each code page reads the name and
    --encoding; nothing is written. Given the encoding, the name is as typed."""
    content = (
        "name;address;country;account-email\r\n"
        "Ayşe Şahin;Hauptstraße 1, 10115 Berlin;Deutschland;a@example.org\r\n"
    ).encode("cp1254")
    code, output = batch_text(tmp_path, content, 'kind = "objection"\n')
    assert code == 2, output
    assert "cp1254 reads 'Ayşe'" in output
    assert "cp1252 reads 'Ayþe'" in output
    assert "--encoding NAME" in output
    assert not written_texts(tmp_path)
    code, output = batch_text(tmp_path, content, 'kind = "objection"\n', "--encoding", "cp1254")
    assert code == 0, output
    [letter] = written_texts(tmp_path).values()
    assert "Ayşe Şahin" in letter.splitlines()
