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

from dsr.batch import _cell, open_batch_file
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
    assert _cell(cell) == text
