"""dsr batch: one letter per row of a member file."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import click

from .. import cli
from ..batch import (
    DATE_ORDERS,
    REPORT_FILE,
    SUMMARY_FILE,
    BatchCheck,
    BatchFileError,
    BatchReport,
    DefaultsError,
    OneWordNames,
    RowResult,
    RowStatus,
    check_batch,
    run_batch,
    zip_outputs,
)
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
from ..drafts import campaign_sender
from ..errors import InvalidRequest
from ..files import NotRegular, archive_path, check_regular
from ..formats import Engine, Format, PdfVariant, WriteOptions
from ..limits import MAX_ROWS
from ..printing import PrintOptions, PrintOrder
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


def _column_map(value: tuple[str, ...]) -> dict[str, str]:
    """--map: each "SOURCE=FIELD" as the column it maps and the field it gives; else a
    usage error. Whether they name a column and a field is the batch file's to say."""
    mapping: dict[str, str] = {}
    for given in value:
        source, equals, target = given.rpartition("=")  # a header may hold "=", a field not
        if not (equals and source.strip() and target.strip()):
            raise click.BadParameter(
                f"{given!r} is not SOURCE=FIELD: give a column of the file and the field it "
                "holds, such as --map PLZ=postcode",
                param_hint="'--map'",
            )
        if source.strip() in mapping:
            raise click.BadParameter(
                f"{source.strip()!r} is mapped twice; map each column once",
                param_hint="'--map'",
            )
        mapping[source.strip()] = target.strip()
    return mapping


def _said_check(found: BatchCheck) -> None:
    """--check: every row's problems, then what can be written; exit 2 if a row cannot."""
    for result in found.problems:
        click.echo(f"Error: row {result.row}: {shown(result.message)}", err=True)
    need = "row needs" if len(found.problems) == 1 else "rows need"
    click.echo(
        f"{counted(found.count, 'row')} checked: {found.good} can be written; "
        f"{len(found.problems)} {need} fixing",
        err=True,
    )
    if found.problems:
        sys.exit(ExitCode.USAGE)


def _ignoring(columns: tuple[str, ...], names: OneWordNames | None = None, clear: str = "") -> None:
    """One warning naming every column dsr does not read; and one more if most names
    are one word, as when a column not read holds the given names."""
    listed = 12  # a file of thousands of columns gets a warning of a few lines
    named = ", ".join(
        repr(shown(name if len(name) <= 60 else name[:59] + "…")) for name in columns[:listed]
    )
    if len(columns) > listed:
        named += f" and {len(columns) - listed:,} more"
    click.echo(
        f"{clear}Warning: {'this column is' if len(columns) == 1 else 'these columns are'} "
        f"not read, as no field has its name: {named}; map one to a field with --map "
        "SOURCE=FIELD if it holds one",
        err=True,
    )
    if names is not None:
        given = shlex.quote(f"{names.given or 'COLUMN'}=first-name")
        last = shlex.quote(f"{names.column}=last-name")
        example = f"row {names.row}: {shown(names.name)!r}"
        which = (
            f"the name of the one row is one word ({example})"
            if names.named == 1
            else f"the names of {names.count} of {names.named} rows are one word ({example})"
        )
        click.echo(
            f"Warning: {which}, and a letter is signed with the name as given; if another "
            f"column holds the given names, map both: --map {given} --map {last}",
            err=True,
        )


def _campaign_sender(mail_members: bool, campaign: str | None, fmt: Format) -> str | None:
    """--mail-members --from ADDRESS: the drafts' From, checked; None without them."""
    if campaign is not None and not mail_members:
        fail(["--from: it is the address of the drafts to members; add --mail-members"])
    if not mail_members:
        return None
    if campaign is None:
        fail(["--mail-members: give the address the drafts are from with --from ADDRESS"])
    if fmt is not Format.PDF:
        fail([f"--mail-members: a draft to a member carries their letter as a PDF; use it "
              f"with --format pdf, not {fmt.value}"])  # fmt: skip
    try:
        campaign_sender(campaign)
    except InvalidRequest as error:
        fail([f"--from: {shown(problem.message)}" for problem in error.problems])
    return campaign


def _print_options(
    make_print: bool, order: PrintOrder | None, covers: bool, fmt: Format
) -> PrintOptions | None:
    """--print, --sort and --cover as the batch's print.pdf options; None without --print."""
    if not make_print:
        for given, option in ((covers, "--cover"), (order is not None, "--sort")):
            if given:
                fail([f"{option}: it is for print.pdf; add --print"])
        return None
    if fmt is not Format.PDF:
        fail([f"--print: print.pdf is made of the PDF letters; use it with --format pdf, "
              f"not {fmt.value}"])  # fmt: skip
    return PrintOptions(order or PrintOrder.ROW, covers)


def _print_progress(clear: str) -> Callable[[int, int], None]:
    """``step(count, total)`` as letters go into print.pdf: a line at each tenth."""
    done = {"letters": 0, "tenth": -1}

    def step(count: int, total: int) -> None:
        done["letters"] += count
        tenth = done["letters"] * 10 // max(total, 1)
        if tenth > done["tenth"]:
            done["tenth"] = tenth
            click.echo(f"{clear}print.pdf: {done['letters']:,} of {total:,} letters", err=True)

    return step


def _row_numbers(rows: list[int], shown_rows: int = 5) -> str:
    """``row 4``, ``rows 1, 2, 3`` or ``rows 1, 2, 3, 4, 5 and 295 more``."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    named = ", ".join(str(row) for row in rows[:shown_rows])
    more = len(rows) - shown_rows
    return f"rows {named}" + (f" and {more} more" if more > 0 else "")


BATCH_RECAP = 20  # messages of failed rows listed again at the end; all are in report.csv
COUNTED = (("Kinds", "kind"), ("Jurisdictions", "jurisdiction"), ("Languages", "language"))
COUNTS_SHOWN = 6  # values on a line of counts; all are in summary.csv


def _counts(counts: list[tuple[str, int]], group: str) -> str:
    """``200 objection, 97 access``: the most frequent first, the rest summed up."""
    line = ", ".join(f"{count} {shown(value)}" for value, count in counts[:COUNTS_SHOWN])
    rest = counts[COUNTS_SHOWN:]
    if rest:
        others = sum(count for _, count in rest)
        line += f" and {others} in {counted(len(rest), 'other ' + group)}"
    return line


def closing_sentence(report: BatchReport, out_dir: Path) -> str:
    """What happened, in one sentence: "297 of 300 letters written to letters; 3 rows
    need fixing (see letters/report.csv)". Letters unchanged since an earlier run count
    as written, and are counted apart."""
    total = len(report.results)
    letters = len(report.letters)
    sentence = f"{letters} of {counted(total, 'letter')} written to {shown(str(out_dir))}"
    unchanged = sum(r.status is RowStatus.UNCHANGED for r in report.results)
    if unchanged:
        sentence += f" ({unchanged} unchanged from an earlier run)"
    if report.failed:
        failed = len(report.failed)
        need = "row needs" if failed == 1 else "rows need"
        report_file = shown(str(out_dir / REPORT_FILE))
        sentence += f"; {failed} {need} fixing (see {report_file})"
    return sentence


@click.command()
@click.argument("source", type=FilePath(dir_okay=False, path_type=Path))
@output_option("Folder for the letters and report.csv.", folder=True, required=False)
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
    "--date-order",
    type=click.Choice(DATE_ORDERS, case_sensitive=False),
    help="How the file writes slashed dates: DMY (07/12/2026 is 7 December, as Excel in "
    "most of Europe saves them) or MDY (July 12).  [default: only dates whose day and "
    "month cannot be swapped are read]",
)
@click.option(
    "--sheet",
    metavar="NAME",
    help="The spreadsheet's sheet to read, hidden or not.  [default: the first visible one]",
)
@click.option(
    "--map",
    "mapping",
    metavar="SOURCE=FIELD",
    multiple=True,
    callback=lambda ctx, param, value: _column_map(value),
    help="Read the column SOURCE (as the file's header writes it) as FIELD: an option name "
    "or street, postcode, city, country, first-name, last-name. Repeatable.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Check every row and list every problem, writing nothing (no -o needed).",
)
@click.option(
    "--annexes",
    type=NamedPath(file_okay=False, exists=True, path_type=Path),
    metavar="DIR",
    help="The folder the rows' `enclose` files must be in (or in its subfolders); their "
    "names are read in it.  [default: the batch file's folder]",
)
@click.option(
    "--mail-members",
    is_flag=True,
    help="Also write, beside each PDF letter, a draft e-mail to the member (NAME-member.eml, "
    "from --from, in their language) with their PDF and how to send it: the company's form "
    "and the text to paste, the deadline, the signature. For companies that take no e-mail.",
)
@click.option(
    "--from",
    "campaign",
    metavar="ADDRESS",
    help='The campaign\'s address the drafts to members are from: ADDRESS or "Name <ADDRESS>".',
)
@click.option(
    "--print",
    "make_print",
    is_flag=True,
    help="Also write DIR/print.pdf: every letter in the folder in one file for duplex "
    "printing, each starting on an odd page (a blank page after a letter of an odd number "
    "of pages).",
)
@click.option(
    "--sort",
    "order",
    type=click.Choice([order.value for order in PrintOrder]),
    callback=lambda ctx, param, value: PrintOrder(value) if value else None,
    help="The order of print.pdf: row (the file's), or postcode: by the member's own postcode "
    "(their address's; grouped by country), to hand letters out or post them by area, then "
    "by row; members without a postcode last.  [default: row]",
)
@click.option(
    "--cover",
    "covers",
    is_flag=True,
    help="With --print: a cover page (and its blank back) before each letter, in the "
    "member's language: to check and sign it, how and where to send it, the deadline to "
    "note, the member's name and row. Not to be sent.",
)
def batch(
    source: Path,
    out_dir: Path | None,
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
    date_order: str | None,
    sheet: str | None,
    mapping: dict[str, str],
    check: bool,
    annexes: Path | None,
    mail_members: bool,
    campaign: str | None,
    make_print: bool,
    order: PrintOrder | None,
    covers: bool,
) -> None:
    """Write one letter per row of a spreadsheet (.xlsx, .ods), CSV (comma or semicolon),
    TSV, YAML or JSONL file.

    Columns are the `dsr letter` option names (kind, jurisdiction, name,
    address, account-email, lang, ...), in any case, with spaces, _ or -;
    street, postcode, city and country may stand in for address, first-name
    and last-name for name; --map reads a column of another name as a field.
    Other columns are not read (a warning names them). Dates are YYYY-MM-DD,
    DD.MM.YYYY or the spreadsheet's own; --date-order reads slashed ones
    (07/12/2026). --check lists every row's problems
    and writes nothing. Rows are validated as they are read,
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
    sender = _campaign_sender(mail_members, campaign, options.format)
    printing = _print_options(make_print, order, covers, options.format)
    defaults = _load_profile(defaults_file, "--defaults") if defaults_file else {}

    try:  # without opening it: a FIFO would block, a device might act
        if check_regular(source, follow=True) is None:
            fail([f"SOURCE: {source} does not exist"])
    except NotRegular:
        fail([f"SOURCE: {source} is not a regular file; name a CSV, TSV, YAML or JSONL file"])
    if check:  # every row validated; nothing written, no folder needed
        try:
            checked = check_batch(
                source, today=cli.today(), defaults=defaults, max_rows=max_rows,
                annexes=annexes, trusted=trusted, multiline=multiline, encoding=encoding,
                sheet=sheet, mapping=mapping, date_order=date_order,
            )  # fmt: skip
        except BatchFileError as error:
            fail([said(error)])
        except DefaultsError as error:
            fail([f"--defaults: {problem}" for problem in error.problems])
        if checked.ignored:
            _ignoring(checked.ignored, checked.names)
        _said_check(checked)
        return
    if out_dir is None:
        raise click.UsageError("Missing option '-o' / '--output' (only --check needs none).")
    _refuse_new_names("--output", out_dir, folder=True)
    if make_zip:
        archive = archive_path(out_dir)
        if (archive.exists() or archive.is_symlink()) and not force:
            fail([f"--zip: {archive} exists; use --force to replace it"])
        _refuse_new_names("--zip", archive)  # DIR.zip: found before any letter is written
    try:
        with progress_bar("Writing letters") as step:
            clear = "\r\x1b[K" if step is not None else ""  # the progress bar's line

            first_with: dict[str, int] = {}  # a message -> the first row that had it

            def found(result: RowResult) -> None:  # as soon as a row fails
                if result.message in first_with:  # said once (300 rows to a web form)
                    return
                first_with[result.message] = result.row
                click.echo(f"{clear}Error: row {result.row}: {shown(result.message)}", err=True)

            report = run_batch(
                source, out_dir, today=cli.today(), options=options, jobs=jobs,
                defaults=defaults, force=force, progress=step, max_rows=max_rows,
                on_error=found, annexes=annexes, trusted=trusted, multiline=multiline,
                encoding=encoding, sheet=sheet, mapping=mapping, mail_members=sender,
                on_ignored=partial(_ignoring, clear=clear), printing=printing,
                print_progress=_print_progress(clear), date_order=date_order,
            )  # fmt: skip
    except BatchFileError as error:
        fail([said(error)])
    except DefaultsError as error:  # before any row
        fail([f"--defaults: {problem}" for problem in error.problems])
    if report.failed:  # again at the end, in row order, each message once with its rows
        rows_with: dict[str, list[int]] = {}
        for result in report.failed:
            rows_with.setdefault(result.message, []).append(result.row)
        messages = list(rows_with.items())[:BATCH_RECAP]
        listed = sum(len(rows) for _, rows in messages)
        head = f"the first {listed} of " if listed < len(report.failed) else ""
        click.echo(f"Rows that failed ({head}{len(report.failed)}; all in report.csv):", err=True)
        for message, rows in messages:
            click.echo(f"  {_row_numbers(rows)}: {shown(message)}", err=True)
    fallbacks = [r for r in report.results if r.status is RowStatus.WRITTEN and r.message]
    if fallbacks:
        click.echo(
            f"Note: {counted(len(fallbacks), 'letter')} set with WeasyPrint, not Typst "
            f"(row {fallbacks[0].row}: {fallbacks[0].message.split(': ', 1)[-1]}); "
            "see report.csv",
            err=True,
        )
    for label, group in COUNTED:
        counts = report.counts(group)
        if counts:
            click.echo(f"{label}: {_counts(counts, group)}", err=True)
    if report.letters or report.failed:
        click.echo(f"Summary in {shown(str(out_dir / SUMMARY_FILE))}", err=True)
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
    if report.drafts:  # --mail-members
        click.echo(
            f"Note: {counted(len(report.drafts), 'draft')} to members beside the letters "
            "(NAME-member.eml, marked unsent): open them in your mail program, check them "
            "and send them.",
            err=True,
        )
    if report.printed:  # --print
        covered = " with their cover pages" if covers else ""
        printed = shown(str(out_dir / report.printed))
        click.echo(
            f"Wrote {printed}: {counted(len(report.letters), 'letter')}{covered}, each "
            "starting on an odd page; print it on both sides.",
            err=True,
        )
    elif printing is not None:
        stopped = any(r.status is RowStatus.PENDING for r in report.results)
        why = "the run was interrupted" if stopped else "there is no letter to print"
        click.echo(f"Note: print.pdf not written: {why}.", err=True)
    if make_zip:
        click.echo(f"Bundled into {zip_outputs(out_dir, report, force)}", err=True)
    click.echo(closing_sentence(report, out_dir), err=True)
    if report.failed:
        sys.exit(ExitCode.USAGE)
