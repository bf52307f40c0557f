"""Letters for many members at once, from CSV, YAML or JSONL.

Every row is validated before anything is rendered; bad rows are reported
with their row number and field, and the good rows are still written. Files
are written atomically and recorded in a state file, so a run that was
killed resumes where it stopped, and a finished file is never replaced by one
made from different input unless ``force`` is given.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from . import files
from .errors import DsrError, InvalidRequest
from .inputs import FIELDS, parse_request
from .limits import MAX_BATCH_BYTES, MAX_ROWS, load_yaml, read_limited
from .model import Letter, Request
from .outputs import email_message, with_annexes
from .workers import load_weasyprint, run_groups, stop_requested

STATE_FILE = ".dsr-batch-state.jsonl"
REPORT_FILE = "report.csv"
FORMATS = ("pdf", "html", "txt", "eml")
GROUP = 16
PROBLEM = "__problem__"


class BatchFileError(DsrError):
    """The batch file cannot be read as CSV, YAML or JSONL."""


@dataclass(frozen=True)
class RowResult:
    row: int
    status: str  # written, unchanged, error
    file: str
    message: str = ""


@dataclass
class BatchReport:
    results: list[RowResult]

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.results if r.status == "error"]


def _column(key: object) -> str:
    """A column or key as dsr reads it: ``Account_Email`` is ``account-email``."""
    return str(key).strip().lower().replace("_", "-")


def _repeated(keys: Iterable[object]) -> str | None:
    """The first column that appears twice (after normalisation), or None.

    Columns without a name (the empty ones a spreadsheet adds at the end) are
    not counted: a value under one is refused as an unknown column anyway.
    """
    seen: set[str] = set()
    for key in keys:
        name = _column(key)
        if not name:
            continue
        if name in seen:
            return name
        seen.add(name)
    return None


def _repeated_problem(name: str) -> dict[str, Any]:
    return {PROBLEM: f"the key {name!r} appears more than once; keep one"}


class _RepeatedKey(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads's object_pairs_hook: a key given twice is refused, not overwritten."""
    repeated = _repeated(key for key, _ in pairs)
    if repeated is not None:
        raise _RepeatedKey(repeated)
    return dict(pairs)


def _yaml_repeated_keys(text: str) -> dict[int, str]:
    """Row number -> the first key repeated in that YAML row (the rows as mapping nodes)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    node = yaml.compose(text, Loader=loader)  # already checked: no aliases, bounded depth
    found: dict[int, str] = {}
    if isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, start=1):
            if isinstance(item, yaml.MappingNode):
                repeated = _repeated(key.value for key, _ in item.value)
                if repeated is not None:
                    found[number] = repeated
    return found


def _normalise_keys(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    repeated = _repeated(key for key in row if key is not None)
    if repeated is not None:
        return _repeated_problem(repeated)
    for key, value in row.items():
        if key is None:
            return {PROBLEM: "has more values than the header has columns"}
        name = _column(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "enclose" and isinstance(value, str):
            value = [part for part in value.split(";") if part]
        out[name] = value
    return out


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets in many European locales) or tab: the header decides."""
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def read_rows(path: Path, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows numbered from 1 (a CSV header does not count); at most ``max_rows`` of them."""
    for number, row in _read_rows(path):
        if number > max_rows:
            raise BatchFileError(
                f"{path}: more than {max_rows:,} rows, the limit; "
                "split the file, or raise the limit with --max-rows"
            )
        yield number, row


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    suffix = path.suffix.lower()
    try:
        raw = read_limited(path, MAX_BATCH_BYTES)  # a regular file, not /dev/zero
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BatchFileError(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from error
    except OSError as error:
        raise BatchFileError(f"{path}: cannot read: {error.strerror}") from error
    if "\x00" in text:
        raise BatchFileError(f"{path}: binary data, not a CSV, YAML or JSONL file")
    if suffix in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        try:
            fieldnames = reader.fieldnames
        except csv.Error as error:
            raise BatchFileError(f"{path}: the header row cannot be read: {error}") from error
        if not fieldnames:
            raise BatchFileError(f"{path}: no header row")
        repeated = _repeated(fieldnames)
        if repeated is not None:
            raise BatchFileError(
                f"{path}: the column {repeated!r} appears more than once in the header; "
                "keep one (or rename the other)"
            )
        number = 0
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:  # a field too long, say: this row only
                yield number, {PROBLEM: f"cannot be read as CSV: {error}"}
                continue
            yield number, _normalise_keys(row)
    elif suffix == ".jsonl":
        for number, line in enumerate((x for x in text.splitlines() if x.strip()), start=1):
            try:
                row = json.loads(line, object_pairs_hook=_unique_pairs)
            except _RepeatedKey as error:
                yield number, _repeated_problem(error.name)
                continue
            except json.JSONDecodeError as error:
                yield number, {PROBLEM: f"not JSON: {error.msg} (column {error.colno})"}
                continue
            except RecursionError:
                yield number, {PROBLEM: "not JSON a letter can come from: nested too deeply"}
                continue
            if not isinstance(row, dict):
                yield number, {PROBLEM: "expected a JSON object, one per line"}
                continue
            yield number, _normalise_keys(row)
    elif suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = load_yaml(text, str(path))  # no aliases, bounded depth
        except yaml.YAMLError as error:
            raise BatchFileError(f"{path}: not valid YAML: {error}") from error
        if not isinstance(data, list):
            raise BatchFileError(f"{path}: expected a YAML list of rows")
        repeated_keys = _yaml_repeated_keys(text)
        for number, row in enumerate(data, start=1):
            if not isinstance(row, dict):
                yield number, {PROBLEM: "expected a mapping of option names to values"}
                continue
            if number in repeated_keys:
                yield number, _repeated_problem(repeated_keys[number])
                continue
            yield number, _normalise_keys(row)
    else:
        hint = "; save the sheet as CSV UTF-8" if suffix in (".xlsx", ".xls", ".ods") else ""
        raise BatchFileError(
            f"{path}: unknown file type {suffix!r}; use .csv, .tsv, .yaml or .jsonl{hint}"
        )


def input_hash(values: Mapping[str, Any], fmt: str) -> str:
    payload = json.dumps({**values, "_format": fmt}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40] or "member"


def output_name(row: int, request: Request, fmt: str, width: int = 4) -> str:
    """``0042-mustermann-art21-de.pdf``: sortable, safe on every file system.

    ``width`` digits number the row: four, or as many as the batch's last row has.
    """
    surname = request.requester.name.split()[-1] if request.requester.name.split() else ""
    return f"{row:0{width}d}-{_slug(surname)}-{request.kind.value}-{request.language}.{fmt}"


def row_failure(error: Exception) -> str:
    """A row's unexpected error, for report.csv: the row fails, the batch goes on."""
    return f"cannot be written: {type(error).__name__}: {error!s:.300}"


DIFFERENT_INPUT = (
    "a finished file with this name was made from different input; use --force to replace it"
)
CHANGED_SINCE = "the file was changed after dsr wrote it; use --force to replace it"
NOT_OURS = "a file with this name exists that this batch did not write; use --force to replace it"
FOREIGN_REPORT = (
    "{path} exists and was not written by dsr batch into this folder; "
    "use --force to replace it, or choose another folder"
)
INTERRUPTED = "not written: the run was interrupted; run the same command again to finish"

Job = tuple[int, Request, str, str]  # row, request, file name, input hash
Done = tuple[int, str, str, str, str, str]  # row, file, input hash, sha256, error, note
SET_BY_WEASYPRINT = "set with WeasyPrint: "


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _render_group(
    group: list[Job], out_dir: str, fmt: str, engine: str = "typst", run_id: str = files.RUN_ID
) -> list[Done]:
    """Render and write a group of rows (in a worker).

    With the Typst engine, each PDF is set by Typst (``dsr.typeset``); a
    letter it cannot set goes the WeasyPrint way. With WeasyPrint, the
    group's PDFs are laid out one by one and written together, so fonts are
    subset once per group, then split into one file per row. Each file is
    recorded in the state file after its data is on disk and before it gets
    its name, so a file under its final name is always a recorded one.
    """
    from . import pdf, typeset
    from .compose import compose
    from .render import render_html, render_text

    folder = Path(out_dir)
    done: list[Done] = []
    laid_out: list[tuple[Job, Letter, Any]] = []
    notes: dict[int, str] = {}  # rows Typst could not set, and why
    for job in group:
        if stop_requested():
            break  # the rows left are reported as not written
        row, request, name, digest = job
        try:
            letter = compose(request)
            if fmt in ("pdf", "eml"):  # an e-mail carries the PDF
                document = render_html(letter)
                if engine == "typst":
                    try:
                        data = typeset.letter_pdf(document)
                    except typeset.TypesetError as error:  # WeasyPrint below
                        notes[row] = SET_BY_WEASYPRINT + str(error)
                    else:
                        done.append(_finish(folder, job, letter, data, fmt, run_id))
                        continue
                laid_out.append((job, letter, pdf.layout(document)[0]))
                continue
            text = render_html(letter) if fmt == "html" else render_text(letter)
            done.append(_write(folder, job, text.encode(), run_id))
        except InvalidRequest as error:
            done.append((row, name, digest, "", "; ".join(str(p) for p in error.problems), ""))
        except DsrError as error:
            done.append((row, name, digest, "", str(error), ""))
        except Exception as error:  # one bad row never stops the others
            done.append((row, name, digest, "", row_failure(error), ""))
    if laid_out:
        try:
            written = pdf.write_separately([document for _, _, document in laid_out])
        except Exception:
            written = []  # write them one by one below, so one bad letter fails alone
        for index, (job, letter, document) in enumerate(laid_out):
            row, request, name, digest = job
            try:
                data = written[index] if written else pdf.write_separately([document])[0]
                finished = _finish(folder, job, letter, data, fmt, run_id)
                done.append((*finished[:5], notes.get(row, "")))
            except DsrError as error:
                done.append((row, name, digest, "", str(error), ""))
            except Exception as error:
                done.append((row, name, digest, "", row_failure(error), ""))
    del laid_out
    gc.collect()  # collections are rare during layout (workers.fewer_collections): one per group
    return done


def _finish(
    folder: Path, job: Job, letter: Letter, pdf: bytes, fmt: str, run_id: str = files.RUN_ID
) -> Done:
    """The row's enclosures appended, as a PDF or an e-mail carrying it, written."""
    row, request, name, digest = job
    try:
        annexes = tuple(Path(p) for p in request.enclosures)
        data = with_annexes(letter, pdf, annexes)
        if fmt == "eml":
            data = email_message(letter, annexes=annexes, pdf=data)
        return _write(folder, job, data, run_id)
    except DsrError as error:
        return (row, name, digest, "", str(error), "")
    except Exception as error:
        return (row, name, digest, "", row_failure(error), "")


def _write(folder: Path, job: Job, data: bytes, run_id: str = files.RUN_ID) -> Done:
    row, _, name, digest = job
    sha = hashlib.sha256(data).hexdigest()

    def record() -> None:
        _append_state(folder, row, name, digest, sha)

    files.write_file(folder, name, data, replace=True, before_replace=record, run_id=run_id)
    return row, name, digest, sha, "", ""


def _append_state(folder: Path, row: int, name: str, digest: str, sha: str) -> None:
    """Record a finished file; O_APPEND lines are safe from several workers."""
    line = json.dumps({"row": row, "file": name, "hash": digest, "sha256": sha}) + "\n"
    files.append(folder, STATE_FILE, line.encode())


@dataclass(frozen=True)
class Finished:
    digest: str  # of the input
    row: int
    sha256: str  # of the file as written

    def matches(self, path: Path) -> bool:
        return path.is_file() and (not self.sha256 or file_digest(path) == self.sha256)


def read_state(folder: Path) -> dict[str, Finished]:
    """Finished files by name; the last record of a name wins; a cut-off line is skipped."""
    done: dict[str, Finished] = {}
    data = files.read(folder, STATE_FILE)  # a link is refused, never followed
    if data is not None:
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                item = json.loads(line)
                done[item["file"]] = Finished(item["hash"], item["row"], item.get("sha256", ""))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
    return done


def _groups(todo: list[Job]) -> list[list[Job]]:
    """Rows in groups of at most GROUP, each of one language and, within it, by jurisdiction.

    A group's PDFs are written together, their fonts subset once for the
    group: letters of one language need the same glyphs, and a member's
    letter carries no font the group's other letters alone needed.
    """
    ordered = sorted(todo, key=lambda job: (job[1].language, job[1].jurisdiction, job[0]))
    groups: list[list[Job]] = []
    for job in ordered:
        if not groups or len(groups[-1]) == GROUP or groups[-1][-1][1].language != job[1].language:
            groups.append([])
        groups[-1].append(job)
    return groups


def run_batch(
    source: Path,
    out_dir: Path,
    *,
    today: date,
    fmt: str = "pdf",
    jobs: int = 1,
    defaults: Mapping[str, Any] | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    engine: str = "typst",
    max_rows: int = MAX_ROWS,
) -> BatchReport:
    """Validate every row, then render the good ones into ``out_dir``.

    ``progress(count, total)`` is called as groups of rows are finished.
    ``engine`` sets the PDFs: ``typst`` (fast) or ``weasyprint`` (the same
    PDF as ``dsr letter``).
    """
    from .typeset import ENGINES

    if fmt not in FORMATS:
        raise DsrError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise DsrError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    _check_before_writing(source, out_dir)
    run_id = files.new_run_id()
    with files.folder_lock(out_dir, run_id):  # a second batch into the folder is refused
        try:
            return _run_locked(
                source, out_dir, today=today, fmt=fmt, jobs=jobs, defaults=defaults,
                force=force, progress=progress, engine=engine, run_id=run_id,
                max_rows=max_rows,
            )  # fmt: skip
        finally:
            files.remove_temp_files(out_dir, run_id)  # this run's only


def _check_before_writing(source: Path, out_dir: Path) -> None:
    """What makes the whole batch fail is found before anything is written (exit 2)."""
    for name in (STATE_FILE, REPORT_FILE, files.LOCK_FILE):
        files.refuse_hard_links(out_dir, name)  # appending or replacing would reach elsewhere
    report_path = out_dir / REPORT_FILE
    try:
        same = report_path.exists() and os.path.samefile(source, report_path)
    except OSError:
        same = False
    if same:  # --force or not: the member list is never replaced by the report
        raise files.UnsafeFile(
            f"{source} is the batch's own report file {report_path}; dsr batch never "
            "replaces its input: move the file, or choose another folder with -o"
        )
    next(iter(_read_rows(source)), None)  # the header (or the file) is unusable: stop here


def _enclosure(base: Path, item: object) -> str | object:
    """A row's annex: a regular file inside the batch file's folder ``base``.

    A row may come from a file someone else wrote: it must not pull a PDF from
    elsewhere on the machine into a letter. Raises ValueError with the reason.
    """
    if not isinstance(item, str):
        return item  # parse_request reports the type
    path = Path(item)
    if path.is_absolute():
        raise ValueError(f"{item}: absolute paths are not accepted; put the file beside {base}")
    if ".." in path.parts:
        raise ValueError(f"{item}: '..' is not accepted; put the file in the batch file's folder")
    folder = base.resolve()
    resolved = (folder / path).resolve()
    if not resolved.is_relative_to(folder):
        raise ValueError(f"{item}: a link that leads out of the batch file's folder {folder}")
    try:
        info = resolved.stat()
    except OSError:
        raise ValueError(f"{item}: no such file in the batch file's folder {folder}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{item}: not a regular file")
    return str(resolved)


def _run_locked(
    source: Path,
    out_dir: Path,
    *,
    today: date,
    fmt: str,
    jobs: int,
    defaults: Mapping[str, Any] | None,
    force: bool,
    progress: Callable[[int, int], None] | None,
    engine: str,
    run_id: str,
    max_rows: int = MAX_ROWS,
) -> BatchReport:
    from .userdata import remember_batch

    results: dict[int, RowResult] = {}
    todo: list[Job] = []
    state = read_state(out_dir)
    report_path = out_dir / REPORT_FILE
    previous_report = state.get(REPORT_FILE)
    if (report_path.exists() or report_path.is_symlink()) and not force:
        if previous_report is None or not previous_report.matches(report_path):
            raise files.OutputExists(FOREIGN_REPORT.format(path=report_path))
    remember_batch(out_dir)  # dsr forget names the folders holding members' data
    try:
        rows = list(read_rows(source, max_rows))
        width = max(4, len(str(rows[-1][0]))) if rows else 4  # names sort past row 9999
        for number, values in rows:
            if PROBLEM in values:
                results[number] = RowResult(number, "error", "", str(values[PROBLEM]))
                continue
            if isinstance(values.get("enclose"), list):
                try:
                    values["enclose"] = [_enclosure(source.parent, e) for e in values["enclose"]]
                except ValueError as error:
                    results[number] = RowResult(number, "error", "", f"enclose: {error}")
                    continue
            merged = {**(defaults or {}), **values}
            unknown = sorted(set(merged) - set(FIELDS))
            if unknown:
                results[number] = RowResult(
                    number, "error", "", f"unknown column {unknown[0]!r}; use {', '.join(FIELDS)}"
                )
                continue
            try:
                request = parse_request(merged, today=today)
                name = output_name(number, request, fmt, width)
                digest = input_hash(merged, fmt)
            except InvalidRequest as error:
                message = "; ".join(str(p) for p in error.problems)
                results[number] = RowResult(number, "error", "", message)
                continue
            except Exception as error:  # one bad row never stops the others
                results[number] = RowResult(number, "error", "", row_failure(error))
                continue
            finished = state.get(name)
            target = out_dir / name
            if target.exists() and not force:
                if finished is None:
                    results[number] = RowResult(number, "error", name, NOT_OURS)
                elif finished.digest != digest:
                    results[number] = RowResult(number, "error", name, DIFFERENT_INPUT)
                elif finished.matches(target):
                    results[number] = RowResult(number, "unchanged", name)
                else:
                    results[number] = RowResult(number, "error", name, CHANGED_SINCE)
                continue
            todo.append((number, request, name, digest))
        groups = _groups(todo)
        if progress is not None:
            total = len(todo)
            report_progress = progress

            def progress_of(count: int) -> None:
                report_progress(count, total)

            tick: Callable[[int], None] | None = progress_of
        else:
            tick = None
        work = partial(_render_group, out_dir=str(out_dir), fmt=fmt, engine=engine, run_id=run_id)
        try:
            # Typst workers load WeasyPrint only for a letter Typst cannot set.
            weasyprint = engine == "weasyprint" and fmt in ("pdf", "eml")
            prepare = load_weasyprint if weasyprint else None
            run_groups(work, groups, jobs, lambda done: _collect(done, results, tick), prepare)
        except BrokenProcessPool as error:
            raise DsrError(
                "a worker process died (out of memory, or killed); the finished letters are "
                "kept: run the same command again to write the rest"
            ) from error
    finally:
        # Rows a worker finished before an interruption are in the state file.
        recorded = read_state(out_dir)
        for number, _, name, _ in todo:
            if number in results:
                continue
            finished = recorded.get(name)
            if finished is not None and finished.row == number and finished.matches(out_dir / name):
                results[number] = RowResult(number, "written", name)
            else:
                results[number] = RowResult(number, "pending", "", INTERRUPTED)
        report = BatchReport([results[k] for k in sorted(results)])
        write_report(out_dir, report)
    return report


def _collect(
    done: list[Done],
    results: dict[int, RowResult],
    progress: Callable[[int], None] | None,
) -> None:
    for row, name, _, _, error, note in done:
        if error:
            results[row] = RowResult(row, "error", "", error)
        else:
            results[row] = RowResult(row, "written", name, note)
    if progress is not None:
        progress(len(done))


def write_report(out_dir: Path, report: BatchReport) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "status", "file", "message"])
    for result in report.results:
        writer.writerow([result.row, result.status, result.file, result.message])
    data = buffer.getvalue().encode()
    sha = hashlib.sha256(data).hexdigest()

    def record() -> None:  # the report is the batch's own: a rerun may replace it
        _append_state(out_dir, 0, REPORT_FILE, "", sha)

    files.refuse_hard_links(out_dir, REPORT_FILE)  # never replace a file that is also elsewhere
    return files.write_file(out_dir, REPORT_FILE, data, replace=True, before_replace=record)


def zip_outputs(out_dir: Path, report: BatchReport, force: bool = False) -> Path:
    """Bundle the letters and the report into ``<out_dir>.zip`` beside it (atomically)."""
    from .outputs import zip_folder

    names = [r.file for r in report.results if r.file and r.status != "error"]
    return zip_folder(out_dir, [*names, REPORT_FILE], force=force)
