"""Letters for many members at once, from CSV, YAML or JSONL.

Every row is validated before anything is rendered; bad rows are reported
with their row number and field, and the good rows are still written. Files
are written atomically and recorded in a state file, so a run that was
killed resumes where it stopped, and a finished file is never replaced by one
made from different input unless ``force`` is given.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import DsrError, InvalidRequest
from .inputs import FIELDS, parse_request
from .model import Request

STATE_FILE = ".dsr-batch-state.jsonl"
REPORT_FILE = "report.csv"
FORMATS = ("pdf", "html", "txt")
CHUNK = 16
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


def _normalise_keys(row: Mapping[str, Any], number: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            return {PROBLEM: "has more values than the header has columns"}
        name = str(key).strip().lower().replace("_", "-")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "enclose" and isinstance(value, str):
            value = [part for part in value.split(";") if part]
        out[name] = value
    return out


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows numbered from 1 (a CSV header does not count)."""
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BatchFileError(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from error
    except OSError as error:
        raise BatchFileError(f"{path}: cannot read: {error.strerror}") from error
    if "\x00" in text:
        raise BatchFileError(f"{path}: binary data, not a CSV, YAML or JSONL file")
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames:
            raise BatchFileError(f"{path}: no header row")
        for number, row in enumerate(reader, start=1):
            yield number, _normalise_keys(row, number)
    elif suffix == ".jsonl":
        for number, line in enumerate((x for x in text.splitlines() if x.strip()), start=1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise BatchFileError(f"{path}: row {number}: not JSON: {error.msg}") from error
            if not isinstance(row, dict):
                raise BatchFileError(f"{path}: row {number}: expected an object")
            yield number, _normalise_keys(row, number)
    elif suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise BatchFileError(f"{path}: not valid YAML: {error}") from error
        if not isinstance(data, list):
            raise BatchFileError(f"{path}: expected a YAML list of rows")
        for number, row in enumerate(data, start=1):
            if not isinstance(row, dict):
                raise BatchFileError(f"{path}: row {number}: expected a mapping")
            yield number, _normalise_keys(row, number)
    else:
        raise BatchFileError(f"{path}: unknown file type {suffix!r}; use .csv, .yaml or .jsonl")


def input_hash(values: Mapping[str, Any], fmt: str) -> str:
    payload = json.dumps({**values, "_format": fmt}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40] or "member"


def output_name(row: int, request: Request, fmt: str) -> str:
    """``0042-mustermann-art21-de.pdf``: sortable, safe on every file system."""
    surname = request.requester.name.split()[-1] if request.requester.name.split() else ""
    return f"{row:04d}-{_slug(surname)}-{request.kind.value}-{request.language}.{fmt}"


DIFFERENT_INPUT = (
    "a finished file with this name was made from different input; use --force to replace it"
)


def _render_chunk(
    jobs: list[tuple[int, Request, str, str, bool]], out_dir: str, fmt: str
) -> list[tuple[int, str, str, str]]:
    """Render and write rows (in a worker); returns (row, file, hash, error or status).

    A file that exists but is not in the state file (a run killed between
    writing and recording) is kept if this input renders to the same bytes
    (output is deterministic) and refused otherwise.
    """
    from .compose import compose
    from .outputs import atomic_write, letter_pdf
    from .render import render_html, render_text

    done = []
    for row, request, name, digest, verify in jobs:
        try:
            letter = compose(request)
            if fmt == "pdf":
                data = letter_pdf(letter, annexes=tuple(Path(p) for p in request.enclosures))
            elif fmt == "html":
                data = render_html(letter).encode()
            else:
                data = render_text(letter).encode()
            target = Path(out_dir) / name
            if verify and target.exists():
                same = target.read_bytes() == data
                done.append((row, name, digest, "=unchanged" if same else DIFFERENT_INPUT))
                continue
            atomic_write(target, data)
            _append_state(Path(out_dir), row, name, digest)  # before anything else can fail
            done.append((row, name, digest, "=recorded"))
        except InvalidRequest as error:
            done.append((row, name, digest, "; ".join(str(p) for p in error.problems)))
        except DsrError as error:
            done.append((row, name, digest, str(error)))
    return done


def _append_state(folder: Path, row: int, name: str, digest: str) -> None:
    """Record a finished file; O_APPEND lines are safe from several workers."""
    line = json.dumps({"row": row, "file": name, "hash": digest}) + "\n"
    fd = os.open(folder / STATE_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


class _State:
    """Finished rows: row number -> (input hash, file). Appended, never rewritten."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STATE_FILE
        self.done: dict[str, tuple[str, int]] = self.read(folder)
        self._handle = self.path.open("a", encoding="utf-8")
        os.chmod(self.path, 0o600)

    @staticmethod
    def read(folder: Path) -> dict[str, tuple[str, int]]:
        done: dict[str, tuple[str, int]] = {}
        path = folder / STATE_FILE
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    item = json.loads(line)
                    done[item["file"]] = (item["hash"], item["row"])
                except (ValueError, KeyError):
                    continue  # a line cut short by a kill
        return done

    def record(self, row: int, name: str, digest: str) -> None:
        self._handle.write(json.dumps({"row": row, "file": name, "hash": digest}) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.done[name] = (digest, row)

    def close(self) -> None:
        self._handle.close()


def run_batch(
    source: Path,
    out_dir: Path,
    *,
    today: date,
    fmt: str = "pdf",
    jobs: int = 1,
    defaults: Mapping[str, Any] | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BatchReport:
    """Validate every row, then render the good ones into ``out_dir``."""
    if fmt not in FORMATS:
        raise DsrError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    results: dict[int, RowResult] = {}
    todo: list[tuple[int, Request, str, str, bool]] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for part in out_dir.glob(".*.part"):
        part.unlink()  # temporary files of a run that was killed
    state = _State(out_dir)
    try:
        for number, values in read_rows(source):
            if PROBLEM in values:
                results[number] = RowResult(number, "error", "", str(values[PROBLEM]))
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
            except InvalidRequest as error:
                message = "; ".join(str(p) for p in error.problems)
                results[number] = RowResult(number, "error", "", message)
                continue
            name = output_name(number, request, fmt)
            digest = input_hash(merged, fmt)
            finished = state.done.get(name)
            target = out_dir / name
            if finished and finished[0] == digest and target.exists():
                results[number] = RowResult(number, "unchanged", name)
                continue
            if target.exists() and not force and finished is not None:
                results[number] = RowResult(number, "error", name, DIFFERENT_INPUT)
                continue
            verify = target.exists() and not force and finished is None
            todo.append((number, request, name, digest, verify))
        chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
        if jobs > 1 and len(chunks) > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(_render_chunk, c, str(out_dir), fmt) for c in chunks]
                for future in futures:
                    _collect(future.result(), state, results, progress)
        else:
            for chunk in chunks:
                _collect(_render_chunk(chunk, str(out_dir), fmt), state, results, progress)
    finally:
        state.close()
        # Rows a worker finished before an interruption are in the state file.
        written_now = {name for _, _, name, _, _ in todo}
        for name, (_, row) in _State.read(out_dir).items():
            if name in written_now and row not in results:
                results[row] = RowResult(row, "written", name)
        report = BatchReport([results[k] for k in sorted(results)])
        write_report(out_dir, report)
    return report


def _collect(
    done: list[tuple[int, str, str, str]],
    state: _State,
    results: dict[int, RowResult],
    progress: Callable[[int], None] | None,
) -> None:
    for row, name, digest, error in done:
        if error == "=recorded":
            state.done[name] = (digest, row)
            results[row] = RowResult(row, "written", name)
        elif error == "=unchanged":
            state.record(row, name, digest)
            results[row] = RowResult(row, "unchanged", name)
        elif error:
            results[row] = RowResult(row, "error", "", error)
        else:
            state.record(row, name, digest)
            results[row] = RowResult(row, "written", name)
    if progress is not None:
        progress(len(done))


def write_report(out_dir: Path, report: BatchReport) -> Path:
    from .outputs import atomic_write

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "status", "file", "message"])
    for result in report.results:
        writer.writerow([result.row, result.status, result.file, result.message])
    path = out_dir / REPORT_FILE
    atomic_write(path, buffer.getvalue().encode(), mode=0o600)
    return path


def zip_outputs(out_dir: Path, report: BatchReport) -> Path:
    """Bundle the letters and the report into ``<out_dir>.zip`` (atomically)."""
    from .outputs import zip_folder

    names = [r.file for r in report.results if r.file and r.status != "error"]
    return zip_folder(out_dir, [*names, REPORT_FILE])
