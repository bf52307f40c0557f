"""dsr batch: one letter per row of a member file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import cli
from ..batch import BatchFileError, DefaultsError, RowResult, RowStatus, run_batch, zip_outputs
from ..cli import (
    ExitCode,
    FilePath,
    NamedPath,
    counted,
    engine_option,
    fail,
    force_option,
    format_option,
    jobs_option,
    output_option,
    pdf_variant_option,
    progress_bar,
    shown,
)
from ..cliwords import said
from ..files import NotRegular, archive_path, check_regular
from ..formats import Engine, Format, PdfVariant, WriteOptions
from ..limits import MAX_ROWS
from ..workers import available_cpus
from .common import _load_profile, _refuse_new_names


def _line_ranges(value: str | None) -> frozenset[tuple[int, int]]:
    """--trust-quotes: "2-5,9-12" as the (first, last) lines dsr named; else a usage error."""
    if not value:
        return frozenset()
    ranges = set()
    for part in value.split(","):
        first, dash, last = part.strip().partition("-")
        if not (dash and first.isdigit() and last.isdigit() and 0 < int(first) < int(last)):
            raise click.BadParameter(
                f"{part.strip()!r} is not a range of lines as dsr names them; give them as "
                "its message does, such as 2-5,9-12",
                param_hint="'--trust-quotes'",
            )
        ranges.add((int(first), int(last)))
    return frozenset(ranges)


BATCH_RECAP = 20  # failed rows listed again at the end of a batch; all are in report.csv


@click.command()
@click.argument("source", type=FilePath(dir_okay=False, path_type=Path))
@output_option("Folder for the letters and report.csv.", folder=True)
@format_option("pdf")
@jobs_option
@engine_option("typst")
@pdf_variant_option
@click.option(
    "--defaults",
    "defaults_file",
    type=NamedPath(dir_okay=False, exists=True, path_type=Path),
    help="TOML file with values shared by every row.",
)
@click.option(
    "--zip", "make_zip", is_flag=True, help="Also bundle the letters and the report into DIR.zip."
)
@force_option(
    "the folder's existing letters and report.csv: made from other input, changed since, "
    "or not written by dsr batch"
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=MAX_ROWS,
    show_default=True,
    help="Refuse a file with more rows than this (a guard against a wrong or hostile file).",
)
@click.option(
    "--trust-quotes",
    "trusted",
    metavar="LINES",
    callback=lambda ctx, param, value: _line_ranges(value),
    help="Lines of a CSV file (such as 2-5,9-12) that dsr refused as a stray quote's, "
    "which you checked: each is one member's row as written.",
)
@click.option(
    "--multiline-cells",
    "multiline",
    is_flag=True,
    help="The CSV file's cells may run over several lines (an address typed in one "
    "cell); without it such a row is refused, as a stray quote would make one.",
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="The CSV file's encoding (cp1252, utf-16, latin-1...).  [default: UTF-8 or UTF-16 "
    "by their marks, else detected]",
)
@click.option(
    "--sheet", metavar="NAME", help="The spreadsheet's sheet to read.  [default: the first]"
)
@click.option(
    "--annexes",
    type=NamedPath(file_okay=False, exists=True, path_type=Path),
    metavar="DIR",
    help="The folder the rows' `enclose` files must be in (or in its subfolders); their "
    "names are read in it.  [default: the batch file's folder]",
)
def batch(
    source: Path,
    out_dir: Path,
    fmt: Format | None,
    jobs: int | None,
    engine: Engine,
    pdf_variant: PdfVariant | None,
    defaults_file: Path | None,
    make_zip: bool,
    force: bool,
    max_rows: int,
    trusted: frozenset[tuple[int, int]],
    multiline: bool,
    encoding: str | None,
    sheet: str | None,
    annexes: Path | None,
) -> None:
    """Write one letter per row of a spreadsheet (.xlsx, .ods), CSV (comma or semicolon),
    TSV, YAML or JSONL file.

    Columns are the `dsr letter` option names (kind, jurisdiction, name,
    address, account-email, lang, ...). Rows are validated as they are read,
    and written while later rows are still read: a bad row is reported with its
    row number as soon as it is found (and again at the end), and the good
    ones are still written.
    Re-running the same command skips finished rows, so a killed run resumes.

    A row's `enclose` column names PDFs to append to its letter: files in the
    annex folder (--annexes; default: the batch file's folder) or in its
    subfolders, so a row can enclose any PDF there. Keep members' own files
    out of it, or name a folder of shared annexes only. A row never encloses a
    letter dsr wrote (nor a copy of one: it may be another member's), nor a
    file from a folder dsr batch writes into; while rows enclose files, -o may
    not be the annex folder or above it. report.csv lists each letter's annexes.

    \b
    Example:
      dsr batch members.csv -o letters/ --zip
      dsr batch members.csv -o letters/ --annexes shared-annexes/
    """

    jobs = jobs or available_cpus()
    options = WriteOptions(fmt or Format.PDF, engine, pdf_variant)
    defaults = _load_profile(defaults_file, "--defaults") if defaults_file else {}

    try:  # without opening it: a FIFO would block, a device might act
        if check_regular(source, follow=True) is None:
            fail([f"SOURCE: {source} does not exist"])
    except NotRegular:
        fail([f"SOURCE: {source} is not a regular file; name a CSV, TSV, YAML or JSONL file"])
    _refuse_new_names("--output", out_dir, folder=True)
    if make_zip:
        archive = archive_path(out_dir)
        if (archive.exists() or archive.is_symlink()) and not force:
            fail([f"--zip: {archive} exists; use --force to replace it"])
        _refuse_new_names("--zip", archive)  # DIR.zip: found before any letter is written
    try:
        with progress_bar("Writing letters") as step:
            clear = "\r\x1b[K" if step is not None else ""  # the progress bar's line

            def found(result: RowResult) -> None:  # as soon as a row fails
                click.echo(f"{clear}Error: row {result.row}: {shown(result.message)}", err=True)

            report = run_batch(
                source, out_dir, today=cli.today(), options=options, jobs=jobs,
                defaults=defaults, force=force, progress=step, max_rows=max_rows,
                on_error=found, annexes=annexes, trusted=trusted, multiline=multiline,
                encoding=encoding, sheet=sheet,
            )  # fmt: skip
    except BatchFileError as error:
        fail([said(error)])
    except DefaultsError as error:  # before any row
        fail([f"--defaults: {problem}" for problem in error.problems])
    if report.failed:  # again at the end, in row order, as a list under the summary's head
        shown_rows = report.failed[:BATCH_RECAP]
        more = len(report.failed) - len(shown_rows)
        head = f"the first {len(shown_rows)} of " if more else ""
        click.echo(f"Rows that failed ({head}{len(report.failed)}; all in report.csv):", err=True)
        for result in shown_rows:
            click.echo(f"  row {result.row}: {shown(result.message)}", err=True)
    fallbacks = [r for r in report.results if r.status is RowStatus.WRITTEN and r.message]
    if fallbacks:
        click.echo(
            f"Note: {counted(len(fallbacks), 'letter')} set with WeasyPrint, not Typst "
            f"(row {fallbacks[0].row}: {fallbacks[0].message.split(': ', 1)[-1]}); "
            "see report.csv",
            err=True,
        )
    written = sum(r.status is RowStatus.WRITTEN for r in report.results)
    unchanged = sum(r.status is RowStatus.UNCHANGED for r in report.results)
    click.echo(
        f"Wrote {counted(written, 'letter')} to {shown(str(out_dir))}, {unchanged} unchanged, "
        f"{len(report.failed)} failed; see {shown(str(out_dir / 'report.csv'))}",
        err=True,
    )
    if report.earlier:  # rows joined or removed since an earlier run: its letters stay
        named = ", ".join(shown(name) for name in report.earlier[:5])
        others = f" and {len(report.earlier) - 5} more" if len(report.earlier) > 5 else ""
        click.echo(
            f"Note: {counted(len(report.earlier), 'letter')} in {shown(str(out_dir))} "
            f"{'was' if len(report.earlier) == 1 else 'were'} written by an earlier run for "
            f"rows this file no longer has at those numbers (rows joined, moved or removed "
            f"since): {named}{others}; kept: remove those you do not want.",
            err=True,
        )
    enclosing = len(report.with_annexes)
    if enclosing:  # what went into the letters, for the NGO to check
        click.echo(
            f"Note: {counted(enclosing, 'letter')} {'has' if enclosing == 1 else 'have'} "
            "files enclosed; report.csv lists them in its annexes column.",
            err=True,
        )
    if make_zip:
        click.echo(f"Bundled into {zip_outputs(out_dir, report, force)}", err=True)
    if report.failed:
        sys.exit(ExitCode.USAGE)
