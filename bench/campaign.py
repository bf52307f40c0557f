"""Campaign benchmark: the same members as an .xlsx spreadsheet and as CSV, in one run.

    python bench/campaign.py [--rows 10000] [--jobs 2] [--no-print]

The issue's targets: a 10,000-row .xlsx campaign takes at most 1.2x the time
per letter of the same rows given as CSV, measured in the same run, and the
peak memory of the whole batch (parent and workers, PSS sampled from /proc
every 50 ms, as bench/batch.py does) stays under 500 MB with print.pdf made.

The CSV batch runs before and after the spreadsheet's (the machines here
drift), and the spreadsheet's time is compared with their mean. Each run
writes into a folder of its own: nothing is reused between them.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from batch import MEMBERS, tree_pss  # bench/batch.py, beside this file

BIN = Path(sys.executable).parent
HEADER = ["Kind", "Jurisdiction", "Name", "Address", "Account Email", "Lang", "Situation",
          "Request Date", "Request Kind", "Date", "Notes"]  # fmt: skip


def members(rows: int) -> list[list[object]]:
    """The rows both files hold: dates as dates (the spreadsheet's own date cells)."""
    table: list[list[object]] = []
    for number in range(rows):
        kind, code, address, lang, situation = MEMBERS[number % len(MEMBERS)]
        complaint = kind == "complaint"
        table.append(
            [kind, code, f"Member{number} Example", address, f"m{number}@example.org", lang,
             situation, date(2026, 9, 1) if complaint else None,
             "objection" if complaint else "", date(2026, 11, 22), f"note {number}"]
        )  # fmt: skip
    return table


def write_csv(path: Path, table: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in table:
            writer.writerow(["" if v is None else v for v in row])  # dates as ISO text


def write_xlsx(path: Path, table: list[list[object]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Members")
    sheet.append(HEADER)
    for row in table:
        sheet.append(row)
    book.save(path)


def run(source: Path, out: Path, jobs: int, extra: list[str]) -> tuple[float, int, int]:
    """Wall time (s), peak PSS of all processes (kB), letters written."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "dsr"), "batch", str(source), "-o", str(out), "--jobs", str(jobs), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_pss(process.pid)[0])
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if process.returncode:
        error = process.stderr.read().decode() if process.stderr else ""
        sys.exit(f"dsr batch {source.name} failed ({process.returncode}): {error[-2000:]}")
    return wall, peak, len(list(out.glob("[0-9]*.pdf")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-print", dest="print_pdf", action="store_false",
                        help="Leave out print.pdf (--print).")  # fmt: skip
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dsr-campaign-bench-"))
    table = members(args.rows)
    write_csv(folder / "members.csv", table)
    write_xlsx(folder / "members.xlsx", table)
    extra = ["--print"] if args.print_pdf else []

    csv_before = run(folder / "members.csv", folder / "csv-1", args.jobs, extra)
    sheet = run(folder / "members.xlsx", folder / "xlsx", args.jobs, extra)
    csv_after = run(folder / "members.csv", folder / "csv-2", args.jobs, extra)

    print(f"rows: {args.rows}, jobs: {args.jobs}, print.pdf: {'yes' if extra else 'no'}")
    for label, (wall, peak, written) in (
        ("CSV (before)", csv_before), (".xlsx", sheet), ("CSV (after)", csv_after),
    ):  # fmt: skip
        per_letter = wall / written * 1000
        print(f"{label:>13}: {written} letters in {wall:.1f} s, {per_letter:.1f} ms per letter, "
              f"peak PSS {peak / 1024:.0f} MB")  # fmt: skip
    csv_per_letter = (csv_before[0] / csv_before[2] + csv_after[0] / csv_after[2]) / 2
    ratio = (sheet[0] / sheet[2]) / csv_per_letter
    peak = max(csv_before[1], sheet[1], csv_after[1]) / 1024
    print(f".xlsx per letter / CSV per letter (mean of before and after): {ratio:.2f}x "
          f"(target <= 1.2x); peak PSS {peak:.0f} MB (target < 500 MB)")  # fmt: skip
    if extra:
        size = (folder / "xlsx" / "print.pdf").stat().st_size
        print(f"print.pdf of the .xlsx run: {size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
