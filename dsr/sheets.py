"""A spreadsheet's sheet as CSV text, read in a child process with bounded memory and time.

A small .xlsx or .ods can unpack into gigabytes (one cell at the sheet's last
corner, a shared string of 32,767 characters in a million cells, repeated rows
in an .ods): python-calamine then allocates until the process aborts, with no
message. Read in a child under RLIMIT_AS and RLIMIT_CPU, such a file costs the
child, and the member gets an error naming the file. The child is started with
"spawn" and imports this module alone (python-calamine, csv): a clean process,
no copy of the batch's state.

The first *visible* sheet is read unless one is named: a sheet hidden in Excel
(or "very hidden", not even listed under Unhide) is not what the NGO checked.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import resource
from datetime import date, datetime, time, timedelta
from multiprocessing.connection import Connection
from typing import Any, Final

MEMORY_BYTES: Final = 2 << 30  # address space of the child: a 10,000-row sheet takes ~300 MB
CPU_SECONDS: Final = 120
WALL_SECONDS: Final = 240.0


class SheetError(Exception):
    """The sheet cannot be read; the message says why, without the file's name."""


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the CSV text a member would have typed: a date cell as an
    ISO date, a whole number without ".0" (a postcode typed as a number), text as it is."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)


def sheet_csv(raw: bytes, sheet: str | None, max_chars: int, max_rows: int) -> str:
    """The sheet ``sheet`` (or the first visible one) of the workbook ``raw`` as CSV text,
    empty rows left out, and no more than a header and ``max_rows`` + 1 rows (enough for
    the caller to refuse a file over its limit); in this process
    (:func:`bounded_sheet_csv` runs it in a child)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = list(book.sheets_metadata)
    except Exception as error:  # calamine raises its own kinds on damaged files
        raise SheetError(
            f"cannot read this spreadsheet ({error}); save it again as .xlsx or .ods"
        ) from None
    names = [meta.name for meta in sheets]
    if sheet is not None and sheet not in names:
        listed = ", ".join(repr(name) for name in names)
        raise SheetError(f"no sheet named {sheet!r}; its sheets are {listed}")
    visible = [meta.name for meta in sheets if meta.visible == SheetVisibleEnum.Visible]
    if sheet is None and not visible:
        raise SheetError("the spreadsheet has no visible sheet" if names else "no sheet")
    try:
        rows = book.get_sheet_by_name(sheet or visible[0]).iter_rows()
    except Exception as error:
        raise SheetError(
            f"cannot read this spreadsheet ({error}); save it again as .xlsx or .ods"
        ) from None
    out = io.StringIO()
    # Every cell quoted: a cell holding a carriage return alone (or Excel's _x000D_) is
    # then one cell still, never the end of its row and the start of a forged one.
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    written = 0
    for row in rows:
        cells = [cell_text(value) for value in row]
        while cells and not cells[-1]:  # the empty area right of the members' columns
            cells.pop()
        if any(cell.strip() for cell in cells):
            writer.writerow(cells)
            written += 1
            if out.tell() > max_chars:
                raise SheetError(f"its cells hold more than {max_chars:,} characters")
            if written > max_rows + 1:  # the header and one row past the limit
                break
    return out.getvalue()


def _child(
    raw: bytes, sheet: str | None, max_chars: int, max_rows: int, answer: Connection
) -> None:
    # What the reader prints as it dies at a limit (Rust's "memory allocation ... failed",
    # a backtrace) is not for the member: the parent words the error.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    try:
        answer.send(("text", sheet_csv(raw, sheet, max_chars, max_rows)))
    except SheetError as error:
        answer.send(("error", str(error)))
    except MemoryError:
        answer.send(("limit", ""))
    finally:
        answer.close()


def bounded_sheet_csv(raw: bytes, sheet: str | None, max_chars: int, max_rows: int) -> str:
    """:func:`sheet_csv` in a child process within MEMORY_BYTES of memory, CPU_SECONDS
    of CPU and WALL_SECONDS in all; SheetError if the sheet cannot be read or needs more."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(raw, sheet, max_chars, max_rows, sending), daemon=True
    )
    child.start()
    sending.close()
    try:
        answer = None
        if receiving.poll(WALL_SECONDS):
            try:
                answer = receiving.recv()
            except (EOFError, OSError):  # it died at its limit before it answered
                answer = None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if answer is None or answer[0] == "limit":
        raise SheetError(
            f"reading it needs more than {MEMORY_BYTES >> 30} GB of memory or "
            f"{CPU_SECONDS} s, the limits for a members' file (a sheet that unpacks to far "
            "more than it holds); save only the members' rows and columns as a new .xlsx, "
            "or as CSV UTF-8"
        )
    kind, value = answer
    if kind == "error":
        raise SheetError(value)
    return str(value)
