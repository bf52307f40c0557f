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

from dsr.batch import (
    DefaultsError,
    check_batch,
    lost_letters,
    open_batch_file,
    padded_postcode,
)
from dsr.inputs import jurisdiction_named, near_jurisdictions, read_day
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
        "DE,Erika,Muster,Hauptstraße 1,A-1010,Wien,,,em@example.org",  # 8: no German postcode
        "GB,John,Smith,10 Downing Street,SW1A 2AA,London,United Kingdom,,js@example.org",
    ]
    problems = check(tmp_path, PARTS + "\n".join(rows) + "\n")
    assert problems == {
        3: "jurisdiction: is required: dsr writes for Canada under different laws (CA, "
        "CA-QC); give one",
        4: "postcode: is required",
        5: "last-name: is required",
        6: "address: is given, and so is street, postcode, city: give the address in one "
        "column or in its parts, not both",
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
        ("02.12.26", "'02.12.26' is not a date; use YYYY-MM-DD or DD.MM.YYYY"),  # L2
        ("2.12.26", "'2.12.26' is not a date; use YYYY-MM-DD or DD.MM.YYYY"),
        ("01/02/2026", "'01/02/2026' could be 2026-02-01 or 2026-01-02, as countries write "
         "day and month in different orders; write the date you mean as year-month-day: "
         "2026-02-01 or 2026-01-02"),
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
        "month in different orders; write the date you mean as year-month-day: 2026-02-01 "
        "or 2026-01-02; give --date-order DMY if the file writes day/month/year"
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
        "in different orders; write the date you mean as year-month-day: 2026-02-01 or "
        "2026-01-02; give --date-order DMY if the file writes day/month/year",
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


def test_an_empty_row_is_no_text_of_the_row_above(tmp_path: Path) -> None:
    """Excel's ";;;" row is not more of the row above: a row ending in a whole code (its
    kind) above one and a bad row below it is written, the bad row fails alone."""
    content = (
        "name;address;account-email;kind\r\n"
        "Erika Muster;Hauptstraße 1, 10115 Berlin;e@example.org;objection\r\n"
        ";;;\r\n"
        "Max Muster;;m@example.org;objection\r\n"
        "Jana Muster;Hauptstraße 2, 10115 Berlin;j@example.org;access\r\n"
    )
    defaults = 'jurisdiction = "DE"\nlang = "de"\ndate = "2026-12-07"\n'
    code, output = batch_text(tmp_path, content, defaults)
    assert code == 2, output
    rows = {row["row"]: row for row in report_rows(tmp_path)}
    assert rows["1"]["status"] == "written", rows["1"]
    assert rows["2"]["status"] == "error"
    assert "address" in rows["2"]["message"]
    assert rows["3"]["status"] == "written", rows["3"]
    letters = written(tmp_path)
    assert sorted(letters) == ["0001-muster-objection-de.txt", "0003-muster-access-de.txt"]


# A surname column and a given-name column not read (issue 17, H3)

SURNAMES = (
    "Name;Vorname;Straße;PLZ;Ort;E-Mail\r\n"
    "Mustermann;Erika;Hauptstraße 1;10115;Berlin;em@example.org\r\n"
    "Schmidt;Anna;Marktplatz 3;80331;München;as@example.org\r\n"
    "Jürgen Weiß;Jürgen;Lindenallee 5;50667;Köln;jw@example.org\r\n"
)
SURNAME_MAP = ["--map", "Straße=street", "--map", "PLZ=postcode", "--map", "Ort=city",
               "--map", "E-Mail=account-email"]  # fmt: skip
ONE_WORD = (
    "Warning: the names of 2 of 3 rows are one word (row 1: 'Mustermann'), and a letter "
    "is signed with the name as given; if another column holds the given names, map both: "
    "--map Vorname=first-name --map Name=last-name"
)


def test_one_word_names_beside_an_unread_given_name_column_are_warned_of(
    run: Any, tmp_path: Path
) -> None:
    """A German list's "Name" is the surname: with its "Vorname" not read, the warning
    names the mapping that reads both, in --check and in the run; the rows are written
    (a member may have one name only)."""
    result = checked(run, tmp_path, SURNAMES, *SURNAME_MAP)
    assert result.exit_code == 0, result.output
    assert warnings(result.output) == [
        "Warning: this column is not read, as no field has its name: 'Vorname'; map one to "
        "a field with --map SOURCE=FIELD if it holds one",
        ONE_WORD,
    ]
    code, output = batch_text(tmp_path, SURNAMES, OBJECTION_DE, *SURNAME_MAP)
    assert code == 0, output
    assert ONE_WORD in warnings(output)
    code, output = batch_text(
        tmp_path, SURNAMES.replace("Name;", "Familienname;", 1), OBJECTION_DE,
        "--map", "Vorname=first-name", "--map", "Familienname=last-name", *SURNAME_MAP[:6],
        "--map", "E-Mail=account-email", "--force",
    )  # fmt: skip
    assert code == 0, output
    assert warnings(output) == []
    assert "Erika Mustermann" in written(tmp_path)["0001-mustermann-objection-de.txt"]


def test_one_word_names_with_no_unread_column_give_no_warning(run: Any, tmp_path: Path) -> None:
    content = (
        "\r\n".join(
            line.split(";", 2)[0] + ";" + line.split(";", 2)[2]
            for line in SURNAMES.split("\r\n")
            if line
        )
        + "\r\n"
    )
    result = checked(run, tmp_path, content, *SURNAME_MAP)
    assert result.exit_code == 0, result.output
    assert warnings(result.output) == []


# A failed row's member in report.csv (issue 17, M2)


def test_a_failed_row_names_its_member_in_the_report(tmp_path: Path) -> None:
    """The name as the row gives it (after --map), for a row that fails, and for the row
    above it that is held back (its last cell may have been cut by a line break)."""
    header = "Vorname;Nachname;Straße;PLZ;Ort;E-Mail\r\n"
    erika = "Erika;Mustermann;Hauptstraße 1;10115;Berlin;em@example.org\r\n"
    juergen = "Jürgen;Schäfer;;10115;Berlin;js@example.org\r\n"
    options = ["--map", "Vorname=first-name", "--map", "Nachname=last-name", *SURNAME_MAP]
    code, output = batch_text(tmp_path, header + juergen + erika, OBJECTION_DE, *options)
    assert code == 2, output
    rows = report_rows(tmp_path)
    assert [(r["row"], r["status"], r["name"]) for r in rows] == [
        ("1", "error", "Jürgen Schäfer"), ("2", "written", "Erika Mustermann"),
    ]  # fmt: skip
    assert rows[0]["message"] == "street: is required"
    code, output = batch_text(tmp_path, header + erika + juergen, OBJECTION_DE, *options,
                              "--force")  # fmt: skip
    assert code == 2, output
    rows = report_rows(tmp_path)
    assert [(r["row"], r["status"], r["name"]) for r in rows] == [
        ("1", "error", "Erika Mustermann"), ("2", "error", "Jürgen Schäfer"),
    ]  # fmt: skip
    assert rows[0]["message"].startswith("not written yet: the next row, row 2")


# Letters lost to a file's encoding (issue 17, H1)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"last-name": "Y?lmaz"}, "last-name"),
        ({"name": "??????? ????????????"}, "name"),
        ({"name": "Erika Muster?"}, "name"),
        ({"city": "Gda?sk"}, "city"),
        ({"street": "ul. ? 5"}, "street"),  # a letter alone, lost
        ({"address": "Hauptstraße 1, ?, 10115 Berlin"}, "address"),
        ({"name": "Erika Muster", "street": "Hauptstraße 1", "city": "Berlin"}, None),
        ({"address": "Hauptstraße 1 (Hinterhaus?)"}, "address"),
        ({"situation": "Why? I never agreed."}, None),  # not a name nor an address
    ],
)
def test_a_question_mark_for_a_lost_letter_is_the_rows_problem(
    values: dict[str, str], field: str | None
) -> None:
    found = lost_letters(values)
    assert [p.field for p in found] == ([field] if field else [])
    if found:
        assert 'save it as "CSV UTF-8" (or .xlsx) and run again' in found[0].message


# Countries and regions as members' lists write them (issue 17, M4)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("UK", "GB"), ("Great Britain", "GB"), ("Großbritannien", "GB"), ("England", "GB"),
        ("Vereinigtes Königreich", "GB"), ("Hong Kong", "HK"), ("Hongkong", "HK"),
        ("Hongkong SAR", "HK"), ("Québec", "CA-QC"), ("Quebec", "CA-QC"),
        ("Québec (Kanada)", "CA-QC"), ("Quebec, Canada", "CA-QC"), ("Kanada", "CA"),
        ("Bayern", "DE-BY"), ("Frankreich", "FR"), ("de_by", "DE-BY"),
    ],
)  # fmt: skip
def test_places_are_known_by_the_names_members_write(typed: str, code: str) -> None:
    assert jurisdiction_named(typed) == (code, None)


def test_a_region_is_never_taken_for_another_countrys_law() -> None:
    """A region dsr has no law of its own for is named with its country's jurisdictions
    only; a suggestion names a region's place, not its code twice."""
    assert jurisdiction_named("Ontario") == (
        None, "'Ontario' is a region of Canada; dsr writes for CA, CA-QC there: give one"
    )  # fmt: skip
    assert jurisdiction_named("Tirol") == (
        None, "'Tirol' is a region of Austria; dsr writes for AT there: give one"
    )  # fmt: skip
    assert "Quebec (CA-QC)" in near_jurisdictions("Quebek")
    assert not any("DE-BE (DE-BE)" == place for place in near_jurisdictions("Berlinn"))


def test_a_country_column_naming_quebec_writes_under_its_law(tmp_path: Path) -> None:
    rows = [
        ",Ann,Example,1 Main St,H3Z 2Y7,Montréal QC,Québec,,ae@example.org",
        ',Ann,Example,1 Main St,H3Z 2Y7,Montréal QC,"Québec (Kanada)",,ae@example.org',
        ",Erika,Muster,Hauptstraße 1,80331,München,Bayern,,em@example.org",
        ",John,Smith,10 Downing Street,SW1A 2AA,London,UK,,js@example.org",
        ",Ann,Example,1 Main St,K1A 0B1,Ottawa ON,Ontario,,ae@example.org",
    ]
    problems = check(tmp_path, PARTS + "\n".join(rows) + "\n")
    assert problems == {
        5: "country: 'Ontario' is a region of Canada; dsr writes for CA, CA-QC there: give one"
    }


# A postcode a number cell cut short (issue 17, M6)


@pytest.mark.parametrize(
    ("typed", "country", "postcode", "cut"),
    [
        ("1067", "DE", "01067", False), ("144", "IT", "00144", False),
        ("1000", "FR", "01000", False), ("10115", "DE", "10115", False),
        ("67", "DE", "67", True),  # three zeros: no postcode lost only its zeros
        ("123", "AT", "123", True),  # no Austrian postcode begins with 0
        ("1234567", "DE", "1234567", False),  # too long: the address says so
        ("SW1A 2AA", "GB", "SW1A 2AA", False),
    ],
)  # fmt: skip
def test_a_postcode_that_lost_its_leading_zeros(
    typed: str, country: str, postcode: str, cut: bool
) -> None:
    found, problem = padded_postcode(typed, country)
    assert found == postcode
    assert (problem is not None) == cut
    if problem:
        assert "lost its leading zeros; format the column as text" in problem


# A report.csv saved again in a spreadsheet program (issue 17, M9)


def test_a_report_changed_since_dsr_wrote_it_is_named_so(tmp_path: Path) -> None:
    content = "name;address;account-email\r\nErika Muster;Hauptstraße 1, 10115 Berlin;e@x.org\r\n"
    code, output = batch_text(tmp_path, content, OBJECTION_DE)
    assert code == 0, output
    report = tmp_path / "out" / "report.csv"
    report.write_bytes(report.read_bytes().replace(b"\r\n", b"\n"))  # saved again
    code, output = batch_text(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    assert (
        f"Error: {report} was changed since dsr batch wrote it (opened and saved in a "
        "spreadsheet program?); use --force to replace it, or choose another folder"
    ) in output.splitlines()
    code, output = batch_text(tmp_path, content, OBJECTION_DE, "--force")
    assert code == 0, output


# A country and its region in one cell, and places dsr does not write for (round 2, N3)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Canada (Québec)", "CA-QC"), ("Kanada (Québec)", "CA-QC"), ("Canada, Québec", "CA-QC"),
        ("CA (Québec)", "CA-QC"), ("Kanada/Québec", "CA-QC"), ("Canada - Québec", "CA-QC"),
        ("Québec \u2013 Canada", "CA-QC"), ("USA, California", "US-CA"), ("California (USA)", "US-CA"),
        ("Bavaria", "DE-BY"), ("Bavière", "DE-BY"), ("Kalifornien", "US-CA"),
        ("Baden-Württemberg", "DE-BW"),
    ],
)  # fmt: skip
def test_a_country_and_its_region_give_the_regions_law(typed: str, code: str) -> None:
    assert jurisdiction_named(typed) == (code, None)


@pytest.mark.parametrize(
    "typed", ["Jersey", "Guernsey", "Isle of Man", "Grönland", "Nordmazedonien"]
)
def test_a_place_dsr_does_not_write_for_is_never_taken_for_another(typed: str) -> None:
    """Round 2, M4: "Jersey" suggested Ireland's law, "Guernsey" Germany's."""
    assert jurisdiction_named(typed) == (
        None, f"dsr writes no letters for {typed}; run 'list jurisdictions' for the codes"
    )  # fmt: skip


def test_a_country_cell_naming_quebec_after_canada_writes_under_quebecs_law(
    tmp_path: Path,
) -> None:
    rows = [
        ',Ann,Example,1 Main St,H3Z 2Y7,Montréal QC,"Canada (Québec)",,ae@example.org',
        ',Ann,Example,1 Main St,H3Z 2Y7,Montréal QC,"Canada, Québec",,ae@example.org',
    ]
    source = tmp_path / "members.csv"
    source.write_text(PARTS + "\n".join(rows) + "\n", encoding="utf-8")
    code, output = batch_text(tmp_path, source.read_bytes(), 'kind = "objection"\n')
    assert code == 0, output
    assert [row["jurisdiction"] for row in report_rows(tmp_path)] == ["CA-QC", "CA-QC"]


# Dates as Excel writes them in most of Europe: 07/12/2026 (round 2, N4)

FRENCH_EXCEL = (
    "Type;Pays;Prénom;Nom;Adresse;Code postal;Ville;Courriel;Date\r\n"
    "objection;France;Hélène;Lefèvre;3 rue des Frères Lumière;69008;Lyon;h@example.org;"
    "07/12/2026\r\n"
    "objection;France;Camille;Martin;12 rue de la Paix;75002;Paris;c@example.org;08/12/2026\r\n"
)
FRENCH_MAP = [
    "--map", "Type=kind", "--map", "Pays=country", "--map", "Prénom=first-name",
    "--map", "Nom=last-name", "--map", "Adresse=street", "--map", "Code postal=postcode",
    "--map", "Ville=city", "--map", "Courriel=account-email",
]  # fmt: skip


def test_slashed_dates_are_read_in_the_order_given(run: Any, tmp_path: Path) -> None:
    """A French Excel's CSV writes 07/12/2026: with --date-order DMY (any case) it is
    7 December 2026 in the letter; without it, the row says to give it."""
    source = tmp_path / "adherents.csv"
    source.write_bytes(FRENCH_EXCEL.encode("cp1252"))
    out = tmp_path / "out"
    result = run("batch", str(source), "-o", str(out), *FRENCH_MAP, "--date-order", "dmy")
    assert result.exit_code == 0, result.output
    texts = pdfs(out)
    assert len(texts) == 2
    assert "Lyon, le 7 décembre 2026" in texts[0]
    assert "Paris, le 8 décembre 2026" in texts[1]
    result = run("batch", str(source), "-o", str(tmp_path / "none"), *FRENCH_MAP)
    assert result.exit_code == 2
    assert (
        "Error: row 1: date: '07/12/2026' could be 2026-12-07 or 2026-07-12, as countries "
        "write day and month in different orders; write the date you mean as year-month-day: "
        "2026-12-07 or 2026-07-12; give --date-order DMY if the file writes day/month/year"
    ) in result.output
    assert not list((tmp_path / "none").glob("*.pdf"))


def test_the_date_order_reads_every_date_column_and_the_defaults(tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text(
        "name,address,account-email,date\n"
        'Erika Muster,"Hauptstraße 1, 10115 Berlin",em@example.org,12/07/2026\n'
        'Max Muster,"Hauptstraße 2, 10115 Berlin",mm@example.org,\n'
        'Eva Muster,"Hauptstraße 3, 10115 Berlin",ev@example.org,07/13/2026\n',
        encoding="utf-8",
    )
    defaults = {"kind": "objection", "jurisdiction": "DE", "date": "06/11/2026"}
    found = check_batch(source, today=TODAY, defaults=defaults, date_order="MDY")
    assert [(r.row, r.message) for r in found.problems] == []
    found = check_batch(source, today=TODAY, defaults=defaults, date_order="DMY")
    assert [(r.row, r.message) for r in found.problems] == [
        (3, "date: '07/13/2026' is not a date written DMY (date_order=DMY); write it as "
            "YYYY-MM-DD")
    ]  # fmt: skip
    closed = {"kind": "objection", "jurisdiction": "DE", "date": "31/11/2026"}
    with pytest.raises(DefaultsError) as refused:
        check_batch(source, today=TODAY, defaults=closed, date_order="DMY")
    assert [p.field for p in refused.value.problems] == ["date"]


def test_a_file_writing_dates_in_both_orders_is_refused(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text(
        "name,address,account-email,date\n"
        'Erika Muster,"Hauptstraße 1, 10115 Berlin",em@example.org,13/01/2026\n'
        'Max Muster,"Hauptstraße 2, 10115 Berlin",mm@example.org,01/13/2026\n',
        encoding="utf-8",
    )
    defaults = tmp_path / "defaults.toml"
    defaults.write_text('kind = "objection"\njurisdiction = "DE"\n', encoding="utf-8")
    result = run("batch", str(source), "--check", "--defaults", str(defaults))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {source}: its dates are written in two orders: row 1 writes '13/01/2026' "
        "(day/month/year) and row 2 '01/13/2026' (month/day/year), so which the others are "
        "cannot be told; write them all in one order and give --date-order DMY or MDY, or "
        "write them as YYYY-MM-DD\n"
    )
    result = run(
        "batch", str(source), "--check", "--defaults", str(defaults), "--date-order", "MDY"
    )
    assert result.exit_code == 2
    assert "row 1: date: '13/01/2026' is not a date written MDY (--date-order MDY)" in result.output
