"""Attack review 11b, findings 2, 3, 8 and 11: what a batch row encloses, and where from."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dsr import pdf, typeset
from dsr.batch import _render_group
from dsr.cli import main
from dsr.composition import compose
from dsr.inputs import parse_request
from dsr.render import render_html
from tests.conftest import ROOT
from tests.test_attack_9 import COMPLAINT, annex_pdf

ALICE = [
    "--kind", "objection", "--jurisdiction", "DE", "--name", "Alice A",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "alice@example.org",
    "--date", "2026-11-22",
]  # fmt: skip
BOB = {
    "kind": "objection",
    "jurisdiction": "DE",
    "name": "Bob B",
    "address": "Hauptstraße 2, 10115 Berlin",
    "account-email": "bob@example.org",
    "date": "2026-11-22",
}
DSR_LETTER = "a letter dsr wrote (its PDF names dsr as its creator), which may be another member's"
NO_LETTER = "a letter dsr wrote cannot be enclosed in a batch row, and neither can a copy of it"
ONE_BY_ONE = "one member at a time: dsr letter ... --enclose FILE.pdf"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def marked_pdf(path: Path, text: str = "ALICE") -> Path:
    """A one-page PDF whose document information names dsr as its creator."""
    annex_pdf(path, text)
    with pikepdf.open(path, allow_overwriting_input=True) as document:
        document.docinfo["/Creator"] = "dsr"
        document.save(path)
    return path


def rows_file(path: Path, *rows: dict[str, object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def report_rows(out: Path) -> list[dict[str, str]]:
    with (out / "report.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# 2 (HIGH): a row enclosed another member's letter that `dsr letter` wrote, untracked.


def letter_html_without_generator() -> str:
    """A letter's HTML without ``<meta name="generator">``, as a user's template may write it."""
    request = parse_request(
        {key.lstrip("-"): value for key, value in zip(ALICE[::2], ALICE[1::2], strict=True)},
        today=date(2026, 11, 22),
    )
    document = render_html(compose(request))
    assert '<meta name="generator" content="dsr">' in document
    return document.replace('<meta name="generator" content="dsr">', "")


@pytest.mark.parametrize("engine", ["typst", "weasyprint", "weasyprint-batch"])
def test_2_every_pdf_dsr_makes_names_dsr_as_its_creator(engine: str) -> None:
    document = letter_html_without_generator()
    if engine == "typst":
        data = typeset.letter_pdf(document)
    elif engine == "weasyprint":
        data, _ = pdf.html_to_pdf(document)
    else:  # dsr batch --engine weasyprint: laid out, written together, split
        data = pdf.write_separately([pdf.layout(document)[0]])[0]
    info = PdfReader(io.BytesIO(data)).metadata
    assert info is not None
    assert info["/Creator"] == "dsr"
    assert pdf.made_by_dsr(data)


def test_2_a_row_never_encloses_a_letter_dsr_letter_wrote_nor_a_copy(tmp_path: Path) -> None:
    alice = tmp_path / "single" / "alice.pdf"
    code, output = invoke("letter", *ALICE, "-o", str(alice))  # no --track
    assert code == 0, output
    shutil.copy(alice, tmp_path / "alice-copy.pdf")
    source = rows_file(
        tmp_path / "rows6.jsonl",
        {**COMPLAINT, "enclose": "single/alice.pdf"},
        {**COMPLAINT, "enclose": "alice-copy.pdf"},
    )
    out = tmp_path / "m6"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1")
    assert code == 2, output
    for row, name in ((1, "single/alice.pdf"), (2, "alice-copy.pdf")):
        assert f"Error: row {row}: enclose: {name}: {DSR_LETTER} letter: {NO_LETTER}" in output
    assert ONE_BY_ONE in output
    assert not list(out.glob("000*"))


def test_2_a_letter_dsr_wrote_is_refused_in_the_defaults(tmp_path: Path) -> None:
    marked_pdf(tmp_path / "alice.pdf")
    defaults = tmp_path / "defaults.toml"
    defaults.write_text('enclose = ["alice.pdf"]\n', encoding="utf-8")
    source = rows_file(tmp_path / "rows.jsonl", COMPLAINT)
    out = tmp_path / "out"
    code, output = invoke(
        "batch", str(source), "-o", str(out), "--defaults", str(defaults), "--format", "txt"
    )
    assert code == 2, output
    assert f"Error: --defaults: enclose: alice.pdf: {DSR_LETTER}" in output
    assert not out.exists()


def test_2_the_mark_is_checked_again_as_the_worker_reads_the_annex(tmp_path: Path) -> None:
    """The annex was a plain PDF at validation; before the worker reads it, its content
    is replaced by a letter dsr wrote (a new file under the same name)."""
    consent = annex_pdf(tmp_path / "docs" / "consent.pdf", "MINE")
    request = parse_request(
        {**COMPLAINT, "enclose": [str(consent.resolve())]}, today=date(2026, 11, 22)
    )
    os.replace(marked_pdf(tmp_path / "alice.pdf"), consent)
    out = tmp_path / "out"
    out.mkdir()
    done = _render_group([(1, request, "0001-m-complaint-de.pdf", "x")], str(out))
    assert done[0][4].startswith(f"enclose: {consent.resolve()}: {DSR_LETTER} letter: ")
    assert not list(out.glob("*.pdf"))


# 3 (HIGH): a row enclosed another member's ID scan from below the batch file's folder.


def shared_drive(tmp_path: Path) -> Path:
    drive = tmp_path / "drive"
    annex_pdf(drive / "submissions" / "alice" / "passport-scan.pdf", "ALICESCAN")
    annex_pdf(drive / "shared" / "consent.pdf", "CONSENT")
    return drive


def test_3_annexes_names_the_only_folder_rows_enclose_from(tmp_path: Path) -> None:
    drive = shared_drive(tmp_path)
    source = rows_file(
        drive / "members.jsonl",
        {**COMPLAINT, "enclose": "submissions/alice/passport-scan.pdf"},
        {**COMPLAINT, "enclose": "consent.pdf"},
        BOB,
    )
    out = tmp_path / "out"
    code, output = invoke(
        "batch", str(source), "-o", str(out), "--annexes", str(drive / "shared"),
        "--format", "txt", "--jobs", "1",
    )  # fmt: skip
    assert code == 2, output
    shared = (drive / "shared").resolve()
    assert (
        "Error: row 1: enclose: submissions/alice/passport-scan.pdf: no such file in "
        f"the annex folder (--annexes) {shared}"
    ) in output
    report = report_rows(out)
    assert [(r["status"], r["annexes"]) for r in report] == [
        ("error", ""),
        ("written", "consent.pdf"),
        ("written", ""),
    ]
    assert "Note: 1 letter has files enclosed; report.csv lists them in its annexes column." in (
        output
    )


def test_3_report_csv_lists_what_each_letter_encloses(tmp_path: Path) -> None:
    drive = shared_drive(tmp_path)
    annex_pdf(drive / "=cmd.pdf", "FORMULA")
    source = rows_file(
        drive / "members.jsonl",
        {**COMPLAINT, "enclose": "submissions/alice/passport-scan.pdf;shared/consent.pdf"},
        BOB,
        {**COMPLAINT, "enclose": "=cmd.pdf"},
    )
    out = tmp_path / "out"
    args = ["batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "1"]
    code, output = invoke(*args)
    assert code == 0, output
    expected = ["submissions/alice/passport-scan.pdf; shared/consent.pdf", "", "./=cmd.pdf"]
    assert [r["annexes"] for r in report_rows(out)] == expected
    assert "Note: 2 letters have files enclosed; report.csv lists them" in output
    code, output = invoke(*args)  # a rerun: the letters are unchanged, their annexes listed
    assert code == 0, output
    assert [(r["status"], r["annexes"]) for r in report_rows(out)] == [
        ("unchanged", expected[0]),
        ("unchanged", ""),
        ("unchanged", expected[2]),
    ]


def test_3_batch_help_and_the_readme_state_the_rule() -> None:
    code, output = invoke("batch", "--help")
    assert code == 0, output
    text = " ".join(output.split())
    assert "--annexes DIR The folder the rows' `enclose` files must be in" in text
    assert "[default: the batch file's folder]" in text
    assert "so a row can enclose any PDF there" in text
    assert "report.csv lists each letter's annexes" in text
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "`--annexes DIR`" in readme
    assert "`annexes` column" in readme


# 8 (LOW): -o . (the batch file's folder) failed every row with an annex, after starting.


@pytest.mark.parametrize("where", ["row", "defaults", "above"])
def test_8_the_annex_folder_as_output_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    dot = tmp_path / "dot2"
    annex_pdf(dot / "consent.pdf")
    row = COMPLAINT if where == "defaults" else {**COMPLAINT, "enclose": "consent.pdf"}
    source = rows_file(dot / "r.jsonl", row)
    args = ["batch", "r.jsonl", "--format", "txt", "--jobs", "1"]
    if where == "defaults":
        (tmp_path / "d.toml").write_text('enclose = ["consent.pdf"]\n', encoding="utf-8")
        args += ["--defaults", str(tmp_path / "d.toml")]
    out = ".." if where == "above" else "."
    monkeypatch.chdir(dot)
    before = sorted(os.listdir(dot))
    code, output = invoke(*args, "-o", out)
    assert code == 2, output
    assert output.startswith(f"Error: --output: {out} is the batch file's folder {dot.resolve()}")
    assert f"choose another folder with -o, such as {Path(out) / 'letters'}" in " ".join(
        output.split()
    )
    assert sorted(os.listdir(dot)) == before  # no report.csv, state file or lock
    assert source.exists()


def test_8_the_batch_files_folder_is_a_good_output_when_no_row_encloses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_file(tmp_path / "r.jsonl", BOB)
    monkeypatch.chdir(tmp_path)
    code, output = invoke("batch", "r.jsonl", "-o", ".", "--format", "txt", "--jobs", "1")
    assert code == 0, output
    assert (tmp_path / "0001-b-objection-de.txt").is_file()


# 11 (LOW): `dsr letter --enclose` took a letter dsr wrote without a word.


@pytest.mark.parametrize("kind", ["marked", "batch folder", "plain"])
def test_11_letter_enclose_warns_of_what_a_batch_row_may_not_enclose(
    tmp_path: Path, kind: str
) -> None:
    if kind == "marked":
        annex = marked_pdf(tmp_path / "alice.pdf")
        reason = "a letter dsr wrote (its PDF names dsr as its creator)"
    elif kind == "batch folder":
        letters = tmp_path / "m6"
        annex = annex_pdf(letters / "0001-a-objection-de.pdf")
        (letters / ".dsr-batch-state.jsonl").write_text("", encoding="utf-8")
        reason = (
            f"inside {letters.resolve()}, a folder dsr batch writes letters into "
            "(it holds .dsr-batch-state.jsonl, dsr batch's state file)"
        )
    else:
        annex = annex_pdf(tmp_path / "consent.pdf")
        reason = ""
    args = ["letter", *(f"--{key}={value}" for key, value in COMPLAINT.items())]
    code, output = invoke(*args, "--enclose", str(annex), "-o", str(tmp_path / "c.txt"))
    assert code == 0, output  # the member's own choice
    assert (tmp_path / "c.txt").is_file()
    if reason:
        assert (
            f"Warning: --enclose {annex}: {reason}; it is enclosed as you asked: make sure it "
            "is your own letter, not another member's.\n"
        ) in output
    else:
        assert "Warning" not in output
