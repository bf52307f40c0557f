"""Time to the first letter of a long batch, against a short batch measured in the same run.

    python bench/first_letter.py [--rows 100000] [--jobs 2] [--format txt --format pdf]
                                 [--bad-row N]

`dsr batch` reads, validates and hands out rows as it goes (issue 13), so the
first letter of 100,000 rows should come about when that of a short batch
does: 33 rows, enough for three groups and so for the workers, are the
baseline (process start, fork server, workers, one letter). Rows are
objections to LinkedIn from members in Germany, each with a name of their
own; row ``--bad-row`` (the middle, by default) has a broken e-mail
address, and the time until its error is on stderr is reported too: it
comes while letters are being written, not at the end. Each batch is
stopped (Ctrl-C) once both are seen.

Also timed, in this process: validating every row before the first letter,
what the first letter waited for when batches validated the whole file first.
"""

from __future__ import annotations

import argparse
import csv
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

BIN = Path(sys.executable).parent
FIRST = ["Erika", "Hans", "Jörg", "Anna", "Lukas", "Sophie", "Max", "Lea", "Paul", "Mia", "Emma"]
LAST = ["Mustermann", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
        "Becker", "Schulz", "Hoffmann", "Koch", "Richter"]  # fmt: skip
TOWNS = [("10115", "Berlin"), ("80331", "München"), ("20095", "Hamburg"), ("50667", "Köln")]
TIMEOUT = 600.0
SHORT = 33  # rows: three groups of one language (dsr.batch.GROUP), so the workers start


def make_csv(path: Path, rows: int, bad: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "jurisdiction", "controller", "name", "address", "account_email"])
        for number in range(1, rows + 1):
            postcode, town = TOWNS[number % len(TOWNS)]
            name = f"{FIRST[number % len(FIRST)]} {LAST[number // 11 % len(LAST)]}-{number}"
            email = "not-an-email" if number == bad else f"m{number}@example.org"
            address = f"Hauptstraße {number % 200 + 1}, {postcode} {town}"
            writer.writerow(["objection", "DE", "linkedin", name, address, email])
    return path


def first_letter(source: Path, out: Path, fmt: str, jobs: int, bad: int) -> tuple[float, float]:
    """Seconds to the first letter file, and to the bad row's error on stderr (nan: none)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "dsr"), "batch", str(source), "-o", str(out), "--format", fmt,
         "--jobs", str(jobs)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert process.stderr is not None
    stderr = process.stderr
    lines: queue.Queue[tuple[float, bytes]] = queue.Queue()

    def read() -> None:
        for line in stderr:
            lines.put((time.perf_counter() - start, line))

    reader = threading.Thread(target=read)
    reader.start()
    letter = error = float("nan")
    wanted = f"Error: row {bad}:".encode()
    try:
        while time.perf_counter() - start < TIMEOUT and process.poll() is None:
            if letter != letter and any(out.glob(f"*.{fmt}")):  # nan until found
                letter = time.perf_counter() - start
            while not lines.empty():
                seconds, line = lines.get()
                if line.startswith(wanted):
                    error = seconds
            if letter == letter and (error == error or not bad):
                break
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait()
        reader.join()
        stderr.close()
    return letter, error


def validate_all(source: Path) -> float:
    """Seconds to read and validate every row in this process, as before the first letter."""
    from dsr.batch import read_rows
    from dsr.inputs import parse_request

    start = time.perf_counter()
    for _, values in read_rows(source):
        try:
            parse_request(values, today=date(2026, 11, 22))
        except Exception:  # the bad row
            continue
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--format", dest="formats", action="append", choices=["txt", "pdf"])
    parser.add_argument("--bad-row", type=int, help="row with a broken e-mail [the middle]")
    args = parser.parse_args()
    bad = args.bad_row if args.bad_row is not None else args.rows // 2
    folder = Path(tempfile.mkdtemp(prefix="dsr-first-letter-"))
    long_file = make_csv(folder / "members.csv", args.rows, bad)
    short = make_csv(folder / "short.csv", SHORT, 0)
    print(f"rows: {args.rows:,} (row {bad:,} bad), jobs: {args.jobs}")
    for fmt in args.formats or ["txt", "pdf"]:
        baseline, _ = first_letter(short, folder / f"short-{fmt}", fmt, args.jobs, 0)
        letter, error = first_letter(long_file, folder / f"long-{fmt}", fmt, args.jobs, bad)
        print(f"--format {fmt}: first letter of {args.rows:,} rows after {letter:.2f} s, "
              f"of {SHORT} rows after {baseline:.2f} s ({letter / baseline:.1f}x); "
              f"row {bad:,}'s error on stderr after {error:.1f} s")  # fmt: skip
    print(f"validating all {args.rows:,} rows first, in one process: "
          f"{validate_all(long_file):.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
