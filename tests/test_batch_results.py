"""What a campaign's run leaves to read (issue 17): report.csv's columns, summary.csv,
the closing sentence and exit code, and file names that keep members' names readable."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from click.testing import CliRunner

import dsr.cli
from dsr.batch import STATE_FILE, output_name, sheet_safe
from dsr.cli import main
from dsr.inputs import parse_request

OLD_COLUMNS = ["row", "status", "file", "message", "annexes"]
LETTER_COLUMNS = [
    "name", "company", "kind", "jurisdiction", "language", "recipient-address",
    "recipient-email", "deadline", "deadline-kind",
]  # fmt: skip
HEADER = ["kind", "jurisdiction", "name", "address", "account_email", "lang", "date",
          "request_date", "request_kind"]  # fmt: skip
OBJECTION = ["objection", "DE", "Søren Østergaard", "Hauptstraße 1, 10115 Berlin",
             "soren@example.org", "de", "2026-12-01", "", ""]  # fmt: skip
COMPLAINT = ["complaint", "PL", "Anna Kowalska", "ul. Prosta 1, 00-850 Warszawa",
             "anna@example.org", "", "2026-12-01", "2026-09-01", "objection"]  # fmt: skip
ACKNOWLEDGED = ["controller-complaint", "GB", "John Smith", "10 Downing Street, London SW1A 2AA",
                "john@example.org", "en", "2026-12-01", "2026-09-01", "access"]  # fmt: skip
SWISS = ["access", "CH", "Jürgen Weiß", "Bahnhofstrasse 1, 8001 Zürich", "j@example.org",
         "de", "", "", ""]  # fmt: skip
BAD = ["objection", "XX", "Bad Row", "x", "not-an-email", "de", "", "", ""]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def batch(source: Path, out: Path, *more: str) -> tuple[int, str]:
    return invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1", *more)


# report.csv -------------------------------------------------------------------------------


def test_the_report_says_who_writes_to_whom_and_the_date_to_note(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "members.csv", [OBJECTION, COMPLAINT, ACKNOWLEDGED, BAD])
    out = tmp_path / "out"
    code, output = batch(source, out)
    assert code == 2, output
    assert header(out / "report.csv") == OLD_COLUMNS + LETTER_COLUMNS  # old readers still work
    objection, complaint, acknowledged, bad = table(out / "report.csv")

    assert objection["status"] == "written"
    assert objection["name"] == "Søren Østergaard"  # as typed: the file name is Latin
    assert objection["company"] == "LinkedIn Ireland Unlimited Company"
    assert (objection["kind"], objection["jurisdiction"], objection["language"]) == (
        "objection", "DE", "de",
    )  # fmt: skip
    assert objection["recipient-address"] == "Wilton Plaza, Wilton Place, Dublin 2, IRLAND"
    assert objection["recipient-email"] == ""  # LinkedIn takes objections by form or post
    assert objection["deadline-kind"] == "reply-due"
    deadline = date.fromisoformat(objection["deadline"])
    letter = " ".join((out / objection["file"]).read_text("utf-8").split())
    assert f"bis zum {format_date(deadline, 'long', locale='de')}" in letter  # as it says

    # A complaint goes to the authority: it is the "company" the letter is addressed to.
    assert complaint["company"] == "Prezes Urzędu Ochrony Danych Osobowych"
    assert complaint["language"] == "pl"  # the authority's
    assert complaint["recipient-address"] == "ul. Stawki 2, 00-193 Warszawa"  # same country
    assert complaint["recipient-email"] == "kancelaria@uodo.gov.pl"
    # No date to note: the letter asks the authority for none (it informs the member on
    # its own terms, Art. 77(2) GDPR), and neither does its cover (lawyer's review M1).
    assert complaint["deadline"] == ""
    assert complaint["deadline-kind"] == ""

    assert acknowledged["deadline-kind"] == "acknowledgement-due"  # UK s.164A
    assert acknowledged["recipient-address"].endswith(", UNITED STATES")
    assert date.fromisoformat(acknowledged["deadline"]) > date(2026, 12, 1)

    # Its request could not be read: the name as the row gives it (to find the member),
    # nothing else said of it.
    assert bad["status"] == "error"
    assert bad["name"] == "Bad Row"
    assert [bad[column] for column in LETTER_COLUMNS if column != "name"] == [""] * (
        len(LETTER_COLUMNS) - 1
    )


def test_a_failed_row_whose_request_was_read_names_the_member_kind_and_company(
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "members.csv", [OBJECTION, SWISS])
    out = tmp_path / "out"
    out.mkdir()
    (out / "0001-ostergaard-objection-de.txt").write_text("someone else's", encoding="utf-8")
    code, output = batch(source, out)
    assert code == 2, output
    foreign, written = table(out / "report.csv")
    assert foreign["status"] == "error"
    assert "this batch did not write" in foreign["message"]
    assert foreign["name"] == "Søren Østergaard"
    assert foreign["kind"] == "objection"
    assert foreign["company"] == "LinkedIn Ireland Unlimited Company"
    assert foreign["deadline"] == ""  # no letter was written: no date to note
    assert written["status"] == "written"
    assert written["language"] == "de-CH"


@pytest.mark.parametrize(
    "name", ["=cmd|' /C calc'!A0 Doe", "=HYPERLINK(evil) Doe", "+1 Doe", "-Anna Doe"]
)
def test_a_name_that_looks_like_a_formula_stays_text_in_a_spreadsheet(
    tmp_path: Path, name: str
) -> None:
    row = [*OBJECTION]
    row[2] = name
    source = write_csv(tmp_path / "members.csv", [row, BAD])
    out = tmp_path / "out"
    code, output = batch(source, out)
    assert code == 2, output
    written = table(out / "report.csv")[0]
    assert written["status"] == "written"
    assert written["name"] == f"'{name}"  # OWASP: a leading quote keeps it text
    assert name in (out / written["file"]).read_text("utf-8")  # the letter has it as typed
    for path in (out / "report.csv", out / "summary.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            cells = [cell for line in csv.reader(handle) for cell in line]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], path


@pytest.mark.parametrize("text", ["=1+2", "+49 30", "-x", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_quoted(text: str) -> None:
    assert sheet_safe(text) == f"'{text}"
    assert sheet_safe(f"Anna {text}") == f"Anna {text}"  # only a cell's start counts


def test_unchanged_rows_report_the_letter_as_it_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_csv(tmp_path / "members.csv", [OBJECTION, SWISS])  # SWISS has no date
    out = tmp_path / "out"
    monkeypatch.setattr(dsr.cli, "today", lambda: date(2026, 12, 1))
    assert batch(source, out)[0] == 0
    first = table(out / "report.csv")
    monkeypatch.setattr(dsr.cli, "today", lambda: date(2026, 12, 20))  # a later day
    code, output = batch(source, out)
    assert code == 0, output
    again = table(out / "report.csv")
    assert [r["status"] for r in again] == ["unchanged", "unchanged"]
    for before, after in zip(first, again, strict=True):
        assert [after[c] for c in LETTER_COLUMNS] == [before[c] for c in LETTER_COLUMNS]
    # The Swiss letter is dated 1 December: its deadline is that letter's, not today's.
    swiss = (out / again[1]["file"]).read_text("utf-8")
    deadline = date.fromisoformat(again[1]["deadline"])
    assert format_date(deadline, "long", locale="de_CH") in " ".join(swiss.split())

    # A folder an earlier dsr wrote: its state file records no letter's facts. They
    # are composed again; a deadline only where the row gives the letter's date.
    state = out / STATE_FILE
    records = [json.loads(line) for line in state.read_text("utf-8").splitlines()]
    state.write_text(
        "".join(json.dumps({k: v for k, v in r.items() if k != "letter"}) + "\n" for r in records),
        encoding="utf-8",
    )
    code, output = batch(source, out)
    assert code == 0, output
    legacy = table(out / "report.csv")
    assert [legacy[0][c] for c in LETTER_COLUMNS] == [first[0][c] for c in LETTER_COLUMNS]
    assert legacy[1]["name"] == "Jürgen Weiß"
    assert legacy[1]["company"] == first[1]["company"]
    assert (legacy[1]["deadline"], legacy[1]["deadline-kind"]) == ("", "")  # not guessed


def test_a_report_of_an_earlier_version_still_marks_the_folder_as_dsr_batchs(
    tmp_path: Path,
) -> None:
    from dsr.batch import REPORT_HEADERS

    assert "row,status,file,message" in REPORT_HEADERS
    assert "row,status,file,message,annexes" in REPORT_HEADERS
    source = write_csv(tmp_path / "members.csv", [OBJECTION])
    out = tmp_path / "out"
    assert batch(source, out)[0] == 0
    first_line = (out / "report.csv").read_text("utf-8").splitlines()[0]
    assert first_line in REPORT_HEADERS  # the new header too


# summary.csv ------------------------------------------------------------------------------


def test_the_summary_counts_letters_per_kind_jurisdiction_and_language(tmp_path: Path) -> None:
    rows = [OBJECTION, COMPLAINT, BAD, SWISS, [*OBJECTION[:2], "Erika Muster", *OBJECTION[3:]]]
    source = write_csv(tmp_path / "members.csv", rows)
    out = tmp_path / "out"
    code, output = batch(source, out, "--zip")
    assert code == 2, output
    assert header(out / "summary.csv") == ["group", "value", "count", "message"]
    summary = table(out / "summary.csv")
    counted = {(r["group"], r["value"]): r["count"] for r in summary if r["group"] != "failed"}
    assert counted == {
        ("rows", "written"): "4",
        ("rows", "unchanged"): "0",
        ("rows", "error"): "1",
        ("rows", "pending"): "0",
        ("kind", "objection"): "2",
        ("kind", "access"): "1",
        ("kind", "complaint"): "1",
        ("jurisdiction", "DE"): "2",
        ("jurisdiction", "CH"): "1",
        ("jurisdiction", "PL"): "1",
        ("language", "de"): "2",
        ("language", "de-CH"): "1",
        ("language", "pl"): "1",
    }
    kinds = [r["value"] for r in summary if r["group"] == "kind"]
    assert kinds == ["objection", "access", "complaint"]  # most first, then by name
    report = table(out / "report.csv")
    failed = [(r["value"], r["count"], r["message"]) for r in summary if r["group"] == "failed"]
    assert failed == [("3", "", report[2]["message"])]
    assert "jurisdiction: 'XX' is not a jurisdiction dsr knows" in failed[0][2]
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert "summary.csv" in archive.namelist()
        assert archive.read("summary.csv") == (out / "summary.csv").read_bytes()


def test_a_summary_csv_dsr_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "members.csv", [OBJECTION])
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("my own notes\n", encoding="utf-8")
    code, output = batch(source, out)
    assert code == 2
    assert output.startswith(f"Error: {out / 'summary.csv'} exists and was not written by dsr")
    assert (out / "summary.csv").read_text("utf-8") == "my own notes\n"
    assert not list(out.glob("*.txt"))
    code, output = batch(source, out, "--force")
    assert code == 0, output
    assert header(out / "summary.csv") == ["group", "value", "count", "message"]
    # Its own summary is replaced by the next run without --force.
    (out / "0001-ostergaard-objection-de.txt").unlink()
    code, output = batch(source, out)
    assert code == 0, output
    assert {"group": "rows", "value": "written", "count": "1", "message": ""} in table(
        out / "summary.csv"
    )


# What the command says, and its exit code ----------------------------------------------


def test_the_run_ends_with_one_sentence_saying_what_happened(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "members.csv", [OBJECTION, COMPLAINT, SWISS])
    out = tmp_path / "out"
    code, output = batch(source, out)
    assert code == 0, output
    lines = output.splitlines()
    assert lines == [
        "Kinds: 1 access, 1 complaint, 1 objection",
        "Jurisdictions: 1 CH, 1 DE, 1 PL",
        "Languages: 1 de, 1 de-CH, 1 pl",
        f"Summary in {out / 'summary.csv'}",
        f"3 of 3 letters written to {out}",
    ]
    write_csv(source, [OBJECTION, COMPLAINT, SWISS, BAD])  # a row added, a bad one
    code, output = batch(source, out)
    assert code == 2
    assert output.splitlines()[-1] == (
        f"3 of 4 letters written to {out} (3 unchanged from an earlier run); "
        f"1 row needs fixing (see {out / 'report.csv'})"
    )


def test_many_values_are_summed_up_on_one_line(tmp_path: Path) -> None:
    cities = {"DE": "10115 Berlin", "AT": "1010 Wien", "FR": "75002 Paris", "IT": "00184 Roma",
              "ES": "28013 Madrid", "NL": "1012 AB Amsterdam", "BE": "1000 Bruxelles",
              "PL": "00-850 Warszawa"}  # fmt: skip
    rows = [
        ["access", code, f"M{n} Doe", f"Street 1, {city}", f"m{n}@example.org", "", "", "", ""]
        for n, (code, city) in enumerate(cities.items())
    ]
    source = write_csv(tmp_path / "members.csv", rows)
    code, output = batch(source, tmp_path / "out")
    assert code == 0, output
    line = next(line for line in output.splitlines() if line.startswith("Jurisdictions: "))
    assert (
        line == "Jurisdictions: 1 AT, 1 BE, 1 DE, 1 ES, 1 FR, 1 IT and 2 in 2 other jurisdictions"
    )


# File names -------------------------------------------------------------------------------

BASE = {"kind": "objection", "jurisdiction": "DE", "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "x@example.org", "lang": "de"}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "surname"),
    [
        ("Søren Østergaard", "ostergaard"),
        ("Jürgen Weiß-Hofer", "weiss-hofer"),
        ("Ayşe Y\u0131lmaz", "yilmaz"),  # a dotless i
        ("Ali Şahin", "sahin"),
        ("Νίκος Παπαδόπουλος", "papadopoylos"),
        ("Иван Петров", "petrov"),
        ("山田太郎", "shantiantailang"),
        ("Nguyễn Văn An", "an"),
        ("Seán O'Brien", "o-brien"),
        ("Anna 😀", "member"),  # no letters: a symbol is not spelt out ("grinning")
        ("Zoë O'Neill-Ó", "o-neill-o"),
    ],
)
def test_file_names_keep_the_members_name_in_latin_letters(name: str, surname: str) -> None:
    request = parse_request({**BASE, "name": name}, today=date(2026, 12, 1))
    assert output_name(7, request, "pdf") == f"0007-{surname}-objection-de.pdf"


def test_file_names_are_short_and_safe_on_every_file_system() -> None:
    long = "Maria Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"
    request = parse_request({**BASE, "name": long, "lang": "de-CH"}, today=date(2026, 12, 1))
    name = output_name(12, request, "pdf")
    assert re.fullmatch(r"[a-z0-9-]+\.pdf", name)
    assert name.startswith("0012-wolfeschlegelsteinhausenbergerdorffvoral-")
    assert name.endswith("-objection-de-ch.pdf")  # the language as [a-z0-9-] too
    assert len(name) <= 80


def test_file_names_sort_in_row_order_past_row_9999(tmp_path: Path) -> None:
    request = parse_request({**BASE, "name": "Ana Ñúñez"}, today=date(2026, 12, 1))
    numbers = [1, 2, 9, 10, 999, 9_999, 10_000, 10_001, 99_999]
    names = [output_name(n, request, "txt", width=5) for n in numbers]
    assert names == sorted(names)
    assert names[-1] == "99999-nunez-objection-de.txt"
    # A real batch of 10,001 rows, all but the last two blank (skipped, as empty rows are)
    lines = [json.dumps({**BASE, "name": f"Zoë Ørsted{n}"}) for n in range(1, 10_002)]
    lines[:-2] = ["{}"] * (len(lines) - 2)
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1")
    assert sorted(p.name for p in out.glob("*.txt")) == [
        "10000-orsted10000-objection-de.txt",
        "10001-orsted10001-objection-de.txt",
    ]


def test_a_folder_holding_only_the_new_report_is_known_as_dsr_batchs(tmp_path: Path) -> None:
    """The longer header is read whole: no row encloses a file from such a folder."""
    import pikepdf

    letters = tmp_path / "letters"
    assert batch(write_csv(tmp_path / "members.csv", [OBJECTION]), letters)[0] == 0
    (letters / STATE_FILE).unlink()  # only report.csv says whose folder it is
    with pikepdf.new() as annex:
        annex.add_blank_page()
        annex.save(letters / "consent.pdf")
    member = dict(zip(HEADER, COMPLAINT, strict=True))
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps({**member, "enclose": "letters/consent.pdf"}) + "\n", "utf-8")
    code, output = batch(source, tmp_path / "out")
    assert code == 2, output
    assert "(it holds report.csv, dsr batch's report)" in output.splitlines()[0]
