"""`dsr batch` reads columns as people name them (issue 17): any spelling of a field's
name, --map for other names, columns it does not read named once and skipped, the
address and the name in parts, dates as Europe writes them, empty rows, and --check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from dsr.batch import check_batch, open_batch_file
from dsr.inputs import read_day
from tests.batch_tools import batch_text, report_rows, written
from tests.conftest import letter_args, pdf_text

TODAY = dt.date(2026, 12, 7)
GERMAN = ["Art", "Land", "Vorname", "Nachname", "Straße", "PLZ", "Ort", "E-Mail", "Datum"]
GERMAN_MAP = [
    "--map", "Art=kind", "--map", "Land=country", "--map", "Vorname=first-name",
    "--map", "Nachname=last-name", "--map", "Straße=street", "--map", "PLZ=postcode",
    "--map", "Ort=city", "--map", "E-Mail=account-email", "--map", "Datum=date",
]  # fmt: skip
OBJECTION_DE = 'kind = "objection"\njurisdiction = "DE"\nlang = "de"\n'


def xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def ods(path: Path, rows: list[list[str]]) -> Path:
    document = OpenDocumentSpreadsheet()
    table = Table(name="Mitglieder")
    for row in rows:
        table_row = TableRow()
        for value in row:
            cell = TableCell(valuetype="string") if value else TableCell()
            if value:
                cell.addElement(P(text=value))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def pdfs(folder: Path) -> list[str]:
    """The PDF letters in ``folder``, as a reader sees their text."""
    return [pdf_text(p).replace("\xa0", " ") for p in sorted(folder.glob("*.pdf"))]


def warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Warning:")]


# Headers


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "members.csv",
            "\ufeff Kind ;JURISDICTION;Name;address;Account Email;account_ID\n"
            "objection;DE;Erika Muster;Hauptstraße 1, 10115 Berlin;em@example.org;17\n",
        ),
        (
            "members.tsv",
            "kind\tJurisdiction\tNAME\tAddress\tACCOUNT-EMAIL\tAccount ID\n"
            "objection\tDE\tErika Muster\tHauptstraße 1, 10115 Berlin\tem@example.org\t17\n",
        ),
        (
            "members.jsonl",
            json.dumps(
                {
                    "Kind": "objection",
                    "jurisdiction": "DE",
                    "Name": "Erika Muster",
                    "address": "Hauptstraße 1, 10115 Berlin",
                    "account_email": "em@example.org",
                    "Account ID": "17",
                }
            )
            + "\n",
        ),
        (
            "members.yaml",
            "- KIND: objection\n  Jurisdiction: DE\n  name: Erika Muster\n"
            "  address: Hauptstraße 1, 10115 Berlin\n  Account-Email: em@example.org\n"
            "  account id: '17'\n",
        ),
    ],
)
def test_every_format_reads_a_header_in_any_spelling(
    tmp_path: Path, name: str, content: str
) -> None:
    """Case, spaces, ``_``, ``-`` and a BOM make no other field; a column that names no
    field is not read, and is named."""
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    batch = open_batch_file(source)
    [(number, values)] = list(batch.rows())
    assert number == 1
    assert values == {
        "kind": "objection",
        "jurisdiction": "DE",
        "name": "Erika Muster",
        "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "em@example.org",
    }
    assert [column.strip().lower().replace("_", " ") for column in batch.ignored] == ["account id"]


# --map and columns not read


def test_german_headers_with_map_write_the_letters(run: Any, tmp_path: Path) -> None:
    """A German .xlsx, mapped: the name from its parts, the address laid out as the post
    writes it, the date from a date cell or typed dd.mm.yyyy; a notes column is named
    once and not read (not even its "N/A")."""
    rows: list[list[Any]] = [
        [*GERMAN, "Notizen"],
        ["objection", "DE", "Jürgen", "Müller", "Hauptstraße 1", "10115", "Berlin",
         "jm@example.org", dt.date(2026, 12, 2), "ruft zurück"],
        ["objection", "Deutschland", "Anna", "Schmidt", "Marktplatz 3", 80331, "München",
         "as@example.org", "3.12.2026", "N/A"],
    ]  # fmt: skip
    source = xlsx(tmp_path / "mitglieder.xlsx", rows)
    out = tmp_path / "out"
    result = run("batch", str(source), "-o", str(out), "--jobs", "1", *GERMAN_MAP)
    assert result.exit_code == 0, result.output
    assert warnings(result.output) == [
        "Warning: this column is not read, as no field has its name: 'Notizen'; map one "
        "to a field with --map SOURCE=FIELD if it holds one"
    ]
    first, second = pdfs(out)
    assert "Jürgen Müller\nHauptstraße 1\n10115 Berlin\njm@example.org" in first
    assert "Berlin, 2. Dezember 2026" in first
    assert "Anna Schmidt\nMarktplatz 3\n80331 München\nas@example.org" in second
    assert "München, 3. Dezember 2026" in second
    assert "ruft zurück" not in first
    assert "N/A" not in second


def test_an_ods_with_map_and_empty_rows(run: Any, tmp_path: Path) -> None:
    header = ["Art", "Land", "Name", "Anschrift", "E-Mail"]
    rows = [
        header,
        ["objection", "FR", "Hélène Dupré", "12 rue de la Paix, 75002 Paris", "hd@example.org"],
        ["", "", "", "", ""],
        ["objection", "DE", "Jürgen Müller", "Hauptstraße 1, 10115 Berlin", "jm@example.org"],
    ]
    source = ods(tmp_path / "mitglieder.ods", rows)
    out = tmp_path / "out"
    mapping = ["--map", "art=kind", "--map", "LAND=jurisdiction", "--map", "Anschrift=address",
               "--map", "E-Mail=account-email"]  # fmt: skip
    result = run("batch", str(source), "-o", str(out), "--jobs", "1", *mapping)
    assert result.exit_code == 0, result.output
    assert not warnings(result.output)
    texts = pdfs(out)
    assert len(texts) == 2
    assert "Hélène Dupré\n12 rue de la Paix\n75002 Paris" in texts[0]
    assert "Jürgen Müller\nHauptstraße 1\n10115 Berlin" in texts[1]


def test_a_notes_column_gives_one_warning_and_every_row_is_written(tmp_path: Path) -> None:
    """Excel's "CSV (semicolon)" export in cp1252, with two columns dsr does not read
    (one holding "#N/A" and a text ending its rows) and ";;;;" rows: all rows written."""
    lines = [
        "Name;Address;Account_Email;Notes;Mitgliedsnummer",
        "Jürgen Müller;Hauptstraße 1, 10115 Berlin;jm@example.org;#N/A;1",
        ";;;;",
        "Anna Schmidt;Marktplatz 3, 80331 München;as@example.org;rief an, sagt zu;2",
        "Grete Weiß;Lindenallee 5, 50667 Köln;gw@example.org;;3",
        ";;;;",
    ]
    content = "\r\n".join(lines).encode("cp1252")
    code, output = batch_text(tmp_path, content, OBJECTION_DE)
    assert code == 0, output
    assert warnings(output) == [
        "Warning: these columns are not read, as no field has its name: 'Notes', "
        "'Mitgliedsnummer'; map one to a field with --map SOURCE=FIELD if it holds one"
    ]
    assert [(r["row"], r["status"]) for r in report_rows(tmp_path)] == [
        ("1", "written"), ("2", "written"), ("3", "written"),
    ]  # fmt: skip
    letters = list(written(tmp_path).values())
    assert ["Jürgen Müller" in letters[0], "Grete Weiß" in letters[2]] == [True, True]
    assert not any("rief an" in letter or "#N/A" in letter for letter in letters)


MAP_ERRORS = [
    (["--map", "PLZ"], "Error: Invalid value for '--map': 'PLZ' is not SOURCE=FIELD: give "
     "a column of the file and the field it holds, such as --map PLZ=postcode"),
    (["--map", "PLZ=zip"], "Error: --map: 'PLZ=zip': 'zip' is not a field dsr reads; use "
     "one of kind, jurisdiction, controller, name, address, email, account-email, "
     "profile-url, lang, date, situation, request-date, request-kind, "
     "controller-complaint-date, outcome, enclose, authority, place, reference, also-lang, "
     "street, postcode, city, country, first-name, last-name"),
    (["--map", "Postleitzahl=postcode"], "Error: --map: 'Postleitzahl=postcode': {source} "
     "has no column 'Postleitzahl'; its columns: 'Name', 'Straße', 'PLZ', 'Ort', "
     "'E-Mail', 'Account Email'"),
    (["--map", "Straße=street", "--map", "Ort=street"], "Error: --map: 'Ort=street': "
     "'Straße' is mapped to street already; map one column to each field"),
    (["--map", "E-Mail=account-email"], "Error: --map: 'E-Mail=account-email': {source} "
     "has a column 'Account Email' as well, which gives account-email too: remove one, "
     "or map 'Account Email' to another field"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "expected"), MAP_ERRORS)
def test_a_wrong_map_is_refused_before_anything_is_written(
    tmp_path: Path, options: list[str], expected: str
) -> None:
    content = (
        "Name,Straße,PLZ,Ort,E-Mail,Account Email\n"
        "Erika Muster,Hauptstraße 1,10115,Berlin,em@example.org,em@example.org\n"
    )
    code, output = batch_text(tmp_path, content, OBJECTION_DE, *options)
    assert code == 2, output
    source = tmp_path / "members.csv"
    assert expected.format(source=source) in output.splitlines()
    assert not (tmp_path / "out").exists()


# The address and the name in parts


def check(tmp_path: Path, content: str, **options: Any) -> dict[int, str]:
    """--check's problems of a CSV file, by row."""
    source = tmp_path / "members.csv"
    source.write_text(content, encoding="utf-8")
    defaults = {"kind": "objection", **options}
    found = check_batch(source, today=TODAY, defaults=defaults)
    return {result.row: result.message for result in found.problems}


PARTS = "jurisdiction,first-name,last-name,street,postcode,city,country,address,account-email\n"


def test_the_parts_of_an_address_and_a_name_are_checked(tmp_path: Path) -> None:
    rows = [
        "DE,Erika,Muster,Hauptstraße 1,10115,Berlin,DE,,em@example.org",  # 1: good
        ",Erika,Muster,Hauptstraße 1,10115,Berlin,Deutschland,,em@example.org",  # 2: DE
        ",Erika,Muster,12 Main St,K1A 0B1,Ottawa ON,Canada,,em@example.org",  # 3: CA or QC?
        "DE,Erika,Muster,Hauptstraße 1,,Berlin,,,em@example.org",  # 4: no postcode
        "DE,Erika,,Hauptstraße 1,10115,Berlin,,,em@example.org",  # 5: no last name
        'DE,Erika,Muster,Hauptstraße 1,10115,Berlin,,"Hauptstraße 1, 10115 Berlin",e@x.org',
        "DE,Erika,Muster,Hauptstraße 1,10115,Berlin,Österreich,,em@example.org",  # 7
        "DE,Erika,Muster,Hauptstraße 1,1010,Wien,,,em@example.org",  # 8: no German postcode
        "GB,John,Smith,10 Downing Street,SW1A 2AA,London,United Kingdom,,js@example.org",
    ]
    problems = check(tmp_path, PARTS + "\n".join(rows) + "\n")
    assert problems == {
        3: "jurisdiction: is required: dsr writes for Canada under different laws (CA, "
        "CA-QC); give one",
        4: "postcode: is required",
        5: "last-name: is required",
        6: "address: is given, and so is street, postcode, city: give the address in one "
        "column or in its parts",
        7: "country: 'Österreich' is not the country of the jurisdiction DE; correct one of them",
        8: "address: has no postal code of DE in it (for example 26133)",
    }


def test_hungarian_letters_write_the_family_name_first(run: Any, tmp_path: Path) -> None:
    content = (
        "jurisdiction,lang,first-name,last-name,street,postcode,city,account-email\n"
        "HU,hu,Erika,Nagy,Váci utca 1,1052,Budapest,en@example.org\n"
        "AT,de,Erika,Nagy,Ringstraße 1,1010,Wien,en@example.org\n"
    )
    source = tmp_path / "members.csv"
    source.write_text(content, encoding="utf-8")
    defaults = tmp_path / "defaults.toml"
    defaults.write_text('kind = "objection"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", str(source), "-o", str(out), "--defaults", str(defaults), "--jobs", "1")
    assert result.exit_code == 0, result.output
    hungarian, german = pdfs(out)
    assert hungarian.startswith("Nagy Erika\n")
    assert "Nagy Erika\nBudapest\nVáci utca 1\n1052\n" in hungarian  # as the post writes it
    assert german.startswith("Erika Nagy\nRingstraße 1\n1010 Wien\n")


# Dates


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-12-02", dt.date(2026, 12, 2)),
        ("02.12.2026", dt.date(2026, 12, 2)),
        ("2.12.2026", dt.date(2026, 12, 2)),
        ("25/12/2026", dt.date(2026, 12, 25)),  # no month 25: one reading only
        ("12/25/2026", dt.date(2026, 12, 25)),
        ("05/05/2026", dt.date(2026, 5, 5)),  # both readings the same day
        ("31.02.2026", "'31.02.2026' is not a date; use YYYY-MM-DD"),
        ("02.12.26", "'02.12.26' is not a date; use YYYY-MM-DD"),
        ("01/02/2026", "'01/02/2026' could be 2026-02-01 or 2026-01-02, as countries write "
         "day and month in different orders; write it as 2026-02-01 or 01.02.2026 "
         "(day.month.year)"),
    ],
)  # fmt: skip
def test_dates_as_they_are_typed(typed: str, day: dt.date | str) -> None:
    assert read_day(typed) == day


def test_the_letter_command_reads_a_dotted_date(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    args = letter_args("objection", "DE", "de", out)
    args[args.index("2026-11-22")] = "02.12.2026"
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Berlin, 2. Dezember 2026" in pdf_text(out).replace("\xa0", " ")


def test_dotted_dates_appear_in_the_reminder_letter(tmp_path: Path) -> None:
    content = (
        "name,address,account-email,date,request-date\n"
        'Jürgen Müller,"Hauptstraße 1, 10115 Berlin",jm@example.org,02.12.2026,2.10.2026\n'
    )
    defaults = OBJECTION_DE.replace("objection", "reminder") + 'request-kind = "access"\n'
    code, output = batch_text(tmp_path, content, defaults)
    assert code == 0, output
    [letter] = [text.replace("\xa0", " ") for text in written(tmp_path).values()]
    assert "Erinnerung an meinen Antrag vom 2. Oktober 2026" in letter
    assert "ist am 2. November 2026 abgelaufen" in letter  # one month after the request


def test_an_ambiguous_slashed_date_fails_its_row_only(tmp_path: Path) -> None:
    """Excel's "Unicode Text" (UTF-16, tabs): the row with 01/02/2026 fails, naming the
    column, the value and how to write it; the rows around it are written."""
    content = (
        "name\taddress\taccount-email\tdate\tNotes\n"
        "Jürgen Müller\tHauptstraße 1, 10115 Berlin\tjm@example.org\t02.12.2026\tA\n"
        "Anna Schmidt\tMarktplatz 3, 80331 München\tas@example.org\t01/02/2026\tB\n"
        "Grete Weiß\tLindenallee 5, 50667 Köln\tgw@example.org\t25/12/2026\tC\n"
    ).encode("utf-16")
    code, output = batch_text(tmp_path, content, OBJECTION_DE, name="members.tsv")
    assert code == 2, output
    rows = report_rows(tmp_path)
    assert [(r["row"], r["status"]) for r in rows] == [
        ("1", "written"), ("2", "error"), ("3", "written"),
    ]  # fmt: skip
    assert rows[1]["message"] == (
        "date: '01/02/2026' could be 2026-02-01 or 2026-01-02, as countries write day and "
        "month in different orders; write it as 2026-02-01 or 01.02.2026 (day.month.year)"
    )


# --check


CHECKED = (
    "name,address,account-email,date\n"
    'Jürgen Müller,"Hauptstraße 1, 10115 Berlin",jm@example.org,02.12.2026\n'
    'Anna Schmidt,"Marktplatz 3, 80331 München",not-an-address,2026-12-02\n'
    'Grete Weiß,"Lindenallee 5, 50667 Köln",gw@example.org,\n'
    ",,,\n"
    'Otto Normal,"Ringweg 2, 20095 Hamburg",on@example.org,3.12.2026\n'
    "Ida Klein,Ringweg 2,ik@example.org,01/02/2026\n"
    'Max Groß,"Bergstraße 9, 01069 Dresden",mg@example.org,2026-12-01\n'
)


def checked(run: Any, tmp_path: Path, content: str, *options: str) -> Result:
    source = tmp_path / "members.csv"
    source.write_text(content, encoding="utf-8")
    defaults = tmp_path / "defaults.toml"
    defaults.write_text(OBJECTION_DE, encoding="utf-8")
    result: Result = run("batch", str(source), "--check", "--defaults", str(defaults), *options)
    return result


def test_check_lists_every_problem_and_writes_nothing(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = checked(run, tmp_path, CHECKED, "-o", str(out))
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Error: row 2: account-email: 'not-an-address' is not a valid")
    assert lines[1:] == [
        "Error: row 5: address: has no postal code of DE in it (for example 26133); date: "
        "'01/02/2026' could be 2026-02-01 or 2026-01-02, as countries write day and month "
        "in different orders; write it as 2026-02-01 or 01.02.2026 (day.month.year)",
        "6 rows checked: 4 can be written; 2 rows need fixing",
    ]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["defaults.toml", "members.csv"]


def test_check_of_a_good_file_exits_0_without_an_output_folder(run: Any, tmp_path: Path) -> None:
    good = "\n".join(
        line for line in CHECKED.splitlines() if "not-an" not in line and "01/02" not in line
    )
    result = checked(run, tmp_path, good + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["4 rows checked: 4 can be written; 0 rows need fixing"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["defaults.toml", "members.csv"]


def test_check_uses_the_map_and_names_the_columns_not_read(run: Any, tmp_path: Path) -> None:
    content = (
        'Name,Anschrift,E-Mail,Notiz\nErika Muster,"Hauptstraße 1, 10115 Berlin",em@example.org,x\n'
    )
    result = checked(run, tmp_path, content, "--map", "Anschrift=address", "--map",
                     "E-Mail=account-email")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Warning: this column is not read, as no field has its name: 'Notiz'; map one to a "
        "field with --map SOURCE=FIELD if it holds one",
        "1 row checked: 1 can be written; 0 rows need fixing",
    ]


def test_without_check_the_output_folder_is_required(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text(CHECKED, encoding="utf-8")
    result = run("batch", str(source))
    assert result.exit_code == 2
    assert "Error: Missing option '-o' / '--output' (only --check needs none)." in result.output


# Empty rows


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("members.csv", "name;account-email\r\n;\r\nErika;e@example.org\r\n;;\r\n\r\n;\r\n"),
        ("members.tsv", "name\taccount-email\n\t\nErika\te@example.org\n \t \n"),
        ("members.jsonl", '\n{"name": "Erika", "account-email": "e@example.org"}\n\n  \n'),
    ],
)
def test_empty_rows_are_no_rows(tmp_path: Path, name: str, content: str) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    batch = open_batch_file(source)
    assert batch.count == 1
    assert list(batch.rows()) == [(1, {"name": "Erika", "account-email": "e@example.org"})]
